//! The summary of event inputs (CloudTrail, S3 access logs) as terminal
//! tables: one line of totals, then the busiest values of each breakdown,
//! the principals with failures, and failures over time.
//!
//! Every value comes from input text, so every cell is redacted (access
//! key ids masked) and sanitised for the terminal.

use super::fit::{self, Column, Cut};

use super::fields::iso;
use crate::text::counted;
use crate::trail::summary::{Activity, ArchiveFinding, Summary};

/// Rows shown per breakdown; the rest is one "… more" row.
const TOP: usize = 10;

/// Longest bar of the time histogram, in characters.
const BAR: u64 = 40;

/// Above this many hours the histogram counts days instead.
const HOURLY_UP_TO: usize = 48;

/// `cloudtrail`: some of the events came from CloudTrail, which cannot
/// show authentication failures; the summary says so.
pub fn render(
    summary: &Summary,
    cloudtrail: bool,
    width: u16,
    clean: &dyn Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    let span = match (summary.first_seen, summary.last_seen) {
        (Some(a), Some(b)) => format!(", {} to {}", iso(a), iso(b)),
        _ => String::new(),
    };
    out.push_str(&format!(
        "{}, {} failed{span}\n",
        counted(summary.events, "event"),
        summary.failures
    ));
    match summary.service_failures {
        0 => {}
        1 => out.push_str(
            "1 of the failures is a call an AWS service made on your behalf; it is left out below\n",
        ),
        n => out.push_str(&format!(
            "{n} of the failures are calls AWS services made on your behalf; they are left out below\n"
        )),
    }
    if summary.failures == summary.service_failures {
        let what = if cloudtrail {
            "authorization failure"
        } else {
            "failure"
        };
        out.push_str(&format!("no {what} of people or workloads recorded\n"));
    }
    if cloudtrail {
        out.push_str(&format!("note: {}\n", *crate::trail::NOT_RECORDED));
    }
    let breakdowns = [
        ("root cause", &summary.by_cause),
        ("error code", &summary.by_error_code),
        ("access key", &summary.by_access_key),
        ("source IP", &summary.by_source_ip),
        ("user agent", &summary.by_user_agent),
        ("region", &summary.by_region),
        ("event source", &summary.by_event_source),
        ("client", &summary.by_client),
    ];
    for (name, counts) in breakdowns {
        let ranked = counts.ranked();
        if ranked.is_empty() {
            continue;
        }
        let mut rows: Vec<Vec<String>> = ranked
            .iter()
            .take(TOP)
            .map(|(value, n)| vec![clean(value), n.to_string()])
            .collect();
        let over = counts.not_kept().is_some();
        if ranked.len() > TOP || over {
            let rest: u64 = ranked.iter().skip(TOP).map(|(_, n)| n).sum();
            rows.push(vec![
                more(ranked.len().saturating_sub(TOP), over),
                (rest + counts.not_listed()).to_string(),
            ]);
        }
        let columns = [Column::new(name, Cut::End), Column::number("failures")];
        let table = fit::table(&columns, rows, Some(width));
        out.push_str(&format!("\n{table}\n"));
    }
    out.push_str(&principals(summary, width, clean));
    out.push_str(&histogram(summary, width));
    out.push_str(&findings(summary, clean));
    out
}

/// Findings over all event inputs, most failures first: what, when,
/// where from, and the first and last failure as evidence.
pub fn findings(summary: &Summary, clean: &dyn Fn(&str) -> String) -> String {
    patterns(&summary.findings(), clean)
}

/// [`findings`], of findings already chosen (the human report shows only
/// the first few).
pub fn patterns(found: &[ArchiveFinding], clean: &dyn Fn(&str) -> String) -> String {
    if found.is_empty() {
        return String::new();
    }
    let time = |t: Option<i64>| t.map(iso).unwrap_or_else(|| "?".to_string());
    let mut out = String::from("\nFindings over all event inputs\n");
    for f in found {
        let when = match (f.first_seen, f.last_seen) {
            (None, None) => String::new(),
            (a, b) => format!("   ({} to {})", time(a), time(b)),
        };
        out.push_str(&format!(
            "\n  {}{when}\n    {}\n",
            clean(&f.title),
            clean(&f.detail)
        ));
        for (label, e) in ["first", "last "].iter().zip(&f.evidence) {
            out.push_str(&format!(
                "    {label} {} {}\n",
                clean(&e.path),
                clean(&e.event)
            ));
        }
    }
    out
}

/// Principals with failures, most failures first: how many calls failed
/// and succeeded, and when the failures started and last happened.
fn principals(summary: &Summary, width: u16, clean: &dyn Fn(&str) -> String) -> String {
    let over = summary.by_principal.not_kept().filter(|a| a.failed > 0);
    let mut failing: Vec<(&String, &Activity)> = summary
        .by_principal
        .iter()
        .filter(|(_, a)| a.failed > 0)
        .collect();
    if failing.is_empty() {
        return String::new();
    }
    failing.sort_by(|a, b| b.1.failed.cmp(&a.1.failed).then(a.0.cmp(b.0)));
    let time = |t: Option<i64>| t.map(iso).unwrap_or_default();
    let mut rows: Vec<Vec<String>> = failing
        .iter()
        .take(TOP)
        .map(|(name, a)| {
            vec![
                clean(name),
                a.failed.to_string(),
                a.ok.to_string(),
                time(a.first_failure),
                time(a.last_failure),
            ]
        })
        .collect();
    if failing.len() > TOP || over.is_some() {
        let rest: u64 = failing.iter().skip(TOP).map(|(_, a)| a.failed).sum();
        rows.push(vec![
            more(failing.len().saturating_sub(TOP), over.is_some()),
            (rest + over.map_or(0, |a| a.failed)).to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    // An ARN's end (the role or user name) says the most: its start goes.
    let columns = [
        Column::new("principal", Cut::Start),
        Column::number("failed"),
        Column::number("ok"),
        Column::new("first failure", Cut::Never),
        Column::new("last failure", Cut::Never),
    ];
    format!("\n{}\n", fit::table(&columns, rows, Some(width)))
}

/// The label of the row that stands for the values not shown: `more`
/// listed values, and (`over`) those over the summary's limit of distinct
/// values, which were counted but not kept.
fn more(more: usize, over: bool) -> String {
    if over {
        format!(
            "… {more} more, and values over the limit of {}",
            crate::trail::summary::MAX_DISTINCT_VALUES
        )
    } else {
        format!("… {more} more")
    }
}

/// Failures per hour (per day over long spans), oldest first, with a bar.
fn histogram(summary: &Summary, width: u16) -> String {
    let hours = &summary.failures_by_hour;
    if hours.is_empty() {
        return String::new();
    }
    let (label, buckets): (&str, Vec<(i64, u64)>) = if hours.len() <= HOURLY_UP_TO {
        ("hour (UTC)", hours.iter().map(|(h, n)| (*h, *n)).collect())
    } else {
        let mut days: std::collections::BTreeMap<i64, u64> = Default::default();
        for (h, n) in hours {
            *days.entry(h - h.rem_euclid(86_400)).or_default() += n;
        }
        ("day (UTC)", days.into_iter().collect())
    };
    let most = buckets.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let rows = buckets
        .into_iter()
        .map(|(start, n)| {
            let bar = (n * BAR).div_ceil(most) as usize;
            vec![iso(start), n.to_string(), "█".repeat(bar)]
        })
        .collect();
    let columns = [
        Column::new(label, Cut::Never),
        Column::number("failures"),
        Column::new("", Cut::End),
    ];
    format!("\n{}\n", fit::table(&columns, rows, Some(width)))
}
