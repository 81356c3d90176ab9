//! SigV4 artefacts: the `Authorization` header, canonical requests and
//! strings to sign, parsed into parts and compared part by part.
//!
//! A `SignatureDoesNotMatch` only says "something differs". Comparing the
//! client's canonical request with the one the server computed (S3 returns
//! it, query services quote it) names the part that differs; when both
//! agree, only the secret key can be wrong.

// Not yet documented item by item (owned by parallel work).
#[allow(missing_docs)]
pub mod canonical;
pub mod diff;
pub mod diff_files;
pub mod server;
pub mod show;
pub mod verify;

pub use diff::{Against, Difference, diff_canonical, diff_string_to_sign};

/// `AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/s3/aws4_request, SignedHeaders=a;b, Signature=hex`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// `AWS4-HMAC-SHA256`, or `AWS4-ECDSA-P256-SHA256` for SigV4A.
    pub algorithm: String,
    /// The access key id of `Credential=`.
    pub access_key_id: String,
    /// The rest of `Credential=`.
    pub scope: Scope,
    /// `SignedHeaders=`, split at `;`.
    pub signed_headers: Vec<String>,
    /// `Signature=` (hex; empty when absent).
    pub signature: String,
}

/// Credential scope. SigV4A scopes have no region.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// `YYYYMMDD`.
    pub date: String,
    /// The region (`None` for SigV4A).
    pub region: Option<String>,
    /// The signing name (`s3`, `sts`).
    pub service: String,
}

impl Authorization {
    /// Parses an `Authorization` header value; `None` when it is not SigV4.
    pub fn parse(value: &str) -> Option<Self> {
        let (algorithm, rest) = value.trim().split_once(' ')?;
        let mut credential = None;
        let mut signed_headers = None;
        let mut signature = None;
        // SDKs write ", " between parts, but AWS also accepts ",".
        for part in rest.split(',') {
            let (key, val) = part.trim().split_once('=')?;
            match key {
                "Credential" => credential = Some(val),
                "SignedHeaders" => signed_headers = Some(val),
                "Signature" => signature = Some(val),
                _ => {}
            }
        }
        let credential = credential?;
        let (access_key_id, scope) = credential.split_once('/')?;
        Some(Authorization {
            algorithm: algorithm.to_string(),
            access_key_id: access_key_id.to_string(),
            scope: Scope::parse(scope)?,
            signed_headers: signed_headers
                .unwrap_or("")
                .split(';')
                .filter(|h| !h.is_empty())
                .map(str::to_string)
                .collect(),
            signature: signature.unwrap_or("").to_string(),
        })
    }

    /// Signed with SigV4A (ECDSA), which a secret cannot reproduce.
    pub fn is_sigv4a(&self) -> bool {
        self.algorithm == "AWS4-ECDSA-P256-SHA256"
    }
}

impl Scope {
    /// `20261126/us-east-1/s3/aws4_request` or SigV4A `20261126/s3/aws4_request`.
    pub fn parse(scope: &str) -> Option<Self> {
        let parts: Vec<&str> = scope.split('/').collect();
        match parts.as_slice() {
            [date, region, service, "aws4_request"] => Some(Scope {
                date: date.to_string(),
                region: Some(region.to_string()),
                service: service.to_string(),
            }),
            [date, service, "aws4_request"] => Some(Scope {
                date: date.to_string(),
                region: None,
                service: service.to_string(),
            }),
            _ => None,
        }
    }
}

/// A canonical request split into its parts (layout in formats.md §1.5).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CanonicalRequest {
    /// Line 1: the HTTP method.
    pub method: String,
    /// Line 2: the URI-encoded path.
    pub path: String,
    /// Line 3: the sorted, encoded query string.
    pub query: String,
    /// The canonical headers, `name:value`, in order.
    pub headers: Vec<(String, String)>,
    /// The signed-headers line (`host;x-amz-date`).
    pub signed_headers: String,
    /// The last line: the payload's SHA-256 (or `UNSIGNED-PAYLOAD`, …).
    pub payload_hash: String,
}

impl CanonicalRequest {
    /// Reads a logged canonical request; a CRLF log's `\r` line ends are
    /// not part of it (a canonical request never holds a CR: header values
    /// are trimmed, path and query encoded).
    pub fn parse(text: &str) -> Option<Self> {
        let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
        if lines.len() < 6 {
            return None;
        }
        // Headers run from line 3 to the blank line before the last two.
        let payload_hash = lines[lines.len() - 1];
        let signed_headers = lines[lines.len() - 2];
        let header_lines = &lines[3..lines.len() - 2];
        let header_lines = header_lines.strip_suffix(&[""]).unwrap_or(header_lines);
        let headers = header_lines
            .iter()
            .map(|l| match l.split_once(':') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => (l.to_string(), String::new()),
            })
            .collect();
        Some(CanonicalRequest {
            method: lines[0].to_string(),
            path: lines[1].to_string(),
            query: lines[2].to_string(),
            headers,
            signed_headers: signed_headers.to_string(),
            payload_hash: payload_hash.to_string(),
        })
    }

    /// The canonical request as signed: the exact bytes whose SHA-256 is
    /// the string to sign's last line.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n{}\n{}\n", self.method, self.path, self.query);
        for (name, value) in &self.headers {
            out.push_str(name);
            out.push(':');
            out.push_str(value);
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.signed_headers);
        out.push('\n');
        out.push_str(&self.payload_hash);
        out
    }

    /// A canonical header's value (names are already lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A string to sign: algorithm, timestamp, scope, canonical-request hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign {
    /// Line 1: the algorithm.
    pub algorithm: String,
    /// Line 2: `YYYYMMDDTHHMMSSZ`.
    pub timestamp: String,
    /// Line 3: the credential scope.
    pub scope: String,
    /// Line 4: the canonical request's SHA-256, hex.
    pub canonical_request_hash: String,
}

impl StringToSign {
    /// The four lines, joined as signed.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.algorithm, self.timestamp, self.scope, self.canonical_request_hash
        )
    }

    /// The first four lines of `text`; `None` when there are fewer.
    pub fn parse(text: &str) -> Option<Self> {
        let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
        Some(StringToSign {
            algorithm: lines.next()?.to_string(),
            timestamp: lines.next()?.to_string(),
            scope: lines.next()?.to_string(),
            canonical_request_hash: lines.next()?.to_string(),
        })
    }
}

/// Whether a logged value stands in for one the client would not print:
/// the AWS SDK for Rust writes `** redacted (length=N) **` for
/// `Authorization`, `X-Amz-Security-Token` and other sensitive headers
/// (aws-sigv4 ≥ 1.6 in the canonical request, the smithy runtime in
/// requests) and `** non-utf8 (length=N) **` for bytes it cannot show.
/// Such a value proves the header was there, not what it was: comparing it
/// would report a difference that does not exist.
pub fn is_hidden(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("** ")
        && v.ends_with(" **")
        && ["redacted (length=", "non-utf8 (length="]
            .iter()
            .any(|m| v[3..].starts_with(m))
}

impl CanonicalRequest {
    /// `header:<name>` for each header whose logged value is hidden
    /// ([`is_hidden`]): the parts a comparison cannot check.
    pub fn hidden_parts(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(_, v)| is_hidden(v))
            .map(|(n, _)| format!("header:{n}"))
            .collect()
    }
}

/// The key-id prefix says what kind of credential signed the request.
pub fn key_type(access_key_id: &str) -> &'static str {
    let prefix = access_key_id.get(..4);
    KEY_PREFIXES
        .iter()
        .find(|(p, _)| prefix == Some(*p))
        .map(|(_, kind)| *kind)
        .unwrap_or(if access_key_id.contains('*') {
            "masked"
        } else {
            "unknown"
        })
}

/// The four-letter prefixes of AWS identifiers and the `credential.key_type`
/// each gives; a key with none of them is `masked` when it holds a `*`,
/// else `unknown`. (One table: the SQL translation reads it too.)
pub const KEY_PREFIXES: &[(&str, &str)] = &[
    ("AKIA", "long-term"),
    ("ASIA", "temporary"),
    ("AROA", "unique-id"),
    ("AIDA", "unique-id"),
    ("AGPA", "unique-id"),
    ("AIPA", "unique-id"),
    ("ANPA", "unique-id"),
    ("ANVA", "unique-id"),
    ("APKA", "unique-id"),
    ("ASCA", "unique-id"),
    ("ACCA", "unique-id"),
];

/// The region an AWS endpoint host names, if it names one
/// (`sts.eu-west-1.amazonaws.com`, `bucket.s3.eu-central-1.amazonaws.com`,
/// `s3-eu-west-1.amazonaws.com`, `ec2.cn-north-1.amazonaws.com.cn`).
pub fn region_from_host(host: &str) -> Option<String> {
    let host = host.split(':').next()?.to_ascii_lowercase();
    if !host.contains(".amazonaws.com") {
        return None;
    }
    host.split('.')
        .flat_map(|label| [label, label.strip_prefix("s3-").unwrap_or("")])
        .find(|label| looks_like_region(label))
        .map(str::to_string)
}

/// The service an AWS endpoint host names: the label just before the
/// region (`api.ecr.us-east-1…` → `ecr`, `abc.execute-api.eu-west-1…` →
/// `execute-api`), `s3` for every S3 host shape, else the first label of a
/// global endpoint (`iam.amazonaws.com`). Hosts whose prefix differs from
/// the signing name are mapped (`email` signs as `ses`). `None` for non-AWS
/// hosts (local emulators, proxies).
pub fn service_from_host(host: &str) -> Option<String> {
    let host = host.split(':').next()?.to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let aws = labels.iter().position(|l| *l == "amazonaws")?;
    let labels = &labels[..aws];
    if labels
        .iter()
        .any(|l| *l == "s3" || (l.starts_with("s3-") && *l != "s3-outposts"))
    {
        return Some("s3".to_string());
    }
    let service = match labels.iter().position(|l| looks_like_region(l)) {
        // `search-x.eu-west-1.es.amazonaws.com`: the service follows the region.
        Some(i) if i + 1 < labels.len() => labels[i + 1],
        Some(0) => return None,
        Some(i) => labels[i - 1],
        None => labels.first()?,
    };
    const ALIASES: &[(&str, &str)] = &[("email", "ses")];
    let service = ALIASES
        .iter()
        .find(|(prefix, _)| *prefix == service)
        .map_or(service, |(_, name)| name);
    Some(service.to_string())
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-4`, ...
pub fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|c| c.is_ascii_lowercase())
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|c| c.is_ascii_digit()) && !p.is_empty())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_authorization_header() {
        let a = Authorization::parse("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261126/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=a7c8").unwrap();
        assert_eq!(a.access_key_id, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(a.scope.region.as_deref(), Some("eu-west-1"));
        assert_eq!(a.scope.service, "sts");
        assert_eq!(a.signed_headers, ["content-type", "host", "x-amz-date"]);
        assert_eq!(a.signature, "a7c8");
        assert!(!a.is_sigv4a());
    }

    #[test]
    fn parses_sigv4a_scope_without_region() {
        let a = Authorization::parse("AWS4-ECDSA-P256-SHA256 Credential=AKIAX/20260101/s3/aws4_request,SignedHeaders=host,Signature=30").unwrap();
        assert!(a.is_sigv4a());
        assert_eq!(a.scope.region, None);
        assert_eq!(a.scope.service, "s3");
    }

    /// A CRLF log's canonical request used to keep a `\r` on every line:
    /// diffed against the server's, the payload hash "differed", and every
    /// wrong-secret log became `signature.canonical-mismatch`.
    #[test]
    fn a_crlf_canonical_request_is_the_same_request() {
        let lf = "GET\n/\nlist-type=2\nhost:a.example\nx-amz-date:1\n\nhost;x-amz-date\nabc";
        let crlf = lf.replace('\n', "\r\n");
        let (a, b) = (
            CanonicalRequest::parse(lf).unwrap(),
            CanonicalRequest::parse(&crlf).unwrap(),
        );
        assert_eq!(a, b);
        assert!(diff_canonical(&a, &b).is_empty());
        assert_eq!(a.text(), lf);
    }

    #[test]
    fn canonical_diff_names_the_header() {
        let c = CanonicalRequest::parse(
            "GET\n/\n\nhost:a.example\nx-amz-date:1\n\nhost;x-amz-date\nabc",
        )
        .unwrap();
        let s = CanonicalRequest::parse(
            "GET\n/\n\nhost:b.example\nx-amz-date:1\n\nhost;x-amz-date\nabc",
        )
        .unwrap();
        let d = diff_canonical(&c, &s);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].component, "header:host");
        assert_eq!(d[0].client.as_deref(), Some("a.example"));
        assert_eq!(d[0].server.as_deref(), Some("b.example"));
        assert!(diff_canonical(&c, &c).is_empty());
    }

    #[test]
    fn hidden_values_are_never_compared() {
        assert!(is_hidden("** redacted (length=141) **"));
        assert!(is_hidden("** non-utf8 (length=3) **"));
        assert!(!is_hidden("** bold **"));
        assert!(!is_hidden("**"));
        let logged = CanonicalRequest::parse(
            "GET\n/\n\nhost:h\nx-amz-security-token:** redacted (length=5) **\n\nhost;x-amz-security-token\nabc",
        )
        .unwrap();
        assert_eq!(logged.hidden_parts(), ["header:x-amz-security-token"]);
        let mut server = logged.clone();
        server.headers[1].1 = "IQoJb".into();
        assert!(diff_canonical(&logged, &server).is_empty());
        // A header the other side lacks is still a difference.
        server.headers.pop();
        assert_eq!(
            diff_canonical(&logged, &server)[0].component,
            "header:x-amz-security-token"
        );
    }

    #[test]
    fn canonical_with_empty_query_and_payload() {
        let c =
            CanonicalRequest::parse("POST\n/\n\ncontent-type:x\nhost:h\n\ncontent-type;host\nff")
                .unwrap();
        assert_eq!(c.query, "");
        assert_eq!(c.headers.len(), 2);
        assert_eq!(c.payload_hash, "ff");
    }

    #[test]
    fn string_to_sign_scope_diff_is_per_part() {
        let c = StringToSign::parse(
            "AWS4-HMAC-SHA256\n20261126T000000Z\n20261126/us-east-1/s3/aws4_request\nab",
        )
        .unwrap();
        let s = StringToSign::parse(
            "AWS4-HMAC-SHA256\n20261126T000000Z\n20261126/eu-west-1/s3/aws4_request\nab",
        )
        .unwrap();
        let d = diff_string_to_sign(&c, &s);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].component, "scope:region");
    }

    #[test]
    fn key_types_and_regions() {
        assert_eq!(key_type("ASIAEXAMPLEEXAMPLE12"), "temporary");
        assert_eq!(key_type("AKIAIOSFODNN7EXAMPLE"), "long-term");
        assert_eq!(key_type("AROAEXAMPLE"), "unique-id");
        assert_eq!(
            region_from_host("sts.eu-west-1.amazonaws.com").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            region_from_host("b.s3.eu-central-1.amazonaws.com:443").as_deref(),
            Some("eu-central-1")
        );
        assert_eq!(
            region_from_host("s3-eu-west-1.amazonaws.com").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(region_from_host("s3.amazonaws.com"), None);
        assert_eq!(region_from_host("127.0.0.1:5000"), None);
        assert!(looks_like_region("us-gov-west-1"));
        assert_eq!(
            service_from_host("sts.eu-west-1.amazonaws.com").as_deref(),
            Some("sts")
        );
        assert_eq!(
            service_from_host("iam.amazonaws.com").as_deref(),
            Some("iam")
        );
        assert_eq!(
            service_from_host("b.s3.amazonaws.com").as_deref(),
            Some("s3")
        );
        assert_eq!(
            service_from_host("s3-eu-west-1.amazonaws.com").as_deref(),
            Some("s3")
        );
        assert_eq!(
            service_from_host("api.ecr.us-east-1.amazonaws.com").as_deref(),
            Some("ecr")
        );
        assert_eq!(
            service_from_host("x.execute-api.eu-west-1.amazonaws.com:443").as_deref(),
            Some("execute-api")
        );
        assert_eq!(service_from_host("127.0.0.1:5000"), None);
        assert!(!looks_like_region("us-east-1a"));
    }
}
