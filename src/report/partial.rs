//! `--format summary`: a partial summary of the event inputs of one run,
//! for `authsift merge` to combine with others into the report one run over
//! all their inputs gives (totals, breakdowns, grouped findings, findings
//! across files, each `eventID` counted once).
//!
//! Contract (README, "Larger than one machine"): one JSON document,
//! `{"schema": "authsift-summary", "version": 1, …}`. A merge refuses a
//! document of another schema or version. It holds, per input, its path,
//! format, records and errors; the summary losslessly
//! (`trail::wire`); and the events counted, as 64-bit hashes of their ids
//! grouped by what they counted (8 bytes an event, 16 hex digits). Log
//! inputs (debug logs, CI logs) have no summary and are left out.
//!
//! It is an intermediate file, not a report: access key ids stay whole
//! (masking them would make two keys one group), while secrets, tokens and
//! signatures are redacted as in every output.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::RenderOptions;
use super::redact::Redactor;
use crate::facts::{Fact, Facts, Kind, Value as FactValue};
use crate::finding::{Batch, Finding, Severity};
use crate::model::EvidenceLine;
use crate::outcome::{InputReport, ReadAs, Report};
use crate::trail::counted::id_key;
use crate::trail::summary::Summary;
use crate::trail::wire::{self, WireSummary};

/// `schema` of the document.
pub const SCHEMA: &str = "authsift-summary";

/// `version` of the document: parts of another version are refused.
pub const VERSION: u32 = 1;

/// The id a part's event id hashes are checked with.
const ID_CHECK: &str = "authsift";

/// The document.
#[derive(Debug, Serialize, Deserialize)]
struct Document {
    schema: String,
    version: u32,
    /// `sha256:…` of the rules that classified the events.
    rules: String,
    /// `id_key("authsift")`, in hex: equal in parts whose ids hash alike.
    id_check: String,
    /// CloudTrail files not opened (delivered before `--since`).
    not_opened: usize,
    inputs: Vec<Input>,
    summary: Option<WireSummary>,
}

/// What a part says about one input.
#[derive(Debug, Serialize, Deserialize)]
struct Input {
    path: String,
    /// What it was read as (`cloudtrail`, `s3-access-log`, …).
    format: Option<String>,
    records: usize,
    /// Its size on disk (files only).
    size: Option<u64>,
    auth_failures: usize,
    errors: Vec<String>,
    not_read: bool,
    /// Whether its events are in the summary.
    events: bool,
    /// Its findings (each failed event's, and batch rules'), for a merge
    /// written as `json`, which lists them as one run does.
    #[serde(default)]
    findings: Vec<ListedFinding>,
    /// Failures no rule explains (the line of each).
    #[serde(default)]
    unclassified: Vec<Line>,
}

/// A finding as a part keeps it: what `--format json` shows of it.
#[derive(Debug, Serialize, Deserialize)]
struct ListedFinding {
    incident: usize,
    rule: String,
    title: String,
    severity: Severity,
    explanation: String,
    fix: Vec<String>,
    evidence: Vec<Line>,
    /// Fact name → value, as `json` writes them.
    facts: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    batch: Option<ListedBatch>,
}

/// A batch finding's group, as a part keeps it.
#[derive(Debug, Serialize, Deserialize)]
struct ListedBatch {
    group: Vec<(String, String)>,
    count: usize,
    first_seen: i64,
    last_seen: i64,
}

/// A line of evidence.
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    line: usize,
    text: String,
}

impl Line {
    fn of(e: &EvidenceLine) -> Line {
        Line {
            line: e.line,
            text: e.text.to_string(),
        }
    }

    fn back(self) -> EvidenceLine {
        EvidenceLine {
            line: self.line,
            text: self.text.into(),
        }
    }
}

impl ListedFinding {
    fn of(f: &Finding) -> ListedFinding {
        let facts = match serde_json::to_value(&*f.facts) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        ListedFinding {
            incident: f.incident,
            rule: f.rule.clone(),
            title: f.title.clone(),
            severity: f.severity,
            explanation: f.explanation.clone(),
            fix: f.fix.clone(),
            evidence: f.evidence.iter().map(Line::of).collect(),
            facts,
            batch: f.batch.as_ref().map(|b| ListedBatch {
                group: b.group.clone(),
                count: b.count,
                first_seen: b.first_seen,
                last_seen: b.last_seen,
            }),
        }
    }

    /// The finding back; `None` when a fact is unknown to this build or of
    /// another type (a part of another version would be refused before).
    fn back(self) -> Option<Finding> {
        let mut facts = Facts::default();
        for (name, value) in self.facts {
            let fact = Fact::from_name(&name)?;
            let value = match (fact.kind(), value) {
                (Kind::Str, serde_json::Value::String(s)) => FactValue::Str(s),
                (Kind::Int, serde_json::Value::Number(n)) => FactValue::Int(n.as_i64()?),
                (Kind::Bool, serde_json::Value::Bool(b)) => FactValue::Bool(b),
                _ => return None,
            };
            facts.set(fact, value, None);
        }
        Some(Finding {
            incident: self.incident,
            rule: self.rule,
            title: self.title,
            severity: self.severity,
            explanation: self.explanation,
            fix: self.fix,
            evidence: self.evidence.into_iter().map(Line::back).collect(),
            facts: Arc::new(facts),
            signature_diff: Vec::new(),
            headline: None,
            priority: 0,
            batch: self.batch.map(|b| Batch {
                group: b.group,
                count: b.count,
                first_seen: b.first_seen,
                last_seen: b.last_seen,
            }),
        })
    }
}

/// The inputs a partial summary leaves out: those read as logs (their
/// verdicts are no counters a merge could add up).
pub fn left_out(report: &Report) -> Vec<&str> {
    report
        .inputs
        .iter()
        .filter(|i| !kept(i))
        .map(|i| i.path.as_str())
        .collect()
}

/// Event inputs, and inputs that could not be read (a merge reports them).
fn kept(input: &InputReport) -> bool {
    input.is_event_input() || input.read_as.is_none() || !input.errors.is_empty()
}

/// The partial summary of `report`.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let doc = Document {
        schema: SCHEMA.to_string(),
        version: VERSION,
        rules: options.rules.version(),
        id_check: format!("{:016x}", id_key(ID_CHECK)),
        not_opened: report.not_opened,
        inputs: report
            .inputs
            .iter()
            .filter(|i| kept(i))
            .map(|i| Input {
                path: i.path.clone(),
                format: i.read_as.map(|f| f.as_str().to_string()),
                records: i.records,
                size: options.sizes.get(&i.path).copied(),
                auth_failures: i.auth_failures,
                errors: i.errors.clone(),
                not_read: i.not_read,
                events: i.is_event_input(),
                findings: i.findings.iter().map(ListedFinding::of).collect(),
                unclassified: i.unclassified.iter().map(Line::of).collect(),
            })
            .collect(),
        summary: report.summary().map(|s| WireSummary::from(s.as_ref())),
    };
    let mut value = serde_json::to_value(&doc).expect("the document always serialises");
    // The ids are hashes, never input: kept out of redaction, which could
    // take a long run of hex digits for a secret.
    let ids: Vec<serde_json::Value> = counted_ids(&mut value)
        .map(serde_json::Value::take)
        .collect();
    let keep_keys = Redactor {
        mask_key_ids: false,
    };
    super::json::redact_value(&mut value, &keep_keys);
    for (slot, id) in counted_ids(&mut value).zip(ids) {
        *slot = id;
    }
    let mut out = serde_json::to_string(&value).expect("a JSON value always serialises");
    out.push('\n');
    out
}

/// The `ids` of every counted contribution in a document's summary.
fn counted_ids(doc: &mut serde_json::Value) -> impl Iterator<Item = &mut serde_json::Value> {
    doc.pointer_mut("/summary/counted")
        .and_then(serde_json::Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get_mut("ids"))
}

/// Why a file is no partial summary authsift can merge.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// Not JSON, or JSON of another shape.
    #[error("not a partial summary (written by `authsift --format summary`): {0}")]
    NotSummary(String),
    /// A partial summary of another version.
    #[error(
        "a partial summary of version {found}; this authsift merges version {VERSION} only: write the parts again with this version"
    )]
    Version {
        /// The part's version.
        found: u64,
    },
    /// Event ids hashed otherwise.
    #[error(
        "its event ids were hashed by another build of authsift: write the parts again with this one"
    )]
    IdHash,
    /// Classified by other rules.
    #[error(
        "its events were classified by other rules ({found}; here {expected}): pass the same --rules to every run and to merge"
    )]
    Rules {
        /// The part's rules.
        found: String,
        /// The merge's rules.
        expected: String,
    },
}

/// One part, read back.
#[derive(Debug)]
pub struct Part {
    inputs: Vec<InputReport>,
    sizes: BTreeMap<String, u64>,
    not_opened: usize,
    summary: Option<Summary>,
}

/// Reads a partial summary; `rules` is the merge's rule-set version, which
/// the part's must equal.
pub fn parse(text: &str, rules: &str) -> Result<Part, PartError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| PartError::NotSummary(e.to_string()))?;
    if value.get("schema").and_then(|s| s.as_str()) != Some(SCHEMA) {
        return Err(PartError::NotSummary(format!(
            "no \"schema\": \"{SCHEMA}\""
        )));
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(found) => return Err(PartError::Version { found }),
        None => return Err(PartError::NotSummary("no \"version\"".to_string())),
    }
    let doc: Document =
        serde_json::from_value(value).map_err(|e| PartError::NotSummary(e.to_string()))?;
    if doc.id_check != format!("{:016x}", id_key(ID_CHECK)) {
        return Err(PartError::IdHash);
    }
    if doc.rules != rules {
        return Err(PartError::Rules {
            found: doc.rules,
            expected: rules.to_string(),
        });
    }
    let summary = doc
        .summary
        .map(Summary::try_from)
        .transpose()
        .map_err(|e| PartError::NotSummary(e.to_string()))?;
    let sizes = doc
        .inputs
        .iter()
        .filter_map(|i| Some((i.path.clone(), i.size?)))
        .collect();
    let mut inputs = Vec::with_capacity(doc.inputs.len());
    for i in doc.inputs {
        let read_as = i.format.as_deref().and_then(ReadAs::from_name);
        let findings = i
            .findings
            .into_iter()
            .map(ListedFinding::back)
            .collect::<Option<Vec<Finding>>>()
            .ok_or_else(|| {
                PartError::NotSummary(format!("{}: a finding with unknown facts", i.path))
            })?;
        inputs.push(InputReport {
            records: i.records,
            auth_failures: i.auth_failures,
            errors: i.errors,
            not_read: i.not_read,
            summary: i.events.then(Summary::default),
            findings,
            unclassified: i.unclassified.into_iter().map(Line::back).collect(),
            ..InputReport::new(i.path, read_as)
        });
    }
    Ok(Part {
        inputs,
        sizes,
        not_opened: doc.not_opened,
        summary,
    })
}

/// The report of a run over every part's inputs (inputs in the parts'
/// order, summaries merged with each `eventID` counted once), and the
/// inputs' sizes on disk. `listed`: the inputs keep their findings, as a
/// run whose output lists them (`json`) keeps them; the other formats'
/// runs keep only what summarises them.
pub fn merge(parts: Vec<Part>, listed: bool) -> (Report, BTreeMap<String, u64>) {
    let mut report = Report::default();
    let mut sizes = BTreeMap::new();
    let mut summaries = Vec::new();
    for mut part in parts {
        if !listed {
            for input in &mut part.inputs {
                // Batch rules' findings are any run's.
                input.findings.retain(|f| f.batch.is_some());
            }
        }
        report.inputs.extend(part.inputs);
        sizes.extend(part.sizes);
        report.not_opened += part.not_opened;
        summaries.extend(part.summary);
    }
    if !summaries.is_empty() {
        // The ids stay: a merge written as a partial summary again is
        // merged with others the same way.
        report.merged = Some(wire::merge_parts(summaries));
    }
    (report, sizes)
}
