//! `--format markdown`: a self-contained ticket attachment.
//!
//! Contract: GitHub/GitLab-flavoured Markdown with the verdict first, then
//! the inputs analyzed (name, size, format, records), then per incident the
//! cause, severity and confidence, the evidence lines with their line
//! numbers in a fenced block, the SigV4 difference in a fenced block when
//! there is one, the fix as a `- [ ]` checklist and the facts in a
//! collapsed `<details>`; it ends with the authsift version and the rule-set
//! version. Every string from an input is redacted, stripped of control
//! characters (shown escaped), and either fenced (log lines, signed values)
//! or escaped (`\*`, `\_`, `\|`, `\<`, `\@`, …) so it can neither format the
//! ticket nor mention people. Without `--timestamp` the output depends on
//! the input alone.

use std::fmt::Write;

use super::RenderOptions;
use super::fields::{self, Ctx, VERSION, bytes, iso, result};
use super::overview::Overview;
use crate::finding::Finding;
use crate::outcome::{InputReport, Report};
use crate::text::{Thousands, counted};
use crate::trail::summary::FindingGroup;

/// A self-contained Markdown report, for a ticket.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let md = Md { options };
    let mut out = String::new();
    let all: Vec<Ctx<'_>> = report.inputs.iter().flat_map(fields::findings).collect();
    let verdicts: Vec<&Ctx<'_>> = all.iter().filter(|c| c.verdict).collect();
    let summary = report.summary();
    let overview = summary
        .as_deref()
        .map(|s| Overview::of(report, s, options.limit()));
    // Event inputs are one row of the inputs table and one section.
    let summarised =
        |i: &InputReport| overview.is_some() && (i.is_event_input() || i.skipped().is_some());

    let _ = writeln!(out, "# authsift report\n");
    let events_verdict = overview.as_ref().and_then(|o| Some((o, o.groups.first()?)));
    match verdicts.first() {
        None if let Some((o, top)) = events_verdict => {
            let _ = writeln!(
                out,
                "**Verdict:** {} in the event inputs; the most important: {} — {} ({} ×{}).\n",
                counted(Thousands(o.auth_failures), "auth failure"),
                md.code(&top.cause),
                md.text(group_title(top)),
                top.severity.map_or("unexplained", |s| s.as_str()),
                Thousands(top.count),
            );
        }
        None if report.inputs.iter().any(|i| i.has_unexplained_failure()) => {
            let _ = writeln!(
                out,
                "**Verdict:** an AWS failure that no rule explains (its lines are below).\n"
            );
        }
        None => {
            let _ = writeln!(out, "**Verdict:** no AWS failure found.\n");
            let notes: Vec<&str> = report
                .inputs
                .iter()
                .filter_map(|i| fields::no_failure(i).1)
                .collect();
            if let Some(note) = notes.first() {
                let _ = writeln!(out, "**Note:** {note}.\n");
            }
        }
        Some(first) => {
            let _ = writeln!(
                out,
                "**Verdict:** {} — {} ({}, {} severity, {} confidence)\n",
                md.text(&first.failure()),
                md.text(&first.finding.title),
                md.code(&first.finding.rule),
                first.finding.severity.as_str(),
                first.confidence().as_str(),
            );
            if verdicts.len() > 1 {
                let _ = writeln!(
                    out,
                    "{} failures were explained in all; each is detailed below.\n",
                    verdicts.len()
                );
            }
        }
    }
    if let Some(now) = options.now {
        let _ = writeln!(out, "Generated {}.\n", iso(now));
    }

    let _ = writeln!(out, "## Inputs analyzed\n");
    let _ = writeln!(out, "| input | size | format | records | result |");
    let _ = writeln!(out, "|---|--:|---|--:|---|");
    if let Some(o) = &overview {
        let event_inputs = report.inputs.iter().filter(|i| summarised(i));
        let size: u64 = event_inputs
            .clone()
            .filter_map(|i| options.sizes.get(&i.path))
            .sum();
        let formats: std::collections::BTreeSet<&str> = event_inputs
            .filter_map(|i| i.read_as.map(|f| f.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "| {} (event inputs, summarised below) | {} | {} | {} | {} with auth failures |",
            counted(Thousands((o.files + o.skipped_files) as u64), "file"),
            bytes(size),
            formats.into_iter().collect::<Vec<_>>().join(", "),
            Thousands(o.summary.events),
            Thousands((o.files - o.clean_files) as u64),
        );
    }
    for input in report.inputs.iter().filter(|i| !summarised(i)) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md.text(&input.path),
            options
                .sizes
                .get(&input.path)
                .map_or("—".to_string(), |n| bytes(*n)),
            input.read_as.map_or("—", |f| f.as_str()),
            input.records,
            md.text(&result(input)),
        );
    }
    out.push('\n');

    if !all.is_empty() {
        let _ = writeln!(out, "## Findings\n");
    }
    let mut number = 0;
    for (i, ctx) in all.iter().enumerate() {
        if !ctx.verdict {
            continue;
        }
        number += 1;
        let others: Vec<&Finding> = all[i + 1..]
            .iter()
            .take_while(|c| !c.verdict)
            .map(|c| c.finding)
            .collect();
        md.finding(&mut out, number, ctx, &others);
    }

    if let Some(o) = &overview {
        md.overview(&mut out, o);
    }

    for input in report
        .inputs
        .iter()
        .filter(|i| !i.unclassified.is_empty() && !summarised(i))
    {
        let _ = writeln!(
            out,
            "## Failures no rule explains in {}\n",
            md.text(&input.path)
        );
        let lines: Vec<(usize, &str)> = input
            .unclassified
            .iter()
            .map(|e| (e.line, &*e.text))
            .collect();
        md.excerpt(&mut out, &lines);
    }

    let _ = writeln!(out, "---\n");
    let _ = writeln!(
        out,
        "Generated by authsift {VERSION} with rule set {} ({}). {}",
        md.code(&options.rules.version()),
        options
            .rules
            .sources
            .iter()
            .map(|s| md.text(s))
            .collect::<Vec<_>>()
            .join(", "),
        if options.redactor.mask_key_ids {
            "Secret keys, session tokens, passwords and signatures are redacted; access key ids are masked to prefix and last four."
        } else {
            "Secret keys, session tokens, passwords and signatures are redacted; access key ids are shown in full (`--no-redact`)."
        }
    );
    out
}

struct Md<'a> {
    options: &'a RenderOptions,
}

/// A group's title, or what stands for it when no rule explains it.
fn group_title(g: &FindingGroup) -> &str {
    match g.title.as_str() {
        "" => "a failure no rule explains",
        t => t,
    }
}

impl Md<'_> {
    /// The event inputs: summary, breakdowns, then the grouped findings
    /// and the patterns across files (`report::overview`).
    fn overview(&self, out: &mut String, o: &Overview<'_>) {
        let s = o.summary;
        let _ = writeln!(out, "## Event inputs (CloudTrail, S3 access logs)\n");
        let span = match (s.first_seen, s.last_seen) {
            (Some(a), Some(b)) => format!(", {} to {}", iso(a), iso(b)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "- **{}** in {}{span}; {} without failures",
            counted(Thousands(s.events), "event"),
            counted(Thousands(o.files as u64), "file"),
            Thousands(o.clean_files as u64),
        );
        let _ = writeln!(out, "- **{}**", o.failures_text());
        if s.other_errors > 0 {
            let codes: Vec<String> = s
                .by_other_error
                .ranked()
                .iter()
                .take(3)
                .map(|(c, n)| format!("{} {}", self.code(c), Thousands(*n)))
                .collect();
            let _ = writeln!(
                out,
                "- {} (no auth failure), counted apart: {}",
                counted(Thousands(s.other_errors), "other error"),
                codes.join(", ")
            );
        }
        if s.service_failures > 0 {
            let _ = writeln!(
                out,
                "- {} of calls AWS services made on your behalf, left out",
                counted(Thousands(s.service_failures), "failure")
            );
        }
        if s.duplicates > 0 {
            let _ = writeln!(
                out,
                "- {} met again (same eventID), counted once",
                counted(Thousands(s.duplicates), "event")
            );
        }
        if o.cloudtrail {
            let _ = writeln!(out, "- **Note:** {}", *crate::trail::NOT_RECORDED);
        }
        if let Some(spark) = &o.sparkline {
            let _ = writeln!(
                out,
                "- Auth failures, {} h a column, {} to {} (peak {}): `│{}│`",
                spark.hours,
                iso(spark.start),
                iso(spark.end),
                Thousands(spark.peak),
                spark.bars
            );
        }
        out.push('\n');
        if !o.tops.is_empty() {
            let _ = writeln!(out, "| breakdown | value | failures |\n|---|---|--:|");
            for top in &o.tops {
                for (i, (value, n)) in top.values.iter().enumerate() {
                    let name = if i == 0 { top.label } else { "" };
                    let value = self.text(value);
                    let _ = writeln!(out, "| {name} | {value} | {} |", Thousands(*n));
                }
                if top.more > 0 {
                    let _ = writeln!(out, "|  | … {} more |  |", top.more);
                }
            }
            out.push('\n');
        }
        if !o.groups.is_empty() {
            let _ = writeln!(out, "### Grouped findings, most important first\n");
        }
        for (i, g) in o.groups.iter().enumerate() {
            let _ = writeln!(
                out,
                "#### {}. {} ×{} — {}\n",
                i + 1,
                self.code(&g.cause),
                Thousands(g.count),
                self.text(group_title(g))
            );
            let _ = writeln!(
                out,
                "- **Severity:** {}",
                g.severity.map_or("unexplained", |s| s.as_str())
            );
            let _ = writeln!(out, "- **Who:** {}", self.text(&g.principal));
            let _ = writeln!(
                out,
                "- **Did:** {} from {}",
                self.text(&g.action),
                self.text(&g.source)
            );
            let when = super::overview::when(g);
            let _ = writeln!(out, "- **When:** {when}");
            let _ = writeln!(
                out,
                "- **Sample:** {}, {}\n",
                self.text(&g.first.path),
                self.text(&g.first.event)
            );
            self.excerpt(out, &[(g.first.line, &g.evidence)]);
        }
        if let Some(hidden) = o.hidden_text() {
            let _ = writeln!(out, "{hidden}: `--limit 0` shows them all.\n");
        }
        if !o.patterns.is_empty() {
            let _ = writeln!(out, "### Across files\n");
            for p in &o.patterns {
                let _ = writeln!(
                    out,
                    "- **{}** ({}): {}",
                    self.text(&p.title),
                    p.kind,
                    self.text(&p.detail)
                );
            }
            if let Some(hidden) = o.patterns_hidden_text() {
                let _ = writeln!(out, "- … {hidden}: `--limit 0` shows them all");
            }
            out.push('\n');
        }
    }

    /// Redacted and without control characters.
    fn clean(&self, s: &str) -> String {
        let redacted = self.options.redactor.text(s);
        super::terminal::sanitize(&redacted).into_owned()
    }

    /// Inline text from an input: cleaned, then every character Markdown
    /// (or GitHub's mentions, references and math) would act on escaped.
    fn text(&self, s: &str) -> String {
        escape(&self.clean(s))
    }

    /// Our own identifiers (rule ids, fact names, versions) as code.
    fn code(&self, s: &str) -> String {
        let s = self.clean(s).replace('`', "'");
        format!("`{s}`")
    }

    /// Lines with their numbers in a fenced block.
    fn excerpt(&self, out: &mut String, lines: &[(usize, &str)]) {
        let width = lines
            .iter()
            .map(|(n, _)| n.to_string().len())
            .max()
            .unwrap_or(1);
        let body: Vec<String> = lines
            .iter()
            .map(|(n, text)| {
                // Line 0 is no line of the input (a flag): no number.
                let n = if *n == 0 {
                    String::new()
                } else {
                    n.to_string()
                };
                format!("{n:>width$}  {}", self.clean(text.trim_end()))
            })
            .collect();
        fenced(out, &body);
    }

    fn finding(&self, out: &mut String, number: usize, ctx: &Ctx<'_>, others: &[&Finding]) {
        let f = ctx.finding;
        let heading = match &f.batch {
            Some(b) => format!("{} × {}", b.count, ctx.failure()),
            None => ctx.failure(),
        };
        let _ = writeln!(out, "### {number}. {}\n", self.text(&heading));
        let _ = writeln!(
            out,
            "- **Cause:** {} ({})",
            self.text(&f.title),
            self.code(&f.rule)
        );
        let _ = writeln!(
            out,
            "- **Severity:** {} · **Confidence:** {}",
            f.severity.as_str(),
            ctx.confidence().as_str()
        );
        let step = f
            .facts
            .str(crate::facts::Fact::CiStep)
            .map_or(String::new(), |s| format!(", step \"{s}\""));
        let location = match ctx.line() {
            Some(line) => format!("{}, line {line}{step}", ctx.input.path),
            None => format!("{}{step}", ctx.input.path),
        };
        let _ = writeln!(out, "- **Where:** {}", self.text(&location));
        if let Some(b) = &f.batch {
            let group: Vec<String> = b
                .group
                .iter()
                .map(|(k, v)| format!("{} = {}", self.code(k), self.text(v)))
                .collect();
            let _ = writeln!(out, "- **Group:** {}", group.join(", "));
            let _ = writeln!(out, "- **When:** {}", fields::batch_span(b));
        } else if let Some(t) = ctx.first_seen() {
            let _ = writeln!(out, "- **When:** {} (log clock)", iso(t));
        }
        if !others.is_empty() {
            let names: Vec<String> = others.iter().map(|o| self.code(&o.rule)).collect();
            let _ = writeln!(
                out,
                "- **Also possible:** {} (lower confidence)",
                names.join(", ")
            );
        }
        let _ = writeln!(out, "\n**Why:** {}\n", self.text(&f.explanation));

        if !f.evidence.is_empty() {
            let _ = writeln!(out, "**Evidence** (line numbers of the input)\n");
            let lines: Vec<(usize, &str)> = f.evidence.iter().map(|e| (e.line, &*e.text)).collect();
            self.excerpt(out, &lines);
        }

        if !f.signature_diff.is_empty() {
            let _ = writeln!(
                out,
                "**Signature difference** (what the client signed against what AWS computed)\n"
            );
            let mut body = Vec::new();
            for d in &f.signature_diff {
                body.push(self.clean(&d.component));
                let clean = |s: &str| self.clean(s);
                for line in crate::sigv4::show::difference_lines(d, &clean) {
                    body.push(format!("  {line}"));
                }
            }
            fenced(out, &body);
        }

        let not_checked = super::not_checked::of(f);
        if !not_checked.is_empty() {
            let _ = writeln!(out, "**Could not check**\n");
            for limit in &not_checked {
                let _ = writeln!(out, "- {}", self.text(limit));
            }
            out.push('\n');
        }

        if !f.fix.is_empty() {
            let _ = writeln!(out, "**Fix**\n");
            for step in &f.fix {
                let _ = writeln!(out, "- [ ] {}", self.text(step));
            }
            out.push('\n');
        }

        let references = self.options.rules.references(&f.rule);
        if !references.is_empty() {
            let links: Vec<String> = references
                .iter()
                .map(|r| format!("<{}>", self.clean(r).replace(['<', '>', ' '], "")))
                .collect();
            let _ = writeln!(out, "**See:** {}\n", links.join(" · "));
        }

        let facts: Vec<String> = f
            .facts
            .iter()
            .map(|(fact, value)| {
                let shown = match value {
                    crate::facts::Value::Str(s) => self.text(s),
                    crate::facts::Value::Int(i) => i.to_string(),
                    crate::facts::Value::Bool(b) => b.to_string(),
                };
                format!("| {} | {shown} |", self.code(fact.name()))
            })
            .collect();
        if !facts.is_empty() {
            let _ = writeln!(out, "<details><summary>Facts ({})</summary>\n", facts.len());
            let _ = writeln!(out, "| fact | value |\n|---|---|");
            for row in facts {
                let _ = writeln!(out, "{row}");
            }
            let _ = writeln!(out, "\n</details>\n");
        }
    }
}

/// A fenced block whose fence is longer than any backtick run inside, so
/// no line can close it.
fn fenced(out: &mut String, lines: &[String]) {
    let longest = lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(out, "{fence}text");
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    let _ = writeln!(out, "{fence}\n");
}

/// Backslash-escapes what Markdown, GitHub and GitLab act on inline:
/// emphasis, code, links, HTML, tables, headings, mentions, references,
/// strikethrough and math. Line breaks are already shown escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '|'
                | '#'
                | '~'
                | '&'
                | '@'
                | '!'
                | '$'
                | '{'
                | '}'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_and_mentions() {
        assert_eq!(
            escape("*a* _b_ `c` [d](e) <img> | @bob #1 $x$"),
            "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<img\\> \\| \\@bob \\#1 \\$x\\$"
        );
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        let mut out = String::new();
        fenced(&mut out, &["a ```` b".to_string()]);
        assert!(out.starts_with("`````text\n"), "{out}");
        assert!(out.ends_with("\n`````\n\n"), "{out}");
    }
}
