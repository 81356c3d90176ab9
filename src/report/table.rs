//! `--format table`: a summary, one row per finding (a batch finding is one
//! row for its whole group), plus one row for each input without a failure.
//!
//! Event inputs (CloudTrail, S3 access logs) are summarised instead
//! (`report::summary`): totals and breakdowns, then only their batch
//! findings.
//!
//! Contract: columns `where` (input and line), `#` (incident, 1-based: the
//! verdict's row shows it plain, other causes that also match show it in
//! parentheses; `all` for a batch group), `failure`, `cause` (the rule id),
//! `severity`, `confidence` and `in words` (the rule's title). Below
//! `COMPACT_BELOW` columns there are four: `where`, `failure`, `cause`
//! (with severity and confidence; `also …` for a cause that is not the
//! incident's verdict) and `in words`. The table fits
//! `RenderOptions::width` (the terminal's width or `COLUMNS`; 120 when
//! neither is known): prose wraps at spaces, paths lose their start to
//! `…`, a word too long for its column its end (`report::fit`); ids and
//! levels stay whole while anything else can give way.
//! Every cell that carries input text is redacted, then sanitised for the
//! terminal. Unreadable inputs are reported on stderr, not here.

use comfy_table::Table;

use super::RenderOptions;
use super::fields::{self, iso};
use super::fit::{self, Column, Cut};
use crate::outcome::Report;
use crate::text::counted;

/// Width used when neither the terminal nor `COLUMNS` gives one.
pub const DEFAULT_WIDTH: u16 = 120;

/// Below this width the table has four columns instead of seven.
pub const COMPACT_BELOW: u16 = 100;

/// The width to fit: `COLUMNS` when set, else the terminal's when results
/// go to one (not with `-o FILE`), else `None` (the default width).
pub fn width(to_file: bool) -> Option<u16> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|c| *c >= 20)
    {
        return Some(columns);
    }
    if to_file {
        return None;
    }
    // comfy-table asks the terminal when stdout is one.
    Table::new().width()
}

/// One row per finding (event inputs summarised); see the module docs.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let clean = |s: &str| -> String {
        let redacted = options.redactor.text(s);
        super::terminal::sanitize(&redacted).into_owned()
    };
    let width = options.width.unwrap_or(DEFAULT_WIDTH);
    // Narrow terminals get fewer columns: severity and confidence join the
    // cause, the incident number goes.
    let compact = width < COMPACT_BELOW;
    let mut table: Vec<Vec<String>> = Vec::new();
    let add = |table: &mut Vec<Vec<String>>, row: [String; 7]| {
        if compact {
            let [location, _, failure, cause, severity, confidence, words] = row;
            let cause = if severity.is_empty() {
                cause
            } else {
                format!("{cause} ({severity}, {confidence} confidence)")
            };
            table.push(vec![location, failure, cause, words]);
        } else {
            table.push(row.to_vec());
        }
    };
    let mut rows = 0;
    for input in &report.inputs {
        if !input.errors.is_empty() {
            continue;
        }
        // Event inputs are summarised above; only their batch findings
        // (a whole group each) are listed.
        let summarised = input.summary.is_some();
        let path = clean(&input.path);
        if input.findings.is_empty() && summarised {
            continue;
        }
        if input.findings.is_empty() {
            rows += 1;
            add(
                &mut table,
                [
                    path,
                    String::new(),
                    super::fields::no_failure(input).0,
                    "ok".to_string(),
                    String::new(),
                    String::new(),
                    format!(
                        "{}, {}",
                        counted(input.records, "record"),
                        counted(input.unclassified.len(), "unexplained failure line")
                    ),
                ],
            );
            continue;
        }
        for ctx in fields::findings(input) {
            let f = ctx.finding;
            if summarised && f.batch.is_none() {
                continue;
            }
            rows += 1;
            let (number, failure, words) = match &f.batch {
                Some(b) => (
                    "all".to_string(),
                    format!("{} × {}", b.count, ctx.failure()),
                    format!(
                        "{} ({} to {}, log clock)",
                        f.title,
                        iso(b.first_seen),
                        iso(b.last_seen)
                    ),
                ),
                None if ctx.verdict => {
                    ((f.incident + 1).to_string(), ctx.failure(), f.title.clone())
                }
                None => (
                    format!("({})", f.incident + 1),
                    ctx.failure(),
                    f.title.clone(),
                ),
            };
            let location = match ctx.line() {
                Some(line) => format!("{path}:{line}"),
                None => path.clone(),
            };
            let cause = if compact && !ctx.verdict {
                format!("also {}", clean(&f.rule))
            } else {
                clean(&f.rule)
            };
            add(
                &mut table,
                [
                    location,
                    number,
                    clean(&failure),
                    cause,
                    f.severity.as_str().to_string(),
                    ctx.confidence().as_str().to_string(),
                    clean(&words),
                ],
            );
        }
    }
    // Ids and levels stay whole; prose and paths share what is left.
    let columns: &[Column<'_>] = if compact {
        &[
            Column::new("where", Cut::Start),
            Column::new("failure", Cut::Wrap),
            // The id, then its levels on the next line when narrow.
            Column::new("cause", Cut::Wrap),
            Column::new("in words", Cut::Wrap),
        ]
    } else {
        &[
            Column::new("where", Cut::Start),
            Column {
                header: "#",
                cut: Cut::Never,
                right: true,
            },
            Column::new("failure", Cut::Wrap),
            Column::new("cause", Cut::Never),
            Column::new("severity", Cut::Never),
            Column::new("confidence", Cut::Never),
            Column::new("in words", Cut::Wrap),
        ]
    };
    let table = fit::table(columns, table, Some(width));
    let summary = report.summary().map(|s| {
        let cloudtrail = report.inputs.iter().any(|i| i.is_trail());
        super::summary::render(&s, cloudtrail, width, &clean)
    });
    match (summary, rows) {
        (None, _) => format!("{table}\n"),
        (Some(summary), 0) => summary,
        (Some(summary), _) => format!("{summary}\n{table}\n"),
    }
}
