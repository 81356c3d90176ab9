//! A single large CloudTrail file read as a stream of events: a block at a
//! time (decompressed on the way when it is gzip), each block's events
//! parsed in parallel and folded into the summary, then dropped. Memory
//! holds a block and its outcomes, whatever the size of the file; a 1.2 GB
//! `{"Records":[…]}` of 5 million events was read whole before (1.2 GB of
//! RSS for the text alone).
//!
//! Only the layouts [`Splitter`] cuts are streamed (arrays of events, bare
//! or as `{"Records":[…]}`, and JSON Lines of events); for any other the
//! head says so before anything is counted, and the caller reads the file
//! whole, as every smaller file is.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use rayon::prelude::*;

use super::{EventOptions, Fold, Outcome, parsed_outcome, report_unreadable};
use crate::formats::cloudtrail::{self, Event, Layout, LinesTally, Splitter, Step};
use crate::outcome::InputReport;
use crate::rules::RuleSet;

/// Files from this size on (as stored, compressed or not) are streamed.
pub const STREAM_FROM: u64 = 16 << 20;

/// Bytes read (decompressed) at a time; a block's events are parsed in
/// parallel, then folded.
const BLOCK: u64 = 4 << 20;

/// Bytes of the head the layout is judged on.
const HEAD: u64 = 64 << 10;

/// An event this big is no event (the buffer would only grow).
const MAX_EVENT_BYTES: usize = 64 << 20;

/// Analyzes the CloudTrail file at `path` (named `label` in reports) as a
/// stream; `None`, with nothing counted, when its layout is not one the
/// stream reads or it cannot be opened (reading it whole says why). Also
/// returns the bytes read, decompressed.
pub fn cloudtrail_file(
    path: &Path,
    label: &str,
    rules: &RuleSet,
    options: &EventOptions,
) -> Option<(InputReport, u64)> {
    if cloudtrail::skipped_by_path(label).is_some() {
        return None;
    }
    let mut file = BufReader::with_capacity(1 << 16, std::fs::File::open(path).ok()?);
    let gzip = file.fill_buf().ok()?.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn Read> = match gzip {
        true => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
        false => Box::new(file),
    };
    let mut buf = Vec::with_capacity((BLOCK + HEAD) as usize);
    let eof = read_block(&mut reader, &mut buf, HEAD).ok()?;
    let layout = Splitter::layout_of(&buf)?;
    if layout == Layout::Lines && !first_line_is_an_event(&buf) {
        return None;
    }
    let mut stream = Stream {
        reader,
        buf,
        eof,
        read: 0,
    };
    stream.read = stream.buf.len() as u64;
    let mut report = InputReport::new(
        label.to_string(),
        Some(crate::formats::Format::Cloudtrail.into()),
    );
    let mut fold = Fold::new(
        label,
        rules,
        options.keep_events,
        options,
        Default::default(),
    );
    // Never read again another way: the ids it meets need no undoing.
    fold.discardable = false;
    let ending = match layout {
        Layout::Arrays => arrays(&mut stream, &mut fold, rules, options),
        Layout::Lines => lines(&mut stream, &mut fold, rules, options),
    };
    if let Err(message) = ending {
        report.errors.push(format!("{label}: {message}"));
    }
    let count = fold.events;
    let unreadable = fold.finish(&mut report);
    report_unreadable(&mut report, label, count, unreadable);
    Some((report, stream.read))
}

/// The file as it is read: the bytes not yet done with, whether more will
/// come, and how many were read in all.
struct Stream {
    reader: Box<dyn Read>,
    buf: Vec<u8>,
    eof: bool,
    read: u64,
}

impl Stream {
    /// Drops the first `done` bytes and reads a block more.
    fn advance(&mut self, done: usize) -> Result<(), String> {
        self.buf.drain(..done);
        if self.buf.len() > MAX_EVENT_BYTES {
            return Err(format!(
                "a value over {} MiB: not read on",
                MAX_EVENT_BYTES >> 20
            ));
        }
        let before = self.buf.len();
        self.eof = read_block(&mut self.reader, &mut self.buf, BLOCK)
            .map_err(|e| format!("reading stopped: {e}"))?;
        self.read += (self.buf.len() - before) as u64;
        Ok(())
    }
}

/// Arrays of events: each block's events cut out, parsed in parallel,
/// folded. `Err` with what ended the reading early (a cut, a surprise).
fn arrays(
    stream: &mut Stream,
    fold: &mut Fold<'_>,
    rules: &RuleSet,
    options: &EventOptions,
) -> Result<(), String> {
    let mut splitter = Splitter::arrays();
    loop {
        let mut events = Vec::new();
        let step = loop {
            match splitter.next(&stream.buf, stream.eof) {
                Step::Event { start, end, line } => events.push((start, end, line)),
                other => break other,
            }
        };
        let buf = &stream.buf;
        let outcomes: Vec<Outcome> = events
            .par_iter()
            .map(
                |&(start, end, line)| match simdutf8::basic::from_utf8(&buf[start..end]) {
                    Ok(json) => {
                        Event::parse_then(json, |e| parsed_outcome(e, line, rules, options))
                    }
                    Err(_) => Outcome::Unreadable(format!("line {line}: not UTF-8")),
                },
            )
            .collect();
        outcomes.into_iter().for_each(|o| fold.add(o));
        match step {
            Step::NeedMore => stream.advance(splitter.consumed())?,
            Step::End | Step::Event { .. } => return Ok(()),
            Step::Cut(message) => return Err(message),
            Step::Broken(message) => {
                return Err(format!(
                    "not valid JSON at {message}; the {} before were read",
                    crate::text::counted(splitter.events(), "event")
                ));
            }
        }
    }
}

/// JSON Lines: a block of whole lines at a time, read as a whole JSON
/// Lines text is ([`cloudtrail::each_json_line_of_block`]).
fn lines(
    stream: &mut Stream,
    fold: &mut Fold<'_>,
    rules: &RuleSet,
    options: &EventOptions,
) -> Result<(), String> {
    let mut tally = LinesTally::default();
    let mut line = 1;
    loop {
        let whole = match memchr::memrchr(b'\n', &stream.buf) {
            _ if stream.eof => stream.buf.len(),
            Some(last) => last + 1,
            None => 0,
        };
        let block = String::from_utf8_lossy(&stream.buf[..whole]);
        let read = cloudtrail::each_json_line_of_block(
            &block,
            line,
            |event, at| parsed_outcome(event, at, rules, options),
            |outcomes| outcomes.into_iter().for_each(|o| fold.add(o)),
            &mut tally,
        );
        drop(block);
        line += memchr::memchr_iter(b'\n', &stream.buf[..whole]).count();
        read?;
        if stream.eof {
            break;
        }
        stream.advance(whole)?;
    }
    if let Some(first) = tally.lines.broken.first() {
        return Err(format!(
            "{} broken line(s) were skipped (first: {first})",
            tally.lines.broken_lines
        ));
    }
    Ok(())
}

/// Reads up to `upto` more bytes into `buf`; whether the reader is done.
fn read_block(reader: &mut dyn Read, buf: &mut Vec<u8>, upto: u64) -> std::io::Result<bool> {
    let before = buf.len();
    reader.take(upto).read_to_end(buf)?;
    Ok(((buf.len() - before) as u64) < upto)
}

/// Whether the first line that is not blank is a CloudTrail event (JSON
/// Lines of events, not a pretty-printed document or another log).
fn first_line_is_an_event(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let Some(line) = head
        .split(|b| *b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
    else {
        return false;
    };
    // A line the head cuts off is no line to judge by.
    if line.len() == head.len() {
        return false;
    }
    std::str::from_utf8(line)
        .ok()
        .and_then(|l| Event::parse(l).ok())
        .is_some_and(|e| e.is_cloudtrail())
}
