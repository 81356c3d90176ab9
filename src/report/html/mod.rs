//! `--format html`: one self-contained page to keep or attach.
//!
//! Contract: one file, inline CSS and SVG only: no script, no font, image
//! or stylesheet from anywhere, and a Content-Security-Policy that forbids
//! them (`default-src 'none'`), so the page draws the same offline and
//! cannot be made to fetch or run anything by what an input holds. It
//! shows what the human report shows, from the same data: per log input
//! the verdict blocks (cause, evidence lines, fix); for event inputs the
//! summary of [`Overview`], a timeline of failures per hour stacked by
//! root cause, bar charts of the busiest values, the grouped findings with
//! their evidence and the patterns across files. Every string from an
//! input is redacted ([`super::redact`]), stripped of control characters
//! (shown escaped) and HTML-escaped; links are made only of the rules'
//! own `http(s)` references. Without `--timestamp` the page depends on the
//! input alone.

mod charts;

use std::fmt::Write;

use super::RenderOptions;
use super::fields::{self, Ctx, VERSION, bytes, iso, result};
use super::overview::{self, Overview};
use crate::finding::Finding;
use crate::outcome::{InputReport, Report};
use crate::text::{Thousands, counted};
use crate::trail::summary::{ArchiveFinding, FindingGroup};

/// The page's policy: inline styles and `data:` images, nothing else.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Values per bar chart.
const BARS: usize = 10;

/// Widest timeline, in columns (one per hour, or per a few hours).
const TIMELINE_COLUMNS: i64 = 168;

/// A self-contained HTML page.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let page = Page { options };
    let summary = report.summary();
    let overview = summary
        .as_deref()
        .map(|s| Overview::of(report, s, options.limit()));
    let summarised =
        |i: &InputReport| overview.is_some() && (i.is_event_input() || i.skipped().is_some());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"authsift {VERSION}\">\n\
         <title>authsift report</title>\n<style>\n{}</style>\n</head>\n<body>\n\
         <header>\n<h1>authsift report</h1>",
        include_str!("style.css")
    );
    page.verdict(&mut out, report, overview.as_ref());
    if let Some(now) = options.now {
        let _ = writeln!(out, "<p class=\"muted\">Generated {}.</p>", iso(now));
    }
    out.push_str("</header>\n<main>\n");

    let logs: Vec<&InputReport> = report.inputs.iter().filter(|i| !summarised(i)).collect();
    if !logs.is_empty() {
        out.push_str("<section id=\"inputs\">\n<h2>Inputs</h2>\n");
        page.inputs(&mut out, &logs);
        for input in &logs {
            page.input(&mut out, input);
        }
        out.push_str("</section>\n");
    }
    if let Some(o) = &overview {
        page.events(&mut out, o);
        for input in report.inputs.iter().filter(|i| i.is_event_input()) {
            for ctx in fields::findings(input)
                .iter()
                .filter(|c| c.finding.batch.is_some())
            {
                page.finding(&mut out, ctx, &[]);
            }
        }
    }
    out.push_str("</main>\n");
    page.footer(&mut out);
    out.push_str("</body>\n</html>\n");
    out
}

struct Page<'a> {
    options: &'a RenderOptions,
}

impl Page<'_> {
    /// Redacted, without control characters: what every input-derived
    /// string is before it is escaped (or before a diff lines it up).
    fn clean(&self, s: &str) -> String {
        let redacted = self.options.redactor.text(s);
        super::terminal::sanitize(&redacted).into_owned()
    }

    /// Input-derived text for the page: cleaned, then escaped.
    fn text(&self, s: &str) -> String {
        escape(&self.clean(s))
    }

    /// The one-line answer first: what failed most importantly, or that
    /// nothing did.
    fn verdict(&self, out: &mut String, report: &Report, overview: Option<&Overview<'_>>) {
        let explained: usize = report
            .inputs
            .iter()
            .filter(|i| !i.is_event_input())
            .map(|i| fields::findings(i).iter().filter(|c| c.verdict).count())
            .sum();
        let mut parts = Vec::new();
        if explained > 0 {
            parts.push(format!(
                "{} explained in the logs",
                counted(Thousands(explained as u64), "failure")
            ));
        }
        if let Some(o) = overview.filter(|o| o.auth_failures > 0) {
            parts.push(format!(
                "{} in the event inputs",
                counted(Thousands(o.auth_failures), "auth failure")
            ));
        }
        let unexplained = report.inputs.iter().any(|i| i.has_unexplained_failure());
        if unexplained {
            parts.push("a failure no rule explains".to_string());
        }
        match parts.is_empty() {
            true => out.push_str(
                "<p class=\"verdict ok\"><span class=\"good\">✔</span> No AWS failure found.</p>\n",
            ),
            false => {
                let _ = writeln!(
                    out,
                    "<p class=\"verdict\"><span class=\"bad\">✖</span> {}.</p>",
                    parts.join(" · ")
                );
            }
        }
    }

    /// The log inputs: name, size, format, records, result.
    fn inputs(&self, out: &mut String, inputs: &[&InputReport]) {
        out.push_str("<table class=\"inputs\">\n<tr><th>input</th><th>size</th><th>format</th><th>records</th><th>result</th></tr>\n");
        for input in inputs {
            let _ = writeln!(
                out,
                "<tr><td class=\"mono\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                self.text(&input.path),
                self.options
                    .sizes
                    .get(&input.path)
                    .map_or("—".to_string(), |n| bytes(*n)),
                input.read_as.map_or("—", |f| f.as_str()),
                Thousands(input.records as u64),
                self.text(&result(input)),
            );
        }
        out.push_str("</table>\n");
    }

    /// One log input: its verdict blocks, or what its lack of findings
    /// means and the failure lines no rule explains.
    fn input(&self, out: &mut String, input: &InputReport) {
        if !input.errors.is_empty() {
            return;
        }
        let all = fields::findings(input);
        if all.is_empty() {
            let (wording, note) = fields::no_failure(input);
            let mark = match input.has_unexplained_failure() {
                true => "<span class=\"bad\">✖</span>",
                false => "<span class=\"good\">✔</span>",
            };
            let _ = writeln!(
                out,
                "<article class=\"unexplained\">\n<h3>{mark} <span class=\"mono\">{}</span>: {}</h3>",
                self.text(&input.path),
                self.text(&wording)
            );
            if let Some(note) = note {
                let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(note));
            }
            if !input.unclassified.is_empty() {
                out.push_str("<p>Failure lines no rule explains:</p>\n");
                let lines: Vec<(usize, &str)> = input
                    .unclassified
                    .iter()
                    .map(|e| (e.line, &*e.text))
                    .collect();
                self.evidence(out, &lines);
            }
            out.push_str("</article>\n");
            return;
        }
        for (i, ctx) in all.iter().enumerate().filter(|(_, c)| c.verdict) {
            let others: Vec<&Finding> = all[i + 1..]
                .iter()
                .take_while(|c| !c.verdict)
                .map(|c| c.finding)
                .collect();
            self.finding(out, ctx, &others);
        }
    }

    /// A verdict block: what failed where, the cause, the evidence lines,
    /// the signature difference, why, the fix, what could not be checked,
    /// the other rules that matched and the rule's references. A batch
    /// finding (many events) says its group and count instead of a line.
    fn finding(&self, out: &mut String, ctx: &Ctx<'_>, others: &[&Finding]) {
        let f = ctx.finding;
        let step = f
            .facts
            .str(crate::facts::Fact::CiStep)
            .map_or(String::new(), |s| format!(", step \"{s}\""));
        let place = match ctx.line() {
            Some(line) => format!("{}, line {line}{step}", ctx.input.path),
            None => format!("{}{step}", ctx.input.path),
        };
        let (mark, heading) = match &f.batch {
            Some(b) => ("▲", format!("{} × {}", b.count, f.title)),
            None => ("✖", ctx.failure()),
        };
        let _ = writeln!(
            out,
            "<article class=\"{}\">\n<h3><span class=\"bad\">{mark}</span> {} <small class=\"mono\">({})</small></h3>\n<dl>",
            f.severity.as_str(),
            self.text(&heading),
            self.text(&place)
        );
        let _ = writeln!(
            out,
            "<dt>cause</dt><dd>{} <code>[{}, {}]</code> <span class=\"muted\">{} confidence</span></dd>",
            self.text(&f.title),
            self.text(&f.rule),
            f.severity.as_str(),
            ctx.confidence().as_str()
        );
        if let Some(b) = &f.batch {
            let group: Vec<String> = b
                .group
                .iter()
                .map(|(k, v)| format!("<code>{}</code> = {}", self.text(k), self.text(v)))
                .collect();
            let _ = writeln!(out, "<dt>group</dt><dd>{}</dd>", group.join(", "));
            let _ = writeln!(out, "<dt>count</dt><dd>{}</dd>", fields::batch_span(b));
        }
        if !f.evidence.is_empty() {
            out.push_str("<dt>evidence</dt><dd>");
            let lines: Vec<(usize, &str)> = f.evidence.iter().map(|e| (e.line, &*e.text)).collect();
            self.evidence(out, &lines);
            out.push_str("</dd>\n");
        }
        if !f.signature_diff.is_empty() {
            let clean = |s: &str| self.clean(s);
            let mut body = String::new();
            for d in &f.signature_diff {
                let _ = writeln!(body, "{}", escape(&clean(&d.component)));
                for line in crate::sigv4::show::difference_lines(d, &clean) {
                    let _ = writeln!(body, "  {}", escape(&line));
                }
            }
            let _ = writeln!(out, "<dt>differs</dt><dd><pre>{body}</pre></dd>");
        }
        let _ = writeln!(out, "<dt>why</dt><dd>{}</dd>", self.text(&f.explanation));
        self.list(out, "fix", "ol", &f.fix);
        self.list(out, "unchecked", "ul", &super::not_checked::of(f));
        if !others.is_empty() {
            let names: Vec<String> = others
                .iter()
                .map(|o| format!("<code>{}</code>", self.text(&o.rule)))
                .collect();
            let _ = writeln!(
                out,
                "<dt>also</dt><dd>{} <span class=\"muted\">(lower confidence)</span></dd>",
                names.join(", ")
            );
        }
        let references = self.options.rules.references(&f.rule);
        if !references.is_empty() {
            let links: Vec<String> = references.iter().map(|r| self.link(r)).collect();
            let _ = writeln!(out, "<dt>see</dt><dd>{}</dd>", links.join(" · "));
        }
        out.push_str("</dl>\n</article>\n");
    }

    /// `items` as a list under `label`, if any.
    fn list<S: AsRef<str>>(&self, out: &mut String, label: &str, tag: &str, items: &[S]) {
        if items.is_empty() {
            return;
        }
        let _ = write!(out, "<dt>{label}</dt><dd><{tag}>");
        for item in items {
            let _ = write!(out, "<li>{}</li>", self.text(item.as_ref()));
        }
        let _ = writeln!(out, "</{tag}></dd>");
    }

    /// A reference: a link when it is an `http(s)` address, text
    /// otherwise (a rule file could say `javascript:`).
    fn link(&self, reference: &str) -> String {
        let shown = self.text(reference);
        let web = ["https://", "http://"].iter().any(|p| {
            reference
                .get(..p.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(p))
        });
        match web && !reference.contains(char::is_whitespace) {
            true => format!("<a href=\"{shown}\" rel=\"noreferrer\">{shown}</a>"),
            false => shown,
        }
    }

    /// Lines with their numbers (line 0 is no line of the input: none).
    fn evidence(&self, out: &mut String, lines: &[(usize, &str)]) {
        out.push_str("<table class=\"evidence\">");
        for (n, text) in lines {
            let n = match n {
                0 => String::new(),
                n => format!("line {n}"),
            };
            let _ = write!(
                out,
                "<tr><td class=\"line\">{n}</td><td><pre>{}</pre></td></tr>",
                self.text(text.trim_end())
            );
        }
        out.push_str("</table>\n");
    }

    /// The event inputs: totals, the timeline, the charts, the grouped
    /// findings and the patterns across files.
    fn events(&self, out: &mut String, o: &Overview<'_>) {
        let s = o.summary;
        out.push_str(
            "<section id=\"events\">\n<h2>Event inputs (CloudTrail, S3 access logs)</h2>\n<ul class=\"totals\">\n",
        );
        let span = match (s.first_seen, s.last_seen) {
            (Some(a), Some(b)) => format!(", {} to {}", iso(a), iso(b)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "<li><strong>{}</strong> in {}{span}</li>",
            counted(Thousands(s.events), "event"),
            counted(Thousands(o.files as u64), "file")
        );
        let _ = writeln!(out, "<li>{}</li>", o.files_text());
        let (class, mark) = match o.auth_failures {
            0 => ("good", "✔"),
            _ => ("bad", "✖"),
        };
        let _ = writeln!(
            out,
            "<li><span class=\"{class}\">{mark}</span> <strong>{}</strong></li>",
            escape(&o.failures_text())
        );
        let code = |c: &str| format!("<code>{}</code>", self.text(c));
        for (name, text) in o.apart(&code) {
            let _ = writeln!(out, "<li>{name}: {text}</li>");
        }
        if o.cloudtrail {
            let _ = writeln!(
                out,
                "<li class=\"muted\">Note: {}</li>",
                escape(&crate::trail::NOT_RECORDED)
            );
        }
        out.push_str("</ul>\n");
        let text = |v: &str| self.text(v);
        if let Some(t) = overview::timeline(s, TIMELINE_COLUMNS) {
            let _ = writeln!(
                out,
                "<figure id=\"timeline\">\n<figcaption>Auth failures per {} by root cause, {} to {} (peak {})</figcaption>\n{}</figure>",
                match t.hours {
                    1 => "hour".to_string(),
                    n => format!("{n} hours"),
                },
                iso(t.start),
                iso(t.end()),
                Thousands(t.peak),
                charts::timeline(&t, &text)
            );
        }
        let tops = overview::tops(s, BARS);
        if !tops.is_empty() {
            out.push_str("<div class=\"charts\">\n");
            for top in &tops {
                let _ = writeln!(
                    out,
                    "<figure>\n<figcaption>Auth failures by {}</figcaption>\n{}</figure>",
                    top.label.trim_end_matches('s'),
                    charts::bars(top, &text)
                );
            }
            out.push_str("</div>\n");
        }
        if !o.groups.is_empty() {
            let (hidden, _) = o.groups_hidden;
            let _ = writeln!(
                out,
                "<h2>Findings: {} of auth failures, most important first</h2>",
                counted(Thousands((o.groups.len() + hidden) as u64), "group")
            );
        }
        for g in &o.groups {
            self.group(out, g);
        }
        if let Some(hidden) = o.hidden_text() {
            let _ = writeln!(
                out,
                "<p class=\"muted\">… {hidden}: <code>--limit 0</code> shows them all.</p>"
            );
        }
        if !o.patterns.is_empty() {
            out.push_str("<h2>Across files</h2>\n");
            for p in &o.patterns {
                self.pattern(out, p);
            }
            if let Some(hidden) = o.patterns_hidden_text() {
                let _ = writeln!(
                    out,
                    "<p class=\"muted\">… {hidden}: <code>--limit 0</code> shows them all.</p>"
                );
            }
        }
        out.push_str("</section>\n");
    }

    /// A grouped finding: cause and count, who did what from where, when,
    /// and a sample's evidence.
    fn group(&self, out: &mut String, g: &FindingGroup) {
        let title = match g.title.as_str() {
            "" => "a failure no rule explains".to_string(),
            t => self.text(t),
        };
        let severity = g.severity.map_or("unexplained", |s| s.as_str());
        let _ = writeln!(
            out,
            "<article class=\"{severity}\">\n<h3><span class=\"bad\">✖</span> <code>{}</code> ×{} {title} <small>[{severity}]</small></h3>\n<dl>",
            self.text(&g.cause),
            Thousands(g.count)
        );
        let _ = writeln!(
            out,
            "<dt>who</dt><dd class=\"mono\">{}</dd>\n<dt>did</dt><dd><span class=\"mono\">{}</span> from <span class=\"mono\">{}</span></dd>\n<dt>when</dt><dd>{}</dd>",
            self.text(&g.principal),
            self.text(&g.action),
            self.text(&g.source),
            overview::when(g)
        );
        let _ = write!(
            out,
            "<dt>e.g.</dt><dd><span class=\"mono\">{}</span>, {}",
            self.text(&g.first.path),
            self.text(&g.first.event)
        );
        self.evidence(out, &[(g.first.line, &g.evidence)]);
        out.push_str("</dd>\n</dl>\n</article>\n");
    }

    /// A finding across files: what, when, in common, first and last.
    fn pattern(&self, out: &mut String, p: &ArchiveFinding) {
        let time = |t: Option<i64>| t.map(iso).unwrap_or_else(|| "?".to_string());
        let _ = writeln!(
            out,
            "<article class=\"medium\">\n<h3>{} <small>({}, {} to {})</small></h3>\n<p>{}</p>",
            self.text(&p.title),
            p.kind,
            time(p.first_seen),
            time(p.last_seen),
            self.text(&p.detail)
        );
        let lines: Vec<String> = ["first", "last"]
            .iter()
            .zip(&p.evidence)
            .map(|(label, e)| format!("{label} {} {}", e.path, e.event))
            .collect();
        let lines: Vec<(usize, &str)> = lines.iter().map(|l| (0, l.as_str())).collect();
        self.evidence(out, &lines);
        out.push_str("</article>\n");
    }

    /// The version of authsift and of the rules, and what was redacted.
    fn footer(&self, out: &mut String) {
        let sources: Vec<String> = self
            .options
            .rules
            .sources
            .iter()
            .map(|s| self.text(s))
            .collect();
        let _ = writeln!(
            out,
            "<footer>Generated by authsift {VERSION} with rule set <code>{}</code> ({}). {}</footer>",
            escape(&self.options.rules.version()),
            sources.join(", "),
            if self.options.redactor.mask_key_ids {
                "Secret keys, session tokens, passwords and signatures are redacted; access key ids are masked to prefix and last four."
            } else {
                "Secret keys, session tokens, passwords and signatures are redacted; access key ids are shown in full (<code>--no-redact</code>)."
            }
        );
    }
}

/// Escapes what HTML acts on in text and in double- or single-quoted
/// attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_html_acts_on() {
        assert_eq!(
            escape(r#""><img src=x onerror='a()'> & <script>"#),
            "&quot;&gt;&lt;img src=x onerror=&#39;a()&#39;&gt; &amp; &lt;script&gt;"
        );
    }

    #[test]
    fn only_web_references_are_links() {
        let options = RenderOptions::default();
        let page = Page { options: &options };
        assert!(
            page.link("https://docs.aws.amazon.com/x")
                .starts_with("<a href=\"https://")
        );
        assert_eq!(page.link("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(
            page.link("https://x\" onclick=\"a()"),
            "https://x&quot; onclick=&quot;a()"
        );
    }
}
