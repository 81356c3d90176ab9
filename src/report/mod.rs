//! Findings → output. Every renderer redacts (through `redact`, the one
//! redaction policy); text bound for a terminal is also sanitised
//! (`terminal`). Renderers are pure: the same report and options give the
//! same bytes, whatever the thread count; wall-clock time appears only when
//! the user asks for it (`--timestamp`, `RenderOptions::now`).

pub mod fields;
pub mod fit;
pub mod grouped;
pub mod html;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod markdown;
pub mod not_checked;
pub mod ocsf;
pub mod overview;
pub mod partial;
// Not yet documented item by item (owned by parallel work).
#[allow(missing_docs)]
pub mod redact;
pub mod summary;
pub mod table;
pub mod terminal;

use std::collections::BTreeMap;
use std::path::PathBuf;

// The reports themselves live in `outcome`, below both the analysis that
// builds them and the renderers here; re-exported under their old path.
pub use crate::outcome::{InputReport, Report};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A verdict per incident, for people at a terminal.
    Human,
    /// One compact document, schema `authsift/1` (`authsift schema json`).
    Json,
    /// One finding a line, an Elastic Common Schema 9.4.0 document (`authsift schema jsonl`,
    /// docs/siem-mapping.md).
    Jsonl,
    /// One OCSF 1.1.0 Detection Finding (class 2004) a line (docs/siem-mapping.md).
    Ocsf,
    /// A summary table, one row per finding.
    Table,
    /// A ticket attachment (GitHub/GitLab Markdown).
    Markdown,
    /// One self-contained page (inline CSS and SVG, no script): the
    /// summary, a timeline and charts of event inputs, and the verdicts.
    Html,
    /// A partial summary of event inputs, for `authsift merge` (versioned
    /// JSON, schema `authsift-summary`).
    Summary,
}

/// How to render: redaction policy, colour, and what the report says
/// about the run itself.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// What to hide and mask (every format redacts).
    pub redactor: redact::Redactor,
    /// ANSI colour in human output (decided by the app, once).
    pub color: bool,
    /// The run's wall-clock time (epoch seconds), only with `--timestamp`:
    /// without it output depends on the input alone.
    pub now: Option<i64>,
    /// Width of the terminal or `COLUMNS`, for the table (default 120).
    pub width: Option<u16>,
    /// The rules in force: their sources and digest, and each rule's references.
    pub rules: RulesInfo,
    /// Sizes of the inputs in bytes, by the path the report names them with
    /// (files only; stdin has none).
    pub sizes: BTreeMap<String, u64>,
    /// `--events`: OCSF output also writes each failed CloudTrail event, and
    /// JSON Lines each failed event's verdict
    /// (the other formats ignore it).
    pub events: bool,
    /// `--limit`: grouped findings of event inputs shown by the human,
    /// Markdown and HTML reports; `None` for [`overview::DEFAULT_LIMIT`], `Some(0)`
    /// for all.
    pub limit: Option<usize>,
}

impl RenderOptions {
    /// The grouped findings to show, `0` for all.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(overview::DEFAULT_LIMIT)
    }
}

/// What reports say about the rules in force.
#[derive(Debug, Clone, Default)]
pub struct RulesInfo {
    /// Rule files in load order (`<built-in>/default.rules`, `team.rules`).
    pub sources: Vec<String>,
    /// SHA-256 of the sources' text, in order: the rule-set version.
    pub sha256: String,
    /// Each rule's `see` references.
    pub references: BTreeMap<String, Vec<String>>,
}

impl RulesInfo {
    /// Describes `set`, loaded from the built-in rules (when `defaults`) and
    /// `files` (read again to hash them; they were just read to load).
    pub fn new(set: &crate::rules::RuleSet, defaults: bool, files: &[PathBuf]) -> RulesInfo {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        let mut sources = Vec::new();
        if defaults {
            hash.update(crate::rules::DEFAULT_RULES.as_bytes());
            sources.push(crate::rules::DEFAULT_RULES_NAME.to_string());
        }
        for file in files {
            hash.update(b"\0");
            hash.update(std::fs::read(file).unwrap_or_default());
            sources.push(file.display().to_string());
        }
        RulesInfo {
            sources,
            sha256: fields::hex(&hash.finalize()),
            references: set
                .rules()
                .iter()
                .map(|r| (r.id.clone(), r.see.clone()))
                .collect(),
        }
    }

    /// `sha256:0123456789ab`, short enough to quote.
    pub fn version(&self) -> String {
        match self.sha256.get(..12) {
            Some(short) => format!("sha256:{short}"),
            None => "unknown".to_string(),
        }
    }

    /// A rule's `see` references (none for an unknown id).
    pub fn references(&self, rule: &str) -> &[String] {
        self.references.get(rule).map_or(&[], Vec::as_slice)
    }
}

/// The wall-clock time, for `--timestamp` only.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The run's clock for a record the input gives no time (SIEM formats need
/// one on every record): `--timestamp`'s, else `SOURCE_DATE_EPOCH` (the
/// reproducible-builds convention, so such output can be made
/// byte-for-byte repeatable), else the wall clock. Read once per render.
pub fn run_clock(options: &RenderOptions) -> i64 {
    options.now.unwrap_or_else(|| {
        std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(now)
    })
}

/// Renders `report` in `format`: the whole output, as text. The formats
/// that stream ([`Streamed`]) are the pieces a run writes as inputs finish, put
/// together.
pub fn render(report: &Report, format: OutputFormat, options: &RenderOptions) -> String {
    match format {
        OutputFormat::Human => human::render(report, options),
        OutputFormat::Json => json::render(report, options),
        OutputFormat::Jsonl => jsonl::render(report, options),
        OutputFormat::Ocsf => ocsf::render(report, options),
        OutputFormat::Table => table::render(report, options),
        OutputFormat::Markdown => markdown::render(report, options),
        OutputFormat::Html => html::render(report, options),
        OutputFormat::Summary => partial::render(report, options),
    }
}

/// A format written as inputs finish: what comes before the first input,
/// each input's part (in input order, [`Streamed::joiner`] between), and
/// what comes after the last, once the summary of every input is known.
/// Only the part of the inputs not yet written is ever in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streamed {
    /// `--format json`: the document's `inputs` one by one.
    Json,
    /// `--format jsonl`.
    Jsonl,
    /// `--format ocsf`.
    Ocsf,
}

impl Streamed {
    /// `format` as it streams, if it does; the others need the whole run
    /// (the human and Markdown reports open with the summary).
    pub fn of(format: OutputFormat) -> Option<Streamed> {
        match format {
            OutputFormat::Json => Some(Streamed::Json),
            OutputFormat::Jsonl => Some(Streamed::Jsonl),
            OutputFormat::Ocsf => Some(Streamed::Ocsf),
            _ => None,
        }
    }

    /// What comes before the first input.
    pub fn head(self, options: &RenderOptions) -> String {
        match self {
            Streamed::Json => json::head(options),
            Streamed::Jsonl | Streamed::Ocsf => String::new(),
        }
    }

    /// One input's part.
    pub fn input(self, input: &InputReport, options: &RenderOptions) -> String {
        match self {
            Streamed::Json => json::input(input, options),
            Streamed::Jsonl => jsonl::input(input, options),
            Streamed::Ocsf => ocsf::input(input, options),
        }
    }

    /// What goes between two inputs' parts.
    pub fn joiner(self) -> &'static str {
        match self {
            Streamed::Json => ",",
            Streamed::Jsonl | Streamed::Ocsf => "",
        }
    }

    /// What comes after the last input; `report` holds every input (their
    /// findings may be gone: they were written) and the merged summary.
    pub fn tail(self, report: &Report, options: &RenderOptions) -> String {
        match self {
            Streamed::Json => json::tail(report, options),
            Streamed::Jsonl => jsonl::tail(report, options),
            Streamed::Ocsf => ocsf::tail(report, options),
        }
    }
}
