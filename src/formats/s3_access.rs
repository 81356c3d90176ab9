//! S3 server access logs: one request per line, space-separated fields.
//!
//! Unlike CloudTrail, these logs record requests that fail
//! *authentication* (SignatureDoesNotMatch, InvalidAccessKeyId,
//! RequestTimeTooSkewed…), with the signature version, authentication type,
//! TLS version and Host header the client used. Shape (S3 User Guide,
//! *Amazon S3 server access log format*):
//!
//! ```text
//! owner bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 requester reqid REST.GET.VERSIONING -
//! "GET /bucket?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - hostid
//! SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader bucket.s3.us-west-1.amazonaws.com TLSV1.2
//! arn:…:accesspoint/example-AP Yes us-east-1
//! ```
//!
//! Any field may be `-` (unknown or not applicable). Fields are only ever
//! added at the end, so older logs stop after the user agent or version id,
//! and newer ones may carry fields this parser does not know yet.

/// The fields of one access log record that facts use. `None` for `-`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessRecord<'a> {
    /// The bucket.
    pub bucket: Option<&'a str>,
    /// The bracketed time, without brackets: `06/Feb/2019:00:00:38 +0000`.
    pub time: &'a str,
    /// The requester's IP address.
    pub remote_ip: Option<&'a str>,
    /// Canonical user id or IAM ARN; `None` for unauthenticated requests.
    pub requester: Option<&'a str>,
    /// S3's request id.
    pub request_id: Option<&'a str>,
    /// `REST.GET.OBJECT`, `REST.PUT.OBJECT`, `WEBSITE.GET.OBJECT`, …
    pub operation: &'a str,
    /// The object key.
    pub key: Option<&'a str>,
    /// The request line, quotes removed (`GET /bucket/key HTTP/1.1`).
    pub request_uri: Option<&'a str>,
    /// The HTTP status S3 answered with.
    pub http_status: Option<u16>,
    /// S3's error code (`AccessDenied`, `SignatureDoesNotMatch`).
    pub error_code: Option<&'a str>,
    /// The client's user agent.
    pub user_agent: Option<&'a str>,
    /// `SigV2`, `SigV4`; `None` for unauthenticated requests.
    pub signature_version: Option<&'a str>,
    /// The TLS cipher suite (`None` over plain HTTP).
    pub cipher_suite: Option<&'a str>,
    /// `AuthHeader` or `QueryString` (presigned URL).
    pub auth_type: Option<&'a str>,
    /// The `Host` header the client sent.
    pub host_header: Option<&'a str>,
    /// The TLS version (`TLSv1.2`).
    pub tls_version: Option<&'a str>,
}

impl AccessRecord<'_> {
    /// A request S3 refused: an error code, or a 4xx/5xx status.
    pub fn failed(&self) -> bool {
        self.error_code.is_some() || self.http_status.is_some_and(|s| s >= 400)
    }

    /// The request time as UTC epoch seconds.
    pub fn epoch(&self) -> Option<i64> {
        crate::time::parse_clf(self.time)
    }
}

/// Why a line is not an access log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits a line into fields: bare words, `[bracketed]` and `"quoted"`
/// (a backslash escapes the next character inside quotes). Returns the raw
/// field text without its brackets or quotes.
fn fields(line: &str) -> Result<Vec<&str>, ParseError> {
    let bytes = line.as_bytes();
    let mut out = Vec::with_capacity(28);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' => i += 1,
            b'[' => {
                let end = memchr::memchr(b']', &bytes[i..])
                    .ok_or_else(|| ParseError("unterminated `[` in the time field".into()))?;
                out.push(&line[i + 1..i + end]);
                i += end + 1;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                if j >= bytes.len() {
                    return Err(ParseError(format!(
                        "unterminated quoted field (field {})",
                        out.len() + 1
                    )));
                }
                out.push(&line[start..j]);
                i = j + 1;
            }
            _ => {
                let end = memchr::memchr(b' ', &bytes[i..]).map_or(bytes.len(), |e| i + e);
                out.push(&line[i..end]);
                i = end;
            }
        }
    }
    Ok(out)
}

/// The fields up to the request URI and status are what make a line an
/// access log record; the rest may be missing in older logs.
const REQUIRED_FIELDS: usize = 10;

/// Parses one record.
pub fn parse_line(line: &str) -> Result<AccessRecord<'_>, ParseError> {
    let line = line.trim_end_matches(['\r', '\n']);
    let f = fields(line)?;
    if f.len() < REQUIRED_FIELDS {
        return Err(ParseError(format!(
            "{} fields; an S3 access log record has at least {REQUIRED_FIELDS}",
            f.len()
        )));
    }
    let opt = |i: usize| f.get(i).copied().filter(|v| *v != "-" && !v.is_empty());
    if crate::time::parse_clf(f[2]).is_none() {
        return Err(ParseError(format!("`{}` is not an access log time", f[2])));
    }
    if !looks_like_operation(f[6]) {
        return Err(ParseError(format!("`{}` is not an S3 operation", f[6])));
    }
    let http_status = match opt(9) {
        None => None,
        Some(s) => Some(
            s.parse::<u16>()
                .map_err(|_| ParseError(format!("`{s}` is not an HTTP status")))?,
        ),
    };
    Ok(AccessRecord {
        bucket: opt(1),
        time: f[2],
        remote_ip: opt(3),
        requester: opt(4),
        request_id: opt(5),
        operation: f[6],
        key: opt(7),
        request_uri: opt(8),
        http_status,
        error_code: opt(10),
        user_agent: opt(16),
        signature_version: opt(19),
        cipher_suite: opt(20),
        auth_type: opt(21),
        host_header: opt(22),
        tls_version: opt(23),
    })
}

/// `REST.GET.OBJECT`, `SOAP.CreateBucket`, `WEBSITE.GET.OBJECT`,
/// `BATCH.DELETE.OBJECT`, `S3.EXPIRE.OBJECT` (lifecycle), …
fn looks_like_operation(s: &str) -> bool {
    let mut parts = s.split('.');
    matches!(
        parts.next(),
        Some("REST" | "SOAP" | "WEBSITE" | "BATCH" | "S3")
    ) && parts.next().is_some_and(|p| !p.is_empty())
}

/// Whether the first non-empty line of `head` is an access log record.
pub fn sniff(head: &str) -> bool {
    head.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| parse_line(l).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The first record of the S3 User Guide's example log.
    const DOC_RECORD: &str = r#"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1"#;

    #[test]
    fn documented_record() {
        let r = parse_line(DOC_RECORD).unwrap();
        assert_eq!(r.bucket, Some("amzn-s3-demo-bucket1"));
        assert_eq!(r.time, "06/Feb/2019:00:00:38 +0000");
        assert_eq!(r.remote_ip, Some("192.0.2.3"));
        assert_eq!(r.operation, "REST.GET.VERSIONING");
        assert_eq!(r.key, None);
        assert_eq!(
            r.request_uri,
            Some("GET /amzn-s3-demo-bucket1?versioning HTTP/1.1")
        );
        assert_eq!(r.http_status, Some(200));
        assert_eq!(r.error_code, None);
        assert_eq!(r.user_agent, Some("S3Console/0.4"));
        assert_eq!(r.signature_version, Some("SigV4"));
        assert_eq!(r.auth_type, Some("AuthHeader"));
        assert_eq!(
            r.host_header,
            Some("amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com")
        );
        assert_eq!(r.tls_version, Some("TLSV1.2"));
        assert!(!r.failed());
        assert_eq!(r.epoch(), Some(1_549_411_238));
    }

    #[test]
    fn older_records_stop_early_and_quotes_may_hold_escapes() {
        let line = r#"owner b [16/Aug/2017:10:11:12 -0700] 203.0.113.9 - ABC REST.GET.OBJECT k "GET /b/k HTTP/1.1" 403 SignatureDoesNotMatch 896 - 5 - "-" "curl/8.0 \"x\"" -"#;
        let r = parse_line(line).unwrap();
        assert_eq!(r.requester, None);
        assert_eq!(r.error_code, Some("SignatureDoesNotMatch"));
        assert_eq!(r.user_agent, Some(r#"curl/8.0 \"x\""#));
        assert_eq!(r.signature_version, None);
        assert!(r.failed());
        // -0700: seven hours later in UTC.
        assert_eq!(
            r.epoch(),
            crate::time::parse_clf("16/Aug/2017:17:11:12 +0000")
        );
    }

    #[test]
    fn non_records_are_refused_with_a_reason() {
        for (line, why) in [
            ("hello world", "fields"),
            (
                "o b [06/Feb/2019:00:00:38 +0000] ip r id GET.THING k \"GET / HTTP/1.1\" 200",
                "operation",
            ),
            (
                "o b [yesterday] ip r id REST.GET.OBJECT k \"GET / HTTP/1.1\" 200",
                "time",
            ),
            (
                "o b [06/Feb/2019:00:00:38 +0000] ip r id REST.GET.OBJECT k \"GET / HTTP/1.1 200",
                "unterminated",
            ),
            (
                "o b [06/Feb/2019:00:00:38 +0000] ip r id REST.GET.OBJECT k \"GET / HTTP/1.1\" OK",
                "HTTP status",
            ),
        ] {
            let err = parse_line(line).unwrap_err();
            assert!(err.0.contains(why), "{line}: {err}");
        }
        assert!(sniff(&format!("\n{DOC_RECORD}\n")));
        assert!(!sniff(
            "2024-01-01 12:00:00,000 - MainThread - botocore - DEBUG - x"
        ));
    }
}
