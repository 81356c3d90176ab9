//! Words that mean a failure without an error code beside them: AWS's own
//! standard sentences (each implies a code), and each client's wording of a
//! failure it detects itself (each implies an [`ErrorKind`]).
//!
//! Tables, not code paths: a line is matched against every needle at once
//! (one Aho-Corasick automaton per table), and the first needle in table
//! order wins. The sentences are the service messages of
//! `shared/reference/formats.md` §2 and the AWS documentation's error pages;
//! the client wordings are the exception messages in each client's source
//! (`tables/client_wordings.tsv` names the file of each). None is a user's
//! paraphrase.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::Regex;

use crate::model::ErrorKind;

/// AWS's standard sentences, the error code each one is the message of,
/// and the operation it implies when the sentence names one. Matched
/// without regard to ASCII case (services capitalise them differently
/// across versions). More specific sentences come first (an MFA failure
/// is also "not authorized").
pub const SENTENCES: &[(&str, &str, Option<&str>)] = &[
    // STS / IAM / query services (formats.md §2.5).
    (
        "security token included in the request is invalid",
        "InvalidClientTokenId",
        None,
    ),
    (
        "security token included in the request is expired",
        "ExpiredToken",
        None,
    ),
    (
        "X.509 certificate or AWS access key ID provided does not exist",
        "InvalidClientTokenId",
        None,
    ),
    (
        "request must contain either a valid (registered) AWS access key ID",
        "MissingAuthenticationToken",
        None,
    ),
    (
        "Missing Authentication Token",
        "MissingAuthenticationToken",
        None,
    ),
    (
        "request signature we calculated does not match",
        "SignatureDoesNotMatch",
        None,
    ),
    ("Signature expired:", "SignatureDoesNotMatch", None),
    ("Signature not yet current:", "SignatureDoesNotMatch", None),
    (
        "Credential should be scoped to a valid region",
        "SignatureDoesNotMatch",
        None,
    ),
    (
        "credential must be scoped to a valid region",
        "InvalidSignatureException",
        None,
    ),
    (
        "Credential should be scoped to correct service",
        "SignatureDoesNotMatch",
        None,
    ),
    // S3 (formats.md §2.1–2.4, the S3 error-code list).
    (
        // S3-compatible stores leave out "AWS" (MinIO's
        // ErrInvalidAccessKeyID, cmd/api-errors.go).
        "Access Key Id you provided does not exist",
        "InvalidAccessKeyId",
        None,
    ),
    ("provided token has expired", "ExpiredToken", None),
    (
        "provided token is malformed or otherwise invalid",
        "InvalidToken",
        None,
    ),
    // S3 ends it "the current time is too large"; S3-compatible stores
    // word the end their own way (MinIO: "the server's time").
    (
        "difference between the request time and the ",
        "RequestTimeTooSkewed",
        None,
    ),
    (
        "authorization header is malformed",
        "AuthorizationHeaderMalformed",
        None,
    ),
    (
        "Invalid credential date",
        "AuthorizationHeaderMalformed",
        None,
    ),
    (
        "must be addressed using the specified endpoint",
        "PermanentRedirect",
        None,
    ),
    (
        "unspecified location constraint is incompatible",
        "IllegalLocationConstraintException",
        None,
    ),
    ("Request has expired", "RequestExpired", None),
    ("bucket is in this region", "PermanentRedirect", None),
    ("Request is not yet valid", "RequestExpired", None),
    // EC2 (formats.md §2.6).
    (
        "AWS was not able to validate the provided access credentials",
        "AuthFailure",
        None,
    ),
    (
        "You are not authorized to perform this operation",
        "UnauthorizedOperation",
        None,
    ),
    (
        "Encoded authorization failure message",
        "UnauthorizedOperation",
        None,
    ),
    (
        "access key ID needs a subscription for the service",
        "OptInRequired",
        None,
    ),
    // ECR's answer to an expired docker login token.
    ("Your authorization token has expired", "ExpiredToken", None),
    // STS web identity (AssumeRoleWithWebIdentity).
    (
        "Couldn't retrieve verification key from your identity provider",
        "InvalidIdentityToken",
        None,
    ),
    ("Incorrect token audience", "InvalidIdentityToken", None),
    (
        "No OpenIDConnect provider found in",
        "InvalidIdentityToken",
        None,
    ),
    // Denials (formats.md §2.8); MFA first, it is the more specific cause.
    ("MultiFactorAuthentication failed", "AccessDenied", None),
    (
        "Roles may not be assumed by root accounts",
        "AccessDenied",
        None,
    ),
    ("is not authorized to perform", "AccessDenied", None),
    (
        "Not authorized to perform sts:AssumeRole",
        "AccessDenied",
        None,
    ),
    // The Terraform AWS provider's (aws-sdk-go-base) words for a failed
    // AssumeRole: the provider asked STS and was refused.
    ("cannot be assumed", "AccessDenied", Some("AssumeRole")),
    // STS refusing a role session longer than role chaining allows (IAM
    // User Guide, "Methods to assume a role": chained sessions last at
    // most one hour).
    (
        "session limit for roles assumed by role chaining",
        "ValidationError",
        Some("AssumeRole"),
    ),
    // IAM Identity Center's portal API (GetRoleCredentials) refusing the
    // cached access token.
    (
        "Session token not found or invalid",
        "UnauthorizedException",
        Some("GetRoleCredentials"),
    ),
];

/// A client's own wording of a failure it found before (or instead of)
/// asking AWS.
pub struct ClientWording {
    /// The words, exactly as the client prints them.
    pub needle: &'static str,
    /// The failure they report.
    pub kind: ErrorKind,
    /// The client (`error.tool`).
    pub tool: &'static str,
}

/// The client wordings, in table order: `tables/client_wordings.tsv`,
/// each needle read in the client's own source (the table names the file)
/// or, for a few, the printed form of a runtime's exception. The first
/// needle found in a line decides, so the table lists the more specific
/// wording first.
pub static CLIENT_WORDINGS: LazyLock<Vec<ClientWording>> =
    LazyLock::new(|| parse_client_wordings(include_str!("tables/client_wordings.tsv")));

/// Rows of `needle, kind, tool, source`; `#` lines are comments. The table
/// is embedded at build time and checked by a test, so a bad row is a bug
/// of this build, not of any input.
fn parse_client_wordings(table: &'static str) -> Vec<ClientWording> {
    table
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut fields = line.split('\t');
            let (Some(needle), Some(kind), Some(tools)) =
                (fields.next(), fields.next(), fields.next())
            else {
                panic!("client_wordings.tsv: row without needle, kind and tool: {line:?}")
            };
            let kind = kind_named(kind)
                .unwrap_or_else(|| panic!("client_wordings.tsv: unknown kind {kind:?}"));
            // Several clients print the same words; the first names it.
            let tool = tools.split(',').next().unwrap_or(tools);
            ClientWording { needle, kind, tool }
        })
        .collect()
}

/// The [`ErrorKind`] a table row names, by its variant's name.
fn kind_named(name: &str) -> Option<ErrorKind> {
    use ErrorKind::*;
    Some(match name {
        "NoCredentials" => NoCredentials,
        "ProfileNotFound" => ProfileNotFound,
        "PartialCredentials" => PartialCredentials,
        "ConfigParse" => ConfigParse,
        "EndpointConnection" => EndpointConnection,
        "ConnectTimeout" => ConnectTimeout,
        "Proxy" => Proxy,
        "Tls" => Tls,
        "SsoToken" => SsoToken,
        "CredentialRetrieval" => CredentialRetrieval,
        "MfaPrompt" => MfaPrompt,
        "MfaRequired" => MfaRequired,
        "NoRegion" => NoRegion,
        "WrongRegion" => WrongRegion,
        "Imds" => Imds,
        "CredentialsExpired" => CredentialsExpired,
        "CliUsage" => CliUsage,
        _ => return None,
    })
}

/// Words of a connection failure, whichever client. On their own they are
/// too common to mean AWS: they count only on a line that names an AWS
/// endpoint or the metadata service (see [`mentions_aws_host`]).
pub const CONNECTION_FAILURES: &[&str] = &[
    "no such host",
    "Name or service not known",
    "nodename nor servname provided",
    "Temporary failure in name resolution",
    "Could not resolve host",
    "i/o timeout",
    "Connection timed out",
    "connect timed out",
    "Connect timeout",
    "Read timed out",
    "timed out",
    "ETIMEDOUT",
    "ECONNREFUSED",
    "EHOSTDOWN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "Connection refused",
    "connection refused",
    "network is unreachable",
    "Network is unreachable",
    "no route to host",
    "context deadline exceeded",
    "request canceled",
    "Max retries exceeded",
    "Failed to connect",
    "Unable to execute HTTP request",
    "ConnectionError",
];

/// The instance metadata service and the container credentials endpoint,
/// in every form a client prints them: addresses, the name, and the
/// paths only the metadata service serves (IMDSv1's `/latest/meta-data/`,
/// IMDSv2's token at `/latest/api/token`), which clients print without
/// the host.
pub const IMDS_HOSTS: &[&str] = &[
    "169.254.169.254",
    "169.254.170.2",
    "169.254.170.23",
    "fd00:ec2::254",
    "fd00:ec2::23",
    "instance-data.ec2.internal",
    "/latest/meta-data/",
    "/latest/api/token",
];

/// The metadata clients of the SDKs, by the names their errors and log
/// lines carry: a connection failure on a line naming one is the metadata
/// service failing, even when the line prints no address. Go v1's
/// `ec2metadata` (`EC2MetadataError`), C++'s `EC2MetadataClient`, JS v2's
/// `EC2MetadataCredentials`, Java's `EC2MetadataUtils`; Go v2's `ec2imds`
/// and JS v3's `credential-provider-imds`; .NET's `EC2InstanceMetadata` and
/// botocore's `InstanceMetadataFetcher`. The instance-profile credential
/// providers: Java's `InstanceProfileCredentialsProvider` and Ruby's
/// `InstanceProfileCredentials`, .NET's `DefaultInstanceProfileAWSCredentials`.
pub const IMDS_CLIENTS: &[&str] = &[
    "EC2Metadata",
    "ec2imds",
    "credential-provider-imds",
    "InstanceMetadata",
    "InstanceProfileCredentials",
    "InstanceProfileAWSCredentials",
    // The Ruby SDK's providers, as its stack frames name their files.
    "instance_profile_credentials",
    "ecs_credentials",
];

/// libcurl's error codes that mean the connection failed, with the kind
/// each is (libcurl-errors(3), <https://curl.se/libcurl/c/libcurl-errors.html>).
/// The AWS SDK for C++ and PHP's Guzzle report curl's number, not words.
pub const CURL_CODES: &[(u16, ErrorKind)] = &[
    (5, ErrorKind::Proxy),               // COULDNT_RESOLVE_PROXY
    (6, ErrorKind::EndpointConnection),  // COULDNT_RESOLVE_HOST
    (7, ErrorKind::EndpointConnection),  // COULDNT_CONNECT
    (28, ErrorKind::ConnectTimeout),     // OPERATION_TIMEDOUT
    (35, ErrorKind::Tls),                // SSL_CONNECT_ERROR
    (51, ErrorKind::Tls),                // PEER_FAILED_VERIFICATION (before 7.62)
    (52, ErrorKind::EndpointConnection), // GOT_NOTHING
    (55, ErrorKind::EndpointConnection), // SEND_ERROR
    (56, ErrorKind::EndpointConnection), // RECV_ERROR
    (58, ErrorKind::Tls),                // SSL_CERTPROBLEM
    (59, ErrorKind::Tls),                // SSL_CIPHER
    (60, ErrorKind::Tls),                // PEER_FAILED_VERIFICATION
    (77, ErrorKind::Tls),                // SSL_CACERT_BADFILE
    (80, ErrorKind::Tls),                // SSL_SHUTDOWN_FAILED
    (83, ErrorKind::Tls),                // SSL_ISSUER_ERROR
    (90, ErrorKind::Tls),                // SSL_PINNEDPUBKEYNOTMATCH
    (91, ErrorKind::Tls),                // SSL_INVALIDCERTSTATUS
    (97, ErrorKind::Proxy),              // PROXY
];

/// curl's error number as clients print it: the C++ SDK's `CurlHttpClient`
/// ("Curl returned error code 60"), Guzzle ("cURL error 28:"), the curl
/// command ("curl: (6)").
static CURL_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bcurl(?: returned)? error(?: code)?:? ?([0-9]{1,3})\b|\bcurl: \(([0-9]{1,3})\)",
    )
    .expect("valid regex")
});

/// A connection failure told by curl's number, on a line about AWS (an AWS
/// host, an `AWS` or `Aws\` prefix, the C++ SDK's `CurlHttpClient`): its
/// kind and where it is worded.
pub fn curl_failure(line: &str) -> Option<(ErrorKind, usize)> {
    if !line.contains("url") && !line.contains("URL") {
        return None;
    }
    let caps = CURL_ERROR.captures(line)?;
    let number = caps.iter().skip(1).flatten().next()?;
    let code: u16 = number.as_str().parse().ok()?;
    let kind = CURL_CODES.iter().find(|(c, _)| *c == code)?.1;
    let about_aws = mentions_aws_host(line)
        || line.contains("AWS")
        || line.contains("Aws\\")
        || line.contains("CurlHttpClient");
    about_aws.then(|| (kind, caps.get(0).map_or(0, |m| m.start())))
}

/// Codes an SDK gives failures of its own, before any service answered
/// (aws-sdk-go v1's `aws/request`: `RequestError` is "send request failed",
/// the words after it say why). A line with one is read for those words,
/// not as a service's error code.
pub const CLIENT_SIDE_CODES: &[&str] = &[
    "RequestError",
    "RequestCanceled",
    "ResponseTimeout",
    "SerializationError",
    "ReadError",
];

/// Whether a line names an AWS endpoint or the metadata service.
pub fn mentions_aws_host(line: &str) -> bool {
    line.contains("amazonaws.com") || mentions_imds(line)
}

/// Whether a line names the metadata service or the container
/// credentials endpoint.
pub fn mentions_imds(line: &str) -> bool {
    IMDS_HOSTS.iter().any(|h| line.contains(h)) || IMDS_CLIENTS.iter().any(|c| line.contains(c))
}

static SENTENCE_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(SENTENCES.iter().map(|(s, _, _)| s))
        .expect("sentences build an automaton")
});

static CLIENT_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(CLIENT_WORDINGS.iter().map(|c| c.needle))
        .expect("client wordings build an automaton")
});

static CONNECTION_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(CONNECTION_FAILURES)
        .expect("connection wordings build an automaton")
});

/// The first table entry (in table order) whose needle occurs in `text`,
/// with where it starts.
fn first_in_table(finder: &AhoCorasick, text: &str) -> Option<(usize, usize)> {
    finder
        .find_iter(text)
        .map(|m| (m.pattern().as_usize(), m.start()))
        .min()
}

/// AWS's standard sentence in `text`: the code and operation it implies,
/// and where it starts.
pub fn sentence(text: &str) -> Option<(&'static str, Option<&'static str>, usize)> {
    first_in_table(&SENTENCE_FINDER, text).map(|(i, at)| (SENTENCES[i].1, SENTENCES[i].2, at))
}

/// The error code AWS's standard wording implies, for tools that print the
/// message without the code.
pub fn code_from_message(message: &str) -> Option<&'static str> {
    if message.trim().trim_end_matches('.') == "Access Denied" {
        return Some("AccessDenied");
    }
    sentence(message).map(|(code, _, _)| code)
}

/// The client wording in `text`, and where it starts.
pub fn client(text: &str) -> Option<(&'static ClientWording, usize)> {
    first_in_table(&CLIENT_FINDER, text).map(|(i, at)| (&CLIENT_WORDINGS[i], at))
}

/// Where `text` says an IAM action (`ec2:DescribeSubnets`) was refused, in
/// words no table lists: a client naming the action it lacked (`failed to
/// call ec2:DescribeSubnets due to missing permissions`). The action is
/// what makes it AWS's authorization; the words say it was refused.
pub fn denied_action(text: &str) -> Option<usize> {
    static REFUSED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:missing permissions?|unauthori[sz]ed|not authori[sz]ed|access denied|permission denied|not permitted|forbidden)\b")
            .expect("valid regex")
    });
    static ACTION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b[a-z][a-z0-9-]*:[A-Z][A-Za-z0-9]+\b").expect("valid regex")
    });
    let at = REFUSED.find(text)?.start();
    ACTION.is_match(text).then_some(at)
}

/// Where a connection failure is worded in `text`.
pub fn connection_failure(text: &str) -> Option<usize> {
    CONNECTION_FINDER.find(text).map(|m| m.start())
}
