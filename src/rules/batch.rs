//! Batch rules: the incidents of one input that satisfy a rule's `when`,
//! grouped by the rule's facts; a finding for every group with enough of
//! them inside one time window.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::RuleSet;
use crate::facts::{Fact, Facts, Value};
use crate::finding::{Batch, Finding};
use crate::model::EvidenceLine;

impl RuleSet {
    /// Batch rules over all incidents of an input: per group, the densest
    /// window; a finding when it holds at least the rule's count.
    pub fn evaluate_batch(&self, incidents: &[(Arc<Facts>, Option<EvidenceLine>)]) -> Vec<Finding> {
        let mut out = Vec::new();
        for rule in self.rules.iter().filter(|r| r.group.is_some()) {
            let group = rule.group.as_ref().expect("filtered on group");
            let mut groups: BTreeMap<Vec<String>, Vec<(i64, usize)>> = BTreeMap::new();
            for (i, (facts, _)) in incidents.iter().enumerate() {
                if !rule.matches(facts) {
                    continue;
                }
                let key: Option<Vec<String>> = group
                    .by
                    .iter()
                    .map(|f| facts.get(*f).map(value_text))
                    .collect();
                if let (Some(key), Some(time)) = (key, facts.int(Fact::EventTime)) {
                    groups.entry(key).or_default().push((time, i));
                }
            }
            for (key, mut events) in groups {
                events.sort_unstable();
                let Some((start, end)) = densest_window(&events, group.window_seconds) else {
                    continue;
                };
                let count = end - start + 1;
                if count < group.min_count {
                    continue;
                }
                let (first, last) = (events[start], events[end]);
                let (facts, first_line) = &incidents[first.1];
                let mut evidence: Vec<EvidenceLine> = [first_line, &incidents[last.1].1]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect();
                evidence.dedup_by_key(|l| l.line);
                out.push(Finding {
                    incident: first.1,
                    rule: rule.cause().to_string(),
                    title: rule.title_for(facts),
                    severity: rule.severity,
                    priority: rule.priority,
                    explanation: rule.explanation(facts),
                    fix: rule.fixes(facts),
                    evidence,
                    facts: facts.clone(),
                    signature_diff: Vec::new(),
                    headline: first_line.clone(),
                    batch: Some(Batch {
                        group: group
                            .by
                            .iter()
                            .map(|f| f.name().to_string())
                            .zip(key)
                            .collect(),
                        count,
                        first_seen: first.0,
                        last_seen: last.0,
                    }),
                });
            }
        }
        out
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
    }
}

/// The window of at most `seconds` holding the most events (sorted by time):
/// the indices of its first and last event.
fn densest_window(events: &[(i64, usize)], seconds: i64) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    for end in 0..events.len() {
        while events[end].0 - events[start].0 > seconds {
            start += 1;
        }
        if best.is_none_or(|(s, e)| end - start > e - s) {
            best = Some((start, end));
        }
    }
    best
}
