//! The shapes of a whole CloudTrail input (`Records`, arrays, single
//! events, lookup-events output) cut into events, and the one-pass reader
//! of one-line delivery files.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::envelopes::{self, Envelope, EnvelopeKeys};
use super::event::{Event, data_error};
use super::{Events, Item, Shape, Skip};

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
pub(super) fn each_record<'a>(json: &'a str, each: impl FnMut(&Event<'a>)) -> Option<()> {
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

/// Cuts an input into events. `Ok(Err(skip))` for digest and Insight
/// files; `Err(message)` when the input is not valid JSON or not CloudTrail.
pub fn events(text: &str) -> Result<Result<Events<'_>, Skip>, String> {
    let body = text.trim_start_matches('\u{feff}');
    let mut lines = LineCounter::new(text);
    let mut out = Events {
        shape: Shape::Single,
        items: Vec::new(),
        insights: 0,
        cut: None,
    };
    if body
        .lines()
        .find(|l| !l.trim().is_empty())
        .and_then(envelopes::export_message)
        .is_some()
    {
        return logs_export(body, out);
    }
    let stream = serde_json::Deserializer::from_str(body).into_iter::<&RawValue>();
    let mut values = 0usize;
    let mut saw_records = false;
    for value in stream {
        let value = match value {
            Ok(value) => value,
            // A document cut short (a download or copy that stopped):
            // the events before the cut are read, and the cut reported.
            Err(e) if e.is_eof() && values == 0 => {
                return salvage(text, body, &mut lines, out).ok_or_else(|| json_error(&e, 1));
            }
            Err(e) => return Err(json_error(&e, 1)),
        };
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
            TopLevel::Unwrapped(envelope, items) => {
                out.shape = Shape::Envelope(envelope);
                for json in items {
                    let line = match json {
                        Cow::Borrowed(s) => lines.line_at(offset_in(text, s)),
                        Cow::Owned(_) => line,
                    };
                    push_event(&mut out, json, line);
                }
            }
            TopLevel::Digest => return Ok(Err(Skip::Digest)),
        }
    }
    if values > 1 && !matches!(out.shape, Shape::Envelope(_)) {
        out.shape = Shape::JsonLines;
    } else if saw_records {
        out.shape = Shape::Records;
    }
    if out.items.is_empty() && out.insights > 0 {
        return Ok(Err(Skip::Insight));
    }
    Ok(Ok(out))
}

/// Reads a CloudWatch Logs export to S3 ([`envelopes::export_message`]):
/// each line's event, borrowed. A last line cut short (a download or copy
/// that stopped) is the cut; a line of another shape, or whose event is
/// broken before the end, is an error.
fn logs_export<'a>(body: &'a str, mut out: Events<'a>) -> Result<Result<Events<'a>, Skip>, String> {
    out.shape = Shape::Envelope(Envelope::LogsExport);
    let mut lines = body.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let Some(message) = envelopes::export_message(line) else {
            return Err(format!(
                "line {n}: not a line of a CloudWatch Logs export (a time, a space, then the event as JSON)"
            ));
        };
        match serde_json::from_str::<&RawValue>(message) {
            Ok(_) => push_event(&mut out, Cow::Borrowed(message), n),
            Err(e) if e.is_eof() && lines.peek().is_none_or(|(_, l)| l.trim().is_empty()) => {
                out.cut = Some(format!(
                    "the input ends in the middle of event {} (line {n}): cut short, as a download or copy that stopped; the {} before the cut were read",
                    out.items.len() + out.insights + 1,
                    crate::text::counted(out.items.len() + out.insights, "event")
                ));
                break;
            }
            Err(e) => return Err(json_error(&e, n)),
        }
    }
    if out.items.is_empty() && out.insights > 0 {
        return Ok(Err(Skip::Insight));
    }
    Ok(Ok(out))
}

/// Reads the events of an array (`[…]` or `{"Records":[…]`) cut short,
/// up to the cut; `None` when the input is no such array, or is broken
/// before the cut.
fn salvage<'a>(
    text: &'a str,
    body: &'a str,
    lines: &mut LineCounter<'a>,
    mut out: Events<'a>,
) -> Option<Result<Events<'a>, Skip>> {
    let trimmed = body.trim_start_matches([' ', '\t', '\r', '\n']);
    let rest = match trimmed.strip_prefix('[') {
        Some(rest) => {
            out.shape = Shape::Array;
            rest
        }
        None => {
            let rest = trimmed.strip_prefix('{')?.trim_start();
            let rest = rest.strip_prefix("\"Records\"")?.trim_start();
            let rest = rest.strip_prefix(':')?.trim_start();
            out.shape = Shape::Records;
            rest.strip_prefix('[')?
        }
    };
    let mut rest = rest;
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\r', '\n', ',']);
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
        match stream.next() {
            Some(Ok(value)) => {
                let line = lines.line_at(offset_in(text, value.get()));
                push_event(&mut out, Cow::Borrowed(value.get()), line);
                rest = &rest[stream.byte_offset()..];
            }
            Some(Err(e)) if e.is_eof() => break,
            // `]` before the end, or a syntax error: not a cut-short array.
            _ => return None,
        }
    }
    let line = lines.line_at(offset_in(text, rest));
    out.cut = Some(format!(
        "the input ends in the middle of event {} (line {line}): cut short, as a download or copy that stopped; the {} before the cut were read",
        out.items.len() + out.insights + 1,
        crate::text::counted(out.items.len() + out.insights, "event")
    ));
    Some(Ok(out))
}

fn push_event<'a>(out: &mut Events<'a>, json: Cow<'a, str>, line: usize) {
    // EventBridge events in an array or a stream: the event is the detail.
    let json = match json {
        Cow::Borrowed(s) => Cow::Borrowed(envelopes::eventbridge_detail(s).unwrap_or(s)),
        Cow::Owned(s) => match envelopes::eventbridge_detail(&s) {
            Some(detail) => Cow::Owned(detail.to_string()),
            None => Cow::Owned(s),
        },
    };
    if is_insight(&json) {
        out.insights += 1;
    } else {
        out.items.push(Item { json, line });
    }
}

pub(super) fn is_insight(json: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(rename = "eventType", borrow)]
        event_type: Option<Cow<'a, str>>,
    }
    json.contains("AwsCloudTrailInsight")
        && serde_json::from_str::<Probe>(json)
            .is_ok_and(|p| p.event_type.as_deref() == Some("AwsCloudTrailInsight"))
}

/// A single JSON document (an array, `{"Records":[…]}`, lookup-events
/// output; not JSON Lines, which are read line by line) may hold at most
/// this many events. Each event costs a few dozen bytes before it is read,
/// whatever its size: without a bound, a small gzip of `[{},{},…]` took
/// gigabytes. Real documents hold far fewer (CloudTrail delivers a file
/// every five minutes); a bigger export is read as JSON Lines.
pub const MAX_DOCUMENT_EVENTS: usize = 8_000_000;

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

pub(super) enum TopLevel<'a> {
    Array(Vec<&'a RawValue>),
    Records(Vec<&'a RawValue>),
    /// Each entry's raw JSON and its decoded `CloudTrailEvent` string.
    Lookup(Vec<(&'a RawValue, String)>),
    Event,
    /// Events taken out of an envelope (EventBridge, CloudWatch Logs,
    /// CloudTrail Lake).
    Unwrapped(Envelope, Vec<Cow<'a, str>>),
    Digest,
}

/// What one top-level JSON value is.
pub(super) fn top_level(value: &RawValue, line: usize) -> Result<TopLevel<'_>, String> {
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
    let envelope: EnvelopeKeys = serde_json::from_str(raw).unwrap_or_default();
    match envelopes::unwrap(envelope, line) {
        Some(Ok((envelope, items))) => Ok(TopLevel::Unwrapped(envelope, items)),
        Some(Err(message)) => Err(message),
        None => Err(not_cloudtrail(line)),
    }
}

fn not_cloudtrail(line: usize) -> String {
    format!(
        "line {line}: JSON, but not CloudTrail (expected {{\"Records\":[…]}}, an array of events, an event, lookup-events output, EventBridge events, CloudWatch Logs events or Insights results, or CloudTrail Lake query results)"
    )
}

/// Why JSON that starts on line `first_line` of the input does not parse.
pub(super) fn json_error(e: &serde_json::Error, first_line: usize) -> String {
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
