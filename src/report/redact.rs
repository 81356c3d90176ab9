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
pub use crate::text::HIDDEN;

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
///   its form (credentials files, env dumps, header dicts, canonical
///   requests), the separator and quotes possibly URL-encoded, once or
///   twice (`%3D`, `%253D`, `%22`);
/// * command-line passwords (`--password X`, `docker login … -p X`) and
///   `Bearer` tokens;
/// * signatures, SigV4 (hex) and SigV2 (base64, URL-encoded in presigned
///   URLs), keeping an 8-character prefix so reports can be compared; the
///   SigV2 `Authorization: AWS id:signature` header;
/// * passwords in URLs (`http://user:p@ss@proxy:3128`: up to the last `@`);
/// * JSON Web Tokens (web identity, OIDC), whole: base64url has `-` and `_`;
/// * access key ids (masked, not hidden);
/// * long base64-looking runs: secret keys (40 characters) and session
///   tokens, `/`, `+` and `=` possibly URL-encoded.
static SECRETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?P<elem><(?:SecretAccessKey|SessionToken|Token-0|Password|WebIdentityToken)>)[^<]*(?P<elem_end></)"#,
        r#"|(?P<label>(?i-u:aws_secret_access_key|aws_session_token|secret_?access_?key|session_?token|security_?token|x-amz-security-token|password|web_?identity_?token|client_?secret|id_?token|access_?token|refresh_?token)"#,
        r#"(?:['"]|%(?:25)*22)?[[:space:]]*(?:[:=]|=>|%(?:25)*3[AaDd])[[:space:]]*(?:b?['"]|%(?:25)*22)?)[^'"[:space:],&<}]+"#,
        r#"|(?P<flag>--password(?:=|[[:space:]]+)|(?-u:\b)(?i-u:docker)[[:space:]]+login(?-u:\b)[^\n]*?[[:space:]]-p[[:space:]]+|(?-u:\b)(?i-u:bearer)[[:space:]]+)[^'"[:space:],]+"#,
        r#"|(?P<sig>(?i-u:Signature|X-Amz-Signature)[[:space:]]*=[[:space:]]*|<SignatureProvided>|(?i-u:signature)['"]?[[:space:]]*:[[:space:]]*['"]?)(?P<sig_keep>[0-9a-zA-Z+/]{8})(?:[0-9a-zA-Z+/=]|%(?:25)*[0-9a-fA-F]{2}){8,}"#,
        r#"|(?-u:\b)(?P<v2>AWS[[:space:]]+)(?P<v2_id>[A-Z0-9]{16,128}):(?P<v2_keep>[A-Za-z0-9+/]{8})[A-Za-z0-9+/=]{8,}"#,
        r#"|(?P<url>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/[:space:]@]+:)[^[:space:]/]*@"#,
        r#"|(?P<jwt>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)"#,
        r#"|(?-u:\b)(?P<key>(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{12,})(?-u:\b)"#,
        r#"|(?P<opaque>(?:[A-Za-z0-9/+]|%(?:25)*2[FfBb]){40,}(?:=|%(?:25)*3[Dd]){0,2})"#,
    ))
    .expect("valid regex")
});

impl Redactor {
    pub fn text<'a>(&self, input: &'a str) -> Cow<'a, str> {
        SECRETS.replace_all(input, |c: &Captures<'_>| {
            let whole = &c[0];
            if let Some(open) = c.name("elem") {
                format!("{}{HIDDEN}{}", open.as_str(), &c["elem_end"])
            } else if let Some(label) = c.name("label").or(c.name("flag")) {
                if c.name("label").is_some() && names_no_secret(input, label.start(), &c[0]) {
                    return whole.to_string();
                }
                format!("{}{HIDDEN}", label.as_str())
            } else if let Some(sig) = c.name("sig") {
                format!("{}{}…", sig.as_str(), &c["sig_keep"])
            } else if let Some(v2) = c.name("v2") {
                let id = &c["v2_id"];
                let id = if self.mask_key_ids {
                    mask_key_id(id)
                } else {
                    id.to_string()
                };
                format!("{}{id}:{}…", v2.as_str(), &c["v2_keep"])
            } else if let Some(url) = c.name("url") {
                format!("{}{HIDDEN}@", url.as_str())
            } else if c.name("jwt").is_some() {
                HIDDEN.to_string()
            } else if c.name("key").is_some() && self.mask_key_ids {
                mask_key_id(whole)
            } else if let Some(run) = c.name("opaque")
                && looks_secret(whole)
                && !words(whole)
                && !part_of_identifier(input, run.start(), run.end())
            {
                HIDDEN.to_string()
            } else {
                whole.to_string()
            }
        })
    }
}

/// Whether a `label: value` match is the tail of a longer name followed
/// by a word (`SSOProviderInvalidToken: the SSO session …`, where
/// `idToken` is not the label): a label glued to a letter before it, and
/// a value of lowercase letters only, which no token or key is.
fn names_no_secret(text: &str, label_start: usize, whole: &str) -> bool {
    let glued = text[..label_start]
        .bytes()
        .next_back()
        .is_some_and(|b| b.is_ascii_alphabetic());
    let value = whole
        .rsplit(|c: char| c == ':' || c == '=' || c.is_ascii_whitespace())
        .next()
        .unwrap_or_default();
    glued && !value.is_empty() && value.bytes().all(|b| b.is_ascii_lowercase())
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

/// Whether a run is words, not a secret: path segments, file names and
/// ARN resource names (`Users/JohnSmith/Projects/InfraRepo/logs/deploy`,
/// `role/GitHubActionsDeployRole2024`), `/` possibly URL-encoded. Each
/// `/`-separated segment must read as camel-case words: an optional
/// lower-case word first, then capitalised words (`Smith`; two letters only
/// for a few common words: `My`, `Of`, `Id`…), acronyms of two to five
/// capitals (`AWSLogs`, `EC2`, `macOS`), and at most one run of digits
/// (a segment of digits alone is fine too). Random base64 almost never
/// reads so: over ten million random 40-character keys, 4 in a million do
/// (today's `looks_secret` already lets through the 250 in a million that
/// have neither digit nor symbol), none of 60 characters or more (session
/// tokens), so secrets stay hidden.
fn words(run: &str) -> bool {
    if run.contains(['+', '=']) {
        return false;
    }
    let decoded;
    let run = if run.contains('%') {
        decoded = run
            .replace("%252F", "/")
            .replace("%252f", "/")
            .replace("%2F", "/")
            .replace("%2f", "/");
        if decoded.contains('%') {
            return false;
        }
        decoded.as_str()
    } else {
        run
    };
    let segments: Vec<&str> = run.split('/').collect();
    let last = segments.len() - 1;
    segments.iter().enumerate().all(|(i, s)| {
        if s.is_empty() {
            // A leading or trailing `/`; `//` inside is base64's.
            i == 0 || i == last
        } else {
            segment_is_words(s.as_bytes())
        }
    })
}

/// Two-letter capitalised words common in names (`MyBucket`, `ListOfThings`,
/// `UserId`); any other capital and single lower-case letter is base64's.
const SHORT_WORDS: &[[u8; 2]] = &[
    *b"My", *b"Of", *b"Id", *b"Go", *b"To", *b"In", *b"On", *b"Up", *b"By", *b"At", *b"Is", *b"It",
    *b"No", *b"Or", *b"So", *b"We", *b"Do", *b"If", *b"An", *b"As", *b"Be", *b"Us", *b"Io", *b"Ui",
    *b"Os", *b"Db", *b"Ip", *b"Ok",
];

/// One path segment (letters and digits) as camel-case words; see [`words`].
fn segment_is_words(seg: &[u8]) -> bool {
    if seg.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let n = seg.len();
    let run = |mut i: usize, class: fn(&u8) -> bool| {
        while i < n && class(&seg[i]) {
            i += 1;
        }
        i
    };
    let mut i = 0;
    let mut digit_runs = 0;
    while i < n {
        let c = seg[i];
        if c.is_ascii_digit() {
            digit_runs += 1;
            if digit_runs > 1 {
                return false;
            }
            i = run(i, u8::is_ascii_digit);
        } else if c.is_ascii_lowercase() {
            // Lower case opens a segment (`logs`, `macOS`), never follows.
            if i != 0 {
                return false;
            }
            i = run(i, u8::is_ascii_lowercase);
        } else if c.is_ascii_uppercase() {
            let capitals = run(i, u8::is_ascii_uppercase) - i;
            let end = run(i + capitals, u8::is_ascii_lowercase);
            let lower = end - i - capitals;
            let ok = if lower == 0 {
                // An acronym or a capital, then digits or the end.
                capitals <= 5
            } else {
                // The last capital opens a word (`HTTPServer`: HTTP, Server).
                let short = lower == 1 && capitals == 1 && SHORT_WORDS.contains(&[c, seg[end - 1]]);
                (lower >= 2 || short) && capitals != 2 && capitals <= 6
            };
            if !ok {
                return false;
            }
            i = end;
        } else {
            return false;
        }
    }
    true
}

/// A run is secret-looking when it mixes letter cases and digits (hex
/// hashes, which are not secret, are single-case). Session tokens are long.
fn looks_secret(run: &str) -> bool {
    let upper = run.bytes().any(|b| b.is_ascii_uppercase());
    let lower = run.bytes().any(|b| b.is_ascii_lowercase());
    let digit = run.bytes().any(|b| b.is_ascii_digit());
    let symbol = run.bytes().any(|b| matches!(b, b'/' | b'+' | b'%'));
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

    /// Paths, file names, ARNs, buckets and hosts with long mixed-case
    /// segments stay whole, in every place text reaches a report from.
    #[test]
    fn never_touches_paths_arns_buckets_or_hosts() {
        for r in [
            Redactor::default(),
            Redactor {
                mask_key_ids: false,
            },
        ] {
            for kept in [
                "Users/JohnSmith/Projects/InfraRepo/logs/deploy.log",
                "(Users/JohnSmith/Projects/InfraRepo/logs/deploy.log, line 141)",
                "/Users/JohnSmith/Projects/InfraRepo/logs/deploy.log",
                "C:/Users/JohnSmith/AppData/Local/Temp/PowerShellDeploymentScripts/run.log",
                "/home/runner/work/InfraRepo/InfraRepo/terraform/modules/NetworkStack2024/main.tf",
                "fixtures/InfrastructureDeploymentPipeline2024ProductionEnvironment.log",
                "EC2Instances/HTTPServer/XMLHttpRequest/AWSLogs/111122223333/CloudTrail/x.json",
                "s3://my-bucket/Users/JohnSmith/Projects/InfraRepo/exports/MonthlyReport.csv",
                "arn:aws:iam::111122223333:role/MyDeploymentRoleForGithubActions2024",
                "arn:aws:sts::111122223333:assumed-role/GitHubActionsDeployRole/GitHubActionsSession",
                "arn:aws:s3:::acme-build-artifacts-eu-west-1-111122223333/ReleaseCandidates/Build2024",
                "https://acme-build.s3.eu-west-1.amazonaws.com/Users/JohnSmith/Projects/InfraRepo?list-type=2",
                "prefix=Users%2FJohnSmith%2FProjects%2FInfraRepo%2Flogs&delimiter=%2F",
                "Unable to open /Users/JohnSmith/Projects/ListOfThings/UserIdMapping/config",
            ] {
                assert_eq!(r.text(kept), kept);
            }
        }
    }

    /// Paths next to every secret shape: the path stays, the secrets go.
    #[test]
    fn paths_beside_secrets_keep_the_paths_only() {
        let r = Redactor::default();
        let token = "IQoJb3JpZ2luX2VjEPLANTEDTOKENvYXdzEFQaCXVzLWVhc3QtMSJHMEUCIQD";
        let presigned = format!(
            "GET https://acme.s3.amazonaws.com/Users/JohnSmith/Projects/InfraRepo/MonthlyReport.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261126%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token={token}&X-Amz-Signature=de7c4aac0123456789abcdef0123456789abcdef0123456789abcdef01234567"
        );
        let out = r.text(&presigned).into_owned();
        assert!(
            out.contains("/Users/JohnSmith/Projects/InfraRepo/MonthlyReport.csv?"),
            "{out}"
        );
        assert!(out.contains("AKIA…MPLE"), "{out}");
        assert!(!out.contains(token), "{out}");
        assert!(!out.contains("0123456789abcdef0123"), "{out}");
        let sso = "{\"startUrl\": \"https://acme.awsapps.com/start\", \"accessToken\": \"aoaAAAAAGVhZDRjYWJjLTQ2ZjMtNGQxNy1iNmE2LWNhZjYzNzAxNjBhNUpersonalToken\", \"cachePath\": \"/Users/JohnSmith/.aws/sso/cache/InfraRepoDeploymentCache2024.json\"}";
        let out = r.text(sso).into_owned();
        assert!(!out.contains("GVhZDRjYWJj"), "{out}");
        assert!(
            out.contains("/Users/JohnSmith/.aws/sso/cache/InfraRepoDeploymentCache2024.json"),
            "{out}"
        );
        let creds = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in /Users/JohnSmith/Projects/InfraRepo/credentials";
        let out = r.text(creds).into_owned();
        assert!(!out.contains("wJalrXUtnFEMI"), "{out}");
        assert!(
            out.ends_with("in /Users/JohnSmith/Projects/InfraRepo/credentials"),
            "{out}"
        );
    }

    /// Random secret keys and session tokens do not read as words: the
    /// path exemption lets none of these through (a fixed seed; the rate
    /// measured over ten million keys is in [`words`]).
    #[test]
    fn random_secrets_are_not_taken_for_paths() {
        const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            BASE64[(x % 64) as usize] as char
        };
        let r = Redactor::default();
        for i in 0..4_000 {
            let len = if i % 10 == 0 { 120 } else { 40 };
            let secret: String = (0..len).map(|_| next()).collect();
            if looks_secret(&secret) {
                for text in [format!("raw {secret} end"), format!("/{secret}/")] {
                    let out = r.text(&text);
                    assert!(!out.contains(&secret), "{out}");
                }
            }
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
    fn a_label_inside_a_longer_name_before_a_word_is_no_secret() {
        let r = Redactor::default();
        // Real line (pulumi/pulumi-aws, fixtures/wild/iac-pulumi-aws-sso-token-from-old-cli-timestamp.txt).
        let line = "Error: SSOProviderInvalidToken: the SSO session has expired or is invalid";
        assert_eq!(r.text(line), line);
        // A real label keeps hiding its value, word-like or not.
        assert!(!r.text("idToken: secretword").contains("secretword"));
        let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
        assert!(!r.text(&format!("awsSessionToken: {token}")).contains(token));
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

    /// Shapes that used to get through (issue "Hostile input"): each is
    /// hidden, and the text a reader needs around it stays.
    #[test]
    fn hides_the_shapes_that_used_to_get_through() {
        let r = Redactor::default();
        let sig_v2 = "vjbyPxybdZaNmGa%2ByT272YEAiv4%3D";
        let jwt = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLWp3dA_x-y";
        let encoded = "wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY";
        let double = "wJalrXUtnFEMI%252FK7MDENG%252FbPxRfiCYEXAMPLEKEY";
        let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
        for (text, secret, kept) in [
            (
                format!(
                    "GET https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1700000000&Signature={sig_v2}"
                ),
                "ByT272YEAiv4".to_string(),
                "Expires=1700000000",
            ),
            (
                "Authorization: AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=".to_string(),
                "tOLCwo//yllqDzg".to_string(),
                "AKIA…MPLE:frJIUN8D…",
            ),
            (
                format!("WebIdentityToken={jwt}&RoleArn=arn:aws:iam::111122223333:role/ci"),
                "c2lnbmF0dXJl".to_string(),
                "arn:aws:iam::111122223333:role/ci",
            ),
            (
                format!("Authorization: Bearer {jwt}"),
                "eyJzdWIiOiJyZXBv".to_string(),
                "Authorization: Bearer",
            ),
            (
                format!("a token {jwt} in text"),
                "eyJzdWIiOiJyZXBv".to_string(),
                "in text",
            ),
            (
                format!("secret={encoded}"),
                "bPxRfiCYEXAMPLEKEY".to_string(),
                "secret=",
            ),
            (
                format!("body: key%3D{double}"),
                "bPxRfiCYEXAMPLEKEY".to_string(),
                "body: key",
            ),
            (
                format!("q=x&SessionToken%3D{token}%26next"),
                token.to_string(),
                "q=x",
            ),
            (
                format!("%22aws_session_token%22%3A%22{token}%22"),
                token.to_string(),
                "aws_session_token",
            ),
            (
                "Signature = 0123456789abcdef0123456789abcdef".to_string(),
                "89abcdef0123".to_string(),
                "Signature = 01234567…",
            ),
            (
                "proxy http://bob:p@ss:w0rd@proxy.corp:3128/ failed".to_string(),
                "ss:w0rd".to_string(),
                "@proxy.corp:3128/ failed",
            ),
            (
                "docker login -u AWS --password hunter2secret 1234.dkr.ecr.us-east-1.amazonaws.com"
                    .to_string(),
                "hunter2secret".to_string(),
                "1234.dkr.ecr.us-east-1.amazonaws.com",
            ),
            (
                "docker login -u AWS -p hunter2secret 1234.dkr.ecr.us-east-1.amazonaws.com"
                    .to_string(),
                "hunter2secret".to_string(),
                "1234.dkr.ecr.us-east-1.amazonaws.com",
            ),
        ] {
            let out = r.text(&text);
            assert!(!out.contains(&secret), "{out}");
            assert!(out.contains(kept), "{out}");
        }
        // `--password-stdin` has no value to hide.
        let stdin = "aws ecr get-login-password | docker login --username AWS --password-stdin 1234.dkr.ecr.us-east-1.amazonaws.com";
        assert_eq!(r.text(stdin), stdin);
    }
}
