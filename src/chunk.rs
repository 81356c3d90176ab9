//! Where big inputs are cut into chunks that are analyzed in parallel.
//!
//! A leaf: it knows bytes and lines, nothing of formats, so both the
//! pipeline driver ([`crate::analyze`](mod@crate::analyze)) and a format reader that splits its
//! own input ([`crate::formats::cloudtrail`], JSON Lines) can use it without
//! an import cycle. Cuts depend only on the text, never on the thread
//! count, so the output is the same however many threads run.

use std::ops::Range;

use rayon::prelude::*;

/// Inputs larger than this are cut into chunks.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Text logs are read this much at a time (at least; more when a line may
/// be longer): its chunks are analysed, then dropped, so the memory an
/// input costs does not grow with its size. Text with no run start for
/// this long (pasted text, one endless client run) is cut at the first
/// line end after every [`CHUNK_BYTES`]. Inputs up to this size are cut
/// exactly as if read whole.
pub const WINDOW_BYTES: usize = 8 << 20;

/// Each chunk's byte range (chunks start at `cuts`, the first being 0) and
/// the 1-based line it starts on: line numbers continue across chunks, so
/// each chunk's newlines are counted first (in parallel).
pub fn numbered_chunks(text: &[u8], cuts: &[usize]) -> Vec<(Range<usize>, usize)> {
    let bounds: Vec<Range<usize>> = cuts
        .iter()
        .zip(cuts.iter().skip(1).chain([&text.len()]))
        .map(|(a, b)| *a..*b)
        .collect();
    let newlines: Vec<usize> = bounds
        .par_iter()
        .map(|r| memchr::memchr_iter(b'\n', &text[r.clone()]).count())
        .collect();
    let first_lines = newlines.iter().scan(1, |line, n| {
        let first = *line;
        *line += n;
        Some(first)
    });
    bounds.into_iter().zip(first_lines).collect()
}

/// Where chunks of a text whose every line stands alone (JSON Lines) start:
/// the first line start after every [`CHUNK_BYTES`].
pub fn line_chunk_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    let mut from = CHUNK_BYTES;
    while from < bytes.len() {
        match memchr::memchr(b'\n', &bytes[from..]) {
            Some(i) if from + i + 1 < bytes.len() => starts.push(from + i + 1),
            _ => break,
        }
        from = starts[starts.len() - 1] + CHUNK_BYTES;
    }
    starts
}

/// Where chunks of a log made of client runs start: the first line holding
/// `marker` that `is_run_start` accepts, after every [`CHUNK_BYTES`], so no
/// run is split between two chunks. The caller says what a run's first line
/// looks like (for `aws --debug`, a logging header with `CLI version: `),
/// which keeps this module free of any format.
pub fn chunk_starts(
    bytes: &[u8],
    marker: &[u8],
    is_run_start: impl Fn(&str) -> bool,
) -> Vec<usize> {
    let finder = memchr::memmem::Finder::new(marker);
    let mut starts = vec![0];
    let mut from = CHUNK_BYTES;
    while from < bytes.len() {
        let Some(i) = finder.find(&bytes[from..]) else {
            break;
        };
        let at = from + i;
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |j| j + 1);
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |j| at + j);
        let line = std::str::from_utf8(&bytes[line_start..line_end]).unwrap_or("");
        let line = line.trim_end_matches('\r');
        if line_start > *starts.last().unwrap_or(&0) && is_run_start(line) {
            starts.push(line_start);
            from = line_start + CHUNK_BYTES;
        } else {
            from = line_end;
        }
    }
    starts
}
