//! Evidence-first recognition: every AWS failure in any text, whatever
//! printed it.
//!
//! Structured parsers (`formats`) add precision (the exact request, the
//! canonical request, timestamps); they never decide alone whether a
//! failure exists. This module does, from what the words mean:
//!
//! 1. `shapes`: the exact one-line shapes of the common clients (the AWS
//!    CLI's `An error occurred (X) when calling the Op operation: …`,
//!    aws-sdk-go v2's `operation error …`, Java's `(Service: …)`, …), which
//!    also give the operation, status and service;
//! 2. [`codes`]: any of the ~2,800 error codes AWS declares (a generated
//!    table), in any field that holds a code, or bare on a failure line;
//! 3. [`wording`]: AWS's standard sentences (each implies a code) and each
//!    client's own wording of a failure it found itself (each implies an
//!    [`ErrorKind`]), and connection failures towards AWS endpoints or the
//!    instance metadata service.
//!
//! Around the failures, [`context`] reads what the text says (the region,
//! a proxy, the credentials in play), and [`service_regions`] says whether
//! an endpoint host's service is offered in its region; both check names
//! against tables generated from botocore's endpoint data.
//!
//! When nothing in a pasted text has words for a failure, a stack trace
//! through AWS SDK code (`traces`) or a raw HTTP dump of a refused request
//! to an AWS endpoint (`dumps`) still is one.
//!
//! A line that a layout cuts in two (a wrapped Java message, a sentence
//! broken by a terminal) is read joined with the next line.
//!
//! Speed: one small automaton of cue words runs over the whole text (a
//! SIMD search, close to memchr); only lines with a cue are read closely.
//! A test checks that every needle of every table contains a cue, so the
//! prefilter never hides a failure.
//!
//! Imports: this module knows only `model` (and `text` for edit distances);
//! formats call it.

pub mod codes;
pub mod context;
pub mod env_vars;
pub mod service_regions;
mod shapes;
pub mod wording;

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::Regex;

use crate::model::{ErrorEvent, ErrorKind, EvidenceLine};

pub use wording::code_from_message;

/// Substrings one of which every recognisable failure line contains. Kept
/// few and short, so the whole-text search stays on the SIMD path.
const CUES: &[&str] = &[
    "rror",
    "RROR",
    "xception",
    "enied",
    "nvalid",
    "xpired",
    "ignature",
    "uthori",
    "redential",
    "Code",
    "code",
    "__type",
    "nable to",
    "ould not",
    "ailed",
    "efused",
    "imeout",
    "imed out",
    "etrieve",
    "url: (",
    "not set>",
    "169.254.1",
    "fd00:ec2",
    "SSL",
    "ertificate",
    "x509",
    "PKIX",
    "roxy",
    "MFA",
    "rofile",
    "not found",
    "no such host",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EHOST",
    "ETIMEDOUT",
    "ENETUNREACH",
    "nreachable",
    "Forbidden",
    "aws: ",
    "Unknown",
    "egion",
    "equest has expired",
    "ot yet valid",
    "Access Denied",
    "SSO",
    "oken",
    "Redirect",
    "ultiFactor",
    "not known",
    "ame resolution",
    "resolve host",
    "no route",
    "deadline",
    "canceled",
    "Max retries",
    "onnect",
    "Enter MFA",
    "KeyError",
    "section header",
    "endpoint",
    "must be addressed",
    "location constraint",
    "not authorized",
    "Errors::",
    "access key",
    "ccess Key",
    "ccess key",
    "request time",
    "erification key",
    "may not be assumed",
    "role found",
    "SharedCreds",
    "naccessible host",
    "VERIFY",
    "_CERT",
    "WRONG_VERSION",
    "servname",
    "ECONN",
    "instance-data",
    "meta-data",
    "latest/api",
    "(Service: ",
    "interactive login",
    "be assumed",
    "sso login",
    "role chaining",
    "No option",
    "RegionEndpoint",
    "such file",
    // The client wordings of tables/client_wordings.tsv that hold none of
    // the cues above.
    // (Narrow cues: botocore's debug log names its `configprovider` and
    // `validate_ascii_metadata` on thousands of lines.)
    "IMDS",
    "etadata se",
    "etadata us",
    "etadata Se",
    "providers in chain",
    "source provider",
    "that provider",
    "issing",
    "configured",
    "does not exist",
    "did not contain",
    "did not return",
    "loopback",
    "Duplicate property",
    "class path",
    "EcsContainer",
    "not be available",
    "wrong version",
    "non-zero",
    "RoleList",
    "NotFound",
    "not set",
];

static CUE_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .kind(Some(AhoCorasickKind::DFA))
        .build(CUES)
        .expect("cues build an automaton")
});

/// Every failure recognised in `text`, one event per line at most;
/// `first_line` is the line number of the text's first line.
pub fn scan(text: &str, first_line: usize) -> Vec<ErrorEvent> {
    scan_except(text, first_line, &[])
}

/// [`scan`], passing over the byte ranges `skipped` (ascending, each whole
/// lines): what a structured parser has already read. Only the stretches
/// between them are searched at all.
pub fn scan_except(text: &str, first_line: usize, skipped: &[(usize, usize)]) -> Vec<ErrorEvent> {
    let bytes = text.as_bytes();
    let mut scan = Scan {
        text,
        events: Vec::new(),
        joined_into: None,
        frame_source: None,
    };
    let (mut from, mut line_no) = (0usize, first_line);
    let end = (bytes.len(), bytes.len());
    for &(at, until) in skipped.iter().chain([&end]) {
        if at < from {
            continue;
        }
        if at > from {
            scan.segment(from, at, line_no);
        }
        // Past the skipped lines, their newline included.
        let next = memchr::memchr(b'\n', &bytes[until..]).map_or(bytes.len(), |i| until + i + 1);
        line_no += memchr::memchr_iter(b'\n', &bytes[from..next]).count();
        from = next;
    }
    chain_details_are_consequences(text, first_line, &mut scan.events);
    traces::unnamed_failures_in_the_metadata_client(text, first_line, &mut scan.events);
    // Nothing with words: a stack trace through AWS SDK code still is a
    // failure (pasted text only; structured logs say what they say).
    // Nor does a raw HTTP dump of a refused request to AWS need any.
    if scan.events.is_empty()
        && skipped.is_empty()
        && let Some(event) = traces::failure(text, first_line)
            .or_else(|| dumps::failure(text, first_line))
            .or_else(|| connection_left_hanging(text, first_line))
            .or_else(|| failure_in_text_about_aws(text, first_line))
    {
        scan.events.push(event);
    }
    scan.events
}

/// aws-sdk-go v1 with verbose chain errors lists, under
/// `NoCredentialProviders: no valid providers in chain`, each provider's own
/// failure on the lines that follow (`EnvAccessKeyNotFound`,
/// `SharedCredsLoad`, `EC2RoleRequestError`, `caused by: …`) until a blank
/// line. Those say why no provider had credentials: they are details of
/// that failure, never causes beside it.
fn chain_details_are_consequences(text: &str, first_line: usize, events: &mut [ErrorEvent]) {
    let chains: Vec<usize> = events
        .iter()
        .filter(|e| {
            e.kind == ErrorKind::NoCredentials && e.message.contains("NoCredentialProviders")
        })
        .map(|e| e.evidence.line)
        .collect();
    for from in chains {
        // The chain's details end at the first blank line after it.
        let end = text
            .split('\n')
            .enumerate()
            .skip(from.saturating_sub(first_line) + 1)
            .find(|(_, l)| l.trim().is_empty())
            .map_or(usize::MAX, |(i, _)| first_line + i);
        for e in events.iter_mut() {
            if (from + 1..end).contains(&e.evidence.line) {
                e.consequence = true;
            }
        }
    }
}

/// aws-sdk-go v1 prints what a failure came from on the line under it,
/// `caused by: …` (its `awserr` format): that is the failure's detail, the
/// reason it happened. Indentation and Terraform's box edge (`│ `) are read
/// through. Asked of the line after each failure, which the scan holds
/// already, so it costs no pass of its own.
fn go_cause(line: &str) -> Option<&str> {
    line.trim_start_matches(|c: char| c.is_whitespace() || c == '│' || c == '|')
        .strip_prefix("caused by: ")
}

struct Scan<'a> {
    text: &'a str,
    events: Vec<ErrorEvent>,
    /// The line a wrapped failure ran on to: it is no new failure.
    /// The last line a failure read on to (wrapped, or an XML message
    /// over several lines): the lines up to it are no new failures.
    joined_into: Option<(usize, usize)>,
    /// The source line under a Python traceback frame.
    frame_source: Option<usize>,
}

impl Scan<'_> {
    /// Recognises the cue lines of `text[from..to]` (whole lines), whose
    /// first line is `line_no`.
    fn segment(&mut self, from: usize, to: usize, mut line_no: usize) {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut counted_to = from;
        let mut next_line_start = from;
        // One cue is enough for a line: the search resumes at the next.
        while next_line_start < to {
            let input = aho_corasick::Input::new(text).span(next_line_start..to);
            let Some(m) = CUE_FINDER.find(input) else {
                break;
            };
            let at = m.start();
            let start = memchr::memrchr(b'\n', &bytes[from..at]).map_or(from, |i| from + i + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            line_no += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count();
            counted_to = start;
            next_line_start = end + 1;
            if self
                .joined_into
                .is_some_and(|(after, last)| line_no > after && line_no <= last)
                || self.frame_source == Some(line_no)
            {
                continue;
            }
            let line = trim_cr(&text[start..end]);
            if is_stack_frame(line) {
                // Python prints the frame's source line under it.
                self.frame_source = Some(line_no + 1);
                continue;
            }
            // An XML error body's message may run over several lines
            // (a pretty-printed S3 or query-service body).
            if line.contains("<Message>")
                && !line.contains("</Message>")
                && let Some((joined, lines)) = xml_message(&text[start..to])
                && let Some(event) = recognise(&joined, line_no)
            {
                self.joined_into = Some((line_no, line_no + lines));
                self.events.push(event);
                continue;
            }
            // The lines a wrap may have carried the failure on to.
            let mut following = [""; MAX_JOINED];
            let mut at = end;
            for slot in &mut following {
                if at >= bytes.len() {
                    break;
                }
                let after = at + 1;
                at = memchr::memchr(b'\n', &bytes[after..]).map_or(bytes.len(), |i| after + i);
                *slot = trim_cr(&text[after..at]);
            }
            if let Some((mut event, joined)) = recognise_lines(line, &following, line_no) {
                if joined > 0 {
                    self.joined_into = Some((line_no, line_no + joined));
                } else if let Some((message, lines, field)) = message_below(&event, &text[end..to])
                {
                    // A pretty-printed body: the code's message is a field below.
                    event.message = message;
                    event.evidence.text = format!("{} {}", line.trim_end(), field.trim()).into();
                    self.joined_into = Some((line_no, line_no + lines));
                }
                if event.detail.is_none()
                    && let Some(cause) = following.get(joined).copied().and_then(go_cause)
                {
                    event.detail = Some(cause.to_string());
                }
                self.events.push(event);
            }
        }
    }
}

/// The lines of `text` from its first to the one that closes its
/// `<Message>`, joined with spaces, and how many lines were joined after
/// the first; at most a few lines, else nothing.
fn xml_message(text: &str) -> Option<(String, usize)> {
    let mut joined = String::new();
    for (i, line) in text.split('\n').take(12).enumerate() {
        if i > 0 {
            joined.push(' ');
        }
        joined.push_str(trim_cr(line).trim());
        if line.contains("</Message>") {
            return Some((joined, i));
        }
    }
    None
}

/// A stack frame (Python's `  File "…", line N`, Java's and Node's
/// `at …`): it says where, never what failed.
fn is_stack_frame(line: &str) -> bool {
    let rest = line.trim_start_matches([' ', '\t']);
    (line.starts_with("  File \"") && rest.contains("\", line "))
        || (rest.len() < line.len() && rest.starts_with("at ") && rest.trim_end().ends_with(')'))
        // .NET prints no parentheses' content; Ruby prints `path.rb:N:in `m'`.
        || (rest.len() < line.len() && rest.starts_with("at ") && rest.trim_end().ends_with("()"))
        || is_ruby_frame(rest)
        // Python's words between chained exceptions.
        || line.starts_with("During handling of the above exception")
        || line.starts_with("The above exception was the direct cause")
}

/// A Ruby frame (`path.rb:68:in `refresh'`, `from path.rb:…`): the
/// method name ends the line. Ruby's first line has the same head and the
/// message after it (`…:in `m': unable to sign … (Aws::Errors::…)`).
fn is_ruby_frame(line: &str) -> bool {
    // A backtick is rare: looking for it first spares a substring search
    // on every line of a log.
    if memchr::memchr(b'`', line.as_bytes()).is_none() {
        return false;
    }
    let Some((head, method)) = line.split_once(":in `") else {
        return false;
    };
    head.contains(".rb:") && !method.contains(": ") && method.trim_end().ends_with(['\'', '`'])
}

/// A message field's name (`"message": `, `message: `, `Message = `) at
/// the start of a line: how pretty-printed bodies and error objects
/// (JSON, JavaScript, EDN, Ruby, key = value) print the message under
/// their code.
static MESSAGE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^[\s;{(\[,]*["':]?(?i:message|errormessage|error_message)["']?\s*(?:[:=]>?\s*|\s+)"#,
    )
    .expect("valid regex")
});

/// For a code printed with no message beside it (a pretty-printed body,
/// an error object), the message field on one of the next few lines, how
/// many lines down it is, and that line. Stops at a blank line.
fn message_below<'a>(event: &ErrorEvent, below: &'a str) -> Option<(String, usize, &'a str)> {
    if event.code.is_none() || event.code_inferred || event.message.chars().any(char::is_alphabetic)
    {
        return None;
    }
    let lines = below.strip_prefix('\n')?.split('\n').take(4);
    for (i, line) in lines.enumerate() {
        let line = trim_cr(line);
        if line.trim().is_empty() {
            return None;
        }
        if let Some(name) = MESSAGE_FIELD.find(line) {
            let value = &line[name.end()..];
            // Quoted: up to the closing quote of the same kind.
            let value = match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
                _ => value,
            };
            let value = value.trim();
            return value
                .chars()
                .any(char::is_alphabetic)
                .then(|| (value.to_string(), i + 1, line));
        }
    }
    None
}

/// Whether `next` can be the rest of a wrapped line: not empty, not a
/// stack frame, not a new log record (which starts with its timestamp).
fn continues(next: &str) -> bool {
    let t = next.trim_start();
    !t.is_empty()
        && !is_stack_frame(next)
        && !t.starts_with("Traceback")
        && !next.as_bytes()[..next.len().min(4)]
            .iter()
            .all(u8::is_ascii_digit)
}

/// Wrapped lines are long: a shorter line is never joined with the next.
const WRAP_WIDTH: usize = 60;

fn trim_cr(line: &str) -> &str {
    line.strip_suffix('\r').unwrap_or(line)
}

/// Recognises `line`, reading it joined with the lines `following` it
/// when a layout or a sentence runs over line breaks; says how many of
/// them the failure ran on to.
fn recognise_lines(line: &str, following: &[&str], line_no: usize) -> Option<(ErrorEvent, usize)> {
    let mut best = recognise(line, line_no);
    let mut joined = 0;
    let mut text = line.trim_end().to_string();
    let mut last = line;
    for next in following {
        // Joined only when the lines so far say less than they would with
        // the next: nothing, or a code inferred from a sentence whose
        // printed code the wrap pushed onto the next line. A message that
        // ends in a colon, semicolon or comma was cut by the wrap too: its
        // sentence goes on (S3's `… is malformed;` then `the region
        // 'us-east-1' is wrong; expecting …`).
        let cut = best
            .as_ref()
            .is_some_and(|e| e.message.trim_end().ends_with([':', ';', ',']));
        // The AWS CLI's sentence cut before its end (`An error occurred
        // (403) when calling the HeadObject` / `operation: Forbidden`)
        // goes on, however short the line.
        let unfinished =
            best.is_none() && last.contains("An error occurred (") && !last.contains(" operation");
        let wanted = unfinished
            || (last.len() >= WRAP_WIDTH && best.as_ref().is_none_or(|e| e.code_inferred || cut));
        if !wanted || !continues(next) || text.len() + next.len() > 4096 {
            break;
        }
        text = format!("{text} {}", next.trim());
        match recognise(&text, line_no).filter(|j| best.is_none() || !j.code_inferred || cut) {
            Some(event) => {
                best = Some(event);
                joined += 1;
                last = next;
            }
            None => break,
        }
    }
    best.map(|event| (event, joined))
}

/// How many lines after a failure's first a wrap may have carried it on to.
const MAX_JOINED: usize = 3;

/// Recognises one line (or two joined), if it speaks of a failure.
pub fn recognise(line: &str, line_no: usize) -> Option<ErrorEvent> {
    match shapes::recognise(line, line_no) {
        // A response without a body (S3 answering HEAD) leaves the SDK only
        // the status line for a code (Java's `Error Code: 301 Moved
        // Permanently`): the words around it say more, when there are any.
        Some(mut event) if event.code.as_deref().is_some_and(is_status_line) => {
            recognise_words(line, line_no).or_else(|| {
                // The AWS CLI on a bodiless 403 (S3 answering HEAD):
                // `An error occurred (403) when calling the HeadObject
                // operation: Forbidden`. The reason phrase is all AWS said,
                // and a refusal without words reads as one.
                if event.code.as_deref() == Some("403")
                    && event.message.trim_matches(['"', ' ']) == "Forbidden"
                {
                    event.code = Some("Forbidden".into());
                    event.code_inferred = true;
                }
                Some(event)
            })
        }
        Some(event) => Some(event),
        None => recognise_words(line, line_no),
    }
}

/// An HTTP status given where a code belongs: `301 Moved Permanently`, `403`.
fn is_status_line(code: &str) -> bool {
    let digits = code.bytes().take_while(u8::is_ascii_digit).count();
    digits == 3
        && code[3..]
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == ' ')
}

/// [`recognise`] from codes, sentences and wordings, whatever the layout.
fn recognise_words(line: &str, line_no: usize) -> Option<ErrorEvent> {
    let evidence = || EvidenceLine {
        line: line_no,
        text: line.into(),
    };
    let code =
        codes::find(line).filter(|hit| !wording::CLIENT_SIDE_CODES.contains(&hit.code.as_str()));
    let sentence = wording::sentence(line);
    if code.is_some() || sentence.is_some() {
        let (code, inferred, message) = match (code, sentence) {
            (Some(hit), Some((_, _, at))) => (
                hit.code,
                false,
                line[with_subject(line, sentence_start(line, at))..].trim(),
            ),
            (Some(hit), None) => (hit.code.clone(), false, message_after(line, hit.end)),
            (None, Some((code, _, at))) => (
                code.to_string(),
                true,
                line[with_subject(line, sentence_start(line, at))..].trim(),
            ),
            (None, None) => unreachable!("one of them is some"),
        };
        let implied_op = sentence.and_then(|(_, op, _)| op).map(str::to_string);
        return Some(ErrorEvent {
            kind: ErrorKind::ServiceError,
            status: status(line).or_else(|| codes::lookup(&code).and_then(|c| c.status)),
            operation: operation(line).or(implied_op),
            code: Some(code),
            code_inferred: inferred,
            message: message.to_string(),
            detail: None,
            service: None,
            tool: None,
            consequence: false,
            evidence: evidence(),
        });
    }
    let client = wording::client(line);
    if client.is_none()
        && let Some(at) = wording::denied_action(line)
    {
        return Some(ErrorEvent {
            kind: ErrorKind::ServiceError,
            code: Some("AccessDenied".to_string()),
            code_inferred: true,
            operation: None,
            message: line[with_subject(line, sentence_start(line, at))..]
                .trim()
                .to_string(),
            detail: None,
            status: status(line),
            service: None,
            tool: None,
            consequence: false,
            evidence: evidence(),
        });
    }
    let (kind, tool, at) = match client {
        Some((w, at)) => (w.kind, w.tool, at),
        None => match (
            wording::curl_failure(line),
            wording::connection_failure(line),
        ) {
            (Some((kind, at)), _) => (kind, "curl", at),
            (None, Some(at)) if wording::mentions_aws_host(line) => {
                (ErrorKind::EndpointConnection, "network", at)
            }
            _ if let Some(at) = credentials_not_found(line) => {
                (ErrorKind::NoCredentials, "unknown", at)
            }
            _ => {
                let at = failure_about_aws(line)?;
                if speaks_of_bad_configuration(line) {
                    (ErrorKind::ConfigParse, "unknown", at)
                } else {
                    (ErrorKind::Unrecognised, "unknown", at)
                }
            }
        },
    };
    // A connection failure towards the metadata service, or any failure
    // told of it, is the metadata service failing, whichever client says it.
    let kind = match kind {
        ErrorKind::EndpointConnection | ErrorKind::ConnectTimeout | ErrorKind::Unrecognised
            if wording::mentions_imds(line) =>
        {
            ErrorKind::Imds
        }
        kind => kind,
    };
    Some(ErrorEvent {
        kind,
        code: None,
        code_inferred: false,
        operation: None,
        message: line[at..].trim().to_string(),
        detail: host(line),
        status: status(line),
        service: None,
        tool: Some(tool),
        consequence: false,
        evidence: evidence(),
    })
}

/// The last resort: a line that speaks of failing and of AWS (a service,
/// credentials, a bucket, an AWS client) is a failure nobody named. It is
/// reported as unrecognised, never taken for a clean bill. Where it starts.
/// A sentence saying that credentials could not be found, in any
/// client's words (`Could not find any valid AWS credentials`, `unable to
/// load credentials`, `no credentials found`): what every credential chain
/// says when it comes up empty, whether or not its exact wording is in
/// the client table. Only finding is meant: a provider that failed to
/// *load* or *retrieve* its credentials (`WebIdentityErr: failed to
/// retrieve credentials`) failed for a reason of its own.
fn credentials_not_found(line: &str) -> Option<usize> {
    static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(?:(?:could\s*n[o']?t|can\s*n[o']?t|unable\s+to)\s+(?:find|locate|resolve)\s+(?:(?:any|the|valid|aws|your)\s+)*credentials?\b|no\s+(?:valid\s+)?(?:aws\s+)?credentials?\s+(?:were\s+)?(?:found|configured|available|provided)\b)",
        )
        .expect("valid regex")
    });
    NOT_FOUND.find(line).map(|m| m.start())
}

/// A word that says something failed.
static FAILING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:error|exception|failed|failure|denied|forbidden|unauthori[sz]ed|refused|expired)\b")
        .expect("valid regex")
});

/// A word that says something went wrong, in the wider sense a person
/// pasting a failure uses (`panic: …`, `cannot …`, `… not found`, `Task
/// timed out`). Only for a whole pasted text about AWS in which nothing
/// was recognised: on single lines of a long log these words are too
/// common to mean a failure of their own.
static TROUBLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:errors?|exception|failed|fails|failure|denied|forbidden|unauthori[sz]ed|refused|expired",
        r"|invalid|panic|fatal|cannot|can't|could ?not|couldn't|unable|not found|not authori[sz]ed",
        r"|timed out|missing|malformed|incorrect|mismatch|does not match|rejected)\b",
    ))
    .expect("valid regex")
});

/// A word that says the text is about AWS.
static ABOUT_AWS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:aws|amazon|amazonaws|s3|sts|iam|ec2|ecr|eks|ecs|kms|lambda|dynamodb|sqs|sns|cloudformation|credentials?|bucket|boto3?|botocore|assume ?role|sso)\b")
        .expect("valid regex")
});

fn failure_about_aws(line: &str) -> Option<usize> {
    let at = FAILING.find(line)?.start();
    (ABOUT_AWS.is_match(line) || wording::mentions_imds(line)).then_some(at)
}

/// The first line of a pasted text about AWS that says something failed,
/// when nothing in the text was recognised: the user pasted a failure, and
/// a failure nobody named is still no clean bill. (The line itself need
/// not name AWS: `[Errno 13] Permission denied` under an `aws` command.)
fn failure_in_text_about_aws(text: &str, first_line: usize) -> Option<ErrorEvent> {
    // A tally of none (`0 errors`, `no failures`) says nothing failed.
    static NONE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:0|no|zero)\s+(?:errors?|failures?|failed)\b").expect("valid regex")
    });
    let bytes = text.as_bytes();
    let line_of = |at: usize| {
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |i| at + i);
        (start, trim_cr(&text[start..end]))
    };
    // Each line is looked at once: a line ruled out is skipped whole.
    let mut from = 0;
    let (start, line) = loop {
        let found = TROUBLE.find_at(text, from)?;
        let (start, line) = line_of(found.start());
        if !NONE.is_match(line) {
            break (start, line);
        }
        from = memchr::memchr(b'\n', &bytes[found.start()..])
            .map_or(text.len(), |i| found.start() + i + 1);
    };
    if !ABOUT_AWS.is_match(text) {
        return None;
    }
    Some(ErrorEvent {
        kind: ErrorKind::Unrecognised,
        code: None,
        code_inferred: false,
        operation: None,
        message: line.trim().to_string(),
        detail: None,
        status: None,
        service: None,
        tool: None,
        consequence: false,
        evidence: EvidenceLine {
            line: first_line + memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count(),
            text: line.into(),
        },
    })
}

/// A debug log whose last line opens a connection to an AWS endpoint
/// (urllib3 under botocore: `Starting new HTTPS connection (1):
/// queue.amazonaws.com:443`): nothing came back, the client hung there
/// until the user gave up. A connection that was answered is followed by
/// the request line or an error, so only the last line counts. The
/// debug-log parser asks this of each client run it closes.
pub fn connection_left_hanging(text: &str, first_line: usize) -> Option<ErrorEvent> {
    static OPENING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"Starting new HTTPS? connection \(\d+\): (?P<host>[A-Za-z0-9.-]+\.amazonaws\.com(?:\.cn)?)(?::\d+)?\s*$")
            .expect("valid regex")
    });
    let trimmed = text.trim_end();
    let start = trimmed.rfind('\n').map_or(0, |i| i + 1);
    let line = trim_cr(&trimmed[start..]);
    let host = OPENING.captures(line)?.name("host")?.as_str().to_string();
    Some(ErrorEvent {
        kind: ErrorKind::ConnectTimeout,
        code: None,
        code_inferred: false,
        operation: None,
        message: format!("the log ends while connecting to {host}: no answer came"),
        detail: Some(host),
        status: None,
        service: None,
        tool: Some("aws-cli/botocore"),
        consequence: false,
        evidence: EvidenceLine {
            line: first_line + memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count(),
            text: line.into(),
        },
    })
}

/// Where the sentence around a needle found at `at` starts: needles are
/// the telling middle of AWS's sentences (`… Access Key Id you provided
/// does not exist …`), the message is the whole sentence. Back to the
/// nearest field or sentence boundary, no further than a short stretch.
fn sentence_start(line: &str, at: usize) -> usize {
    // A start further back than this is not taken, so only this much
    // before `at` is searched (a long line costs no more than a short one).
    const LONGEST: usize = 60;
    let mut lo = at.saturating_sub(LONGEST + 2);
    while !line.is_char_boundary(lo) {
        lo -= 1;
    }
    let head = &line[lo..at];
    // A colon or full stop ends a field or sentence only before a space
    // (not inside an ARN, a version or a host).
    let found = [": ", ". ", "(", "\"", "'", ">", "["]
        .iter()
        .filter_map(|b| head.rfind(b).map(|i| lo + i + b.len()))
        .max();
    let from = match found {
        Some(from) => from,
        None if lo == 0 => 0,
        None => return at,
    };
    let stretch = &line[from..at];
    if stretch.len() > LONGEST || stretch.contains("  ") {
        return at;
    }
    from + (stretch.len() - stretch.trim_start().len())
}

/// Where a sentence found at `at` starts with its subject: IAM's denial
/// names the principal before it (`User: arn:… is not authorized to
/// perform`), and the fix steps need who was denied.
fn with_subject(line: &str, at: usize) -> usize {
    let start = if line[at..].starts_with("arn:") {
        at
    } else {
        let before = line[..at].trim_end();
        let token = before.rsplit(char::is_whitespace).next().unwrap_or(before);
        if !token.starts_with("arn:") {
            return at;
        }
        before.len() - token.len()
    };
    line[..start].strip_suffix("User: ").map_or(start, str::len)
}

/// A failure nobody named that says the configuration it was given cannot
/// be used: words of a bad value (invalid, not valid, cannot be parsed,
/// unsupported) about a configuration, profile, credentials or secret.
/// Whichever tool wrote it, the file or settings are the problem.
fn speaks_of_bad_configuration(line: &str) -> bool {
    static BAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:invalid|not (?:a )?valid|malformed|pars(?:e|ing)|unsupported|not supported)\b")
            .expect("valid regex")
    });
    static CONFIGURATION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:config(?:uration)?|profile|credentials?(?: file)?|secret)\b")
            .expect("valid regex")
    });
    BAD.is_match(line) && CONFIGURATION.is_match(line)
}

/// The message that follows a code: `X: message`, `X (client): message`,
/// `<Code>X</Code><Message>message</Message>`.
fn message_after(line: &str, end: usize) -> &str {
    let rest = &line[end..];
    if let Some(i) = rest.find("<Message>") {
        let msg = &rest[i + "<Message>".len()..];
        return msg.split("</Message>").next().unwrap_or(msg).trim();
    }
    rest.trim_start_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ':' | ')' | '(' | '"' | '\'' | ',' | ';' | '-' | '>' | ']'
            )
    })
    .trim_start_matches("client):")
    .trim_start_matches("server):")
    .trim()
}

static STATUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:status ?code|http status|statuscode|with error code)[:=]? ?\(?([1-5][0-9]{2})\b|HTTP/[0-9.]+ ([1-5][0-9]{2})\b|\b([45][0-9]{2}) (?:Forbidden|Bad Request|Unauthorized|Moved Permanently)")
        .expect("valid regex")
});

/// The text of the first group that took part in `re`'s match in `line`:
/// each alternative of a layout regex captures the same thing.
fn first_group<'a>(re: &Regex, line: &'a str) -> Option<&'a str> {
    let caps = re.captures(line)?;
    caps.iter().skip(1).flatten().next().map(|m| m.as_str())
}

/// The HTTP status a line states.
fn status(line: &str) -> Option<u16> {
    first_group(&STATUS, line)?.parse().ok()
}

static OPERATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"when calling the ([A-Za-z0-9]+) operation|operation error [^:,]+: ([A-Za-z0-9]+)|Error executing .([A-Za-z0-9]+). on|perform: [a-z0-9-]+:([A-Za-z0-9]+)")
        .expect("valid regex")
});

/// The API operation a line names.
fn operation(line: &str) -> Option<String> {
    first_group(&OPERATION, line).map(str::to_string)
}

static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:https?://)?(?:[A-Za-z0-9-]+\.)+amazonaws\.com(?:\.cn)?(?::[0-9]+)?|169\.254\.1(?:69\.254|70\.23?)(?::[0-9]+)?|\[?fd00:ec2::(?:254|23)\]?")
        .expect("valid regex")
});

/// The AWS endpoint or metadata address a line names.
fn host(line: &str) -> Option<String> {
    HOST.find(line).map(|m| m.as_str().to_string())
}

mod dumps;
mod traces;

#[cfg(test)]
mod tests;
