//! Mergeable summaries of event inputs (CloudTrail, S3 access logs): who
//! and what is failing, from where, since when.
//!
//! A summary is plain counters keyed by value. Two summaries merge by
//! adding counters and widening time ranges, an associative and
//! commutative operation, so files, chunks or whole machines can be
//! summarised apart and combined in any grouping with the same result.
//!
//! Failures of calls AWS services make on a customer's behalf are counted
//! apart (`service_failures`) and left out of every breakdown, so service
//! noise (log delivery, Config, …) does not drown people's and workloads'
//! failures.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeSeq;

use crate::facts::{Fact, Facts};

/// Counts by value, in value order (serialised busiest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub BTreeMap<String, u64>);

impl Counts {
    fn add(&mut self, value: &str) {
        match self.0.get_mut(value) {
            Some(n) => *n += 1,
            None => {
                self.0.insert(value.to_string(), 1);
            }
        }
    }

    fn merge(&mut self, other: Counts) {
        for (value, n) in other.0 {
            *self.0.entry(value).or_default() += n;
        }
    }

    /// Busiest first; ties in value order, so output is deterministic.
    pub fn ranked(&self) -> Vec<(&str, u64)> {
        let mut out: Vec<(&str, u64)> = self.0.iter().map(|(v, n)| (v.as_str(), *n)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out
    }
}

/// `[{"value": …, "count": n}, …]`, busiest first: values stay values
/// (never object keys), so redaction sees them like any other string.
impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Row<'a> {
            value: &'a str,
            count: u64,
        }
        let ranked = self.ranked();
        let mut seq = serializer.serialize_seq(Some(ranked.len()))?;
        for (value, count) in ranked {
            seq.serialize_element(&Row { value, count })?;
        }
        seq.end()
    }
}

/// The cause of a failure no rule explains (throttling, missing
/// resources, validation errors, and auth failures no rule knows).
pub const NO_CAUSE: &str = "(no rule)";

/// One principal's successes and failures over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub ok: u64,
    pub failed: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub first_failure: Option<i64>,
    pub last_failure: Option<i64>,
}

impl Activity {
    fn merge(&mut self, other: &Activity) {
        self.ok += other.ok;
        self.failed += other.failed;
        self.first_seen = earliest(self.first_seen, other.first_seen);
        self.last_seen = latest(self.last_seen, other.last_seen);
        self.first_failure = earliest(self.first_failure, other.first_failure);
        self.last_failure = latest(self.last_failure, other.last_failure);
    }
}

/// What an archive (or any part of it) holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub events: u64,
    pub failures: u64,
    /// Failures of calls AWS services made on a customer's behalf; not in
    /// any breakdown below.
    pub service_failures: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Root cause (the verdict's rule id), or [`NO_CAUSE`].
    pub by_cause: Counts,
    pub by_error_code: Counts,
    pub by_principal: BTreeMap<String, Activity>,
    pub by_access_key: Counts,
    pub by_source_ip: Counts,
    pub by_user_agent: Counts,
    pub by_region: Counts,
    pub by_event_source: Counts,
    /// Failures per hour (the hour's start, UTC epoch seconds).
    #[serde(serialize_with = "hours")]
    pub failures_by_hour: BTreeMap<i64, u64>,
}

fn hours<S: serde::Serializer>(map: &BTreeMap<i64, u64>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Hour {
        hour: String,
        failures: u64,
    }
    s.collect_seq(map.iter().map(|(h, n)| Hour {
        hour: crate::time::format_iso8601(*h),
        failures: *n,
    }))
}

impl Summary {
    /// A successful event of `principal` at `time`.
    pub fn add_ok(&mut self, time: Option<i64>, principal: Option<&str>) {
        self.events += 1;
        self.widen(time);
        if let Some(p) = principal {
            let a = activity(&mut self.by_principal, p);
            a.ok += 1;
            a.first_seen = earliest(a.first_seen, time);
            a.last_seen = latest(a.last_seen, time);
        }
    }

    /// A failed event, described by its facts; `cause` is its verdict.
    pub fn add_failure(&mut self, facts: &Facts, cause: Option<&str>, by_service: bool) {
        self.events += 1;
        self.failures += 1;
        let time = facts.int(Fact::EventTime);
        self.widen(time);
        if by_service {
            self.service_failures += 1;
            return;
        }
        self.by_cause.add(cause.unwrap_or(NO_CAUSE));
        let code = facts.str(Fact::ErrorCode).map(str::to_string).or_else(|| {
            facts
                .str(Fact::ConsoleLogin)
                .map(|c| format!("ConsoleLogin {c}"))
        });
        if let Some(code) = code {
            self.by_error_code.add(&code);
        }
        let a = activity(&mut self.by_principal, principal(facts));
        a.failed += 1;
        a.first_seen = earliest(a.first_seen, time);
        a.last_seen = latest(a.last_seen, time);
        a.first_failure = earliest(a.first_failure, time);
        a.last_failure = latest(a.last_failure, time);
        let breakdowns = [
            (&mut self.by_access_key, Fact::CredentialAccessKeyId),
            (&mut self.by_source_ip, Fact::SourceIp),
            (&mut self.by_user_agent, Fact::ClientUserAgent),
            (&mut self.by_event_source, Fact::EventSource),
        ];
        for (counts, fact) in breakdowns {
            if let Some(v) = facts.str(fact) {
                counts.add(v);
            }
        }
        if let Some(region) = facts
            .str(Fact::EventRegion)
            .or(facts.str(Fact::RequestEndpointRegion))
        {
            self.by_region.add(region);
        }
        if let Some(t) = time {
            *self
                .failures_by_hour
                .entry(t - t.rem_euclid(3600))
                .or_default() += 1;
        }
    }

    /// Adds `other` into `self` (associative and commutative).
    pub fn merge(&mut self, other: Summary) {
        self.events += other.events;
        self.failures += other.failures;
        self.service_failures += other.service_failures;
        self.first_seen = earliest(self.first_seen, other.first_seen);
        self.last_seen = latest(self.last_seen, other.last_seen);
        self.by_cause.merge(other.by_cause);
        self.by_error_code.merge(other.by_error_code);
        for (p, a) in other.by_principal {
            self.by_principal.entry(p).or_default().merge(&a);
        }
        self.by_access_key.merge(other.by_access_key);
        self.by_source_ip.merge(other.by_source_ip);
        self.by_user_agent.merge(other.by_user_agent);
        self.by_region.merge(other.by_region);
        self.by_event_source.merge(other.by_event_source);
        for (h, n) in other.failures_by_hour {
            *self.failures_by_hour.entry(h).or_default() += n;
        }
    }

    /// Failures a rule explained.
    pub fn classified(&self) -> u64 {
        self.by_cause
            .0
            .iter()
            .filter(|(cause, _)| *cause != NO_CAUSE)
            .map(|(_, n)| n)
            .sum()
    }

    fn widen(&mut self, time: Option<i64>) {
        self.first_seen = earliest(self.first_seen, time);
        self.last_seen = latest(self.last_seen, time);
    }
}

/// How a summary names who made a call: the ARN, else the user name, the
/// canonical user id, or the identity type (`Root`, `AWSAccount`, …).
pub fn principal(facts: &Facts) -> &str {
    [
        Fact::IdentityArn,
        Fact::IdentityUserName,
        Fact::IdentityCanonicalId,
        Fact::IdentityType,
    ]
    .iter()
    .find_map(|f| facts.str(*f))
    .unwrap_or("anonymous")
}

/// The principal's entry, allocating its key only the first time (an
/// archive's events come from few principals).
fn activity<'m>(map: &'m mut BTreeMap<String, Activity>, principal: &str) -> &'m mut Activity {
    if !map.contains_key(principal) {
        map.insert(principal.to_string(), Activity::default());
    }
    map.get_mut(principal).expect("inserted above")
}

fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn latest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: &str, arn: &str, ip: &str, time: i64) -> Facts {
        let mut f = Facts::default();
        f.set(Fact::ErrorCode, code, None);
        f.set(Fact::IdentityArn, arn, None);
        f.set(Fact::SourceIp, ip, None);
        f.set(Fact::EventTime, time, None);
        f
    }

    fn parts() -> Vec<Summary> {
        let mut a = Summary::default();
        a.add_ok(Some(100), Some("arn:alice"));
        a.add_failure(
            &failure("AccessDenied", "arn:alice", "192.0.2.1", 4000),
            Some("authz.access-denied"),
            false,
        );
        let mut b = Summary::default();
        b.add_failure(
            &failure("AccessDenied", "arn:alice", "192.0.2.1", 7300),
            Some("authz.access-denied"),
            false,
        );
        b.add_failure(
            &failure("AccessDenied", "arn:svc", "s3.amazonaws.com", 50),
            None,
            true,
        );
        let mut c = Summary::default();
        c.add_failure(
            &failure("ExpiredToken", "arn:bob", "192.0.2.9", 3700),
            None,
            false,
        );
        c.add_ok(Some(9000), Some("arn:bob"));
        vec![a, b, c]
    }

    #[test]
    fn counts_failures_apart_from_services() {
        let mut all = Summary::default();
        for p in parts() {
            all.merge(p);
        }
        assert_eq!((all.events, all.failures, all.service_failures), (6, 4, 1));
        assert_eq!(all.classified(), 2);
        assert_eq!((all.first_seen, all.last_seen), (Some(50), Some(9000)));
        assert_eq!(
            all.by_cause.ranked(),
            [("authz.access-denied", 2), (NO_CAUSE, 1)]
        );
        assert_eq!(
            all.by_source_ip.ranked(),
            [("192.0.2.1", 2), ("192.0.2.9", 1)]
        );
        assert!(
            !all.by_principal.contains_key("arn:svc"),
            "service calls stay apart"
        );
        let alice = all.by_principal["arn:alice"];
        assert_eq!((alice.ok, alice.failed), (1, 2));
        assert_eq!(
            (alice.first_seen, alice.first_failure),
            (Some(100), Some(4000))
        );
        assert_eq!(alice.last_failure, Some(7300));
        assert_eq!(
            all.failures_by_hour.into_iter().collect::<Vec<_>>(),
            [(3600, 2), (7200, 1)]
        );
    }

    #[test]
    fn merging_is_associative_and_commutative() {
        let [a, b, c]: [Summary; 3] = parts().try_into().unwrap();
        let mut left = a.clone();
        left.merge(b.clone());
        left.merge(c.clone());
        let mut bc = b;
        bc.merge(c.clone());
        let mut right = a.clone();
        right.merge(bc);
        assert_eq!(left, right);
        let mut reversed = c;
        reversed.merge(a);
        let mut rest = parts().remove(1);
        rest.merge(reversed);
        assert_eq!(left, rest);
    }

    #[test]
    fn serialises_busiest_first_with_values_as_values() {
        let mut all = Summary::default();
        for p in parts() {
            all.merge(p);
        }
        let json = serde_json::to_value(&all).unwrap();
        assert_eq!(json["by_error_code"][0]["value"], "AccessDenied");
        assert_eq!(json["by_error_code"][0]["count"], 2);
        assert_eq!(json["failures_by_hour"][0]["hour"], "1970-01-01T01:00:00Z");
    }
}
