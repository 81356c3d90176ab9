//! CloudTrail events inside the envelopes people export them in, each
//! unwrapped to the event's own JSON. The shapes are AWS's documented
//! ones (samples under `fixtures/cloudtrail/envelopes/`, with the pages
//! they follow):
//!
//! * EventBridge: `{"version":"0","detail-type":"AWS API Call via
//!   CloudTrail",…,"detail":{<event>}}` (also `AWS Console Sign In via
//!   CloudTrail`), alone, in arrays, one a line or concatenated (Firehose);
//! * CloudWatch Logs, where a trail sends its events: `aws logs
//!   filter-log-events` / `get-log-events` output
//!   (`{"events":[{"timestamp":…,"message":"<event as a string>"}]}`) and
//!   Logs Insights results (`aws logs get-query-results`:
//!   `{"results":[[{"field":"@message","value":"<event>"},…]]}`);
//! * CloudTrail Lake query results (`aws cloudtrail get-query-results`:
//!   `{"QueryResultRows":[[{"eventID":"…"},{"eventTime":"…"},…]]}`), one
//!   event per row, from the columns the query selected;
//! * CloudWatch Logs exports to S3 (`aws logs create-export-task`): text
//!   (`…/<stream>/000000.gz`), one log event a line, its time, a space, then
//!   the message: `2024-05-01T10:00:05.000Z {"eventVersion":…}`
//!   ([`export_message`]).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The `detail-type`s of CloudTrail events on EventBridge.
const EVENTBRIDGE_DETAIL_TYPES: &[&str] = &[
    "AWS API Call via CloudTrail",
    "AWS Console Sign In via CloudTrail",
    "AWS Service Event via CloudTrail",
    "AWS Console Action via CloudTrail",
];

/// The keys of an object that may be an envelope.
#[derive(Deserialize, Default)]
pub(super) struct EnvelopeKeys<'a> {
    #[serde(rename = "detail-type", borrow)]
    detail_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    detail: Option<&'a RawValue>,
    /// `filter-log-events` / `get-log-events`.
    #[serde(rename = "events", borrow)]
    log_events: Option<Vec<LogEvent<'a>>>,
    /// Logs Insights `get-query-results`.
    #[serde(borrow)]
    results: Option<Vec<Vec<ResultField<'a>>>>,
    /// CloudTrail Lake `get-query-results`.
    #[serde(rename = "QueryResultRows")]
    lake_rows: Option<Vec<Vec<BTreeMap<String, Value>>>>,
}

#[derive(Deserialize)]
struct LogEvent<'a> {
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ResultField<'a> {
    #[serde(borrow)]
    field: Cow<'a, str>,
    #[serde(borrow)]
    value: Option<Cow<'a, str>>,
}

/// Which envelope an input was in, as messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// EventBridge events.
    EventBridge,
    /// CloudWatch Logs log events (`filter-log-events`, `get-log-events`).
    LogEvents,
    /// CloudWatch Logs Insights query results.
    LogsInsights,
    /// CloudTrail Lake query results.
    Lake,
    /// A CloudWatch Logs export to S3: a timestamp, a space and the event,
    /// a line each.
    LogsExport,
}

/// The events an envelope held, as JSON.
pub(super) type Unwrapped<'a> = (Envelope, Vec<Cow<'a, str>>);

/// What an envelope held: its events' JSON, borrowed where the envelope
/// holds the event as JSON (EventBridge), owned where it holds it as a
/// string (CloudWatch Logs) or as columns (Lake). `None` when `keys` are
/// no envelope's; an error names an envelope that holds no CloudTrail event.
pub(super) fn unwrap(keys: EnvelopeKeys<'_>, line: usize) -> Option<Result<Unwrapped<'_>, String>> {
    if let (Some(kind), Some(detail)) = (&keys.detail_type, keys.detail) {
        if !EVENTBRIDGE_DETAIL_TYPES.contains(&kind.as_ref()) {
            return Some(Err(format!(
                "line {line}: an EventBridge event of detail-type `{kind}`, not a CloudTrail event"
            )));
        }
        return Some(Ok((
            Envelope::EventBridge,
            vec![Cow::Borrowed(detail.get())],
        )));
    }
    if let Some(events) = keys.log_events {
        let messages = events.into_iter().filter_map(|e| e.message).collect();
        return Some(Ok((Envelope::LogEvents, messages)));
    }
    if let Some(rows) = keys.results {
        let mut messages = Vec::with_capacity(rows.len());
        for row in rows {
            let message = row.into_iter().find(|f| f.field == "@message");
            match message.and_then(|f| f.value) {
                Some(m) => messages.push(m),
                None => {
                    return Some(Err(format!(
                        "line {line}: Logs Insights results without `@message`: run the query with `fields @message` (or no `fields`) to get whole events"
                    )));
                }
            }
        }
        return Some(Ok((Envelope::LogsInsights, messages)));
    }
    if let Some(rows) = keys.lake_rows {
        let events = rows
            .into_iter()
            .map(|row| Cow::Owned(lake_event(row).to_string()))
            .collect();
        return Some(Ok((Envelope::Lake, events)));
    }
    None
}

/// Whether one value (an array's element, a line) is an EventBridge event
/// holding a CloudTrail event: its `detail`, if so.
pub(super) fn eventbridge_detail(json: &str) -> Option<&str> {
    if !json.contains("\"detail-type\"") {
        return None;
    }
    let keys: EnvelopeKeys = serde_json::from_str(json).ok()?;
    let kind = keys.detail_type?;
    let detail = keys.detail?;
    EVENTBRIDGE_DETAIL_TYPES
        .contains(&kind.as_ref())
        .then(|| detail.get())
}

/// The message of a line of a CloudWatch Logs export to S3, when `line`
/// is one and holds a JSON object: what follows its timestamp
/// (`2024-05-01T10:00:05.000Z`, UTC, fractions optional) and one space.
pub(super) fn export_message(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && b.get(10) == Some(&b'T')
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !shape {
        return None;
    }
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        at += 1;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
    }
    if b.get(at) != Some(&b'Z') || b.get(at + 1) != Some(&b' ') {
        return None;
    }
    let message = &line[at + 2..];
    message.starts_with('{').then_some(message)
}

/// A CloudTrail Lake result row (one `{column: value}` per column) as a
/// CloudTrail event. Columns named like a nested field
/// (`userIdentity.arn`) are nested; values that are JSON objects
/// (`requestParameters`) are kept as objects; Lake's times
/// (`2024-05-01 10:00:05.000`) become CloudTrail's (`2024-05-01T10:00:05Z`).
fn lake_event(row: Vec<BTreeMap<String, Value>>) -> Value {
    let mut event = Map::new();
    for (column, value) in row.into_iter().flatten() {
        let value = match value {
            Value::String(s) if column == "eventTime" => Value::String(lake_time(&s)),
            Value::String(s) if s.starts_with('{') => match serde_json::from_str(&s) {
                Ok(object @ Value::Object(_)) => object,
                _ => Value::String(s),
            },
            other => other,
        };
        let mut at = &mut event;
        let mut parts: Vec<&str> = column.split('.').collect();
        let last = parts.pop().unwrap_or_default();
        for part in parts {
            let next = at
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !next.is_object() {
                *next = Value::Object(Map::new());
            }
            let Value::Object(map) = next else {
                unreachable!("made an object above")
            };
            at = map;
        }
        at.insert(last.to_string(), value);
    }
    Value::Object(event)
}

/// `2024-05-01 10:00:05.000` → `2024-05-01T10:00:05Z`; other forms as
/// they are.
fn lake_time(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() >= 19 && b[10] == b' ' && b[4] == b'-' && b[13] == b':' {
        format!("{}T{}Z", &s[..10], &s[11..19])
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lake_rows_become_events() {
        let row: Vec<BTreeMap<String, Value>> = serde_json::from_str(
            r#"[{"eventID":"e1"},{"eventTime":"2024-05-01 10:00:05.000"},{"userIdentity.arn":"arn:aws:iam::1:user/a"},{"requestParameters":"{\"roleArn\":\"r\"}"}]"#,
        )
        .unwrap();
        let event = lake_event(row);
        assert_eq!(event["eventTime"], "2024-05-01T10:00:05Z");
        assert_eq!(event["userIdentity"]["arn"], "arn:aws:iam::1:user/a");
        assert_eq!(event["requestParameters"]["roleArn"], "r");
    }

    #[test]
    fn an_export_line_is_a_time_a_space_and_an_object() {
        let line = r#"2024-05-01T10:00:05.000Z {"eventVersion":"1.09"}"#;
        assert_eq!(export_message(line), Some(r#"{"eventVersion":"1.09"}"#));
        assert_eq!(
            export_message(r#"2024-05-01T10:00:05Z {"a":1}"#),
            Some(r#"{"a":1}"#)
        );
        for not in [
            r#"{"eventVersion":"1.09"}"#,
            "2024-05-01T10:00:05.000Z plain text",
            r#"2024-05-01 10:00:05.000Z {"a":1}"#,
            r#"2024-05-01T10:00:05.000+02:00 {"a":1}"#,
            "2024-05-01T10:00",
        ] {
            assert_eq!(export_message(not), None, "{not}");
        }
    }

    #[test]
    fn only_cloudtrail_detail_types_are_unwrapped() {
        let ok = r#"{"detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"s3.amazonaws.com"}}"#;
        assert_eq!(
            eventbridge_detail(ok),
            Some(r#"{"eventSource":"s3.amazonaws.com"}"#)
        );
        let other = r#"{"detail-type":"EC2 Instance State-change Notification","detail":{}}"#;
        assert_eq!(eventbridge_detail(other), None);
    }
}
