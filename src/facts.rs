//! Records → facts: one flat, named set of facts per incident.
//!
//! Facts are the only vocabulary classification sees. Each has a fixed name
//! (`error.code`, `clock.skew_seconds`, …) and a slot in a fixed-size table,
//! so looking one up is an index, not a hash or an allocation. A fact may
//! point at the input line that established it; a finding's evidence is the
//! lines of the facts its rule used.

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::model::{CredentialStep, ErrorEvent, ErrorKind, EvidenceLine, Exchange, Run};
use crate::response::{ErrorBody, parse_error_body};
use crate::sigv4::canonical::{self, PayloadSource, RebuildOptions};
use crate::sigv4::verify::{self, Secret};
use crate::sigv4::{self, Against, Authorization, CanonicalRequest, Difference, StringToSign};
use crate::time;

macro_rules! fact_table {
    ($($id:ident = $name:literal: $kind:ident),* $(,)?) => {
        /// Every fact name classification can use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Fact { $($id),* }

        impl Fact {
            pub const ALL: &'static [Fact] = &[$(Fact::$id),*];

            pub fn name(self) -> &'static str {
                match self { $(Fact::$id => $name),* }
            }

            pub fn from_name(name: &str) -> Option<Fact> {
                match name { $($name => Some(Fact::$id),)* _ => None }
            }

            /// The type every value of this fact has.
            pub fn kind(self) -> Kind {
                match self { $(Fact::$id => Kind::$kind),* }
            }
        }
    };
}

fact_table! {
    ErrorKind = "error.kind": Str,
    ErrorCode = "error.code": Str,
    ErrorMessage = "error.message": Str,
    ErrorOperation = "error.operation": Str,
    ErrorDetail = "error.detail": Str,
    ErrorTool = "error.tool": Str,
    ErrorCodeInferred = "error.code_inferred": Bool,
    HttpStatus = "http.status": Int,
    RequestOperation = "request.operation": Str,
    RequestService = "request.service": Str,
    RequestRegion = "request.region": Str,
    RequestEndpointHost = "request.endpoint_host": Str,
    RequestEndpointRegion = "request.endpoint_region": Str,
    RequestMethod = "request.method": Str,
    RequestAmzDate = "request.amz_date": Str,
    RequestAlgorithm = "request.algorithm": Str,
    RequestSignedHeaders = "request.signed_headers": Str,
    RequestHasSecurityToken = "request.has_security_token": Bool,
    RequestSigningRegion = "request.signing_region": Str,
    CredentialAccessKeyId = "credential.access_key_id": Str,
    CredentialKeyType = "credential.key_type": Str,
    CredentialKeyIdProblem = "credential.key_id_problem": Str,
    CredentialSource = "credential.source": Str,
    CredentialSourceName = "credential.source_name": Str,
    CredentialProfile = "credential.profile": Str,
    CredentialEnvSkipped = "credential.env_skipped": Bool,
    LogMasked = "log.masked": Str,
    ResponseDate = "response.date": Str,
    ResponseServerTime = "response.server_time": Str,
    ResponseExpectedRegion = "response.expected_region": Str,
    ClockSkewSeconds = "clock.skew_seconds": Int,
    ClockAllowedSkewSeconds = "clock.allowed_skew_seconds": Int,
    ClockSkewHuman = "clock.skew_human": Str,
    ClockDirection = "clock.direction": Str,
    SignatureServerCanonical = "signature.server_canonical": Bool,
    SignatureCanonicalMatch = "signature.canonical_match": Bool,
    SignatureStringToSignMatch = "signature.string_to_sign_match": Bool,
    SignatureComponent = "signature.component": Str,
    SignatureUnchecked = "signature.unchecked": Str,
    SignatureRebuildMatch = "signature.rebuild_match": Bool,
    SignaturePayloadSource = "signature.payload_source": Str,
    SignatureLoggedHashMatch = "signature.logged_hash_match": Bool,
    SignatureScopeDateMatch = "signature.scope_date_match": Bool,
    SignatureScopeRegionMatch = "signature.scope_region_match": Bool,
    SignatureScopeServiceMatch = "signature.scope_service_match": Bool,
    SignatureSecretVerified = "signature.secret_verified": Bool,
    SignatureSigv4a = "signature.sigv4a": Bool,
    RequestEndpointService = "request.endpoint_service": Str,
    RequestScopeDate = "request.scope_date": Str,
    CredentialTokenConsistent = "credential.token_consistent": Bool,
    ImdsEndpoint = "imds.endpoint": Str,
    ImdsCustomEndpoint = "imds.custom_endpoint": Bool,
    ImdsDisabled = "imds.disabled": Bool,
    ImdsAttempted = "imds.attempted": Bool,
    ImdsErrorStatus = "imds.error_status": Int,
    // Context a pasted text gives around its failures (recognise::context).
    RegionUnknown = "region.unknown": Str,
    RegionOptIn = "region.opt_in": Str,
    NetworkProxy = "network.proxy": Bool,
    RequestOddPath = "request.odd_path": Bool,
    CredentialEnvKeys = "credential.env_keys": Bool,
    // The metadata service was asked for credentials (a credential
    // provider chain falling through to it), not for other metadata.
    ImdsForCredentials = "imds.for_credentials": Bool,
    AuthzReason = "authz.reason": Str,
    AuthzAction = "authz.action": Str,
    CliVersion = "cli.version": Str,
    CliMajor = "cli.major": Int,
    EventTime = "event.time": Int,
    CiSystem = "ci.system": Str,
    CiStep = "ci.step": Str,
    EventSource = "event.source": Str,
    EventName = "event.name": Str,
    EventType = "event.type": Str,
    EventId = "event.id": Str,
    EventRegion = "event.region": Str,
    RequestId = "request.id": Str,
    RequestRoleArn = "request.role_arn": Str,
    RequestHostHeader = "request.host_header": Str,
    RequestBucket = "request.bucket": Str,
    RequestSignatureVersion = "request.signature_version": Str,
    RequestAuthType = "request.auth_type": Str,
    IdentityType = "identity.type": Str,
    IdentityArn = "identity.arn": Str,
    IdentityAccount = "identity.account": Str,
    IdentityUserName = "identity.user_name": Str,
    IdentityCanonicalId = "identity.canonical_id": Str,
    IdentityInvokedBy = "identity.invoked_by": Str,
    IdentityAwsService = "identity.aws_service": Bool,
    IdentityMfa = "identity.mfa": Bool,
    IdentitySessionIssuer = "identity.session_issuer": Str,
    IdentitySourceIdentity = "identity.source_identity": Str,
    SourceIp = "source.ip": Str,
    ClientUserAgent = "client.user_agent": Str,
    ClientName = "client.name": Str,
    ClientVersion = "client.version": Str,
    TlsVersion = "tls.version": Str,
    TlsCipher = "tls.cipher": Str,
    ConsoleLogin = "console.login": Str,
}

/// The type of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Int,
    Bool,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Str => "string",
            Kind::Int => "integer",
            Kind::Bool => "boolean",
        }
    }

    /// The name with its article, for messages: "an integer".
    pub fn with_article(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Int => "an integer",
            Kind::Bool => "a boolean",
        }
    }
}

/// A fact's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Value::Str(_) => Kind::Str,
            Value::Int(_) => Kind::Int,
            Value::Bool(_) => Kind::Bool,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// How many facts there are.
const FACTS: usize = Fact::ALL.len();
const _: () = assert!(FACTS < 255, "fact positions must fit the u8 index");

/// The facts of one incident, and the lines that established them.
///
/// An incident sets a few dozen of the facts, so values are stored densely
/// in the order they were set, found through an inline index (one byte per
/// fact name): a lookup stays one index, and an incident with no fact set
/// costs no allocation (archives make hundreds of thousands of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Per fact: 0 when unset, else 1 + its position in `values`.
    index: [u8; FACTS],
    /// Each set fact's value and the position in `lines` of its evidence.
    values: Vec<(Value, Option<usize>)>,
    lines: Vec<EvidenceLine>,
}

impl Default for Facts {
    fn default() -> Self {
        Facts {
            index: [0; FACTS],
            values: Vec::new(),
            lines: Vec::new(),
        }
    }
}

impl Facts {
    fn slot(&self, fact: Fact) -> Option<usize> {
        match self.index[fact as usize] {
            0 => None,
            n => Some(n as usize - 1),
        }
    }

    pub fn get(&self, fact: Fact) -> Option<&Value> {
        self.slot(fact).map(|i| &self.values[i].0)
    }

    pub fn str(&self, fact: Fact) -> Option<&str> {
        self.get(fact).and_then(Value::as_str)
    }

    pub fn int(&self, fact: Fact) -> Option<i64> {
        self.get(fact).and_then(Value::as_int)
    }

    pub fn bool(&self, fact: Fact) -> Option<bool> {
        self.get(fact).and_then(Value::as_bool)
    }

    pub fn has(&self, fact: Fact) -> bool {
        self.index[fact as usize] != 0
    }

    /// Sets a fact; `line` is the evidence that established it.
    pub fn set(&mut self, fact: Fact, value: impl Into<Value>, line: Option<&EvidenceLine>) {
        let value = value.into();
        debug_assert_eq!(
            value.kind(),
            fact.kind(),
            "{} has the wrong type",
            fact.name()
        );
        let source = line.map(|l| self.line_index(l));
        match self.slot(fact) {
            Some(i) => self.values[i] = (value, source),
            None => {
                // An incident sets a few dozen facts: one allocation, not a
                // doubling series.
                if self.values.capacity() == 0 {
                    self.values.reserve(32);
                }
                self.values.push((value, source));
                // FACTS < 255, so a position always fits.
                self.index[fact as usize] = self.values.len() as u8;
            }
        }
    }

    fn line_index(&mut self, line: &EvidenceLine) -> usize {
        match self.lines.iter().position(|l| l.line == line.line) {
            Some(i) => i,
            None => {
                self.lines.push(line.clone());
                self.lines.len() - 1
            }
        }
    }

    /// The evidence lines behind the given facts, in line order.
    pub fn evidence(&self, facts: &[Fact]) -> Vec<EvidenceLine> {
        let mut idx: Vec<usize> = facts
            .iter()
            .filter_map(|f| self.slot(*f).and_then(|i| self.values[i].1))
            .collect();
        idx.sort_unstable();
        idx.dedup();
        let mut lines: Vec<EvidenceLine> = idx.into_iter().map(|i| self.lines[i].clone()).collect();
        lines.sort_by_key(|l| l.line);
        lines
    }

    /// Facts that are set, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (Fact, &Value)> {
        Fact::ALL
            .iter()
            .filter_map(|f| self.get(*f).map(|v| (*f, v)))
    }
}

impl Serialize for Facts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (fact, value) in self.iter() {
            map.serialize_entry(fact.name(), value)?;
        }
        map.end()
    }
}

/// A failed run, described by facts, plus what the report needs to show.
#[derive(Debug, Clone)]
pub struct Incident {
    /// Shared with every finding the incident yields.
    pub facts: std::sync::Arc<Facts>,
    /// Client-vs-server differences of the signed request, when known.
    pub signature_diff: Vec<Difference>,
    /// The line a reader should look at first (the final error line).
    pub headline: Option<EvidenceLine>,
}

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
    if let Some(exchange) = failed_exchange.or(run.exchanges.last()) {
        add_exchange_facts(&mut facts, exchange, &mut signature_diff, secret);
    }
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

/// A CloudTrail event becomes an incident when it failed: an `errorCode`,
/// or a ConsoleLogin `Failure`. Successful events are `None`. `line` is the
/// input line the event starts on; the evidence quotes the event's id.
pub fn trail_incident(
    event: &crate::formats::cloudtrail::Event<'_>,
    line: usize,
) -> Option<Incident> {
    if !event.failed() {
        return None;
    }
    let evidence = EvidenceLine {
        line,
        text: trail_summary(event).into(),
    };
    let ev = Some(&evidence);
    let mut facts = Facts::default();
    let set = |facts: &mut Facts, fact: Fact, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            facts.set(fact, v, ev);
        }
    };
    let code = event.error_code.as_deref().filter(|c| !c.is_empty());
    if code.is_some() {
        facts.set(Fact::ErrorKind, ErrorKind::ServiceError.as_str(), ev);
    }
    set(&mut facts, Fact::ErrorCode, code);
    set(
        &mut facts,
        Fact::ErrorMessage,
        event.error_message.as_deref(),
    );
    set(
        &mut facts,
        Fact::ErrorOperation,
        event.event_name.as_deref(),
    );
    set(
        &mut facts,
        Fact::RequestOperation,
        event.event_name.as_deref(),
    );
    let service = event
        .event_source
        .as_deref()
        .map(|s| s.strip_suffix(".amazonaws.com").unwrap_or(s));
    set(&mut facts, Fact::RequestService, service);
    set(&mut facts, Fact::EventSource, event.event_source.as_deref());
    set(&mut facts, Fact::EventName, event.event_name.as_deref());
    set(&mut facts, Fact::EventType, event.event_type.as_deref());
    set(&mut facts, Fact::EventId, event.event_id.as_deref());
    set(&mut facts, Fact::EventRegion, event.aws_region.as_deref());
    set(&mut facts, Fact::RequestId, event.request_id.as_deref());
    if let Some(t) = event.event_time.as_deref().and_then(time::parse_iso8601) {
        facts.set(Fact::EventTime, t, ev);
    }
    if let Some(u) = &event.user_identity {
        set(&mut facts, Fact::IdentityType, u.kind.as_deref());
        set(&mut facts, Fact::IdentityArn, u.arn.as_deref());
        set(&mut facts, Fact::IdentityAccount, u.account_id.as_deref());
        set(&mut facts, Fact::IdentityUserName, u.user_name.as_deref());
        set(&mut facts, Fact::IdentityInvokedBy, u.invoked_by.as_deref());
        if let Some(key) = u.access_key_id.as_deref().filter(|k| !k.is_empty()) {
            facts.set(Fact::CredentialAccessKeyId, key, ev);
            facts.set(Fact::CredentialKeyType, sigv4::key_type(key), ev);
        }
        if let Some(session) = &u.session_context {
            let issuer = session
                .session_issuer
                .as_ref()
                .and_then(|i| i.arn.as_deref());
            set(&mut facts, Fact::IdentitySessionIssuer, issuer);
            let source_identity = session.source_identity.as_deref().or_else(|| {
                session
                    .attributes
                    .as_ref()
                    .and_then(|a| a.source_identity.as_deref())
            });
            set(&mut facts, Fact::IdentitySourceIdentity, source_identity);
        }
    }
    facts.set(Fact::IdentityAwsService, event.by_aws_service(), ev);
    if let Some(mfa) = event.mfa() {
        facts.set(Fact::IdentityMfa, mfa, ev);
    }
    set(
        &mut facts,
        Fact::SourceIp,
        event.source_ip_address.as_deref(),
    );
    set(
        &mut facts,
        Fact::ClientUserAgent,
        event.user_agent.as_deref(),
    );
    if let Some(agent) = event.user_agent.as_deref() {
        add_client_facts(&mut facts, agent, ev);
    }
    if let Some(tls) = &event.tls_details {
        set(&mut facts, Fact::TlsVersion, tls.tls_version.as_deref());
        set(&mut facts, Fact::TlsCipher, tls.cipher_suite.as_deref());
        let host = tls.client_provided_host_header.as_deref();
        set(&mut facts, Fact::RequestHostHeader, host);
    }
    set(
        &mut facts,
        Fact::RequestRoleArn,
        event.role_arn().as_deref(),
    );
    set(
        &mut facts,
        Fact::ConsoleLogin,
        event.console_login().as_deref(),
    );
    if let Some(message) = event.error_message.as_deref() {
        add_message_facts(&mut facts, message, ev);
    }
    Some(Incident {
        facts: std::sync::Arc::new(facts),
        signature_diff: Vec::new(),
        headline: Some(evidence),
    })
}

/// An S3 server access log record becomes an incident when S3 refused it
/// (an error code, or a 4xx/5xx status). `text` is the record's line,
/// quoted as evidence.
pub fn s3_access_incident(
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

/// The AWS tool or SDK a user agent names (`client.name`, `client.version`).
fn add_client_facts(facts: &mut Facts, user_agent: &str, line: Option<&EvidenceLine>) {
    if let Some((name, version)) = crate::formats::user_agent::client(user_agent) {
        facts.set(Fact::ClientName, name, line);
        facts.set(Fact::ClientVersion, version, line);
    }
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

/// `eventID 3f…: sts:AssumeRole AccessDenied: User: arn:… is not authorized…`
fn trail_summary(event: &crate::formats::cloudtrail::Event<'_>) -> String {
    let service = event.event_source.as_deref().unwrap_or("?");
    let service = service.strip_suffix(".amazonaws.com").unwrap_or(service);
    let mut text = format!(
        "eventID {} {} {service}:{}",
        event.event_id.as_deref().unwrap_or("(none)"),
        event.event_time.as_deref().unwrap_or("(no time)"),
        event.event_name.as_deref().unwrap_or("?"),
    );
    match event.error_code.as_deref().filter(|c| !c.is_empty()) {
        Some(code) => text.push_str(&format!(" {code}")),
        None => text.push_str(" Failure"),
    }
    if let Some(m) = event.error_message.as_deref().filter(|m| !m.is_empty()) {
        text.push_str(": ");
        text.push_str(m);
    }
    text
}

/// Facts computed from other facts, in the words reports use, so rule
/// templates can quote them.
fn add_derived_facts(facts: &mut Facts) {
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
    if let Some(line) = &context.proxy {
        facts.set(Fact::NetworkProxy, true, Some(line));
    }
    if let Some(line) = &context.odd_path {
        facts.set(Fact::RequestOddPath, true, Some(line));
    }
    if let Some(line) = &context.env_keys {
        facts.set(Fact::CredentialEnvKeys, true, Some(line));
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
        let asked_for = error.evidence.text.to_ascii_lowercase();
        facts.set(
            Fact::ImdsForCredentials,
            asked_for.contains("credential"),
            line,
        );
    }
}

/// Facts hidden in an error message's wording.
fn add_message_facts(facts: &mut Facts, message: &str, line: Option<&EvidenceLine>) {
    // `Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)`
    if let Some((request, server, window)) = signature_time_window(message) {
        if let (Some(r), Some(s)) = (
            time::parse_amz_date(&request),
            time::parse_amz_date(&server),
        ) {
            facts.set(Fact::ClockSkewSeconds, r - s, line);
            facts.set(Fact::ResponseServerTime, time::format_iso8601(s), line);
        }
        facts.set(Fact::ClockAllowedSkewSeconds, window * 60, line);
    }
    // `the region 'us-east-1' is wrong; expecting 'eu-central-1'`
    if let Some(expected) = between(message, "expecting '", "'") {
        facts.set(Fact::ResponseExpectedRegion, expected, line);
        // Tools without a debug log (Terraform, SDKs) only say it here.
        if !facts.has(Fact::RequestRegion)
            && let Some(signed) = between(message, "the region '", "'")
        {
            facts.set(Fact::RequestRegion, signed, line);
        }
    }
    // `User: arn:… is not authorized to perform: s3:ListBucket on resource: … because …`
    if let Some(action) = between(message, "not authorized to perform: ", " ") {
        facts.set(Fact::AuthzAction, action.trim_end_matches(','), line);
        if let Some(reason) = authz_reason(message) {
            facts.set(Fact::AuthzReason, reason, line);
        }
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end).unwrap_or(s.len() - from);
    Some(&s[from..from + len])
}

fn signature_time_window(message: &str) -> Option<(String, String, i64)> {
    let rest = message
        .split_once("Signature expired: ")
        .or_else(|| message.split_once("Signature not yet current: "))?
        .1;
    let request = rest.split_whitespace().next()?.to_string();
    let paren = between(rest, "(", ")")?;
    let mut parts = paren.split_whitespace();
    let server = parts.next()?.to_string();
    let _sign = parts.next()?;
    let window: i64 = parts.next()?.parse().ok()?;
    Some((request, server, window))
}

/// Which policy type denied, from the standard IAM wording.
fn authz_reason(message: &str) -> Option<&'static str> {
    const REASONS: &[(&str, &str)] = &[
        (
            "explicit deny in a service control policy",
            "explicit-deny-scp",
        ),
        (
            "explicit deny in a resource control policy",
            "explicit-deny-rcp",
        ),
        (
            "explicit deny in a permissions boundary",
            "explicit-deny-boundary",
        ),
        (
            "explicit deny in a session policy",
            "explicit-deny-session-policy",
        ),
        (
            "explicit deny in a resource-based policy",
            "explicit-deny-resource-policy",
        ),
        (
            "explicit deny in an identity-based policy",
            "explicit-deny-identity-policy",
        ),
        ("explicit deny", "explicit-deny"),
        (
            "no identity-based policy allows",
            "no-identity-policy-allows",
        ),
        (
            "no resource-based policy allows",
            "no-resource-policy-allows",
        ),
        ("no session policy allows", "no-session-policy-allows"),
        ("no permissions boundary allows", "no-boundary-allows"),
        (
            "no VPC endpoint policy allows",
            "no-vpc-endpoint-policy-allows",
        ),
    ];
    // One scan for every wording (a denial-heavy archive has hundreds of
    // thousands of messages); the first wording in list order wins, so the
    // scan is overlapping, which a DFA does several times faster than the
    // default automaton.
    static WORDINGS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(REASONS.iter().map(|(wording, _)| wording))
                .expect("fixed patterns build")
        });
    WORDINGS
        .find_overlapping_iter(message)
        .map(|m| m.pattern().as_usize())
        .min()
        .map(|i| REASONS[i].1)
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
    let body = x.response.body.as_deref().and_then(parse_error_body);
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
        facts.set(Fact::RequestHasSecurityToken, token, line);
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
        if code.is_none_or(|c| SIGNATURE_FAILURE_CODES.contains(&c)) {
            add_rebuild_facts(facts, x, request, &mut rebuild_diff);
        }
    }
    if !facts.has(Fact::CredentialAccessKeyId) {
        add_signing_key_facts(facts, x);
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

/// What the log did not let authsift check, for the reader: masked values,
/// and a signature failure with neither side's canonical request to compare.
pub fn not_checked(facts: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    let masked: Vec<&str> = facts
        .str(Fact::LogMasked)
        .map_or(Vec::new(), |m| m.split(',').collect());
    if masked.contains(&"access_key_id") {
        out.push(if facts.str(Fact::CredentialKeyType) == Some("masked") {
            "which access key signed: its id is masked in this log, so neither its kind \
             (long-term AKIA…, temporary ASIA…) nor whether it is the key you meant can be told"
                .to_string()
        } else {
            "the whole access key id: the log shows only its first and last characters".to_string()
        });
    }
    if masked.contains(&"signature") {
        out.push(
            "the signature value: it is masked in this log, so no secret can be tested against it"
                .to_string(),
        );
    }
    if masked.contains(&"security_token") {
        out.push(
            "the session token: it is masked in this log; only that one was sent is known"
                .to_string(),
        );
    }
    if let Some(hidden) = facts.str(Fact::SignatureUnchecked) {
        out.push(format!(
            "the value of {hidden} in the canonical request: the client logged it redacted, \
             so it was not compared"
        ));
    }
    let signature_failure = facts
        .str(Fact::ErrorCode)
        .is_some_and(|c| SIGNATURE_FAILURE_CODES.contains(&c));
    if signature_failure
        && !facts.has(Fact::SignatureComponent)
        && facts.bool(Fact::SignatureServerCanonical) != Some(true)
        && !facts.has(Fact::SignatureCanonicalMatch)
    {
        out.push(
            "which part of the request AWS signed differently: the log holds neither the \
             client's canonical request (a debug log shows it) nor AWS's (the error body of \
             S3 and of most query APIs carries it)"
                .to_string(),
        );
    }
    out
}

/// Codes with which AWS says the signature itself did not verify.
const SIGNATURE_FAILURE_CODES: &[&str] = &[
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "AuthFailure",
];

fn add_scope_facts(
    facts: &mut Facts,
    request: &crate::model::HttpRequest,
    auth: &Authorization,
    token: bool,
    line: Option<&EvidenceLine>,
) {
    facts.set(Fact::SignatureSigv4a, auth.is_sigv4a(), line);
    facts.set(Fact::RequestScopeDate, auth.scope.date.as_str(), line);
    if let Some(date) = request.header("X-Amz-Date") {
        let day = date.get(..8).unwrap_or(date);
        facts.set(Fact::SignatureScopeDateMatch, auth.scope.date == day, line);
    }
    if let (Some(endpoint), Some(region)) = (
        facts.str(Fact::RequestEndpointRegion).map(str::to_string),
        &auth.scope.region,
    ) {
        facts.set(Fact::SignatureScopeRegionMatch, *region == endpoint, line);
    }
    // Only an AWS host names its service; a custom endpoint (emulator,
    // proxy) says nothing, and then neither does this fact.
    if let Some(service) = host_of(&request.url).and_then(sigv4::service_from_host) {
        facts.set(Fact::RequestEndpointService, service.as_str(), line);
        facts.set(
            Fact::SignatureScopeServiceMatch,
            auth.scope.service == service,
            line,
        );
    }
    match sigv4::key_type(&auth.access_key_id) {
        "temporary" => facts.set(Fact::CredentialTokenConsistent, token, line),
        "long-term" => facts.set(Fact::CredentialTokenConsistent, !token, line),
        _ => {}
    }
}

/// Values of the signed request that the log shows masked (GitHub Actions
/// prints registered secrets as `***`; Terraform masks key ids to their
/// first and last four characters, signatures and tokens entirely).
fn masked_values(request: &crate::model::HttpRequest, auth: &Authorization) -> Vec<&'static str> {
    let is_mask = |v: &str| v.contains("***");
    let mut out = Vec::new();
    if auth.access_key_id.contains('*') {
        out.push("access_key_id");
    }
    if is_mask(&auth.signature) {
        out.push("signature");
    }
    if request.header("X-Amz-Security-Token").is_some_and(is_mask) {
        out.push("security_token");
    }
    out
}

/// Key and scope from the signing parameters a client logged, for logs
/// whose `Authorization` header is redacted (the AWS SDK for Rust): the
/// same key id, and the region and service the scope was built from.
fn add_signing_key_facts(facts: &mut Facts, x: &Exchange) {
    let Some((id, line)) = &x.signing_key else {
        return;
    };
    let line = Some(line);
    facts.set(Fact::CredentialAccessKeyId, id.as_str(), line);
    facts.set(Fact::CredentialKeyType, sigv4::key_type(id), line);
    if let Some(problem) = key_id_problem(id) {
        facts.set(Fact::CredentialKeyIdProblem, problem, line);
    }
    if let (Some(service), false) = (&x.signing_name, facts.has(Fact::RequestService)) {
        facts.set(Fact::RequestService, service.as_str(), line);
    }
    if let (Some(region), false) = (&x.signing_region, facts.has(Fact::RequestRegion)) {
        facts.set(Fact::RequestRegion, region.as_str(), line);
    }
}

/// Parts of a logged canonical request the log hid, which no comparison
/// can check: said as a fact rather than reported as a difference.
fn add_hidden_facts(facts: &mut Facts, logged: &CanonicalRequest, line: Option<&EvidenceLine>) {
    let hidden = logged.hidden_parts();
    if !hidden.is_empty() && !facts.has(Fact::SignatureUnchecked) {
        facts.set(Fact::SignatureUnchecked, hidden.join(", "), line);
    }
}

/// Whether the user's secret reproduces the signature the client logged.
fn add_secret_facts(
    facts: &mut Facts,
    x: &Exchange,
    auth: &Authorization,
    secret: &Secret,
    line: Option<&EvidenceLine>,
) {
    let Some(sts) = x
        .string_to_sign
        .as_ref()
        .and_then(|l| StringToSign::parse(&l.text))
    else {
        return;
    };
    let logged = x
        .signature
        .as_ref()
        .map_or(auth.signature.as_str(), |s| s.text.trim());
    if let Ok(verified) = verify::verifies(secret, &sts, logged) {
        facts.set(Fact::SignatureSecretVerified, verified, line);
    }
}

/// The client's logged canonical request against authsift's rebuild from
/// the request as sent, and the logged hash against the string to sign.
fn add_rebuild_facts(
    facts: &mut Facts,
    x: &Exchange,
    request: &crate::model::HttpRequest,
    diff: &mut Vec<Difference>,
) {
    let logged_cr = x.canonical_request.as_ref();
    let evidence = logged_cr.map(|l| EvidenceLine {
        line: l.span.line,
        text: "CanonicalRequest:".into(),
    });
    let logged = logged_cr.and_then(|l| CanonicalRequest::parse(&l.text));
    // A redacted canonical request does not hash to what was signed.
    let complete = logged.as_ref().is_some_and(|l| l.hidden_parts().is_empty());
    if let (Some(cr), Some(sts), true) = (
        logged_cr,
        x.string_to_sign
            .as_ref()
            .and_then(|l| StringToSign::parse(&l.text)),
        complete,
    ) {
        let hash = canonical::sha256_hex(cr.text.as_bytes());
        facts.set(
            Fact::SignatureLoggedHashMatch,
            hash == sts.canonical_request_hash,
            evidence.as_ref(),
        );
    }
    // botocore does not keep query-protocol bodies in the model: the
    // payload line stays unknown rather than guessed.
    let Ok(rebuilt) = canonical::rebuild(request, None, &RebuildOptions::default()) else {
        return;
    };
    let source = match rebuilt.payload {
        PayloadSource::Header => "header",
        PayloadSource::PresignedS3 => "presigned-s3",
        PayloadSource::Body => "body",
        PayloadSource::Unknown => "unknown",
    };
    facts.set(Fact::SignaturePayloadSource, source, request.line.as_ref());
    if let Some(logged) = logged {
        add_hidden_facts(facts, &logged, evidence.as_ref());
        let d = sigv4::diff::diff_canonical_against(&logged, &rebuilt.canonical, Against::Rebuild);
        facts.set(Fact::SignatureRebuildMatch, d.is_empty(), evidence.as_ref());
        diff.extend(d);
    }
}

/// Differences between what was signed and what the server or the
/// endpoint expected, from facts already established.
fn expected_differences(facts: &Facts) -> Vec<Difference> {
    let mut out = Vec::new();
    let expected = |component: &str, client: Option<&str>, other: Option<&str>| {
        Difference::new(component, client, other, Against::Expected)
    };
    let region = facts.str(Fact::RequestRegion);
    let expected_region = facts.str(Fact::ResponseExpectedRegion).or_else(|| {
        (facts.bool(Fact::SignatureScopeRegionMatch) == Some(false))
            .then(|| facts.str(Fact::RequestEndpointRegion))
            .flatten()
    });
    let region_rejected = facts.str(Fact::ErrorMessage).is_some_and(|m| {
        m.contains("scoped to a valid region") || m.contains("must be scoped to a valid region")
    });
    if let (Some(r), Some(e)) = (region, expected_region) {
        if r != e {
            out.push(expected("scope:region", Some(r), Some(e)));
        }
    } else if region_rejected && region.is_some() {
        out.push(expected("scope:region", region, None));
    }
    if facts.bool(Fact::SignatureScopeDateMatch) == Some(false) {
        let day = facts.str(Fact::RequestAmzDate).and_then(|d| d.get(..8));
        out.push(expected(
            "scope:date",
            facts.str(Fact::RequestScopeDate),
            day,
        ));
    }
    if facts.bool(Fact::SignatureScopeServiceMatch) == Some(false) {
        out.push(expected(
            "scope:service",
            facts.str(Fact::RequestService),
            facts.str(Fact::RequestEndpointService),
        ));
    }
    if let Some(skew) = facts.int(Fact::ClockSkewSeconds) {
        let window = facts.int(Fact::ClockAllowedSkewSeconds).unwrap_or(300);
        if skew.abs() > window {
            out.push(expected(
                "date",
                facts.str(Fact::RequestAmzDate),
                facts.str(Fact::ResponseServerTime),
            ));
        }
    }
    if facts.bool(Fact::CredentialTokenConsistent) == Some(false) {
        let temporary = facts.str(Fact::CredentialKeyType) == Some("temporary");
        let (sent, wanted) = if temporary {
            (
                "not sent",
                "sent: a temporary (ASIA…) key needs its session token",
            )
        } else {
            (
                "sent",
                "not sent: a long-term (AKIA…) key takes no session token",
            )
        };
        out.push(expected("security-token", Some(sent), Some(wanted)));
    }
    out
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

/// Key ids are upper-case letters and digits; anything else (a pasted
/// zero-width space, a quote, a trailing `\r`) breaks every request.
fn key_id_problem(id: &str) -> Option<String> {
    let (i, c) = id
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '*'))?;
    let shown = if c.is_ascii_graphic() {
        format!("`{c}`")
    } else {
        format!("U+{:04X}", c as u32)
    };
    Some(format!("{shown} at position {}", i + 1))
}

fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = &rest[..end];
    Some(host.rsplit_once('@').map_or(host, |(_, h)| h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fact_names_round_trip() {
        for f in Fact::ALL {
            assert_eq!(Fact::from_name(f.name()), Some(*f));
        }
        assert_eq!(Fact::from_name("no.such"), None);
    }

    #[test]
    fn evidence_follows_the_facts_used() {
        let mut facts = Facts::default();
        let a = EvidenceLine {
            line: 9,
            text: "nine".into(),
        };
        let b = EvidenceLine {
            line: 3,
            text: "three".into(),
        };
        facts.set(Fact::ErrorCode, "X", Some(&a));
        facts.set(Fact::HttpStatus, 403i64, Some(&b));
        facts.set(Fact::ErrorMessage, "m", Some(&a));
        let ev = facts.evidence(&[Fact::ErrorCode, Fact::HttpStatus, Fact::ErrorMessage]);
        assert_eq!(ev.iter().map(|l| l.line).collect::<Vec<_>>(), vec![3, 9]);
        assert!(facts.evidence(&[Fact::CliVersion]).is_empty());
    }

    #[test]
    fn masked_values_are_named_and_said_unchecked() {
        // Terraform's shape: key id cut to four and four, signature and token hidden.
        let request = crate::model::HttpRequest {
            method: "POST".into(),
            url: "https://sts.us-west-2.amazonaws.com/".into(),
            headers: vec![
                (
                    "Authorization".into(),
                    "AWS4-HMAC-SHA256 Credential=ASIA************KT4B/20231110/us-west-2/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=*****".into(),
                ),
                ("X-Amz-Security-Token".into(), "*****".into()),
            ],
            line: None,
        };
        let auth = Authorization::parse(request.header("Authorization").unwrap()).unwrap();
        assert_eq!(
            masked_values(&request, &auth),
            ["access_key_id", "signature", "security_token"]
        );
        let mut facts = Facts::default();
        facts.set(Fact::LogMasked, "access_key_id,signature", None);
        facts.set(Fact::CredentialKeyType, "temporary", None);
        let said = not_checked(&facts);
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].starts_with("the whole access key id"));
        assert!(said[1].starts_with("the signature value"));
        assert!(not_checked(&Facts::default()).is_empty());
    }

    #[test]
    fn message_facts_from_signature_expired() {
        let mut facts = Facts::default();
        add_message_facts(
            &mut facts,
            "Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)",
            None,
        );
        assert_eq!(
            facts.int(Fact::ClockSkewSeconds),
            Some(-(3600 + 45 * 60 + 1))
        );
        assert_eq!(facts.int(Fact::ClockAllowedSkewSeconds), Some(900));
    }

    #[test]
    fn authz_message_facts() {
        let mut facts = Facts::default();
        add_message_facts(
            &mut facts,
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: s3:ListBucket on resource: arn:aws:s3:::b with an explicit deny in a service control policy",
            None,
        );
        assert_eq!(facts.str(Fact::AuthzAction), Some("s3:ListBucket"));
        assert_eq!(facts.str(Fact::AuthzReason), Some("explicit-deny-scp"));
    }

    #[test]
    fn key_id_problems_name_the_character() {
        assert_eq!(key_id_problem("AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(
            key_id_problem("AKIARZPUZD\u{200b}IKERYDEXJC").as_deref(),
            Some("U+200B at position 11")
        );
        assert_eq!(
            key_id_problem("ASIA************KT4B"),
            None,
            "masked ids are not malformed"
        );
    }

    #[test]
    fn host_is_taken_from_url() {
        assert_eq!(
            host_of("https://b.s3.amazonaws.com/k?x=1"),
            Some("b.s3.amazonaws.com")
        );
        assert_eq!(host_of("http://127.0.0.1:9"), Some("127.0.0.1:9"));
        assert_eq!(host_of("not a url"), None);
    }
}
