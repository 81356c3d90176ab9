//! One-line failure messages that AWS clients print, whatever surrounds them.
//!
//! The same wording shows up as the last line of a traceback
//! (`botocore.exceptions.NoCredentialsError: Unable to locate credentials`),
//! as the CLI's final stderr line, with a CLI v2 `aws: [ERROR]: ` prefix, or
//! inside a CI log. Recognisers therefore match anywhere in a line.
//!
//! Scanning: one Aho-Corasick automaton of all the recognisers' fixed
//! needles runs over the whole text (SIMD-accelerated, close to memchr
//! speed); only lines with a hit are looked at closely.

use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use crate::model::{ErrorEvent, ErrorKind, EvidenceLine};

struct Recogniser {
    needle: &'static str,
    kind: ErrorKind,
    /// Captures: `code`, `op`, `msg`, `detail` (all optional).
    pattern: &'static str,
}

/// Ordered: when several recognisers match one line, the first wins.
const RECOGNISERS: &[Recogniser] = &[
    Recogniser {
        needle: "An error occurred (",
        kind: ErrorKind::ServiceError,
        pattern: r"An error occurred \((?P<code>[^)]*)\) when calling the (?P<op>\w+) operation(?: \(reached max retries: \d+\))?: ?(?P<msg>.*)",
    },
    Recogniser {
        needle: "A client error (",
        kind: ErrorKind::ServiceError,
        pattern: r"A client error \((?P<code>[^)]*)\) occurred when calling the (?P<op>\w+) operation: ?(?P<msg>.*)",
    },
    Recogniser {
        needle: "Unable to locate credentials",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>Unable to locate credentials.*)",
    },
    Recogniser {
        needle: "could not be found",
        kind: ErrorKind::ProfileNotFound,
        pattern: r"(?P<msg>The config profile \((?P<detail>.*)\) could not be found)",
    },
    Recogniser {
        needle: "Partial credentials found in ",
        kind: ErrorKind::PartialCredentials,
        pattern: r"(?P<msg>Partial credentials found in (?P<detail>\S+), missing: .*)",
    },
    Recogniser {
        needle: "Unable to parse config file: ",
        kind: ErrorKind::ConfigParse,
        pattern: r"(?P<msg>Unable to parse config file: (?P<detail>.*))",
    },
    Recogniser {
        needle: "Failed to connect to proxy URL: ",
        kind: ErrorKind::Proxy,
        pattern: r#"(?P<msg>Failed to connect to proxy URL: "(?P<detail>[^"]*)".*)"#,
    },
    Recogniser {
        needle: "SSL validation failed for ",
        kind: ErrorKind::Tls,
        pattern: r"(?P<msg>SSL validation failed for (?P<detail>\S+).*)",
    },
    Recogniser {
        needle: "Could not connect to the endpoint URL: ",
        kind: ErrorKind::EndpointConnection,
        pattern: r#"(?P<msg>Could not connect to the endpoint URL: "(?P<detail>[^"]*)".*)"#,
    },
    Recogniser {
        needle: "timeout on endpoint URL: ",
        kind: ErrorKind::ConnectTimeout,
        pattern: r#"(?P<msg>(?:Connect|Read) timeout on endpoint URL: "(?P<detail>[^"]*)".*)"#,
    },
    Recogniser {
        needle: "before we received a valid response from endpoint URL",
        kind: ErrorKind::EndpointConnection,
        pattern: r#"(?P<msg>Connection was closed before we received a valid response from endpoint URL: "(?P<detail>[^"]*)".*)"#,
    },
    Recogniser {
        needle: "The SSO session associated with this profile",
        kind: ErrorKind::SsoToken,
        pattern: r"(?P<msg>The SSO session associated with this profile.*)",
    },
    Recogniser {
        needle: "Error when retrieving token from sso",
        kind: ErrorKind::SsoToken,
        pattern: r"(?P<msg>Error when retrieving token from sso: ?(?P<detail>.*))",
    },
    Recogniser {
        needle: "Error when retrieving credentials from ",
        kind: ErrorKind::CredentialRetrieval,
        pattern: r"(?P<msg>Error when retrieving credentials from (?P<detail>[\w-]+): .*)",
    },
    Recogniser {
        needle: "Enter MFA code for ",
        kind: ErrorKind::MfaPrompt,
        pattern: r"(?P<msg>Enter MFA code for (?P<detail>\S+?):?\s*(?:$|\S.*))",
    },
    Recogniser {
        needle: "aws: error: ",
        kind: ErrorKind::CliUsage,
        pattern: r"aws: error: (?P<msg>.*)",
    },
];

struct Compiled {
    needles: AhoCorasick,
    /// Compiled on first use: most logs hit two or three recognisers, and
    /// compiling all of them up front delays every run.
    patterns: Vec<OnceLock<Regex>>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    Compiled {
        // Leftmost semantics let the automaton use its packed SIMD searcher.
        needles: AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(RECOGNISERS.iter().map(|r| r.needle))
            .expect("needles build an automaton"),
        patterns: RECOGNISERS.iter().map(|_| OnceLock::new()).collect(),
    }
});

/// Finds every recognised failure line in `text`; `first_line` is the line
/// number of the text's first line. Each line yields at most one event.
pub fn scan(text: &str, first_line: usize) -> Vec<ErrorEvent> {
    let compiled = &*COMPILED;
    let mut events = Vec::new();
    let bytes = text.as_bytes();
    let (mut counted_to, mut line_no) = (0usize, first_line);
    let mut last_line_start = usize::MAX;
    for m in compiled.needles.find_iter(text) {
        line_no += memchr::memchr_iter(b'\n', &bytes[counted_to..m.start()]).count();
        counted_to = m.start();
        let start = memchr::memrchr(b'\n', &bytes[..m.start()]).map_or(0, |i| i + 1);
        if start == last_line_start {
            continue;
        }
        last_line_start = start;
        let end = memchr::memchr(b'\n', &bytes[m.start()..]).map_or(bytes.len(), |i| m.start() + i);
        let line = text[start..end]
            .strip_suffix('\r')
            .unwrap_or(&text[start..end]);
        if let Some(event) = recognise(line, line_no) {
            events.push(event);
        }
    }
    events
}

/// Recognises one line, if it is a failure message.
pub fn recognise(line: &str, line_no: usize) -> Option<ErrorEvent> {
    let compiled = &*COMPILED;
    // The recognisers whose needles occur in the line, in priority order.
    let mut present: Vec<usize> = compiled
        .needles
        .find_iter(line)
        .map(|m| m.pattern().as_usize())
        .collect();
    present.sort_unstable();
    present.dedup();
    present.into_iter().find_map(|i| {
        if RECOGNISERS[i].kind == ErrorKind::ServiceError && i == 0 {
            return service_error(line, line_no);
        }
        let pattern = compiled.patterns[i].get_or_init(|| {
            Regex::new(RECOGNISERS[i].pattern).expect("recogniser pattern is a valid regex")
        });
        let caps = pattern.captures(line)?;
        let get = |name: &str| caps.name(name).map(|m| m.as_str().trim().to_string());
        Some(ErrorEvent {
            kind: RECOGNISERS[i].kind,
            code: get("code"),
            operation: get("op"),
            message: get("msg").unwrap_or_default(),
            detail: get("detail"),
            evidence: EvidenceLine {
                line: line_no,
                text: line.into(),
            },
        })
    })
}

/// `… An error occurred (Code) when calling the Op operation[ (reached max
/// retries: N)]: message` — the most frequent failure line, read without a
/// regex because its lines can be long (a whole XML body may follow).
fn service_error(line: &str, line_no: usize) -> Option<ErrorEvent> {
    const START: &str = "An error occurred (";
    let rest = &line[line.find(START)? + START.len()..];
    let (code, rest) = rest.split_once(") when calling the ")?;
    let (op, rest) = rest.split_once(" operation")?;
    if code.contains(['(', ')'])
        || op.is_empty()
        || !op.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    let rest = match rest.strip_prefix(" (reached max retries: ") {
        Some(r) => r.split_once(')')?.1,
        None => rest,
    };
    let message = rest.strip_prefix(':')?.trim();
    Some(ErrorEvent {
        kind: ErrorKind::ServiceError,
        code: Some(code.to_string()),
        operation: Some(op.to_string()),
        message: message.to_string(),
        detail: None,
        evidence: EvidenceLine {
            line: line_no,
            text: line.into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_error_with_retry_suffix_and_v2_prefix() {
        let e = recognise("aws: [ERROR]: An error occurred (SlowDown) when calling the ListBuckets operation (reached max retries: 4): Please reduce", 7).unwrap();
        assert_eq!(e.kind, ErrorKind::ServiceError);
        assert_eq!(e.code.as_deref(), Some("SlowDown"));
        assert_eq!(e.operation.as_deref(), Some("ListBuckets"));
        assert_eq!(e.message, "Please reduce");
        assert_eq!(e.evidence.line, 7);
    }

    #[test]
    fn traceback_tail_is_recognised() {
        let e = recognise(
            "botocore.exceptions.ProfileNotFound: The config profile (prod) could not be found",
            1,
        )
        .unwrap();
        assert_eq!(e.kind, ErrorKind::ProfileNotFound);
        assert_eq!(e.detail.as_deref(), Some("prod"));
    }

    #[test]
    fn scan_reports_line_numbers_and_one_event_per_line() {
        let text = "a\nb\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\nc\nCould not connect to the endpoint URL: \"http://127.0.0.1:1/\"\n";
        let events = scan(text, 10);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].kind, ErrorKind::NoCredentials);
        assert_eq!(events[0].evidence.line, 12);
        assert_eq!(events[1].kind, ErrorKind::EndpointConnection);
        assert_eq!(events[1].detail.as_deref(), Some("http://127.0.0.1:1/"));
        assert_eq!(events[1].evidence.line, 14);
    }

    #[test]
    fn old_cli_wording() {
        let e = recognise("A client error (InvalidClientTokenId) occurred when calling the GetCallerIdentity operation: The security token included in the request is invalid.", 1).unwrap();
        assert_eq!(e.code.as_deref(), Some("InvalidClientTokenId"));
    }

    #[test]
    fn every_pattern_compiles_and_contains_its_needle() {
        // Patterns compile lazily at run time; this is where a broken one
        // must show up instead.
        for r in RECOGNISERS {
            let re = Regex::new(r.pattern).unwrap_or_else(|e| panic!("{}: {e}", r.needle));
            let sample = format!("x {} y", r.needle);
            let _ = re.is_match(&sample);
        }
    }

    #[test]
    fn unrelated_lines_are_ignored() {
        assert!(scan("all good\nnothing here\n", 1).is_empty());
    }
}
