//! A client run becomes an incident: the failure it ended with, the
//! exchange that failed, the credential chain, the metadata service, and
//! the facts derived from them.

use crate::model::{CredentialStep, ErrorEvent, ErrorKind, EvidenceLine, Exchange, Run};
use crate::recognise::service_regions::{self, Offer};
use crate::response::{ErrorBody, response_error};
use crate::sigv4::verify::Secret;
use crate::sigv4::{self, Authorization, CanonicalRequest, Difference, StringToSign};
use crate::time;

use super::message::add_message_facts;
use super::signature::{
    add_hidden_facts, add_rebuild_facts, add_scope_facts, add_secret_facts, add_signing_key_facts,
    expected_differences, host_of, key_id_problem, masked_values, signature_failure_codes,
};
use super::{Fact, Facts, Incident};

/// Turns a run into an incident, or `None` when nothing in it failed.
pub fn incident(run: &Run) -> Option<Incident> {
    incident_with_secret(run, None)
}

/// [`incident`], also checking whether `secret` reproduces the logged
/// signature (`signature.secret_verified`).
pub fn incident_with_secret(run: &Run, secret: Option<&Secret>) -> Option<Incident> {
    let failed_exchange = run
        .exchanges
        .iter()
        .rev()
        .find(|x| x.response.status.is_some_and(|s| s >= 400));
    // A client that recovered (a retry, a region redirect) is not failing:
    // what it logged before its last successful response is history.
    let last = run
        .exchanges
        .iter()
        .rev()
        .find(|x| x.response.status.is_some());
    let last_status = last.and_then(|x| x.response.status);
    let recovered_at = last
        .filter(|x| x.response.status.is_some_and(|s| s < 400))
        .and_then(|x| x.response.status_line.as_ref())
        .map(|l| l.line);
    let errors: Vec<&ErrorEvent> = run
        .errors
        .iter()
        .filter(|e| recovered_at.is_none_or(|at| e.evidence.line > at))
        .collect();
    // The failure the run ended with: the last one that is not merely a
    // reaction to another (docker after a failed get-login-password).
    let error = errors
        .iter()
        .rev()
        .find(|e| !e.consequence)
        .or(errors.last())
        .copied();
    if error.is_none() && (failed_exchange.is_none() || last_status.is_some_and(|s| s < 400)) {
        return None;
    }

    let mut facts = Facts::default();
    let mut signature_diff = Vec::new();
    add_cli_facts(&mut facts, run);
    if let Some(time) = run.started {
        facts.set(Fact::EventTime, time, None);
    }
    add_credential_facts(&mut facts, run);
    add_imds_facts(&mut facts, run);
    if let Some(error) = error {
        add_error_facts(&mut facts, error);
    }
    // The exchange the error is about: the last one that failed, else the last.
    let exchange = failed_exchange.or(run.exchanges.last());
    if let Some(exchange) = exchange {
        add_exchange_facts(&mut facts, exchange, &mut signature_diff, secret);
    }
    add_offer_facts(&mut facts, error, exchange);
    // Last: what the structure or the error said exactly comes first.
    add_context_facts(&mut facts, &run.context);
    add_derived_facts(&mut facts);
    Some(Incident {
        facts: std::sync::Arc::new(facts),
        signature_diff,
        headline: error
            .map(|e| e.evidence.clone())
            .or_else(|| failed_exchange.and_then(status_evidence)),
    })
}

/// The values of `clock.direction`, as [`add_derived_facts`] words them
/// ("the client clock is 3.0 h ahead of AWS").
pub(super) const CLOCK_DIRECTIONS: &[&str] = &["ahead of", "behind"];

/// Facts computed from other facts, in the words reports use, so rule
/// templates can quote them.
fn add_derived_facts(facts: &mut Facts) {
    // A request signed for a region AWS does not have (`us-east`).
    // S3-compatible stores name regions as they like: a request known to
    // go elsewhere than AWS is not judged.
    let to_aws = facts
        .str(Fact::RequestEndpointHost)
        .is_none_or(|h| h.contains(".amazonaws.com"));
    if to_aws && !facts.has(Fact::RegionUnknown) {
        let unknown = [Fact::RequestSigningRegion, Fact::RequestRegion]
            .into_iter()
            .find_map(|f| {
                facts
                    .str(f)
                    .filter(|r| !crate::recognise::context::is_region(r))
                    .map(|r| (f, r.to_string()))
            });
        if let Some((from, region)) = unknown {
            let line = facts.evidence(&[from]).into_iter().next();
            facts.set(Fact::RegionUnknown, region.as_str(), line.as_ref());
        }
    }
    if let Some(skew) = facts.int(Fact::ClockSkewSeconds) {
        let direction = if skew > 0 { "ahead of" } else { "behind" };
        facts.set(Fact::ClockDirection, direction, None);
        facts.set(Fact::ClockSkewHuman, human_duration(skew.abs()), None);
    }
    let source = match facts.str(Fact::CredentialSource) {
        Some("env") => {
            "the environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY".to_string()
        }
        Some("shared-credentials-file") => {
            "the shared credentials file (~/.aws/credentials)".to_string()
        }
        Some("config-file") => "the config file (~/.aws/config)".to_string(),
        Some("iam-role") => "the instance metadata service (instance role)".to_string(),
        Some(other) => format!("the `{other}` credential provider"),
        None => "the credential chain".to_string(),
    };
    facts.set(Fact::CredentialSourceName, source, None);
}

/// `42 s`, `17 min`, `3.0 h`, `2.0 days`.
fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{:.1} h", s as f64 / 3600.0),
        s => format!("{:.1} days", s as f64 / 86_400.0),
    }
}

fn status_evidence(x: &Exchange) -> Option<EvidenceLine> {
    x.response.status_line.clone()
}

fn add_cli_facts(facts: &mut Facts, run: &Run) {
    if let Some(version) = &run.cli_version {
        facts.set(
            Fact::CliVersion,
            version.as_str(),
            run.cli_version_line.as_ref(),
        );
        let major = version
            .strip_prefix("aws-cli/")
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<i64>().ok());
        if let Some(major) = major {
            facts.set(Fact::CliMajor, major, run.cli_version_line.as_ref());
        }
    }
    if let Some(args) = &run.arguments {
        // `['s3', 'ls', '--profile', 'prod']` → prod
        let args: Vec<&str> = args
            .trim_matches(|c| c == '[' || c == ']')
            .split(", ")
            .map(|a| a.trim_matches('\''))
            .collect();
        if let Some(i) = args.iter().position(|a| *a == "--profile")
            && let Some(profile) = args.get(i + 1)
        {
            facts.set(Fact::CredentialProfile, *profile, None);
        }
    }
}

fn add_credential_facts(facts: &mut Facts, run: &Run) {
    // The chain stops at the first provider that answers: the last `Found`
    // names the source; without one, the last provider tried.
    let found = run
        .credential_steps
        .iter()
        .rev()
        .find_map(|(step, line)| match step {
            CredentialStep::Found(p) => Some((p, line)),
            _ => None,
        });
    if let Some((provider, line)) = found {
        facts.set(Fact::CredentialSource, provider.as_str(), Some(line));
    }
    if let Some((_, line)) = run
        .credential_steps
        .iter()
        .find(|(s, _)| *s == CredentialStep::EnvSkippedForProfile)
    {
        facts.set(Fact::CredentialEnvSkipped, true, Some(line));
    }
}

fn add_imds_facts(facts: &mut Facts, run: &Run) {
    let imds = &run.imds;
    let first = imds.evidence.first();
    if let Some(endpoint) = &imds.endpoint {
        facts.set(Fact::ImdsEndpoint, endpoint.as_str(), None);
        let default = endpoint.contains("169.254.169.254") || endpoint.contains("[fd00:ec2::254]");
        facts.set(Fact::ImdsCustomEndpoint, !default, None);
    }
    if imds.disabled {
        facts.set(Fact::ImdsDisabled, true, first);
    }
    let tried_iam_role = run
        .credential_steps
        .iter()
        .any(|(s, _)| matches!(s, CredentialStep::Looking(p) if p == "iam-role"));
    if tried_iam_role && !imds.disabled && !imds.evidence.is_empty() {
        facts.set(Fact::ImdsAttempted, true, first);
    }
    if let Some(status) = imds.error_statuses.last() {
        facts.set(Fact::ImdsErrorStatus, *status as i64, imds.evidence.last());
    }
}

/// `region.service_not_offered`: the failing endpoint's host names a
/// region its service is not offered in, so the host does not exist. The
/// endpoint is the one a connection failure names, else the request's.
fn add_offer_facts(facts: &mut Facts, error: Option<&ErrorEvent>, exchange: Option<&Exchange>) {
    let unreachable = error
        .filter(|e| {
            matches!(
                e.kind,
                ErrorKind::EndpointConnection | ErrorKind::ConnectTimeout
            )
        })
        .and_then(|e| Some((e.detail.as_deref()?, Some(&e.evidence))));
    let requested = exchange
        .and_then(|x| x.request.as_ref())
        .map(|r| (r.url.as_str(), r.line.as_ref()));
    let Some((host, line)) = unreachable.or(requested) else {
        return;
    };
    if let Some(Offer::NotOffered { region, offered_in }) = service_regions::offer(host) {
        facts.set(Fact::RegionServiceNotOffered, region, line);
        facts.set(Fact::RegionServiceOfferedIn, offered_in.join(", "), line);
    }
}

/// Facts from what a pasted text says around its failures: a region that
/// does not exist or must be opted in to, a proxy, a request path clients
/// encode differently, environment keys beside a named profile, a
/// temporary key.
fn add_context_facts(facts: &mut Facts, context: &crate::model::TextContext) {
    if let Some((region, line)) = &context.region {
        if !crate::recognise::context::is_region(region) {
            facts.set(Fact::RegionUnknown, region.as_str(), Some(line));
        } else if crate::recognise::context::is_opt_in(region) {
            facts.set(Fact::RegionOptIn, region.as_str(), Some(line));
        }
        if !facts.has(Fact::RequestRegion) {
            facts.set(Fact::RequestRegion, region.as_str(), Some(line));
        }
    }
    if let Some((region, line)) = &context.other_partition
        && let Some(partition) = crate::recognise::context::partition(region)
    {
        facts.set(Fact::RegionOtherPartition, region.as_str(), Some(line));
        facts.set(Fact::RegionPartition, partition, Some(line));
    }
    if let Some(line) = &context.proxy {
        facts.set(Fact::NetworkProxy, true, Some(line));
    }
    if let Some(line) = &context.odd_path {
        facts.set(Fact::RequestOddPath, true, Some(line));
    }
    if let Some(line) = &context.env_keys {
        facts.set(Fact::CredentialEnvKeys, true, Some(line));
    }
    if let Some(line) = &context.mfa {
        facts.set(Fact::CredentialMfa, true, Some(line));
    }
    if let Some((name, meant, line)) = &context.env_misspelt {
        facts.set(Fact::CredentialEnvMisspelt, name.as_str(), Some(line));
        facts.set(Fact::CredentialEnvMeant, *meant, Some(line));
    }
    if let Some((profile, line)) = &context.profile
        && !facts.has(Fact::CredentialProfile)
    {
        facts.set(Fact::CredentialProfile, profile.as_str(), Some(line));
    }
    if let Some(line) = &context.temporary_key
        && !facts.has(Fact::CredentialKeyType)
    {
        facts.set(Fact::CredentialKeyType, "temporary", Some(line));
    }
    if let Some(line) = &context.s3 {
        facts.set(Fact::ErrorFromS3, true, Some(line));
    }
    if let Some(line) = &context.aws_compute {
        facts.set(Fact::ImdsExpected, true, Some(line));
    }
    if let Some((region, line)) = &context.ecr_login_region {
        facts.set(Fact::EcrLoginRegion, region.as_str(), Some(line));
    }
    if let Some((region, line)) = &context.ecr_registry_region {
        facts.set(Fact::EcrRegistryRegion, region.as_str(), Some(line));
    }
}

fn add_error_facts(facts: &mut Facts, error: &ErrorEvent) {
    let line = Some(&error.evidence);
    facts.set(Fact::ErrorKind, error.kind.as_str(), line);
    if let Some(code) = &error.code {
        facts.set(Fact::ErrorCode, code.as_str(), line);
    }
    facts.set(Fact::ErrorMessage, error.message.as_str(), line);
    if let Some(op) = &error.operation {
        facts.set(Fact::ErrorOperation, op.as_str(), line);
    }
    if let Some(detail) = &error.detail {
        facts.set(Fact::ErrorDetail, detail.as_str(), line);
    }
    if error.kind == ErrorKind::ConfigParse
        && error.message.contains("sso_start_url")
        && error.message.contains("sso_region")
    {
        facts.set(Fact::ClientPredatesSsoSession, true, line);
    }
    // A region the client refused by name: one AWS has is a region the
    // client is too old for; any other is no region at all.
    if error.kind == ErrorKind::CliUsage
        && let Some(region) = error
            .detail
            .as_deref()
            .and_then(crate::recognise::context::region_named_by_client)
    {
        if crate::recognise::context::is_region(&region) {
            facts.set(Fact::ClientPredatesRegion, region, line);
        } else if !facts.has(Fact::RegionUnknown) {
            facts.set(Fact::RegionUnknown, region, line);
        }
    }
    if error.kind == ErrorKind::SsoToken
        && error
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("RFC3339") || d.contains("parsing time"))
    {
        facts.set(Fact::ClientMisreadsSsoCache, true, line);
    }
    if let Some(tool) = error.tool {
        facts.set(Fact::ErrorTool, tool, line);
    }
    if error.code_inferred {
        facts.set(Fact::ErrorCodeInferred, true, line);
    }
    if let Some(status) = error.status {
        facts.set(Fact::HttpStatus, i64::from(status), line);
    }
    if let Some(service) = &error.service {
        // `STS`, `S3`, `Amazon S3` → the signing-name style ids rules use.
        let id = service
            .trim()
            .trim_start_matches("Amazon ")
            .trim_start_matches("AWS ");
        facts.set(
            Fact::RequestService,
            id.to_ascii_lowercase().replace(' ', ""),
            line,
        );
    }
    if error.kind == ErrorKind::ServiceError {
        add_message_facts(facts, &error.message, line);
    }
    if error.kind == ErrorKind::Imds {
        facts.set(Fact::ImdsAttempted, true, line);
        if let Some(status) = error.status {
            facts.set(Fact::ImdsErrorStatus, i64::from(status), line);
        }
        let asked_for = format!("{} {}", error.evidence.text, error.message).to_ascii_lowercase();
        facts.set(
            Fact::ImdsForCredentials,
            asked_for.contains("credential"),
            line,
        );
        let container = ["container", "169.254.170.2", "fd00:ec2::23", "credentialsv"]
            .iter()
            .any(|w| asked_for.contains(w));
        if container {
            facts.set(Fact::ImdsContainer, true, line);
        }
    }
}

fn add_exchange_facts(
    facts: &mut Facts,
    x: &Exchange,
    diff: &mut Vec<Difference>,
    secret: Option<&Secret>,
) {
    let mut rebuild_diff = Vec::new();
    let status_line = status_evidence(x);
    if let Some(op) = &x.operation {
        facts.set(Fact::RequestOperation, op.as_str(), None);
    }
    if let Some(region) = &x.signing_region {
        facts.set(Fact::RequestSigningRegion, region.as_str(), None);
    }
    if let Some(status) = x.response.status {
        facts.set(Fact::HttpStatus, status as i64, status_line.as_ref());
    }
    let body = response_error(
        x.response.body.as_deref(),
        x.response.header("x-amzn-ErrorType"),
    );
    if let Some(request) = &x.request {
        let line = request.line.as_ref();
        facts.set(Fact::RequestMethod, request.method.as_str(), line);
        if let Some(host) = host_of(&request.url) {
            facts.set(Fact::RequestEndpointHost, host, line);
            if let Some(region) = sigv4::region_from_host(host) {
                facts.set(Fact::RequestEndpointRegion, region, line);
            }
        }
        let token = request.header("X-Amz-Security-Token").is_some()
            || request.url.contains("X-Amz-Security-Token=");
        // Without its headers (a log that shows only where the request
        // went), whether a token went out is unknown.
        if token || !request.headers.is_empty() {
            facts.set(Fact::RequestHasSecurityToken, token, line);
        }
        if let Some(date) = request.header("X-Amz-Date") {
            facts.set(Fact::RequestAmzDate, date, line);
        }
        if let Some(auth) = request
            .header("Authorization")
            .and_then(Authorization::parse)
        {
            facts.set(Fact::RequestAlgorithm, auth.algorithm.as_str(), line);
            facts.set(
                Fact::CredentialAccessKeyId,
                auth.access_key_id.as_str(),
                line,
            );
            facts.set(
                Fact::CredentialKeyType,
                sigv4::key_type(&auth.access_key_id),
                line,
            );
            if let Some(problem) = key_id_problem(&auth.access_key_id) {
                facts.set(Fact::CredentialKeyIdProblem, problem, line);
            }
            facts.set(Fact::RequestService, auth.scope.service.as_str(), line);
            if let Some(region) = &auth.scope.region {
                facts.set(Fact::RequestRegion, region.as_str(), line);
            }
            facts.set(
                Fact::RequestSignedHeaders,
                auth.signed_headers.join(";"),
                line,
            );
            let masked = masked_values(request, &auth);
            if !masked.is_empty() {
                facts.set(Fact::LogMasked, masked.join(","), line);
            }
            add_scope_facts(facts, request, &auth, token, line);
            if !auth.is_sigv4a()
                && let Some(secret) = secret
            {
                add_secret_facts(facts, x, &auth, secret, line);
            }
        }
        // Rebuilding and hashing the request only says something when AWS
        // rejected the signature itself; skip it for every other failure.
        let code = facts
            .str(Fact::ErrorCode)
            .or(body.as_ref().and_then(|b| b.code.as_deref()));
        if code.is_none_or(|c| signature_failure_codes().contains(&c)) {
            add_rebuild_facts(facts, x, request, &mut rebuild_diff);
        }
    }
    if !facts.has(Fact::CredentialAccessKeyId) {
        add_signing_key_facts(facts, x);
    }
    // Without the Authorization header, a SigV4 string to sign still names
    // the region the request was signed for (its credential scope, line 3;
    // SigV4A scopes have none).
    if !facts.has(Fact::RequestRegion)
        && let Some(logged) = &x.string_to_sign
        && let Some(sts) = StringToSign::parse(&logged.text)
        && sts.algorithm == "AWS4-HMAC-SHA256"
        && let [_, region, _, _] = sts.scope.split('/').collect::<Vec<_>>()[..]
        && !region.is_empty()
    {
        let line = EvidenceLine {
            line: logged.span.line + 3,
            text: sts.scope.as_str().into(),
        };
        facts.set(Fact::RequestRegion, region, Some(&line));
    }
    if let Some(date) = x.response.header("Date") {
        facts.set(Fact::ResponseDate, date, status_line.as_ref());
    }
    add_clock_facts(facts, x, body.as_ref(), status_line.as_ref());
    if let Some(body) = &body {
        add_body_facts(facts, x, body, status_line.as_ref(), diff);
    }
    // Most telling first: the server's view, then what the server or the
    // endpoint expected, then the client's log against the sent request.
    diff.extend(expected_differences(facts));
    diff.extend(rebuild_diff);
    if let Some(first) = diff.first() {
        facts.set(
            Fact::SignatureComponent,
            first.component.as_str(),
            status_line.as_ref(),
        );
    }
}

/// Skew = request time − server time (positive: the client clock is ahead).
fn add_clock_facts(
    facts: &mut Facts,
    x: &Exchange,
    body: Option<&ErrorBody>,
    line: Option<&EvidenceLine>,
) {
    if facts.has(Fact::ClockSkewSeconds) {
        return;
    }
    let request_time = x
        .request
        .as_ref()
        .and_then(|r| r.header("X-Amz-Date"))
        .and_then(time::parse_amz_date);
    let server_time = body
        .and_then(|b| b.field("ServerTime"))
        .and_then(time::parse_any)
        .or_else(|| x.response.header("Date").and_then(time::parse_http_date));
    if let (Some(r), Some(s)) = (request_time, server_time) {
        facts.set(Fact::ClockSkewSeconds, r - s, line);
        facts.set(Fact::ResponseServerTime, time::format_iso8601(s), line);
    }
    if let Some(ms) = body
        .and_then(|b| b.field("MaxAllowedSkewMilliseconds"))
        .and_then(|v| v.parse::<i64>().ok())
    {
        facts.set(Fact::ClockAllowedSkewSeconds, ms / 1000, line);
    }
}

fn add_body_facts(
    facts: &mut Facts,
    x: &Exchange,
    body: &ErrorBody,
    line: Option<&EvidenceLine>,
    diff: &mut Vec<Difference>,
) {
    // The body is the authority on the code when no error line was printed
    // (SDK scripts that log but do not print), or when botocore could not
    // parse the body and fell back to the HTTP status as the code.
    let code_is_status = facts
        .str(Fact::ErrorCode)
        .is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()));
    if (!facts.has(Fact::ErrorCode) || code_is_status)
        && let Some(code) = &body.code
    {
        facts.set(Fact::ErrorKind, ErrorKind::ServiceError.as_str(), line);
        facts.set(Fact::ErrorCode, code.as_str(), line);
        if let Some(m) = &body.message {
            facts.set(Fact::ErrorMessage, m.as_str(), line);
        }
    }
    if let Some(message) = &body.message {
        add_message_facts(facts, message, line);
    }
    if let Some(region) = body.field("Region") {
        facts.set(Fact::ResponseExpectedRegion, region, line);
    }
    let server = sigv4::server::server_view(body);
    let server_cr = server.canonical();
    let server_sts = server.string_to_sign();
    // The client's blocks only matter next to the server's.
    let client_cr = server_cr
        .as_ref()
        .and(x.canonical_request.as_ref())
        .and_then(|l| CanonicalRequest::parse(&l.text));
    let client_sts = server_sts
        .as_ref()
        .and(x.string_to_sign.as_ref())
        .and_then(|l| StringToSign::parse(&l.text));
    facts.set(Fact::SignatureServerCanonical, server_cr.is_some(), line);
    if let (Some(c), Some(s)) = (&client_cr, &server_cr) {
        add_hidden_facts(facts, c, line);
        diff.extend(sigv4::diff_canonical(c, s));
        facts.set(Fact::SignatureCanonicalMatch, diff.is_empty(), line);
    }
    if let (Some(c), Some(s)) = (&client_sts, &server_sts) {
        let sts_diff = sigv4::diff_string_to_sign(c, s);
        facts.set(Fact::SignatureStringToSignMatch, sts_diff.is_empty(), line);
        // The hash line differs whenever the canonical request does; only
        // report the string-to-sign parts that add something.
        let canonical_differs = !diff.is_empty();
        diff.extend(
            sts_diff
                .into_iter()
                .filter(|d| !(canonical_differs && d.component == "canonical-request-hash")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_aws_does_not_have_is_unknown_only_towards_aws() {
        let derived = |pairs: &[(Fact, &str)]| {
            let mut facts = Facts::default();
            for (f, v) in pairs {
                facts.set(*f, *v, None);
            }
            add_derived_facts(&mut facts);
            facts.str(Fact::RegionUnknown).map(str::to_string)
        };
        assert_eq!(
            derived(&[(Fact::RequestSigningRegion, "us-east")]).as_deref(),
            Some("us-east")
        );
        assert_eq!(
            derived(&[
                (Fact::RequestSigningRegion, "us-east"),
                (Fact::RequestEndpointHost, "s3.amazonaws.com")
            ])
            .as_deref(),
            Some("us-east")
        );
        assert_eq!(derived(&[(Fact::RequestSigningRegion, "eu-west-1")]), None);
        // A store of its own names its regions as it likes.
        assert_eq!(
            derived(&[
                (Fact::RequestSigningRegion, "minio"),
                (Fact::RequestEndpointHost, "127.0.0.1:9000")
            ]),
            None
        );
    }
}
