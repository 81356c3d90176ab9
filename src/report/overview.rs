//! What the human and Markdown reports say about event inputs
//! (CloudTrail, S3 access logs), summary first: totals and time range,
//! failures by root cause, the busiest principals, keys, addresses, user
//! agents and regions, a failures-per-hour sparkline, then the grouped
//! findings, most important first, up to a limit.
//!
//! Everything here is read from the run's one
//! [`crate::trail::summary::Summary`] (the table renders the same
//! summary as tables); this module only chooses and orders what a person
//! reads first, so both text formats show the same thing.

use std::collections::BTreeMap;

use super::fields::iso;
use crate::outcome::Report;
use crate::text::{Thousands, counted};
use crate::trail::summary::{ArchiveFinding, FindingGroup, Summary};

/// Grouped findings (and patterns across files) shown when `--limit` is
/// not given: with the summary, a screen or two.
pub const DEFAULT_LIMIT: usize = 12;

/// Values shown per breakdown.
const TOP: usize = 3;

/// Widest sparkline, in characters (one per hour, or per a few hours).
const SPARK_WIDTH: i64 = 60;

/// The summary-first view of a run's event inputs.
pub struct Overview<'a> {
    /// The merged summary.
    pub summary: &'a Summary,
    /// Event inputs read (their events are in the summary).
    pub files: usize,
    /// Event inputs among them without an auth failure.
    pub clean_files: usize,
    /// CloudTrail digest and Insights files skipped.
    pub skipped_files: usize,
    /// Some events came from CloudTrail, which cannot show failed
    /// authentication: the report says so, once.
    pub cloudtrail: bool,
    /// Auth failures (not by AWS services, not other errors).
    pub auth_failures: u64,
    /// The root causes, then the busiest values of the other breakdowns.
    pub tops: Vec<Top<'a>>,
    /// Failures per hour, if any failure has a time.
    pub sparkline: Option<Sparkline>,
    /// The grouped findings shown, most important first.
    pub groups: Vec<&'a FindingGroup>,
    /// Groups not shown (over the limit), and their failures.
    pub groups_hidden: (usize, u64),
    /// Findings across files (a key failing again and again, …) shown.
    pub patterns: Vec<ArchiveFinding>,
    /// Patterns not shown (over the limit).
    pub patterns_hidden: usize,
}

/// The busiest values of one breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Top<'a> {
    /// What the values are (`principals`, `source IPs`, …).
    pub label: &'static str,
    /// Values and their failures, busiest first.
    pub values: Vec<(&'a str, u64)>,
    /// How many more values there are.
    pub more: usize,
}

/// Failures over time, in block characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sparkline {
    /// The first column's start, UTC epoch seconds.
    pub start: i64,
    /// The end of the last column.
    pub end: i64,
    /// Hours per column.
    pub hours: i64,
    /// One character per column: blank for none, `▁` to `█` by count.
    pub bars: String,
    /// The busiest column's failures.
    pub peak: u64,
}

impl<'a> Overview<'a> {
    /// The overview of `report`'s event inputs, whose merged summary is
    /// `summary`. `limit` caps the grouped findings and the patterns
    /// (`0`: all).
    pub fn of(report: &'a Report, summary: &'a Summary, limit: usize) -> Overview<'a> {
        let event_inputs = report.inputs.iter().filter(|i| i.is_event_input());
        let files = event_inputs.clone().count();
        let clean_files = event_inputs.filter(|i| i.auth_failures == 0).count();
        let limit = if limit == 0 { usize::MAX } else { limit };
        let ranked = summary.grouped.ranked();
        let hidden: u64 = ranked.iter().skip(limit).map(|g| g.count).sum();
        let hidden = (
            ranked.len().saturating_sub(limit),
            hidden + summary.grouped.not_kept().copied().unwrap_or(0),
        );
        let mut patterns = summary.findings();
        let patterns_hidden = patterns.len().saturating_sub(limit);
        patterns.truncate(limit);
        Overview {
            summary,
            files,
            clean_files,
            skipped_files: report
                .inputs
                .iter()
                .filter(|i| i.skipped().is_some())
                .count(),
            cloudtrail: report.inputs.iter().any(|i| i.is_trail()),
            auth_failures: summary.failures - summary.service_failures - summary.other_errors,
            tops: tops(summary, TOP),
            sparkline: sparkline(summary),
            groups: ranked.into_iter().take(limit).collect(),
            groups_hidden: hidden,
            patterns,
            patterns_hidden,
        }
    }

    /// The groups over the limit in words, if any was.
    pub fn hidden_text(&self) -> Option<String> {
        let (groups, failures) = self.groups_hidden;
        (groups > 0 || failures > 0).then(|| {
            format!(
                "{} more ({}) not shown",
                counted(Thousands(groups as u64), "group"),
                counted(Thousands(failures), "failure")
            )
        })
    }

    /// The patterns over the limit in words, if any was.
    pub fn patterns_hidden_text(&self) -> Option<String> {
        (self.patterns_hidden > 0)
            .then(|| format!("{} more not shown", Thousands(self.patterns_hidden as u64)))
    }

    /// The event inputs' files in words: without failures, with auth
    /// failures, skipped.
    pub fn files_text(&self) -> String {
        let mut files = vec![format!(
            "{} without failures",
            counted(Thousands(self.clean_files as u64), "file")
        )];
        if self.files > self.clean_files {
            files.push(format!(
                "{} with auth failures",
                Thousands((self.files - self.clean_files) as u64)
            ));
        }
        if self.skipped_files > 0 {
            files.push(format!(
                "{} skipped (CloudTrail digest or Insights)",
                Thousands(self.skipped_files as u64)
            ));
        }
        files.join(" · ")
    }

    /// What the totals count apart from the auth failures, labelled:
    /// other errors (with their busiest codes, each shown by `code`),
    /// failures of calls AWS services made, events met again.
    pub fn apart(&self, code: &dyn Fn(&str) -> String) -> Vec<(&'static str, String)> {
        let s = self.summary;
        let mut out = Vec::new();
        if s.other_errors > 0 {
            let codes: Vec<String> = s
                .by_other_error
                .ranked()
                .iter()
                .take(TOP)
                .map(|(c, n)| format!("{} {}", code(c), Thousands(*n)))
                .collect();
            out.push((
                "other errors",
                format!(
                    "{} apart, not auth failures: {}",
                    Thousands(s.other_errors),
                    codes.join(", ")
                ),
            ));
        }
        if s.service_failures > 0 {
            out.push((
                "by AWS",
                format!(
                    "{} of calls AWS services made on your behalf, left out below",
                    counted(Thousands(s.service_failures), "failure")
                ),
            ));
        }
        if s.duplicates > 0 {
            out.push((
                "duplicates",
                format!(
                    "{} met again (same eventID in several files, or twice in one), counted once",
                    counted(Thousands(s.duplicates), "event")
                ),
            ));
        }
        out
    }

    /// The auth failures in words: how many, and how many no rule
    /// explains. Without any, what CloudTrail's silence does not prove is
    /// said apart ([`crate::trail::NOT_RECORDED`]).
    pub fn failures_text(&self) -> String {
        let unexplained = self.auth_failures - self.summary.classified();
        let n = counted(Thousands(self.auth_failures), "auth failure");
        match (self.auth_failures, unexplained) {
            (0, _) => "no authorization failure of people or workloads recorded".to_string(),
            (_, 0) => format!("{n}, each explained by a rule"),
            (_, u) => format!("{n}; {} no rule explains", Thousands(u)),
        }
    }
}

/// When a group's failures happened: one time, or the first to the last.
pub fn when(g: &FindingGroup) -> String {
    match (g.first.time, g.last.time) {
        (Some(a), Some(b)) if a == b => iso(a),
        (Some(a), Some(b)) => format!("{} to {}", iso(a), iso(b)),
        _ => "no time recorded".to_string(),
    }
}

/// Every root cause, then the principals, access keys, source addresses,
/// user agents and regions of auth failures: the busiest `n` of each (the
/// text reports show three, the HTML report's charts more).
pub fn tops(summary: &Summary, n: usize) -> Vec<Top<'_>> {
    let mut principals: Vec<(&str, u64)> = summary
        .by_principal
        .iter()
        .filter(|(_, a)| a.failed > 0)
        .map(|(p, a)| (p.as_str(), a.failed))
        .collect();
    principals.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out = vec![("principals", principals)];
    let causes = Top {
        label: "root causes",
        values: summary.by_cause.ranked(),
        more: 0,
    };
    for (label, counts) in [
        ("access keys", &summary.by_access_key),
        ("source IPs", &summary.by_source_ip),
        ("user agents", &summary.by_user_agent),
        ("regions", &summary.by_region),
    ] {
        out.push((label, counts.ranked()));
    }
    let others = out.into_iter().map(|(label, mut values)| {
        let more = values.len().saturating_sub(n);
        values.truncate(n);
        Top {
            label,
            values,
            more,
        }
    });
    std::iter::once(causes)
        .chain(others)
        .filter(|top| !top.values.is_empty())
        .collect()
}

/// Failures per hour as a sparkline at most [`SPARK_WIDTH`] wide: over a
/// longer span, each character stands for several hours.
fn sparkline(summary: &Summary) -> Option<Sparkline> {
    let hours = &summary.failures_by_hour;
    let (first, per, columns) = columns(hours, SPARK_WIDTH)?;
    let mut counts = vec![0u64; columns as usize];
    for (hour, n) in hours {
        counts[((hour - first) / 3600 / per) as usize] += n;
    }
    let peak = counts.iter().copied().max().unwrap_or(0).max(1);
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let bars = counts
        .iter()
        .map(|&n| match n {
            0 => ' ',
            n => BLOCKS[((n * 8).div_ceil(peak) as usize).clamp(1, 8) - 1],
        })
        .collect();
    Some(Sparkline {
        start: first,
        end: first + columns * per * 3600,
        hours: per,
        bars,
        peak,
    })
}

/// The columns of a chart of `hours` (keyed by the hour's start) at most
/// `width` wide: the first hour, hours per column, columns. Over a span
/// longer than `width` hours each column stands for several.
fn columns<V>(hours: &BTreeMap<i64, V>, width: i64) -> Option<(i64, i64, i64)> {
    let (first, last) = (*hours.keys().next()?, *hours.keys().next_back()?);
    let span = (last - first) / 3600 + 1;
    let per = (span + width - 1) / width;
    Some((first, per, (span + per - 1) / per))
}

/// Failures over time by root cause, for a stacked chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline<'a> {
    /// The first column's start, UTC epoch seconds.
    pub start: i64,
    /// Hours per column.
    pub hours: i64,
    /// The root causes, busiest first: the order of the stacks (bottom
    /// up) and of the legend.
    pub causes: Vec<&'a str>,
    /// Per column, the failures of each cause (indexed as `causes`).
    pub columns: Vec<Vec<u64>>,
    /// The busiest column's failures.
    pub peak: u64,
}

impl Timeline<'_> {
    /// The end of the last column.
    pub fn end(&self) -> i64 {
        self.start + self.columns.len() as i64 * self.hours * 3600
    }
}

/// Failures per hour stacked by root cause, at most `width` columns; none
/// without a failure that has a time.
pub fn timeline(summary: &Summary, width: i64) -> Option<Timeline<'_>> {
    let by_hour = &summary.causes_by_hour;
    let (first, per, columns) = columns(by_hour, width)?;
    let mut causes: Vec<&str> = summary
        .by_cause
        .ranked()
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let mut counts = vec![vec![0u64; causes.len()]; columns as usize];
    for (hour, by_cause) in by_hour {
        let column = ((hour - first) / 3600 / per) as usize;
        for (cause, n) in by_cause {
            // A cause over `by_cause`'s limit of distinct values still
            // gets a stack of its own.
            let i = match causes.iter().position(|c| c == cause) {
                Some(i) => i,
                None => {
                    causes.push(cause);
                    counts.iter_mut().for_each(|c| c.push(0));
                    causes.len() - 1
                }
            };
            counts[column][i] += n;
        }
    }
    let peak = counts.iter().map(|c| c.iter().sum()).max().unwrap_or(0);
    Some(Timeline {
        start: first,
        hours: per,
        causes,
        columns: counts,
        peak,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_span_is_bucketed_and_blank_hours_stay_blank() {
        let mut s = Summary::default();
        // Hour 0: 8 failures, hour 2: 1, hour 119: 4 (120 hours: 2 a column).
        s.failures_by_hour.insert(0, 8);
        s.failures_by_hour.insert(2 * 3600, 1);
        s.failures_by_hour.insert(119 * 3600, 4);
        let spark = sparkline(&s).unwrap();
        assert_eq!(spark.hours, 2);
        assert_eq!(spark.bars.chars().count(), 60);
        assert_eq!(spark.peak, 8);
        let bars: Vec<char> = spark.bars.chars().collect();
        assert_eq!((bars[0], bars[1], bars[2], bars[59]), ('█', '▁', ' ', '▄'));
        assert_eq!(spark.end, 120 * 3600);
    }

    #[test]
    fn no_failure_no_sparkline() {
        assert_eq!(sparkline(&Summary::default()), None);
    }
}
