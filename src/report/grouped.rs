//! The event summary's grouped findings and its findings across files, as
//! findings the record-a-line formats (`jsonl`, `ocsf`) write like any
//! other: one record per group, its count and first and last failure in
//! [`Batch`], instead of one record per failed event.
//!
//! Each is wrapped in an [`InputReport`] of its own (named by the input of
//! its first failure), so the formats' one way of turning a finding with
//! its input into a record ([`super::fields::Ctx`]) serves them unchanged.

use std::sync::Arc;

use super::RenderOptions;
use super::fields::Ctx;
use crate::facts::{Fact, Facts};
use crate::finding::{Batch, Finding, Severity};
use crate::model::EvidenceLine;
use crate::outcome::{InputReport, Report};
use crate::trail::summary::{ArchiveFinding, FindingGroup, NO_CAUSE, Sample, Summary};

/// `rule.id` of a finding across files: `pattern.` and its kind
/// (`pattern.access-key`, `pattern.assume-role`, …).
pub const PATTERN_PREFIX: &str = "pattern.";

/// Every grouped finding of `summary`, most important first (all of them:
/// `--limit` is for people), then its findings across files.
pub fn findings(summary: &Summary) -> Vec<InputReport> {
    let span = (summary.first_seen, summary.last_seen);
    let groups = summary.grouped.ranked().into_iter().map(group);
    let patterns = summary.findings().into_iter().map(|p| pattern(p, span));
    groups.chain(patterns).collect()
}

/// One line per [`findings`] of `report`'s event summary, each built by
/// `build` (`jsonl`'s ECS document, `ocsf`'s Detection Finding): what the
/// record-a-line formats write once every input is read.
pub fn lines<F>(report: &Report, options: &RenderOptions, build: F) -> String
where
    F: Fn(&Ctx<'_>, &RenderOptions, i64) -> serde_json::Value + Sync,
{
    let Some(summary) = report.summary() else {
        return String::new();
    };
    let clock = super::run_clock(options);
    let groups = findings(&summary);
    let found: Vec<Ctx<'_>> = groups.iter().flat_map(super::fields::findings).collect();
    super::json::lines(&found, options, |ctx, options| build(ctx, options, clock))
}

fn group(g: &FindingGroup) -> InputReport {
    let explained = g.cause != NO_CAUSE;
    let title = match explained {
        true => g.title.clone(),
        false => "Auth failures no rule explains".to_string(),
    };
    let mut facts = Facts::default();
    if g.principal.starts_with("arn:") {
        facts.set(Fact::IdentityArn, g.principal.as_str(), None);
    }
    if let Some((service, operation)) = g
        .action
        .split_whitespace()
        .next()
        .and_then(|a| a.split_once(':'))
    {
        facts.set(Fact::RequestService, service, None);
        facts.set(Fact::RequestOperation, operation, None);
    }
    if g.source.parse::<std::net::IpAddr>().is_ok() {
        facts.set(Fact::SourceIp, g.source.as_str(), None);
    }
    let finding = Finding {
        incident: 0,
        rule: g.cause.clone(),
        title,
        // A failure no rule explains needs a look: it ranks between
        // medium and low (`FindingGroup::rank`).
        severity: g.severity.unwrap_or(Severity::Medium),
        explanation: format!(
            "{} of {} on {} from {}",
            crate::text::counted(g.count as usize, "failure"),
            g.principal,
            g.action,
            g.source
        ),
        fix: Vec::new(),
        evidence: vec![EvidenceLine {
            line: g.first.line,
            text: Arc::from(g.evidence.as_str()),
        }],
        facts: Arc::new(facts),
        signature_diff: Vec::new(),
        headline: None,
        priority: 0,
        batch: Some(Batch {
            group: vec![
                ("cause".to_string(), g.cause.clone()),
                ("principal".to_string(), g.principal.clone()),
                ("action".to_string(), g.action.clone()),
                ("source".to_string(), g.source.clone()),
            ],
            count: g.count as usize,
            first_seen: g.first.time.or(g.last.time).unwrap_or_default(),
            last_seen: g.last.time.or(g.first.time).unwrap_or_default(),
        }),
    };
    wrapped(&g.first, finding)
}

/// A finding across files; one without times of its own (a client
/// version) spans the events summarised.
fn pattern(p: ArchiveFinding, span: (Option<i64>, Option<i64>)) -> InputReport {
    let first = p.first_seen.or(span.0).unwrap_or_default();
    let last = p.last_seen.or(span.1).unwrap_or(first);
    let evidence = p
        .evidence
        .iter()
        .map(|s| EvidenceLine {
            line: s.line,
            text: Arc::from(format!("{}: {}", s.path, s.event)),
        })
        .collect();
    let finding = Finding {
        incident: 0,
        rule: format!("{PATTERN_PREFIX}{}", p.kind),
        title: p.title,
        severity: Severity::Medium,
        explanation: p.detail,
        fix: Vec::new(),
        evidence,
        facts: Arc::new(Facts::default()),
        signature_diff: Vec::new(),
        headline: None,
        priority: 0,
        batch: Some(Batch {
            group: vec![
                ("kind".to_string(), p.kind.to_string()),
                ("group".to_string(), p.group),
            ],
            count: p.count as usize,
            first_seen: first,
            last_seen: last,
        }),
    };
    match p.evidence.first() {
        Some(sample) => wrapped(sample, finding),
        None => InputReport {
            findings: vec![finding],
            ..InputReport::new(String::new(), None)
        },
    }
}

/// `finding` in a report of the input its `sample` is in.
fn wrapped(sample: &Sample, finding: Finding) -> InputReport {
    InputReport {
        findings: vec![finding],
        ..InputReport::new(sample.path.clone(), None)
    }
}
