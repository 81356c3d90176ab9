//! aws-sdk-go (v1) and aws-sdk-go-v2 debug logs that show signing.
//!
//! With `LogSigning` (v2 `ClientLogMode`, v1 `LogDebugWithSigning`) the SDK
//! logs the canonical request and string to sign between fixed markers; with
//! request/response logging it dumps the HTTP messages as Go's `httputil`
//! writes them (CRLF line ends, Go-canonical header names). Both become the
//! same [`Exchange`]s botocore logs produce, so the SigV4 analysis applies.
//! Shapes: shared/reference/formats.md §3.1–3.2 (from the SDKs' source).
//!
//! ```text
//! SDK 2024/05/01 12:00:00 DEBUG Request Signature:
//! ---[ CANONICAL STRING  ]-----------------------------
//! …
//! ---[ STRING TO SIGN ]--------------------------------
//! …
//! -----------------------------------------------------
//! SDK 2024/05/01 12:00:00 DEBUG Request
//! POST / HTTP/1.1
//! Host: sts.us-east-1.amazonaws.com
//! …
//! ```

use crate::model::{EvidenceLine, Exchange, HttpRequest, Logged, Span};

const CANONICAL_MARK: &str = "---[ CANONICAL STRING  ]---";
const STS_MARK: &str = "---[ STRING TO SIGN ]---";
const END_MARK: &str = "-----------------------------------------------------";

/// Exchanges found in `text` (whose first line is `first_line`), in order.
pub fn exchanges(text: &str, first_line: usize) -> Vec<Exchange> {
    if !text.contains("Request Signature") && !text.contains(" DEBUG Request") {
        return Vec::new();
    }
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let mut out: Vec<Exchange> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let number = first_line + i;
        if is_marker_line(line, "Request Signature:") || is_marker_line(line, "Request Signiture:")
        {
            let (exchange, next) = signing_block(&lines, i + 1, first_line);
            out.push(exchange);
            i = next;
            continue;
        }
        if is_marker_line(line, "Request") && lines.get(i + 1).is_some_and(|l| is_request_line(l)) {
            let (request, next) = request_dump(&lines, i + 1, number);
            // The dump follows the signing block of the same attempt.
            match out.last_mut() {
                Some(x) if x.request.is_none() => x.request = Some(request),
                _ => out.push(Exchange {
                    request: Some(request),
                    ..Exchange::default()
                }),
            }
            i = next;
            continue;
        }
        if is_marker_line(line, "Response")
            && lines.get(i + 1).is_some_and(|l| l.starts_with("HTTP/"))
        {
            let next = response_dump(&lines, i + 1, first_line, out.last_mut());
            i = next;
            continue;
        }
        i += 1;
    }
    out
}

/// `… DEBUG Request Signature:` / `… DEBUG: Request Signature:`: the SDK's
/// message at the end of a logger-prefixed line.
fn is_marker_line(line: &str, message: &str) -> bool {
    line.ends_with(message)
        && (line.ends_with(&format!("DEBUG {message}"))
            || line.ends_with(&format!("DEBUG: {message}")))
}

fn is_request_line(line: &str) -> bool {
    let mut parts = line.split(' ');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(m), Some(_), Some(v)) if m.bytes().all(|b| b.is_ascii_uppercase()) && v.starts_with("HTTP/")
    )
}

fn signing_block(lines: &[&str], from: usize, first_line: usize) -> (Exchange, usize) {
    let mut exchange = Exchange::default();
    let mut i = from;
    let mut section: Option<(bool, usize)> = None; // (is canonical, start index)
    let close = |exchange: &mut Exchange, section: Option<(bool, usize)>, end: usize| {
        if let Some((canonical, start)) = section {
            let logged = Logged {
                text: lines[start..end].join("\n"),
                span: Span {
                    line: first_line + start,
                    end_line: first_line + end.saturating_sub(1),
                },
            };
            if canonical {
                exchange.canonical_request = Some(logged);
            } else {
                exchange.string_to_sign = Some(logged);
            }
        }
    };
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with(CANONICAL_MARK) {
            close(&mut exchange, section, i);
            section = Some((true, i + 1));
        } else if line.starts_with(STS_MARK) {
            close(&mut exchange, section, i);
            section = Some((false, i + 1));
        } else if line == END_MARK || (section.is_none() && i > from) {
            close(&mut exchange, section, i);
            return (exchange, i + 1);
        }
        i += 1;
    }
    close(&mut exchange, section, i);
    (exchange, i)
}

/// `Name: value` lines from `from` up to the blank line; returns the headers
/// and the index of the blank line.
fn header_block(lines: &[&str], from: usize) -> (Vec<(String, String)>, usize) {
    let mut headers = Vec::new();
    let mut i = from;
    while i < lines.len() && !lines[i].is_empty() {
        if let Some((name, value)) = lines[i].split_once(": ") {
            headers.push((name.to_string(), value.to_string()));
        }
        i += 1;
    }
    (headers, i)
}

/// `POST /path HTTP/1.1` then `Name: value` lines up to the blank line.
fn request_dump(lines: &[&str], from: usize, marker_line: usize) -> (HttpRequest, usize) {
    let mut parts = lines[from].split(' ');
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let (headers, i) = header_block(lines, from + 1);
    let host = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map_or(String::new(), |(_, v)| v.clone());
    // The dump shows the path; the scheme is not printed (Go SDKs use HTTPS
    // unless an endpoint says otherwise).
    let url = if target.starts_with("http") {
        target
    } else {
        format!("https://{host}{target}")
    };
    let request = HttpRequest {
        method,
        url,
        headers,
        line: Some(EvidenceLine {
            line: marker_line,
            text: lines[from].into(),
        }),
    };
    (request, i)
}

/// `HTTP/1.1 403 Forbidden`, headers, blank line, body (to the next SDK line).
fn response_dump(
    lines: &[&str],
    from: usize,
    first_line: usize,
    exchange: Option<&mut Exchange>,
) -> usize {
    let status: Option<u16> = lines[from].split(' ').nth(1).and_then(|s| s.parse().ok());
    let (headers, i) = header_block(lines, from + 1);
    let body_start = i + 1;
    let mut end = body_start;
    while end < lines.len() && !lines[end].starts_with("SDK ") && !is_go_log_prefix(lines[end]) {
        end += 1;
    }
    if let Some(x) = exchange {
        x.response.status = status;
        x.response.headers = headers;
        let body = lines
            .get(body_start..end)
            .map(|b| b.join("\n"))
            .unwrap_or_default();
        x.response.body = Some(body.trim().to_string()).filter(|b| !b.is_empty());
        x.response.status_line = Some(EvidenceLine {
            line: first_line + from,
            text: lines[from].into(),
        });
    }
    end
}

/// `2019/12/16 21:46:34 ` — the std `log` prefix aws-sdk-go v1 uses.
fn is_go_log_prefix(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 20 && b[4] == b'/' && b[7] == b'/' && b[10] == b' ' && b[13] == b':'
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A signing log; the pipeline's own tests (`analyze::tests`) read it too.
    pub(crate) const V2: &str = "SDK 2024/05/01 12:00:00 DEBUG Request Signature:\n\
---[ CANONICAL STRING  ]-----------------------------\n\
POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:sts.us-east-1.amazonaws.com\nx-amz-date:20240501T120000Z\n\ncontent-type;host;x-amz-date\nab82\n\
---[ STRING TO SIGN ]--------------------------------\n\
AWS4-HMAC-SHA256\n20240501T120000Z\n20240501/us-east-1/sts/aws4_request\ncafe\n\
-----------------------------------------------------\n\
SDK 2024/05/01 12:00:00 DEBUG Request\n\
POST / HTTP/1.1\r\nHost: sts.us-east-1.amazonaws.com\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE12/20240501/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00\r\nX-Amz-Date: 20240501T120000Z\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15\n\
SDK 2024/05/01 12:00:01 DEBUG Response\n\
HTTP/1.1 403 Forbidden\r\nDate: Wed, 01 May 2024 12:00:01 GMT\r\n\r\n<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message></Error></ErrorResponse>\n";

    #[test]
    fn signing_block_and_dumps_become_one_exchange() {
        let x = exchanges(V2, 1);
        assert_eq!(x.len(), 1);
        let x = &x[0];
        let cr = x.canonical_request.as_ref().unwrap();
        assert!(cr.text.starts_with("POST\n/\n\ncontent-type:"));
        assert!(cr.text.ends_with("content-type;host;x-amz-date\nab82"));
        assert_eq!(cr.span.line, 3);
        assert_eq!(
            x.string_to_sign.as_ref().unwrap().text.lines().nth(2),
            Some("20240501/us-east-1/sts/aws4_request")
        );
        let r = x.request.as_ref().unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("POST", "https://sts.us-east-1.amazonaws.com/")
        );
        assert!(
            r.header("authorization")
                .unwrap()
                .contains("Credential=AKIAEXAMPLEEXAMPLE12/")
        );
        assert_eq!(x.response.status, Some(403));
        assert!(
            x.response
                .body
                .as_deref()
                .unwrap()
                .contains("SignatureDoesNotMatch")
        );
    }

    #[test]
    fn v1_prefix_and_typo_are_accepted() {
        let v1 = V2.replace(
            "SDK 2024/05/01 12:00:00 DEBUG Request Signature:",
            "2019/12/16 21:46:34 DEBUG: Request Signiture:",
        );
        assert!(exchanges(&v1, 1)[0].canonical_request.is_some());
    }

    #[test]
    fn other_text_has_no_exchanges() {
        assert!(exchanges("DEBUG Request\nnot a request line\n", 1).is_empty());
        assert!(exchanges("plain text\n", 1).is_empty());
    }
}
