//! `--format jsonl`: one finding a line, for SIEM ingestion.
//!
//! Contract (docs/schema/authsift-jsonl.schema.json, docs/siem-mapping.md):
//! each line is one flat JSON object whose keys are dotted field names —
//! Elastic Common Schema names where ECS has a field (`event.kind`,
//! `error.code`, `rule.id`, `cloud.region`, …) and `authsift.*` for the rest
//! (severity, confidence, explanation, fix steps, evidence, facts, SigV4
//! differences, batch group). A field whose value is unknown is left out,
//! never null. Lines come in input order, findings in report order (the
//! verdict of an incident first); inputs with no finding yield no line.
//! `@timestamp` is the incident's time from the log when known; `--timestamp`
//! adds `event.created` (the run's clock) and fills `@timestamp` when the log
//! has no time, so without it the output depends on the input alone. Every
//! string is redacted like `--format json`.

use serde_json::{Map, Value, json};

use super::RenderOptions;
use super::fields::{self, Ctx, VERSION};
use crate::outcome::Report;

/// `authsift.schema` of every line.
pub const SCHEMA: &str = "authsift-jsonl/1";

/// One finding a line, ECS field names.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    super::json::lines(report, options, |ctx, options| {
        Value::Object(line(ctx, options))
    })
}

/// ECS `event.category` of a root cause.
pub fn category(rule: &str) -> &'static str {
    match rule.split('.').next().unwrap_or("") {
        "authz" | "role" => "iam",
        "network" => "network",
        "config" | "cli" => "configuration",
        _ => "authentication",
    }
}

/// ECS `event.severity`: the OCSF severity id (2 low, 3 medium, 4 high).
pub fn severity_number(severity: crate::finding::Severity) -> u8 {
    match severity {
        crate::finding::Severity::Low => 2,
        crate::finding::Severity::Medium => 3,
        crate::finding::Severity::High => 4,
    }
}

fn line(ctx: &Ctx<'_>, options: &RenderOptions) -> Map<String, Value> {
    let f = ctx.finding;
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    match (ctx.first_seen(), options.now) {
        (Some(t), _) | (None, Some(t)) => put("@timestamp", json!(fields::iso(t))),
        _ => {}
    }
    put("message", json!(f.explanation));
    put("event.kind", json!("alert"));
    put("event.category", json!([category(&f.rule)]));
    put("event.type", json!(["info"]));
    put("event.outcome", json!("failure"));
    put("event.id", json!(ctx.uid()));
    put("event.module", json!("authsift"));
    put("event.dataset", json!("authsift.finding"));
    put("event.severity", json!(severity_number(f.severity)));
    if let Some(op) = ctx.operation() {
        put("event.action", json!(op));
    }
    if let Some(b) = &f.batch {
        put("event.start", json!(fields::iso(b.first_seen)));
        put("event.end", json!(fields::iso(b.last_seen)));
    }
    if let Some(now) = options.now {
        put("event.created", json!(fields::iso(now)));
    }
    if let Some(code) = ctx.error_code() {
        put("error.code", json!(code));
    }
    if let Some(message) = ctx.error_message() {
        put("error.message", json!(message));
    }
    if let Some(kind) = f.facts.str(crate::facts::Fact::ErrorKind) {
        put("error.type", json!(kind));
    }
    put("rule.id", json!(f.rule));
    put("rule.name", json!(f.title));
    put("rule.category", json!(f.rule));
    put("rule.ruleset", json!("authsift"));
    put("rule.version", json!(options.rules.version()));
    if let Some(reference) = options.rules.references(&f.rule).first() {
        put("rule.reference", json!(reference));
    }
    put("cloud.provider", json!("aws"));
    if let Some(region) = ctx.region() {
        put("cloud.region", json!(region));
    }
    if let Some(service) = ctx.service() {
        put("cloud.service.name", json!(service));
    }
    if let Some(p) = ctx.principal() {
        put("cloud.account.id", json!(p.account));
        put("user.id", json!(p.arn));
        put("user.name", json!(p.name));
    }
    if let Some(ua) = ctx.user_agent() {
        put("user_agent.original", json!(ua));
    }
    if let Some(status) = f.facts.int(crate::facts::Fact::HttpStatus) {
        put("http.response.status_code", json!(status));
    }
    if let Some(method) = f.facts.str(crate::facts::Fact::RequestMethod) {
        put("http.request.method", json!(method));
    }
    if let Some(host) = f.facts.str(crate::facts::Fact::RequestEndpointHost) {
        put("destination.address", json!(host));
    }
    put("log.file.path", json!(ctx.input.path));
    if let Some(line) = ctx.line() {
        put("log.file.line", json!(line));
    }
    put("authsift.schema", json!(SCHEMA));
    put("authsift.version", json!(VERSION));
    if let Some(read_as) = ctx.input.read_as {
        put("authsift.input.format", json!(read_as.as_str()));
    }
    put("authsift.incident", json!(f.incident));
    put("authsift.verdict", json!(ctx.verdict));
    put("authsift.severity", json!(f.severity.as_str()));
    put("authsift.confidence", json!(ctx.confidence().as_str()));
    put("authsift.title", json!(f.title));
    put("authsift.explanation", json!(f.explanation));
    put("authsift.fix", json!(f.fix));
    put(
        "authsift.references",
        json!(options.rules.references(&f.rule)),
    );
    put(
        "authsift.evidence",
        Value::Array(
            f.evidence
                .iter()
                .map(|e| json!({"line": e.line, "text": e.text}))
                .collect(),
        ),
    );
    if let Some(key) = f.facts.str(crate::facts::Fact::CredentialAccessKeyId) {
        put("authsift.access_key_id", json!(key));
    }
    put("authsift.facts", json!(f.facts));
    if !f.signature_diff.is_empty() {
        put("authsift.signature_diff", json!(f.signature_diff));
    }
    let not_checked = super::not_checked::of(f);
    if !not_checked.is_empty() {
        put("authsift.not_checked", json!(not_checked));
    }
    if let Some(b) = &f.batch {
        let group: Map<String, Value> =
            b.group.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        put(
            "authsift.batch",
            json!({"group": group, "count": b.count, "first_seen": fields::iso(b.first_seen), "last_seen": fields::iso(b.last_seen)}),
        );
    }
    m
}
