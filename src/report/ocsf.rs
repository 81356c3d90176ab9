//! `--format ocsf`: one OCSF 1.1.0 Detection Finding (class_uid 2004) a
//! line — the schema AWS Security Lake and many SIEMs take natively.
//!
//! Contract (docs/siem-mapping.md): every line validates against the OCSF
//! 1.1.0 definitions vendored in `tests/schemas/` (tests/siem_schemas.rs),
//! with the `cloud` and `datetime` profiles. The base event's required
//! attributes are always present (`activity_id` 1 Create, `category_uid` 2,
//! `class_uid` 2004, `type_uid` 200401, `severity_id`, `time`, `cloud`,
//! `metadata {version "1.1.0", product}`), and so is `finding_info {uid,
//! title, desc, analytic, types, …}`. `finding_info.uid` is stable for the
//! same rule and group; `count` is how many failed calls the finding stands
//! for. The failed call is an entry of `evidences[]` shaped like an API
//! Activity (6003) event — `actor.user`, `api`, `dst_endpoint`, the class
//! in `data` — or, when no call reached AWS (missing credentials, SSO, MFA,
//! configuration), like an Authentication (3002) event. What OCSF 1.1.0
//! has no place for (the SigV4 diff, the input location, facts) is under
//! `unmapped.authsift`. `time` is the event's time, else the time its log
//! line opens with, else the run's clock (`report::run_clock`), and
//! `unmapped.authsift.time_source` says which (`event`, `log`, `run`).
//! Every string is redacted like `--format json`.

use serde_json::{Map, Value, json};

use super::RenderOptions;
use super::fields::{self, Ctx, TimeSource, VERSION};
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
    let clock = super::run_clock(options);
    super::json::lines(report, options, |ctx, options| finding(ctx, options, clock))
}

fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
    }
}

/// Errors before any call reached AWS (no AWS answer: no HTTP status and
/// no AWS error code) and findings about the AWS config files themselves:
/// an Authentication-shaped evidence.
fn is_authentication(ctx: &Ctx<'_>) -> bool {
    ctx.input.read_as == Some(crate::outcome::ReadAs::AwsConfig)
        || (ctx.error_code().is_none() && ctx.finding.facts.int(Fact::HttpStatus).is_none())
}

fn finding(ctx: &Ctx<'_>, options: &RenderOptions, clock: i64) -> Value {
    let f = ctx.finding;
    let (severity_id, severity_name) = severity(f.severity);
    let confidence = ctx.confidence();
    let (time, time_source) = ctx.time(clock);
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
        "confidence_id": confidence.ocsf_id(),
        "confidence": capitalise(confidence.as_str()),
        "time": ms(time),
        "time_dt": fields::iso(time),
        "count": ctx.count(),
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
    if let Some(status) = f.facts.int(Fact::HttpStatus) {
        out["status_code"] = json!(status.to_string());
    }
    if let Some(message) = ctx.error_message() {
        out["status_detail"] = json!(message);
    }
    out["unmapped"] = json!({"authsift": unmapped(ctx, time_source)});
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The failed call, shaped like an API Activity (6003) event, or like an
/// Authentication (3002) event when no call reached AWS. OCSF 1.1.0's
/// evidence has no `user` or `http_request` of its own: the user is the
/// actor's (only when the error names a principal: a user needs a uid, a
/// name or an account), and what has no attribute goes in `data`.
fn evidence(ctx: &Ctx<'_>) -> Value {
    let facts = &ctx.finding.facts;
    let key = facts.str(Fact::CredentialAccessKeyId);
    let user = ctx.principal().map(|p| {
        let mut user = json!({"uid": p.arn, "name": p.name, "account": {"uid": p.account}});
        if let Some(key) = key {
            user["credential_uid"] = json!(key);
        }
        user
    });
    let mut data = Map::new();
    let mut ev = Map::new();
    if is_authentication(ctx) {
        data.insert("class_uid".into(), json!(3002));
        data.insert("class_name".into(), json!("Authentication"));
        data.insert("activity_id".into(), json!(1));
        data.insert("activity_name".into(), json!("Logon"));
        if let Some(code) = facts.str(Fact::ErrorKind).or(ctx.error_code()) {
            data.insert("status_code".into(), json!(code));
        }
        if let Some(source) = facts.str(Fact::CredentialSource) {
            data.insert("credential_source".into(), json!(source));
        }
        if let Some(profile) = facts.str(Fact::CredentialProfile) {
            data.insert("profile".into(), json!(profile));
        }
    } else {
        data.insert("class_uid".into(), json!(6003));
        data.insert("class_name".into(), json!("API Activity"));
        if let Some(operation) = ctx.operation() {
            let mut api = Map::new();
            api.insert("operation".into(), json!(operation));
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
        } else {
            // `api.operation` is required: without it the call is told in `data`.
            if let Some(service) = ctx.service() {
                data.insert("service".into(), json!(service));
            }
            if let Some(code) = ctx.error_code() {
                data.insert("status_code".into(), json!(code));
            }
            if let Some(status) = facts.int(Fact::HttpStatus) {
                data.insert("http_status".into(), json!(status));
            }
        }
    }
    data.insert("status_id".into(), json!(2));
    data.insert("status".into(), json!("Failure"));
    if let Some(m) = ctx.error_message() {
        data.insert("status_detail".into(), json!(m));
    }
    if user.is_none()
        && let Some(key) = key
    {
        data.insert("credential_uid".into(), json!(key));
    }
    if let Some(ua) = ctx.user_agent() {
        data.insert("user_agent".into(), json!(ua));
    }
    if let Some(method) = facts.str(Fact::RequestMethod) {
        data.insert("http_method".into(), json!(method));
    }
    if let Some(user) = user {
        ev.insert("actor".into(), json!({ "user": user }));
    }
    ev.insert("data".into(), Value::Object(data));
    if let Some(host) = facts.str(Fact::RequestEndpointHost) {
        ev.insert("dst_endpoint".into(), endpoint(host));
    }
    if let Some(ip) = ctx.source_ip() {
        ev.insert("src_endpoint".into(), json!({ "ip": ip }));
    }
    Value::Object(ev)
}

/// `host[:port]` as an OCSF network endpoint.
fn endpoint(host: &str) -> Value {
    let (name, port) = fields::host_port(host);
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

fn unmapped(ctx: &Ctx<'_>, time_source: TimeSource) -> Value {
    let f = ctx.finding;
    let mut out = json!({
        "root_cause": f.rule,
        "severity": f.severity.as_str(),
        "verdict": ctx.verdict,
        "incident": f.incident,
        "time_source": time_source.as_str(),
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
