//! AWS SDK for Rust debug logs: what `aws-sigv4` and the smithy runtime
//! emit through `tracing` when `RUST_LOG` turns them on, as the
//! `tracing-subscriber` fmt layer prints it. Each signed attempt becomes an
//! [`Exchange`], so the SigV4 analysis applies as it does to botocore logs.
//! Shapes: shared/reference/formats.md §3.5; real output in
//! fixtures/sdk/rust-*.log.
//!
//! The fmt layer writes `[time] LEVEL [spans:] [target:] [message] key=value…`;
//! timestamps, targets and colours depend on the subscriber's settings, so
//! records are recognised by their fields, wherever the line puts them.
//! A field's value is printed as it is, newlines included: the canonical
//! request runs over several lines and ends where its structure ends.
//!
//! ```text
//! … aws_sigv4::http_request::sign: signing request request=SignableRequest {…} params=V4(SigningParams { identity: Identity { data: Credentials { …, access_key_id: "AKIA…", … } … }, region: "us-east-1", name: "sts", … })
//! … aws_sigv4::http_request::sign: canonical_request=POST
//! /
//!
//! content-type:application/x-www-form-urlencoded
//! …
//! content-type;host;x-amz-date;x-amz-user-agent
//! ab821ae9…
//! … aws_smithy_runtime::client::orchestrator: transmitting request request=Request { …, uri: Uri { as_string: "https://…", … }, method: POST, …, headers: {…} }
//! … read HTTP response body response=Response { status: StatusCode(403), headers: {…}, body: SdkBody { inner: Once(Some(b"<ErrorResponse…")), … }, … }
//! Error: ServiceError(ServiceError { …, raw: Response { status: StatusCode(403), … } })
//! ```
//!
//! Presigning logs `calculated signing parameters canonical_request=…
//! string_to_sign=…` instead. aws-sigv4 ≥ 1.6 and the runtime print
//! `** redacted (length=N) **` for `Authorization`, `X-Amz-Security-Token`
//! and other sensitive headers; such values are kept as logged and never
//! compared (see [`crate::sigv4::is_hidden`]).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::pyrepr;
use crate::model::{ErrorEvent, EvidenceLine, Exchange, HttpRequest, Logged, Span};

/// Value shapes only the Rust SDK's records print; a text with none of them
/// has no exchanges (checked before any line is looked at).
const MARKERS: &[&str] = &["canonical_request", "SigningParams {", "StatusCode("];

/// The operation span: `STS.GetCallerIdentity{rpc.service="STS"
/// rpc.method="GetCallerIdentity" …}` (current runtimes) or
/// `invoke{service=sts operation=GetCallerIdentity}` (earlier ones).
static OPERATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\{[^{}]*\b(?:rpc\.method|operation)="?([A-Za-z0-9]+)"?"#).expect("valid regex")
});

/// The canonical request's lines are bounded by its structure; a log cut
/// short must not make it swallow the rest of the file.
const MAX_CANONICAL_LINES: usize = 500;

/// Exchanges found in `text` (whose first line is `first_line`), in order.
pub fn exchanges(text: &str, first_line: usize) -> Vec<Exchange> {
    if !MARKERS.iter().any(|m| text.contains(m)) {
        return Vec::new();
    }
    let lines: Vec<Cow<'_, str>> = text
        .split('\n')
        .map(|l| crate::text::strip_ansi(l.strip_suffix('\r').unwrap_or(l)))
        .collect();
    let mut out: Vec<Exchange> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line: &str = &lines[i];
        // Evidence quotes the line without its colour codes.
        let evidence = || EvidenceLine {
            line: first_line + i,
            text: line.into(),
        };
        if let Some(at) = field(line, "canonical_request") {
            if let Some((canonical, string_to_sign, next)) = signing_blocks(&lines, i, at) {
                let x = attempt(&mut out, |x| x.canonical_request.is_some());
                x.operation = x.operation.take().or_else(|| operation(&line[..at]));
                let logged = |(start, end, text)| Logged {
                    text,
                    span: Span {
                        line: first_line + start,
                        end_line: first_line + end,
                    },
                };
                x.canonical_request = Some(logged(canonical));
                x.string_to_sign = string_to_sign.map(logged);
                i = next;
                continue;
            }
        } else if let Some(at) = line.find("SigningParams {") {
            // Signing starts an attempt: retries sign again.
            let x = attempt(&mut out, |x| {
                x.canonical_request.is_some() || x.request.is_some() || x.response.status.is_some()
            });
            let params = &line[at..];
            x.operation = operation(&line[..at]).or_else(|| x.operation.take());
            // The identity comes first and has `name:` fields of its own;
            // region and name of the scope are the last ones.
            x.signing_region = quoted_after(params, ", region: ", true);
            x.signing_name = quoted_after(params, ", name: ", true);
            x.signing_key = quoted_after(params, "access_key_id: ", false).map(|k| (k, evidence()));
        } else if let Some(at) = line
            .find("Request { ")
            .filter(|_| line.contains("as_string: "))
        {
            if let Some(mut request) = request(&line[at..]) {
                request.line = Some(evidence());
                let x = attempt(&mut out, |x| x.request.is_some());
                x.operation = x.operation.take().or_else(|| operation(&line[..at]));
                x.request = Some(request);
            }
        } else if let Some(at) = line.find("Response { status: StatusCode(") {
            response(&line[at..], evidence(), &mut out);
        }
        i += 1;
    }
    out
}

/// Drops the errors that only the runtime's per-attempt trace shows
/// (`output_or_error=Err(…)`) when a later attempt followed: a retry, or
/// the SDK's own clock-skew correction, may still have succeeded. The last
/// attempt's outcome and the error the program printed stay.
pub fn drop_retried_attempts(errors: &mut Vec<ErrorEvent>, text: &str, first_line: usize) {
    let is_outcome = |l: &str| field(&crate::text::strip_ansi(l), "output_or_error").is_some();
    if !errors.iter().any(|e| is_outcome(&e.evidence.text)) {
        return;
    }
    let last = text
        .split('\n')
        .enumerate()
        .filter(|(_, l)| l.contains("output_or_error") && is_outcome(l))
        .last()
        .map(|(i, _)| first_line + i);
    errors.retain(|e| !is_outcome(&e.evidence.text) || Some(e.evidence.line) == last);
}

/// The exchange a record belongs to: the last one, or a new one when the
/// last already has what this record brings (`taken`).
fn attempt(out: &mut Vec<Exchange>, taken: impl Fn(&Exchange) -> bool) -> &mut Exchange {
    if out.last().is_none_or(&taken) {
        let operation = out.last().and_then(|x| x.operation.clone());
        out.push(Exchange {
            operation,
            ..Exchange::default()
        });
    }
    out.last_mut().expect("just ensured non-empty")
}

/// Where the value of field `name` starts: `name=` at the start of the line
/// or after a space (the fmt layer separates fields with spaces).
fn field(line: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = line[from..].find(name) {
        let at = from + found;
        let end = at + name.len();
        if (at == 0 || line.as_bytes()[at - 1] == b' ') && line[end..].starts_with('=') {
            return Some(end + 1);
        }
        from = end;
    }
    None
}

fn operation(prefix: &str) -> Option<String> {
    OPERATION.captures(prefix).map(|c| c[1].to_string())
}

/// `(first line, last line, text)` of a block, as indices into the lines.
type Block = (usize, usize, String);

/// The canonical request starting at `lines[start][at..]`, read by its
/// structure (method, path, query, headers up to the blank line, signed
/// headers, payload hash), and the string to sign when the same record
/// carries it (`… <payload hash> string_to_sign=<4 lines>`). Returns the
/// index of the line after the record's value.
fn signing_blocks(
    lines: &[Cow<'_, str>],
    start: usize,
    at: usize,
) -> Option<(Block, Option<Block>, usize)> {
    let limit = lines.len().min(start + MAX_CANONICAL_LINES);
    let blank = (start + 3..limit).find(|&j| lines[j].is_empty())?;
    let last = blank + 2;
    if last >= limit || lines[start + 3..blank].iter().any(|l| !l.contains(':')) {
        return None;
    }
    // The payload hash has no spaces: anything after it is the next field.
    let (hash, rest) = lines[last].split_once(' ').unwrap_or((&lines[last], ""));
    let mut text = lines[start][at..].to_string();
    for line in &lines[start + 1..last] {
        text.push('\n');
        text.push_str(line);
    }
    text.push('\n');
    text.push_str(hash);
    let canonical = (start, last, text);
    let Some(first) = field(rest, "string_to_sign") else {
        return Some((canonical, None, last + 1));
    };
    // Algorithm, timestamp, scope, canonical-request hash.
    let end = last + 3;
    if end >= lines.len() {
        return Some((canonical, None, last + 1));
    }
    let hash = lines[end].split(' ').next().unwrap_or("");
    let text = format!(
        "{}\n{}\n{}\n{hash}",
        &rest[first..],
        lines[last + 1],
        lines[last + 2]
    );
    Some((canonical, Some((last, end, text)), end + 1))
}

/// The Rust string literal after `key` in `s` (the last occurrence when
/// `last`).
fn quoted_after(s: &str, key: &str, last: bool) -> Option<String> {
    let at = if last { s.rfind(key) } else { s.find(key) }? + key.len();
    pyrepr::string_literal(&s[at..]).ok().map(|(_, v)| v)
}

/// The header map after `headers: ` in a `Debug`-printed request or response.
fn headers(s: &str) -> Vec<(String, String)> {
    s.find("headers: {")
        .and_then(|at| pyrepr::dict(&s[at + "headers: ".len()..]).ok())
        .map(|(_, h)| h)
        .unwrap_or_default()
}

/// `Request { body: …, uri: Uri { as_string: "…", … }, method: POST, …, headers: {…} }`
fn request(s: &str) -> Option<HttpRequest> {
    let url = quoted_after(s, "as_string: ", false)?;
    let method_at = s.find(", method: ")? + ", method: ".len();
    let method = s[method_at..].split([',', ' ']).next()?.to_string();
    // Headers are the last field; the body, printed first, may contain anything.
    let headers = s
        .rfind("headers: {")
        .map(|at| headers(&s[at..]))
        .unwrap_or_default();
    Some(HttpRequest {
        method,
        url,
        headers,
        line: None,
    })
}

/// `Response { status: StatusCode(403), headers: {…}, body: SdkBody { inner: Once(Some(b"…")), … }, … }`:
/// logged when it arrives (no body yet), when its body was read, and inside
/// the error `main` prints. Each fills what the current attempt lacks.
fn response(s: &str, line: EvidenceLine, out: &mut Vec<Exchange>) {
    let digits = &s["Response { status: StatusCode(".len()..];
    let Some(status) = digits.split(')').next().and_then(|d| d.parse::<u16>().ok()) else {
        return;
    };
    let body = s.find("body: SdkBody { inner: Once(").and_then(|at| {
        let inner = &s[at + "body: SdkBody { inner: Once(".len()..];
        if inner.starts_with("None") {
            return Some(String::new());
        }
        let literal = inner.strip_prefix("Some(")?;
        pyrepr::string_literal(literal).ok().map(|(_, b)| b)
    });
    // The same status again is the same response (the error's copy).
    let x = attempt(out, |x| x.response.status.is_some_and(|s| s != status));
    if x.response.status.is_none() {
        x.response.status = Some(status);
        x.response.headers = headers(s);
        x.response.status_line = Some(line);
    }
    if x.response.body.is_none() {
        x.response.body = body.filter(|b| !b.trim().is_empty());
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A signing log; the pipeline's own tests (`analyze::tests`) read it too.
    pub(crate) const SIGNING: &str = "\
2026-11-26T23:12:13.220058Z TRACE STS.GetCallerIdentity{rpc.service=\"STS\" rpc.method=\"GetCallerIdentity\" sdk_invocation_id=1}:try_op:try_attempt{attempt=1}: aws_sigv4::http_request::sign: signing request request=SignableRequest { method: \"POST\", uri: http://127.0.0.1:9/, headers: [], body: Bytes(\"** REDACTED **. To print 43 bytes of raw data, set environment variable `LOG_SIGNABLE_BODY=true`\") } params=V4(SigningParams { identity: Identity { data: Credentials { provider_name: \"EnvironmentVariable\", access_key_id: \"AKIAEXAMPLEEXAMPLE12\", secret_access_key: \"** redacted **\", expires_after: \"never\" }, expiration: None, property_0: TypeErasedBox[!Clone]:FrozenLayer(Layer { name: \"IdentityResolutionFeatureIdTracking\", items: [] }) }, region: \"us-east-1\", name: \"sts\", time: SystemTime { tv_sec: 1795734733, tv_nsec: 0 }, settings: SigningSettings { session_token_name_override: None } })
2026-11-26T23:12:13.220370Z TRACE try_op:try_attempt{attempt=1}: aws_sigv4::http_request::sign: canonical_request=POST
/

content-type:application/x-www-form-urlencoded
host:127.0.0.1:9
x-amz-date:20261126T231213Z

content-type;host;x-amz-date
ab821ae955788b0e33ebd34c208442ccfc2d406e2edc5e7a39bd6458fbb4f843
2026-11-26T23:12:13.221023Z TRACE try_op:try_attempt{attempt=1}: aws_smithy_runtime::client::orchestrator: transmitting request request=Request { body: SdkBody { inner: BoxBody, retryable: true }, uri: Uri { as_string: \"http://127.0.0.1:9/\", parsed: H1(http://127.0.0.1:9/) }, method: POST, extensions: Extensions { extensions_02x: Extensions, extensions_1x: {} }, headers: {\"content-type\": \"application/x-www-form-urlencoded\", \"x-amz-date\": \"20261126T231213Z\", \"authorization\": ** redacted (length=221) **} }
2026-11-26T23:12:13.225436Z TRACE try_op:try_attempt{attempt=1}: aws_smithy_runtime::client::orchestrator: received response from service response=Response { status: StatusCode(403), headers: {\"date\": \"Thu, 26 Nov 2026 23:12:13 GMT\"}, body: SdkBody { inner: BoxBody, retryable: false }, extensions: Extensions { extensions_02x: Extensions, extensions_1x: {} } }
2026-11-26T23:12:13.226236Z TRACE try_op:try_attempt{attempt=1}:deserialization:deserialize_nonstreaming: aws_smithy_runtime::client::orchestrator::http: read HTTP response body response=Response { status: StatusCode(403), headers: {\"date\": \"Thu, 26 Nov 2026 23:12:13 GMT\"}, body: SdkBody { inner: Once(Some(b\"<ErrorResponse>\\n  <Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message></Error>\\n</ErrorResponse>\\n\")), retryable: true }, extensions: Extensions { extensions_02x: Extensions, extensions_1x: {} } }
Error: ServiceError(ServiceError { source: Unhandled(Unhandled { source: ErrorMetadata { code: Some(\"SignatureDoesNotMatch\"), message: Some(\"nope\"), extras: None }, meta: ErrorMetadata { code: Some(\"SignatureDoesNotMatch\"), message: Some(\"nope\"), extras: None } }), raw: Response { status: StatusCode(403), headers: {}, body: SdkBody { inner: Once(Some(b\"<ErrorResponse/>\")), retryable: true }, extensions: Extensions { extensions_02x: Extensions, extensions_1x: {} } } })
";

    #[test]
    fn records_of_one_attempt_become_one_exchange() {
        let x = exchanges(SIGNING, 1);
        assert_eq!(x.len(), 1, "{x:#?}");
        let x = &x[0];
        assert_eq!(x.operation.as_deref(), Some("GetCallerIdentity"));
        assert_eq!(x.signing_region.as_deref(), Some("us-east-1"));
        assert_eq!(x.signing_name.as_deref(), Some("sts"));
        let (key, line) = x.signing_key.as_ref().unwrap();
        assert_eq!((key.as_str(), line.line), ("AKIAEXAMPLEEXAMPLE12", 1));
        let cr = x.canonical_request.as_ref().unwrap();
        assert!(cr.text.starts_with("POST\n/\n\ncontent-type:"));
        assert!(cr.text.ends_with("\n\ncontent-type;host;x-amz-date\nab821ae955788b0e33ebd34c208442ccfc2d406e2edc5e7a39bd6458fbb4f843"));
        assert_eq!((cr.span.line, cr.span.end_line), (2, 10));
        assert!(
            x.string_to_sign.is_none(),
            "header signing logs no string to sign"
        );
        let r = x.request.as_ref().unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("POST", "http://127.0.0.1:9/")
        );
        assert_eq!(
            r.header("authorization"),
            Some("** redacted (length=221) **")
        );
        assert_eq!(r.line.as_ref().unwrap().line, 11);
        assert_eq!(x.response.status, Some(403));
        assert_eq!(x.response.status_line.as_ref().unwrap().line, 12);
        assert_eq!(
            x.response.header("date"),
            Some("Thu, 26 Nov 2026 23:12:13 GMT")
        );
        // The body read after the status, not the error's copy of it.
        assert!(
            x.response
                .body
                .as_deref()
                .unwrap()
                .starts_with("<ErrorResponse>\n  <Error><Code>SignatureDoesNotMatch")
        );
    }

    #[test]
    fn presigning_logs_the_string_to_sign_in_the_same_record() {
        let log = "\
TRACE aws_sigv4::http_request::sign: calculated signing parameters canonical_request=GET
/b/k
X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLEEXAMPLE12%2F20261126%2Fus-east-1%2Fs3%2Faws4_request
host:b.s3.amazonaws.com

host
UNSIGNED-PAYLOAD string_to_sign=AWS4-HMAC-SHA256
20261126T231213Z
20261126/us-east-1/s3/aws4_request
0f0e cafe=1
next line
";
        let x = exchanges(log, 1);
        assert_eq!(x.len(), 1);
        assert!(
            x[0].canonical_request
                .as_ref()
                .unwrap()
                .text
                .ends_with("\nhost\nUNSIGNED-PAYLOAD")
        );
        let sts = x[0].string_to_sign.as_ref().unwrap();
        assert_eq!(
            sts.text,
            "AWS4-HMAC-SHA256\n20261126T231213Z\n20261126/us-east-1/s3/aws4_request\n0f0e"
        );
        assert_eq!((sts.span.line, sts.span.end_line), (7, 10));
    }

    #[test]
    fn colours_and_missing_timestamps_change_nothing() {
        let coloured = SIGNING
            .replace("TRACE", "\x1b[35mTRACE\x1b[0m")
            .replace(
                "canonical_request=",
                "\x1b[3mcanonical_request\x1b[0m\x1b[2m=\x1b[0m",
            )
            .replace("2026-11-26T23:12:13.2", "\x1b[2m2026-11-26T23:12:13.2");
        let plain = exchanges(SIGNING, 1);
        let x = exchanges(&coloured, 1);
        assert_eq!(x.len(), 1);
        assert_eq!(
            x[0].canonical_request.as_ref().unwrap().text,
            plain[0].canonical_request.as_ref().unwrap().text
        );
        let untimed: String = SIGNING
            .lines()
            .map(|l| {
                l.split_once("Z TRACE ")
                    .map_or(l.to_string(), |(_, r)| format!("TRACE {r}"))
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(exchanges(&untimed, 1)[0].response.status, Some(403));
    }

    #[test]
    fn each_signing_starts_an_attempt() {
        let retried = SIGNING.replace("Error: ", "") + SIGNING.lines().next().unwrap();
        let x = exchanges(&retried, 1);
        assert_eq!(x.len(), 2);
        assert_eq!(x[1].operation.as_deref(), Some("GetCallerIdentity"));
        assert!(x[1].response.status.is_none());
    }

    #[test]
    fn the_printed_error_supplies_the_response_without_runtime_traces() {
        let log = SIGNING
            .lines()
            .filter(|l| !l.contains("aws_smithy_runtime"))
            .collect::<Vec<_>>()
            .join("\n");
        let x = exchanges(&log, 1);
        assert_eq!(x.len(), 1);
        assert_eq!(x[0].response.status, Some(403));
        assert_eq!(x[0].response.body.as_deref(), Some("<ErrorResponse/>"));
    }

    #[test]
    fn only_the_last_attempts_outcome_is_the_runs_failure() {
        let attempt = |n: usize, outcome: &str| {
            format!(
                "2026-11-27T01:14:24.1Z TRACE try_op:try_attempt{{attempt={n}}}: aws_smithy_runtime::client::orchestrator: output_or_error={outcome}\n"
            )
        };
        let failed = "Err(OrchestratorError { kind: Operation { err: Error(TypeErasedError:Unhandled(Unhandled { source: ErrorMetadata { code: Some(\"RequestTimeTooSkewed\"), message: None, extras: None } })) } })";
        let recovered = attempt(1, failed) + &attempt(2, "Ok(Output)");
        let mut errors = crate::recognise::scan(&recovered, 1);
        assert_eq!(errors.len(), 1);
        drop_retried_attempts(&mut errors, &recovered, 1);
        assert!(errors.is_empty(), "the retry succeeded");
        let gave_up = attempt(1, failed) + &attempt(2, failed);
        let mut errors = crate::recognise::scan(&gave_up, 1);
        drop_retried_attempts(&mut errors, &gave_up, 1);
        assert_eq!(
            errors.iter().map(|e| e.evidence.line).collect::<Vec<_>>(),
            [2]
        );
    }

    #[test]
    fn truncated_or_foreign_text_gives_nothing_and_never_panics() {
        assert!(exchanges("plain text\n", 1).is_empty());
        let cut = &SIGNING[..SIGNING.find("content-type;host").unwrap()];
        assert!(
            exchanges(cut, 1)
                .iter()
                .all(|x| x.canonical_request.is_none())
        );
        for end in (0..SIGNING.len())
            .filter(|&e| SIGNING.is_char_boundary(e))
            .step_by(7)
        {
            let _ = exchanges(&SIGNING[..end], 1);
        }
        assert!(exchanges("canonical_request=\n\n\n\n", 1).is_empty());
        assert!(exchanges("Response { status: StatusCode(9999999)", 1).is_empty());
    }
}
