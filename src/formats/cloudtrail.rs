//! CloudTrail records: the shapes CloudTrail events arrive in, and the few
//! fields of an event that facts use.
//!
//! Shapes, told apart by content (never by file name):
//!
//! * S3 delivery files and console downloads: `{"Records":[…]}`;
//! * bare JSON arrays of events (Grimoire, TrailDiscover, many exports);
//! * JSON Lines: one event, or one `{"Records":[…]}` batch, per line;
//! * a single event object;
//! * `aws cloudtrail lookup-events` output: `{"Events":[{…,"CloudTrailEvent":"<json>"}]}`.
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
//! Length: about 940 lines of code and 270 of tests. The shape readers, the
//! one-pass readers and the error messages share private helpers (the
//! line counter, the top-level classifier, `push_raw`) and the borrowed
//! [`Event`] type they all deserialise into; kept together until the
//! [`Event`] type (with its identity and session structs) moves to a
//! module of its own, the natural first cut.

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

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
}

/// Whether the start of an input looks like CloudTrail JSON: an object or
/// an array mentioning CloudTrail's own keys, or an empty array. Keys are
/// looked for unquoted so that broken JSON with CloudTrail's keys is still
/// recognised, then reported as broken rather than read as a text log.
pub fn sniff(head: &str) -> bool {
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return false;
    }
    if trimmed.starts_with('[') && trimmed[1..].trim() == "]" {
        return true;
    }
    const MARKERS: &[&str] = &[
        "\"Records\"",
        "CloudTrailEvent",
        "digestStartTime",
        "previousDigestSignature",
        "eventSource",
    ];
    MARKERS.iter().any(|m| trimmed.contains(m))
}

/// Whether the path names a file CloudTrail delivers beside the logs.
pub fn skipped_by_path(path: &str) -> Option<Skip> {
    if path.contains("CloudTrail-Digest") {
        Some(Skip::Digest)
    } else if path.contains("CloudTrail-Insight") {
        Some(Skip::Insight)
    } else {
        None
    }
}

/// When CloudTrail delivered a log file, from the name it gives it in S3
/// (`<account>_CloudTrail_<region>_20240501T1205Z_<unique>.json.gz`): the
/// file holds only events from before that time. `None` for other names.
pub fn delivery_time(path: &str) -> Option<i64> {
    let name = path.rsplit(['/', '\\']).next()?;
    let (_, rest) = name.split_once("_CloudTrail_")?;
    let stamp = rest.split('_').nth(1)?;
    let b = stamp.as_bytes();
    if b.len() != 14 || b[8] != b'T' || b[13] != b'Z' {
        return None;
    }
    crate::time::parse_amz_date(&format!("{}00Z", &stamp[..13]))
}

/// Calls `each` with every event of a one-line `{"Records":[…]}` file (how
/// CloudTrail delivers to S3) as it is deserialised: one pass, and no
/// vector of events to grow. Insight events are left out. `None` for any
/// other shape, or when anything in it does not parse (events already
/// passed to `each` should then be dropped): the general path ([`events`])
/// reads it and says what is wrong.
pub fn each_single_line_record<'a>(text: &'a str, mut each: impl FnMut(&Event<'a>)) -> Option<()> {
    let body = text.trim_start_matches('\u{feff}').trim();
    if !body.starts_with("{\"Records\":") || memchr::memchr(b'\n', body.as_bytes()).is_some() {
        return None;
    }
    each_record(body, |event| {
        if !event.is_insight() {
            each(event)
        }
    })
}

/// Calls `each` with every record (Insight events too) of `{"Records":[…]}`
/// as it is deserialised. `None` when anything does not parse, when the
/// object has `Records` twice, or when it is a digest (whose keys win over
/// `Records` in [`events`]): [`events`] decides those.
fn each_record<'a>(json: &'a str, each: impl FnMut(&Event<'a>)) -> Option<()> {
    let mut de = serde_json::Deserializer::from_str(json);
    serde::de::DeserializeSeed::deserialize(RecordsSeed(each), &mut de).ok()?;
    de.end().ok()
}

/// `{"Records":[…], …}`, each record handed over as it is read.
struct RecordsSeed<F>(F);

impl<'de, F: FnMut(&Event<'de>)> serde::de::DeserializeSeed<'de> for RecordsSeed<F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de, F: FnMut(&Event<'de>)> serde::de::Visitor<'de> for RecordsSeed<F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a CloudTrail log file")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let mut records = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "Records" if records => return Err(A::Error::duplicate_field("Records")),
                "Records" => {
                    records = true;
                    map.next_value_seed(EachRecord(&mut self.0))?;
                }
                "digestStartTime" | "previousDigestSignature" => {
                    return Err(A::Error::custom("a digest file"));
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct EachRecord<'f, F>(&'f mut F);

impl<'de, F: FnMut(&Event<'de>)> serde::de::DeserializeSeed<'de> for EachRecord<'_, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(&Event<'de>)> serde::de::Visitor<'de> for EachRecord<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of CloudTrail records")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(HandleRecord(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

/// One record, handed over by reference where it was deserialised: an
/// event is most of a kilobyte, and moving it out through `Option` and
/// `Result` copied it several times per event.
struct HandleRecord<'f, F>(&'f mut F);

impl<'de, F: FnMut(&Event<'de>)> serde::de::DeserializeSeed<'de> for HandleRecord<'_, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        let event = Event::deserialize(de)?;
        (self.0)(&event);
        Ok(())
    }
}

/// A single JSON document (an array, `{"Records":[…]}`, lookup-events
/// output; not JSON Lines, which are read line by line) may hold at most
/// this many events. Each event costs a few dozen bytes before it is read,
/// whatever its size: without a bound, a small gzip of `[{},{},…]` took
/// gigabytes. Real documents hold far fewer (CloudTrail delivers a file
/// every five minutes); a bigger export is read as JSON Lines.
pub const MAX_DOCUMENT_EVENTS: usize = 8_000_000;

/// Messages about broken JSON Lines kept (all are counted).
pub const MAX_BROKEN_KEPT: usize = 16;

/// What reading a JSON Lines input found besides its events, which
/// [`each_json_line`] hands over as it goes.
#[derive(Debug, Default)]
pub struct JsonLines {
    /// Lines that are not valid JSON (skipped).
    pub broken_lines: usize,
    /// The first [`MAX_BROKEN_KEPT`] of their messages, each with its line.
    pub broken: Vec<String>,
}

/// Reads a JSON Lines input (one event, or one `{"Records":[…]}` batch, per
/// line: SIEM exports, Athena or Firehose output, often hundreds of MB),
/// calling `each` with every event as deserialised from its line (or why it
/// is not one) and the line's number. Lines are independent, so the text is
/// cut into chunks at line starts (where depends only on the text, so
/// results never depend on the thread count) read in parallel, and each line
/// is deserialised once where its shape allows. Outcomes and messages are
/// those of [`events`], with one difference: a line that is not valid JSON
/// (a truncated export, say) is skipped and reported rather than failing
/// the whole input, as in other logs.
///
/// What `each` made of every event but Insight events goes to `sink`, one
/// chunk at a time in input order, as soon as the chunks before it are
/// read: a few chunks' outcomes are held at once, never the whole input's.
/// When the result is not `Some(Ok(Ok(_)))`, what `sink` was given is not
/// the input's (the caller drops it and reads the input another way).
///
/// `None` when the input is not JSON Lines (its first non-blank line is not
/// a complete object, or no other line follows), when a line that does not
/// parse alone is part of a value spanning lines, or for shapes left to
/// [`events`] (`lookup-events` output on a line, a problem after a broken
/// line).
pub fn each_json_line<'a, T: Send>(
    text: &'a str,
    each: impl Fn(Result<&Event<'a>, serde_json::Error>, usize) -> T + Sync,
    mut sink: impl FnMut(Vec<T>),
) -> Option<Result<Result<JsonLines, Skip>, String>> {
    let body = text.trim_start_matches('\u{feff}');
    if !is_json_lines(body) {
        return None;
    }
    let cuts = crate::chunk::line_chunk_starts(body.as_bytes());
    let chunks = crate::chunk::numbered_chunks(body.as_bytes(), &cuts);
    // Chunks are read in parallel a few at a time; which ones go together
    // changes when `sink` is called, never what it is given.
    let window = 2 * rayon::current_num_threads().max(1);
    let mut out = JsonLines::default();
    let (mut events, mut insights) = (0, 0);
    for group in chunks.chunks(window) {
        let read: Vec<LinesRead<T>> = group
            .par_iter()
            .map(|(range, first_line)| read_lines(&body[range.clone()], *first_line, &each))
            .collect();
        for chunk in read {
            events += chunk.events.len();
            out.broken_lines += chunk.broken_lines;
            let room = MAX_BROKEN_KEPT - out.broken.len();
            out.broken.extend(chunk.broken.into_iter().take(room));
            insights += chunk.insights;
            // The first stop decides, as in `events`; after a broken line
            // `events` would have stopped there, so it says what is wrong.
            match chunk.stop {
                None => {}
                Some(_) if out.broken_lines > 0 => return None,
                Some(Stop::Error(message)) => return Some(Err(message)),
                Some(Stop::Digest) => return Some(Ok(Err(Skip::Digest))),
                Some(Stop::General) => return None,
            }
            sink(chunk.events);
        }
    }
    if out.broken_lines > 0 && is_json_stream(body) {
        return None;
    }
    if events == 0 && insights > 0 {
        return Some(Ok(Err(Skip::Insight)));
    }
    Some(Ok(Ok(out)))
}

/// Whether an input (without its byte order mark) is JSON Lines: its first
/// non-blank line a complete object, and another line after it. A
/// pretty-printed object or array fails the first test on its first line,
/// a one-line file the second, before anything is parsed.
fn is_json_lines(body: &str) -> bool {
    let mut lines = body
        .split('\n')
        .map(trim_json_space)
        .filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    first.starts_with('{')
        && lines.next().is_some()
        && serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok()
}

/// Whether the whole input is a stream of JSON values (lines that do not
/// parse alone are then parts of values spanning lines).
fn is_json_stream(body: &str) -> bool {
    serde_json::Deserializer::from_str(body)
        .into_iter::<serde::de::IgnoredAny>()
        .all(|value| value.is_ok())
}

/// What JSON itself counts as white space (not `str::trim`'s Unicode set).
fn trim_json_space(line: &str) -> &str {
    line.trim_matches([' ', '\t', '\r', '\n'])
}

/// What one chunk of JSON Lines yielded.
struct LinesRead<T> {
    events: Vec<T>,
    insights: usize,
    broken_lines: usize,
    /// The first [`MAX_BROKEN_KEPT`] messages about broken lines.
    broken: Vec<String>,
    /// The line that ended the chunk's reading, if one did.
    stop: Option<Stop>,
}

/// A line that decides the whole input.
enum Stop {
    /// Not CloudTrail: the input is an error, as in [`events`].
    Error(String),
    Digest,
    /// A shape [`events`] reads (lookup-events output).
    General,
}

impl<'a, T> LinesRead<T> {
    fn push<F>(&mut self, event: Result<&Event<'a>, serde_json::Error>, line: usize, each: &F)
    where
        F: Fn(Result<&Event<'a>, serde_json::Error>, usize) -> T,
    {
        if event.as_ref().is_ok_and(|e| e.is_insight()) {
            self.insights += 1;
        } else {
            self.events.push(each(event, line));
        }
    }
}

/// Reads the lines of one chunk, the first being `first_line`.
fn read_lines<'a, T, F>(chunk: &'a str, first_line: usize, each: &F) -> LinesRead<T>
where
    F: Fn(Result<&Event<'a>, serde_json::Error>, usize) -> T,
{
    let mut out = LinesRead {
        events: Vec::new(),
        insights: 0,
        broken_lines: 0,
        broken: Vec::new(),
        stop: None,
    };
    for (i, raw) in chunk.split('\n').enumerate() {
        let line = trim_json_space(raw);
        if line.is_empty() {
            continue;
        }
        if let Err(stop) = read_line(raw, line, first_line + i, each, &mut out) {
            out.stop = Some(stop);
            break;
        }
    }
    out
}

/// Reads one non-blank line (`raw`, and `line` without the white space
/// around it). The usual shapes, an event or a `Records` batch, are
/// deserialised in one pass; anything else, or any surprise, is read as
/// [`events`] reads a top-level value, giving its outcomes and messages.
fn read_line<'a, T, F>(
    raw: &'a str,
    line: &'a str,
    at: usize,
    each: &F,
    out: &mut LinesRead<T>,
) -> Result<(), Stop>
where
    F: Fn(Result<&Event<'a>, serde_json::Error>, usize) -> T,
{
    if line.starts_with("{\"Records\":") {
        let (events, insights) = (out.events.len(), out.insights);
        if each_record(line, |event| out.push(Ok(event), at, each)).is_some() {
            return Ok(());
        }
        out.events.truncate(events);
        out.insights = insights;
    } else if line.starts_with('{')
        && let Ok(event) = Event::parse(line)
        && event.is_top_level_event()
    {
        out.push(Ok(&event), at, each);
        return Ok(());
    }
    // Parsed with the white space before it, for true columns.
    let value: &RawValue = match serde_json::from_str(raw) {
        Ok(value) => value,
        Err(e) => {
            out.broken_lines += 1;
            if out.broken.len() < MAX_BROKEN_KEPT {
                out.broken.push(json_error(&e, at));
            }
            return Ok(());
        }
    };
    match top_level(value, at).map_err(Stop::Error)? {
        TopLevel::Array(items) | TopLevel::Records(items) => {
            for item in items {
                push_raw(out, item.get(), at, each);
            }
        }
        TopLevel::Event => push_raw(out, value.get(), at, each),
        TopLevel::Lookup(_) => return Err(Stop::General),
        TopLevel::Digest => return Err(Stop::Digest),
    }
    Ok(())
}

/// An event cut out as raw JSON, as [`events`] and the pipeline's event
/// analysis take it: Insight events counted (whether or not the rest
/// parses), others parsed.
fn push_raw<'a, T, F>(out: &mut LinesRead<T>, json: &'a str, line: usize, each: &F)
where
    F: Fn(Result<&Event<'a>, serde_json::Error>, usize) -> T,
{
    if is_insight(json) {
        out.insights += 1;
    } else {
        out.events
            .push(Event::parse_then(json, |event| each(event, line)));
    }
}

/// Cuts an input into events. `Ok(Err(skip))` for digest and Insight
/// files; `Err(message)` when the input is not valid JSON or not CloudTrail.
pub fn events(text: &str) -> Result<Result<Events<'_>, Skip>, String> {
    let body = text.trim_start_matches('\u{feff}');
    let mut lines = LineCounter::new(text);
    let mut out = Events {
        shape: Shape::Single,
        items: Vec::new(),
        insights: 0,
    };
    let stream = serde_json::Deserializer::from_str(body).into_iter::<&RawValue>();
    let mut values = 0usize;
    let mut saw_records = false;
    for value in stream {
        let value = value.map_err(|e| json_error(&e, 1))?;
        values += 1;
        let line = lines.line_at(offset_in(text, value.get()));
        match top_level(value, line)? {
            TopLevel::Array(raw) => {
                out.shape = Shape::Array;
                for item in raw {
                    let line = lines.line_at(offset_in(text, item.get()));
                    push_event(&mut out, Cow::Borrowed(item.get()), line);
                }
            }
            TopLevel::Records(raw) => {
                saw_records = true;
                for item in raw {
                    let line = lines.line_at(offset_in(text, item.get()));
                    push_event(&mut out, Cow::Borrowed(item.get()), line);
                }
            }
            TopLevel::Lookup(events) => {
                out.shape = Shape::LookupEvents;
                for (raw, inner) in events {
                    let line = lines.line_at(offset_in(text, raw.get()));
                    push_event(&mut out, Cow::Owned(inner), line);
                }
            }
            TopLevel::Event => push_event(&mut out, Cow::Borrowed(value.get()), line),
            TopLevel::Digest => return Ok(Err(Skip::Digest)),
        }
    }
    if values > 1 {
        out.shape = Shape::JsonLines;
    } else if saw_records {
        out.shape = Shape::Records;
    }
    if out.items.is_empty() && out.insights > 0 {
        return Ok(Err(Skip::Insight));
    }
    Ok(Ok(out))
}

fn push_event<'a>(out: &mut Events<'a>, json: Cow<'a, str>, line: usize) {
    if is_insight(&json) {
        out.insights += 1;
    } else {
        out.items.push(Item { json, line });
    }
}

fn is_insight(json: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(rename = "eventType", borrow)]
        event_type: Option<Cow<'a, str>>,
    }
    json.contains("AwsCloudTrailInsight")
        && serde_json::from_str::<Probe>(json)
            .is_ok_and(|p| p.event_type.as_deref() == Some("AwsCloudTrailInsight"))
}

/// The elements of an array of events (`[…]`, `"Records":[…]`), cut out
/// as raw JSON: each must be an object, and there may be at most
/// [`MAX_DOCUMENT_EVENTS`]. Anything else stops reading at once, so
/// `[null,null,…]` costs nothing before it is refused.
struct Objects<'a>(Vec<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Objects<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_seq(ObjectsVisitor(std::marker::PhantomData))
    }
}

struct ObjectsVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for ObjectsVisitor<'a> {
    type Value = Objects<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of event objects")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Objects<'a>, A::Error> {
        use serde::de::Error;
        let mut out = Vec::new();
        while let Some(value) = seq.next_element::<&'a RawValue>()? {
            let what = match value.get().as_bytes().first() {
                Some(b'{') => None,
                Some(b'[') => Some("an array"),
                Some(b'"') => Some("a string"),
                Some(b'n') => Some("null"),
                Some(b't' | b'f') => Some("a boolean"),
                _ => Some("a number"),
            };
            if let Some(what) = what {
                return Err(A::Error::custom(format_args!(
                    "event {} is {what}, not an object",
                    out.len()
                )));
            }
            if out.len() == MAX_DOCUMENT_EVENTS {
                return Err(A::Error::custom(format_args!(
                    "more than {MAX_DOCUMENT_EVENTS} events in one JSON document; split it, or convert it to JSON Lines (one event per line)"
                )));
            }
            out.push(value);
        }
        Ok(Objects(out))
    }
}

enum TopLevel<'a> {
    Array(Vec<&'a RawValue>),
    Records(Vec<&'a RawValue>),
    /// Each entry's raw JSON and its decoded `CloudTrailEvent` string.
    Lookup(Vec<(&'a RawValue, String)>),
    Event,
    Digest,
}

/// What one top-level JSON value is.
fn top_level(value: &RawValue, line: usize) -> Result<TopLevel<'_>, String> {
    let raw = value.get();
    if raw.starts_with('[') {
        let items: Objects = serde_json::from_str(raw).map_err(|e| data_error(&e, line))?;
        return Ok(TopLevel::Array(items.0));
    }
    #[derive(Deserialize)]
    struct Keys<'a> {
        #[serde(rename = "Records", borrow)]
        records: Option<Objects<'a>>,
        #[serde(rename = "Events", borrow)]
        events: Option<Vec<LookupEntry<'a>>>,
        #[serde(rename = "digestStartTime")]
        digest_start: Option<serde::de::IgnoredAny>,
        #[serde(rename = "previousDigestSignature")]
        digest_previous: Option<serde::de::IgnoredAny>,
        #[serde(rename = "eventSource")]
        event_source: Option<serde::de::IgnoredAny>,
        #[serde(rename = "eventName")]
        event_name: Option<serde::de::IgnoredAny>,
    }
    #[derive(Deserialize)]
    struct LookupEntry<'a> {
        #[serde(rename = "CloudTrailEvent", borrow)]
        event: Option<Cow<'a, str>>,
    }
    let keys: Keys = serde_json::from_str(raw).map_err(|_| not_cloudtrail(line))?;
    if keys.digest_start.is_some() || keys.digest_previous.is_some() {
        return Ok(TopLevel::Digest);
    }
    if let Some(records) = keys.records {
        return Ok(TopLevel::Records(records.0));
    }
    if let Some(events) = keys.events {
        if events.len() > MAX_DOCUMENT_EVENTS {
            return Err(format!(
                "line {line}: more than {MAX_DOCUMENT_EVENTS} events in one JSON document; split it"
            ));
        }
        // Raw entries again, for their positions.
        #[derive(Deserialize)]
        struct Raw<'a> {
            #[serde(rename = "Events", borrow)]
            events: Vec<&'a RawValue>,
        }
        let raw: Raw = serde_json::from_str(raw).map_err(|e| data_error(&e, line))?;
        let mut out = Vec::with_capacity(events.len());
        for (i, (entry, raw)) in events.into_iter().zip(raw.events).enumerate() {
            let Some(inner) = entry.event else {
                return Err(format!(
                    "line {line}: Events[{i}] has no CloudTrailEvent; not `aws cloudtrail lookup-events` output"
                ));
            };
            out.push((raw, inner.into_owned()));
        }
        return Ok(TopLevel::Lookup(out));
    }
    if keys.event_source.is_some() || keys.event_name.is_some() {
        return Ok(TopLevel::Event);
    }
    Err(not_cloudtrail(line))
}

fn not_cloudtrail(line: usize) -> String {
    format!(
        "line {line}: JSON, but not CloudTrail (expected {{\"Records\":[…]}}, an array of events, an event, or lookup-events output)"
    )
}

/// Why JSON that starts on line `first_line` of the input does not parse.
fn json_error(e: &serde_json::Error, first_line: usize) -> String {
    format!(
        "not valid JSON: {} at line {} column {}",
        match e.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Io => "read error",
        },
        first_line + e.line().saturating_sub(1),
        e.column()
    )
}

/// Why a JSON value on line `line` is not the record expected, without the
/// value itself: serde quotes it (`invalid type: string "…"`), and in a
/// CloudTrail record the value of a mistyped field can be a secret key or
/// a session token that would then be printed on stderr.
pub(crate) fn data_error(e: &serde_json::Error, line: usize) -> String {
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:(?P<kind>string|char|bytes) )?"(?:[^"\\]|\\.)*"|`[^`]*`"#).unwrap()
    });
    let message = e.to_string();
    // serde_json appends its own position; ours is the input's line.
    let message = message
        .rsplit_once(" at line ")
        .map_or(&*message, |(m, _)| m);
    let shown = QUOTED.replace_all(message, |c: &regex::Captures<'_>| match c.name("kind") {
        Some(kind) => format!("a {}", kind.as_str()),
        None if c[0].starts_with('`') && !message.contains("field `") => "a value".to_string(),
        None if c[0].starts_with('`') => c[0].to_string(),
        None => "a value".to_string(),
    });
    format!("line {line}: {shown}")
}

/// Byte offset of `part` (a slice of `whole`) inside `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// Line numbers of increasing byte offsets, counting newlines once.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.at {
            // Never expected (offsets only grow); count from the start.
            return 1 + memchr::memchr_iter(b'\n', &self.text[..offset]).count();
        }
        self.line += memchr::memchr_iter(b'\n', &self.text[self.at..offset]).count();
        self.at = offset;
        self.line
    }
}

/// The fields of a CloudTrail event that facts use. Strings are borrowed
/// from the input unless they contain escapes.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Event<'a> {
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_version: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_time: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_source: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_name: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_type: Option<Cow<'a, str>>,
    #[serde(rename = "eventID", borrow, deserialize_with = "optional_str")]
    pub event_id: Option<Cow<'a, str>>,
    #[serde(rename = "requestID", borrow, deserialize_with = "optional_str")]
    pub request_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub aws_region: Option<Cow<'a, str>>,
    #[serde(rename = "sourceIPAddress", borrow, deserialize_with = "optional_str")]
    pub source_ip_address: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub user_agent: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub error_code: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub error_message: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub recipient_account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub user_identity: Option<UserIdentity<'a>>,
    #[serde(borrow)]
    pub tls_details: Option<TlsDetails<'a>>,
    /// Kept raw: its shape differs per API; read with [`Event::role_arn`].
    #[serde(borrow)]
    pub request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    pub response_elements: Option<&'a RawValue>,
    #[serde(borrow)]
    pub additional_event_data: Option<&'a RawValue>,
    /// Keys that make an object more than an event in [`top_level`] (a
    /// batch, lookup-events output, a digest): noticed while the event is
    /// deserialised, so a JSON Lines line is read once.
    #[serde(rename = "Records")]
    records: Option<serde::de::IgnoredAny>,
    #[serde(rename = "Events")]
    lookup_events: Option<serde::de::IgnoredAny>,
    #[serde(rename = "digestStartTime")]
    digest_start: Option<serde::de::IgnoredAny>,
    #[serde(rename = "previousDigestSignature")]
    digest_previous: Option<serde::de::IgnoredAny>,
}

/// `userIdentity`: who made the call.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity<'a> {
    #[serde(rename = "type", borrow, deserialize_with = "optional_str")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub principal_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub account_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub access_key_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub user_name: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub invoked_by: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub session_context: Option<SessionContext<'a>>,
}

/// `userIdentity.sessionContext`: the session of temporary credentials.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionContext<'a> {
    #[serde(borrow)]
    pub attributes: Option<SessionAttributes<'a>>,
    #[serde(borrow)]
    pub session_issuer: Option<SessionIssuer<'a>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub source_identity: Option<Cow<'a, str>>,
}

/// `sessionContext.attributes`.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionAttributes<'a> {
    /// `"true"` / `"false"` (a string in CloudTrail; a boolean is accepted).
    pub mfa_authenticated: Option<StrOrBool>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub source_identity: Option<Cow<'a, str>>,
}

/// `sessionContext.sessionIssuer`: the role or user that issued the session.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionIssuer<'a> {
    #[serde(borrow, deserialize_with = "optional_str")]
    pub arn: Option<Cow<'a, str>>,
}

/// `tlsDetails`: the connection's TLS version, cipher and `Host` header.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TlsDetails<'a> {
    #[serde(borrow, deserialize_with = "optional_str")]
    pub tls_version: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub cipher_suite: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub client_provided_host_header: Option<Cow<'a, str>>,
}

/// An optional string, borrowed from the input when it has no escapes.
/// serde borrows a `Cow<str>` only when it is a field's whole type: inside an
/// `Option` it always allocates, once per field of every event.
fn optional_str<'de, D>(deserializer: D) -> Result<Option<Cow<'de, str>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<Borrowed<'de>>::deserialize(deserializer)?.map(|b| b.0))
}

/// A flag CloudTrail writes as a string (`"true"`, `"Yes"`) or a boolean.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StrOrBool {
    /// A JSON boolean.
    Bool(bool),
    /// A string (`"true"`, `"Yes"`, …).
    Str(String),
}

impl StrOrBool {
    /// The flag's value; `None` for a string that is no yes or no.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            StrOrBool::Bool(b) => Some(*b),
            StrOrBool::Str(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" => Some(true),
                "false" | "no" => Some(false),
                _ => None,
            },
        }
    }
}

/// `requestParameters.roleArn` of AssumeRole*.
#[derive(Deserialize)]
struct RequestParameters<'a> {
    #[serde(rename = "roleArn", borrow)]
    role_arn: Option<Cow<'a, str>>,
}

/// `responseElements.ConsoleLogin` of ConsoleLogin.
#[derive(Deserialize)]
struct ResponseElements<'a> {
    #[serde(rename = "ConsoleLogin", borrow)]
    console_login: Option<Cow<'a, str>>,
}

/// `additionalEventData.MFAUsed` of ConsoleLogin.
#[derive(Deserialize)]
struct AdditionalEventData {
    #[serde(rename = "MFAUsed")]
    mfa_used: Option<StrOrBool>,
}

impl<'a> Event<'a> {
    /// Parses one event's JSON.
    pub fn parse(json: &'a str) -> Result<Event<'a>, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Parses `json` and hands the event to `f` by reference (an event is
    /// too big to move around for nothing).
    pub fn parse_then<T>(
        json: &'a str,
        f: impl FnOnce(Result<&Event<'a>, serde_json::Error>) -> T,
    ) -> T {
        match Event::parse(json) {
            Ok(event) => f(Ok(&event)),
            Err(e) => f(Err(e)),
        }
    }

    /// An Insight event: unusual activity summarised, not an API call.
    pub fn is_insight(&self) -> bool {
        self.event_type.as_deref() == Some("AwsCloudTrailInsight")
    }

    /// Whether [`top_level`] would take the object this event was read
    /// from for an event: `eventSource` or `eventName`, and none of the
    /// keys that make it something else.
    fn is_top_level_event(&self) -> bool {
        (self.event_source.is_some() || self.event_name.is_some())
            && self.records.is_none()
            && self.lookup_events.is_none()
            && self.digest_start.is_none()
            && self.digest_previous.is_none()
    }

    /// Whether this is a CloudTrail record: an `eventSource` that is a
    /// service endpoint name (S3/SNS event notifications use `aws:s3`, in the
    /// same `Records` wrapper), an `eventName` and an `eventTime`.
    pub fn is_cloudtrail(&self) -> bool {
        self.event_source
            .as_deref()
            .is_some_and(|s| !s.is_empty() && !s.starts_with("aws:"))
            && self.event_name.is_some()
            && self.event_time.is_some()
    }

    /// The role an AssumeRole* call asked for.
    pub fn role_arn(&self) -> Option<Cow<'a, str>> {
        let raw = self.request_parameters?;
        serde_json::from_str::<RequestParameters<'a>>(raw.get())
            .ok()?
            .role_arn
    }

    /// `Success` / `Failure` of a ConsoleLogin event.
    pub fn console_login(&self) -> Option<Cow<'a, str>> {
        let raw = self.response_elements?;
        serde_json::from_str::<ResponseElements<'a>>(raw.get())
            .ok()?
            .console_login
    }

    /// Whether a console sign-in used MFA (`additionalEventData.MFAUsed`).
    pub fn console_mfa_used(&self) -> Option<bool> {
        let raw = self.additional_event_data?;
        serde_json::from_str::<AdditionalEventData>(raw.get())
            .ok()?
            .mfa_used?
            .as_bool()
    }

    /// A failed call or sign-in: an `errorCode`, or a ConsoleLogin `Failure`.
    pub fn failed(&self) -> bool {
        self.error_code.as_deref().is_some_and(|c| !c.is_empty())
            || self.console_login().as_deref() == Some("Failure")
    }

    /// Who made the call, as summaries name principals: the ARN, else the
    /// user name, else the identity type.
    pub fn principal(&self) -> Option<Cow<'a, str>> {
        let u = self.user_identity.as_ref()?;
        [&u.arn, &u.user_name, &u.kind]
            .into_iter()
            .find_map(|v| v.as_ref().filter(|v| !v.is_empty()))
            .cloned()
    }

    /// A call an AWS service made on a customer's behalf: identity type
    /// `AWSService`, `invokedBy` set, or a service name as source address.
    pub fn by_aws_service(&self) -> bool {
        let identity = self.user_identity.as_ref();
        identity.is_some_and(|u| {
            u.kind.as_deref() == Some("AWSService")
                || u.invoked_by.as_deref().is_some_and(|s| !s.is_empty())
        }) || self
            .source_ip_address
            .as_deref()
            .is_some_and(|ip| ip.ends_with(".amazonaws.com"))
    }

    /// The MFA state of the caller's session, or of a console sign-in.
    pub fn mfa(&self) -> Option<bool> {
        self.user_identity
            .as_ref()
            .and_then(|u| u.session_context.as_ref())
            .and_then(|s| s.attributes.as_ref())
            .and_then(|a| a.mfa_authenticated.as_ref())
            .and_then(StrOrBool::as_bool)
            .or_else(|| self.console_mfa_used())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","errorCode":"AccessDenied","eventID":"e1","userIdentity":{"type":"IAMUser","invokedBy":"","sessionContext":{"attributes":{"mfaAuthenticated":"true"}}},"requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/deploy"}}"#;

    #[test]
    fn strings_are_borrowed_unless_escaped() {
        let event: Event = serde_json::from_str(EVENT).unwrap();
        assert!(matches!(
            event.event_name,
            Some(Cow::Borrowed("AssumeRole"))
        ));
        let identity = event.user_identity.unwrap();
        assert!(matches!(identity.kind, Some(Cow::Borrowed("IAMUser"))));
        let escaped: Event =
            serde_json::from_str(r#"{"errorMessage":"a \"b\"","errorCode":null}"#).unwrap();
        assert!(matches!(escaped.error_message, Some(Cow::Owned(ref m)) if m == r#"a "b""#));
        assert!(escaped.error_code.is_none());
    }

    #[test]
    fn delivery_time_comes_from_the_s3_key() {
        let at = crate::time::parse_iso8601("2024-05-01T10:05:00Z");
        assert_eq!(
            delivery_time(
                "AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1005Z_Ab12Cd34Ef56Gh78.json.gz"
            ),
            at
        );
        assert_eq!(
            delivery_time(
                "x/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20240501T100500Z.json"
            ),
            None
        );
        assert_eq!(delivery_time("trail.json"), None);
        assert_eq!(
            delivery_time("1_CloudTrail_us-east-1_2024050XT1005Z_a.json"),
            None
        );
    }

    #[test]
    fn sniffs_cloudtrail_shapes_only() {
        assert!(sniff(r#"{"Records":[]}"#));
        assert!(sniff(
            "\u{feff}  [\n{\"eventSource\": \"s3.amazonaws.com\"}]"
        ));
        assert!(sniff("[ ]"));
        assert!(sniff(r#"{"Events":[{"CloudTrailEvent":"{}"}]}"#));
        assert!(!sniff(
            r#"{"level":"error","msg":"An error occurred (AccessDenied)"}"#
        ));
        assert!(!sniff("2024-01-01 eventSource"));
    }

    #[test]
    fn every_shape_yields_the_same_event() {
        let shapes = [
            (format!(r#"{{"Records":[{EVENT}]}}"#), Shape::Records),
            (format!("[\n{EVENT}\n]"), Shape::Array),
            (EVENT.to_string(), Shape::Single),
            (format!("{EVENT}\n{EVENT}\n"), Shape::JsonLines),
            (
                format!(
                    r#"{{"Events":[{{"EventId":"e1","CloudTrailEvent":{}}}]}}"#,
                    serde_json::to_string(EVENT).unwrap()
                ),
                Shape::LookupEvents,
            ),
        ];
        for (text, shape) in shapes {
            let events = events(&text).unwrap().unwrap();
            assert_eq!(events.shape, shape, "{text}");
            let e = Event::parse(&events.items[0].json).unwrap();
            assert_eq!(e.event_id.as_deref(), Some("e1"));
            assert_eq!(
                e.role_arn().as_deref(),
                Some("arn:aws:iam::111122223333:role/deploy")
            );
            assert_eq!(e.mfa(), Some(true));
            assert!(e.failed());
            assert!(!e.by_aws_service(), "an empty invokedBy is no service");
        }
    }

    #[test]
    fn lines_follow_the_events() {
        let text = format!("{EVENT}\n\n{EVENT}\n");
        let events = events(&text).unwrap().unwrap();
        let lines: Vec<usize> = events.items.iter().map(|i| i.line).collect();
        assert_eq!(lines, [1, 3]);
    }

    #[test]
    fn digests_insights_and_other_json_are_told_apart() {
        let digest = r#"{"awsAccountId":"1","digestStartTime":"x","logFiles":[]}"#;
        assert_eq!(events(digest).unwrap().unwrap_err(), Skip::Digest);
        let insight = r#"{"Records":[{"eventSource":"x","eventType":"AwsCloudTrailInsight"}]}"#;
        assert_eq!(events(insight).unwrap().unwrap_err(), Skip::Insight);
        assert!(events(r#"{"Records":5}"#).is_err());
        assert!(
            events(r#"{"foo":1}"#)
                .unwrap_err()
                .contains("not CloudTrail")
        );
        assert!(
            events("[{eventSource: 1}]")
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert_eq!(events("[]").unwrap().unwrap().items.len(), 0);
        assert_eq!(
            skipped_by_path("AWSLogs/1/CloudTrail-Digest/us-east-1/x.json.gz"),
            Some(Skip::Digest)
        );
    }

    /// What `each_json_line` made of a text, as (line, eventID or error).
    type Read =
        Option<Result<Result<(Vec<(usize, Result<String, String>)>, Vec<String>), Skip>, String>>;

    fn event_id(event: Result<&Event<'_>, serde_json::Error>) -> Result<String, String> {
        event
            .map(|e| e.event_id.as_deref().unwrap_or("").to_string())
            .map_err(|e| e.to_string())
    }

    fn read_json_lines(text: &str) -> Read {
        let mut all = Vec::new();
        let read = each_json_line(
            text,
            |event, line| (line, event_id(event)),
            |chunk| all.extend(chunk),
        );
        read.map(|read| read.map(|read| read.map(|lines| (all, lines.broken))))
    }

    /// What `events` (the general path) makes of the same text.
    fn read_generally(text: &str) -> Read {
        Some(events(text).map(|read| {
            read.map(|events| {
                let items = events.items.iter();
                let ids = items.map(|i| (i.line, Event::parse_then(&i.json, event_id)));
                (ids.collect(), Vec::new())
            })
        }))
    }

    #[test]
    fn json_lines_read_line_by_line_as_the_general_path_reads_them() {
        let batch = format!(r#"{{"Records":[{EVENT},{}]}}"#, EVENT.replace("e1", "e2"));
        let insight = r#"{"eventSource":"x","eventName":"y","eventType":"AwsCloudTrailInsight"}"#;
        let bad_type = r#"{"eventSource":5,"eventName":"AssumeRole"}"#;
        let s3 = r#"{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","eventTime":"x"}"#;
        let digest_keyed = format!(r#"{{"Records":[{EVENT}],"digestStartTime":"x"}}"#);
        let texts = [
            format!("{EVENT}\n{EVENT}\n"),
            format!("\u{feff}{EVENT}\r\n\r\n  {batch}\t\r\n[{EVENT}]\n{insight}\n"),
            format!("{EVENT}\n{bad_type}\n{s3}\n{batch}"),
            format!("{EVENT}\n{{\"eventName\":\"x\",\"Records\":\"no\"}}\n"),
            format!("{EVENT}\n{{\"eventName\":\"x\",\"Rec\\u006frds\":5}}\n"),
            format!("{EVENT}\n{{\"foo\":1}}\n{EVENT}\n"),
            format!("{EVENT}\n{{\"Records\":5}}\n"),
            format!("{EVENT}\n{digest_keyed}\n"),
            format!("{insight}\n{insight}\n"),
            format!("{EVENT}\n{{\"Events\":[{{\"EventId\":\"e1\"}}]}}\n"),
        ];
        for text in &texts {
            let read = read_json_lines(text);
            assert!(read.is_some(), "JSON Lines: {text}");
            assert_eq!(read, read_generally(text), "{text}");
        }
        assert_eq!(
            read_json_lines(&texts[7]),
            Some(Ok(Err(Skip::Digest))),
            "a digest's keys win over Records"
        );
        assert_eq!(read_json_lines(&texts[8]), Some(Ok(Err(Skip::Insight))));
    }

    #[test]
    fn other_shapes_are_left_to_the_general_path() {
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(EVENT).unwrap(),
        )
        .unwrap();
        let lookup = format!(
            r#"{{"Events":[{{"EventId":"e1","CloudTrailEvent":{}}}]}}"#,
            serde_json::to_string(EVENT).unwrap()
        );
        for text in [
            EVENT.to_string(),
            format!("\n{EVENT}\n\n"),
            pretty.clone(),
            format!("[\n{EVENT},\n{EVENT}\n]"),
            format!(r#"{{"Records":[{EVENT}]}}"#),
            // A value spanning lines after a one-line event: a stream of
            // values, not JSON Lines.
            format!("{EVENT}\n{pretty}\n"),
            format!("{EVENT}\n{lookup}\n"),
        ] {
            assert!(read_json_lines(&text).is_none(), "{text}");
            assert!(events(&text).is_ok(), "{text}");
        }
    }

    #[test]
    fn a_broken_line_is_skipped_with_its_line_and_column() {
        let truncated = &EVENT[..EVENT.len() / 2];
        let text = format!("{EVENT}\n\n  {truncated}\n{EVENT}\n{{\"eventName\": x}}\n");
        let Some(Ok(Ok((read, broken)))) = read_json_lines(&text) else {
            panic!("read as JSON Lines");
        };
        let lines: Vec<usize> = read.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [1, 4]);
        assert_eq!(
            broken,
            [
                format!(
                    "not valid JSON: unexpected end of input at line 3 column {}",
                    truncated.len() + 2
                ),
                "not valid JSON: syntax error at line 5 column 15".to_string(),
            ]
        );
        // Before a problem that decides the input, the general path says
        // what is wrong, as it always did.
        let text = format!("{EVENT}\n{truncated}\n{{\"foo\":1}}\n");
        assert!(read_json_lines(&text).is_none());
        assert!(events(&text).unwrap_err().contains("not valid JSON"));
    }

    #[test]
    fn chunks_keep_lines_and_order() {
        // About 3.4 MB: four chunks.
        let text: String = (0..9000)
            .map(|i| {
                let event = EVENT.replace("\"e1\"", &format!("\"e{i}\""));
                match i % 1000 {
                    0 => format!("\n{event}\n"),
                    500 => format!(r#"{{"Records":[{event},{event}]}}"#) + "\n",
                    _ => event + "\n",
                }
            })
            .collect();
        let cuts = crate::chunk::line_chunk_starts(text.as_bytes());
        assert!(cuts.len() >= 3, "{cuts:?}");
        assert!(cuts[1..].iter().all(|&c| text.as_bytes()[c - 1] == b'\n'));
        let read = read_json_lines(&text);
        assert_eq!(read, read_generally(&text));
        let Some(Ok(Ok((read, _)))) = read else {
            panic!("read as JSON Lines");
        };
        assert_eq!(read.len(), 9009);
        let lines_of = |id: &str| -> Vec<usize> {
            let id = Ok(id.to_string());
            read.iter().filter(|e| e.1 == id).map(|e| e.0).collect()
        };
        // Each event's line: its index, plus one, plus blank lines before.
        assert_eq!(lines_of("e4999"), [4999 + 1 + 5]);
        assert_eq!(lines_of("e8500"), [8500 + 1 + 9, 8500 + 1 + 9]);
    }

    #[test]
    fn services_acting_for_customers_are_recognised() {
        let e = Event::parse(
            r#"{"userIdentity":{"type":"AWSService","invokedBy":"delivery.logs.amazonaws.com"},"sourceIPAddress":"delivery.logs.amazonaws.com"}"#,
        )
        .unwrap();
        assert!(e.by_aws_service());
    }

    /// `{"Records":[null × 40M]}` (291 KB of gzip) used to be cut into 40M
    /// raw values before any was read: a 4.5 GB allocation. A record that
    /// is not an object now stops reading at once.
    #[test]
    fn records_that_are_not_objects_stop_reading_at_once() {
        let nulls = format!("[{}null]", "{},".repeat(3));
        let err = events(&nulls).unwrap_err();
        assert!(err.contains("event 3 is null, not an object"), "{err}");
        for bad in ["1", "\"AKIAIOSFODNN7EXAMPLE\"", "[]", "true"] {
            let err = events(&format!("[{bad}]")).unwrap_err();
            assert!(err.contains("event 0 is"), "{err}");
            assert!(!err.contains("AKIA"), "{err}");
        }
        let records = format!("{{\"Records\":[{}]}}", ["null"; 1000].join(","));
        let started = std::time::Instant::now();
        assert!(events(&records).is_err());
        assert!(each_single_line_record(&records, |_| {}).is_none());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
