//! Stdin analysed as it arrives: `aws … --debug 2>&1 | authsift` shows a
//! run's finding once the run's end is seen, while the writer goes on.
//!
//! Only the reading differs from a file's: the text is cut where the
//! chunking of files would cut it (at a run's first record), and also
//! after a CLI run's last record (`Exiting with rc N`) once the writer
//! pauses, so the CLI's closing error message stays with its run. Each
//! piece is analysed as a chunk is, its findings handed to the caller at
//! once, and the pieces are merged as a file's chunks are (pasted
//! configuration and batch rules over the whole). Whatever the timing, a
//! text written at once gives the report a file with that text gives.

use std::time::Duration;

use super::logs::{self, ChunkResult, Parts};
use super::{Options, analyze_opened, decode, input_format};
use crate::chunk;
use crate::formats::{self, Format, aws_debug};
use crate::input::arriving::{self, Arrival, Arriving, Stdin};
use crate::input::{InputError, Opened, Source};
use crate::outcome::InputReport;
use crate::rules::RuleSet;

/// How long the writer may pause before the text so far is taken as all
/// there is for now (a finished run is then shown). `aws` writes its
/// closing message right after its last record, far within this.
const QUIET: Duration = Duration::from_millis(150);

/// Reads stdin as it arrives and analyses it; `shown` gets each run's
/// findings as soon as they are known (incidents numbered as in the
/// final report), in input order. Inputs other than `aws --debug` logs
/// (and gzip or UTF-16 ones) are analysed once complete.
pub fn analyze_stdin(
    rules: &RuleSet,
    options: &Options,
    shown: &mut dyn FnMut(&InputReport),
) -> InputReport {
    let label = Source::Stdin.label();
    let failed = |e: InputError| super::failed(label.clone(), e);
    match arriving::stdin(&label, QUIET, &options.limits) {
        Err(e) => failed(e),
        Ok(Stdin::Decoded(opened)) => analyze_opened(opened, rules, options)
            .map(|(report, _)| report)
            .unwrap_or_else(failed),
        Ok(Stdin::Arriving(arriving)) => {
            as_it_arrives(&label, arriving, rules, options, shown).unwrap_or_else(failed)
        }
    }
}

fn as_it_arrives(
    label: &str,
    mut arriving: Arriving,
    rules: &RuleSet,
    options: &Options,
    shown: &mut dyn FnMut(&InputReport),
) -> Result<InputReport, InputError> {
    let mut cuts = Cuts::new();
    let mut parts = Parts::default();
    let mut incidents = 0;
    // Whether the text is an `aws --debug` log: decided on its first piece.
    let mut streams = options.input_format.is_none_or(|f| f == Format::AwsDebug);
    let mut judged = options.input_format.is_some();
    // Whether the head confirmed it (read far enough to sniff it as a
    // file's head is sniffed): only then is analysed text dropped.
    let mut confirmed = options.input_format.is_some();
    // The line the text kept starts on.
    let mut kept_line = 1;
    loop {
        let arrival = arriving.next(QUIET)?;
        if arrival == Arrival::End {
            break;
        }
        if !confirmed && arriving.bytes().len() >= formats::SNIFF_BYTES {
            confirmed = true;
            streams &= input_format(arriving.bytes(), options) == Format::AwsDebug;
        }
        if !streams {
            // Not a debug log: read on as a file is, from the start.
            return read_on(arriving.into_opened(0), rules, options);
        }
        for piece in cuts.advance(arriving.bytes(), arrival == Arrival::Quiet) {
            let text = arriving.bytes();
            if !judged {
                judged = true;
                streams = input_format(text, options) == Format::AwsDebug;
                if !streams {
                    break;
                }
            }
            parts.push(analyze_piece(text, &piece, rules, options));
            let result = parts.results.last().expect("a piece was just kept");
            let mut so_far = InputReport::new(label.to_string(), Some(Format::AwsDebug.into()));
            so_far.findings = result.findings.clone();
            so_far
                .findings
                .iter_mut()
                .for_each(|f| f.incident += incidents);
            incidents += result.incidents;
            shown(&so_far);
        }
        if !streams {
            return read_on(arriving.into_opened(0), rules, options);
        }
        if confirmed && cuts.start >= chunk::WINDOW_BYTES / 2 {
            // Analysed text is dropped, its pasted configuration read first.
            let done = &arriving.bytes()[..cuts.start];
            parts
                .pasted
                .push(logs::pasted(done, kept_line, Format::AwsDebug));
            kept_line = cuts.first_line;
            arriving.drop_front(cuts.start);
            cuts.shift(cuts.start);
        }
        if confirmed && arriving.bytes().len() - cuts.start > chunk::WINDOW_BYTES {
            // A run too long to wait for the end of: the rest is read as a
            // file is, window by window.
            let first_line = cuts.first_line;
            let mut rest = arriving.into_opened(cuts.start);
            let format = Format::AwsDebug;
            let parts = parts.read_on(&mut rest, first_line, format, None, rules, options)?;
            return Ok(parts.merge(label, format, rules));
        }
    }
    // Whole by now (nothing was dropped unless the head was confirmed):
    // anything that did not stream, or whose whole head no longer reads as
    // a debug log, is analysed as a file is.
    if !streams
        || parts.results.is_empty()
        || (!confirmed && input_format(arriving.bytes(), options) != Format::AwsDebug)
    {
        return read_on(arriving.into_opened(0), rules, options);
    }
    let text = arriving.bytes();
    let rest = cuts.rest(text.len());
    parts.push(analyze_piece(text, &rest, rules, options));
    parts
        .pasted
        .push(logs::pasted(text, kept_line, Format::AwsDebug));
    parts.stopped = arriving
        .stopped()
        .map(|e| logs::stopped_at(&e, arriving.received()));
    Ok(parts.merge(label, Format::AwsDebug, rules))
}

/// The rest of stdin, read and analysed as a file is.
fn read_on(rest: Opened, rules: &RuleSet, options: &Options) -> Result<InputReport, InputError> {
    analyze_opened(rest, rules, options).map(|(report, _)| report)
}

fn analyze_piece(text: &[u8], piece: &Piece, rules: &RuleSet, options: &Options) -> ChunkResult {
    logs::analyze_chunk(
        &decode(&text[piece.start..piece.end]),
        piece.first_line,
        Format::AwsDebug,
        rules,
        options.secret.as_ref(),
        None,
    )
}

/// A piece of the text: bytes `start..end`, beginning on line `first_line`.
#[derive(Debug, PartialEq, Eq)]
struct Piece {
    start: usize,
    end: usize,
    first_line: usize,
}

/// Where the arriving text is cut into pieces; each line is looked at once.
struct Cuts {
    /// Where the current piece starts, and its first line's number.
    start: usize,
    first_line: usize,
    /// The next line to look at, and its number.
    next: usize,
    line: usize,
    /// Up to where the text is known to hold no newline after `next`.
    searched: usize,
    /// The current piece holds a CLI run's last record.
    ended: bool,
}

impl Cuts {
    fn new() -> Cuts {
        Cuts {
            start: 0,
            first_line: 1,
            next: 0,
            line: 1,
            searched: 0,
            ended: false,
        }
    }

    /// The pieces complete in `text`: ended by a run's first record, or,
    /// when the writer is `quiet`, by the end of the last complete line
    /// after a CLI run's last record.
    fn advance(&mut self, text: &[u8], quiet: bool) -> Vec<Piece> {
        let mut pieces = Vec::new();
        while let Some(i) = memchr::memchr(b'\n', &text[self.searched..]) {
            let end = self.searched + i;
            let line = &text[self.next..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Ok(line) = std::str::from_utf8(line) {
                if self.next > self.start && aws_debug::is_run_start(line) {
                    pieces.push(self.cut(self.next, self.line));
                } else if aws_debug::is_run_end(line) {
                    self.ended = true;
                }
            }
            self.next = end + 1;
            self.searched = self.next;
            self.line += 1;
        }
        self.searched = text.len();
        if quiet && self.ended && self.next > self.start {
            pieces.push(self.cut(self.next, self.line));
        }
        pieces
    }

    fn cut(&mut self, at: usize, line: usize) -> Piece {
        let piece = Piece {
            start: self.start,
            end: at,
            first_line: self.first_line,
        };
        (self.start, self.first_line, self.ended) = (at, line, false);
        piece
    }

    /// The text before `n` was dropped: offsets move back by `n`.
    fn shift(&mut self, n: usize) {
        self.start -= n;
        self.next -= n;
        self.searched -= n;
    }

    /// The last piece, up to the text's `end`.
    fn rest(&self, end: usize) -> Piece {
        Piece {
            start: self.start,
            end,
            first_line: self.first_line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = "2024-05-01 10:00:00,000 - MainThread - awscli.clidriver - DEBUG - CLI version: aws-cli/1.46.3 Python/3.11.7 Linux/6.1 botocore/1.43.62\n";
    const END: &str =
        "2024-05-01 10:00:01,000 - MainThread - awscli.clidriver - DEBUG - Exiting with rc 255\n";

    #[test]
    fn cuts_at_run_starts_and_after_an_end_once_quiet() {
        let first = format!("{START}body\n{END}\nAn error occurred (X)\n");
        let text = format!("{first}{START}more\n");
        let mut cuts = Cuts::new();
        // Bit by bit, a line cut in two on the way.
        let split = first.len() + 10;
        assert_eq!(cuts.advance(&text.as_bytes()[..split], false), []);
        let pieces = cuts.advance(text.as_bytes(), false);
        assert_eq!(
            pieces,
            [Piece {
                start: 0,
                end: first.len(),
                first_line: 1
            }]
        );
        assert_eq!(cuts.rest(text.len()).first_line, 6);
        // A run's end is a cut only once the writer pauses, after the
        // lines that followed it.
        let mut cuts = Cuts::new();
        assert_eq!(cuts.advance(first.as_bytes(), false), []);
        let pieces = cuts.advance(first.as_bytes(), true);
        assert_eq!(pieces.len(), 1);
        assert_eq!(pieces[0].end, first.len());
        // Quiet again with nothing new: no empty piece.
        assert_eq!(cuts.advance(first.as_bytes(), true), []);
    }

    #[test]
    fn a_pause_without_a_run_end_cuts_nothing() {
        let text = format!("{START}body\n");
        let mut cuts = Cuts::new();
        assert_eq!(cuts.advance(text.as_bytes(), true), []);
    }
}
