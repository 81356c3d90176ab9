//! The redaction policy, in one place, for every output format.
//!
//! Secret keys, session tokens and `Authorization` signatures never leave
//! authsift; access key ids are masked to prefix + last four unless the user
//! asks for them (`--no-redact`). Rules work on any text, because secrets
//! reach reports through free text: evidence lines, messages, diffs.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Replaces a secret value.
pub const HIDDEN: &str = "<redacted>";

#[derive(Debug, Clone, Copy)]
pub struct Redactor {
    /// Mask access key ids (on by default; secrets are hidden regardless).
    pub mask_key_ids: bool,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor { mask_key_ids: true }
    }
}

/// Every secret shape, as one alternation so text is scanned once (a report
/// of a big log redacts hundreds of thousands of strings). Alternatives, in
/// the order they win at one position:
///
/// * XML elements that carry secrets (STS responses, S3 error bodies);
/// * `label=value` / `label: value` shapes whose value is secret, whatever
///   its form (credentials files, env dumps, header dicts, canonical requests);
/// * signatures, keeping an 8-character prefix so reports can be compared;
/// * passwords in URLs (`http://user:pass@proxy:3128`);
/// * access key ids (masked, not hidden);
/// * long base64-looking runs: secret keys (40 characters) and session tokens.
static SECRETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?P<elem><(?:SecretAccessKey|SessionToken|Token-0|Password)>)[^<]*(?P<elem_end></)"#,
        r#"|(?P<label>(?i-u:aws_secret_access_key|aws_session_token|secret_?access_?key|session_?token|security_?token|x-amz-security-token|password)"#,
        r#"['"]?[[:space:]]*(?:[:=]|=>)[[:space:]]*(?:b?['"])?)[^'"[:space:],&<}]+"#,
        r#"|(?P<sig>(?i-u:Signature=|X-Amz-Signature=|<SignatureProvided>|signature['"]?[[:space:]]*:[[:space:]]*['"]?))(?P<sig_keep>[0-9a-fA-F]{8})[0-9a-fA-F]{8,}"#,
        r#"|(?P<url>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/[:space:]@]+:)[^@[:space:]/]+@"#,
        r#"|(?-u:\b)(?P<key>(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{12,})(?-u:\b)"#,
        r#"|(?P<opaque>[A-Za-z0-9/+]{40,}={0,2})"#,
    ))
    .expect("valid regex")
});

impl Redactor {
    pub fn text<'a>(&self, input: &'a str) -> Cow<'a, str> {
        SECRETS.replace_all(input, |c: &Captures<'_>| {
            let whole = &c[0];
            if let Some(open) = c.name("elem") {
                format!("{}{HIDDEN}{}", open.as_str(), &c["elem_end"])
            } else if let Some(label) = c.name("label") {
                format!("{}{HIDDEN}", label.as_str())
            } else if let Some(sig) = c.name("sig") {
                format!("{}{}…", sig.as_str(), &c["sig_keep"])
            } else if let Some(url) = c.name("url") {
                format!("{}{HIDDEN}@", url.as_str())
            } else if c.name("key").is_some() && self.mask_key_ids {
                mask_key_id(whole)
            } else if let Some(run) = c.name("opaque")
                && looks_secret(whole)
                && !part_of_identifier(input, run.start(), run.end())
            {
                HIDDEN.to_string()
            } else {
                whole.to_string()
            }
        })
    }
}

/// Whether the run `start..end` of `text` is a piece of a path: shorter
/// than a token, three or more `/`, and glued to a `-` or `_`
/// (`…/AWSLogs/111122223333/CloudTrail/us` of `…/us-east-1/…`). Keys are
/// never glued to those; base64url tokens (JWTs) use them but have no `/`.
fn part_of_identifier(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let glue = |c: Option<&u8>| matches!(c, Some(b'-' | b'_'));
    let run = &b[start..end];
    run.len() < 100
        && run.iter().filter(|c| **c == b'/').count() >= 3
        && (glue(start.checked_sub(1).and_then(|i| b.get(i))) || glue(b.get(end)))
}

/// A run is secret-looking when it mixes letter cases and digits (hex
/// hashes, which are not secret, are single-case). Session tokens are long.
fn looks_secret(run: &str) -> bool {
    let upper = run.bytes().any(|b| b.is_ascii_uppercase());
    let lower = run.bytes().any(|b| b.is_ascii_lowercase());
    let digit = run.bytes().any(|b| b.is_ascii_digit());
    let symbol = run.bytes().any(|b| matches!(b, b'/' | b'+'));
    (upper && lower && (digit || symbol)) || run.len() >= 100
}

/// `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`.
pub fn mask_key_id(id: &str) -> String {
    if id.len() <= 8 {
        return "…".to_string();
    }
    format!("{}…{}", &id[..4], &id[id.len() - 4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn keeps_paths_readable() {
        let r = Redactor::default();
        let path = "trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/x.json.gz";
        assert_eq!(r.text(path), path);
        // A web identity token (base64url, so `-` and `_` inside) stays hidden.
        let jwt = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJyZXBvOmFjbWUvYXBwOnJlZjpyZWZzL2hlYWRzL21haW4i-Q29udGVudExlbmd0aDoxMjM0NTY3ODkwYWJjZGVmZ2hpams_bG1ub3BxcnN0dXZ3eHl6QUJDREVGR0hJSktMTU5PUFFSU1RVVldY";
        assert!(
            !r.text(jwt)
                .contains("Q29udGVudExlbmd0aDoxMjM0NTY3ODkwYWJjZGVmZ2hpams")
        );
        for shown in [
            format!("/{SECRET}/"),
            format!("'{SECRET}'"),
            format!("{SECRET}."),
            format!("-{SECRET}-"),
        ] {
            assert!(!r.text(&shown).contains(SECRET), "{shown}");
        }
    }

    #[test]
    fn hides_secrets_in_every_shape() {
        let r = Redactor::default();
        for text in [
            format!("aws_secret_access_key = {SECRET}"),
            format!("<SecretAccessKey>{SECRET}</SecretAccessKey>"),
            format!("\"SecretAccessKey\": \"{SECRET}\""),
            format!("export AWS_SECRET_ACCESS_KEY={SECRET}"),
            format!("a bare {SECRET} in text"),
        ] {
            let out = r.text(&text);
            assert!(!out.contains(SECRET), "{out}");
            assert!(!out.contains("wJalrXUtnFEMI"), "{out}");
        }
    }

    #[test]
    fn hides_tokens_and_shortens_signatures() {
        let r = Redactor::default();
        let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
        let out = r.text(&format!("'X-Amz-Security-Token': b'{token}', 'Authorization': b'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261126/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=de7c4aac0123456789abcdef0123456789abcdef0123456789abcdef01234567'")).into_owned();
        assert!(!out.contains(token), "{out}");
        assert!(out.contains("Signature=de7c4aac…"), "{out}");
        assert!(!out.contains("0123456789abcdef0123"), "{out}");
        assert!(out.contains("AKIA…MPLE"), "{out}");
        let canonical = r
            .text(&format!("x-amz-security-token:{token}"))
            .into_owned();
        assert!(!canonical.contains(token));
    }

    #[test]
    fn proxy_passwords_are_hidden() {
        let out = Redactor::default().text("proxy http://bob:hunter2@proxy.corp:3128/ failed");
        assert_eq!(out, "proxy http://bob:<redacted>@proxy.corp:3128/ failed");
    }

    #[test]
    fn hashes_and_plain_text_survive() {
        let r = Redactor::default();
        let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(r.text(hash), hash);
        assert!(matches!(r.text("nothing secret here"), Cow::Borrowed(_)));
    }

    #[test]
    fn no_redact_keeps_key_ids_but_not_secrets() {
        let r = Redactor {
            mask_key_ids: false,
        };
        let out = r
            .text(&format!("AKIAIOSFODNN7EXAMPLE {SECRET}"))
            .into_owned();
        assert!(out.contains("AKIAIOSFODNN7EXAMPLE"));
        assert!(!out.contains(SECRET));
    }
}
