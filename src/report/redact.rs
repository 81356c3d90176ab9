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

/// `label=value` shapes whose value is a secret, whatever its form.
static LABELLED_SECRETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)((?:aws_secret_access_key|aws_session_token|secret_?access_?key|session_?token|security_?token|x-amz-security-token|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|password)"#,
        r#"['"]?\s*(?:[:=]|=>)\s*(?:b?['"])?)([^'"\s,&<}]+)"#,
    ))
    .expect("valid regex")
});

/// XML elements that carry secrets (STS responses, S3 error bodies).
static SECRET_ELEMENTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(<(SecretAccessKey|SessionToken|Token-0|Password)>)([^<]*)(</)")
        .expect("valid regex")
});

/// Signatures: keep a short prefix so two reports can still be compared.
static SIGNATURES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)((?:Signature=|X-Amz-Signature=|<SignatureProvided>|signature['\x22]?\s*:\s*['\x22]?))([0-9a-f]{8})[0-9a-f]{8,}")
        .expect("valid regex")
});

/// Passwords in URLs: `http://user:pass@proxy:3128`.
static URL_PASSWORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^:/\s@]+:)([^@\s/]+)@").expect("valid regex")
});

static KEY_IDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{12,})(?-u:\b)",
    )
    .expect("valid regex")
});

/// Long base64-looking runs: secret keys (40 characters) and session tokens.
static OPAQUE_RUNS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9/+]{40,}={0,2}").expect("valid regex"));

impl Redactor {
    pub fn text<'a>(&self, input: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(input);
        replace(&mut out, &SECRET_ELEMENTS, |c| {
            format!("{}{HIDDEN}{}", &c[1], &c[4])
        });
        replace(&mut out, &LABELLED_SECRETS, |c| {
            format!("{}{HIDDEN}", &c[1])
        });
        replace(&mut out, &SIGNATURES, |c| format!("{}{}…", &c[1], &c[2]));
        replace(&mut out, &URL_PASSWORDS, |c| format!("{}{HIDDEN}@", &c[1]));
        replace(&mut out, &OPAQUE_RUNS, |c| {
            let run = &c[0];
            if looks_secret(run) {
                HIDDEN.to_string()
            } else {
                run.to_string()
            }
        });
        if self.mask_key_ids {
            replace(&mut out, &KEY_IDS, |c| mask_key_id(&c[1]));
        }
        out
    }
}

fn replace(text: &mut Cow<'_, str>, re: &Regex, f: impl Fn(&Captures<'_>) -> String) {
    if let Cow::Owned(s) = re.replace_all(text, |c: &Captures<'_>| f(c)) {
        *text = Cow::Owned(s);
    }
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
