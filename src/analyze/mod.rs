//! The pipeline driver: inputs → format → records → facts → findings.
//!
//! ```text
//! input::read ─► formats::sniff ─┬─► logs   (text logs: chunks ─► formats::runs ─► facts::incident)
//!                                ├─► ci     (CI job logs: unwrapped, then as logs)
//!                                └─► events (CloudTrail, S3 access logs: one incident per failed event)
//!             ─► rules::RuleSet::evaluate (every verdict) ─► outcome::InputReport
//! ```
//!
//! Parallelism lives here and only here: [`analyze`] fans inputs out, and
//! big inputs are cut into chunks ([`crate::chunk`]); results are merged in
//! input order, so output is the same whatever the thread count. Piped
//! stdin ([`analyze_stdin`]) is cut into pieces as it arrives instead, each
//! piece analysed as a chunk is, and merged the same way.

mod ci;
pub mod events;
mod logs;
mod repeats;
mod stream;
#[cfg(test)]
mod tests;

use rayon::prelude::*;

use crate::formats::{self, Format};
use crate::input::{self, Source};
use crate::outcome::{InputReport, ReadAs, Report};
use crate::rules::RuleSet;

use crate::{progress, sigv4, trail};
pub use events::EventOptions;
pub use stream::analyze_stdin;

/// Analysis settings that do not concern rendering.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Skip sniffing and parse every input as this format.
    pub input_format: Option<Format>,
    /// A secret access key to check logged signatures against.
    pub secret: Option<sigv4::verify::Secret>,
    /// How event inputs (CloudTrail, S3 access logs) are read.
    pub events: EventOptions,
    /// Lines of text logs are kept up to this many bytes (`None`:
    /// [`input::lines::MAX_LINE_BYTES`]).
    pub max_line_bytes: Option<usize>,
    /// What an input may cost: bytes read, inflate ratio.
    pub limits: input::Limits,
}

/// Analyzes one input's text.
pub fn analyze_text(path: &str, text: &str, rules: &RuleSet, options: &Options) -> InputReport {
    analyze_bytes(path, text.as_bytes(), rules, options)
}

/// Analyzes one input's bytes; invalid UTF-8 is decoded lossily, chunk by
/// chunk (chunks start at line starts, which are character boundaries).
pub fn analyze_bytes(path: &str, text: &[u8], rules: &RuleSet, options: &Options) -> InputReport {
    let format = input_format(text, options);
    match format {
        Format::Cloudtrail => {
            return events::cloudtrail(path, &decode(text), rules, &options.events);
        }
        Format::S3AccessLog => {
            return events::s3_access(path, &decode(text), rules, &options.events);
        }
        _ => {}
    }
    match format.ci_system() {
        Some(system) => ci::analyze_ci_log(path, text, system, format, rules, options),
        None => logs::analyze_whole(path, text, format, rules, options),
    }
}

/// Analyzes an opened input, and says how many bytes it held (once
/// decompressed). Text logs are analysed as they are read, window by
/// window (UTF-16 too, decoded as read; CI job logs unwrapped as read);
/// event inputs, whose parsers need the document whole, are read whole
/// (within [`input::Limits::input_bytes`]).
pub fn analyze_opened(
    mut opened: input::Opened,
    rules: &RuleSet,
    options: &Options,
) -> Result<(InputReport, u64), input::InputError> {
    let head = opened.peek(formats::SNIFF_BYTES)?;
    if options.input_format.is_none()
        && let Some(own) = formats::own_report::sniff(&decode(head))
    {
        let label = opened.label().to_string();
        let mut report = InputReport::new(label.clone(), Some(ReadAs::OwnReport(own)));
        report.notes.push(format!(
            "{label}: a report authsift wrote (--format {}), not analysed as a log",
            own.as_str()
        ));
        return Ok((report, 0));
    }
    let format = input_format(head, options);
    if let Some(system) = format.ci_system() {
        let report = ci::analyze_ci_stream(&mut opened, system, format, rules, options)?;
        return Ok((report, opened.bytes_read()));
    }
    if !matches!(format, Format::Cloudtrail | Format::S3AccessLog) {
        let report = logs::analyze_stream(&mut opened, format, rules, options)?;
        return Ok((report, opened.bytes_read()));
    }
    let label = opened.label().to_string();
    let (text, cut) = opened.whole_to_cut()?;
    let mut report = analyze_bytes(&label, &text, rules, options);
    if let Some(cut) = cut {
        report
            .errors
            .push(format!("{cut}: what came before the cut was read"));
    }
    let unpacked = text.len() as u64;
    // Freeing a big input takes milliseconds: an idle worker does it
    // while the run goes on.
    if text.len() >= 1 << 20 {
        rayon::spawn(move || drop(text));
    }
    Ok((report, unpacked))
}

/// The report of an input that could not be analysed. A text log stopped
/// by a limit is analysed up to it (see `logs::Parts`): an input whose
/// error reaches here had nothing analysed, and the message says so.
pub(crate) fn failed(label: String, e: input::InputError) -> InputReport {
    let message = match e.is_size_limit() {
        true => format!("{e}: not analysed"),
        false => e.to_string(),
    };
    InputReport::failed(label, message)
}

/// The format an input is read as: `--input-format`, else sniffed from
/// its head.
fn input_format(text: &[u8], options: &Options) -> Format {
    options.input_format.unwrap_or_else(|| {
        let head = &text[..text.len().min(formats::SNIFF_BYTES)];
        formats::sniff(&decode(head))
    })
}

/// Text of a chunk: borrowed when it is valid UTF-8, decoded lossily
/// otherwise (the slow path, only for broken input). Validation touches every
/// byte of every input, so it uses simdutf8 (several times faster than
/// `str::from_utf8` on logs).
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Reads and analyzes every source in parallel; results keep input order,
/// so output is the same whatever the thread count. `progress`, when given,
/// counts each input as it finishes (relaxed atomics, off the hot path).
pub fn analyze(
    sources: &[Result<Source, input::InputError>],
    rules: &RuleSet,
    options: &Options,
    progress: Option<&progress::Progress>,
) -> Report {
    analyze_each(
        sources,
        rules,
        options,
        progress,
        &|_| String::new(),
        &mut |_| {},
    )
}

/// Inputs read ahead of the earliest one not yet finished, at most: what
/// waits to be handed over in order is bounded by it.
const AHEAD: usize = 16;

/// [`analyze`], handing each input over as it finishes: `part` makes its
/// part of the output (in whichever thread finished it; it may lighten the
/// report, whose findings are then written), and `write` gets the parts in
/// input order, an input's as soon as every input before it is done. Inputs
/// are started in order and at most `AHEAD` (16) past the earliest unfinished
/// one, so memory holds a few inputs' parts, whatever their number.
pub fn analyze_each(
    sources: &[Result<Source, input::InputError>],
    rules: &RuleSet,
    options: &Options,
    progress: Option<&progress::Progress>,
    part: &(dyn Fn(&mut InputReport) -> String + Sync),
    write: &mut (dyn FnMut(String) + Send),
) -> Report {
    // A CloudTrail file holds only events from before its delivery time.
    let delivered_too_early =
        |source: &&Result<Source, input::InputError>| match (source, options.events.window.since) {
            (Ok(Source::File(path)), Some(since)) => path
                .to_str()
                .and_then(formats::cloudtrail::delivery_time)
                .is_some_and(|delivered| delivered < since),
            _ => false,
        };
    let wanted: Vec<&Result<Source, input::InputError>> =
        sources.iter().filter(|s| !delivered_too_early(s)).collect();
    let not_opened = sources.len() - wanted.len();
    // Stored sizes, looked up only for the progress line (the bar's total
    // and each file's share of it); `0` where unknown (stdin, a vanished file).
    let stored = |source: &Result<Source, input::InputError>| match source {
        Ok(Source::File(path)) => std::fs::metadata(path).map_or(0, |m| m.len()),
        _ => 0,
    };
    if let Some(progress) = progress {
        let bytes = wanted.par_iter().map(|source| stored(source)).sum();
        progress.plan(wanted.len() as u64, bytes);
    }
    let merged = std::sync::Mutex::new(None::<trail::summary::Summary>);
    let one = |source: &Result<Source, input::InputError>| {
        let streamed = match source {
            Ok(input) => stream_events(input, rules, options),
            Err(_) => None,
        };
        let (report, unpacked) = match (streamed, source) {
            (Some(done), _) => done,
            (None, Ok(input)) => {
                match input::open(input, &options.limits)
                    .and_then(|o| analyze_opened(o, rules, options))
                {
                    Ok(done) => done,
                    Err(e) => (failed(input.label(), e), 0),
                }
            }
            (None, Err(e)) => (InputReport::failed(e.path().to_string(), e.to_string()), 0),
        };
        if let Some(progress) = progress {
            // Stdin has no stored size: what was read stands for it.
            let bytes = match stored(source) {
                0 => unpacked,
                n => n,
            };
            progress.input_done(bytes, unpacked, report.records as u64);
        }
        let mut report = report;
        if let Some(part) = report.summary.as_mut().map(std::mem::take) {
            // Merging is associative and commutative: finishing order
            // does not change the result.
            let mut all = merged.lock().unwrap_or_else(|e| e.into_inner());
            all.get_or_insert_with(Default::default).merge(part);
        }
        report
    };
    let inputs = in_order(wanted.len(), &|i| one(wanted[i]), part, write);
    Report {
        inputs,
        not_opened,
        merged: merged.into_inner().unwrap_or_else(|e| e.into_inner()),
    }
}

/// Runs `run` for `0..n` on as many threads as the pool has, started in order and at most
/// [`AHEAD`] past the earliest unfinished; each result's `part` goes to
/// `write` in order. Returns the results, in order.
fn in_order(
    n: usize,
    run: &(dyn Fn(usize) -> InputReport + Sync),
    part: &(dyn Fn(&mut InputReport) -> String + Sync),
    write: &mut (dyn FnMut(String) + Send),
) -> Vec<InputReport> {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex};

    struct Order<'w> {
        /// The first input whose part is not written yet.
        next: usize,
        /// Parts finished before an earlier input's.
        waiting: BTreeMap<usize, String>,
        write: &'w mut (dyn FnMut(String) + Send),
    }
    let order = Mutex::new(Order {
        next: 0,
        waiting: BTreeMap::new(),
        write,
    });
    let moved = Condvar::new();
    let ticket = AtomicUsize::new(0);
    let reports: Vec<Mutex<Option<InputReport>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let worker = || {
        loop {
            let i = ticket.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                return;
            }
            {
                // The thread with the earliest input never waits here.
                let mut o = order.lock().unwrap_or_else(|e| e.into_inner());
                while i >= o.next + AHEAD {
                    o = moved.wait(o).unwrap_or_else(|e| e.into_inner());
                }
            }
            let mut report = run(i);
            let text = part(&mut report);
            *reports[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
            let mut o = order.lock().unwrap_or_else(|e| e.into_inner());
            o.waiting.insert(i, text);
            while let Some(text) = {
                let next = o.next;
                o.waiting.remove(&next)
            } {
                (o.write)(text);
                o.next += 1;
            }
            moved.notify_all();
        }
    };
    // Threads of their own, not the pool's: a pool thread waiting inside
    // an input's parallel work may pick up another worker, which could then
    // wait for the very input beneath it on the same stack. Work an input
    // does in parallel still runs on the pool.
    let threads = rayon::current_num_threads().min(n.max(1));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(worker);
        }
    });
    reports
        .into_iter()
        .map(|r| {
            r.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every input was run")
        })
        .collect()
}

/// A large CloudTrail file analysed as a stream of events
/// ([`events::cloudtrail_file`]), when `source` is one: a file of at least
/// [`events::STREAM_FROM`] bytes, not read as another format.
fn stream_events(
    source: &Source,
    rules: &RuleSet,
    options: &Options,
) -> Option<(InputReport, u64)> {
    let Source::File(path) = source else {
        return None;
    };
    if options
        .input_format
        .is_some_and(|f| f != Format::Cloudtrail)
    {
        return None;
    }
    let size = std::fs::metadata(path).ok()?.len();
    if size < events::STREAM_FROM {
        return None;
    }
    events::cloudtrail_file(path, &source.label(), rules, &options.events)
}

/// The report of one input analysed on its own ([`analyze_stdin`]), its
/// event summary merged as [`analyze`] merges them.
pub fn report_of(mut input: InputReport) -> Report {
    let merged = input.summary.as_mut().map(std::mem::take).map(|part| {
        let mut all = trail::summary::Summary::default();
        all.merge(part);
        all
    });
    Report {
        inputs: vec![input],
        not_opened: 0,
        merged,
    }
}
