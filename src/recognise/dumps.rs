//! Raw HTTP dumps (curl `-v`, Go's `httputil` dumps that rclone and others
//! print, wire logs): a refused response is a failure even with no words.
//! S3 answers `HEAD` with a status and no body, so a dump of a refused
//! `HEAD` holds nothing but `HTTP/1.1 403 Forbidden`; what makes it an AWS
//! failure is the request it answers, sent to an AWS endpoint. Read only
//! when nothing else in a text was recognised, like a stack trace.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{ErrorEvent, ErrorKind, EvidenceLine};

use super::trim_cr;

/// An AWS endpoint the dump's request went to: a `Host:` header or a URL.
static AWS_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\bhost:\s*|https?://)((?:[a-z0-9-]+\.)*amazonaws\.com(?:\.cn)?)\b")
        .expect("valid regex")
});

/// A response status line, as dumps print it (alone, after curl's `< `,
/// or quoted in a wire log).
static STATUS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[<"\s])HTTP/[12](?:\.[01])? ([45][0-9]{2})(?: ([A-Za-z][A-Za-z -]*))?"#)
        .expect("valid regex")
});

/// The first refused response in `text` that answers a request to an AWS
/// endpoint named before it. A 403 carries S3's bodiless code for it,
/// `Forbidden` (what the SDKs report for a refused `HEAD`); any other
/// status is a failure nobody named.
pub fn failure(text: &str, first_line: usize) -> Option<ErrorEvent> {
    if !text.contains("HTTP/") || !text.contains("amazonaws.com") {
        return None;
    }
    let mut host: Option<String> = None;
    for (i, line) in text.split('\n').map(trim_cr).enumerate() {
        if let Some(caps) = AWS_HOST.captures(line) {
            host = Some(caps[1].to_string());
        }
        let Some(caps) = STATUS_LINE.captures(line) else {
            continue;
        };
        let Some(host) = &host else { continue };
        let status: u16 = caps[1].parse().ok()?;
        let reason = caps.get(2).map_or("", |m| m.as_str().trim());
        let code = (status == 403).then(|| "Forbidden".to_string());
        return Some(ErrorEvent {
            kind: if code.is_some() {
                ErrorKind::ServiceError
            } else {
                ErrorKind::Unrecognised
            },
            code,
            code_inferred: false,
            operation: None,
            message: format!("{status} {reason}").trim().to_string(),
            detail: Some(host.clone()),
            status: Some(status),
            service: None,
            tool: Some("http"),
            consequence: false,
            evidence: EvidenceLine {
                line: first_line + i,
                text: line.into(),
            },
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_head_to_s3_is_forbidden() {
        // The layout of Go's httputil dumps (rclone --dump-headers).
        let text = "DEBUG : HEAD /bucket/key HTTP/1.1\nHost: s3.amazonaws.com\nUser-Agent: x\n\nDEBUG : HTTP RESPONSE\nDEBUG : HTTP/1.1 403 Forbidden\n";
        let event = failure(text, 10).unwrap();
        assert_eq!(event.code.as_deref(), Some("Forbidden"));
        assert_eq!((event.status, event.evidence.line), (Some(403), 15));
        assert_eq!(event.detail.as_deref(), Some("s3.amazonaws.com"));
    }

    #[test]
    fn curl_and_other_statuses() {
        let text = "> GET / HTTP/1.1\n> Host: sts.amazonaws.com\n>\n< HTTP/1.1 400 Bad Request\n";
        let event = failure(text, 1).unwrap();
        assert_eq!((event.kind, event.code), (ErrorKind::Unrecognised, None));
        assert_eq!(event.message, "400 Bad Request");
    }

    #[test]
    fn only_refusals_of_aws_requests() {
        // Success, a refusal with no AWS request before it, no status.
        assert!(failure("Host: s3.amazonaws.com\nHTTP/1.1 200 OK", 1).is_none());
        assert!(failure("HTTP/1.1 403 Forbidden\nthen https://s3.amazonaws.com/x", 1).is_none());
        assert!(failure("Host: example.com\nHTTP/1.1 403 Forbidden", 1).is_none());
    }
}
