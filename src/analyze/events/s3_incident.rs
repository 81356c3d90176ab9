//! A refused S3 server access log record becomes an incident: its facts,
//! with the record's line as evidence.

use crate::facts::{Fact, Facts, Incident};
use crate::model::{ErrorKind, EvidenceLine};
use crate::sigv4;

use super::add_client_facts;

/// An S3 server access log record becomes an incident when S3 refused it
/// (an error code, or a 4xx/5xx status). `text` is the record's line,
/// quoted as evidence.
pub(super) fn s3_access_incident(
    record: &crate::formats::s3_access::AccessRecord<'_>,
    line: usize,
    text: &str,
) -> Option<Incident> {
    if !record.failed() {
        return None;
    }
    let evidence = EvidenceLine {
        line,
        text: text.trim_end().into(),
    };
    let ev = Some(&evidence);
    let mut facts = Facts::default();
    let set = |facts: &mut Facts, fact: Fact, value: Option<&str>| {
        if let Some(v) = value {
            facts.set(fact, v, ev);
        }
    };
    if record.error_code.is_some() {
        facts.set(Fact::ErrorKind, ErrorKind::ServiceError.as_str(), ev);
    }
    set(&mut facts, Fact::ErrorCode, record.error_code);
    if let Some(status) = record.http_status {
        facts.set(Fact::HttpStatus, status as i64, ev);
    }
    set(&mut facts, Fact::ErrorOperation, Some(record.operation));
    set(&mut facts, Fact::RequestOperation, Some(record.operation));
    set(&mut facts, Fact::RequestService, Some("s3"));
    set(&mut facts, Fact::RequestBucket, record.bucket);
    set(&mut facts, Fact::RequestId, record.request_id);
    if let Some(t) = record.epoch() {
        facts.set(Fact::EventTime, t, ev);
    }
    set(&mut facts, Fact::SourceIp, record.remote_ip);
    // The requester is an IAM ARN or a canonical user id; AWS services
    // acting on their own appear as `svc:<service principal>`.
    if let Some(requester) = record.requester {
        let field = if requester.starts_with("arn:") {
            Fact::IdentityArn
        } else {
            Fact::IdentityCanonicalId
        };
        facts.set(field, requester, ev);
        facts.set(Fact::IdentityAwsService, requester.starts_with("svc:"), ev);
    }
    // A presigned URL carries its key id in the query string, so the
    // access log shows which key signed it.
    if let Some(key) = record.request_uri.and_then(presigned_key_id) {
        facts.set(Fact::CredentialAccessKeyId, key, ev);
        facts.set(Fact::CredentialKeyType, sigv4::key_type(key), ev);
    }
    set(&mut facts, Fact::ClientUserAgent, record.user_agent);
    if let Some(agent) = record.user_agent {
        add_client_facts(&mut facts, agent, ev);
    }
    set(
        &mut facts,
        Fact::RequestSignatureVersion,
        record.signature_version,
    );
    set(&mut facts, Fact::RequestAuthType, record.auth_type);
    set(&mut facts, Fact::TlsVersion, record.tls_version);
    set(&mut facts, Fact::TlsCipher, record.cipher_suite);
    set(&mut facts, Fact::RequestHostHeader, record.host_header);
    if let Some(host) = record.host_header {
        facts.set(Fact::RequestEndpointHost, host, ev);
        if let Some(region) = sigv4::region_from_host(host) {
            facts.set(Fact::RequestEndpointRegion, region, ev);
        }
    }
    Some(Incident {
        facts: std::sync::Arc::new(facts),
        signature_diff: Vec::new(),
        headline: Some(evidence),
    })
}

/// The access key id of a presigned request line
/// (`GET /k?X-Amz-Credential=AKIA…%2F20190205%2F… HTTP/1.1`, SigV4;
/// `AWSAccessKeyId=AKIA…`, SigV2).
fn presigned_key_id(request_line: &str) -> Option<&str> {
    let (_, rest) = request_line
        .split_once("X-Amz-Credential=")
        .or_else(|| request_line.split_once("AWSAccessKeyId="))?;
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|k| k.len() >= 16)
}
