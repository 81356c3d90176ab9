//! A failed CloudTrail event becomes an incident: its facts, and a summary
//! line quoting its id as evidence.

use crate::facts::{Fact, Facts, Incident, add_message_facts};
use crate::model::{ErrorKind, EvidenceLine};
use crate::sigv4;
use crate::time;

use super::add_client_facts;

/// A CloudTrail event becomes an incident when it failed: an `errorCode`,
/// or a ConsoleLogin `Failure`. Successful events are `None`. `line` is the
/// input line the event starts on; the evidence quotes the event's id.
pub(super) fn trail_incident(
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
