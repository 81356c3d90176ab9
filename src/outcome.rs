//! What a run concluded: one [`InputReport`] per input, gathered in a
//! [`Report`].
//!
//! These types sit between the analysis that builds them
//! ([`crate::analyze`](mod@crate::analyze), [`crate::config`]) and the renderers that read them
//! ([`crate::report`]), so neither side imports the other's module. They
//! are plain data: what the process exits with is the app's decision,
//! made from [`Report::status`].

use std::borrow::Cow;

use serde::Serialize;

use crate::finding::Finding;
use crate::formats::Format;
use crate::formats::cloudtrail::Skip;
use crate::formats::own_report::OwnReport;
use crate::model::EvidenceLine;
use crate::trail::summary::Summary;

/// What an input was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAs {
    /// A log or event input, in a format sniffing tells (or the one
    /// `--input-format` named).
    Format(Format),
    /// A CloudTrail file recognised and skipped: digest and Insights files
    /// hold no API calls.
    Skipped(Skip),
    /// AWS config and credentials files, and the environment (`authsift config`).
    AwsConfig,
    /// A report authsift wrote (in the format named), not analysed: left
    /// out of the report, a note says so.
    OwnReport(OwnReport),
}

impl ReadAs {
    /// The name reports print (`aws-debug`, `cloudtrail-digest`, `aws-config`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ReadAs::Format(format) => format.as_str(),
            ReadAs::Skipped(Skip::Digest) => "cloudtrail-digest",
            ReadAs::Skipped(Skip::Insight) => "cloudtrail-insight",
            ReadAs::AwsConfig => "aws-config",
            ReadAs::OwnReport(_) => "authsift-report",
        }
    }
}

impl ReadAs {
    /// What [`ReadAs::as_str`] names `name`, if anything.
    pub fn from_name(name: &str) -> Option<ReadAs> {
        match name {
            "cloudtrail-digest" => Some(ReadAs::Skipped(Skip::Digest)),
            "cloudtrail-insight" => Some(ReadAs::Skipped(Skip::Insight)),
            "aws-config" => Some(ReadAs::AwsConfig),
            other => Format::from_name(other).map(ReadAs::Format),
        }
    }
}

impl From<Format> for ReadAs {
    fn from(format: Format) -> Self {
        ReadAs::Format(format)
    }
}

impl Serialize for ReadAs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What authsift concluded about one input.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    /// The input as reports name it (a path, or `-` for stdin).
    pub path: String,
    /// What the input was read as; `None` when it could not be read.
    pub read_as: Option<ReadAs>,
    /// Log records (or lines) read.
    pub records: usize,
    /// What the rules concluded, incident by incident, then batch findings.
    pub findings: Vec<Finding>,
    /// Failures seen that no rule explains (the line that shows each).
    pub unclassified: Vec<EvidenceLine>,
    /// Incidents that recurred past the first few of their kind: counted,
    /// not listed in `findings`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repeated: Vec<Repeated>,
    /// Why the input could not be read, if it could not.
    pub errors: Vec<String>,
    /// What was read differently from the input (lines cut at the
    /// longest kept), each naming the input: shown, but no error.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The input could not be read at all ([`InputReport::failed`]: not
    /// found, no permission, binary data, a link loop…), as opposed to
    /// read with errors in its content (an invalid CloudTrail file).
    #[serde(skip)]
    pub not_read: bool,
    /// Counts over the events of an event input (CloudTrail, S3 access logs).
    #[serde(skip)]
    pub summary: Option<crate::trail::summary::Summary>,
    /// Auth failures among the events of an event input (a rule explains
    /// them, or they look like one): reports count the inputs without.
    #[serde(skip)]
    pub auth_failures: usize,
    /// The facts of every failed CloudTrail event, in input order, kept
    /// only when asked for (`--events`: each becomes an OCSF event record).
    #[serde(skip)]
    pub failed_events: Vec<std::sync::Arc<crate::facts::Facts>>,
}

impl InputReport {
    /// An input read as `read_as`, nothing found yet.
    pub fn new(path: String, read_as: Option<ReadAs>) -> Self {
        InputReport {
            path,
            read_as,
            records: 0,
            findings: Vec::new(),
            unclassified: Vec::new(),
            repeated: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            not_read: false,
            summary: None,
            auth_failures: 0,
            failed_events: Vec::new(),
        }
    }

    /// Whether the input is a report authsift wrote (not analysed).
    pub fn is_own_report(&self) -> bool {
        matches!(self.read_as, Some(ReadAs::OwnReport(_)))
    }

    /// Whether the input was read as CloudTrail events.
    pub fn is_trail(&self) -> bool {
        self.read_as == Some(ReadAs::Format(Format::Cloudtrail))
    }

    /// Whether the input is an event input (CloudTrail, S3 access logs)
    /// that was read, if only in part: its events are in the run's summary.
    pub fn is_event_input(&self) -> bool {
        self.summary.is_some()
    }

    /// Whether the input was read as S3 server access logs.
    pub fn is_s3_access_log(&self) -> bool {
        self.read_as == Some(ReadAs::Format(Format::S3AccessLog))
    }

    /// Why the input, a CloudTrail file recognised and skipped, was skipped.
    pub fn skipped(&self) -> Option<&'static str> {
        match self.read_as {
            Some(ReadAs::Skipped(skip)) => Some(skip.as_str()),
            _ => None,
        }
    }

    /// Lets go of what a report written as inputs finish has written of
    /// this input: its findings, failures no rule explains and failed
    /// events. One finding and one unexplained failure stay, if there
    /// were any, for the run's status and notes.
    pub fn written(&mut self) {
        // The one kept is a light copy, made afresh: the original's facts
        // and strings, held to the end of the run by thousands of inputs,
        // would each keep pages of the allocator from being reused (json
        // over 5 M CloudTrail events peaked at 139 MB with them).
        let light = self.findings.first().map(|f| Finding {
            incident: f.incident,
            rule: f.rule.clone(),
            title: f.title.clone(),
            severity: f.severity,
            explanation: String::new(),
            fix: Vec::new(),
            evidence: Vec::new(),
            facts: std::sync::Arc::default(),
            signature_diff: Vec::new(),
            headline: None,
            priority: f.priority,
            batch: None,
        });
        self.findings = light.into_iter().collect();
        self.unclassified = self.unclassified.first().cloned().into_iter().collect();
        self.failed_events = Vec::new();
    }

    /// An input that could not be read, and why.
    pub fn failed(path: String, error: String) -> Self {
        InputReport {
            errors: vec![error],
            not_read: true,
            ..InputReport::new(path, None)
        }
    }
}

/// Incidents like one listed (the same causes, the same failure line)
/// past the first few of an input: counted, not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repeated {
    /// The first of them, listed in the findings.
    pub incident: usize,
    /// How many more there were.
    pub more: usize,
    /// The failure line of the last.
    pub last_line: usize,
}

/// Everything one run of authsift found, inputs in command-line order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One report per input.
    pub inputs: Vec<InputReport>,
    /// CloudTrail files not opened: their S3 key says they were delivered
    /// before `--since`, so every event in them is older.
    #[serde(skip)]
    pub not_opened: usize,
    /// The event inputs' summaries, merged as each input finished (inputs
    /// then keep an empty one as a marker), so memory does not grow with
    /// the number of files.
    #[serde(skip)]
    pub merged: Option<crate::trail::summary::Summary>,
}

impl InputReport {
    /// A log with a failure no rule explains: never a clean bill (exit 1).
    /// Event inputs (CloudTrail, S3 access logs) are not counted: their
    /// errors that are no auth failure (`NoSuchKey`) are ordinary.
    pub fn has_unexplained_failure(&self) -> bool {
        !self.unclassified.is_empty() && !self.is_trail()
    }
}

impl Report {
    /// What the run found: an input that could not be read comes first
    /// (findings of the others still count, but the status says so), then
    /// any classified failure, in an input's findings or an event summary.
    pub fn status(&self) -> Status {
        self.status_named(|_| true)
    }

    /// [`Report::status`], where only the inputs `named` (by path) were
    /// asked for by name: a file found by walking a directory that could
    /// not be read at all (binary data, a symbolic link loop, no
    /// permission) is a warning that does not hide a failure found
    /// elsewhere; it makes the status [`Status::Unreadable`] only when
    /// nothing was found. A named input, or a walked one read with errors
    /// in its content, makes it so whatever else was found.
    pub fn status_named(&self, named: impl Fn(&str) -> bool) -> Status {
        let warning = |i: &InputReport| i.not_read && !named(&i.path);
        let unreadable = |warnings: bool| {
            self.inputs
                .iter()
                .any(|i| !i.errors.is_empty() && warning(i) == warnings)
        };
        if unreadable(false) {
            Status::Unreadable
        } else if self
            .inputs
            .iter()
            .any(|i| !i.findings.is_empty() || i.has_unexplained_failure())
            || self.summary().is_some_and(|s| s.classified() > 0)
        {
            Status::Found
        } else if unreadable(true) {
            Status::Unreadable
        } else {
            Status::Clean
        }
    }

    /// The event inputs' summaries merged, if any input had one. Borrowed
    /// when they were merged as inputs finished (the inputs then keep
    /// empty ones): a summary is never copied whole for a report.
    pub fn summary(&self) -> Option<Cow<'_, Summary>> {
        let empty = Summary::default();
        let mut parts = self
            .inputs
            .iter()
            .filter_map(|i| i.summary.as_ref())
            .filter(|s| **s != empty)
            .peekable();
        if parts.peek().is_none() {
            let marked = self.inputs.iter().any(|i| i.summary.is_some());
            return match &self.merged {
                Some(merged) => Some(Cow::Borrowed(merged)),
                None => marked.then_some(Cow::Owned(empty)),
            };
        }
        let mut all = self.merged.clone().unwrap_or_default();
        for part in parts {
            all.merge(part.clone());
        }
        Some(Cow::Owned(all))
    }
}

/// What a run found, in the terms its exit status reports (the app maps it
/// to 0 / 1 / 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything was read; no failure found.
    Clean,
    /// At least one failure classified.
    Found,
    /// An input could not be read.
    Unreadable,
}
