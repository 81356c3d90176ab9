//! Event inputs (CloudTrail, S3 server access logs): events → incidents →
//! findings, one input at a time.
//!
//! Every event that failed (an `errorCode`, a ConsoleLogin `Failure`, a
//! refused S3 request) is an incident the rules see, with its own facts;
//! successful events are counted as records only. Events are independent,
//! so they are turned into findings in parallel and reassembled in input
//! order. Counting them is [`crate::trail::summary`]'s job: this module
//! feeds it.
//!
//! CloudTrail cannot show authentication failures: it does not deliver
//! requests whose credentials AWS could not verify
//! ([`crate::trail::NOT_RECORDED`]).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::facts::{self, Fact, Facts};
use crate::finding::{Finding, Severity};
use crate::formats::Format;
use crate::formats::cloudtrail::{self, Event, JsonLinesRead, data_error};
use crate::formats::s3_access;
use crate::model::EvidenceLine;
use crate::outcome::{InputReport, ReadAs};
use crate::rules::RuleSet;
use crate::time::{self, Window};
use crate::trail::counted::Counted;
use crate::trail::summary::{At, Failure, Summary, Verdict};

mod s3_incident;
mod seen;
mod stream;
mod trail_incident;

pub use seen::Seen;
pub use stream::{STREAM_FROM, cloudtrail_file};

use s3_incident::s3_access_incident;
use trail_incident::trail_incident;

/// How event inputs are read.
#[derive(Debug, Clone)]
pub struct EventOptions {
    /// Only events in this window.
    pub window: Window,
    /// Keep every event's findings (reports that list them), or only count
    /// them in the summary (reports that summarise).
    pub keep_findings: bool,
    /// Keep the facts of every failed CloudTrail event
    /// ([`InputReport::failed_events`]), for reports that list the events.
    pub keep_events: bool,
    /// The `eventID`s met so far in the run, shared by every input: an
    /// event met again is counted once (its input still lists it).
    pub seen: Arc<Seen>,
    /// Keep, in the summary, what each counted event with an id counted
    /// (`Summary::counted`): a partial summary needs it to be merged.
    pub record_ids: bool,
}

impl Default for EventOptions {
    fn default() -> Self {
        EventOptions {
            window: Window::default(),
            keep_findings: true,
            keep_events: false,
            seen: Arc::default(),
            record_ids: false,
        }
    }
}

/// One event's outcome, before incidents are numbered.
enum Outcome<'a> {
    Ok {
        time: Option<i64>,
        /// `None` for calls of AWS services, which summaries leave out.
        principal: Option<Cow<'a, str>>,
        /// The `eventID`, to count each event once.
        id: Option<&'a str>,
    },
    /// Outside the `--since`/`--until` window: not counted at all.
    Outside,
    Failed {
        incident: facts::Incident,
        /// Empty when reports do not list events' findings.
        findings: Vec<Finding>,
        /// The verdict's rule: its id, title and severity.
        cause: Option<(String, String, Severity)>,
        by_service: bool,
    },
    Unreadable(String),
}

/// Analyzes one CloudTrail input (already decompressed and decoded).
pub fn cloudtrail(path: &str, text: &str, rules: &RuleSet, options: &EventOptions) -> InputReport {
    let mut report = InputReport::new(path.to_string(), Some(Format::Cloudtrail.into()));
    if let Some(skip) = cloudtrail::skipped_by_path(path) {
        report.read_as = Some(ReadAs::Skipped(skip));
        return report;
    }
    // A delivery file is one line: its events parse in one pass, with no
    // line numbers to find, each folded in as it is read. Anything else (or
    // any surprise, such as a record that is not CloudTrail's) takes the
    // general path, which also explains what is wrong.
    let mut fold = Fold::new(
        path,
        rules,
        options.keep_events,
        options,
        Default::default(),
    );
    let mut clean = true;
    let read = cloudtrail::each_single_line_record(text, |event| {
        if clean {
            match event_outcome(event, 1, rules, options) {
                Outcome::Unreadable(_) => clean = false,
                outcome => fold.add(outcome),
            }
        }
    });
    if read.is_some() && fold.events > 0 && clean {
        fold.finish(&mut report);
        return report;
    }
    // JSON Lines are read line by line, in parallel chunks, folded chunk by
    // chunk; other shapes (or JSON Lines with a surprise) are cut into
    // events first, then folded a window of events at a time.
    let mine = fold.discard();
    let mut fold = Fold::new(path, rules, options.keep_events, options, mine);
    let lines = cloudtrail::each_json_line(
        text,
        |event, line| parsed_outcome(event, line, rules, options),
        |outcomes| outcomes.into_iter().for_each(|o| fold.add(o)),
    );
    let (fold, broken, cut) = match lines {
        JsonLinesRead::Lines(lines) => (fold, lines, None),
        read => {
            let fold = fold;
            let read = match read {
                JsonLinesRead::Skipped(skip) => Ok(Err(skip)),
                JsonLinesRead::Unreadable(message) => Err(message),
                _ => cloudtrail::events(text),
            };
            let events = match read {
                Ok(Ok(events)) => events,
                Ok(Err(skip)) => {
                    report.read_as = Some(ReadAs::Skipped(skip));
                    return report;
                }
                Err(message) => {
                    report.read_as = None;
                    report.errors.push(format!("{path}: {message}"));
                    return report;
                }
            };
            let mine = fold.discard();
            let mut fold = Fold::new(path, rules, options.keep_events, options, mine);
            for window in events.items.chunks(FOLD_WINDOW) {
                let outcomes: Vec<Outcome> = window
                    .par_iter()
                    .map(|item| {
                        Event::parse_then(&item.json, |event| {
                            parsed_outcome(event, item.line, rules, options)
                        })
                    })
                    .collect();
                outcomes.into_iter().for_each(|o| fold.add(o));
            }
            (fold, cloudtrail::JsonLines::default(), events.cut)
        }
    };
    if let Some(cut) = cut {
        report.errors.push(format!("{path}: {cut}"));
    }
    let count = fold.events;
    let unreadable = fold.finish(&mut report);
    if let Some(first) = broken.broken.first() {
        report.errors.push(format!(
            "{path}: {} broken line(s) were skipped (first: {first})",
            broken.broken_lines
        ));
    }
    report_unreadable(&mut report, path, count, unreadable);
    report
}

/// Says what was not CloudTrail among the `count` events of an input: all
/// of them (the input is no CloudTrail), or some, skipped.
fn report_unreadable(report: &mut InputReport, path: &str, count: usize, unreadable: Unreadable) {
    if unreadable.count > 0 && unreadable.count == count {
        report.read_as = None;
        report.errors.push(format!(
            "{path}: JSON, but not CloudTrail records (first: {})",
            unreadable.first.unwrap_or_default()
        ));
    } else if let Some(first) = unreadable.first {
        report.errors.push(format!(
            "{path}: {} event(s) are not CloudTrail records and were skipped (first: {first})",
            unreadable.count
        ));
    }
}

/// The outcome of an event as deserialised, or why it is no event.
fn parsed_outcome<'a>(
    event: Result<&Event<'a>, serde_json::Error>,
    line: usize,
    rules: &RuleSet,
    options: &EventOptions,
) -> Outcome<'a> {
    match event {
        Ok(event) => event_outcome(event, line, rules, options),
        Err(e) => Outcome::Unreadable(data_error(&e, line)),
    }
}

/// One CloudTrail event's outcome; `line` is where it starts.
fn event_outcome<'a>(
    event: &Event<'a>,
    line: usize,
    rules: &RuleSet,
    options: &EventOptions,
) -> Outcome<'a> {
    if !event.is_cloudtrail() {
        return Outcome::Unreadable(format!(
            "line {line}: no eventSource/eventName/eventTime of a CloudTrail record{}",
            event
                .event_source
                .as_deref()
                .map(|s| format!(" (eventSource `{s}`)"))
                .unwrap_or_default()
        ));
    }
    let time = event.event_time.as_deref().and_then(time::parse_iso8601);
    if !options.window.contains(time) {
        return Outcome::Outside;
    }
    match trail_incident(event, line) {
        Some(incident) => failed(incident, event.by_aws_service(), rules, options),
        None => Outcome::Ok {
            time,
            principal: (!event.by_aws_service())
                .then(|| event.principal())
                .flatten(),
            id: event.event_id.as_ref().and_then(|id| match id {
                Cow::Borrowed(id) => Some(*id),
                // An id with escapes in it: too rare to count apart.
                Cow::Owned(_) => None,
            }),
        },
    }
}

/// A failed event's outcome: its findings when reports list them, else
/// only its verdict, for the summary (building findings that are never
/// shown is most of the cost of a failure).
fn failed<'a>(
    incident: facts::Incident,
    by_service: bool,
    rules: &RuleSet,
    options: &EventOptions,
) -> Outcome<'a> {
    let (findings, cause) = if options.keep_findings {
        let findings = rules.evaluate(&incident, 0);
        let cause = findings
            .first()
            .map(|f| (f.rule.clone(), f.title.clone(), f.severity));
        (findings, cause)
    } else {
        let rule = rules.verdict_rule(&incident.facts);
        let cause = rule.map(|r| {
            (
                r.cause().to_string(),
                r.title_for(&incident.facts),
                r.severity,
            )
        });
        (Vec::new(), cause)
    };
    Outcome::Failed {
        incident,
        findings,
        cause,
        by_service,
    }
}

/// Analyzes one S3 server access log: every line a request, every refused
/// request an incident. Lines that are not records are reported (with
/// their line number) and skipped; the rest is still analyzed.
pub fn s3_access(path: &str, text: &str, rules: &RuleSet, options: &EventOptions) -> InputReport {
    let window = options.window;
    let mut report = InputReport::new(path.to_string(), Some(Format::S3AccessLog.into()));
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .peekable();
    // A window of lines at a time: memory holds one window's outcomes,
    // whatever the size of the log.
    let mut fold = Fold::new(path, rules, false, options, Default::default());
    while lines.peek().is_some() {
        let batch: Vec<(usize, &str)> = lines.by_ref().take(FOLD_WINDOW).collect();
        let outcomes: Vec<Outcome> = batch
            .par_iter()
            .map(|(line, text)| match s3_access::parse_line(text) {
                Ok(record) if !window.contains(record.epoch()) => Outcome::Outside,
                Ok(record) => match s3_access_incident(&record, *line, text) {
                    Some(incident) => {
                        let by_service =
                            incident.facts.bool(Fact::IdentityAwsService) == Some(true);
                        failed(incident, by_service, rules, options)
                    }
                    None => Outcome::Ok {
                        id: None,
                        time: record.epoch(),
                        principal: record
                            .requester
                            .filter(|r| !r.starts_with("svc:"))
                            .or(Some("anonymous"))
                            .map(Cow::Borrowed),
                    },
                },
                Err(e) => Outcome::Unreadable(format!("line {line}: {e}")),
            })
            .collect();
        outcomes.into_iter().for_each(|o| fold.add(o));
    }
    let unreadable = fold.finish(&mut report);
    if let Some(first) = unreadable.first {
        report.errors.push(format!(
            "{path}: {} line(s) are not S3 access log records and were skipped (first: {first})",
            unreadable.count
        ));
    }
    report
}

/// Events are turned into outcomes in parallel this many at a time, then
/// folded: memory holds one window of outcomes, never one per event.
const FOLD_WINDOW: usize = 1 << 16;

/// Unreadable events: how many, and the first one's message.
#[derive(Default)]
struct Unreadable {
    count: usize,
    first: Option<String>,
}

/// Every event's outcome, added in input order: incidents numbered, every
/// event counted in the summary; [`Fold::finish`] puts it all in the
/// report and runs the batch rules over all of it.
struct Fold<'a> {
    path: &'a str,
    rules: &'a RuleSet,
    seen: &'a Seen,
    record_ids: bool,
    /// Whether the input may be read again another way ([`Fold::discard`]):
    /// only then are the ids it was first to meet kept.
    discardable: bool,
    /// The ids this fold was first to meet, for [`Fold::discard`].
    inserted: Vec<u64>,
    /// Ids a discarded fold of the same input met first: still new here.
    mine: HashSet<u64>,
    keep_facts: bool,
    keep_events: bool,
    failed_events: Vec<Arc<Facts>>,
    /// Outcomes added, of any kind.
    events: usize,
    records: usize,
    incidents: usize,
    auth_failures: usize,
    findings: Vec<Finding>,
    unclassified: Vec<EvidenceLine>,
    batch_inputs: Vec<(Arc<Facts>, Option<EvidenceLine>)>,
    summary: Summary,
    unreadable: Unreadable,
}

impl<'a> Fold<'a> {
    fn new(
        path: &'a str,
        rules: &'a RuleSet,
        keep_events: bool,
        options: &'a EventOptions,
        mine: HashSet<u64>,
    ) -> Self {
        Fold {
            path,
            rules,
            seen: &options.seen,
            record_ids: options.record_ids,
            discardable: true,
            inserted: Vec::new(),
            mine,
            keep_facts: rules.has_batch_rules(),
            keep_events,
            failed_events: Vec::new(),
            events: 0,
            records: 0,
            incidents: 0,
            auth_failures: 0,
            findings: Vec::new(),
            unclassified: Vec::new(),
            batch_inputs: Vec::new(),
            summary: Summary::default(),
            unreadable: Unreadable::default(),
        }
    }

    /// Whether the event `id` is met for the first time in the run
    /// (events without an id always are).
    fn first(&mut self, id: Option<&str>) -> bool {
        let Some(id) = id else { return true };
        let key = Seen::key(id);
        if self.seen.insert(key) {
            if self.discardable {
                self.inserted.push(key);
            }
            return true;
        }
        self.mine.remove(&key)
    }

    /// Drops a fold whose input is read again another way: the ids it was
    /// first to meet are still new to the next fold of that input.
    fn discard(mut self) -> HashSet<u64> {
        self.mine.extend(self.inserted);
        self.mine
    }

    fn add(&mut self, outcome: Outcome<'_>) {
        self.events += 1;
        match outcome {
            Outcome::Ok {
                time,
                principal,
                id,
            } => {
                self.records += 1;
                match self.first(id) {
                    true => {
                        self.summary.add_ok(time, principal.as_deref());
                        if self.record_ids
                            && let Some(id) = id
                        {
                            let counted = Counted::ok(principal.as_deref());
                            self.summary.record(Seen::key(id), counted);
                        }
                    }
                    false => self.summary.add_duplicate(None),
                }
            }
            Outcome::Outside => {}
            Outcome::Unreadable(message) => {
                self.unreadable.count += 1;
                self.unreadable.first.get_or_insert(message);
            }
            Outcome::Failed {
                incident,
                mut findings,
                cause,
                by_service,
            } => {
                self.records += 1;
                let facts = &incident.facts;
                let auth = cause.is_some() || looks_like_auth_failure(facts);
                let failure = match &cause {
                    _ if by_service => Failure::ByService,
                    Some((rule, title, severity)) => Failure::Explained(Verdict {
                        rule,
                        title,
                        severity: *severity,
                    }),
                    None if auth => Failure::Unexplained,
                    None => Failure::Other,
                };
                let at = At {
                    path: self.path,
                    line: incident.headline.as_ref().map_or(0, |h| h.line),
                    evidence: incident.headline.as_ref().map_or("", |h| &h.text),
                };
                let id = facts.str(Fact::EventId);
                match self.first(id) {
                    true => {
                        self.summary.add_failure(facts, failure, at);
                        if self.record_ids
                            && let Some(id) = id
                        {
                            let counted = Counted::failure(facts, failure);
                            self.summary.record(Seen::key(id), counted);
                        }
                    }
                    false => self.summary.add_duplicate(Some((facts, failure, at))),
                }
                if matches!(failure, Failure::Explained(_) | Failure::Unexplained) {
                    self.auth_failures += 1;
                }
                if matches!(failure, Failure::Unexplained) {
                    self.unclassified.extend(incident.headline.clone());
                }
                for f in &mut findings {
                    f.incident = self.incidents;
                }
                if self.keep_events {
                    self.failed_events.push(incident.facts.clone());
                }
                if self.keep_facts {
                    self.batch_inputs
                        .push((incident.facts.clone(), incident.headline.clone()));
                }
                self.findings.append(&mut findings);
                self.incidents += 1;
            }
        }
    }

    /// Puts everything into `report`; returns the unreadable events.
    fn finish(mut self, report: &mut InputReport) -> Unreadable {
        report.records += self.records;
        report.auth_failures += self.auth_failures;
        report.findings.append(&mut self.findings);
        report.unclassified.append(&mut self.unclassified);
        report.failed_events.append(&mut self.failed_events);
        report
            .findings
            .extend(self.rules.evaluate_batch(&self.batch_inputs));
        report.summary = Some(self.summary);
        self.unreadable
    }
}

/// Failures worth listing when no rule explains them: denials, sign-in and
/// credential problems. Throttling, missing resources and validation errors
/// are incidents rules can see, but not auth failures to report.
fn looks_like_auth_failure(facts: &Facts) -> bool {
    if facts.str(Fact::ConsoleLogin) == Some("Failure") {
        return true;
    }
    let code = facts.str(Fact::ErrorCode).unwrap_or("");
    let message = facts.str(Fact::ErrorMessage).unwrap_or("");
    const CODE_WORDS: &[&str] = &[
        "Denied",
        "Unauthorized",
        "NotAuthorized",
        "Forbidden",
        "Auth",
        "Token",
        "Signature",
        "Credential",
        "Mfa",
        "MFA",
        "AccessKey",
        "Skewed",
        "Expired",
    ];
    CODE_WORDS.iter().any(|w| code.contains(w))
        || message.contains("not authorized")
        || message.contains("Failed authentication")
}

/// The AWS tool or SDK a user agent names (`client.name`, `client.version`).
fn add_client_facts(facts: &mut Facts, user_agent: &str, line: Option<&EvidenceLine>) {
    if let Some((name, version)) = crate::formats::user_agent::client(user_agent) {
        facts.set(Fact::ClientName, name, line);
        facts.set(Fact::ClientVersion, version, line);
    }
}
