//! The default output: a verdict that reads like a colleague's answer.
//!
//! Per input: the verdict line first, then the evidence with line numbers,
//! the explanation and the fix. Every input-derived string is redacted,
//! then sanitised for the terminal.

use std::fmt::Write;

use rayon::prelude::*;

use super::RenderOptions;
use crate::facts::Fact;
use crate::finding::Finding;
use crate::outcome::{InputReport, Report};
use crate::text::{Thousands, counted};
use crate::trail::summary::FindingGroup;

use super::fields::iso;
use super::overview::Overview;

/// Evidence lines longer than this are cut in the terminal (JSON keeps them).
const MAX_EVIDENCE_CHARS: usize = 220;
const LABEL_WIDTH: usize = 10;

struct Style {
    color: bool,
}

/// Text in a style, written straight into the output: a big log's report
/// has hundreds of thousands of labels, and a `String` each adds up.
struct Painted<'a> {
    code: &'static str,
    text: &'a str,
    width: usize,
    color: bool,
}

impl std::fmt::Display for Painted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let width = self.width;
        if self.color {
            write!(f, "\x1b[{}m{:<width$}\x1b[0m", self.code, self.text)
        } else {
            write!(f, "{:<width$}", self.text)
        }
    }
}

impl Style {
    fn paint<'a>(&self, code: &'static str, text: &'a str, width: usize) -> Painted<'a> {
        Painted {
            code,
            text,
            width,
            color: self.color,
        }
    }
    fn bad<'a>(&self, t: &'a str) -> Painted<'a> {
        self.paint("1;31", t, 0)
    }
    fn good<'a>(&self, t: &'a str) -> Painted<'a> {
        self.paint("1;32", t, 0)
    }
    fn label<'a>(&self, t: &'a str) -> Painted<'a> {
        self.paint("2", t, LABEL_WIDTH)
    }
    fn strong<'a>(&self, t: &'a str) -> Painted<'a> {
        self.paint("1", t, 0)
    }
}

/// Input-derived text for the terminal: redacted, then sanitised.
fn cleaner(options: &RenderOptions) -> impl Fn(&str) -> String + Sync + '_ {
    |s: &str| {
        let redacted = options.redactor.text(s);
        super::terminal::sanitize(&redacted).into_owned()
    }
}

/// A verdict per incident, for a person at a terminal.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let style = Style {
        color: options.color,
    };
    let clean = cleaner(options);
    let mut out = String::new();
    let summary = report.summary();
    // Event inputs are summarised together, after the logs: one line per
    // clean file would bury the few that matter.
    let summarised =
        |i: &InputReport| summary.is_some() && (i.is_event_input() || i.skipped().is_some());
    for input in report.inputs.iter().filter(|i| !summarised(i)) {
        render_input(&mut out, input, &style, &clean);
    }
    if let Some(summary) = &summary {
        let overview = Overview::of(report, summary, options.limit());
        render_overview(&mut out, &overview, &style, &clean);
        // Batch rules' findings over one input's events.
        for input in report.inputs.iter().filter(|i| i.is_event_input()) {
            let path = clean(&input.path);
            for f in input.findings.iter().filter(|f| f.batch.is_some()) {
                render_batch(&mut out, &path, f, &style, &clean);
            }
        }
    }
    out
}

/// Width of the overview's labels.
const OVERVIEW_LABEL: usize = 13;

/// Longest value shown in a breakdown (user agents run long).
const MAX_VALUE_CHARS: usize = 90;

/// The event inputs, summary first, then their grouped findings and the
/// patterns across files (`report::overview`).
fn render_overview(
    out: &mut String,
    o: &Overview<'_>,
    style: &Style,
    clean: &(dyn Fn(&str) -> String + Sync),
) {
    let s = o.summary;
    let label = |t| style.paint("2", t, OVERVIEW_LABEL);
    let span = match (s.first_seen, s.last_seen) {
        (Some(a), Some(b)) => format!(", {} to {}", iso(a), iso(b)),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{} in {}{span}",
        style.strong(&counted(Thousands(s.events), "event")),
        counted(Thousands(o.files as u64), "file"),
    );
    let _ = writeln!(out, "  {}{}", label("files"), o.files_text());
    let failures = o.failures_text();
    let mark = match o.auth_failures {
        0 => style.good("✔"),
        _ => style.bad("✖"),
    };
    let _ = writeln!(out, "  {}{mark} {failures}", label("failures"));
    for (name, text) in o.apart(&|code| clean(code)) {
        let _ = writeln!(out, "  {}{text}", label(name));
    }
    if o.cloudtrail {
        let _ = writeln!(out, "  {}{}", label("note"), *crate::trail::NOT_RECORDED);
    }
    out.push('\n');
    for top in &o.tops {
        let width = top
            .values
            .iter()
            .map(|(_, n)| Thousands(*n).to_string().len())
            .max();
        for (i, (value, n)) in top.values.iter().enumerate() {
            let name = if i == 0 { top.label } else { "" };
            let value = cut(&clean(value));
            let n = Thousands(*n).to_string();
            let _ = writeln!(
                out,
                "  {}{n:>w$}  {value}",
                label(name),
                w = width.unwrap_or(0)
            );
        }
        if top.more > 0 {
            let _ = writeln!(out, "  {}… {} more", label(""), top.more);
        }
    }
    if let Some(spark) = &o.sparkline {
        let _ = writeln!(
            out,
            "  {}│{}│ {} to {}, {} h a column, peak {}",
            label("per hour"),
            spark.bars,
            iso(spark.start),
            iso(spark.end),
            spark.hours,
            Thousands(spark.peak)
        );
    }
    if !o.groups.is_empty() {
        let (hidden, _) = o.groups_hidden;
        let _ = writeln!(
            out,
            "\n{}\n",
            style.strong(&format!(
                "Findings: {} of auth failures, most important first",
                counted(Thousands((o.groups.len() + hidden) as u64), "group")
            ))
        );
    }
    for g in &o.groups {
        render_group(out, g, style, clean);
    }
    if let Some(hidden) = o.hidden_text() {
        let _ = writeln!(out, "… {hidden}: --limit 0 shows them all\n");
    }
    if !o.patterns.is_empty() {
        out.push_str(&super::summary::patterns(&o.patterns, clean));
        if let Some(hidden) = o.patterns_hidden_text() {
            let _ = writeln!(out, "\n… {hidden}: --limit 0 shows them all");
        }
        out.push('\n');
    }
}

/// One grouped finding: cause and count, who did what from where, when,
/// and a sample's evidence.
fn render_group(
    out: &mut String,
    g: &FindingGroup,
    style: &Style,
    clean: &(dyn Fn(&str) -> String + Sync),
) {
    let title = match g.title.as_str() {
        "" => "a failure no rule explains".to_string(),
        t => clean(t),
    };
    let severity = g.severity.map_or("unexplained", |s| s.as_str());
    let _ = writeln!(
        out,
        "{} {} ×{}  {title}   [{severity}]",
        style.bad("✖"),
        style.strong(&g.cause),
        Thousands(g.count),
    );
    let _ = writeln!(out, "    {}{}", style.label("who"), clean(&g.principal));
    let _ = writeln!(
        out,
        "    {}{}   from {}",
        style.label("did"),
        clean(&g.action),
        clean(&g.source)
    );
    let when = super::overview::when(g);
    let _ = writeln!(out, "    {}{when}", style.label("when"));
    let place = match g.first.line {
        0 => clean(&g.first.path),
        n => format!("{} line {n}", clean(&g.first.path)),
    };
    let _ = writeln!(
        out,
        "    {}{place}: {}\n",
        style.label("e.g."),
        evidence_text(&g.evidence, clean)
    );
}

/// A value cut to [`MAX_VALUE_CHARS`].
fn cut(value: &str) -> String {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((i, _)) => format!("{}…", &value[..i]),
        None => value.to_string(),
    }
}

fn render_input(
    out: &mut String,
    input: &InputReport,
    style: &Style,
    clean: &(dyn Fn(&str) -> String + Sync),
) {
    let path = clean(&input.path);
    // Unreadable inputs are reported on stderr, not in the results.
    if !input.errors.is_empty() {
        return;
    }
    if input.findings.is_empty() {
        let (wording, note) = super::fields::no_failure(input);
        let mark = match input.has_unexplained_failure() {
            true => style.bad("✖"),
            false => style.good("✔"),
        };
        let _ = writeln!(
            out,
            "{mark} {path}: {wording} ({})",
            counted(input.records, "record")
        );
        if let Some(note) = note {
            let _ = writeln!(out, "  note: {note}");
        }
        for u in &input.unclassified {
            let _ = writeln!(
                out,
                "  ? a failure no rule explains, line {}: {}",
                u.line,
                evidence_text(&u.text, clean)
            );
        }
        out.push('\n');
        return;
    }
    render_single(out, input, &path, style, clean);
    // Batch findings (many incidents) come last.
    for f in input.findings.iter().filter(|f| f.batch.is_some()) {
        render_batch(out, &path, f, style, clean);
    }
}

/// The blocks of an input's incidents that arrived so far, for stdin
/// analysed as it arrives: the same blocks, byte for byte, that begin the
/// input's part of [`render`] once the whole input is in.
pub fn render_incidents(input: &InputReport, options: &RenderOptions) -> String {
    let style = Style {
        color: options.color,
    };
    let clean = cleaner(options);
    let mut out = String::new();
    render_single(&mut out, input, &clean(&input.path), &style, &clean);
    out
}

/// Findings grouped by incident, the first of each its verdict. A big log
/// has thousands of incidents: they are rendered in parallel and joined
/// in order.
fn render_single(
    out: &mut String,
    input: &InputReport,
    path: &str,
    style: &Style,
    clean: &(dyn Fn(&str) -> String + Sync),
) {
    let single: Vec<&Finding> = input
        .findings
        .iter()
        .filter(|f| f.batch.is_none())
        .collect();
    let incidents: Vec<&[&Finding]> = single.chunk_by(|a, b| a.incident == b.incident).collect();
    let rendered: Vec<String> = incidents
        .par_iter()
        .map(|findings| {
            let mut text = String::new();
            render_incident(&mut text, path, findings, style, clean);
            text
        })
        .collect();
    out.reserve(rendered.iter().map(String::len).sum());
    out.extend(rendered);
    // After every block: stdin's blocks, shown as they came, stay the
    // beginning of the report.
    for r in &input.repeated {
        let at = input
            .findings
            .iter()
            .find(|f| f.incident == r.incident)
            .and_then(|f| f.headline.as_ref())
            .map_or(String::new(), |h| format!(" at line {}", h.line));
        let _ = writeln!(
            out,
            "{} {} more like the failure{at} ({path}), the last at line {}: counted, not listed\n",
            style.bad("✖"),
            r.more,
            r.last_line
        );
    }
}

fn render_batch(
    out: &mut String,
    path: &str,
    f: &Finding,
    style: &Style,
    clean: &(dyn Fn(&str) -> String + Sync),
) {
    let Some(batch) = &f.batch else { return };
    let when = |t: i64| {
        crate::time::format_iso8601(t)
            .replace('T', " ")
            .trim_end_matches('Z')
            .to_string()
    };
    let _ = writeln!(
        out,
        "{} {}   ({path})\n",
        style.bad("▲"),
        style.strong(&f.title)
    );
    let _ = writeln!(
        out,
        "  {}[{}, {}]",
        style.label("rule"),
        f.rule,
        f.severity.as_str()
    );
    let group: Vec<String> = batch
        .group
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(
        out,
        "  {}{}",
        style.label("group"),
        clean(&group.join(", "))
    );
    let _ = writeln!(
        out,
        "  {}{}, {} to {} (log clock)",
        style.label("count"),
        counted(batch.count, "event"),
        when(batch.first_seen),
        when(batch.last_seen)
    );
    render_evidence(out, f, style, clean);
    let _ = writeln!(out, "  {}{}", style.label("why"), clean(&f.explanation));
    render_fix(out, f, style, clean);
    for (i, limit) in super::not_checked::of(f).iter().enumerate() {
        let label = if i == 0 { "unchecked" } else { "" };
        let _ = writeln!(out, "  {}{}", style.label(label), clean(limit));
    }
    out.push('\n');
}

/// The evidence lines, numbered, redacted and cut for the terminal.
fn render_evidence(
    out: &mut String,
    f: &Finding,
    style: &Style,
    clean: &(dyn Fn(&str) -> String + Sync),
) {
    for (i, e) in f.evidence.iter().enumerate() {
        let label = if i == 0 { "evidence" } else { "" };
        let _ = writeln!(
            out,
            "  {}{:<9} {}",
            style.label(label),
            match e.line {
                0 => String::new(),
                n => format!("line {n}"),
            },
            evidence_text(&e.text, clean)
        );
    }
}

/// The fix steps, numbered.
fn render_fix(
    out: &mut String,
    f: &Finding,
    style: &Style,
    clean: &(dyn Fn(&str) -> String + Sync),
) {
    for (i, step) in f.fix.iter().enumerate() {
        let label = if i == 0 { "fix" } else { "" };
        let _ = writeln!(out, "  {}{}. {}", style.label(label), i + 1, clean(step));
    }
}

fn render_incident(
    out: &mut String,
    path: &str,
    findings: &[&Finding],
    style: &Style,
    clean: &(dyn Fn(&str) -> String + Sync),
) {
    let f = &findings[0];
    let what = f
        .facts
        .str(Fact::ErrorCode)
        .or(f.facts.str(Fact::ErrorKind))
        .unwrap_or("failure");
    let operation = f
        .facts
        .str(Fact::ErrorOperation)
        .or(f.facts.str(Fact::RequestOperation));
    let on = match (f.facts.str(Fact::RequestService), operation) {
        (Some(s), Some(o)) => format!(" on {s}:{o}"),
        (None, Some(o)) => format!(" on {o}"),
        _ => String::new(),
    };
    // A CI log names the step the failure happened in.
    let step = f
        .facts
        .str(Fact::CiStep)
        .map_or(String::new(), |s| format!(", step \"{}\"", clean(s)));
    // Line 0 is no line of the input (a flag): the input alone.
    let location = match &f.headline {
        Some(h) if h.line > 0 => format!("({path}, line {}{step})", h.line),
        _ => format!("({path}{step})"),
    };
    let _ = writeln!(
        out,
        "{} {}   {location}\n",
        style.bad("✖"),
        style.strong(&clean(&format!("{what}{on}")))
    );
    let _ = writeln!(
        out,
        "  {}{}   [{}, {}]",
        style.label("cause"),
        f.title,
        f.rule,
        f.severity.as_str()
    );
    render_evidence(out, f, style, clean);
    for (i, d) in f.signature_diff.iter().enumerate() {
        let label = if i == 0 { "differs" } else { "" };
        let _ = writeln!(out, "  {}{}", style.label(label), clean(&d.component));
        let pad = " ".repeat(LABEL_WIDTH + 4);
        for line in crate::sigv4::show::difference_lines(d, clean) {
            let _ = writeln!(out, "{pad}{line}");
        }
    }
    let _ = writeln!(out, "  {}{}", style.label("why"), clean(&f.explanation));
    render_fix(out, f, style, clean);
    for (i, limit) in super::not_checked::of(f).iter().enumerate() {
        let label = if i == 0 { "unchecked" } else { "" };
        let _ = writeln!(out, "  {}{}", style.label(label), clean(limit));
    }
    if findings.len() > 1 {
        let others: Vec<&str> = findings[1..].iter().map(|f| f.rule.as_str()).collect();
        let _ = writeln!(out, "  {}{}", style.label("also"), others.join(", "));
    }
    out.push('\n');
}

/// Characters past the display cut that are still redacted, so a secret
/// straddling the cut is recognised whole (and hidden) before it is cut.
/// The longest fixed-size secret shape is 40 characters; longer ones
/// (tokens) are recognised from any 100-character run.
const REDACTION_MARGIN: usize = 200;

/// An evidence line for the terminal: redacted with a margin, then cut.
/// The margin ends at whitespace, never inside a word: a secret cut there
/// would be too short to recognise, and once redaction had shortened the
/// text before it, the display cut would show it.
fn evidence_text(text: &str, clean: &(dyn Fn(&str) -> String + Sync)) -> String {
    let text = text.trim_end();
    let head = match text
        .char_indices()
        .nth(MAX_EVIDENCE_CHARS + REDACTION_MARGIN)
    {
        Some((i, _)) => match text[i..].find(|c: char| c.is_ascii_whitespace()) {
            Some(space) => &text[..i + space],
            None => text,
        },
        None => text,
    };
    truncate(&clean(head))
}

fn truncate(text: &str) -> String {
    let text = text.trim_end();
    match text.char_indices().nth(MAX_EVIDENCE_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::redact::Redactor;

    /// A secret straddling the redaction margin, after a token that
    /// redaction shortens: the display cut used to show 20 of its 40
    /// characters.
    #[test]
    fn a_secret_at_the_margin_is_never_shown_in_part() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let token = "Ab1/".repeat(75);
        let mut line = format!("{token} ");
        while line.len() < MAX_EVIDENCE_CHARS + REDACTION_MARGIN - 20 {
            line.push_str("word ");
        }
        line.push_str(secret);
        line.push_str(" tail");
        let redactor = Redactor::default();
        let clean = |s: &str| redactor.text(s).into_owned();
        let shown = evidence_text(&line, &clean);
        assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
        assert!(shown.contains("word"), "{shown}");
    }
}
