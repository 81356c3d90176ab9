//! Text logs (debug output, SDK logs, pasted text): cut into chunks at run
//! boundaries, each chunk parsed into runs, each run into one incident's
//! facts, each incident classified by the rules; then batch rules over all.

use std::sync::Arc;

use rayon::prelude::*;

use super::ci::CiContext;
use super::{Options, decode};
use crate::formats::{self, Format};
use crate::outcome::InputReport;
use crate::rules::RuleSet;
use crate::{awsfiles, chunk, facts, finding, model, sigv4};

/// What one chunk of an input yielded.
#[derive(Default)]
pub(super) struct ChunkResult {
    records: usize,
    pub(super) incidents: usize,
    pub(super) findings: Vec<finding::Finding>,
    unclassified: Vec<model::EvidenceLine>,
    /// Every incident's facts, kept only when batch rules need them.
    batch_inputs: Vec<(Arc<facts::Facts>, Option<model::EvidenceLine>)>,
}

/// Analyzes text already in `parse_format`, reporting it as `format`.
pub(super) fn analyze_parsed(
    path: &str,
    text: &[u8],
    format: Format,
    parse_format: Format,
    rules: &RuleSet,
    options: &Options,
    ci: Option<&CiContext<'_>>,
) -> InputReport {
    let results: Vec<ChunkResult> = chunk::numbered_chunks(text, &run_chunk_starts(text))
        .par_iter()
        .map(|(range, first_line)| {
            analyze_chunk(
                &decode(&text[range.clone()]),
                *first_line,
                parse_format,
                rules,
                options.secret.as_ref(),
                ci,
            )
        })
        .collect();
    merge(path, text, format, parse_format, rules, results, ci)
}

/// One input's report from its chunks' results, in input order: incidents
/// numbered across chunks, then what needs the whole text (pasted
/// configuration) or every incident (batch rules).
pub(super) fn merge(
    path: &str,
    text: &[u8],
    format: Format,
    parse_format: Format,
    rules: &RuleSet,
    results: Vec<ChunkResult>,
    ci: Option<&CiContext<'_>>,
) -> InputReport {
    let mut report = InputReport::new(path.to_string(), Some(format.into()));
    report
        .findings
        .reserve(results.iter().map(|c| c.findings.len()).sum());
    let mut incidents = 0;
    let mut batch_inputs = Vec::new();
    for mut chunk in results {
        for f in &mut chunk.findings {
            f.incident += incidents;
        }
        incidents += chunk.incidents;
        report.records += chunk.records;
        report.findings.append(&mut chunk.findings);
        report.unclassified.append(&mut chunk.unclassified);
        batch_inputs.append(&mut chunk.batch_inputs);
    }
    // Fragments of ~/.aws/config or ~/.aws/credentials pasted beside the
    // error: the checks of `authsift config`, each issue an incident.
    if matches!(parse_format, Format::Text | Format::AwsDebug) {
        let mut pasted =
            awsfiles::paste::findings(&decode(text), awsfiles::paste::config_rules(), incidents);
        if let Some(ci) = ci {
            pasted.iter_mut().for_each(|f| ci.restore_lines(f));
        }
        // A failure the pasted file explains (no credentials found, and the
        // file's key pair is broken) is shown after the file's mistake.
        let verdict = report.findings.iter().max_by_key(|f| f.priority);
        if let Some(v) = verdict.map(|v| (v.rule.clone(), v.priority)) {
            for f in pasted
                .iter_mut()
                .filter(|f| awsfiles::paste::explains(f, &v.0))
            {
                f.priority = f.priority.max(v.1 + 1);
            }
        }
        report.findings.append(&mut pasted);
    }
    // Pasted text has no client runs to keep in order: where it holds
    // several failures, the one whose verdict names the most specific
    // cause (a missing profile before the empty chain it leads to, a
    // service's answer before a later usage error) is shown first.
    if parse_format == Format::Text {
        most_specific_first(&mut report.findings);
    }
    // Batch rules see every incident of the input at once.
    report.findings.extend(rules.evaluate_batch(&batch_inputs));
    report
}

/// Orders incidents by the priority of their verdict (their first
/// finding), highest first; an incident's findings stay together and in
/// order, and equal incidents keep their input order.
fn most_specific_first(findings: &mut Vec<crate::finding::Finding>) {
    let mut groups: Vec<Vec<crate::finding::Finding>> = Vec::new();
    for f in findings.drain(..) {
        match groups.last_mut() {
            Some(g) if g[0].incident == f.incident => g.push(f),
            _ => groups.push(vec![f]),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g[0].priority));
    findings.extend(groups.into_iter().flatten());
}

/// Where chunks of a log start: at the first line of an `aws --debug`
/// run, so no run is split between two chunks.
pub(super) fn run_chunk_starts(text: &[u8]) -> Vec<usize> {
    chunk::chunk_starts(
        text,
        formats::aws_debug::RUN_START.as_bytes(),
        formats::logrecord::is_header_line,
    )
}

pub(super) fn analyze_chunk(
    text: &str,
    first_line: usize,
    format: Format,
    rules: &RuleSet,
    secret: Option<&sigv4::verify::Secret>,
    ci: Option<&CiContext<'_>>,
) -> ChunkResult {
    let mut out = ChunkResult::default();
    let keep_facts = rules.has_batch_rules();
    for run in formats::runs(text, first_line, format) {
        out.records += run.records;
        let Some(mut incident) = facts::incident_with_secret(&run, secret) else {
            continue;
        };
        if let Some(ci) = ci {
            ci.add_facts(&mut incident);
            if let Some(h) = incident.headline.as_mut()
                && let Some(text) = ci.original(h.line)
            {
                h.text = text;
            }
        }
        let mut classified = rules.evaluate(&incident, out.incidents);
        if let Some(ci) = ci {
            classified.iter_mut().for_each(|f| ci.restore_lines(f));
        }
        if classified.is_empty() {
            out.unclassified.extend(incident.headline.clone());
        }
        if keep_facts {
            out.batch_inputs
                .push((incident.facts.clone(), incident.headline.clone()));
        }
        out.findings.extend(classified);
        out.incidents += 1;
    }
    out
}
