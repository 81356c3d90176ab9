//! The exact one-line failure shapes of the common AWS clients, whatever
//! surrounds them: these give the operation, HTTP status and service too.
//!
//! The same wording shows up as the last line of a traceback
//! (`botocore.exceptions.NoCredentialsError: Unable to locate credentials`),
//! as the CLI's final stderr line, with a CLI v2 `aws: [ERROR]: ` prefix, or
//! inside a CI log. Recognisers therefore match anywhere in a line.
//!
//! Beyond botocore and the AWS CLI, the shapes other tools print when they
//! call AWS (shared/reference/formats.md §3–4): aws-sdk-go v1/v2 and the
//! Terraform AWS provider, the Java SDK, the JavaScript SDK v3 and what is
//! built on it (CDK, Serverless, aws-actions/configure-aws-credentials), and
//! docker's reaction to a failed `aws ecr get-login-password`.
//!
//! Matching: one Aho-Corasick automaton of all the shapes' fixed needles
//! finds which shapes can apply to a line; only those are tried.

use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use crate::model::{ErrorEvent, ErrorKind, EvidenceLine};

#[derive(Clone, Copy)]
struct Recogniser {
    needle: &'static str,
    kind: ErrorKind,
    /// Captures: `code`, `op`, `msg`, `detail`, `status`, `svc` (all optional).
    pattern: &'static str,
    /// The tool that prints this shape.
    tool: &'static str,
    /// The operation, when the shape implies it and does not print it.
    op: Option<&'static str>,
    /// A reaction to an earlier failure (docker after a failed
    /// `get-login-password`): never the root cause when another failure exists.
    consequence: bool,
}

const BOTOCORE: Recogniser = Recogniser {
    needle: "",
    kind: ErrorKind::ServiceError,
    pattern: "",
    tool: "aws-cli/botocore",
    op: None,
    consequence: false,
};

/// The shapes, in priority order: when several match one line, the first
/// wins. (`Code: message` without a shape around it is found by the code
/// table, `super::codes`.)
static RECOGNISERS: LazyLock<Vec<Recogniser>> = LazyLock::new(|| FIXED.to_vec());

const FIXED: &[Recogniser] = &[
    Recogniser {
        needle: "An error occurred (",
        kind: ErrorKind::ServiceError,
        pattern: r"An error occurred \((?P<code>[^)]*)\) when calling the (?P<op>[[:word:]]+) operation(?: \(reached max retries: [0-9]+\))?: ?(?P<msg>.*)",
        ..BOTOCORE
    },
    Recogniser {
        needle: "A client error (",
        kind: ErrorKind::ServiceError,
        pattern: r"A client error \((?P<code>[^)]*)\) occurred when calling the (?P<op>[[:word:]]+) operation: ?(?P<msg>.*)",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Unable to locate credentials",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>Unable to locate credentials.*)",
        ..BOTOCORE
    },
    // `aws configure list`, which users run when a call fails: the CLI's
    // resolved credentials, one row each, `<not set>` when no provider had
    // any (AWS CLI User Guide, "aws configure list").
    Recogniser {
        needle: "<not set>",
        kind: ErrorKind::NoCredentials,
        pattern: r"^\s*(?P<msg>access_key\s+<not set>)\s+None\s+None\s*$",
        ..BOTOCORE
    },
    Recogniser {
        needle: "could not be found",
        kind: ErrorKind::ProfileNotFound,
        pattern: r"(?P<msg>The config profile \((?P<detail>.*)\) could not be found)",
        ..BOTOCORE
    },
    // Any other tool naming the profile it did not find: Serverless'
    // `Profile staging does not exist`, `profile "x" not found`.
    Recogniser {
        needle: "rofile ",
        kind: ErrorKind::ProfileNotFound,
        pattern: r#"(?P<msg>\b[Pp]rofile\s+["'`(\[]?(?P<detail>[A-Za-z0-9_.@+-]+)["'`)\]]?\s+(?:does not exist|(?:was |could )?not (?:be )?found)\b.*)"#,
        tool: "sdk",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Partial credentials found in ",
        kind: ErrorKind::PartialCredentials,
        pattern: r"(?P<msg>Partial credentials found in (?P<detail>[^[:space:]]+), missing: .*)",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Unable to parse config file: ",
        kind: ErrorKind::ConfigParse,
        pattern: r"(?P<msg>Unable to parse config file: (?P<detail>.*))",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Failed to connect to proxy URL: ",
        kind: ErrorKind::Proxy,
        pattern: r#"(?P<msg>Failed to connect to proxy URL: "(?P<detail>[^"]*)".*)"#,
        ..BOTOCORE
    },
    Recogniser {
        needle: "SSL validation failed for ",
        kind: ErrorKind::Tls,
        pattern: r"(?P<msg>SSL validation failed for (?P<detail>[^[:space:]]+).*)",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Could not connect to the endpoint URL: ",
        kind: ErrorKind::EndpointConnection,
        pattern: r#"(?P<msg>Could not connect to the endpoint URL: "(?P<detail>[^"]*)".*)"#,
        ..BOTOCORE
    },
    Recogniser {
        needle: "timeout on endpoint URL: ",
        kind: ErrorKind::ConnectTimeout,
        pattern: r#"(?P<msg>(?:Connect|Read) timeout on endpoint URL: "(?P<detail>[^"]*)".*)"#,
        ..BOTOCORE
    },
    Recogniser {
        needle: "before we received a valid response from endpoint URL",
        kind: ErrorKind::EndpointConnection,
        pattern: r#"(?P<msg>Connection was closed before we received a valid response from endpoint URL: "(?P<detail>[^"]*)".*)"#,
        ..BOTOCORE
    },
    Recogniser {
        needle: "The SSO session associated with this profile",
        kind: ErrorKind::SsoToken,
        pattern: r"(?P<msg>The SSO session associated with this profile.*)",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Error when retrieving token from sso",
        kind: ErrorKind::SsoToken,
        pattern: r"(?P<msg>Error when retrieving token from sso: ?(?P<detail>.*))",
        ..BOTOCORE
    },
    // The two metadata providers (instance and container): the metadata
    // service failed, not a provider of the user's own.
    Recogniser {
        needle: "Error when retrieving credentials from iam-role",
        kind: ErrorKind::Imds,
        pattern: r"(?P<msg>Error when retrieving credentials from (?P<detail>iam-role):.*)",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Error when retrieving credentials from container-role",
        kind: ErrorKind::Imds,
        pattern: r"(?P<msg>Error when retrieving credentials from (?P<detail>container-role):.*)",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Error when retrieving credentials from ",
        kind: ErrorKind::CredentialRetrieval,
        pattern: r"(?P<msg>Error when retrieving credentials from (?P<detail>[[:word:]-]+): .*)",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Enter MFA code for ",
        kind: ErrorKind::MfaPrompt,
        pattern: r"(?P<msg>Enter MFA code for (?P<detail>[^[:space:]]+?):?[[:space:]]*(?:$|[^[:space:]].*))",
        ..BOTOCORE
    },
    Recogniser {
        needle: "aws: error: ",
        kind: ErrorKind::CliUsage,
        pattern: r"aws: error: (?P<msg>.*)",
        ..BOTOCORE
    },
    // aws-sdk-go v2 and the Terraform AWS provider (v4+), e.g.
    // `operation error STS: GetCallerIdentity, https response error StatusCode: 403,
    //  RequestID: …, api error SignatureDoesNotMatch: …` [formats.md §3.2, §3.6]
    Recogniser {
        needle: "https response error StatusCode: ",
        pattern: r"operation error (?P<svc>[^:,]+): (?P<op>[[:word:]]+), https response error StatusCode: (?P<status>[0-9]+), RequestID: [^,]*, (?:HostID: [^,]*, )?api error (?P<code>[^:[:space:]]+): ?(?P<msg>.*)",
        tool: "aws-sdk-go-v2",
        ..BOTOCORE
    },
    // Terraform AWS provider: `no valid credential sources for Terraform AWS Provider found`
    // (older: `No valid credential sources found for AWS Provider`).
    Recogniser {
        needle: "valid credential sources",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>(?i:no valid credential sources).*)",
        tool: "terraform",
        ..BOTOCORE
    },
    // aws-sdk-go v1: `NoCredentialProviders: no valid providers in chain`.
    Recogniser {
        needle: "NoCredentialProviders",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>NoCredentialProviders: .*)",
        tool: "aws-sdk-go",
        ..BOTOCORE
    },
    // AWS SDK for Java: v1 `… (Service: Amazon S3; Status Code: 403; Error Code:
    // AccessDenied; Request ID: …)`, v2 `… (Service: S3, Status Code: 403, Request ID: …)`.
    // The message may hold parentheses of its own (`Signature expired: … (… - 15 min.)`).
    Recogniser {
        needle: "(Service: ",
        pattern: r"(?P<msg>(?:[^()]|\([^()]*\))*?)[[:space:]]*\(Service: (?P<svc>[^;,)]+)[;,] Status Code: (?P<status>[0-9]+)[;,](?: Error Code: (?P<code>[^;,)]+)[;,])? Request ID",
        tool: "aws-sdk-java",
        ..BOTOCORE
    },
    // aws-actions/configure-aws-credentials [formats.md §4.1].
    Recogniser {
        needle: "Could not assume role with OIDC: ",
        pattern: r"Could not assume role with OIDC: (?P<msg>.*)",
        tool: "configure-aws-credentials",
        op: Some("AssumeRoleWithWebIdentity"),
        ..BOTOCORE
    },
    Recogniser {
        needle: "Could not assume role with web identity token file: ",
        pattern: r"Could not assume role with web identity token file: (?P<msg>.*)",
        tool: "configure-aws-credentials",
        op: Some("AssumeRoleWithWebIdentity"),
        ..BOTOCORE
    },
    Recogniser {
        needle: "Could not assume role with user credentials: ",
        pattern: r"Could not assume role with user credentials: (?P<msg>.*)",
        tool: "configure-aws-credentials",
        op: Some("AssumeRole"),
        ..BOTOCORE
    },
    Recogniser {
        needle: "Could not load credentials from any providers",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>Could not load credentials from any providers.*)",
        tool: "aws-sdk-js",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Credentials could not be loaded, please check your action inputs",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>Credentials could not be loaded, please check your action inputs.*)",
        tool: "configure-aws-credentials",
        ..BOTOCORE
    },
    // AWS SDK for Rust: an error returned from `main` prints its `Debug` form,
    // `Error: ServiceError(ServiceError { source: Unhandled(Unhandled { source:
    // ErrorMetadata { code: Some("InvalidClientTokenId"), message: Some("…"), …`;
    // `DisplayErrorContext` prints `… (InvalidClientTokenId): Error { code: "…", message: "…" }`.
    Recogniser {
        needle: "ErrorMetadata { code: Some(\"",
        pattern: r#"ErrorMetadata \{ code: Some\("(?P<code>[^"]+)"\), message: (?:Some\("(?P<msg>(?:[^"\\]|\\.)*)"\)|None)"#,
        tool: "aws-sdk-rust",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Error { code: \"",
        pattern: r#"Error \{ code: "(?P<code>[^"]+)"(?:, message: "(?P<msg>(?:[^"\\]|\\.)*)")?"#,
        tool: "aws-sdk-rust",
        ..BOTOCORE
    },
    // The Rust SDK's whole credential chain found nothing. (Each provider
    // that fails along the way logs "the credential provider was not
    // enabled" at debug level, also in runs that then find credentials.)
    Recogniser {
        needle: "CredentialsNotLoaded(CredentialsNotLoaded { source: Some(ProviderChainError",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>CredentialsNotLoaded)\(",
        tool: "aws-sdk-rust",
        ..BOTOCORE
    },
    // docker holding no login for an ECR registry (its `no basic auth
    // credentials`, said of any registry: only an ECR host makes it AWS's).
    Recogniser {
        needle: "no basic auth credentials",
        kind: ErrorKind::Unrecognised,
        pattern: r"(?P<msg>.*\.dkr\.ecr\..*no basic auth credentials.*)",
        tool: "docker",
        ..BOTOCORE
    },
    // docker login fed by a failed `aws ecr get-login-password` [formats.md §4.4].
    Recogniser {
        needle: "Cannot perform an interactive login from a non TTY device",
        kind: ErrorKind::CliUsage,
        pattern: r"(?P<msg>Cannot perform an interactive login from a non TTY device)",
        tool: "docker",
        consequence: true,
        ..BOTOCORE
    },
    // The shared credentials file missing where a client reads it, in the
    // words of the runtime that opened it: Go's `open <path>: no such file
    // or directory`, Python's `[Errno 2] No such file or directory:
    // '<path>'`, Node's `ENOENT: no such file or directory, open '<path>'`.
    Recogniser {
        needle: "credentials: no such file or directory",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>.*?(?P<detail>[^\s'\x22]*\.aws[/\\]credentials): no such file or directory.*)",
        tool: "sdk",
        ..BOTOCORE
    },
    Recogniser {
        needle: "such file or directory: '",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>.*[Nn]o such file or directory: '(?P<detail>[^']*\.aws[/\\]credentials)'.*)",
        tool: "sdk",
        ..BOTOCORE
    },
    Recogniser {
        needle: "such file or directory, open '",
        kind: ErrorKind::NoCredentials,
        pattern: r"(?P<msg>.*no such file or directory, open '(?P<detail>[^']*\.aws[/\\]credentials)'.*)",
        tool: "sdk",
        ..BOTOCORE
    },
    // A client refusing a region by name, in its own words: the region is
    // either one it is too old to know (the region table decides) or no
    // region at all. botocore's InvalidRegionError, older SDKs' and tools'
    // region lists (`Invalid region provided: us-east-2`), the Java SDK
    // v1's `Regions.fromName`, the .NET SDK's `RegionEndpoint` fields
    // missing from an older AWSSDK.Core at run time.
    Recogniser {
        needle: "nvalid region",
        kind: ErrorKind::CliUsage,
        pattern: r#"(?P<msg>[Ii]nvalid region(?: name| provided| specified| value)?:?\s*['"`]?(?P<detail>[a-z]{2}(?:-[a-z]+)+-[0-9]+)\b.*)"#,
        tool: "sdk",
        ..BOTOCORE
    },
    Recogniser {
        needle: "nknown region",
        kind: ErrorKind::CliUsage,
        pattern: r#"(?P<msg>[Uu]nknown region(?: name| provided| specified| value)?:?\s*['"`]?(?P<detail>[a-z]{2}(?:-[a-z]+)+-[0-9]+)\b.*)"#,
        tool: "sdk",
        ..BOTOCORE
    },
    Recogniser {
        needle: "xception: Cannot create enum from ",
        kind: ErrorKind::CliUsage,
        pattern: r"(?P<msg>Cannot create enum from (?P<detail>[a-z]{2}(?:-[a-z]+)+-[0-9]+) value.*)",
        tool: "aws-sdk-java",
        ..BOTOCORE
    },
    Recogniser {
        needle: "Amazon.RegionEndpoint.",
        kind: ErrorKind::CliUsage,
        pattern: r"(?P<msg>.*(?:Field not found|MissingFieldException|找不到欄位|找不到字段).*'Amazon\.RegionEndpoint\.(?P<detail>[A-Za-z0-9]+)'.*)",
        tool: "aws-sdk-net",
        ..BOTOCORE
    },
];

struct Compiled {
    needles: AhoCorasick,
    /// Compiled on first use: most logs hit two or three recognisers, and
    /// compiling all of them up front delays every run.
    patterns: Vec<OnceLock<Regex>>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    Compiled {
        // Leftmost semantics let the automaton use its packed SIMD searcher.
        needles: AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(RECOGNISERS.iter().map(|r| r.needle))
            .expect("needles build an automaton"),
        patterns: RECOGNISERS.iter().map(|_| OnceLock::new()).collect(),
    }
});

/// Every shape's fixed needle (the prefilter must cover them all).
#[cfg(test)]
pub(super) fn needles() -> impl Iterator<Item = &'static str> {
    RECOGNISERS.iter().map(|r| r.needle)
}

/// Recognises one line, if it is a failure message.
pub fn recognise(line: &str, line_no: usize) -> Option<ErrorEvent> {
    let compiled = &*COMPILED;
    // The recognisers whose needles occur in the line, in priority order.
    let mut present: Vec<usize> = compiled
        .needles
        .find_iter(line)
        .map(|m| m.pattern().as_usize())
        .collect();
    present.sort_unstable();
    present.dedup();
    present.into_iter().find_map(|i| {
        if RECOGNISERS[i].kind == ErrorKind::ServiceError && i == 0 {
            return service_error(line, line_no);
        }
        let pattern = compiled.patterns[i].get_or_init(|| {
            Regex::new(RECOGNISERS[i].pattern).expect("recogniser pattern is a valid regex")
        });
        let caps = pattern.captures(line)?;
        let get = |name: &str| caps.name(name).map(|m| m.as_str().trim().to_string());
        let r = &RECOGNISERS[i];
        let message = get("msg").unwrap_or_default();
        // Tools that print only the message (Java v2, configure-aws-credentials)
        // still say which failure it was, in AWS's standard wording.
        let (code, code_inferred) = match get("code") {
            Some(code) => (Some(code), false),
            None if r.kind == ErrorKind::ServiceError => {
                (super::code_from_message(&message).map(str::to_string), true)
            }
            None => (None, false),
        };
        Some(ErrorEvent {
            kind: r.kind,
            code_inferred: code_inferred && code.is_some(),
            code,
            operation: get("op").or(r.op.map(str::to_string)),
            message,
            detail: get("detail"),
            status: get("status").and_then(|s| s.parse().ok()),
            service: get("svc"),
            tool: Some(r.tool),
            consequence: r.consequence,
            evidence: EvidenceLine {
                line: line_no,
                text: line.into(),
            },
        })
    })
}

/// `… An error occurred (Code) when calling the Op operation[ (reached max
/// retries: N)]: message` — the most frequent failure line, read without a
/// regex because its lines can be long (a whole XML body may follow).
fn service_error(line: &str, line_no: usize) -> Option<ErrorEvent> {
    const START: &str = "An error occurred (";
    let rest = &line[line.find(START)? + START.len()..];
    let (code, rest) = rest.split_once(") when calling the ")?;
    let (op, rest) = rest.split_once(" operation")?;
    if code.contains(['(', ')'])
        || op.is_empty()
        || !op.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    let rest = match rest.strip_prefix(" (reached max retries: ") {
        Some(r) => r.split_once(')')?.1,
        None => rest,
    };
    let message = rest.strip_prefix(':')?.trim();
    Some(ErrorEvent {
        kind: ErrorKind::ServiceError,
        code: Some(code.to_string()),
        code_inferred: false,
        operation: Some(op.to_string()),
        message: message.to_string(),
        detail: None,
        status: None,
        service: None,
        tool: Some(BOTOCORE.tool),
        consequence: false,
        evidence: EvidenceLine {
            line: line_no,
            text: line.into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_error_with_retry_suffix_and_v2_prefix() {
        let e = recognise("aws: [ERROR]: An error occurred (SlowDown) when calling the ListBuckets operation (reached max retries: 4): Please reduce", 7).unwrap();
        assert_eq!(e.kind, ErrorKind::ServiceError);
        assert_eq!(e.code.as_deref(), Some("SlowDown"));
        assert_eq!(e.operation.as_deref(), Some("ListBuckets"));
        assert_eq!(e.message, "Please reduce");
        assert_eq!(e.evidence.line, 7);
    }

    #[test]
    fn traceback_tail_is_recognised() {
        let e = recognise(
            "botocore.exceptions.ProfileNotFound: The config profile (prod) could not be found",
            1,
        )
        .unwrap();
        assert_eq!(e.kind, ErrorKind::ProfileNotFound);
        assert_eq!(e.detail.as_deref(), Some("prod"));
    }

    #[test]
    fn scan_reports_line_numbers_and_one_event_per_line() {
        use crate::recognise::scan;
        let text = "a\nb\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\nc\nCould not connect to the endpoint URL: \"http://127.0.0.1:1/\"\n";
        let events = scan(text, 10);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].kind, ErrorKind::NoCredentials);
        assert_eq!(events[0].evidence.line, 12);
        assert_eq!(events[1].kind, ErrorKind::EndpointConnection);
        assert_eq!(events[1].detail.as_deref(), Some("http://127.0.0.1:1/"));
        assert_eq!(events[1].evidence.line, 14);
    }

    #[test]
    fn rust_sdk_errors_in_debug_and_display_form() {
        let debug = r#"Error: ServiceError(ServiceError { source: Unhandled(Unhandled { source: ErrorMetadata { code: Some("SignatureDoesNotMatch"), message: Some("a \"quoted\"\nline"), extras: None }, meta: ErrorMetadata { code: None, message: None, extras: None } }), raw: Response { status: StatusCode(403) } })"#;
        let e = recognise(debug, 3).unwrap();
        assert_eq!(
            (e.code.as_deref(), e.message.as_str(), e.tool),
            (
                Some("SignatureDoesNotMatch"),
                r#"a \"quoted\"\nline"#,
                Some("aws-sdk-rust")
            )
        );
        let display = r#"service error: unhandled error (InvalidClientTokenId): Error { code: "InvalidClientTokenId", message: "The security token included in the request is invalid", aws_request_id: "x" }"#;
        assert_eq!(
            recognise(display, 1).unwrap().code.as_deref(),
            Some("InvalidClientTokenId")
        );
        let chain = r#"Error: DispatchFailure(DispatchFailure { source: ConnectorError { kind: Other(None), source: CredentialsNotLoaded(CredentialsNotLoaded { source: Some(ProviderChainError { attempts: [] }) }) } })"#;
        assert_eq!(recognise(chain, 1).unwrap().kind, ErrorKind::NoCredentials);
        // One provider of the chain failing is no failure yet.
        let step = "DEBUG credentials_provider_chain{provider=Environment}: aws_config::meta::credentials::chain: provider in chain did not provide credentials provider=Environment context=the credential provider was not enabled: environment variable not set";
        assert!(recognise(step, 1).is_none());
    }

    #[test]
    fn old_cli_wording() {
        let e = recognise("A client error (InvalidClientTokenId) occurred when calling the GetCallerIdentity operation: The security token included in the request is invalid.", 1).unwrap();
        assert_eq!(e.code.as_deref(), Some("InvalidClientTokenId"));
    }

    #[test]
    fn every_pattern_compiles_and_contains_its_needle() {
        // Patterns compile lazily at run time; this is where a broken one
        // must show up instead.
        for r in RECOGNISERS.iter() {
            let re = Regex::new(r.pattern).unwrap_or_else(|e| panic!("{}: {e}", r.needle));
            let sample = format!("x {} y", r.needle);
            let _ = re.is_match(&sample);
        }
    }

    #[test]
    fn other_tools_error_shapes() {
        let go = recognise("Error: operation error STS: GetCallerIdentity, https response error StatusCode: 403, RequestID: 2f1c, api error InvalidClientTokenId: The security token included in the request is invalid.", 5).unwrap();
        assert_eq!(
            (
                go.code.as_deref(),
                go.operation.as_deref(),
                go.status,
                go.service.as_deref(),
                go.tool
            ),
            (
                Some("InvalidClientTokenId"),
                Some("GetCallerIdentity"),
                Some(403),
                Some("STS"),
                Some("aws-sdk-go-v2")
            )
        );
        let s3 = recognise("operation error S3: ListObjectsV2, https response error StatusCode: 400, RequestID: 8Z, HostID: bW9j, api error AuthorizationHeaderMalformed: bad region", 1).unwrap();
        assert_eq!(s3.code.as_deref(), Some("AuthorizationHeaderMalformed"));

        let java1 = recognise("com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 6B3F)", 1).unwrap();
        assert_eq!(
            (java1.code.as_deref(), java1.status, java1.code_inferred),
            (Some("AccessDenied"), Some(403), false)
        );
        let java2 = recognise("software.amazon.awssdk.services.sts.model.StsException: The security token included in the request is invalid. (Service: Sts, Status Code: 403, Request ID: 1a2b)", 1).unwrap();
        assert_eq!(
            (java2.code.as_deref(), java2.code_inferred),
            (Some("InvalidClientTokenId"), true)
        );

        let js = crate::recognise::recognise(
            "ExpiredToken: The security token included in the request is expired",
            1,
        )
        .unwrap();
        assert_eq!(js.code.as_deref(), Some("ExpiredToken"));
        assert!(
            crate::recognise::recognise("SomethingElse: with a colon", 1).is_none(),
            "only codes AWS declares"
        );

        let oidc = recognise("Error: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity", 1).unwrap();
        assert_eq!(
            (oidc.code.as_deref(), oidc.operation.as_deref()),
            (Some("AccessDenied"), Some("AssumeRoleWithWebIdentity"))
        );
        let docker = recognise(
            "Error: Cannot perform an interactive login from a non TTY device",
            1,
        )
        .unwrap();
        assert!(docker.consequence);
        let tf = recognise(
            "Error: No valid credential sources found for AWS Provider.",
            1,
        )
        .unwrap();
        assert_eq!(tf.kind, ErrorKind::NoCredentials);
    }

    #[test]
    fn codes_are_inferred_only_from_standard_wording() {
        use crate::recognise::code_from_message;
        assert_eq!(code_from_message("Access Denied"), Some("AccessDenied"));
        assert_eq!(
            code_from_message("The provided token has expired."),
            Some("ExpiredToken")
        );
        assert_eq!(code_from_message("something went wrong"), None);
    }

    #[test]
    fn unrelated_lines_are_ignored() {
        assert!(crate::recognise::scan("all good\nnothing here\n", 1).is_empty());
    }
}
