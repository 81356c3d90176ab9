//! Plain records that parsers produce and later stages consume.
//!
//! Every record carries the 1-based line range it came from, so a finding can
//! always point back at the lines that prove it. Nothing here knows how a log
//! was laid out: that is the parsers' business.

use serde::Serialize;

/// A 1-based, inclusive line range inside one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// First line.
    pub line: usize,
    /// Last line (the same as `line` for one line).
    pub end_line: usize,
}

impl Span {
    /// A one-line span.
    pub fn line(line: usize) -> Self {
        Span {
            line,
            end_line: line,
        }
    }
}

/// One line quoted as evidence, exactly as it appeared in the input
/// (redaction and sanitising happen at output time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceLine {
    /// Its 1-based line number.
    pub line: usize,
    /// Shared: one line is often evidence for several facts and findings.
    pub text: std::sync::Arc<str>,
}

/// An HTTP request as the client logged it just before sending.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The URL as logged (scheme, host, path and query).
    pub url: String,
    /// Header names keep the case the client used; order is preserved.
    pub headers: Vec<(String, String)>,
    /// The log line that showed the request.
    pub line: Option<EvidenceLine>,
}

impl HttpRequest {
    /// Case-insensitive header lookup (HTTP header names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// The response the client received.
#[derive(Debug, Clone, Default)]
pub struct HttpResponse {
    /// The HTTP status, when the log shows it.
    pub status: Option<u16>,
    /// Response headers in the order logged.
    pub headers: Vec<(String, String)>,
    /// Decoded body text (Python bytes reprs already unescaped).
    pub body: Option<String>,
    /// The log line that showed the status.
    pub status_line: Option<EvidenceLine>,
}

impl HttpResponse {
    /// Case-insensitive header lookup.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// The first header named `name`, compared case-insensitively.
pub fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A block of text the client logged while signing (canonical request,
/// string to sign, signature).
#[derive(Debug, Clone)]
pub struct Logged {
    /// The block as logged, line breaks kept.
    pub text: String,
    /// Where it is in the input.
    pub span: Span,
}

/// One signed attempt of one API operation: what was signed, what was sent,
/// what came back.
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    /// The API operation (`ListObjectsV2`), when the log names it.
    pub operation: Option<String>,
    /// Signing region and name as the endpoint resolver chose them.
    pub signing_region: Option<String>,
    /// The signing name (service) as the endpoint resolver chose it.
    pub signing_name: Option<String>,
    /// The access key id the client signed with, when the log names it
    /// apart from the `Authorization` header (the AWS SDK for Rust redacts
    /// that header and logs its signing parameters instead).
    pub signing_key: Option<(String, EvidenceLine)>,
    /// The canonical request the client logged.
    pub canonical_request: Option<Logged>,
    /// The string to sign the client logged.
    pub string_to_sign: Option<Logged>,
    /// The signature the client logged.
    pub signature: Option<Logged>,
    /// The request as sent.
    pub request: Option<HttpRequest>,
    /// What came back (empty when nothing did).
    pub response: HttpResponse,
}

/// What the credential provider chain logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialStep {
    /// `Looking for credentials via: <provider>`
    Looking(String),
    /// `Found credentials in ...` and its variants, normalised to a provider name.
    Found(String),
    /// An explicit `--profile` disabled the environment provider.
    EnvSkippedForProfile,
}

/// Instance metadata service observations (botocore.utils lines).
#[derive(Debug, Clone, Default)]
pub struct ImdsState {
    /// The metadata endpoint the client tried.
    pub endpoint: Option<String>,
    /// The client was told not to use the metadata service.
    pub disabled: bool,
    /// Connection-level failures (refused, timeout).
    pub connect_failures: usize,
    /// Non-success HTTP statuses returned by the metadata service.
    pub error_statuses: Vec<u16>,
    /// The client stopped trying the metadata service.
    pub gave_up: bool,
    /// The lines that show all this.
    pub evidence: Vec<EvidenceLine>,
}

/// Defines [`ErrorKind`] from one list: each variant with its stable name,
/// so the enum, [`ErrorKind::as_str`] and [`ErrorKind::NAMES`] (the values
/// of fact `error.kind`) cannot drift apart.
macro_rules! error_kinds {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// The kind of failure a client reported, independent of its wording.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum ErrorKind {
            $($(#[doc = $doc])* #[serde(rename = $name)] $variant,)*
        }

        impl ErrorKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant),*];

            /// Every kind's name, in the order of [`ErrorKind::ALL`]: the
            /// values fact `error.kind` can take.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            /// The stable kebab-case name (fact `error.kind`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $name,)*
                }
            }
        }
    };
}

error_kinds! {
    /// A service answered with an error code (`An error occurred (Code) ...`).
    ServiceError = "service-error",
    /// No credential provider found credentials (`Unable to locate credentials`).
    NoCredentials = "no-credentials",
    /// The named profile is in no config or credentials file.
    ProfileNotFound = "profile-not-found",
    /// A profile holds only part of a key pair.
    PartialCredentials = "partial-credentials",
    /// A config or credentials file does not parse.
    ConfigParse = "config-parse",
    /// The endpoint could not be reached.
    EndpointConnection = "endpoint-connection",
    /// Connecting or reading timed out.
    ConnectTimeout = "connect-timeout",
    /// The proxy refused or failed the connection.
    Proxy = "proxy",
    /// TLS failed (certificate verification, handshake).
    Tls = "tls",
    /// The SSO session or token is missing or expired.
    SsoToken = "sso-token",
    /// A credential provider failed to fetch credentials (process, container, IMDS).
    CredentialRetrieval = "credential-retrieval",
    /// The client asked for an MFA code.
    MfaPrompt = "mfa-prompt",
    /// The credentials need MFA and the client has no way to ask for it.
    MfaRequired = "mfa-required",
    /// No region configured, so no endpoint to call.
    NoRegion = "no-region",
    /// The client says the resource is in another region.
    WrongRegion = "wrong-region",
    /// The instance metadata service (or the container credentials
    /// endpoint) did not answer with credentials.
    Imds = "imds",
    /// Temporary credentials expired and could not be refreshed (said by
    /// the client, before AWS answered).
    CredentialsExpired = "credentials-expired",
    /// The command line itself was wrong (unknown option, bad parameter).
    CliUsage = "cli-usage",
    /// Not a client's report: `authsift config` found a problem in a config
    /// or credentials file or in the environment, before any client ran
    /// (`error.code` names the check).
    ConfigCheck = "config-check",
    /// Words of a failure around AWS that no recogniser could name: never
    /// a clean bill, never a cause either.
    Unrecognised = "unrecognised",
}

/// A failure the client reported in words (final error line, traceback tail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEvent {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// The AWS error code (`AccessDenied`), when there is one.
    pub code: Option<String>,
    /// The code was not printed; it comes from AWS's standard wording of
    /// the message.
    pub code_inferred: bool,
    /// The API operation that failed, when named.
    pub operation: Option<String>,
    /// The message as the tool printed it.
    pub message: String,
    /// A kind-specific detail: the missing profile, the unreachable URL, ...
    pub detail: Option<String>,
    /// HTTP status and service, when the tool prints them.
    pub status: Option<u16>,
    /// The service, when the tool prints it.
    pub service: Option<String>,
    /// Which tool printed the line (`aws-cli/botocore`, `terraform`, …).
    pub tool: Option<&'static str>,
    /// A reaction to another failure, never the root cause by itself.
    pub consequence: bool,
    /// The line that shows the failure.
    pub evidence: EvidenceLine,
}

/// What a pasted text says around its failures, that decided many a
/// thread's diagnosis: the region it names, a proxy in the path, a request
/// path with characters clients encode differently, credentials in the
/// environment beside a named profile. Each is the line that shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextContext {
    /// A region name the text uses (`--region`, `AWS_REGION=`, an endpoint
    /// host, a credential scope), as written.
    pub region: Option<(String, EvidenceLine)>,
    /// A proxy between the client and AWS (`HTTPS_PROXY`, a `Via` header
    /// not from CloudFront, `X-Forwarded-For`).
    pub proxy: Option<EvidenceLine>,
    /// A signed request path with characters clients encode differently
    /// (`%7E`, a space, `+`, `//`).
    pub odd_path: Option<EvidenceLine>,
    /// `AWS_ACCESS_KEY_ID` set in the environment.
    pub env_keys: Option<EvidenceLine>,
    /// A profile the text names (`AWS_PROFILE=`, `--profile`).
    pub profile: Option<(String, EvidenceLine)>,
    /// A temporary (`ASIA…`) access key id in the text, a command run
    /// through a tool that hands out temporary credentials (`aws-vault
    /// exec`, `saml2aws`, …), a session token set by name
    /// (`AWS_SESSION_TOKEN`, `aws_session_token`, `sessionToken`), or a
    /// role the tool assumes before its calls (`--assume-role-arn`, an
    /// `assume_role` block), or Lambda's runtime (its log lines, `/var/task`),
    /// which runs code with its role's temporary credentials.
    pub temporary_key: Option<EvidenceLine>,
    /// The failing request went to S3 (or an S3-compatible store): an S3
    /// exception class, S3's error body or host id, an S3 endpoint.
    pub s3: Option<EvidenceLine>,
    /// The client runs on AWS compute (an EC2 host name or prompt, the
    /// instance's metadata options, a Kubernetes pod, an ECS task): there
    /// the metadata service is meant to answer, so its failure is no
    /// laptop falling through its credential chain.
    pub aws_compute: Option<EvidenceLine>,
    /// The region an ECR login token was asked for (`aws ecr
    /// get-login-password --region R`, or the older `get-login`).
    pub ecr_login_region: Option<(String, EvidenceLine)>,
    /// The region of an ECR registry the text names
    /// (`<account>.dkr.ecr.<region>.amazonaws.com`).
    pub ecr_registry_region: Option<(String, EvidenceLine)>,
    /// A region of a partition other than the commercial one (`cn-north-1`,
    /// `us-gov-west-1`) that the text names anywhere: access keys and
    /// identity providers exist in one partition only.
    pub other_partition: Option<(String, EvidenceLine)>,
    /// MFA in play: an `mfa_serial`, an MFA code option (`--mfa-token`,
    /// `--serial-number`, `--token-code`), an MFA condition in a pasted
    /// policy (`aws:MultiFactorAuthPresent`), or MFA named.
    pub mfa: Option<EvidenceLine>,
    /// A credential variable set or read under a name no AWS client reads,
    /// one or two letters off a real one (`AWS_SECRET_ACCES_KEY`), and the
    /// name it misses.
    pub env_misspelt: Option<(String, &'static str, EvidenceLine)>,
}

/// One client run (one `aws` invocation, or one SDK session): the unit that
/// becomes one incident.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// The lines the run covers.
    pub span: Option<Span>,
    /// When the run started, in seconds since the epoch of the log's own
    /// clock (debug logs print local time without a zone: comparable within
    /// one log, not with UTC).
    pub started: Option<i64>,
    /// The client's version line (`aws-cli/1.46.3 Python/3.12 …`).
    pub cli_version: Option<String>,
    /// Where the version was logged.
    pub cli_version_line: Option<EvidenceLine>,
    /// The command's arguments, as the CLI logged them.
    pub arguments: Option<String>,
    /// The credential provider chain's steps, in order.
    pub credential_steps: Vec<(CredentialStep, EvidenceLine)>,
    /// What the instance metadata service did.
    pub imds: ImdsState,
    /// Every signed attempt, in order.
    pub exchanges: Vec<Exchange>,
    /// Every failure reported in words, in order.
    pub errors: Vec<ErrorEvent>,
    /// What the text says around the failures (pasted text and CI output;
    /// a debug log's structure says it more exactly).
    pub context: TextContext,
    /// Number of log records that made up the run.
    pub records: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kind_names_are_distinct_and_what_serde_writes() {
        assert_eq!(ErrorKind::ALL.len(), ErrorKind::NAMES.len());
        for (kind, name) in ErrorKind::ALL.iter().zip(ErrorKind::NAMES) {
            assert_eq!(kind.as_str(), *name);
            assert_eq!(serde_json::to_value(kind).unwrap(), *name);
        }
        let mut names = ErrorKind::NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorKind::NAMES.len());
    }
}
