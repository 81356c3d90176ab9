//! A [`Summary`] as a partial summary file holds it: every counter, every
//! group and sample, the part over each limit, and the events counted by
//! id ([`super::counted`]), so that parts read back merge into what one
//! run over all their inputs gives.
//!
//! The reports' JSON of a summary ([`Summary`]'s `Serialize`) is for
//! people and SIEMs: busiest first, groups left out, nothing to read back.
//! This is the other one, lossless, versioned by the partial summary
//! document that carries it (`report::partial`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::counted::{Counted, CountedIds};
use super::grouped::FindingGroup;
use super::summary::{Activity, Counts, Group, GroupKind, Sample, Summary};

/// A capped map: its kept values, the rest and whether any value was over
/// the limit.
#[derive(Debug, Serialize, Deserialize)]
pub struct Capped<V, R> {
    /// Kept values and their tallies, in value order.
    pub kept: Vec<(String, V)>,
    /// The values over the limit, tallied together.
    pub rest: R,
    /// Whether any value was over the limit.
    pub over: bool,
}

type WireCounts = Capped<u64, u64>;

/// A [`Group`].
#[derive(Debug, Serialize, Deserialize)]
pub struct WireGroup {
    count: u64,
    first: Sample,
    last: Sample,
    source_ips: WireCounts,
    user_agents: WireCounts,
    error_codes: WireCounts,
}

/// Events that counted the same: the hashes of their ids, 16 hex digits
/// each, one after the other (a third of the size of a JSON array).
#[derive(Debug, Serialize, Deserialize)]
pub struct WireCounted {
    counted: Counted,
    ids: String,
}

/// Every field of a [`Summary`].
#[derive(Debug, Serialize, Deserialize)]
pub struct WireSummary {
    events: u64,
    failures: u64,
    service_failures: u64,
    other_errors: u64,
    duplicates: u64,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
    by_cause: WireCounts,
    by_error_code: WireCounts,
    by_other_error: WireCounts,
    by_principal: Capped<Activity, Activity>,
    by_access_key: WireCounts,
    by_source_ip: WireCounts,
    by_user_agent: WireCounts,
    by_region: WireCounts,
    by_event_source: WireCounts,
    by_client: WireCounts,
    failures_by_hour: Vec<(i64, u64)>,
    /// `failures_by_hour` by root cause (the HTML report's timeline).
    #[serde(default)]
    causes_by_hour: Vec<(i64, Vec<(String, u64)>)>,
    groups: Vec<(GroupKind, Capped<WireGroup, u64>)>,
    grouped: Capped<FindingGroup, u64>,
    counted: Vec<WireCounted>,
}

fn counts<const CAP: usize>(c: &Counts<CAP>) -> WireCounts {
    c.to_wire(|n| *n)
}

fn back<const CAP: usize>(c: WireCounts) -> Counts<CAP> {
    Counts::from_wire(c, |n| n)
}

impl From<&Summary> for WireSummary {
    fn from(s: &Summary) -> Self {
        let counted = s
            .counted
            .iter()
            .flatten()
            .map(|(counted, ids)| {
                let mut ids = ids.clone();
                ids.sort_unstable();
                WireCounted {
                    counted: counted.clone(),
                    ids: ids.iter().map(|id| format!("{id:016x}")).collect(),
                }
            })
            .collect();
        WireSummary {
            events: s.events,
            failures: s.failures,
            service_failures: s.service_failures,
            other_errors: s.other_errors,
            duplicates: s.duplicates,
            first_seen: s.first_seen,
            last_seen: s.last_seen,
            by_cause: counts(&s.by_cause),
            by_error_code: counts(&s.by_error_code),
            by_other_error: counts(&s.by_other_error),
            by_principal: s.by_principal.to_wire(|a| *a),
            by_access_key: counts(&s.by_access_key),
            by_source_ip: counts(&s.by_source_ip),
            by_user_agent: counts(&s.by_user_agent),
            by_region: counts(&s.by_region),
            by_event_source: counts(&s.by_event_source),
            by_client: counts(&s.by_client),
            failures_by_hour: s.failures_by_hour.iter().map(|(h, n)| (*h, *n)).collect(),
            causes_by_hour: s
                .causes_by_hour
                .iter()
                .map(|(h, causes)| (*h, causes.iter().map(|(c, n)| (c.clone(), *n)).collect()))
                .collect(),
            groups: s
                .groups
                .iter()
                .map(|(kind, groups)| {
                    let wire = groups.to_wire(|g| WireGroup {
                        count: g.count,
                        first: g.first.clone(),
                        last: g.last.clone(),
                        source_ips: counts(&g.source_ips),
                        user_agents: counts(&g.user_agents),
                        error_codes: counts(&g.error_codes),
                    });
                    (*kind, wire)
                })
                .collect(),
            grouped: s.grouped.to_wire(Clone::clone),
            counted,
        }
    }
}

/// Why a partial summary's content cannot be read back.
#[derive(Debug, thiserror::Error)]
#[error("event ids `{0}` are not 16 hex digits each")]
pub struct BadIds(String);

impl TryFrom<WireSummary> for Summary {
    type Error = BadIds;
    fn try_from(w: WireSummary) -> Result<Self, BadIds> {
        let mut counted = CountedIds::new();
        for c in w.counted {
            counted.insert(c.counted, ids(&c.ids)?);
        }
        Ok(Summary {
            events: w.events,
            failures: w.failures,
            service_failures: w.service_failures,
            other_errors: w.other_errors,
            duplicates: w.duplicates,
            first_seen: w.first_seen,
            last_seen: w.last_seen,
            by_cause: back(w.by_cause),
            by_error_code: back(w.by_error_code),
            by_other_error: back(w.by_other_error),
            by_principal: crate::trail::summary::Principals::from_wire(w.by_principal, |a| a),
            by_access_key: back(w.by_access_key),
            by_source_ip: back(w.by_source_ip),
            by_user_agent: back(w.by_user_agent),
            by_region: back(w.by_region),
            by_event_source: back(w.by_event_source),
            by_client: back(w.by_client),
            failures_by_hour: w.failures_by_hour.into_iter().collect(),
            causes_by_hour: w
                .causes_by_hour
                .into_iter()
                .map(|(h, causes)| (h, causes.into_iter().collect()))
                .collect(),
            groups: w
                .groups
                .into_iter()
                .map(|(kind, groups)| {
                    let groups = crate::trail::summary::Groups::from_wire(groups, |g| Group {
                        count: g.count,
                        first: g.first,
                        last: g.last,
                        source_ips: back(g.source_ips),
                        user_agents: back(g.user_agents),
                        error_codes: back(g.error_codes),
                    });
                    (kind, groups)
                })
                .collect::<BTreeMap<_, _>>(),
            grouped: crate::trail::summary::FindingGroups::from_wire(w.grouped, |g| g),
            counted: Some(counted),
        })
    }
}

/// `0123…` (16 hex digits an id) back to the ids.
fn ids(text: &str) -> Result<Vec<u64>, BadIds> {
    let bad = || BadIds(text.chars().take(40).collect());
    if !text.len().is_multiple_of(16) || !text.is_ascii() {
        return Err(bad());
    }
    (0..text.len() / 16)
        .map(|i| u64::from_str_radix(&text[i * 16..i * 16 + 16], 16).map_err(|_| bad()))
        .collect()
}

/// Merges partial summaries into one, as one run over all their inputs
/// would have counted: an event two parts both counted (the same
/// `eventID` in both) is taken back from all but one
/// ([`Summary::uncount`]). Memory: 16 bytes an event id, for the sort
/// that finds them.
pub fn merge_parts(parts: Vec<Summary>) -> Summary {
    let mut all = Summary::default();
    // Every (id, contribution) of every part, to find ids met twice.
    let mut contributions: Vec<Counted> = Vec::new();
    let mut ids: Vec<(u64, u32)> = Vec::new();
    for mut part in parts {
        for (counted, keys) in part.counted.take().into_iter().flatten() {
            let at = contributions.len() as u32;
            ids.extend(keys.into_iter().map(|k| (k, at)));
            contributions.push(counted);
        }
        all.merge(part);
    }
    ids.sort_unstable();
    let mut kept: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    let mut previous = None;
    for (key, at) in ids {
        if previous == Some(key) {
            all.uncount(&contributions[at as usize]);
            continue;
        }
        previous = Some(key);
        kept.entry(at).or_default().push(key);
    }
    let mut counted = CountedIds::new();
    for (at, keys) in kept {
        let c = std::mem::replace(&mut contributions[at as usize], Counted::ByService);
        counted.entry(c).or_default().extend(keys);
    }
    all.counted = Some(counted);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Fact, Facts};
    use crate::finding::Severity;
    use crate::trail::counted::id_key;
    use crate::trail::summary::{At, Failure, Verdict};

    const DENIED: Failure<'static> = Failure::Explained(Verdict {
        rule: "role.assume-denied",
        title: "denied",
        severity: Severity::High,
    });

    /// Event `i`: every third a denied AssumeRole, the rest successes.
    fn event(i: usize) -> (String, Option<Facts>) {
        let id = format!("id-{i}");
        if !i.is_multiple_of(3) {
            return (id, None);
        }
        let mut f = Facts::default();
        f.set(Fact::ErrorCode, "AccessDenied", None);
        f.set(Fact::EventName, "AssumeRole", None);
        f.set(Fact::RequestRoleArn, "arn:aws:iam::1:role/r", None);
        f.set(
            Fact::IdentityArn,
            format!("arn:aws:iam::1:user/u{}", i % 4),
            None,
        );
        f.set(Fact::CredentialAccessKeyId, "AKIAEXAMPLEKEY000042", None);
        f.set(Fact::SourceIp, "192.0.2.1", None);
        f.set(Fact::EventTime, 1000 + i as i64 * 60, None);
        f.set(Fact::EventId, id.as_str(), None);
        (id, Some(f))
    }

    /// A run over `events` (indices), as the pipeline folds them.
    fn run(events: &[usize], record: bool) -> Summary {
        let mut seen = std::collections::HashSet::new();
        let mut s = Summary::default();
        for &i in events {
            let (id, facts) = event(i);
            let key = id_key(&id);
            let first = seen.insert(key);
            let at = At {
                path: "f",
                line: i,
                evidence: "e",
            };
            match (facts, first) {
                (None, true) => {
                    s.add_ok(Some(i as i64), Some("arn:aws:iam::1:user/ok"));
                    if record {
                        s.record(key, Counted::ok(Some("arn:aws:iam::1:user/ok")));
                    }
                }
                (None, false) => s.add_duplicate(None),
                (Some(f), true) => {
                    s.add_failure(&f, DENIED, at);
                    if record {
                        s.record(key, Counted::failure(&f, DENIED));
                    }
                }
                (Some(f), false) => s.add_duplicate(Some((&f, DENIED, at))),
            }
        }
        s
    }

    #[test]
    fn overlapping_parts_merge_into_one_run() {
        // Events 0..60, then 20..30 again (an overlapping export), and 25
        // a third time.
        let all: Vec<usize> = (0..60).chain(20..30).chain([25]).collect();
        let one = run(&all, false);
        assert_eq!((one.events, one.duplicates), (60, 11));
        // Three parts; the overlap lands in the first and the last, and
        // the last also holds 25 twice.
        let parts = [
            run(&(0..30).collect::<Vec<_>>(), true),
            run(&(30..60).collect::<Vec<_>>(), true),
            run(&(20..30).chain([25]).collect::<Vec<_>>(), true),
        ];
        // Through the file's form and back.
        let parts: Vec<Summary> = parts
            .iter()
            .map(|p| {
                let text = serde_json::to_string(&WireSummary::from(p)).unwrap();
                let wire: WireSummary = serde_json::from_str(&text).unwrap();
                Summary::try_from(wire).unwrap()
            })
            .collect();
        let mut merged = merge_parts(parts);
        let ids: usize = merged.counted.iter().flatten().map(|(_, k)| k.len()).sum();
        assert_eq!(ids, 60, "each id kept once");
        merged.counted = None;
        assert_eq!(merged, one);
    }

    #[test]
    fn ids_that_are_no_hex_are_refused() {
        assert!(ids("0123456789abcdef").is_ok());
        assert!(ids("0123").is_err());
        assert!(ids("0123456789abcdeg").is_err());
    }
}
