//! Terraform's structured HTTP logs (`TF_LOG=DEBUG`): the AWS provider v5
//! and Terraform's own S3 backend.
//!
//! Both log every AWS call through hashicorp/aws-sdk-go-base, one hclog
//! event per request and per response (shared/reference/formats.md §3.6):
//!
//! ```text
//! 2023-11-10T10:17:36.587-0500 [DEBUG] provider.terraform-provider-aws_v5.17.0_x5: HTTP Request Sent: aws.service=STS http.method=POST http.url=https://sts.us-west-2.amazonaws.com/ http.request.header.x_amz_date=20231110T151736Z http.request.header.authorization="AWS4-HMAC-SHA256 Credential=ASIA************KT4B/20231110/us-west-2/sts/aws4_request, SignedHeaders=…, Signature=*****" …
//! 2023-10-19T13:58:05.675+0100 [DEBUG] backend-s3: HTTP Response Received: aws.operation=GetObject http.status_code=403 …
//!   http.response.body=
//!   | <?xml version="1.0" encoding="UTF-8"?>
//!   | <Error><Code>SignatureDoesNotMatch</Code>…
//!    http.duration=66 …
//! ```
//!
//! What makes it awkward, and why this parser is shaped the way it is:
//!
//! * The key order changes from line to line (the fields travel through a
//!   Go map between the provider and Terraform), so nothing may depend on
//!   position: every line is read into key/value pairs first.
//! * hclog writes a value bare, in Go quotes (`strconv.Quote`, with escapes)
//!   or — older releases — in quotes without escaping; a value holding a
//!   newline (every non-empty body: the logger appends one per line) is
//!   written on its own lines as `  key=` then `  | …` lines, and the
//!   remaining pairs continue on a line indented by three spaces
//!   (go-hclog `intlogger.go`, seen in hashicorp/terraform#34136).
//! * Header names are lower case with `_` for `-`
//!   (`http.request.header.x_amz_date`); `Host`, `Content-Length` and
//!   `User-Agent` are not headers in the log but separate fields.
//! * The access key id is masked to its first and last four characters,
//!   the signature and the session token to `*****` (aws-sdk-go-base
//!   `logging/http.go`). The masks are kept as they are: the fact stage
//!   recognises them, uses what is left (scope, dates, signed headers, the
//!   key's prefix) and says what it could not check.
//!
//! Requests and responses become the same [`Exchange`]s the other parsers
//! produce, so the SigV4 and error-body analysis applies unchanged.
//!
//! Length: about 490 lines of parser and 190 of tests that quote the real
//! line shapes they read; one format, one file.

use std::borrow::Cow;

use crate::model::{EvidenceLine, Exchange, HttpRequest, HttpResponse};

const REQUEST: &str = "HTTP Request Sent:";
const RESPONSE: &str = "HTTP Response Received:";

/// Exchanges found in `text` (whose first line is `first_line`), in order.
pub fn exchanges(text: &str, first_line: usize) -> Vec<Exchange> {
    if !text.contains(REQUEST) && !text.contains(RESPONSE) {
        return Vec::new();
    }
    let mut out: Vec<Exchange> = Vec::new();
    // Each exchange's call identity (see `PAIRING_KEYS`), kept beside it.
    let mut calls: Vec<Call> = Vec::new();
    for event in events(text, first_line) {
        match event.kind {
            Kind::Request => {
                out.push(request_exchange(&event));
                calls.push(call(&event));
            }
            Kind::Response => attach_response(&mut out, &mut calls, &event),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Request,
    Response,
}

/// One hclog event: its first line (the evidence) and all its pairs,
/// continuation lines included.
#[derive(Debug)]
struct Event<'a> {
    kind: Kind,
    line: usize,
    head: &'a str,
    fields: Vec<(&'a str, Cow<'a, str>)>,
}

impl Event<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_ref())
    }

    /// The first of `keys` present: the provider's OpenTelemetry names
    /// changed between releases (`aws.service` / `rpc.service`).
    fn any(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// Fields under `prefix`, with the prefix removed.
    fn under<'s>(&'s self, prefix: &'s str) -> impl Iterator<Item = (&'s str, &'s str)> + 's {
        self.fields
            .iter()
            .filter_map(move |(k, v)| Some((k.strip_prefix(prefix)?, v.as_ref())))
    }
}

/// The request and response events of `text`, each with the lines that
/// continue it.
fn events(text: &str, first_line: usize) -> Vec<Event<'_>> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((kind, pairs)) = head(lines[i]) else {
            i += 1;
            continue;
        };
        let mut event = Event {
            kind,
            line: first_line + i,
            head: lines[i],
            fields: fields(pairs),
        };
        i = continuation(&lines, i + 1, &mut event.fields);
        out.push(event);
    }
    out
}

/// `… HTTP Request Sent: k=v …` → the kind and the pairs after the message.
fn head(line: &str) -> Option<(Kind, &str)> {
    // The message follows the logger name (`provider.…: `, `backend-s3: `).
    let at_message = |i: usize| i == 0 || line[..i].ends_with(": ") || line[..i].ends_with("] ");
    if let Some(i) = line.find(REQUEST).filter(|i| at_message(*i)) {
        return Some((Kind::Request, &line[i + REQUEST.len()..]));
    }
    line.find(RESPONSE)
        .filter(|i| at_message(*i))
        .map(|i| (Kind::Response, &line[i + RESPONSE.len()..]))
}

/// Reads hclog's continuation lines from `from` on: multi-line values
/// (`  key=` then `  | text` lines) and the pairs after them (a line
/// indented by three spaces). Returns the index of the first line that is
/// not part of the event.
fn continuation<'a>(
    lines: &[&'a str],
    from: usize,
    fields: &mut Vec<(&'a str, Cow<'a, str>)>,
) -> usize {
    let mut i = from;
    // The key whose `  | ` lines are being read, and its text so far.
    let mut open: Option<(&'a str, String)> = None;
    let mut after_block = false;
    let close = |open: &mut Option<(&'a str, String)>, fields: &mut Vec<_>| {
        if let Some((key, text)) = open.take() {
            fields.push((key, Cow::Owned(text)));
        }
    };
    while let Some(line) = lines.get(i) {
        if let Some(text) = line.strip_prefix("  |") {
            let Some((_, value)) = open.as_mut() else {
                break;
            };
            if !value.is_empty() {
                value.push('\n');
            }
            value.push_str(text.strip_prefix(' ').unwrap_or(text));
        } else if let Some(key) = multiline_key(line) {
            close(&mut open, fields);
            open = Some((key, String::new()));
            after_block = true;
        } else if after_block && line.starts_with("   ") {
            close(&mut open, fields);
            fields.extend(self::fields(line));
        } else if after_block && !line.is_empty() && line.trim().is_empty() {
            // hclog's two spaces after a block that ends the event.
            close(&mut open, fields);
        } else {
            break;
        }
        i += 1;
    }
    close(&mut open, fields);
    i
}

/// `  http.response.body=`: a key whose value follows on `  | ` lines.
fn multiline_key(line: &str) -> Option<&str> {
    let key = line.strip_prefix("  ")?.strip_suffix('=')?;
    (!key.is_empty() && key.bytes().all(is_key_byte)).then_some(key)
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'@' | b'/')
}

/// hclog's `key=value` pairs, in the order written. Bare words and broken
/// quoting are skipped or taken as far as they go, never an error: a log
/// line is evidence, not input to validate.
pub(crate) fn fields(s: &str) -> Vec<(&str, Cow<'_, str>)> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return out;
        }
        let key_len = rest.bytes().take_while(|b| is_key_byte(*b)).count();
        if key_len == 0 || rest.as_bytes().get(key_len) != Some(&b'=') {
            // Not a pair (a stray word): skip it.
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            // `rest` starts with no whitespace, so `end > 0`.
            rest = &rest[end..];
            continue;
        }
        let key = &rest[..key_len];
        let value = &rest[key_len + 1..];
        let (decoded, after) = match value.as_bytes().first() {
            Some(b'"') => quoted(value),
            Some(b'[') => match closing(value, 1, b']') {
                Some(end) => (Cow::Borrowed(&value[..=end]), &value[end + 1..]),
                None => bare(value),
            },
            _ => bare(value),
        };
        out.push((key, decoded));
        rest = after;
    }
}

/// A bare value: up to the next whitespace.
fn bare(s: &str) -> (Cow<'_, str>, &str) {
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (Cow::Borrowed(&s[..end]), &s[end..])
}

/// Where `s` may start a new pair: the end, or whitespace then `key=`.
fn at_pair_boundary(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    if !s.starts_with(char::is_whitespace) {
        return false;
    }
    let s = s.trim_start();
    let key_len = s.bytes().take_while(|b| is_key_byte(*b)).count();
    s.is_empty() || (key_len > 0 && s.as_bytes().get(key_len) == Some(&b'='))
}

/// The index of the `close` byte that ends a value opened at `s[0]`,
/// searching from `from`: the first one, outside a backslash escape, that
/// is followed by the end or by the next pair. Old hclog quoted without
/// escaping, so an inner quote alone does not end the value.
fn closing(s: &str, from: usize, close: u8) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == close && at_pair_boundary(&s[i + 1..]) => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// A quoted value starting at `s[0] == '"'`: its text and what follows.
/// Go escapes are decoded unless the content shows it was not escaped at
/// all (an unescaped inner quote: older hclog). Unterminated: the rest.
fn quoted(s: &str) -> (Cow<'_, str>, &str) {
    let Some(end) = closing(s, 1, b'"') else {
        return (Cow::Borrowed(&s[1..]), "");
    };
    let content = &s[1..end];
    let after = &s[end + 1..];
    if !content.contains('\\') || has_unescaped_quote(content) {
        return (Cow::Borrowed(content), after);
    }
    (Cow::Owned(unescape_go(content)), after)
}

fn has_unescaped_quote(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return true,
            _ => i += 1,
        }
    }
    false
}

/// Decodes the escapes of a Go quoted string (`strconv.Quote`). An unknown
/// or truncated escape is kept as written.
fn unescape_go(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let simple = match e {
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            '\\' | '"' | '\'' => Some(e),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            continue;
        }
        let digits = match e {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => 0,
        };
        let hex: String = (0..digits)
            .map_while(|_| chars.next_if(char::is_ascii_hexdigit))
            .collect();
        match u32::from_str_radix(&hex, 16)
            .ok()
            .filter(|_| hex.len() == digits && digits > 0)
        {
            // `\xHH` is a byte; only ASCII ones stand for themselves.
            Some(v) if e == 'x' && v >= 0x80 => out.push(char::REPLACEMENT_CHARACTER),
            Some(v) => out.push(char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER)),
            None => {
                out.push('\\');
                out.push(e);
                out.push_str(&hex);
            }
        }
    }
    out
}

/// `x_amz_date` → `X-Amz-Date`: the Go-canonical form the SDK sent (the
/// logger lower-cased it and replaced `-` with `_`).
fn header_name(logged: &str) -> String {
    logged
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn evidence(event: &Event<'_>) -> EvidenceLine {
    EvidenceLine {
        line: event.line,
        text: event.head.into(),
    }
}

fn request_exchange(event: &Event<'_>) -> Exchange {
    let mut headers: Vec<(String, String)> = event
        .under("http.request.header.")
        .map(|(name, value)| (header_name(name), value.to_string()))
        .collect();
    // The logger drops Content-Length from the headers and logs it as a
    // field; Go SDK v2 signs it, so the rebuilt request needs it back.
    if let Some(length) = event.get("http.request_content_length")
        && !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        headers.push(("Content-Length".into(), length.into()));
    }
    let url = event
        .get("http.url")
        .map(str::to_string)
        .or_else(|| {
            event
                .get("net.peer.name")
                .map(|host| format!("https://{host}/"))
        })
        .unwrap_or_default();
    Exchange {
        operation: event
            .any(&["aws.operation", "rpc.method"])
            .map(str::to_string),
        signing_region: signing_region(event),
        request: Some(HttpRequest {
            method: event.get("http.method").unwrap_or_default().to_string(),
            url,
            headers,
            line: Some(evidence(event)),
        }),
        ..Exchange::default()
    }
}

/// The logger names the signing region only when it differs from the
/// client's region (`aws.signing_region`, `tf_aws.signing_region`); an
/// empty one means the call was not SigV4-signed (SSO's bearer token).
fn signing_region(event: &Event<'_>) -> Option<String> {
    match event.any(&["aws.signing_region", "tf_aws.signing_region"]) {
        Some("") => None,
        Some(region) => Some(region.to_string()),
        None => event.get("aws.region").map(str::to_string),
    }
}

/// What ties a response to its request: the fields both lines carry.
const PAIRING_KEYS: [&[&str]; 4] = [
    &["aws.service", "rpc.service"],
    &["aws.operation", "rpc.method"],
    &["tf_req_id"],
    &["tf_backend.req_id"],
];

/// The values of [`PAIRING_KEYS`] an event carries.
type Call = [Option<String>; 4];

fn call(event: &Event<'_>) -> Call {
    PAIRING_KEYS.map(|keys| event.any(keys).map(str::to_string))
}

/// A response belongs to the latest unanswered request of the same call;
/// Terraform runs calls concurrently, so that is not always the last one.
fn attach_response(out: &mut Vec<Exchange>, calls: &mut Vec<Call>, event: &Event<'_>) {
    let response = HttpResponse {
        status: event.get("http.status_code").and_then(|s| s.parse().ok()),
        headers: event
            .under("http.response.header.")
            .map(|(name, value)| (header_name(name), value.to_string()))
            .collect(),
        // The logger ends every body line with a newline, the last included.
        body: event
            .get("http.response.body")
            .map(|b| b.strip_suffix('\n').unwrap_or(b).to_string())
            .filter(|b| !b.trim().is_empty()),
        status_line: Some(evidence(event)),
    };
    let mine = call(event);
    // A key only one side carries says nothing either way.
    let same_call = |other: &Call| {
        mine.iter().zip(other).all(|pair| match pair {
            (Some(a), Some(b)) => a == b,
            _ => true,
        })
    };
    let unanswered = |x: &Exchange| x.response.status_line.is_none();
    let target = (0..out.len())
        .rev()
        .find(|&i| unanswered(&out[i]) && same_call(&calls[i]))
        .or_else(|| out.iter().rposition(unanswered));
    let operation = event
        .any(&["aws.operation", "rpc.method"])
        .map(str::to_string);
    match target {
        Some(i) => {
            out[i].response = response;
            if out[i].operation.is_none() {
                out[i].operation = operation;
            }
        }
        None => {
            out.push(Exchange {
                operation,
                signing_region: signing_region(event),
                response,
                ..Exchange::default()
            });
            calls.push(mine);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &str) -> Vec<(String, String)> {
        fields(s)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_owned()))
            .collect()
    }

    #[test]
    fn bare_quoted_escaped_and_empty_values() {
        let got = pairs(
            r#" http.method=POST http.response.header.etag="\"e005e0206157a4ee\"" http.response.header.date="Thu, 19 Oct 2023 12:58:06 GMT" tf_aws.signing_region= http.response.body="" k="a\nb\tc\\d\u00e9\x41""#,
        );
        assert_eq!(
            got,
            [
                ("http.method", "POST"),
                ("http.response.header.etag", "\"e005e0206157a4ee\""),
                ("http.response.header.date", "Thu, 19 Oct 2023 12:58:06 GMT"),
                ("tf_aws.signing_region", ""),
                ("http.response.body", ""),
                ("k", "a\nb\tc\\déA"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }

    #[test]
    fn old_hclog_quotes_without_escaping() {
        // terraform-provider-aws#37349: a JSON body in quotes, inner quotes
        // as they were; a slice rendered bare with a space inside.
        let got = pairs(
            r#"http.response.body="{"a": "b c"}" http.response.header.access_control_expose_headers=[RequestId, x-amzn-RequestId] tf_mux_provider=*schema.GRPCProviderServer"#,
        );
        assert_eq!(got[0].1, r#"{"a": "b c"}"#);
        assert_eq!(got[1].1, "[RequestId, x-amzn-RequestId]");
        assert_eq!(got[2].1, "*schema.GRPCProviderServer");
    }

    #[test]
    fn broken_input_never_panics() {
        for s in [
            "",
            "=",
            "k=",
            "k=\"",
            "k=\"\\",
            "k=\"\\u12",
            "k=[",
            "=v",
            "k=\"x\\\"",
            "ü=ü",
            "k=\"é\\xff\"",
            "  |",
            "a b c",
            "k=\"a\" b\"",
            "\\",
        ] {
            let _ = fields(s);
            let _ = exchanges(
                &format!("x: HTTP Request Sent: {s}\n  {s}=\n  | {s}\n   {s}"),
                1,
            );
        }
        assert_eq!(pairs("k=\"unterminated v")[0].1, "unterminated v");
        assert_eq!(pairs("word k=v")[0], ("k".into(), "v".into()));
    }

    const REQUEST_LINE: &str = r#"2023-11-10T10:17:36.587-0500 [DEBUG] provider.terraform-provider-aws_v5.17.0_x5: HTTP Request Sent: aws.sdk=aws-sdk-go-v2 http.method=POST http.request.header.x_amz_security_token="*****" net.peer.name=sts.us-west-2.amazonaws.com aws.service=STS http.request_content_length=43 http.url=https://sts.us-west-2.amazonaws.com/ tf_req_id=7d4e9a3b-ceca-e8ca-d7bb-685ce874a9a8 http.request.header.x_amz_date=20231110T151736Z http.request.header.authorization="AWS4-HMAC-SHA256 Credential=ASIA************KT4B/20231110/us-west-2/sts/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-security-token, Signature=*****" aws.operation=GetCallerIdentity aws.region=us-west-2 @module=aws"#;

    #[test]
    fn request_line_becomes_a_request() {
        let x = exchanges(REQUEST_LINE, 7);
        assert_eq!(x.len(), 1);
        let x = &x[0];
        assert_eq!(x.operation.as_deref(), Some("GetCallerIdentity"));
        assert_eq!(x.signing_region.as_deref(), Some("us-west-2"));
        let r = x.request.as_ref().unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "https://sts.us-west-2.amazonaws.com/");
        assert_eq!(r.header("X-Amz-Date"), Some("20231110T151736Z"));
        assert_eq!(r.header("X-Amz-Security-Token"), Some("*****"));
        assert_eq!(r.header("Content-Length"), Some("43"));
        assert!(r.header("Authorization").unwrap().starts_with(
            "AWS4-HMAC-SHA256 Credential=ASIA************KT4B/20231110/us-west-2/sts/"
        ));
        assert_eq!(r.headers[0].0, "X-Amz-Security-Token", "canonical names");
        assert_eq!(r.line.as_ref().unwrap().line, 7);
        assert_eq!(x.response.status, None);
    }

    #[test]
    fn key_order_does_not_matter() {
        let (prefix, rest) = REQUEST_LINE.split_once("HTTP Request Sent: ").unwrap();
        let mut words: Vec<&str> = fields(rest)
            .iter()
            .map(|(k, _)| {
                let start = rest.find(&format!("{k}=")).unwrap();
                let (_, after) = match rest.as_bytes()[start + k.len() + 1] {
                    b'"' => quoted(&rest[start + k.len() + 1..]),
                    _ => bare(&rest[start + k.len() + 1..]),
                };
                &rest[start..rest.len() - after.len()]
            })
            .collect();
        words.reverse();
        let reversed = format!("{prefix}HTTP Request Sent: {}", words.join(" "));
        let (a, b) = (&exchanges(REQUEST_LINE, 1)[0], &exchanges(&reversed, 1)[0]);
        let (ra, rb) = (a.request.as_ref().unwrap(), b.request.as_ref().unwrap());
        assert_eq!((&ra.method, &ra.url), (&rb.method, &rb.url));
        for name in [
            "Authorization",
            "X-Amz-Date",
            "X-Amz-Security-Token",
            "Content-Length",
        ] {
            assert_eq!(ra.header(name), rb.header(name), "{name}");
        }
        assert_eq!(a.operation, b.operation);
    }

    #[test]
    fn missing_keys_leave_fields_empty() {
        let x = &exchanges("backend-s3: HTTP Request Sent: aws.region=eu-west-1", 1)[0];
        let r = x.request.as_ref().unwrap();
        assert_eq!((r.method.as_str(), r.url.as_str()), ("", ""));
        assert!(r.headers.is_empty());
        assert_eq!(x.operation, None);
        assert_eq!(x.signing_region.as_deref(), Some("eu-west-1"));
        // A response with no status and no body.
        let x = &exchanges("backend-s3: HTTP Response Received: http.duration=3", 1)[0];
        assert_eq!(
            (x.response.status, x.response.body.as_deref()),
            (None, None)
        );
        assert!(x.request.is_none());
    }

    #[test]
    fn multi_line_body_and_pairs_after_it() {
        // hclog's layout for a value with newlines (hashicorp/terraform#34136).
        let log = "\
2023-10-19T13:58:05.675+0100 [DEBUG] backend-s3: HTTP Request Sent: aws.operation=GetObject aws.region=eu-west-1 aws.service=S3 tf_backend.req_id=63c4 http.method=GET http.url=https://b.s3.eu-west-1.amazonaws.com/terraform.tfstate?x-id=GetObject
2023-10-19T13:58:05.741+0100 [DEBUG] backend-s3: HTTP Response Received: aws.operation=GetObject aws.region=eu-west-1 aws.service=S3 tf_backend.req_id=63c4 http.status_code=403
  http.response.body=
  | <?xml version=\"1.0\" encoding=\"UTF-8\"?>
  | <Error><Code>SignatureDoesNotMatch</Code><CanonicalRequest>GET
  | /terraform.tfstate
  |
  | host;x-amz-date</CanonicalRequest></Error>
   http.response.header.date=\"Thu, 19 Oct 2023 12:58:06 GMT\" http.duration=66
  
2023-10-19T13:58:05.742+0100 [DEBUG] backend-s3: something else: k=v
";
        let x = exchanges(log, 10);
        assert_eq!(x.len(), 1, "{x:?}");
        let r = &x[0].response;
        assert_eq!(r.status, Some(403));
        assert_eq!(r.header("Date"), Some("Thu, 19 Oct 2023 12:58:06 GMT"));
        assert_eq!(
            r.body.as_deref(),
            Some(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><CanonicalRequest>GET\n/terraform.tfstate\n\nhost;x-amz-date</CanonicalRequest></Error>"
            )
        );
        assert_eq!(r.status_line.as_ref().unwrap().line, 11);
        assert_eq!(x[0].operation.as_deref(), Some("GetObject"));
    }

    #[test]
    fn responses_find_their_request_when_calls_interleave() {
        let log = "\
p: HTTP Request Sent: aws.service=STS aws.operation=GetCallerIdentity tf_req_id=1 http.method=POST http.url=https://sts.amazonaws.com/
p: HTTP Request Sent: aws.service=S3 aws.operation=ListBuckets tf_req_id=2 http.method=GET http.url=https://s3.amazonaws.com/
p: HTTP Response Received: aws.operation=GetCallerIdentity tf_req_id=1 aws.service=STS http.status_code=403
p: HTTP Response Received: tf_req_id=2 aws.service=S3 aws.operation=ListBuckets http.status_code=200
";
        let x = exchanges(log, 1);
        assert_eq!(x.len(), 2);
        assert_eq!(x[0].response.status, Some(403));
        assert_eq!(x[1].response.status, Some(200));
    }

    #[test]
    fn other_lines_are_not_events() {
        assert!(exchanges("plain text\n", 1).is_empty());
        // The phrase inside another message is not the logger's event.
        assert!(exchanges("we saw HTTP Request Sent: in a log\n", 1).is_empty());
        assert_eq!(header_name("x_amz_date"), "X-Amz-Date");
        assert_eq!(header_name("authorization"), "Authorization");
    }
}
