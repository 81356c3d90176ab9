//! Findings → output. Every renderer redacts (through `redact`, the one
//! redaction policy); text bound for a terminal is also sanitised
//! (`terminal`). Renderers are pure: the same report and options give the
//! same bytes, whatever the thread count; wall-clock time appears only when
//! the user asks for it (`--timestamp`, `RenderOptions::now`).

pub mod fields;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod markdown;
pub mod ocsf;
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
    /// One compact document, schema `authsift/1` (docs/schema/authsift.schema.json).
    Json,
    /// One finding a line, Elastic Common Schema names (docs/schema/authsift-jsonl.schema.json).
    Jsonl,
    /// One OCSF 1.1.0 Detection Finding (class 2004) a line.
    Ocsf,
    /// A summary table, one row per finding.
    Table,
    /// A ticket attachment (GitHub/GitLab Markdown).
    Markdown,
}

/// How to render: redaction policy, colour, and what the report says
/// about the run itself.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub redactor: redact::Redactor,
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

    pub fn references(&self, rule: &str) -> &[String] {
        self.references.get(rule).map_or(&[], Vec::as_slice)
    }
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

/// The wall-clock time, for `--timestamp` only.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// On-disk sizes of the inputs that are files, by the path reports show.
pub fn input_sizes(
    sources: &[Result<crate::input::Source, crate::input::InputError>],
) -> BTreeMap<String, u64> {
    sources
        .iter()
        .filter_map(|s| match s {
            Ok(source @ crate::input::Source::File(path)) => std::fs::metadata(path)
                .ok()
                .map(|m| (source.label(), m.len())),
            _ => None,
        })
        .collect()
}

/// `-o FILE`: writes the results to a file; exit code 2 when it cannot.
pub fn write_file(path: &std::path::Path, text: &str) -> u8 {
    match write_whole(path, text) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!(
                "authsift: writing {}: {e}",
                terminal::sanitize(&path.display().to_string())
            );
            2
        }
    }
}

/// Writes `text` to a temporary file beside `path` and renames it into
/// place once complete: an interrupted run, or a full disk, never leaves a
/// half report over an old one. Devices and pipes (`/dev/stdout`, a FIFO)
/// cannot be renamed over and are written in place. A replaced file keeps
/// its permissions; a new one gets the usual 0644.
fn write_whole(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        return std::fs::write(path, text);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".authsift-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.flush()?;
    match existing {
        Some(meta) => file.as_file().set_permissions(meta.permissions())?,
        None => set_new_file_mode(file.as_file())?,
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn set_new_file_mode(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_new_file_mode(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

pub fn render(report: &Report, format: OutputFormat, options: &RenderOptions) -> String {
    match format {
        OutputFormat::Human => human::render(report, options),
        OutputFormat::Json => json::render(report, options),
        OutputFormat::Jsonl => jsonl::render(report, options),
        OutputFormat::Ocsf => ocsf::render(report, options),
        OutputFormat::Table => table::render(report, options),
        OutputFormat::Markdown => markdown::render(report, options),
    }
}
