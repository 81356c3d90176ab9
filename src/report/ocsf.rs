//! `--format ocsf`: one OCSF 1.1.0 Detection Finding (class_uid 2004) a
//! line — the schema AWS Security Lake and many SIEMs take natively.
//!
//! Contract (docs/siem-mapping.md, docs/schema/ocsf-1.1.0-detection-finding.schema.json):
//! the base event's required attributes are always present (`activity_id` 1
//! Create, `category_uid` 2, `class_uid` 2004, `type_uid` 200401,
//! `severity_id`, `time`, `metadata {version "1.1.0", product}`), and so is
//! `finding_info {uid, title, desc, analytic, types, …}`. `finding_info.uid`
//! is stable for the same rule and group. The failed call is an entry of
//! `evidences[]` shaped like an API Activity (6003) event — `actor.user`,
//! `api`, `http_request`, `dst_endpoint` — or, when no call reached AWS
//! (missing credentials, SSO, MFA, configuration), like an Authentication
//! (3002) event with the failure in `data`. What OCSF has no place for (the
//! SigV4 diff, the input location, facts) is under `unmapped.authsift`.
//! `time` is the incident's time from the log when known, else the run's
//! time with `--timestamp`, else 0 with `unmapped.authsift.time_known`
//! false: without `--timestamp` the output depends on the input alone.
//! Every string is redacted like `--format json`.

use serde_json::{Map, Value, json};

use super::RenderOptions;
use super::fields::{self, Ctx, VERSION};
use crate::facts::Fact;
use crate::finding::Severity;
use crate::outcome::Report;

/// The OCSF schema version the lines follow.
pub const OCSF_VERSION: &str = "1.1.0";
/// Detection Finding.
pub const CLASS_UID: u32 = 2004;
/// Findings.
pub const CATEGORY_UID: u32 = 2;
/// Activity `Create`: a new finding.
pub const ACTIVITY_CREATE: u32 = 1;

/// One OCSF Detection Finding a line.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    super::json::lines(report, options, finding)
}

fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
    }
}

/// Errors before any call reached AWS: an Authentication-shaped evidence.
fn is_authentication(ctx: &Ctx<'_>) -> bool {
    ctx.error_code().is_none() && ctx.finding.facts.int(Fact::HttpStatus).is_none()
}

fn finding(ctx: &Ctx<'_>, options: &RenderOptions) -> Value {
    let f = ctx.finding;
    let (severity_id, severity_name) = severity(f.severity);
    let confidence = ctx.confidence();
    let time = ctx.first_seen().or(options.now);
    let ms = |t: i64| t.saturating_mul(1000);
    let references = options.rules.references(&f.rule);

    let analytic = json!({
        "uid": f.rule,
        "name": f.title,
        "type_id": 1,
        "type": "Rule",
        "version": options.rules.version(),
    });
    let mut info = json!({
        "uid": ctx.uid(),
        "title": f.title,
        "desc": f.explanation,
        "analytic": analytic,
        "types": [f.rule],
        "related_events_count": ctx.count(),
        "product_uid": "authsift",
    });
    if let Some(t) = ctx.first_seen() {
        info["first_seen_time"] = json!(ms(t));
        info["first_seen_time_dt"] = json!(fields::iso(t));
    }
    if let Some(t) = ctx.last_seen() {
        info["last_seen_time"] = json!(ms(t));
        info["last_seen_time_dt"] = json!(fields::iso(t));
    }
    if let Some(url) = references.first() {
        info["src_url"] = json!(url);
    }

    let mut metadata = json!({
        "version": OCSF_VERSION,
        "profiles": ["cloud", "datetime"],
        "product": {"name": "authsift", "vendor_name": "authsift", "version": VERSION},
        "uid": ctx.uid(),
        "log_name": "authsift",
    });
    if let Some(now) = options.now {
        metadata["processed_time"] = json!(ms(now));
        metadata["processed_time_dt"] = json!(fields::iso(now));
    }

    let mut cloud = json!({"provider": "AWS"});
    if let Some(region) = ctx.region() {
        cloud["region"] = json!(region);
    }
    if let Some(p) = ctx.principal() {
        cloud["account"] = json!({"uid": p.account});
    }

    let mut out = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": 1,
        "status": "New",
        "is_alert": true,
        "confidence_id": confidence.ocsf_id(),
        "confidence": capitalise(confidence.as_str()),
        "time": ms(time.unwrap_or(0)),
        "message": f.explanation,
        "metadata": metadata,
        "finding_info": info,
        "cloud": cloud,
        "remediation": {
            "desc": f.fix.iter().enumerate().map(|(i, s)| format!("{}. {s}", i + 1)).collect::<Vec<_>>().join("\n"),
            "references": references,
        },
        "evidences": [evidence(ctx)],
    });
    if let Some(t) = time {
        out["time_dt"] = json!(fields::iso(t));
    }
    if let Some(status) = f.facts.int(Fact::HttpStatus) {
        out["status_code"] = json!(status.to_string());
    }
    if let Some(message) = ctx.error_message() {
        out["status_detail"] = json!(message);
    }
    out["unmapped"] = json!({"authsift": unmapped(ctx, time.is_some())});
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The failed call, shaped like an API Activity (6003) event, or like an
/// Authentication (3002) event when no call reached AWS.
fn evidence(ctx: &Ctx<'_>) -> Value {
    let facts = &ctx.finding.facts;
    let mut user = Map::new();
    if let Some(key) = facts.str(Fact::CredentialAccessKeyId) {
        user.insert("credential_uid".into(), json!(key));
    }
    if let Some(p) = ctx.principal() {
        user.insert("uid".into(), json!(p.arn));
        user.insert("name".into(), json!(p.name));
        user.insert("account".into(), json!({"uid": p.account}));
    }
    if let Some(kind) = facts.str(Fact::CredentialKeyType) {
        user.insert("type".into(), json!(kind));
    }
    let mut ev = Map::new();
    if is_authentication(ctx) {
        let mut data = json!({
            "class_uid": 3002,
            "class_name": "Authentication",
            "activity_id": 1,
            "status_id": 2,
            "status": "Failure",
        });
        if let Some(kind) = facts.str(Fact::ErrorKind) {
            data["status_code"] = json!(kind);
        }
        if let Some(m) = ctx.error_message() {
            data["status_detail"] = json!(m);
        }
        if let Some(source) = facts.str(Fact::CredentialSource) {
            data["credential_source"] = json!(source);
        }
        if let Some(profile) = facts.str(Fact::CredentialProfile) {
            data["profile"] = json!(profile);
        }
        ev.insert("data".into(), data);
        if !user.is_empty() {
            ev.insert("user".into(), Value::Object(user));
        }
    } else {
        let mut api = Map::new();
        api.insert(
            "operation".into(),
            json!(ctx.operation().unwrap_or("unknown")),
        );
        if let Some(service) = ctx.service() {
            api.insert("service".into(), json!({"name": service}));
        }
        let mut response = Map::new();
        if let Some(code) = ctx.error_code() {
            response.insert("error".into(), json!(code));
        }
        if let Some(m) = ctx.error_message() {
            response.insert("message".into(), json!(m));
        }
        if let Some(status) = facts.int(Fact::HttpStatus) {
            response.insert("code".into(), json!(status));
        }
        api.insert("response".into(), Value::Object(response));
        ev.insert("api".into(), Value::Object(api));
        ev.insert("actor".into(), json!({"user": Value::Object(user)}));
        ev.insert(
            "data".into(),
            json!({"class_uid": 6003, "class_name": "API Activity", "status_id": 2, "status": "Failure"}),
        );
    }
    let mut http = Map::new();
    if let Some(ua) = ctx.user_agent() {
        http.insert("user_agent".into(), json!(ua));
    }
    if let Some(method) = facts.str(Fact::RequestMethod) {
        http.insert("http_method".into(), json!(method));
    }
    if !http.is_empty() {
        ev.insert("http_request".into(), Value::Object(http));
    }
    if let Some(host) = facts.str(Fact::RequestEndpointHost) {
        ev.insert("dst_endpoint".into(), endpoint(host));
    }
    Value::Object(ev)
}

/// `host[:port]` as an OCSF network endpoint.
fn endpoint(host: &str) -> Value {
    let (name, port) = match host.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') && p.parse::<u16>().is_ok() => (h, p.parse::<u16>().ok()),
        _ => (host, None),
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    let mut out = if name.parse::<std::net::IpAddr>().is_ok() {
        json!({"ip": name})
    } else {
        json!({"hostname": name})
    };
    if let Some(port) = port {
        out["port"] = json!(port);
    }
    out
}

fn unmapped(ctx: &Ctx<'_>, time_known: bool) -> Value {
    let f = ctx.finding;
    let mut out = json!({
        "root_cause": f.rule,
        "severity": f.severity.as_str(),
        "verdict": ctx.verdict,
        "incident": f.incident,
        "time_known": time_known,
        "fix": f.fix,
        "source": {"path": ctx.input.path},
        "evidence": f.evidence.iter().map(|e| json!({"line": e.line, "text": e.text})).collect::<Vec<_>>(),
        "facts": f.facts,
    });
    if let Some(line) = ctx.line() {
        out["source"]["line"] = json!(line);
    }
    if let Some(read_as) = ctx.input.read_as {
        out["source"]["format"] = json!(read_as.as_str());
    }
    if !f.signature_diff.is_empty() {
        out["sigv4"] = json!({"differences": f.signature_diff});
    }
    let not_checked = super::not_checked::of(f);
    if !not_checked.is_empty() {
        out["not_checked"] = json!(not_checked);
    }
    if let Some(b) = &f.batch {
        let group: Map<String, Value> =
            b.group.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        out["batch"] = json!({"group": group, "count": b.count});
    }
    out
}
