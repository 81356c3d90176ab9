//! Text logs (debug output, SDK logs, pasted text): cut into chunks at run
//! boundaries, each chunk parsed into runs, each run into one incident's
//! facts, each incident classified by the rules; then batch rules over all.

use std::sync::Arc;

use rayon::prelude::*;

use super::ci::CiContext;
use super::repeats::Repeats;
use super::{Options, decode};
use crate::formats::{self, Format};
use crate::input::lines::{self, LineCap};
use crate::input::{InputError, Opened};
use crate::outcome::InputReport;
use crate::rules::RuleSet;
use crate::{awsfiles, chunk, facts, finding, model, sigv4};

/// What one chunk of an input yielded.
#[derive(Default)]
pub(super) struct ChunkResult {
    records: usize,
    pub(super) incidents: usize,
    pub(super) findings: Vec<finding::Finding>,
    unclassified: Vec<model::EvidenceLine>,
    /// Every incident's facts, kept only when batch rules need them.
    batch_inputs: Vec<(Arc<facts::Facts>, Option<model::EvidenceLine>)>,
}

/// Analyzes a text log held whole.
pub(super) fn analyze_whole(
    path: &str,
    text: &[u8],
    format: Format,
    rules: &RuleSet,
    options: &Options,
) -> InputReport {
    let mut parts = Parts::default();
    analyze_chunks(
        text,
        &run_chunk_starts(text),
        1,
        format,
        rules,
        options,
        None,
    )
    .into_iter()
    .for_each(|result| parts.push(result));
    parts.pasted.push(pasted(text, 1, format));
    parts.merge(path, format, rules)
}

/// Analyzes a text log as it is read, window by window: see [`Parts`].
pub(super) fn analyze_stream(
    opened: &mut Opened,
    format: Format,
    rules: &RuleSet,
    options: &Options,
) -> Result<InputReport, InputError> {
    let parts = Parts::read(opened, 1, format, rules, options)?;
    Ok(parts.merge(opened.label(), format, rules))
}

/// What a text log read window by window ([`chunk::WINDOW_BYTES`])
/// yielded: complete chunks are analysed and dropped, the text after the
/// last run start seen is kept for the next window. Lines longer than
/// `--max-line-bytes` are cut as they are read. An input no larger than a
/// window is cut into exactly the chunks it would be cut into if read
/// whole. A CI job log is unwrapped as it is read ([`Parts::read_ci`]).
#[derive(Default)]
pub(super) struct Parts {
    pub(super) results: Vec<ChunkResult>,
    /// The pasted configuration of each window ([`pasted`]).
    pub(super) pasted: Vec<Vec<finding::Finding>>,
    /// Notes on lines cut.
    pub(super) notes: Vec<String>,
    /// The limit that stopped the reading, and what was analysed before.
    pub(super) stopped: Option<String>,
    /// The format the text was parsed as, when not the one reported (a CI
    /// log's inner text).
    parsed_as: Option<Format>,
    /// Incidents past the first few of their kind, counted, not kept.
    repeats: Repeats,
}

/// A window of text being read: for a CI job log, its lines unwrapped,
/// with the original lines beside them (findings quote those).
struct Window {
    /// The text analysed.
    text: Vec<u8>,
    /// A CI log's original lines, those of `text` and then at most one
    /// incomplete line.
    raw: Vec<u8>,
    /// How much of `raw` is unwrapped into `text`.
    unwrapped: usize,
}

impl Window {
    /// A window sized once for `room` bytes, so it does not double as it
    /// fills; `raw` only for a CI log.
    fn new(room: usize, ci: bool) -> Window {
        Window {
            text: Vec::with_capacity(room),
            raw: Vec::with_capacity(if ci { room } else { 0 }),
            unwrapped: 0,
        }
    }

    /// The input's bytes it holds.
    fn held(&self, ci: bool) -> usize {
        if ci { self.raw.len() } else { self.text.len() }
    }

    /// Reads about `want` more bytes of `opened`; a CI log's complete lines
    /// are unwrapped at once (all of it at its end). Whether more is to come.
    fn fill(
        &mut self,
        opened: &mut Opened,
        want: usize,
        cap: &mut LineCap,
        unwrapper: Option<&mut formats::ci::Unwrapper>,
    ) -> Result<bool, InputError> {
        let Some(unwrapper) = unwrapper else {
            return opened.read_into(&mut self.text, want, cap);
        };
        let read = opened.read_into(&mut self.raw, want, cap);
        let new = &self.raw[self.unwrapped..];
        let end = match read {
            Ok(true) => memchr::memrchr(b'\n', new).map_or(0, |i| i + 1),
            _ => new.len(),
        };
        let mut inner = String::with_capacity(end);
        unwrapper.push(&decode(&new[..end]), &mut inner);
        self.text.extend_from_slice(inner.as_bytes());
        self.unwrapped += end;
        read
    }

    /// Where in `raw` the text up to `upto` (`lines` lines) ends.
    fn raw_end(&self, upto: usize, lines: usize) -> usize {
        if upto == self.text.len() {
            return self.unwrapped;
        }
        lines
            .checked_sub(1)
            .and_then(|n| memchr::memchr_iter(b'\n', &self.raw).nth(n))
            .map_or(0, |i| i + 1)
    }

    /// Takes over what `from` holds past `upto` (`raw_upto` in `raw`).
    fn carry(&mut self, from: &Window, upto: usize, raw_upto: usize) {
        self.text.clear();
        self.text.extend_from_slice(&from.text[upto..]);
        self.raw.clear();
        self.raw.extend_from_slice(&from.raw[raw_upto..]);
        self.unwrapped = from.unwrapped - raw_upto;
    }
}

impl Parts {
    /// Reads the rest of `opened`, whose next line is `first_line`.
    pub(super) fn read(
        opened: &mut Opened,
        first_line: usize,
        format: Format,
        rules: &RuleSet,
        options: &Options,
    ) -> Result<Parts, InputError> {
        Parts::default().read_on(opened, first_line, format, None, rules, options)
    }

    /// A chunk's results, in input order: incidents past the first few
    /// of their kind are counted, not kept ([`Repeats`]).
    pub(super) fn push(&mut self, mut result: ChunkResult) {
        self.repeats.keep(self.results.len(), &mut result);
        self.results.push(result);
    }

    /// Reads a CI job log (`format`), unwrapping it as it is read: each
    /// window's lines are unwrapped, then analysed as a log in the format
    /// its first window's inner text is sniffed as. Only the steps the
    /// window's lines can belong to are kept between windows.
    pub(super) fn read_ci(
        opened: &mut Opened,
        format: Format,
        system: formats::ci::CiSystem,
        rules: &RuleSet,
        options: &Options,
    ) -> Result<Parts, InputError> {
        let unwrapper = formats::ci::Unwrapper::new(system);
        Parts::default().read_on(opened, 1, format, Some(unwrapper), rules, options)
    }

    /// These parts, then those of the rest of `opened` (its next line
    /// `first_line`; a CI log's when `unwrapper` is given).
    pub(super) fn read_on(
        mut self,
        opened: &mut Opened,
        first_line: usize,
        format: Format,
        mut unwrapper: Option<formats::ci::Unwrapper>,
        rules: &RuleSet,
        options: &Options,
    ) -> Result<Parts, InputError> {
        let ci = unwrapper.is_some();
        let mut cap = LineCap::new(options.max_line_bytes.unwrap_or(lines::MAX_LINE_BYTES));
        // A window always holds a line end, so it can always be cut.
        let window = chunk::WINDOW_BYTES.max(cap.longest() + 1);
        let parts = &mut self;
        // Two windows are held: the one analysed and the next, read
        // meanwhile. Each is sized once, so neither doubles as it fills.
        let room = window + window / 4 + (1 << 20);
        let mut text = Window::new(room, ci);
        let mut next = Window::new(room, ci);
        let mut read_ahead = false;
        // The format the text is parsed as: a CI log's is sniffed from its
        // first window's inner text, as a file's from its head.
        let mut parse_format = None;
        // The line `text` starts on.
        let mut line = first_line;
        let mut more = true;
        while more || !text.text.is_empty() {
            if more && !read_ahead {
                let held = text.held(ci);
                let want = window.max(held + window / 4) - held;
                let read = text.fill(opened, want, &mut cap, unwrapper.as_mut());
                more = within_limit(read, opened, &mut parts.stopped)?;
            }
            read_ahead = false;
            let parse_format = *parse_format.get_or_insert_with(|| match ci {
                true => inner_format(&text.text),
                false => format,
            });
            // While more is to come, only complete lines are cut at.
            let complete = match more {
                true => memchr::memrchr(b'\n', &text.text).map_or(0, |i| i + 1),
                false => text.text.len(),
            };
            let mut starts = run_chunk_starts(&text.text[..complete]);
            let upto = if !more {
                text.text.len()
            } else if starts.len() > 1 {
                starts.pop().unwrap_or(0)
            } else if text.held(ci) >= window {
                starts = chunk::line_chunk_starts(&text.text[..complete]);
                complete
            } else {
                continue;
            };
            let part = &text.text[..upto];
            let lines = memchr::memchr_iter(b'\n', part).count();
            let raw_upto = if ci { text.raw_end(upto, lines) } else { 0 };
            // A CI log's findings quote its original lines and name its steps.
            let original = decode(&text.raw[..raw_upto]);
            let context = unwrapper
                .as_ref()
                .map(|u| CiContext::new(u.system(), u.steps().from_line(line), line, &original));
            // The next window is read while this part is analysed: the
            // reading is serial, and would leave the other threads idle.
            next.carry(&text, upto, raw_upto);
            let ((results, pasted), read) = rayon::join(
                || {
                    let context = context.as_ref();
                    let mut pasted = pasted(part, line, parse_format);
                    if let Some(context) = context {
                        pasted.iter_mut().for_each(|f| context.restore_lines(f));
                    }
                    let results =
                        analyze_chunks(part, &starts, line, parse_format, rules, options, context);
                    (results, pasted)
                },
                || {
                    more.then(|| {
                        let held = next.held(ci);
                        let want = window.max(held + window / 4) - held;
                        next.fill(opened, want, &mut cap, unwrapper.as_mut())
                    })
                },
            );
            results.into_iter().for_each(|result| parts.push(result));
            parts.pasted.push(pasted);
            line += lines;
            drop(context);
            std::mem::swap(&mut text, &mut next);
            if let Some(u) = unwrapper.as_mut() {
                u.forget_before(line);
            }
            if let Some(read) = read {
                more = within_limit(read, opened, &mut parts.stopped)?;
                read_ahead = true;
            }
        }
        let label = opened.label().to_string();
        parts.notes = cap.cuts().notes(&label, cap.max());
        parts.parsed_as = parse_format.filter(|f| *f != format);
        Ok(self)
    }

    /// The input's report ([`merge`]), with the notes.
    pub(super) fn merge(self, path: &str, format: Format, rules: &RuleSet) -> InputReport {
        let parse_format = self.parsed_as.unwrap_or(format);
        let mut report = merge(
            path,
            format,
            parse_format,
            rules,
            self.results,
            self.pasted,
            self.repeats,
        );
        report.notes = self.notes;
        report.errors.extend(self.stopped);
        report
    }
}

/// The format a CI log's inner text is parsed as: sniffed from its head
/// (`text` is the unwrapped text of its first window); text when it still
/// looks like a CI log.
fn inner_format(text: &[u8]) -> Format {
    let mut end = text.len().min(formats::SNIFF_BYTES);
    // The unwrapped text is UTF-8: back off to a character's first byte.
    while end < text.len() && text[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    match formats::sniff(&decode(&text[..end])) {
        f if f.ci_system().is_some() => Format::Text,
        f => f,
    }
}

/// Whether more is to come after a read. A size limit stops the reading
/// there: what was read within it is analysed, and `stopped` says so.
fn within_limit(
    read: Result<bool, InputError>,
    opened: &Opened,
    stopped: &mut Option<String>,
) -> Result<bool, InputError> {
    match read {
        Ok(more) => Ok(more),
        Err(e) if e.is_size_limit() => {
            *stopped = Some(stopped_at(&e, opened.bytes_read()));
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// What a report says of an input a size limit stopped after `read`
/// bytes: those were analysed.
pub(super) fn stopped_at(e: &InputError, read: u64) -> String {
    format!("{e}: its first {read} bytes analysed, the rest not read")
}

/// The chunks of `text` (starting at `starts`, its first line being
/// `first_line`) analysed in parallel, in input order.
fn analyze_chunks(
    text: &[u8],
    starts: &[usize],
    first_line: usize,
    format: Format,
    rules: &RuleSet,
    options: &Options,
    ci: Option<&CiContext<'_>>,
) -> Vec<ChunkResult> {
    chunk::numbered_chunks(text, starts)
        .par_iter()
        .map(|(range, first)| {
            analyze_chunk(
                &decode(&text[range.clone()]),
                first + first_line - 1,
                format,
                rules,
                options.secret.as_ref(),
                ci,
            )
        })
        .collect()
}

/// Fragments of ~/.aws/config or ~/.aws/credentials pasted beside the
/// error in `text` (whose first line is `first_line`): the checks of
/// `authsift config`, each issue an incident (numbered from 0; [`merge`]
/// numbers them after the input's other incidents).
pub(super) fn pasted(
    text: &[u8],
    first_line: usize,
    parse_format: Format,
) -> Vec<finding::Finding> {
    if !matches!(parse_format, Format::Text | Format::AwsDebug) {
        return Vec::new();
    }
    awsfiles::paste::findings(
        &decode(text),
        first_line,
        awsfiles::paste::config_rules(),
        0,
    )
}

/// One input's report from its chunks' results, in input order: incidents
/// numbered across chunks, then the pasted configuration found in its
/// parts ([`pasted`]) and what needs every incident (batch rules).
pub(super) fn merge(
    path: &str,
    format: Format,
    parse_format: Format,
    rules: &RuleSet,
    results: Vec<ChunkResult>,
    pasted_parts: Vec<Vec<finding::Finding>>,
    repeats: Repeats,
) -> InputReport {
    let mut report = InputReport::new(path.to_string(), Some(format.into()));
    report
        .findings
        .reserve(results.iter().map(|c| c.findings.len()).sum());
    let mut incidents = 0;
    let mut batch_inputs = Vec::new();
    let mut offsets = Vec::with_capacity(results.len());
    for mut chunk in results {
        offsets.push(incidents);
        for f in &mut chunk.findings {
            f.incident += incidents;
        }
        incidents += chunk.incidents;
        report.records += chunk.records;
        report.findings.append(&mut chunk.findings);
        report.unclassified.append(&mut chunk.unclassified);
        batch_inputs.append(&mut chunk.batch_inputs);
    }
    report.repeated = repeats.counted(&offsets);
    let mut pasted: Vec<finding::Finding> = pasted_parts.into_iter().flatten().collect();
    for (n, f) in pasted.iter_mut().enumerate() {
        f.incident = incidents + n;
    }
    // A failure the pasted file explains (no credentials found, and the
    // file's key pair is broken) is shown after the file's mistake.
    let verdict = report.findings.iter().max_by_key(|f| f.priority);
    if let Some(v) = verdict.map(|v| (v.rule.clone(), v.priority)) {
        for f in pasted
            .iter_mut()
            .filter(|f| awsfiles::paste::explains(f, &v.0))
        {
            f.priority = f.priority.max(v.1 + 1);
        }
    }
    report.findings.append(&mut pasted);
    // Pasted text has no client runs to keep in order: where it holds
    // several failures, the one whose verdict names the most specific
    // cause (a missing profile before the empty chain it leads to, a
    // service's answer before a later usage error) is shown first.
    if parse_format == Format::Text {
        most_specific_first(&mut report.findings);
    }
    // Batch rules see every incident of the input at once.
    report.findings.extend(rules.evaluate_batch(&batch_inputs));
    report
}

/// Orders incidents by the priority of their verdict (their first
/// finding), highest first; an incident's findings stay together and in
/// order, and equal incidents keep their input order.
fn most_specific_first(findings: &mut Vec<crate::finding::Finding>) {
    let mut groups: Vec<Vec<crate::finding::Finding>> = Vec::new();
    for f in findings.drain(..) {
        match groups.last_mut() {
            Some(g) if g[0].incident == f.incident => g.push(f),
            _ => groups.push(vec![f]),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g[0].priority));
    findings.extend(groups.into_iter().flatten());
}

/// Where chunks of a log start: at the first line of an `aws --debug`
/// run, so no run is split between two chunks.
pub(super) fn run_chunk_starts(text: &[u8]) -> Vec<usize> {
    chunk::chunk_starts(
        text,
        formats::aws_debug::RUN_START.as_bytes(),
        formats::logrecord::is_header_line,
    )
}

pub(super) fn analyze_chunk(
    text: &str,
    first_line: usize,
    format: Format,
    rules: &RuleSet,
    secret: Option<&sigv4::verify::Secret>,
    ci: Option<&CiContext<'_>>,
) -> ChunkResult {
    let mut out = ChunkResult::default();
    let keep_facts = rules.has_batch_rules();
    for run in formats::runs(text, first_line, format) {
        out.records += run.records;
        let Some(mut incident) = facts::incident_with_secret(&run, secret) else {
            continue;
        };
        if let Some(ci) = ci {
            ci.add_facts(&mut incident);
            if let Some(h) = incident.headline.as_mut()
                && let Some(text) = ci.original(h.line)
            {
                h.text = text;
            }
        }
        let mut classified = rules.evaluate(&incident, out.incidents);
        if let Some(ci) = ci {
            classified.iter_mut().for_each(|f| ci.restore_lines(f));
        }
        if classified.is_empty() {
            out.unclassified.extend(incident.headline.clone());
        }
        if keep_facts {
            out.batch_inputs
                .push((incident.facts.clone(), incident.headline.clone()));
        }
        out.findings.extend(classified);
        out.incidents += 1;
    }
    out
}
