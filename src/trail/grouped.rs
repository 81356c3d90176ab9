//! Auth failures grouped by what they have in common: one root cause, one
//! principal, one action (or role), one source address. 4,465 AssumeRole
//! denials of one role to one caller are one group with a count, the first
//! and last failure and a sample's evidence line, not 4,465 findings.
//!
//! The groups are part of [`Summary`](super::summary::Summary): kept like
//! its other breakdowns (at most [`MAX_GROUPS`], the smallest keys), and
//! merged the same way, so files and chunks can be grouped apart and
//! combined in any order with the same result.

use crate::facts::{Fact, Facts};
use crate::finding::Severity;

use super::summary::{
    At, Capped, MAX_GROUPS, NO_CAUSE, Sample, SampleRef, Tally, Verdict, principal,
};

/// Auth failures by (cause, principal, action, source), at most
/// [`MAX_GROUPS`]; the rest is how many failures were in groups not kept.
pub type FindingGroups = Capped<FindingGroup, MAX_GROUPS>;

/// Failures with one root cause, principal, action and source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FindingGroup {
    /// The verdict's rule id, or [`NO_CAUSE`].
    pub cause: String,
    /// The rule's title (empty for [`NO_CAUSE`]).
    pub title: String,
    /// The rule's severity; `None` when no rule explains the failures.
    pub severity: Option<Severity>,
    /// Who failed (ARN, else user name, …; `anonymous`).
    pub principal: String,
    /// What was refused: `service:Operation`, and the role for AssumeRole*.
    pub action: String,
    /// Where from: the source address, or `(no address)`.
    pub source: String,
    /// Failures in the group (each event once).
    pub count: u64,
    /// The earliest failure (time, then input and line).
    pub first: Sample,
    /// The latest failure.
    pub last: Sample,
    /// The first failure's evidence line.
    pub evidence: String,
}

impl Tally for FindingGroup {
    type Rest = u64;
    fn merge(&mut self, other: Self) {
        self.count += other.count;
        if other.first < self.first {
            self.first = other.first;
            self.evidence = other.evidence;
        }
        if other.last > self.last {
            self.last = other.last;
        }
    }
    fn into_rest(self, rest: &mut u64) {
        *rest += self.count;
    }
    fn merge_rest(rest: &mut u64, other: u64) {
        *rest += other;
    }
}

impl FindingGroup {
    /// How much a group matters, most first: a rule's severity (a failure
    /// no rule explains ranks between medium and low: it needs a look), then
    /// the number of failures.
    pub fn rank(&self) -> (u8, u64) {
        let severity = match self.severity {
            Some(Severity::High) => 4,
            Some(Severity::Medium) => 3,
            None => 2,
            Some(Severity::Low) => 1,
        };
        (severity, self.count)
    }
}

impl FindingGroups {
    /// Adds a failure to its group (`count`), or only offers it as the
    /// group's first or last sample (a duplicate of a counted event).
    pub(crate) fn add(
        &mut self,
        facts: &Facts,
        cause: Option<Verdict<'_>>,
        at: At<'_>,
        count: bool,
    ) {
        let rule = cause.map_or(NO_CAUSE, |v| v.rule);
        let who = principal(facts);
        let action = action(facts);
        let source = facts.str(Fact::SourceIp).unwrap_or(NO_ADDRESS);
        let key = key_of(rule, who, &action, source);
        let sample = SampleRef::of(facts, at);
        let new = || FindingGroup {
            cause: rule.to_string(),
            title: cause.map_or(String::new(), |v| v.title.to_string()),
            severity: cause.map(|v| v.severity),
            principal: who.to_string(),
            action: action.clone(),
            source: source.to_string(),
            count: 0,
            first: sample.to_sample(),
            last: sample.to_sample(),
            evidence: at.evidence.to_string(),
        };
        self.update(&key, new, |group| {
            if sample.cmp(&group.first).is_lt() {
                group.first = sample.to_sample();
                group.evidence = at.evidence.to_string();
            }
            if sample.cmp(&group.last).is_gt() {
                group.last = sample.to_sample();
            }
            if count {
                group.count += 1;
            }
        });
    }

    /// The groups most important first ([`FindingGroup::rank`]); ties in
    /// key order, so output is deterministic.
    pub fn ranked(&self) -> Vec<&FindingGroup> {
        let mut out: Vec<&FindingGroup> = self.iter().map(|(_, g)| g).collect();
        out.sort_by_key(|g| std::cmp::Reverse(g.rank()));
        out
    }
}

/// Where a failure has no source address.
const NO_ADDRESS: &str = "(no address)";

/// The key of the group of a failure with root cause `rule`: cause,
/// principal, action and source.
pub(crate) fn grouped_key(facts: &Facts, rule: &str) -> String {
    let source = facts.str(Fact::SourceIp).unwrap_or(NO_ADDRESS);
    key_of(rule, principal(facts), &action(facts), source)
}

fn key_of(rule: &str, who: &str, action: &str, source: &str) -> String {
    format!("{rule}\u{1f}{who}\u{1f}{action}\u{1f}{source}")
}

/// `sts:AssumeRole arn:aws:iam::…:role/x`, `s3:GetObject`, or the
/// operation alone when the service is not known.
fn action(facts: &Facts) -> String {
    let operation = facts
        .str(Fact::EventName)
        .or(facts.str(Fact::RequestOperation))
        .unwrap_or("?");
    let mut action = match facts.str(Fact::RequestService) {
        Some(service) => format!("{service}:{operation}"),
        None => operation.to_string(),
    };
    if let Some(role) = facts.str(Fact::RequestRoleArn) {
        action.push(' ');
        action.push_str(role);
    }
    action
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::summary::{Failure, Summary};

    fn denial(role: &str, ip: &str, time: i64, id: &str) -> Facts {
        let mut f = Facts::default();
        f.set(Fact::ErrorCode, "AccessDenied", None);
        f.set(Fact::EventName, "AssumeRole", None);
        f.set(Fact::RequestService, "sts", None);
        f.set(Fact::RequestRoleArn, role, None);
        f.set(Fact::IdentityArn, "arn:aws:iam::111122223333:user/ci", None);
        f.set(Fact::SourceIp, ip, None);
        f.set(Fact::EventTime, time, None);
        f.set(Fact::EventId, id, None);
        f
    }

    const DENIED: Verdict<'static> = Verdict {
        rule: "role.assume-denied",
        title: "Assuming the role was denied",
        severity: Severity::High,
    };

    fn at(path: &str) -> At<'_> {
        At {
            path,
            line: 1,
            evidence: path,
        }
    }

    #[test]
    fn one_group_per_cause_principal_action_and_source() {
        let mut s = Summary::default();
        for i in 0..5 {
            let f = denial("arn:aws:iam::1:role/prod", "192.0.2.1", 100 - i, "e");
            s.add_failure(&f, Failure::Explained(DENIED), at("a.json"));
        }
        let other = denial("arn:aws:iam::1:role/prod", "192.0.2.2", 50, "x");
        s.add_failure(&other, Failure::Explained(DENIED), at("b.json"));
        let ranked = s.grouped.ranked();
        assert_eq!(ranked.len(), 2);
        assert_eq!(ranked[0].count, 5);
        assert_eq!(ranked[0].action, "sts:AssumeRole arn:aws:iam::1:role/prod");
        assert_eq!(
            (ranked[0].first.time, ranked[0].last.time),
            (Some(96), Some(100))
        );
        assert_eq!(ranked[1].source, "192.0.2.2");
    }

    #[test]
    fn a_duplicate_counts_once_and_the_sample_does_not_depend_on_read_order() {
        let f = denial("arn:aws:iam::1:role/prod", "192.0.2.1", 100, "e");
        let fail = Failure::Explained(DENIED);
        // Read "b" first, then "a" (a duplicate); and the other way round.
        let mut one = Summary::default();
        one.add_failure(&f, fail, at("b.json"));
        let mut dup = Summary::default();
        dup.add_duplicate(Some((&f, fail, at("a.json"))));
        one.merge(dup);
        let mut two = Summary::default();
        two.add_failure(&f, fail, at("a.json"));
        let mut dup = Summary::default();
        dup.add_duplicate(Some((&f, fail, at("b.json"))));
        two.merge(dup);
        assert_eq!(one, two);
        assert_eq!((one.events, one.duplicates), (1, 1));
        let group = one.grouped.ranked()[0];
        assert_eq!((group.count, group.first.path.as_str()), (1, "a.json"));
        assert_eq!(group.evidence, "a.json");
    }

    #[test]
    fn high_severity_first_then_unexplained_then_count() {
        let mut s = Summary::default();
        let low = Verdict {
            rule: "cli.outdated",
            title: "old",
            severity: Severity::Low,
        };
        for i in 0..9 {
            let f = denial("r", "192.0.2.9", i, "l");
            s.add_failure(&f, Failure::Explained(low), at("a"));
        }
        let f = denial("r", "192.0.2.8", 1, "u");
        s.add_failure(&f, Failure::Unexplained, at("a"));
        let f = denial("r", "192.0.2.7", 1, "h");
        s.add_failure(&f, Failure::Explained(DENIED), at("a"));
        let causes: Vec<&str> = s
            .grouped
            .ranked()
            .iter()
            .map(|g| g.cause.as_str())
            .collect();
        assert_eq!(causes, ["role.assume-denied", NO_CAUSE, "cli.outdated"]);
    }
}
