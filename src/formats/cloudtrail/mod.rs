//! CloudTrail records: the shapes CloudTrail events arrive in, and the few
//! fields of an event that facts use.
//!
//! Shapes, told apart by content (never by file name):
//!
//! * S3 delivery files and console downloads: `{"Records":[…]}`;
//! * bare JSON arrays of events (Grimoire, TrailDiscover, many exports);
//! * JSON Lines: one event, or one `{"Records":[…]}` batch, per line;
//! * a single event object;
//! * `aws cloudtrail lookup-events` output: `{"Events":[{…,"CloudTrailEvent":"<json>"}]}`;
//! * the envelopes of EventBridge, CloudWatch Logs (and Logs Insights) and
//!   CloudTrail Lake query results (`envelopes`);
//! * any array or `Records` document cut short: the events before the cut.
//!
//! Digest files (`CloudTrail-Digest` in the path, or a `digestStartTime` /
//! `previousDigestSignature` object) and Insight files (`CloudTrail-Insight`
//! in the path, or only `AwsCloudTrailInsight` events) are skipped.
//!
//! Events are first cut out of the text as raw JSON slices (with the line
//! each starts on), then deserialised into [`Event`], a struct of borrowed
//! strings holding only the fields facts use. The common big shapes skip
//! the first step: one-line delivery files ([`each_single_line_record`])
//! and JSON Lines ([`each_json_line`], line by line in parallel chunks).
//!
//! One file per concern: `detection` (is this CloudTrail, a file to skip,
//! when was it delivered), `event` (the borrowed [`Event`] and its parts),
//! `records` (the shapes of a whole input, and the one-pass reader of
//! delivery files) and `lines` (JSON Lines, read in parallel chunks).

mod detection;
mod envelopes;
mod event;
mod lines;
mod records;
mod split;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

pub use detection::{delivery_time, skipped_by_path, sniff};
pub use envelopes::Envelope;
pub(crate) use event::data_error;
pub use event::{
    Event, SessionAttributes, SessionContext, SessionIssuer, StrOrBool, TlsDetails, UserIdentity,
};
pub use lines::{
    JsonLines, JsonLinesRead, LinesTally, MAX_BROKEN_KEPT, each_json_line, each_json_line_of_block,
};
pub use records::{MAX_DOCUMENT_EVENTS, each_single_line_record, events};
pub use split::{Layout, Splitter, Step};

/// One event's JSON text and where it starts.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    /// The event's JSON: borrowed from the input, or decoded from
    /// lookup-events' embedded `CloudTrailEvent` string.
    pub json: Cow<'a, str>,
    /// 1-based line of the input the event starts on.
    pub line: usize,
}

/// Why a CloudTrail input was skipped rather than analyzed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// A digest file: hashes of log files, no events.
    Digest,
    /// An Insight file: unusual-activity summaries, not API calls.
    Insight,
}

impl Skip {
    /// Why the file was skipped, in words.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::Digest => "a CloudTrail digest file (hashes of log files, no events)",
            Skip::Insight => "a CloudTrail Insights file (activity summaries, no API calls)",
        }
    }
}

/// The layout an input turned out to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"Records":[…]}` (S3 delivery files, console downloads).
    Records,
    /// A bare JSON array of events.
    Array,
    /// One event, or one `{"Records":[…]}` batch, per line.
    JsonLines,
    /// A single event object.
    Single,
    /// `aws cloudtrail lookup-events` output.
    LookupEvents,
    /// Events in an envelope (EventBridge, CloudWatch Logs, CloudTrail Lake).
    Envelope(Envelope),
}

/// The events of one input, in input order.
#[derive(Debug, Clone)]
pub struct Events<'a> {
    /// The layout the input had.
    pub shape: Shape,
    /// Each event's JSON and line.
    pub items: Vec<Item<'a>>,
    /// Insight events found among the others (not analyzed).
    pub insights: usize,
    /// Where the input was cut short, if it was (a truncated export): the
    /// events before the cut are in `items`.
    pub cut: Option<String>,
}
