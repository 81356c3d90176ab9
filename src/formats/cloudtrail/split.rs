//! Events cut out of CloudTrail text that arrives a block at a time, so a
//! single large file (`{"Records":[…]}`, a bare `[…]`, or one event a
//! line) is read as a stream of events, never whole.
//!
//! Only the layouts people keep large files in are cut here: one or more
//! `{"Records":[…]}` documents or arrays one after the other, or JSON Lines
//! of events. Anything else (envelopes, lookup-events output, a single
//! pretty-printed event) is read whole by [`super::events`], which knows
//! every layout; [`Splitter::open`] says which is which from the head.
//!
//! The cutter only finds where each event's JSON starts and ends (strings
//! and escapes respected, objects and arrays counted); parsing the event is
//! the caller's, in parallel.

/// How the text is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Arrays of events, bare or as `{"Records": […]}`, one after another.
    Arrays,
    /// One event a line (the caller checks that the first line is one),
    /// read a block of whole lines at a time by
    /// [`super::each_json_line_of_block`].
    Lines,
}

/// What [`Splitter::next`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// An event's JSON at `start..end` of the buffer, starting on `line`.
    Event {
        /// Where it starts in the buffer.
        start: usize,
        /// Where it ends (exclusive).
        end: usize,
        /// The input line it starts on (1-based).
        line: usize,
    },
    /// The buffer ends inside an event or a document: read on.
    NeedMore,
    /// The text is over.
    End,
    /// The text ends inside an event or an array: cut short.
    Cut(String),
    /// Not the layout the head promised; the message says where.
    Broken(String),
}

/// Where the cutter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Between top-level documents (arrays layout).
    Between,
    /// Inside an array of events; `records` when it is `{"Records":[`'s,
    /// whose object closes after it.
    InArray { records: bool },
    /// After a `{"Records":[…]`'s array: its `}` comes next.
    CloseRecords,
}

/// Cuts events out of a buffer that grows at its end and is drained at
/// its start ([`Splitter::consumed`]).
#[derive(Debug)]
pub struct Splitter {
    at: At,
    /// The next byte to look at.
    pos: usize,
    /// The line `pos` is on.
    line: usize,
    /// Events cut so far.
    events: usize,
}

/// `{"Records":` and its `[`, whitespace allowed between the tokens.
const RECORDS_KEY: &[u8] = b"\"Records\"";

impl Splitter {
    /// The layout of a text whose first bytes are `head`, if it is one
    /// read as a stream; `None` for the others.
    pub fn layout_of(head: &[u8]) -> Option<Layout> {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
        let layout = match head[start] {
            b'[' => Layout::Arrays,
            b'{' => match records_array(&head[start..]) {
                Some(_) => Layout::Arrays,
                None => Layout::Lines,
            },
            _ => return None,
        };
        Some(layout)
    }

    /// A splitter of [`Layout::Arrays`] at the start of the text.
    pub fn arrays() -> Splitter {
        Splitter {
            at: At::Between,
            pos: 0,
            line: 1,
            events: 0,
        }
    }

    /// Events cut so far.
    pub fn events(&self) -> usize {
        self.events
    }

    /// How many bytes at the buffer's start are done with: the caller
    /// drains them, and positions start again from 0.
    pub fn consumed(&mut self) -> usize {
        std::mem::take(&mut self.pos)
    }

    /// Skips whitespace (counting lines) and, inside an array, commas.
    fn skip(&mut self, buf: &[u8], commas: bool) {
        while let Some(&b) = buf.get(self.pos) {
            match b {
                b'\n' => self.line += 1,
                b',' if commas => {}
                b if b.is_ascii_whitespace() => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    /// The next event in `buf` (all the text read so far, less what was
    /// drained); `eof` when no more will come.
    pub fn next(&mut self, buf: &[u8], eof: bool) -> Step {
        loop {
            match self.at {
                At::Between => {
                    const BOM: &[u8] = b"\xEF\xBB\xBF";
                    if self.pos == 0 && self.events == 0 && self.line == 1 {
                        if buf.starts_with(BOM) {
                            self.pos = 3;
                        } else if !eof && BOM.starts_with(buf) {
                            return Step::NeedMore;
                        }
                    }
                    self.skip(buf, false);
                    let Some(&b) = buf.get(self.pos) else {
                        return if eof { Step::End } else { Step::NeedMore };
                    };
                    match b {
                        b'[' => {
                            self.pos += 1;
                            self.at = At::InArray { records: false };
                        }
                        b'{' => match records_array(&buf[self.pos..]) {
                            Some(len) => {
                                self.line += count_lines(&buf[self.pos..self.pos + len]);
                                self.pos += len;
                                self.at = At::InArray { records: true };
                            }
                            None if !eof && buf.len() - self.pos < 256 => return Step::NeedMore,
                            None => return self.broken("`{\"Records\": [`"),
                        },
                        _ => return self.broken("an array of events"),
                    }
                }
                At::CloseRecords => {
                    self.skip(buf, false);
                    match buf.get(self.pos) {
                        Some(b'}') => {
                            self.pos += 1;
                            self.at = At::Between;
                        }
                        Some(_) => return self.broken("`}` after the events"),
                        None if eof => return self.cut(),
                        None => return Step::NeedMore,
                    }
                }
                At::InArray { records } => {
                    self.skip(buf, true);
                    match buf.get(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            self.at = if records {
                                At::CloseRecords
                            } else {
                                At::Between
                            };
                        }
                        Some(b'{') => {
                            let Some((len, lines)) = object(&buf[self.pos..]) else {
                                return if eof { self.cut() } else { Step::NeedMore };
                            };
                            let (start, line) = (self.pos, self.line);
                            self.pos += len;
                            self.line += lines;
                            self.events += 1;
                            return Step::Event {
                                start,
                                end: start + len,
                                line,
                            };
                        }
                        Some(_) => return self.broken("an event (`{`)"),
                        None if eof => return self.cut(),
                        None => return Step::NeedMore,
                    }
                }
            }
        }
    }

    fn broken(&self, expected: &str) -> Step {
        Step::Broken(format!("line {}: expected {expected}", self.line))
    }

    fn cut(&self) -> Step {
        Step::Cut(format!(
            "the input ends in the middle of event {} (line {}): cut short, as a download or copy that stopped; the {} before the cut were read",
            self.events + 1,
            self.line,
            crate::text::counted(self.events, "event")
        ))
    }
}

/// The length of `{"Records": [` at the start of `text`, if it starts so.
fn records_array(text: &[u8]) -> Option<usize> {
    let mut i = 1;
    let ws = |i: &mut usize| {
        while text.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    ws(&mut i);
    if !text[i..].starts_with(RECORDS_KEY) {
        return None;
    }
    i += RECORDS_KEY.len();
    ws(&mut i);
    (text.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    ws(&mut i);
    (text.get(i) == Some(&b'[')).then_some(i + 1)
}

fn count_lines(text: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', text).count()
}

/// The length of the JSON object at the start of `text` and the newlines
/// in it; `None` when `text` ends before it does.
fn object(text: &[u8]) -> Option<(usize, usize)> {
    let (mut depth, mut in_string, mut escaped, mut lines) = (0usize, false, false, 0);
    for (i, &b) in text.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some((i + 1, lines));
                }
            }
            b'\n' => lines += 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event's text and line, feeding `text` `block` bytes at a time
    /// and draining as the caller does.
    fn cut(text: &str, block: usize) -> (Vec<(String, usize)>, Step) {
        assert_eq!(Splitter::layout_of(text.as_bytes()), Some(Layout::Arrays));
        let mut s = Splitter::arrays();
        let (mut buf, mut fed, mut out) = (Vec::new(), 0, Vec::new());
        loop {
            let eof = fed == text.len();
            match s.next(&buf, eof) {
                Step::Event { start, end, line } => {
                    out.push((String::from_utf8(buf[start..end].to_vec()).unwrap(), line));
                }
                Step::NeedMore => {
                    let done = s.consumed();
                    buf.drain(..done);
                    let more = (text.len() - fed).min(block);
                    buf.extend_from_slice(&text.as_bytes()[fed..fed + more]);
                    fed += more;
                }
                last => return (out, last),
            }
        }
    }

    #[test]
    fn records_documents_arrays_and_lines_whatever_the_blocks() {
        let records = "\u{feff}{\"Records\": [\n  {\"a\": \"}\\\"{\"},\n  {\"b\": [1, {\"c\": 2}]}\n]}\n{\"Records\":[{\"d\":1}]}";
        for block in [1, 3, 7, 1000] {
            let (events, last) = cut(records, block);
            assert_eq!(last, Step::End);
            assert_eq!(
                events,
                [
                    ("{\"a\": \"}\\\"{\"}".to_string(), 2),
                    ("{\"b\": [1, {\"c\": 2}]}".to_string(), 3),
                    ("{\"d\":1}".to_string(), 5)
                ]
            );
        }
        let (events, _) = cut("[{\"x\":1},{\"y\":2}]", 2);
        assert_eq!(events.len(), 2);
    }

    #[test]
    fn a_cut_or_a_surprise_is_said_with_its_line() {
        let (events, last) = cut("{\"Records\":[{\"a\":1},\n{\"b\":", 5);
        assert_eq!(events.len(), 1);
        assert!(
            matches!(&last, Step::Cut(m) if m.contains("event 2 (line 2)") && m.contains("the 1 event before")),
            "{last:?}"
        );
        let (_, last) = cut("[{\"a\":1}, 7]", 100);
        assert_eq!(last, Step::Broken("line 1: expected an event (`{`)".into()));
        assert_eq!(Splitter::layout_of(b"  \"text\""), None);
        assert_eq!(
            Splitter::layout_of(b"{\"eventVersion\""),
            Some(Layout::Lines)
        );
    }
}
