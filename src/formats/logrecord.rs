//! Splits Python `logging` output into records.
//!
//! A record is a header line plus every following line that does not start a
//! new header: Python writes multi-line messages verbatim, so signing blocks,
//! response bodies and tracebacks arrive as header-less continuation lines.
//! Header shapes accepted (people configure logging themselves):
//!
//! * AWS CLI `--debug`:        `2026-11-26 15:14:12,027 - MainThread - botocore.auth - DEBUG - msg`
//! * botocore stream logger:  `2026-11-26 15:14:12,027 - botocore.auth - DEBUG - msg`
//! * boto3 stream logger:     `2018-01-23 15:04:19,885 botocore.auth [DEBUG] msg`
//! * `logging.basicConfig`:   `DEBUG:botocore.auth:msg`
//! * wrapper style:           `botocore.auth: DEBUG: msg`
//!
//! This runs on every line of every input, so header detection is a handful
//! of byte comparisons before any search.

use memchr::memchr;

/// One Python logging record: a header line (`timestamp - thread -
/// logger - LEVEL - message`) and the lines that continue it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// 1-based line of the header (or of the first line, for the preamble).
    pub line: usize,
    /// 1-based line of the record's last line.
    pub end_line: usize,
    /// Byte range of the whole record in the text it was split from.
    pub start: usize,
    /// End of that range (exclusive).
    pub end: usize,
    /// The header's timestamp, as written.
    pub timestamp: &'a str,
    /// The thread name (`MainThread`).
    pub thread: &'a str,
    /// The logger name (`botocore.endpoint`); empty for the preamble.
    pub logger: &'a str,
    /// The level (`DEBUG`, `WARNING`, …).
    pub level: &'a str,
    /// The record's first physical line, header included, as in the input.
    pub raw_line: &'a str,
    /// The message: first line after the header, then the continuation lines
    /// (joined by `\n`, exactly as in the input).
    pub message: &'a str,
}

impl<'a> Record<'a> {
    /// The message's lines with their 1-based line numbers.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        let start = self.line;
        self.message
            .split('\n')
            .enumerate()
            .map(move |(i, l)| (start + i, l.strip_suffix('\r').unwrap_or(l)))
    }

    /// Lines after the first one (a multi-line message's body).
    pub fn continuation(&self) -> &'a str {
        match memchr(b'\n', self.message.as_bytes()) {
            Some(i) => &self.message[i + 1..],
            None => "",
        }
    }

    /// The first line of the message.
    pub fn first_line(&self) -> &'a str {
        let first = match memchr(b'\n', self.message.as_bytes()) {
            Some(i) => &self.message[..i],
            None => self.message,
        };
        first.strip_suffix('\r').unwrap_or(first)
    }

    /// Whether the record has a logging header (the preamble before the
    /// first header has none).
    pub fn is_header(&self) -> bool {
        !self.logger.is_empty()
    }
}

const LEVELS: [&str; 6] = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "WARN"];

/// The parts of a header line; `message_start` is a byte offset into the line.
#[derive(Debug, PartialEq, Eq)]
struct Header<'a> {
    timestamp: &'a str,
    thread: &'a str,
    logger: &'a str,
    level: &'a str,
    message_start: usize,
}

/// Splits text into records. Lines before the first header form a header-less
/// preamble record, so nothing in the input is ever dropped.
pub fn split(text: &str) -> Vec<Record<'_>> {
    Records::new(text, 1).collect()
}

/// The records of a text, lazily: memory stays flat however long the log.
pub struct Records<'a> {
    text: &'a str,
    offset: usize,
    line_no: usize,
    current: Option<Record<'a>>,
}

impl<'a> Records<'a> {
    /// `first_line` is the line number of the text's first line.
    pub fn new(text: &'a str, first_line: usize) -> Self {
        Records {
            text,
            offset: 0,
            line_no: first_line - 1,
            current: None,
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let text = self.text;
        let bytes = text.as_bytes();
        while self.offset < bytes.len() {
            let offset = self.offset;
            self.line_no += 1;
            let end = memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |i| offset + i);
            self.offset = end + 1;
            let line = &text[offset..end];
            let raw_line = line.strip_suffix('\r').unwrap_or(line);
            if let Some(h) = parse_header(raw_line) {
                let record = Record {
                    line: self.line_no,
                    end_line: self.line_no,
                    start: offset,
                    end,
                    timestamp: h.timestamp,
                    thread: h.thread,
                    logger: h.logger,
                    level: h.level,
                    raw_line,
                    message: &text[offset + h.message_start..end],
                };
                if let Some(done) = self.current.replace(record) {
                    return Some(done);
                }
            } else if let Some(r) = self.current.as_mut() {
                // Extend the message to the end of this line: records are
                // contiguous in the input, so no copy is needed.
                let start = r.end - r.message.len();
                r.message = &text[start..end];
                r.end = end;
                r.end_line = self.line_no;
            } else {
                self.current = Some(Record {
                    line: self.line_no,
                    end_line: self.line_no,
                    start: offset,
                    end,
                    timestamp: "",
                    thread: "",
                    logger: "",
                    level: "",
                    raw_line,
                    message: line,
                });
            }
        }
        self.current.take()
    }
}

/// Whether a line (without its newline) starts a record.
pub fn is_header_line(line: &str) -> bool {
    parse_header(line).is_some()
}

fn parse_header(line: &str) -> Option<Header<'_>> {
    let b = line.as_bytes();
    if b.first()?.is_ascii_digit() {
        return timestamped_header(line);
    }
    if b[0].is_ascii_uppercase() {
        return basic_config_header(line);
    }
    if b[0].is_ascii_lowercase() {
        return wrapper_header(line);
    }
    None
}

/// `YYYY-MM-DD HH:MM:SS,mmm` followed by one of the three timestamped layouts.
fn timestamped_header(line: &str) -> Option<Header<'_>> {
    const TS: usize = 23;
    let b = line.as_bytes();
    if b.len() < TS + 4
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b','
        // Digits elsewhere: also keeps every slice below on char boundaries.
        || !b[..TS].iter().all(|c| c.is_ascii_digit() || b"-: ,".contains(c))
    {
        return None;
    }
    let timestamp = &line[..TS];
    let rest = &line[TS..];
    if rest.starts_with(" - ") {
        // `thread - logger - LEVEL - msg` or `logger - LEVEL - msg`. Thread
        // names contain spaces and parentheses, never " - ". One pass finds
        // the separators (this runs on every line of every input).
        // Separators never overlap: in `a - - b` the second ` - ` would
        // share its space with the first and leave a token that ends before
        // it starts.
        let mut seps = [0usize; 3];
        let mut found = 0;
        let mut free_from = 0;
        let window = &b[TS + 3..b.len().min(TS + 3 + 256)];
        for i in memchr::memchr_iter(b'-', window) {
            if i > free_from && window[i - 1] == b' ' && window.get(i + 1) == Some(&b' ') {
                seps[found] = TS + 3 + i - 1;
                free_from = i + 2;
                found += 1;
                if found == 3 {
                    break;
                }
            }
        }
        let token = |from: usize, to: usize| &line[from..to];
        if found >= 2 {
            let (t1, t2) = (token(TS + 3, seps[0]), token(seps[0] + 3, seps[1]));
            if is_level(t2) && is_logger(t1) {
                return Some(Header {
                    timestamp,
                    thread: "",
                    logger: t1,
                    level: t2,
                    message_start: seps[1] + 3,
                });
            }
        }
        if found == 3 {
            let (t1, t2, t3) = (
                token(TS + 3, seps[0]),
                token(seps[0] + 3, seps[1]),
                token(seps[1] + 3, seps[2]),
            );
            if is_level(t3) && is_logger(t2) {
                return Some(Header {
                    timestamp,
                    thread: t1,
                    logger: t2,
                    level: t3,
                    message_start: seps[2] + 3,
                });
            }
        }
        return None;
    }
    // boto3.set_stream_logger: `<ts> <logger> [<LEVEL>] <msg>`
    let after = rest.strip_prefix(' ')?;
    let sp = after.find(" [")?;
    let logger = &after[..sp];
    let lvl_rest = &after[sp + 2..];
    let close = lvl_rest.find("] ")?;
    let level = &lvl_rest[..close];
    if !is_logger(logger) || !is_level(level) {
        return None;
    }
    Some(Header {
        timestamp,
        thread: "",
        logger,
        level,
        message_start: TS + 1 + sp + 2 + close + 2,
    })
}

/// `LEVEL:logger:msg` (logging.basicConfig default).
fn basic_config_header(line: &str) -> Option<Header<'_>> {
    let colon = memchr(b':', &line.as_bytes()[..line.len().min(9)])?;
    let level = &line[..colon];
    if !is_level(level) {
        return None;
    }
    let rest = &line[colon + 1..];
    let colon2 = memchr(b':', rest.as_bytes())?;
    let logger = &rest[..colon2];
    if !is_known_logger(logger) {
        return None;
    }
    Some(Header {
        timestamp: "",
        thread: "",
        logger,
        level,
        message_start: colon + 1 + colon2 + 1,
    })
}

/// `logger: LEVEL: msg`, as some wrappers and packagers print it.
fn wrapper_header(line: &str) -> Option<Header<'_>> {
    // The logger ends at the first colon, which must be followed by a space.
    let colon = memchr(b':', line.as_bytes())?;
    if line.as_bytes().get(colon + 1) != Some(&b' ') {
        return None;
    }
    let logger = &line[..colon];
    if !is_known_logger(logger) {
        return None;
    }
    let rest = &line[colon + 2..];
    let colon2 = memchr(b':', rest.as_bytes())?;
    let level = &rest[..colon2];
    if !is_level(level) {
        return None;
    }
    Some(Header {
        timestamp: "",
        thread: "",
        logger,
        level,
        message_start: colon + 2 + colon2 + 2,
    })
}

fn is_level(s: &str) -> bool {
    (4..=8).contains(&s.len()) && LEVELS.contains(&s)
}

/// A Python logger name: dotted identifiers, no spaces.
fn is_logger(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// Header shapes without a timestamp are only trusted for the AWS client
/// libraries' own loggers, so ordinary text is not mistaken for a header.
fn is_known_logger(s: &str) -> bool {
    is_logger(s)
        && [
            "botocore",
            "boto3",
            "awscli",
            "urllib3",
            "s3transfer",
            "aws",
        ]
        .iter()
        .any(|p| s == *p || (s.starts_with(p) && s.as_bytes().get(p.len()) == Some(&b'.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_header_with_spaces_in_thread_name() {
        let r = split(
            "2026-11-26 15:14:12,027 - Thread-3 (_worker) - botocore.auth - DEBUG - CanonicalRequest:\nGET\n/\n\nhost:x\n",
        );
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].thread, "Thread-3 (_worker)");
        assert_eq!(r[0].logger, "botocore.auth");
        assert_eq!(r[0].level, "DEBUG");
        assert_eq!(r[0].first_line(), "CanonicalRequest:");
        assert_eq!(r[0].continuation(), "GET\n/\n\nhost:x");
        assert_eq!((r[0].line, r[0].end_line), (1, 5));
    }

    #[test]
    fn keeps_empty_continuation_lines() {
        let r = split(
            "2026-11-26 15:14:12,027 - MainThread - botocore.auth - DEBUG - CanonicalRequest:\nGET\n\n\nx\n2026-11-26 15:14:12,028 - MainThread - botocore.auth - DEBUG - StringToSign:\n",
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].continuation(), "GET\n\n\nx");
        assert_eq!(r[1].line, 6);
    }

    #[test]
    fn session_stream_logger_without_thread() {
        let r = split(
            "2026-11-26 15:14:12,027 - botocore.endpoint - DEBUG - Sending http request: <x>",
        );
        assert_eq!(r[0].thread, "");
        assert_eq!(r[0].logger, "botocore.endpoint");
        assert_eq!(r[0].message, "Sending http request: <x>");
    }

    #[test]
    fn boto3_stream_logger() {
        let r = split("2018-01-23 15:04:19,885 botocore.auth [DEBUG] CanonicalRequest:\nGET");
        assert_eq!(r[0].logger, "botocore.auth");
        assert_eq!(r[0].level, "DEBUG");
        assert_eq!(r[0].message, "CanonicalRequest:\nGET");
    }

    #[test]
    fn basic_config_and_wrapper_shapes() {
        let r = split("DEBUG:botocore.auth:CanonicalRequest:\nbotocore.hooks: DEBUG: Event x\n");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].message, "CanonicalRequest:");
        assert_eq!(r[1].logger, "botocore.hooks");
        assert_eq!(r[1].message, "Event x");
    }

    #[test]
    fn ordinary_text_is_a_preamble_not_a_header() {
        let r = split(
            "NOTE: something\nhello - world - x\n2026-11-26 15:14:12,027 - MainThread - awscli.clidriver - DEBUG - CLI version: aws-cli/1.46.3\n",
        );
        assert_eq!(r.len(), 2);
        assert!(!r[0].is_header());
        assert_eq!(r[0].message, "NOTE: something\nhello - world - x");
        assert_eq!(r[1].line, 3);
    }

    #[test]
    fn multibyte_characters_where_a_timestamp_would_be_are_not_headers() {
        let r = split("2026-11-26 15:59:39,6\u{fffd}7 - MainThread - botocore.hooks - DEBUG - x\n");
        assert_eq!(r.len(), 1);
        assert!(!r[0].is_header());
    }

    #[test]
    fn adjacent_dash_separators_do_not_overlap() {
        // Found by an adversarial run: `- x - - y` used to slice a token
        // whose end came before its start, and the sniffer panicked.
        for line in [
            "2024-05-01 10:00:00,000 - x - - y",
            "2024-05-01 10:00:00,000 - - - - -",
            "2024-05-01 10:00:00,000 - a - - DEBUG - - msg",
        ] {
            let r = split(line);
            assert_eq!(r.len(), 1, "{line}");
            assert!(!r[0].is_header(), "{line}");
        }
        let r = split("2024-05-01 10:00:00,000 - botocore.auth - DEBUG - - x");
        assert_eq!(r[0].logger, "botocore.auth");
        assert_eq!(r[0].message, "- x");
    }

    #[test]
    fn crlf_lines_are_accepted() {
        let r = split(
            "2026-11-26 15:14:12,027 - MainThread - botocore.auth - DEBUG - Signature:\r\nabc\r\n",
        );
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].first_line(), "Signature:");
        assert_eq!(r[0].lines().nth(1).unwrap(), (2, "abc"));
    }
}
