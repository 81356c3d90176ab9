//! Lines longer than a cap are cut as they are read, never buffered whole.
//!
//! A line-less gigabyte or an 80 MB line of repeated error text used to be
//! held (and scanned) whole. [`LineCap`] sits between the reader and the
//! text that is analysed: a line's first `max` bytes are kept, then a
//! marker saying how much was dropped, and the rest of the line is only
//! counted. Every cut line is remembered (the first [`MAX_CUTS_LISTED`] of
//! them by number) so the report can name it.

/// Lines are kept up to this many bytes by default (`--max-line-bytes`
/// raises it). An error, its request and its response fit many times over;
/// what is longer is a response body logged on one line (a big describe
/// call's page), whose end tells nothing about a failure.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Cut lines remembered by number; more are only counted.
pub const MAX_CUTS_LISTED: usize = 20;

/// How a cut line ends in the text that is analysed, before its newline.
const MARKER: &str = " [authsift: line cut at";

/// Lines cut so far.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cuts {
    /// The first cut lines: (1-based line number, bytes dropped).
    pub listed: Vec<(usize, u64)>,
    /// Every cut line, listed or not.
    pub total: usize,
}

/// Cuts lines longer than `max` bytes as bytes pass through it.
#[derive(Debug)]
pub struct LineCap {
    max: usize,
    /// Bytes of the current line kept so far.
    kept: usize,
    /// Whether the current line is being dropped, and how much of it.
    cutting: bool,
    dropped: u64,
    /// The current line's number.
    line: usize,
    cuts: Cuts,
}

impl LineCap {
    /// A cap of `max` bytes a line (at least 1 KiB, so a marker never
    /// outweighs what it marks).
    pub fn new(max: usize) -> Self {
        LineCap {
            max: max.max(1024),
            kept: 0,
            cutting: false,
            dropped: 0,
            line: 1,
            cuts: Cuts::default(),
        }
    }

    /// The cap, in bytes.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The longest a line can be once through: the cap and its marker.
    pub fn longest(&self) -> usize {
        self.max + 128
    }

    /// Appends `input` to `out`, cutting lines longer than the cap.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if self.fits_whole(input) {
            out.extend_from_slice(input);
            return;
        }
        let mut pos = 0;
        // Bytes from here on are copied in one go, unless a line is cut.
        let mut copy_from = 0;
        loop {
            let newline = memchr::memchr(b'\n', &input[pos..]).map(|i| pos + i);
            let end = newline.unwrap_or(input.len());
            let len = end - pos;
            if self.cutting {
                self.dropped += len as u64;
            } else if self.kept + len <= self.max {
                self.kept += len;
            } else {
                let take = char_floor(&input[pos..end], self.max - self.kept);
                out.extend_from_slice(&input[copy_from..pos + take]);
                self.cutting = true;
                self.dropped = (len - take) as u64;
            }
            let Some(newline) = newline else { break };
            if self.cutting {
                self.mark(out);
                copy_from = newline;
            }
            self.kept = 0;
            self.line += 1;
            pos = newline + 1;
        }
        if !self.cutting {
            out.extend_from_slice(&input[copy_from..]);
        }
    }

    /// Takes in `input` when no line in it can be too long, without
    /// looking at each line: a line wholly inside `input` is shorter than
    /// `input`, so with `input` no longer than the cap only the line it
    /// continues needs a check. Reading a log this way costs three memchr
    /// passes a block instead of one call a line.
    fn fits_whole(&mut self, input: &[u8]) -> bool {
        if self.cutting || input.len() > self.max {
            return false;
        }
        let Some(first) = memchr::memchr(b'\n', input) else {
            if self.kept + input.len() > self.max {
                return false;
            }
            self.kept += input.len();
            return true;
        };
        if self.kept + first > self.max {
            return false;
        }
        let last = memchr::memrchr(b'\n', input).unwrap_or(first);
        self.line += memchr::memchr_iter(b'\n', input).count();
        self.kept = input.len() - last - 1;
        true
    }

    /// Ends the text: a last line being cut gets its marker.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.cutting {
            self.mark(out);
        }
    }

    /// The lines cut so far.
    pub fn cuts(&self) -> &Cuts {
        &self.cuts
    }

    fn mark(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(
            format!(
                "{MARKER} {} bytes, {} more not read]",
                self.max, self.dropped
            )
            .as_bytes(),
        );
        if self.cuts.listed.len() < MAX_CUTS_LISTED {
            self.cuts.listed.push((self.line, self.dropped));
        }
        self.cuts.total += 1;
        self.cutting = false;
        self.dropped = 0;
    }
}

impl Cuts {
    /// One note a cut line (the first [`MAX_CUTS_LISTED`]), then how many
    /// more, each naming the input.
    pub fn notes(&self, label: &str, max: usize) -> Vec<String> {
        let mut notes: Vec<String> = self
            .listed
            .iter()
            .map(|(line, dropped)| {
                format!(
                    "{label}:{line}: line longer than {max} bytes: the first {max} kept, {dropped} more not read (--max-line-bytes raises the limit)"
                )
            })
            .collect();
        if self.total > self.listed.len() {
            notes.push(format!(
                "{label}: {} more lines longer than {max} bytes cut",
                self.total - self.listed.len()
            ));
        }
        notes
    }
}

/// The largest `n <= at` that does not split a UTF-8 character of `bytes`.
fn char_floor(bytes: &[u8], at: usize) -> usize {
    let mut n = at;
    while n > 0 && at - n < 3 && bytes.get(n).is_some_and(|b| b & 0xc0 == 0x80) {
        n -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` through a cap of `max`, fed in pieces of `step` bytes.
    fn capped(text: &[u8], max: usize, step: usize) -> (String, Cuts) {
        let mut cap = LineCap::new(max);
        cap.max = max;
        let mut out = Vec::new();
        for piece in text.chunks(step) {
            cap.push(piece, &mut out);
        }
        cap.finish(&mut out);
        (String::from_utf8(out).unwrap(), cap.cuts)
    }

    #[test]
    fn short_lines_pass_unchanged_in_any_pieces() {
        let text = b"one\ntwo\r\n\nthree";
        for step in [1, 2, 3, 100] {
            assert_eq!(capped(text, 5, step).0, "one\ntwo\r\n\nthree");
        }
    }

    #[test]
    fn long_lines_are_cut_with_a_marker_and_named() {
        let text = b"ok\n0123456789\nok\nabcdefgh";
        for step in [1, 4, 100] {
            let (out, cuts) = capped(text, 5, step);
            assert_eq!(
                out,
                "ok\n01234 [authsift: line cut at 5 bytes, 5 more not read]\nok\nabcde [authsift: line cut at 5 bytes, 3 more not read]",
                "step {step}"
            );
            assert_eq!(cuts.listed, [(2, 5), (4, 3)]);
            assert_eq!(cuts.total, 2);
        }
    }

    #[test]
    fn pieces_no_longer_than_the_cap_are_cut_as_the_whole_text_is() {
        // Pieces up to the cap take the block-at-once path; the whole text
        // in one piece is longer than the cap and goes line by line.
        let text = b"ab\nabcdefghij\n\nabc\nabcdef\nx\nabcdefghijklmnop\nab\nabcd";
        let whole = capped(text, 6, text.len());
        assert_eq!(whole.1.listed, [(2, 4), (7, 10)]);
        for step in 1..=6 {
            assert_eq!(capped(text, 6, step), whole, "step {step}");
        }
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        let (out, _) = capped("aé\u{1F600}xyz\n".as_bytes(), 4, 100);
        assert!(out.starts_with("aé [authsift"), "{out}");
    }

    #[test]
    fn notes_name_the_first_lines_then_count() {
        let text = "x".repeat(10) + "\n";
        let (_, cuts) = capped(text.repeat(MAX_CUTS_LISTED + 3).as_bytes(), 4, 7);
        let notes = cuts.notes("a.log", 4);
        assert_eq!(notes.len(), MAX_CUTS_LISTED + 1);
        assert!(notes[1].starts_with("a.log:2: line longer than 4 bytes"));
        assert_eq!(
            notes[MAX_CUTS_LISTED],
            "a.log: 3 more lines longer than 4 bytes cut"
        );
    }
}
