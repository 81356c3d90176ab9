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

pub fn render(report: &Report, format: OutputFormat, options: &RenderOptions) -> String {
    match format {
        OutputFormat::Human => human::render(report, options),
        OutputFormat::Json => json::render(report, &options.redactor),
    }
}
