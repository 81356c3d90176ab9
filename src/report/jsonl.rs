//! `--format jsonl`: one finding a line, an Elastic Common Schema document
//! an ingest pipeline takes as is.
//!
//! Contract (docs/siem-mapping.md, whose field table is [`field_table`];
//! docs/schema/authsift-jsonl.schema.json): each line is one JSON object
//! whose objects nest (`{"event": {"kind": "alert"}}`, never a dotted key,
//! so `jq .rule.id` and SQL's `rule.id` work). Every field is in
//! [`FIELDS`]: ECS 9.4.0 fields where ECS has one (validated against the
//! vendored ECS reference by tests/siem_schemas.rs), and authsift's own
//! under `authsift`, whose shape is fixed: what varies with the input (the
//! facts, a batch's group) is a flat map of strings. A field whose value is
//! unknown is left out, never null. Lines come in input order, findings in
//! report order (the verdict of an incident first); inputs with no finding
//! yield no line. `@timestamp` is always there: the event's time, else the
//! time its log line opens with, else the run's clock
//! (`report::run_clock`), and `authsift.time_source` says which. Every
//! string is redacted like `--format json`.

use serde_json::{Map, Value, json};

use super::RenderOptions;
use super::fields::{self, Ctx, VERSION};
use crate::facts::Fact;
use crate::outcome::{InputReport, Report};

/// `authsift.schema` of every line.
pub const SCHEMA: &str = "authsift-jsonl/2";

/// The ECS version the lines follow (`ecs.version`).
pub const ECS_VERSION: &str = "9.4.0";

/// Every field a line may carry, nested names dotted, with what it holds:
/// the source of docs/siem-mapping.md's table (a test compares them, and
/// another that no line carries a field missing here).
pub const FIELDS: &[(&str, &str)] = &[
    (
        "@timestamp",
        "the event's time, else the time its log line opens with, else the run's clock (`authsift.time_source` says which)",
    ),
    ("ecs.version", "`9.4.0`"),
    ("message", "the explanation"),
    ("event.kind", "`alert`"),
    (
        "event.category",
        "by root-cause family: `authz.*`, `role.*` → `[\"api\"]`; `network.*` → `[\"network\"]`; `config.*`, `cli.*` → `[\"configuration\"]`; else `[\"authentication\"]`",
    ),
    (
        "event.type",
        "with the category: `[\"denied\"]` (api), `[\"connection\"]` (network), `[\"info\"]` (configuration), `[\"start\"]` (authentication: a failed attempt)",
    ),
    ("event.outcome", "`failure`"),
    (
        "event.id",
        "the CloudTrail `eventID`, else the S3 request id (event inputs), else the finding id",
    ),
    ("event.module", "`authsift`"),
    ("event.dataset", "`authsift.finding`"),
    ("event.severity", "2 / 3 / 4 for low / medium / high"),
    ("event.action", "the failed operation (`ListObjectsV2`)"),
    ("event.start", "a batch finding's first event"),
    ("event.end", "a batch finding's last event"),
    ("event.created", "the run's clock, with `--timestamp` only"),
    ("error.code", "the AWS error code"),
    ("error.message", "the error message"),
    (
        "error.type",
        "authsift's error kind (`service-error`, `no-credentials`, …)",
    ),
    ("rule.id", "the root cause (`signature.canonical-mismatch`)"),
    ("rule.name", "the rule's title"),
    ("rule.category", "the root cause"),
    ("rule.ruleset", "`authsift`"),
    (
        "rule.version",
        "the rule set's version (`sha256:` of the rule files)",
    ),
    ("rule.reference", "the rule's first reference"),
    ("cloud.provider", "`aws`"),
    (
        "cloud.region",
        "the request's region (credential scope, else signing, else endpoint region, else the event's)",
    ),
    ("cloud.service.name", "the service called (`s3`)"),
    ("cloud.account.id", "the principal's account"),
    (
        "user.id",
        "the principal's ARN (the CloudTrail identity, else the one an error message names)",
    ),
    ("user.name", "the principal's name (`bob` of `user/bob`)"),
    (
        "user_agent.original",
        "the client's User-Agent (CloudTrail, S3), else its self-description (`aws-cli/2.15.0 Python/3.11.6 …`)",
    ),
    ("http.response.status_code", "the HTTP status"),
    ("http.request.method", "the HTTP method"),
    (
        "destination.address",
        "the endpoint's host, without its port",
    ),
    ("destination.domain", "the endpoint's host name"),
    ("destination.ip", "the endpoint's address, when it is an IP"),
    ("destination.port", "the endpoint's port, when given"),
    (
        "source.ip",
        "the caller's IP (CloudTrail `sourceIPAddress`, S3 remote IP)",
    ),
    ("related.ip", "`source.ip` and `destination.ip`"),
    ("related.user", "`user.name` and `user.id`"),
    ("log.file.path", "the input, as named on the command line"),
    ("authsift.schema", "`authsift-jsonl/2`"),
    ("authsift.version", "authsift's version"),
    (
        "authsift.finding_id",
        "stable id of the finding (rule and group, or input and incident)",
    ),
    ("authsift.incident", "the incident's number in its input"),
    (
        "authsift.verdict",
        "whether this is the incident's verdict (its first finding) or a batch finding",
    ),
    ("authsift.severity", "`low`, `medium` or `high`"),
    ("authsift.confidence", "`low`, `medium` or `high`"),
    ("authsift.title", "the rule's title"),
    ("authsift.explanation", "the explanation"),
    ("authsift.fix", "the fix steps (strings)"),
    ("authsift.references", "the rule's references (URLs)"),
    (
        "authsift.time_source",
        "where `@timestamp` comes from: `event`, `log` or `run`",
    ),
    (
        "authsift.input.format",
        "what the input was read as (`aws-debug`, `cloudtrail`, …)",
    ),
    (
        "authsift.input.line",
        "the line a reader looks at first (ECS has no line field)",
    ),
    (
        "authsift.evidence",
        "the evidence lines: `[{\"line\": 141, \"text\": \"…\"}]`",
    ),
    (
        "authsift.access_key_id",
        "the access key id, masked unless `--no-redact`",
    ),
    (
        "authsift.facts",
        "every fact of the incident, a flat map of strings (`{\"error.code\": \"AccessDenied\", \"http.status\": \"403\"}`)",
    ),
    (
        "authsift.signature_diff",
        "SigV4 differences: `[{\"component\", \"client\", \"server\", \"against\", \"differs_at\", \"hint\"}]`",
    ),
    (
        "authsift.not_checked",
        "what the input could not show (strings)",
    ),
    (
        "authsift.batch.count",
        "how many failed calls a batch finding stands for",
    ),
    ("authsift.batch.first_seen", "its first event (ISO 8601)"),
    ("authsift.batch.last_seen", "its last event (ISO 8601)"),
    (
        "authsift.batch.group",
        "the values it groups by, a flat map of strings",
    ),
];

/// [`FIELDS`] as the Markdown table docs/siem-mapping.md carries.
pub fn field_table() -> String {
    let mut out = String::from("| field | defined by | holds |\n|---|---|---|\n");
    for (name, what) in FIELDS {
        let ecs = if name.starts_with("authsift.") {
            "authsift"
        } else {
            "ECS"
        };
        out.push_str(&format!("| `{name}` | {ecs} | {what} |\n"));
    }
    out
}

/// One finding a line, ECS documents: each input's ([`input`]), then the
/// event summary's ([`tail`]).
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out: String = report.inputs.iter().map(|i| input(i, options)).collect();
    out.push_str(&tail(report, options));
    out
}

/// The lines of one input's findings ([`fields::recorded`]).
pub fn input(input: &InputReport, options: &RenderOptions) -> String {
    let clock = super::run_clock(options);
    let found = fields::recorded(input, options.events);
    super::json::lines(&found, options, |ctx, options| {
        Value::Object(line(ctx, options, clock))
    })
}

/// The lines of the event summary's grouped findings and findings across
/// files ([`super::grouped`]), written once every input is read.
pub fn tail(report: &Report, options: &RenderOptions) -> String {
    super::grouped::lines(report, options, |ctx, options, clock| {
        Value::Object(line(ctx, options, clock))
    })
}

/// ECS `event.category` and `event.type` of a root cause: the type is one
/// ECS expects with the category.
pub fn category(rule: &str) -> (&'static str, &'static str) {
    match rule.split('.').next().unwrap_or("") {
        "authz" | "role" => ("api", "denied"),
        "network" => ("network", "connection"),
        "config" | "cli" => ("configuration", "info"),
        _ => ("authentication", "start"),
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

/// Sets the field `name` (dots nest) of `doc`.
fn put(doc: &mut Map<String, Value>, name: &str, value: Value) {
    debug_assert!(
        FIELDS.iter().any(|(f, _)| *f == name),
        "{name} is not in FIELDS"
    );
    let mut at = doc;
    let mut parts = name.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            at.insert(part.to_string(), value);
            return;
        }
        at = at
            .entry(part)
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .expect("a field's parent is an object");
    }
}

/// A fact's value as a string (`403`, `true`).
fn text(value: &crate::facts::Value) -> String {
    match value {
        crate::facts::Value::Str(s) => s.clone(),
        crate::facts::Value::Int(i) => i.to_string(),
        crate::facts::Value::Bool(b) => b.to_string(),
    }
}

fn line(ctx: &Ctx<'_>, options: &RenderOptions, clock: i64) -> Map<String, Value> {
    let f = ctx.finding;
    let facts = &f.facts;
    let mut m = Map::new();
    let (time, source) = ctx.time(clock);
    put(&mut m, "@timestamp", json!(fields::iso(time)));
    put(&mut m, "ecs.version", json!(ECS_VERSION));
    put(&mut m, "message", json!(f.explanation));
    let (category, kind) = category(&f.rule);
    put(&mut m, "event.kind", json!("alert"));
    put(&mut m, "event.category", json!([category]));
    put(&mut m, "event.type", json!([kind]));
    put(&mut m, "event.outcome", json!("failure"));
    let event_id = match (&f.batch, facts.str(Fact::EventId)) {
        (None, Some(id)) => id.to_string(),
        (None, None) if ctx.input.is_s3_access_log() => facts
            .str(Fact::RequestId)
            .map_or_else(|| ctx.uid(), str::to_string),
        _ => ctx.uid(),
    };
    put(&mut m, "event.id", json!(event_id));
    put(&mut m, "event.module", json!("authsift"));
    put(&mut m, "event.dataset", json!("authsift.finding"));
    put(&mut m, "event.severity", json!(severity_number(f.severity)));
    if let Some(op) = ctx.operation() {
        put(&mut m, "event.action", json!(op));
    }
    if let Some(b) = &f.batch {
        put(&mut m, "event.start", json!(fields::iso(b.first_seen)));
        put(&mut m, "event.end", json!(fields::iso(b.last_seen)));
    }
    if let Some(now) = options.now {
        put(&mut m, "event.created", json!(fields::iso(now)));
    }
    if let Some(code) = ctx.error_code() {
        put(&mut m, "error.code", json!(code));
    }
    if let Some(message) = ctx.error_message() {
        put(&mut m, "error.message", json!(message));
    }
    if let Some(kind) = facts.str(Fact::ErrorKind) {
        put(&mut m, "error.type", json!(kind));
    }
    put(&mut m, "rule.id", json!(f.rule));
    put(&mut m, "rule.name", json!(f.title));
    put(&mut m, "rule.category", json!(f.rule));
    put(&mut m, "rule.ruleset", json!("authsift"));
    put(&mut m, "rule.version", json!(options.rules.version()));
    if let Some(reference) = options.rules.references(&f.rule).first() {
        put(&mut m, "rule.reference", json!(reference));
    }
    put(&mut m, "cloud.provider", json!("aws"));
    if let Some(region) = ctx.region() {
        put(&mut m, "cloud.region", json!(region));
    }
    if let Some(service) = ctx.service() {
        put(&mut m, "cloud.service.name", json!(service));
    }
    let mut related_users = Vec::new();
    if let Some(p) = ctx.principal() {
        put(&mut m, "cloud.account.id", json!(p.account));
        put(&mut m, "user.id", json!(p.arn));
        put(&mut m, "user.name", json!(p.name));
        related_users.extend([p.name, p.arn]);
    }
    if let Some(ua) = ctx.user_agent() {
        put(&mut m, "user_agent.original", json!(ua));
    }
    if let Some(status) = facts.int(Fact::HttpStatus) {
        put(&mut m, "http.response.status_code", json!(status));
    }
    if let Some(method) = facts.str(Fact::RequestMethod) {
        put(&mut m, "http.request.method", json!(method));
    }
    let mut related_ips = Vec::new();
    if let Some(ip) = ctx.source_ip() {
        put(&mut m, "source.ip", json!(ip));
        related_ips.push(ip.to_string());
    }
    if let Some(endpoint) = facts.str(Fact::RequestEndpointHost) {
        let (host, port) = fields::host_port(endpoint);
        put(&mut m, "destination.address", json!(host));
        if host.parse::<std::net::IpAddr>().is_ok() {
            put(&mut m, "destination.ip", json!(host));
            related_ips.push(host.to_string());
        } else {
            put(&mut m, "destination.domain", json!(host));
        }
        if let Some(port) = port {
            put(&mut m, "destination.port", json!(port));
        }
    }
    if !related_ips.is_empty() {
        related_ips.dedup();
        put(&mut m, "related.ip", json!(related_ips));
    }
    if !related_users.is_empty() {
        put(&mut m, "related.user", json!(related_users));
    }
    put(&mut m, "log.file.path", json!(ctx.input.path));

    put(&mut m, "authsift.schema", json!(SCHEMA));
    put(&mut m, "authsift.version", json!(VERSION));
    put(&mut m, "authsift.finding_id", json!(ctx.uid()));
    put(&mut m, "authsift.incident", json!(f.incident));
    put(&mut m, "authsift.verdict", json!(ctx.verdict));
    put(&mut m, "authsift.severity", json!(f.severity.as_str()));
    put(
        &mut m,
        "authsift.confidence",
        json!(ctx.confidence().as_str()),
    );
    put(&mut m, "authsift.title", json!(f.title));
    put(&mut m, "authsift.explanation", json!(f.explanation));
    put(&mut m, "authsift.fix", json!(f.fix));
    put(
        &mut m,
        "authsift.references",
        json!(options.rules.references(&f.rule)),
    );
    put(&mut m, "authsift.time_source", json!(source.as_str()));
    if let Some(read_as) = ctx.input.read_as {
        put(&mut m, "authsift.input.format", json!(read_as.as_str()));
    }
    if let Some(line) = ctx.line() {
        put(&mut m, "authsift.input.line", json!(line));
    }
    put(
        &mut m,
        "authsift.evidence",
        Value::Array(
            f.evidence
                .iter()
                .map(|e| json!({"line": e.line, "text": e.text}))
                .collect(),
        ),
    );
    if let Some(key) = facts.str(Fact::CredentialAccessKeyId) {
        put(&mut m, "authsift.access_key_id", json!(key));
    }
    let strings: Map<String, Value> = facts
        .iter()
        .map(|(fact, value)| (fact.name().to_string(), json!(text(value))))
        .collect();
    put(&mut m, "authsift.facts", Value::Object(strings));
    if !f.signature_diff.is_empty() {
        put(&mut m, "authsift.signature_diff", json!(f.signature_diff));
    }
    let not_checked = super::not_checked::of(f);
    if !not_checked.is_empty() {
        put(&mut m, "authsift.not_checked", json!(not_checked));
    }
    if let Some(b) = &f.batch {
        let group: Map<String, Value> =
            b.group.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        put(&mut m, "authsift.batch.count", json!(b.count));
        put(
            &mut m,
            "authsift.batch.first_seen",
            json!(fields::iso(b.first_seen)),
        );
        put(
            &mut m,
            "authsift.batch.last_seen",
            json!(fields::iso(b.last_seen)),
        );
        put(&mut m, "authsift.batch.group", Value::Object(group));
    }
    m
}
