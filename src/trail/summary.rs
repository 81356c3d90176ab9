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
//!
//! The groups of [`Summary::findings`] (one key failing again and again,
//! …) are not batch rules: they count over every event input merged, with
//! no time window, where a batch rule sees one input's incidents.
//!
//! Length: about 650 lines of code and 200 of tests: the counters, their
//! merge and the groups belong together (each is a part of the merge).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeSeq;

use crate::facts::{Fact, Facts};
use crate::finding::Severity;

use super::counted::{
    Counted, CountedIds, NO_ERROR_CODE, breakdown_values, failure_code, in_groups,
};
pub use super::grouped::{FindingGroup, FindingGroups};

/// Distinct values a summary keeps per breakdown (access keys, addresses,
/// user agents, principals, …). Every value comes from the input, so an
/// archive with a new value per event would otherwise keep one entry per
/// event. The smallest values in value order are kept (a choice that does
/// not depend on the order inputs finish in, so merging stays associative
/// and commutative); the events of the others are counted together and
/// reported as not listed.
pub const MAX_DISTINCT_VALUES: usize = 10_000;

/// Groups of failures kept per kind (access keys, roles, …), chosen like
/// [`MAX_DISTINCT_VALUES`].
pub const MAX_GROUPS: usize = 2_000;

/// Distinct addresses, user agents and codes kept per group of failures;
/// a group's detail shows only the three busiest.
pub const MAX_GROUP_DETAIL_VALUES: usize = 1_000;

/// What a [`Capped`] map keeps per value, and how the part over its
/// limit is still counted.
pub trait Tally {
    /// What is kept of the values over the limit, all together.
    type Rest: std::fmt::Debug + Clone + Default + PartialEq + Eq;
    /// Adds `other`, of the same value, into `self`.
    fn merge(&mut self, other: Self);
    /// Adds `self`, a value over the limit, into `rest`.
    fn into_rest(self, rest: &mut Self::Rest);
    /// Adds one rest into another.
    fn merge_rest(rest: &mut Self::Rest, other: Self::Rest);
}

impl Tally for u64 {
    type Rest = u64;
    fn merge(&mut self, other: Self) {
        *self += other;
    }
    fn into_rest(self, rest: &mut u64) {
        *rest += self;
    }
    fn merge_rest(rest: &mut u64, other: u64) {
        *rest += other;
    }
}

/// A map keyed by input values that keeps at most `CAP` of them: the
/// `CAP` smallest in value order ever seen, with exact tallies, and the
/// rest tallied together. Which values are kept does not depend on the
/// order values arrive or parts merge in: a value is dropped only when
/// `CAP` smaller ones were seen, and those are seen by every merge too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capped<V: Tally, const CAP: usize> {
    kept: BTreeMap<String, V>,
    rest: V::Rest,
    /// Whether any value was over the limit.
    over: bool,
}

impl<V: Tally, const CAP: usize> Default for Capped<V, CAP> {
    fn default() -> Self {
        Capped {
            kept: BTreeMap::new(),
            rest: V::Rest::default(),
            over: false,
        }
    }
}

impl<V: Tally, const CAP: usize> Capped<V, CAP> {
    /// Updates `key`'s tally (made by `make` the first time); a key over
    /// the limit is tallied into the rest. Allocates the key only when it
    /// is new and kept.
    pub(crate) fn update(
        &mut self,
        key: &str,
        make: impl FnOnce() -> V,
        update: impl FnOnce(&mut V),
    ) {
        if let Some(v) = self.kept.get_mut(key) {
            update(v);
            return;
        }
        let mut v = make();
        update(&mut v);
        self.insert(key.to_string(), v);
    }

    /// Inserts a key known not to be kept, then drops the largest keys
    /// over the limit.
    fn insert(&mut self, key: String, v: V) {
        if self.kept.len() >= CAP
            && self
                .kept
                .last_key_value()
                .is_some_and(|(last, _)| key > *last)
        {
            self.over = true;
            v.into_rest(&mut self.rest);
            return;
        }
        self.kept.insert(key, v);
        while self.kept.len() > CAP {
            if let Some((_, dropped)) = self.kept.pop_last() {
                self.over = true;
                dropped.into_rest(&mut self.rest);
            }
        }
    }

    /// Adds `other` into `self` (associative and commutative).
    fn merge(&mut self, other: Self) {
        for (key, v) in other.kept {
            match self.kept.get_mut(&key) {
                Some(mine) => mine.merge(v),
                None => self.insert(key, v),
            }
        }
        V::merge_rest(&mut self.rest, other.rest);
        self.over |= other.over;
    }

    /// Takes one event back from `key`'s tally (`kept`), or from the rest
    /// when `key` is over the limit (`rest`); nothing when it was never
    /// tallied.
    fn take_back(&mut self, key: &str, kept: impl FnOnce(&mut V), rest: impl FnOnce(&mut V::Rest)) {
        match self.kept.get_mut(key) {
            Some(v) => kept(v),
            None if self.over => rest(&mut self.rest),
            None => {}
        }
    }

    /// The kept values, the rest and whether any value was over the
    /// limit, for a partial summary ([`super::wire`]).
    pub(crate) fn to_wire<W>(&self, each: impl Fn(&V) -> W) -> super::wire::Capped<W, V::Rest> {
        super::wire::Capped {
            kept: self
                .kept
                .iter()
                .map(|(k, v)| (k.clone(), each(v)))
                .collect(),
            rest: self.rest.clone(),
            over: self.over,
        }
    }

    /// [`Capped::to_wire`] back; kept values over this build's limit go to
    /// the rest, as they would have.
    pub(crate) fn from_wire<W>(
        wire: super::wire::Capped<W, V::Rest>,
        each: impl Fn(W) -> V,
    ) -> Self {
        let mut out = Capped {
            kept: BTreeMap::new(),
            rest: wire.rest,
            over: wire.over,
        };
        for (key, v) in wire.kept {
            if !out.kept.contains_key(&key) {
                out.insert(key, each(v));
            }
        }
        out
    }

    /// The kept values and their tallies, in value order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.kept.iter()
    }

    /// The tally of a kept value.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.kept.get(key)
    }

    /// Whether `key` is kept.
    pub fn contains_key(&self, key: &str) -> bool {
        self.kept.contains_key(key)
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether nothing was tallied at all.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty() && !self.over
    }

    /// What the values over the limit add up to, if any value was.
    pub fn not_kept(&self) -> Option<&V::Rest> {
        self.over.then_some(&self.rest)
    }
}

impl<V: Tally, const CAP: usize> std::ops::Index<&str> for Capped<V, CAP> {
    type Output = V;
    fn index(&self, key: &str) -> &V {
        &self.kept[key]
    }
}

/// Counts by value, in value order (serialised busiest first); at most
/// `CAP` values kept ([`MAX_DISTINCT_VALUES`] unless said).
pub type Counts<const CAP: usize = MAX_DISTINCT_VALUES> = Capped<u64, CAP>;

impl<const CAP: usize> Capped<u64, CAP> {
    fn add(&mut self, value: &str) {
        self.update(value, || 0, |n| *n += 1);
    }

    /// Takes back one event of `value`.
    fn take_one(&mut self, value: &str) {
        self.take_back(value, less, less);
    }

    /// Busiest first; ties in value order, so output is deterministic.
    /// Values over the limit are not among them ([`Capped::not_kept`]).
    pub fn ranked(&self) -> Vec<(&str, u64)> {
        let mut out: Vec<(&str, u64)> = self.kept.iter().map(|(v, n)| (v.as_str(), *n)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out
    }

    /// Events whose value was over the limit, `0` when none was.
    pub fn not_listed(&self) -> u64 {
        self.not_kept().copied().unwrap_or(0)
    }
}

/// What stands for the values over a limit where values are listed.
pub fn not_listed_label(limit: usize) -> String {
    format!("(values over the limit of {limit}, not listed)")
}

/// `[{"value": …, "count": n}, …]`, busiest first: values stay values
/// (never object keys), so redaction sees them like any other string.
/// Values over the limit, if any, are one last row named by
/// [`not_listed_label`].
impl<const CAP: usize> Serialize for Capped<u64, CAP> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Row<'a> {
            value: &'a str,
            count: u64,
        }
        let ranked = self.ranked();
        let label = self.over.then(|| not_listed_label(CAP));
        let mut seq = serializer.serialize_seq(Some(ranked.len() + usize::from(self.over)))?;
        for (value, count) in ranked {
            seq.serialize_element(&Row { value, count })?;
        }
        if let Some(label) = &label {
            seq.serialize_element(&Row {
                value: label,
                count: self.rest,
            })?;
        }
        seq.end()
    }
}

/// Principals and their activity, at most [`MAX_DISTINCT_VALUES`].
pub type Principals = Capped<Activity, MAX_DISTINCT_VALUES>;

impl Tally for Activity {
    type Rest = Activity;
    fn merge(&mut self, other: Self) {
        Activity::merge(self, &other);
    }
    fn into_rest(self, rest: &mut Activity) {
        rest.merge(&self);
    }
    fn merge_rest(rest: &mut Activity, other: Activity) {
        rest.merge(&other);
    }
}

/// `{principal: activity, …}` in value order; principals over the limit,
/// if any, are one last entry named by [`not_listed_label`].
impl Serialize for Principals {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.kept.len() + usize::from(self.over)))?;
        for (principal, activity) in &self.kept {
            map.serialize_entry(principal, activity)?;
        }
        if self.over {
            map.serialize_entry(&not_listed_label(MAX_DISTINCT_VALUES), &self.rest)?;
        }
        map.end()
    }
}

/// Groups of failures of one kind, at most [`MAX_GROUPS`]; the rest is
/// how many failures were in groups not kept.
pub type Groups = Capped<Group, MAX_GROUPS>;

impl Tally for Group {
    type Rest = u64;
    fn merge(&mut self, other: Self) {
        Group::merge(self, other);
    }
    fn into_rest(self, rest: &mut u64) {
        *rest += self.count;
    }
    fn merge_rest(rest: &mut u64, other: u64) {
        *rest += other;
    }
}

/// The cause of a failure no rule explains (throttling, missing
/// resources, validation errors, and auth failures no rule knows).
pub const NO_CAUSE: &str = "(no rule)";

/// One principal's successes and failures over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Activity {
    pub ok: u64,
    pub failed: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub first_failure: Option<i64>,
    pub last_failure: Option<i64>,
    /// The latest success: before `first_failure`, the principal stopped
    /// working at some point rather than failing now and then.
    pub last_ok: Option<i64>,
}

impl Activity {
    fn merge(&mut self, other: &Activity) {
        self.ok += other.ok;
        self.failed += other.failed;
        self.first_seen = earliest(self.first_seen, other.first_seen);
        self.last_seen = latest(self.last_seen, other.last_seen);
        self.first_failure = earliest(self.first_failure, other.first_failure);
        self.last_failure = latest(self.last_failure, other.last_failure);
        self.last_ok = latest(self.last_ok, other.last_ok);
    }
}

/// What an archive (or any part of it) holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Events counted: each `eventID` once, however many files hold it.
    pub events: u64,
    pub failures: u64,
    /// Failures of calls AWS services made on a customer's behalf; not in
    /// any breakdown below.
    pub service_failures: u64,
    /// Failures that are no authentication or authorization failure
    /// (throttling, missing resources, validation errors): counted by code
    /// in `by_other_error` only, never in the breakdowns below, which are
    /// about auth failures.
    pub other_errors: u64,
    /// Events met again (an `eventID` already counted, from overlapping
    /// exports or the same file read twice): not counted again.
    pub duplicates: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Root cause (the verdict's rule id), or [`NO_CAUSE`].
    pub by_cause: Counts,
    pub by_error_code: Counts,
    /// The codes of `other_errors`.
    pub by_other_error: Counts,
    pub by_principal: Principals,
    pub by_access_key: Counts,
    pub by_source_ip: Counts,
    pub by_user_agent: Counts,
    pub by_region: Counts,
    pub by_event_source: Counts,
    /// The AWS tool or SDK of failing calls, `name/version`.
    pub by_client: Counts,
    /// Failures per hour (the hour's start, UTC epoch seconds).
    #[serde(serialize_with = "hours")]
    pub failures_by_hour: BTreeMap<i64, u64>,
    /// [`Summary::failures_by_hour`] by root cause (as in `by_cause`), for
    /// the HTML report's stacked timeline: the hours of an archive times
    /// the rules in force, a few thousand entries a year.
    #[serde(skip)]
    pub causes_by_hour: BTreeMap<i64, BTreeMap<String, u64>>,
    /// Failures grouped for [`Summary::findings`]: by access key, by role
    /// and caller of AssumeRole*, by console user name, by address and
    /// code of S3 authentication failures.
    #[serde(skip)]
    pub groups: BTreeMap<GroupKind, Groups>,
    /// Auth failures grouped by root cause, principal, action and source:
    /// what the human and Markdown reports list, instead of one block per
    /// event.
    #[serde(skip)]
    pub grouped: FindingGroups,
    /// Only for partial summaries (`--format summary`): the events counted,
    /// by what they counted, so that merging parts takes back an event two
    /// parts both counted ([`super::counted`]).
    #[serde(skip)]
    pub counted: Option<CountedIds>,
}

/// What the pipeline judged a failed event to be.
#[derive(Debug, Clone, Copy)]
pub enum Failure<'a> {
    /// A call an AWS service made on a customer's behalf.
    ByService,
    /// An auth failure a rule explains: the verdict.
    Explained(Verdict<'a>),
    /// What looks like an auth failure (a denial, a sign-in or credential
    /// problem) that no rule explains.
    Unexplained,
    /// No auth failure: throttling, a missing resource, a validation error.
    Other,
}

/// The rule that explains a failure, as reports name it.
#[derive(Debug, Clone, Copy)]
pub struct Verdict<'a> {
    /// The rule id (the root cause).
    pub rule: &'a str,
    /// The rule's title.
    pub title: &'a str,
    pub severity: Severity,
}

/// Where a failed event is: its input, the line it starts on, and the
/// line of evidence that quotes it (`eventID … sts:AssumeRole AccessDenied: …`).
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub path: &'a str,
    pub line: usize,
    pub evidence: &'a str,
}

/// What a group of failures has in common.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupKind {
    /// One access key failing again and again.
    AccessKey,
    /// AssumeRole* denials of one role to one caller.
    AssumeRole,
    /// Failed console sign-ins of one user name.
    ConsoleLogin,
    /// S3 authentication failures from one address with one code.
    S3Authentication,
}

impl GroupKind {
    /// How many failures make a finding.
    fn threshold(self) -> u64 {
        match self {
            GroupKind::AccessKey => 10,
            GroupKind::AssumeRole | GroupKind::ConsoleLogin => 3,
            GroupKind::S3Authentication => 5,
        }
    }
}

/// Where an event is: its input, and its eventID or line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct Sample {
    pub time: Option<i64>,
    pub path: String,
    /// The line the event starts on.
    pub line: usize,
    /// `eventID …` for CloudTrail, `line N` for line-based logs.
    pub event: String,
}

impl Sample {
    /// Where a failed event is, as a group quotes it. Samples order by
    /// time, then place, then event: the first and last of a group are the
    /// same whatever order files are read and merged in.
    pub fn of(facts: &Facts, at: At<'_>) -> Sample {
        let id = facts.str(Fact::EventId);
        Sample {
            time: facts.int(Fact::EventTime),
            path: at.path.to_string(),
            line: at.line,
            event: id.map_or_else(|| format!("line {}", at.line), |id| format!("eventID {id}")),
        }
    }
}

/// A failed event's place as [`Sample::of`] makes it, borrowed. Every
/// failed event is offered to its groups as their first or last sample,
/// and few replace one: it is compared as it is, and made a [`Sample`]
/// (two strings) only when it does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SampleRef<'a> {
    time: Option<i64>,
    path: &'a str,
    line: usize,
    id: Option<&'a str>,
}

impl<'a> SampleRef<'a> {
    pub(crate) fn of(facts: &'a Facts, at: At<'a>) -> Self {
        SampleRef {
            time: facts.int(Fact::EventTime),
            path: at.path,
            line: at.line,
            id: facts.str(Fact::EventId),
        }
    }

    pub(crate) fn to_sample(self) -> Sample {
        Sample {
            time: self.time,
            path: self.path.to_string(),
            line: self.line,
            event: self.id.map_or_else(
                || format!("line {}", self.line),
                |id| format!("eventID {id}"),
            ),
        }
    }

    /// How the sample it makes would order against `s` (`Sample`'s order:
    /// time, path, line, event).
    pub(crate) fn cmp(&self, s: &Sample) -> std::cmp::Ordering {
        self.time
            .cmp(&s.time)
            .then_with(|| self.path.cmp(&s.path))
            .then(self.line.cmp(&s.line))
            .then_with(|| match self.id {
                Some(id) => b"eventID "
                    .iter()
                    .chain(id.as_bytes())
                    .cmp(s.event.as_bytes().iter()),
                None => format!("line {}", self.line).as_str().cmp(&s.event),
            })
    }
}

/// A group of failures: how many, the first and last, and where from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub count: u64,
    pub first: Sample,
    pub last: Sample,
    pub source_ips: Counts<MAX_GROUP_DETAIL_VALUES>,
    pub user_agents: Counts<MAX_GROUP_DETAIL_VALUES>,
    pub error_codes: Counts<MAX_GROUP_DETAIL_VALUES>,
}

impl Group {
    fn merge(&mut self, other: Group) {
        self.count += other.count;
        if other.first < self.first {
            self.first = other.first;
        }
        if other.last > self.last {
            self.last = other.last;
        }
        self.source_ips.merge(other.source_ips);
        self.user_agents.merge(other.user_agents);
        self.error_codes.merge(other.error_codes);
    }
}

/// A finding over all event inputs together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveFinding {
    pub kind: &'static str,
    pub title: String,
    /// What the failures have in common (the key, the role and caller, …).
    pub group: String,
    pub count: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Addresses, user agents and codes, busiest first.
    pub detail: String,
    /// The first and the last failure.
    pub evidence: Vec<Sample>,
}

/// Error codes with which S3 refused the credentials or the signature: the
/// shipped rules' list `s3_authentication_codes`.
fn authentication_codes() -> &'static [&'static str] {
    crate::shipped::list("s3_authentication_codes")
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
            self.by_principal.update(p, Activity::default, |a| {
                a.ok += 1;
                a.first_seen = earliest(a.first_seen, time);
                a.last_seen = latest(a.last_seen, time);
                a.last_ok = latest(a.last_ok, time);
            });
        }
    }

    /// A failed event, described by its facts; `failure` is what the
    /// pipeline judged it, `at` where it is (the first and last of a group
    /// are its evidence).
    pub fn add_failure(&mut self, facts: &Facts, failure: Failure<'_>, at: At<'_>) {
        self.events += 1;
        self.failures += 1;
        let time = facts.int(Fact::EventTime);
        self.widen(time);
        let code = failure_code(facts);
        let cause = match failure {
            Failure::ByService => {
                self.service_failures += 1;
                return;
            }
            Failure::Other => {
                self.other_errors += 1;
                self.by_other_error
                    .add(code.as_deref().unwrap_or(NO_ERROR_CODE));
                return;
            }
            Failure::Explained(verdict) => Some(verdict),
            Failure::Unexplained => None,
        };
        let cause_name = cause.map_or(NO_CAUSE, |v| v.rule);
        self.by_cause.add(cause_name);
        if let Some(code) = code {
            self.by_error_code.add(&code);
        }
        self.by_principal
            .update(principal(facts), Activity::default, |a| {
                a.failed += 1;
                a.first_seen = earliest(a.first_seen, time);
                a.last_seen = latest(a.last_seen, time);
                a.first_failure = earliest(a.first_failure, time);
                a.last_failure = latest(a.last_failure, time);
            });
        let [key, ip, agent, source, client, region] = breakdown_values(facts);
        let breakdowns = [
            (&mut self.by_access_key, key),
            (&mut self.by_source_ip, ip),
            (&mut self.by_user_agent, agent),
            (&mut self.by_event_source, source),
            (&mut self.by_client, client),
            (&mut self.by_region, region),
        ];
        for (counts, value) in breakdowns {
            if let Some(v) = value {
                counts.add(&v);
            }
        }
        if let Some(t) = time {
            *self
                .failures_by_hour
                .entry(t - t.rem_euclid(3600))
                .or_default() += 1;
            let causes = self
                .causes_by_hour
                .entry(t - t.rem_euclid(3600))
                .or_default();
            match causes.get_mut(cause_name) {
                Some(n) => *n += 1,
                None => {
                    causes.insert(cause_name.to_string(), 1);
                }
            }
        }
        self.grouped.add(facts, cause, at, true);
        if in_groups(facts, cause.is_some()) {
            for key in group_keys(facts) {
                self.group(key, facts, at, true);
            }
        }
    }

    /// An event already counted (its `eventID` was met before): counted
    /// only as a duplicate. A failed one is still offered as its groups'
    /// first or last sample, so which copy a report quotes does not
    /// depend on which file was read first.
    pub fn add_duplicate(&mut self, failed: Option<(&Facts, Failure<'_>, At<'_>)>) {
        self.duplicates += 1;
        let Some((facts, failure, at)) = failed else {
            return;
        };
        let cause = match failure {
            Failure::Explained(verdict) => Some(verdict),
            Failure::Unexplained => None,
            Failure::ByService | Failure::Other => return,
        };
        self.grouped.add(facts, cause, at, false);
        if in_groups(facts, cause.is_some()) {
            for key in group_keys(facts) {
                self.group(key, facts, at, false);
            }
        }
    }

    /// Adds a failure to its group (`count`), or only offers it as the
    /// group's first or last sample (a duplicate).
    fn group(
        &mut self,
        (kind, key): (GroupKind, Cow<'_, str>),
        facts: &Facts,
        at: At<'_>,
        count: bool,
    ) {
        let sample = SampleRef::of(facts, at);
        let new = || Group {
            count: 0,
            first: sample.to_sample(),
            last: sample.to_sample(),
            source_ips: Counts::default(),
            user_agents: Counts::default(),
            error_codes: Counts::default(),
        };
        let groups = self.groups.entry(kind).or_default();
        groups.update(key.as_ref(), new, |group| {
            if sample.cmp(&group.first).is_lt() {
                group.first = sample.to_sample();
            }
            if sample.cmp(&group.last).is_gt() {
                group.last = sample.to_sample();
            }
            if !count {
                return;
            }
            group.count += 1;
            if let Some(ip) = facts.str(Fact::SourceIp) {
                group.source_ips.add(ip);
            }
            if let Some(agent) = facts.str(Fact::ClientUserAgent) {
                group.user_agents.add(agent);
            }
            if let Some(code) = facts.str(Fact::ErrorCode) {
                group.error_codes.add(code);
            }
        });
    }

    pub fn findings(&self) -> Vec<ArchiveFinding> {
        let mut out = Vec::new();
        for ((kind, key), g) in self
            .groups
            .iter()
            .flat_map(|(kind, groups)| groups.iter().map(move |(key, g)| ((kind, key), g)))
        {
            if g.count < kind.threshold() {
                continue;
            }
            let (kind_name, title) = match kind {
                GroupKind::AccessKey => (
                    "access-key",
                    format!("Access key {key} failed {} times", g.count),
                ),
                GroupKind::AssumeRole => (
                    "assume-role",
                    format!("AssumeRole denied {} times: {key}", g.count),
                ),
                GroupKind::ConsoleLogin => (
                    "console-login",
                    if key == HIDDEN_USER {
                        format!(
                            "{} failed console sign-ins with unknown user names",
                            g.count
                        )
                    } else {
                        format!("{} failed console sign-ins of {key}", g.count)
                    },
                ),
                GroupKind::S3Authentication => (
                    "s3-authentication",
                    format!("S3 refused the credentials {} times: {key}", g.count),
                ),
            };
            out.push(ArchiveFinding {
                kind: kind_name,
                title,
                group: key.clone(),
                count: g.count,
                first_seen: g.first.time,
                last_seen: g.last.time,
                detail: [
                    ("from", &g.source_ips),
                    ("user agents", &g.user_agents),
                    ("codes", &g.error_codes),
                ]
                .iter()
                .filter(|(_, c)| !c.is_empty())
                .map(|(name, c)| format!("{name}: {}", top(c)))
                .collect::<Vec<_>>()
                .join("; "),
                evidence: vec![g.first.clone(), g.last.clone()],
            });
        }
        for (principal, a) in self.by_principal.iter() {
            let (Some(last_ok), Some(first_failure)) = (a.last_ok, a.first_failure) else {
                continue;
            };
            if a.failed >= STOPPED_AFTER && last_ok < first_failure {
                out.push(ArchiveFinding {
                    kind: "stopped-working",
                    title: format!(
                        "{principal} stopped working: every call failed from {}",
                        crate::time::format_iso8601(first_failure)
                    ),
                    group: principal.clone(),
                    count: a.failed,
                    first_seen: Some(first_failure),
                    last_seen: a.last_failure,
                    detail: format!(
                        "{} until {}, then {} and no success",
                        crate::text::counted(a.ok, "successful call"),
                        crate::time::format_iso8601(last_ok),
                        crate::text::counted(a.failed, "failure")
                    ),
                    evidence: Vec::new(),
                });
            }
        }
        out.extend(older_clients(&self.by_client));
        // Most failures first; ties in kind and group order.
        out.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.kind.cmp(b.kind))
                .then(a.group.cmp(&b.group))
        });
        out
    }

    /// Adds `other` into `self` (associative and commutative).
    pub fn merge(&mut self, other: Summary) {
        self.events += other.events;
        self.failures += other.failures;
        self.service_failures += other.service_failures;
        self.other_errors += other.other_errors;
        self.duplicates += other.duplicates;
        self.by_other_error.merge(other.by_other_error);
        self.grouped.merge(other.grouped);
        self.first_seen = earliest(self.first_seen, other.first_seen);
        self.last_seen = latest(self.last_seen, other.last_seen);
        self.by_cause.merge(other.by_cause);
        self.by_error_code.merge(other.by_error_code);
        self.by_principal.merge(other.by_principal);
        self.by_access_key.merge(other.by_access_key);
        self.by_source_ip.merge(other.by_source_ip);
        self.by_user_agent.merge(other.by_user_agent);
        self.by_region.merge(other.by_region);
        self.by_event_source.merge(other.by_event_source);
        self.by_client.merge(other.by_client);
        for (h, n) in other.failures_by_hour {
            *self.failures_by_hour.entry(h).or_default() += n;
        }
        for (h, causes) in other.causes_by_hour {
            let mine = self.causes_by_hour.entry(h).or_default();
            for (cause, n) in causes {
                *mine.entry(cause).or_default() += n;
            }
        }
        for (kind, groups) in other.groups {
            self.groups.entry(kind).or_default().merge(groups);
        }
        if let Some(counted) = other.counted {
            let mine = self.counted.get_or_insert_default();
            for (c, mut ids) in counted {
                mine.entry(c).or_default().append(&mut ids);
            }
        }
    }

    /// Keeps the event whose id hashes to `key` and what it `counted`, for
    /// a partial summary.
    pub fn record(&mut self, key: u64, counted: Counted) {
        self.counted
            .get_or_insert_default()
            .entry(counted)
            .or_default()
            .push(key);
    }

    /// Takes back what a second copy of an event `counted` (two parts both
    /// counted it): it becomes a duplicate, as it is in one run over both
    /// parts' inputs. Times and samples stay: a copy has the same.
    pub fn uncount(&mut self, counted: &Counted) {
        less(&mut self.events);
        self.duplicates += 1;
        let auth = match counted {
            Counted::Ok { principal } => {
                if let Some(p) = principal {
                    self.by_principal
                        .take_back(p, |a| less(&mut a.ok), |a| less(&mut a.ok));
                }
                return;
            }
            Counted::ByService => {
                less(&mut self.failures);
                less(&mut self.service_failures);
                return;
            }
            Counted::Other { code } => {
                less(&mut self.failures);
                less(&mut self.other_errors);
                self.by_other_error.take_one(code);
                return;
            }
            Counted::Auth(auth) => auth,
        };
        less(&mut self.failures);
        self.by_cause.take_one(&auth.cause);
        if let Some(code) = &auth.code {
            self.by_error_code.take_one(code);
        }
        self.by_principal.take_back(
            &auth.principal,
            |a| less(&mut a.failed),
            |a| less(&mut a.failed),
        );
        let breakdowns = [
            &mut self.by_access_key,
            &mut self.by_source_ip,
            &mut self.by_user_agent,
            &mut self.by_event_source,
            &mut self.by_client,
            &mut self.by_region,
        ];
        for (counts, value) in breakdowns.into_iter().zip(&auth.values) {
            if let Some(v) = value {
                counts.take_one(v);
            }
        }
        if let Some(hour) = auth.hour
            && let Some(n) = self.failures_by_hour.get_mut(&hour)
        {
            less(n);
            if *n == 0 {
                self.failures_by_hour.remove(&hour);
            }
        }
        if let Some(hour) = auth.hour
            && let Some(causes) = self.causes_by_hour.get_mut(&hour)
        {
            if let Some(n) = causes.get_mut(&auth.cause) {
                less(n);
                if *n == 0 {
                    causes.remove(&auth.cause);
                }
            }
            if causes.is_empty() {
                self.causes_by_hour.remove(&hour);
            }
        }
        self.grouped
            .take_back(&auth.grouped, |g| less(&mut g.count), less);
        let [_, ip, agent, ..] = &auth.values;
        for (kind, key) in &auth.groups {
            let Some(groups) = self.groups.get_mut(kind) else {
                continue;
            };
            let detail = |g: &mut Group| {
                less(&mut g.count);
                let values = [
                    (&mut g.source_ips, ip),
                    (&mut g.user_agents, agent),
                    (&mut g.error_codes, &auth.error_code),
                ];
                for (counts, value) in values {
                    if let Some(v) = value {
                        counts.take_one(v);
                    }
                }
            };
            groups.take_back(key, detail, less);
        }
    }

    /// Failures a rule explained.
    pub fn classified(&self) -> u64 {
        self.by_cause
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

/// CloudTrail's user name for a console sign-in with an unknown user.
const HIDDEN_USER: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// Failures after the last success that make a principal "stopped working".
const STOPPED_AFTER: u64 = 10;

/// The groups a failure belongs to.
pub(crate) fn group_keys(facts: &Facts) -> Vec<(GroupKind, Cow<'_, str>)> {
    let mut keys = Vec::new();
    if let Some(key) = facts.str(Fact::CredentialAccessKeyId) {
        keys.push((GroupKind::AccessKey, Cow::Borrowed(key)));
    }
    if facts
        .str(Fact::EventName)
        .is_some_and(|n| n.starts_with("AssumeRole"))
    {
        let role = facts
            .str(Fact::RequestRoleArn)
            .unwrap_or("(role not logged)");
        keys.push((
            GroupKind::AssumeRole,
            Cow::Owned(format!("{role} by {}", principal(facts))),
        ));
    }
    if facts.str(Fact::ConsoleLogin) == Some("Failure") {
        let user = facts.str(Fact::IdentityUserName).unwrap_or(HIDDEN_USER);
        keys.push((GroupKind::ConsoleLogin, Cow::Borrowed(user)));
    }
    // Only S3 access logs carry the signature version: CloudTrail never
    // records authentication failures.
    let from_access_log =
        facts.has(Fact::RequestSignatureVersion) || facts.has(Fact::RequestAuthType);
    if from_access_log
        && let Some(code) = facts
            .str(Fact::ErrorCode)
            .filter(|c| authentication_codes().contains(c))
    {
        let ip = facts.str(Fact::SourceIp).unwrap_or("(no address)");
        keys.push((
            GroupKind::S3Authentication,
            Cow::Owned(format!("{code} from {ip}")),
        ));
    }
    keys
}

/// Minor releases behind the newest seen that make a version "older".
const MINORS_BEHIND: u32 = 10;

/// Client versions among failing calls that are a major version, or more
/// than [`MINORS_BEHIND`] minor releases, behind the newest version of the
/// same client among them: old tools miss newer regions, endpoints and
/// credential providers (SSO, web identity) and are worth ruling out.
fn older_clients<const CAP: usize>(by_client: &Counts<CAP>) -> Vec<ArchiveFinding> {
    use crate::formats::user_agent::major_minor;
    let parsed: Vec<(&str, &str, (u32, u32), u64)> = by_client
        .iter()
        .filter_map(|(client, n)| {
            let (name, version) = client.split_once('/')?;
            Some((name, version, major_minor(version)?, *n))
        })
        .collect();
    // The newest version of each client, found in one pass (a search per
    // version was quadratic in the distinct versions of an archive). Ties
    // go to the later entry, as `max_by_key` did.
    let mut newest_of: std::collections::HashMap<&str, (&str, (u32, u32))> =
        std::collections::HashMap::new();
    for (name, version, v, _) in &parsed {
        let newest = newest_of.entry(name).or_insert((version, *v));
        if *v >= newest.1 {
            *newest = (version, *v);
        }
    }
    let mut out = Vec::new();
    for (name, version, (major, minor), n) in &parsed {
        let Some(&(newest_version, newest)) = newest_of.get(name) else {
            continue;
        };
        let behind = newest.0 > *major || (newest.0 == *major && newest.1 >= minor + MINORS_BEHIND);
        if behind {
            out.push(ArchiveFinding {
                kind: "older-client",
                title: format!("{name}/{version} among failing callers"),
                group: format!("{name}/{version}"),
                count: *n,
                first_seen: None,
                last_seen: None,
                detail: format!(
                    "{n} failures from {name}/{version}; the newest {name} among failing callers is {newest_version}: rule out the old version (missing regions, endpoints or credential providers) by upgrading it"
                ),
                evidence: Vec::new(),
            });
        }
    }
    out
}

/// The three busiest values and how many more.
fn top<const CAP: usize>(counts: &Counts<CAP>) -> String {
    let ranked = counts.ranked();
    let mut parts: Vec<String> = ranked
        .iter()
        .take(3)
        .map(|(v, n)| format!("{v} ({n})"))
        .collect();
    if ranked.len() > 3 {
        parts.push(format!("{} more", ranked.len() - 3));
    }
    if counts.not_kept().is_some() {
        parts.push(format!(
            "{} more failures with values over the limit of {CAP}",
            counts.not_listed()
        ));
    }
    parts.join(", ")
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

/// One less (never below zero: a part that lies is no reason to panic).
fn less(n: &mut u64) {
    *n = n.saturating_sub(1);
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

    #[test]
    fn a_borrowed_sample_orders_as_the_sample_it_makes() {
        let mut places = Vec::new();
        for time in [None, Some(5), Some(6)] {
            for path in ["a.json", "b.json"] {
                for line in [1, 2, 10] {
                    for id in [None, Some("e"), Some("e1"), Some("f"), Some("")] {
                        let mut facts = Facts::default();
                        if let Some(t) = time {
                            facts.set(Fact::EventTime, t, None);
                        }
                        if let Some(id) = id {
                            facts.set(Fact::EventId, id, None);
                        }
                        places.push((facts, path, line));
                    }
                }
            }
        }
        let at = |path, line| At {
            path,
            line,
            evidence: "",
        };
        for (fa, pa, la) in &places {
            let a = SampleRef::of(fa, at(pa, *la));
            for (fb, pb, lb) in &places {
                let b = Sample::of(fb, at(pb, *lb));
                assert_eq!(a.cmp(&b), a.to_sample().cmp(&b), "{a:?} against {b:?}");
            }
        }
    }

    /// A failure the rule `rule` explains.
    pub(super) fn explained(rule: Option<&str>) -> Failure<'_> {
        Failure::Explained(Verdict {
            rule: rule.unwrap_or_default(),
            title: "",
            severity: Severity::Medium,
        })
    }

    pub(super) fn at(path: &str, line: usize) -> At<'_> {
        At {
            path,
            line,
            evidence: "",
        }
    }

    fn failure(code: &str, arn: &str, ip: &str, time: i64) -> Facts {
        let mut f = Facts::default();
        f.set(Fact::CredentialAccessKeyId, "AKIAEXAMPLEKEY000001", None);
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
            explained(Some("authz.access-denied")),
            at("f.json", 1),
        );
        let mut b = Summary::default();
        b.add_failure(
            &failure("AccessDenied", "arn:alice", "192.0.2.1", 7300),
            explained(Some("authz.access-denied")),
            at("f.json", 1),
        );
        b.add_failure(
            &failure("AccessDenied", "arn:svc", "s3.amazonaws.com", 50),
            Failure::ByService,
            at("f.json", 1),
        );
        let mut c = Summary::default();
        c.add_failure(
            &failure("ExpiredToken", "arn:bob", "192.0.2.9", 3700),
            Failure::Unexplained,
            at("f.json", 1),
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
    fn capped_keeps_the_smallest_values_whatever_the_order() {
        let values: Vec<String> = (0..50).map(|i| format!("v{:02}", (i * 37) % 50)).collect();
        let mut forward = Counts::<10>::default();
        values.iter().for_each(|v| forward.add(v));
        values.iter().take(7).for_each(|v| forward.add(v));
        // The same events split in parts, merged in another order.
        let mut parts: Vec<Counts<10>> = Vec::new();
        for chunk in values.chunks(6).chain(values[..7].chunks(3)) {
            let mut c = Counts::<10>::default();
            chunk.iter().for_each(|v| c.add(v));
            parts.push(c);
        }
        let mut merged = Counts::<10>::default();
        for part in parts.into_iter().rev() {
            merged.merge(part);
        }
        assert_eq!(forward, merged);
        let kept: Vec<&str> = forward.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(
            kept,
            (0..10).map(|i| format!("v{i:02}")).collect::<Vec<_>>()
        );
        let total: u64 = forward.iter().map(|(_, n)| n).sum::<u64>() + forward.not_listed();
        assert_eq!(total, 57, "every event counted, kept or not");
        let json = serde_json::to_value(&forward).unwrap();
        let last = json.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["value"], not_listed_label(10));
        assert_eq!(last["count"], forward.not_listed());
    }

    #[test]
    fn under_the_limit_nothing_is_marked() {
        let mut c = Counts::<10>::default();
        (0..10).for_each(|i| c.add(&format!("v{i}")));
        assert_eq!(c.not_kept(), None);
        assert_eq!(
            serde_json::to_value(&c).unwrap().as_array().unwrap().len(),
            10
        );
    }

    #[test]
    fn distinct_principals_and_groups_are_bounded() {
        let mut s = Summary::default();
        for i in 0..(MAX_DISTINCT_VALUES + 500) {
            let f = super::finding_tests::event(
                &[
                    (Fact::ErrorCode, "AccessDenied"),
                    (Fact::IdentityArn, &format!("arn:aws:iam::1:user/u{i:06}")),
                    (Fact::CredentialAccessKeyId, &format!("AKIA{i:016}")),
                ],
                1000 + i as i64,
            );
            s.add_failure(&f, explained(Some("authz.access-denied")), at("p", i));
        }
        assert_eq!(s.by_principal.len(), MAX_DISTINCT_VALUES);
        assert_eq!(s.by_principal.not_kept().map(|a| a.failed), Some(500));
        assert_eq!(s.by_access_key.len(), MAX_DISTINCT_VALUES);
        assert_eq!(s.groups[&GroupKind::AccessKey].len(), MAX_GROUPS);
        assert_eq!(
            s.groups[&GroupKind::AccessKey].not_kept(),
            Some(&((MAX_DISTINCT_VALUES + 500 - MAX_GROUPS) as u64))
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

    /// The older-client search used to compare every version with every
    /// other (127 s for an archive with 800k distinct user agents).
    #[test]
    fn older_clients_are_found_in_linear_time() {
        // Over a summary's limit, to time the search itself.
        let mut clients = Counts::<300_000>::default();
        for i in 0..200_000 {
            clients.add(&format!("aws-cli/2.{}.{}", i / 1000, i % 1000));
        }
        clients.add("boto3/1.20.0");
        clients.add("boto3/1.40.1");
        let started = std::time::Instant::now();
        let found = older_clients(&clients);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        // aws-cli 2.0 … 2.189 are 10 or more minors behind 2.199.
        assert_eq!(
            found
                .iter()
                .filter(|f| f.group.starts_with("aws-cli/"))
                .count(),
            190_000
        );
        let boto: Vec<&str> = found
            .iter()
            .filter(|f| f.group.starts_with("boto3/"))
            .map(|f| f.detail.as_str())
            .collect();
        assert_eq!(boto.len(), 1);
        assert!(boto[0].contains("is 1.40.1"), "{}", boto[0]);
    }
}

#[cfg(test)]
mod finding_tests {
    use super::tests::{at, explained};
    use super::*;

    pub(super) fn event(facts: &[(Fact, &str)], time: i64) -> Facts {
        let mut f = Facts::default();
        for (fact, value) in facts {
            f.set(*fact, *value, None);
        }
        f.set(Fact::EventTime, time, None);
        f
    }

    #[test]
    fn groups_become_findings_across_parts() {
        let leaked = [
            (Fact::ErrorCode, "AccessDenied"),
            (Fact::CredentialAccessKeyId, "AKIAEXAMPLEKEY000042"),
            (
                Fact::IdentityArn,
                "arn:aws:iam::111122223333:user/reporting",
            ),
            (Fact::SourceIp, "192.0.2.200"),
            (Fact::EventId, "e"),
        ];
        let console = [
            (Fact::ConsoleLogin, "Failure"),
            (Fact::IdentityUserName, "HIDDEN_DUE_TO_SECURITY_REASONS"),
            (Fact::SourceIp, "203.0.113.9"),
        ];
        let s3 = [
            (Fact::ErrorCode, "SignatureDoesNotMatch"),
            (Fact::RequestSignatureVersion, "SigV4"),
            (Fact::SourceIp, "203.0.113.50"),
        ];
        // Split over two parts (files), merged: the same as one.
        let mut parts = [Summary::default(), Summary::default()];
        for i in 0..12 {
            let part = &mut parts[i % 2];
            part.add_ok(
                Some(i as i64),
                Some("arn:aws:iam::111122223333:user/reporting"),
            );
            let denied = Some("authz.access-denied");
            part.add_failure(
                &event(&leaked, 1000 + i as i64),
                explained(denied),
                at("a.json", 1),
            );
            // Throttling of the same key is no auth failure: not grouped.
            let mut throttled = event(&leaked, 1500);
            throttled.set(Fact::ErrorCode, "ThrottlingException", None);
            part.add_failure(&throttled, Failure::Other, at("a.json", 1));
            if i < 3 {
                part.add_failure(
                    &event(&console, 2000 + i as i64),
                    Failure::Unexplained,
                    at("b.json", 1),
                );
            }
            if i < 4 {
                let wrong = Some("credentials.wrong-secret");
                part.add_failure(
                    &event(&s3, 3000 + i as i64),
                    explained(wrong),
                    at("access.log", i + 1),
                );
            }
        }
        let [mut all, other] = parts;
        all.merge(other);
        let findings = all.findings();
        let kinds: Vec<&str> = findings.iter().map(|f| f.kind).collect();
        // 12 key failures (≥ 10), 3 unknown console users (≥ 3), a
        // principal whose every call failed after its last success (its
        // throttled calls are no failures: 12, tied with the key, and
        // ties go by kind); 4 S3 authentication failures stay under their
        // threshold (5).
        assert_eq!(kinds, ["access-key", "stopped-working", "console-login"]);
        let key = &findings[0];
        assert_eq!(key.count, 12, "auth failures only");
        assert_eq!((key.first_seen, key.last_seen), (Some(1000), Some(1011)));
        assert!(
            key.detail.contains("from: 192.0.2.200 (12)"),
            "{}",
            key.detail
        );
        assert_eq!(key.evidence[0].event, "eventID e");
        assert!(findings[2].title.contains("unknown user names"));
        assert!(
            findings[1].detail.starts_with("12 successful calls until"),
            "{}",
            findings[1].detail
        );
        assert!(
            findings[1]
                .detail
                .ends_with("then 12 failures and no success")
        );
    }
}
