//! Findings → output. Every renderer redacts; terminal output is sanitised.

pub mod human;
pub mod json;
pub mod redact;
pub mod terminal;

use serde::Serialize;

use crate::finding::Finding;
use crate::formats::Format;
use crate::model::EvidenceLine;

/// What authsift concluded about one input.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    pub path: String,
    pub format: Option<Format>,
    /// Log records (or lines) read.
    pub records: usize,
    pub findings: Vec<Finding>,
    /// Failures seen that no rule explains (the line that shows each).
    pub unclassified: Vec<EvidenceLine>,
    /// Why the input could not be read, if it could not.
    pub errors: Vec<String>,
}

impl InputReport {
    pub fn failed(path: String, error: String) -> Self {
        InputReport {
            path,
            format: None,
            records: 0,
            findings: Vec::new(),
            unclassified: Vec::new(),
            errors: vec![error],
        }
    }
}

/// Everything one run of authsift found, inputs in command-line order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub inputs: Vec<InputReport>,
}

impl Report {
    /// 0: analysis ran, no failure · 1: a failure was classified ·
    /// 2: an input could not be read (findings of the others still count).
    pub fn exit_code(&self) -> i32 {
        if self.inputs.iter().any(|i| !i.errors.is_empty()) {
            2
        } else if self.inputs.iter().any(|i| !i.findings.is_empty()) {
            1
        } else {
            0
        }
    }
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

/// How to render: redaction policy and colour.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub redactor: redact::Redactor,
    pub color: bool,
}

/// The rules in force as a terminal table.
pub fn rules_table(set: &crate::rules::RuleSet) -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(["rule", "severity", "priority", "title", "defined in"]);
    for r in set.rules() {
        table.add_row([
            r.id.clone(),
            r.severity.as_str().to_string(),
            r.priority.to_string(),
            r.title.clone(),
            format!("{}:{}", r.origin.file, r.origin.line),
        ]);
    }
    format!("{table}\n")
}

/// `authsift explain`: a rule by id, or an error code with the rules that
/// name it. `None` when the rules know neither.
pub fn explain(set: &crate::rules::RuleSet, what: &str) -> Option<String> {
    use std::fmt::Write;
    let mut out = String::new();
    let describe = |out: &mut String, r: &crate::rules::Rule| {
        let _ = writeln!(
            out,
            "{}  [{}, priority {}]",
            r.id,
            r.severity.as_str(),
            r.priority
        );
        let _ = writeln!(out, "  {}", r.title);
        for e in r.explain_sources() {
            let _ = writeln!(out, "  why: {e}");
        }
        for (i, f) in r.fix.iter().enumerate() {
            let _ = writeln!(out, "  fix {}. {}", i + 1, f.source());
        }
        for s in &r.see {
            let _ = writeln!(out, "  see: {s}");
        }
    };
    if let Some(rule) = set.rule(what) {
        describe(&mut out, rule);
        return Some(out);
    }
    let rules: Vec<&crate::rules::Rule> = set
        .rules()
        .iter()
        .filter(|r| r.codes().iter().any(|c| c == what))
        .collect();
    let description = set.code_description(what);
    if rules.is_empty() && description.is_none() {
        return None;
    }
    let _ = writeln!(out, "{what}");
    if let Some(d) = description {
        let _ = writeln!(out, "  {d}");
    }
    if !rules.is_empty() {
        let _ = writeln!(
            out,
            "\nLikely causes, most likely first (the log decides between them):\n"
        );
        for r in rules {
            describe(&mut out, r);
            out.push('\n');
        }
    }
    Some(out)
}

pub fn render(report: &Report, format: OutputFormat, options: &RenderOptions) -> String {
    match format {
        OutputFormat::Human => human::render(report, options),
        OutputFormat::Json => json::render(report, &options.redactor),
    }
}
