//! JSON Lines inputs (one event, or one `Records` batch, per line), read
//! line by line in parallel chunks.

use std::borrow::Cow;

use rayon::prelude::*;
use serde_json::value::RawValue;

use super::Skip;
use super::event::Event;
use super::records::{TopLevel, each_record, is_insight, json_error, top_level};

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

/// What reading an input as JSON Lines gave.
#[derive(Debug)]
pub enum JsonLinesRead {
    /// The events were handed over, line by line; this is what else was found.
    Lines(JsonLines),
    /// A digest or Insights file: nothing to read.
    Skipped(Skip),
    /// Why the input is not CloudTrail, as [`events`](super::events) would say.
    Unreadable(String),
    /// Not JSON Lines, or a shape or a problem only
    /// [`events`](super::events) reads and explains: read the input with it.
    General,
}

/// Reads a JSON Lines input (one event, or one `{"Records":[…]}` batch, per
/// line: SIEM exports, Athena or Firehose output, often hundreds of MB),
/// calling `each` with every event as deserialised from its line (or why it
/// is not one) and the line's number. Lines are independent, so the text is
/// cut into chunks at line starts (where depends only on the text, so
/// results never depend on the thread count) read in parallel, and each line
/// is deserialised once where its shape allows. Outcomes and messages are
/// those of [`events`](super::events), with one difference: a line that is not valid JSON
/// (a truncated export, say) is skipped and reported rather than failing
/// the whole input, as in other logs.
///
/// What `each` made of every event but Insight events goes to `sink`, one
/// chunk at a time in input order, as soon as the chunks before it are
/// read: a few chunks' outcomes are held at once, never the whole input's.
/// When the result is not [`JsonLinesRead::Lines`], what `sink` was given is
/// not the input's (the caller drops it and reads the input another way).
///
/// [`JsonLinesRead::General`] when the input is not JSON Lines (its first non-blank line is not
/// a complete object, or no other line follows), when a line that does not
/// parse alone is part of a value spanning lines, or for shapes left to
/// [`events`](super::events) (`lookup-events` output on a line, a problem after a broken
/// line).
pub fn each_json_line<'a, T: Send>(
    text: &'a str,
    each: impl Fn(Result<&Event<'a>, serde_json::Error>, usize) -> T + Sync,
    mut sink: impl FnMut(Vec<T>),
) -> JsonLinesRead {
    let body = text.trim_start_matches('\u{feff}');
    if !is_json_lines(body) {
        return JsonLinesRead::General;
    }
    let mut tally = LinesTally::default();
    match read_chunks(body, 1, &each, &mut sink, &mut tally) {
        None => {}
        // After a broken line `events` would have stopped there, so it
        // says what is wrong.
        Some(_) if tally.lines.broken_lines > 0 => return JsonLinesRead::General,
        Some(Stop::Error(message)) => return JsonLinesRead::Unreadable(message),
        Some(Stop::Digest) => return JsonLinesRead::Skipped(Skip::Digest),
        Some(Stop::General) => return JsonLinesRead::General,
    }
    let LinesTally {
        lines: out,
        events,
        insights,
    } = tally;
    if out.broken_lines > 0 && is_json_stream(body) {
        return JsonLinesRead::General;
    }
    if events == 0 && insights > 0 {
        return JsonLinesRead::Skipped(Skip::Insight);
    }
    JsonLinesRead::Lines(out)
}

/// What JSON Lines read so far held besides the events handed over.
#[derive(Debug, Default)]
pub struct LinesTally {
    /// Broken lines.
    pub lines: JsonLines,
    events: usize,
    insights: usize,
}

/// Reads `body` (whole lines, the first numbered `first_line`) in chunks,
/// a few in parallel at a time, handing each chunk's outcomes to `sink` in
/// input order and adding up the rest in `tally`; the line that stopped
/// the reading, if one did (its chunk is not handed over).
fn read_chunks<'a, T: Send>(
    body: &'a str,
    first_line: usize,
    each: &(impl Fn(Result<&Event<'a>, serde_json::Error>, usize) -> T + Sync),
    sink: &mut impl FnMut(Vec<T>),
    tally: &mut LinesTally,
) -> Option<Stop> {
    let cuts = crate::chunk::line_chunk_starts(body.as_bytes());
    let chunks = crate::chunk::numbered_chunks(body.as_bytes(), &cuts);
    // Chunks are read in parallel a few at a time; which ones go together
    // changes when `sink` is called, never what it is given.
    let window = 2 * rayon::current_num_threads().max(1);
    for group in chunks.chunks(window) {
        let read: Vec<LinesRead<T>> = group
            .par_iter()
            .map(|(range, first)| read_lines(&body[range.clone()], first + first_line - 1, each))
            .collect();
        for chunk in read {
            tally.events += chunk.events.len();
            tally.lines.broken_lines += chunk.broken_lines;
            let room = MAX_BROKEN_KEPT - tally.lines.broken.len();
            tally
                .lines
                .broken
                .extend(chunk.broken.into_iter().take(room));
            tally.insights += chunk.insights;
            if chunk.stop.is_some() {
                return chunk.stop;
            }
            sink(chunk.events);
        }
    }
    None
}

/// Reads a block of whole JSON Lines of a text read a block at a time (the
/// block's first line is `first_line`), as [`each_json_line`] reads a
/// whole text; `Err` with why, when a line ends the reading (a line that
/// is not CloudTrail, a digest, a shape only a whole read takes).
pub fn each_json_line_of_block<'a, T: Send>(
    block: &'a str,
    first_line: usize,
    each: impl Fn(Result<&Event<'a>, serde_json::Error>, usize) -> T + Sync,
    mut sink: impl FnMut(Vec<T>),
    tally: &mut LinesTally,
) -> Result<(), String> {
    match read_chunks(block, first_line, &each, &mut sink, tally) {
        None => Ok(()),
        Some(Stop::Error(message)) => Err(message),
        Some(Stop::Digest) => Err("a CloudTrail digest among the events".to_string()),
        Some(Stop::General) => {
            Err("a line of a shape only a whole read takes (lookup-events output)".to_string())
        }
    }
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
    /// Not CloudTrail: the input is an error, as in [`events`](super::events).
    Error(String),
    Digest,
    /// A shape [`events`](super::events) reads (lookup-events output).
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
/// [`events`](super::events) reads a top-level value, giving its outcomes and messages.
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
        // Events held as JSON (EventBridge's detail) are read here; events
        // held as strings or columns are made anew, which `events` does.
        TopLevel::Unwrapped(_, items) if items.iter().all(|i| matches!(i, Cow::Borrowed(_))) => {
            for item in items {
                if let Cow::Borrowed(json) = item {
                    push_raw(out, json, at, each);
                }
            }
        }
        TopLevel::Lookup(_) | TopLevel::Unwrapped(..) => return Err(Stop::General),
        TopLevel::Digest => return Err(Stop::Digest),
    }
    Ok(())
}

/// An event cut out as raw JSON, as [`events`](super::events) and the pipeline's event
/// analysis take it: Insight events counted (whether or not the rest
/// parses), others parsed.
fn push_raw<'a, T, F>(out: &mut LinesRead<T>, json: &'a str, line: usize, each: &F)
where
    F: Fn(Result<&Event<'a>, serde_json::Error>, usize) -> T,
{
    let json = super::envelopes::eventbridge_detail(json).unwrap_or(json);
    if is_insight(json) {
        out.insights += 1;
    } else {
        out.events
            .push(Event::parse_then(json, |event| each(event, line)));
    }
}
