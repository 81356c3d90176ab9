//! Plain records that parsers produce and later stages consume.
//!
//! Every record carries the 1-based line range it came from, so a finding can
//! always point back at the lines that prove it. Nothing here knows how a log
//! was laid out: that is the parsers' business.

use serde::Serialize;

/// A 1-based, inclusive line range inside one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub line: usize,
    pub end_line: usize,
}

impl Span {
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
    pub line: usize,
    /// Shared: one line is often evidence for several facts and findings.
    pub text: std::sync::Arc<str>,
}

/// An HTTP request as the client logged it just before sending.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    pub method: String,
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
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    /// Decoded body text (Python bytes reprs already unescaped).
    pub body: Option<String>,
    /// The log line that showed the status.
    pub status_line: Option<EvidenceLine>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

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
    pub text: String,
    pub span: Span,
}

/// One signed attempt of one API operation: what was signed, what was sent,
/// what came back.
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    pub operation: Option<String>,
    /// Signing region and name as the endpoint resolver chose them.
    pub signing_region: Option<String>,
    pub signing_name: Option<String>,
    /// The access key id the client signed with, when the log names it
    /// apart from the `Authorization` header (the AWS SDK for Rust redacts
    /// that header and logs its signing parameters instead).
    pub signing_key: Option<(String, EvidenceLine)>,
    pub canonical_request: Option<Logged>,
    pub string_to_sign: Option<Logged>,
    pub signature: Option<Logged>,
    pub request: Option<HttpRequest>,
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
    pub endpoint: Option<String>,
    pub disabled: bool,
    /// Connection-level failures (refused, timeout).
    pub connect_failures: usize,
    /// Non-success HTTP statuses returned by the metadata service.
    pub error_statuses: Vec<u16>,
    pub gave_up: bool,
    pub evidence: Vec<EvidenceLine>,
}

/// The kind of failure a client reported, independent of its wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// A service answered with an error code (`An error occurred (Code) ...`).
    ServiceError,
    NoCredentials,
    ProfileNotFound,
    PartialCredentials,
    ConfigParse,
    EndpointConnection,
    ConnectTimeout,
    Proxy,
    Tls,
    SsoToken,
    CredentialRetrieval,
    MfaPrompt,
    /// The credentials need MFA and the client has no way to ask for it.
    MfaRequired,
    /// No region configured, so no endpoint to call.
    NoRegion,
    /// The client says the resource is in another region.
    WrongRegion,
    /// The instance metadata service (or the container credentials
    /// endpoint) did not answer with credentials.
    Imds,
    /// Temporary credentials expired and could not be refreshed (said by
    /// the client, before AWS answered).
    CredentialsExpired,
    CliUsage,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::ServiceError => "service-error",
            ErrorKind::NoCredentials => "no-credentials",
            ErrorKind::ProfileNotFound => "profile-not-found",
            ErrorKind::PartialCredentials => "partial-credentials",
            ErrorKind::ConfigParse => "config-parse",
            ErrorKind::EndpointConnection => "endpoint-connection",
            ErrorKind::ConnectTimeout => "connect-timeout",
            ErrorKind::Proxy => "proxy",
            ErrorKind::Tls => "tls",
            ErrorKind::SsoToken => "sso-token",
            ErrorKind::CredentialRetrieval => "credential-retrieval",
            ErrorKind::MfaPrompt => "mfa-prompt",
            ErrorKind::MfaRequired => "mfa-required",
            ErrorKind::NoRegion => "no-region",
            ErrorKind::WrongRegion => "wrong-region",
            ErrorKind::Imds => "imds",
            ErrorKind::CredentialsExpired => "credentials-expired",
            ErrorKind::CliUsage => "cli-usage",
        }
    }
}

/// A failure the client reported in words (final error line, traceback tail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEvent {
    pub kind: ErrorKind,
    pub code: Option<String>,
    /// The code was not printed; it comes from AWS's standard wording of
    /// the message.
    pub code_inferred: bool,
    pub operation: Option<String>,
    pub message: String,
    /// A kind-specific detail: the missing profile, the unreachable URL, ...
    pub detail: Option<String>,
    /// HTTP status and service, when the tool prints them.
    pub status: Option<u16>,
    pub service: Option<String>,
    /// Which tool printed the line (`aws-cli/botocore`, `terraform`, …).
    pub tool: Option<&'static str>,
    /// A reaction to another failure, never the root cause by itself.
    pub consequence: bool,
    pub evidence: EvidenceLine,
}

/// One client run (one `aws` invocation, or one SDK session): the unit that
/// becomes one incident.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub span: Option<Span>,
    /// When the run started, in seconds since the epoch of the log's own
    /// clock (debug logs print local time without a zone: comparable within
    /// one log, not with UTC).
    pub started: Option<i64>,
    pub cli_version: Option<String>,
    pub cli_version_line: Option<EvidenceLine>,
    pub arguments: Option<String>,
    pub credential_steps: Vec<(CredentialStep, EvidenceLine)>,
    pub imds: ImdsState,
    pub exchanges: Vec<Exchange>,
    pub errors: Vec<ErrorEvent>,
    /// Number of log records that made up the run.
    pub records: usize,
}
