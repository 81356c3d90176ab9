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
//!
//! With `--events` ([`RenderOptions::events`]) the findings are followed by
//! one record a line for each failed CloudTrail event, as the OCSF 1.1.0
//! class it belongs to: Authentication (3002) for the sign-in service's
//! events, API Activity (6003) for any other call (docs/siem-mapping.md).

use serde_json::{Map, Value, json};

use super::RenderOptions;
use super::fields::{self, Ctx, TimeSource, VERSION};
use crate::facts::{Fact, Facts};
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

/// Authentication: a failed console sign-in (`--events`).
pub const AUTHENTICATION_UID: u32 = 3002;
/// API Activity: any other failed call (`--events`).
pub const API_ACTIVITY_UID: u32 = 6003;

/// One OCSF Detection Finding a line: each input's ([`input`]), then the
/// event summary's ([`tail`]).
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out: String = report.inputs.iter().map(|i| input(i, options)).collect();
    out.push_str(&tail(report, options));
    out
}

/// One input's Detection Findings ([`fields::recorded`]: an event input's
/// failed events are not findings one by one); with `--events`
/// ([`RenderOptions::events`]), then one event record a line for each of
/// its failed CloudTrail events, in input order.
pub fn input(input: &crate::outcome::InputReport, options: &RenderOptions) -> String {
    let clock = super::run_clock(options);
    let found = fields::recorded(input, false);
    let mut out = super::json::lines(&found, options, |ctx, options| finding(ctx, options, clock));
    if options.events {
        for facts in &input.failed_events {
            let mut value = event(facts, &input.path, options, clock);
            super::json::redact_value(&mut value, &options.redactor);
            out.push_str(&serde_json::to_string(&value).expect("a JSON value always serialises"));
            out.push('\n');
        }
    }
    out
}

/// The Detection Findings of the event summary's grouped findings and
/// findings across files ([`super::grouped`]), once every input is read.
pub fn tail(report: &Report, options: &RenderOptions) -> String {
    super::grouped::lines(report, options, finding)
}

/// A failed CloudTrail event as the OCSF 1.1.0 class it belongs to: an
/// event of the AWS sign-in service (`signin.amazonaws.com`: ConsoleLogin,
/// CheckMfa…) is an Authentication (3002) `Logon` attempt, "a user attempts
/// a logon … successfully or otherwise"; any other call, STS's included
/// (the caller had authenticated with SigV4: the failure is the call's, not
/// a logon's), is API Activity (6003), its activity the CRUD verb of the
/// event's name ([`api_activity`]). `status` is always `Failure`.
fn event(facts: &Facts, path: &str, options: &RenderOptions, clock: i64) -> Value {
    let ms = |t: i64| t.saturating_mul(1000);
    let source = facts.str(Fact::EventSource);
    let name = facts.str(Fact::EventName).unwrap_or("unknown");
    let sign_in = source == Some("signin.amazonaws.com");
    let (class_uid, class_name, category_uid, category_name, activity_id, activity_name) =
        if sign_in {
            (
                AUTHENTICATION_UID,
                "Authentication",
                3,
                "Identity & Access Management",
                1,
                "Logon",
            )
        } else {
            let (id, caption) = api_activity(name);
            (
                API_ACTIVITY_UID,
                "API Activity",
                6,
                "Application Activity",
                id,
                caption,
            )
        };
    let (time, time_source) = match facts.int(Fact::EventTime) {
        Some(t) => (t, TimeSource::Event),
        None => (clock, TimeSource::Run),
    };

    let mut metadata = json!({
        "version": OCSF_VERSION,
        "profiles": ["cloud", "datetime"],
        "product": {"name": "CloudTrail", "vendor_name": "AWS"},
        "log_name": "CloudTrail",
        "log_provider": "authsift",
        "event_code": name,
    });
    if let Some(id) = facts.str(Fact::EventId) {
        metadata["uid"] = json!(id);
    }
    if let Some(now) = options.now {
        metadata["processed_time"] = json!(ms(now));
        metadata["processed_time_dt"] = json!(fields::iso(now));
    }

    let mut cloud = json!({"provider": "AWS"});
    if let Some(region) = facts.str(Fact::EventRegion) {
        cloud["region"] = json!(region);
    }
    if let Some(account) = facts.str(Fact::IdentityAccount) {
        cloud["account"] = json!({ "uid": account });
    }

    let code = facts.str(Fact::ErrorCode);
    let message = facts.str(Fact::ErrorMessage);
    let mut out = json!({
        "activity_id": activity_id,
        "activity_name": activity_name,
        "category_uid": category_uid,
        "category_name": category_name,
        "class_uid": class_uid,
        "class_name": class_name,
        "type_uid": class_uid * 100 + activity_id,
        // 99 is Other: the activity is the event's name, the type "Other".
        "type_name": format!("{class_name}: {}", if activity_id == 99 { "Other" } else { activity_name }),
        "severity_id": 2,
        "severity": "Low",
        "status_id": 2,
        "status": "Failure",
        "time": ms(time),
        "time_dt": fields::iso(time),
        "message": match (code, message) {
            (Some(c), Some(m)) => format!("{name} failed: {c}: {m}"),
            (Some(c), None) | (None, Some(c)) => format!("{name} failed: {c}"),
            (None, None) => format!("{name} failed"),
        },
        "metadata": metadata,
        "cloud": cloud,
        "src_endpoint": src_endpoint(facts),
    });
    if let Some(code) = code.or(facts.str(Fact::ConsoleLogin)) {
        out["status_code"] = json!(code);
    }
    if let Some(message) = message {
        out["status_detail"] = json!(message);
    }
    if let Some(ua) = facts.str(Fact::ClientUserAgent) {
        out["http_request"] = json!({ "user_agent": ua });
    }
    let user = event_user(facts);
    let mut actor = Map::new();
    if sign_in {
        out["user"] =
            user.unwrap_or_else(|| json!({"type_id": 0, "type": "Unknown", "name": "unknown"}));
        if let Some(source) = source {
            out["service"] = json!({ "name": source });
        }
    } else {
        let mut api = json!({"operation": name});
        if let Some(source) = source {
            api["service"] = json!({ "name": source });
        }
        if let Some(id) = facts.str(Fact::RequestId) {
            api["request"] = json!({ "uid": id });
        }
        let mut response = Map::new();
        if let Some(code) = code {
            response.insert("error".into(), json!(code));
        }
        if let Some(m) = message {
            response.insert("error_message".into(), json!(m));
        }
        if !response.is_empty() {
            api["response"] = Value::Object(response);
        }
        out["api"] = api;
        if let Some(user) = user {
            actor.insert("user".into(), user);
        }
    }
    if let Some(by) = facts.str(Fact::IdentityInvokedBy) {
        actor.insert("invoked_by".into(), json!(by));
    }
    if actor.is_empty() && !sign_in {
        // The actor is required; CloudTrail named no one.
        actor.insert(
            "user".into(),
            json!({"type_id": 0, "type": "Unknown", "name": "unknown"}),
        );
    }
    if !actor.is_empty() {
        out["actor"] = Value::Object(actor);
    }
    out["unmapped"] = json!({"authsift": {
        "source": {"path": path, "format": "cloudtrail"},
        "time_source": time_source.as_str(),
    }});
    out
}

/// An API Activity's `activity_id` and caption from the verb its event
/// name opens with: Create, Read, Update, Delete, else Other (99, with the
/// event's name as its caption, as OCSF asks).
fn api_activity(name: &str) -> (u32, &str) {
    const VERBS: &[(&str, u32, &str)] = &[
        ("Create", 1, "Create"),
        ("Put", 1, "Create"),
        ("Run", 1, "Create"),
        ("Add", 1, "Create"),
        ("Get", 2, "Read"),
        ("List", 2, "Read"),
        ("Describe", 2, "Read"),
        ("Head", 2, "Read"),
        ("Lookup", 2, "Read"),
        ("BatchGet", 2, "Read"),
        ("Update", 3, "Update"),
        ("Modify", 3, "Update"),
        ("Set", 3, "Update"),
        ("Attach", 3, "Update"),
        ("Delete", 4, "Delete"),
        ("Remove", 4, "Delete"),
        ("Terminate", 4, "Delete"),
        ("Detach", 4, "Delete"),
    ];
    VERBS
        .iter()
        .find(|(verb, _, _)| {
            name.strip_prefix(verb).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
            })
        })
        .map_or((99, name), |&(_, id, caption)| (id, caption))
}

/// The identity CloudTrail names, as an OCSF user (it needs a uid, a name
/// or an account).
fn event_user(facts: &Facts) -> Option<Value> {
    let mut user = Map::new();
    if let Some(arn) = facts.str(Fact::IdentityArn) {
        user.insert("uid".into(), json!(arn));
    }
    if let Some(name) = facts.str(Fact::IdentityUserName) {
        user.insert("name".into(), json!(name));
    }
    if let Some(account) = facts.str(Fact::IdentityAccount) {
        user.insert("account".into(), json!({ "uid": account }));
    }
    if user.is_empty() {
        return None;
    }
    if let Some(key) = facts.str(Fact::CredentialAccessKeyId) {
        user.insert("credential_uid".into(), json!(key));
    }
    let (type_id, kind) = match facts.str(Fact::IdentityType) {
        Some("IAMUser") => (1, "User"),
        Some("Root") => (2, "Admin"),
        Some(other) => (99, other),
        None => (0, "Unknown"),
    };
    user.insert("type_id".into(), json!(type_id));
    user.insert("type".into(), json!(kind));
    Some(Value::Object(user))
}

/// Where the call came from: CloudTrail's `sourceIPAddress` is an address,
/// or, for calls AWS services make, the service's name.
fn src_endpoint(facts: &Facts) -> Value {
    match facts.str(Fact::SourceIp) {
        Some(ip) if ip.parse::<std::net::IpAddr>().is_ok() => json!({ "ip": ip }),
        Some(service) => json!({ "svc_name": service }),
        None => json!({ "name": "unknown" }),
    }
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

#[cfg(test)]
mod tests {
    use super::api_activity;

    #[test]
    fn an_api_activity_is_the_crud_verb_its_event_name_opens_with() {
        assert_eq!(api_activity("PutObject"), (1, "Create"));
        assert_eq!(api_activity("ListBuckets"), (2, "Read"));
        assert_eq!(api_activity("GetPasswordData"), (2, "Read"));
        assert_eq!(api_activity("ModifyInstanceAttribute"), (3, "Update"));
        assert_eq!(api_activity("DeleteBucket"), (4, "Delete"));
        // A verb is a whole word: `Getaway` is no `Get`.
        assert_eq!(api_activity("Getaway"), (99, "Getaway"));
        assert_eq!(api_activity("AssumeRole"), (99, "AssumeRole"));
        assert_eq!(api_activity("LeaveOrganization"), (99, "LeaveOrganization"));
    }
}
