//! `--format json`: one document, schema `authsift/1`.
//!
//! Every part of the document is built as a `serde_json::Value` and every
//! string in it is redacted on the way out, so no field can leak a secret by
//! being forgotten. The output is compact (one line); pipe it to `jq` to read.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::RenderOptions;
use super::redact::Redactor;
use crate::outcome::{InputReport, Report};

/// `schema` of the document (docs/schema/authsift.schema.json).
pub const SCHEMA: &str = "authsift/1";

/// One compact JSON document for the whole run: [`head`], each input's
/// [`input`] (commas between), then [`tail`], the pieces a run writes as
/// its inputs finish.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = head(options);
    let inputs: Vec<String> = report.inputs.iter().map(|i| input(i, options)).collect();
    out.push_str(&inputs.join(","));
    out.push_str(&tail(report, options));
    out
}

/// What comes before the inputs: `{"schema":…,"inputs":[`.
pub fn head(options: &RenderOptions) -> String {
    let mut out = format!("{{\"schema\":{}", string(SCHEMA));
    if let Some(now) = options.now {
        out.push_str(&format!(
            ",\"generated_at\":{}",
            string(&super::fields::iso(now))
        ));
    }
    out.push_str(",\"inputs\":[");
    out
}

/// What comes after the inputs: the summary of event inputs, if any, and
/// the document's end.
pub fn tail(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::from("]");
    if let Some(s) = report.summary() {
        let mut value = json!(s);
        value["findings"] = json!(s.findings());
        redact_value(&mut value, &options.redactor);
        out.push_str(",\"summary\":");
        out.push_str(&serde_json::to_string(&value).expect("a JSON value always serialises"));
    }
    out.push_str("}\n");
    out
}

fn string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

/// One input's object of the document's `inputs`.
pub fn input(input: &InputReport, options: &RenderOptions) -> String {
    let redactor = &options.redactor;
    // Findings are independent: a big log has thousands, so they are
    // built, redacted and serialised in parallel, then spliced in.
    let findings: Vec<Box<RawValue>> = input
        .findings
        .par_iter()
        .map(|f| {
            let evidence: Vec<Value> = f
                .evidence
                .iter()
                .map(|e| json!({"path": input.path, "line": e.line, "text": e.text}))
                .collect();
            let mut finding = json!({
                "incident": f.incident,
                "rule": f.rule,
                "title": f.title,
                "severity": f.severity,
                "explanation": f.explanation,
                "fix": f.fix,
                "evidence": evidence,
                "facts": f.facts,
            });
            if !f.signature_diff.is_empty() {
                finding["signature_diff"] = json!(f.signature_diff);
            }
            let not_checked = super::not_checked::of(f);
            if !not_checked.is_empty() {
                finding["not_checked"] = json!(not_checked);
            }
            if let Some(batch) = &f.batch {
                finding["batch"] = json!(batch);
            }
            redact_value(&mut finding, redactor);
            raw(&finding)
        })
        .collect();
    let mut rest = json!({
        "path": input.path,
        "unclassified": input
            .unclassified
            .iter()
            .map(|e| json!({"path": input.path, "line": e.line, "text": e.text}))
            .collect::<Vec<Value>>(),
        "errors": input.errors,
    });
    redact_value(&mut rest, redactor);
    let document = InputDocument {
        path: rest["path"].take(),
        format: input.read_as.map(|f| f.as_str()),
        records: input.records,
        findings,
        unclassified: rest["unclassified"].take(),
        repeated: &input.repeated,
        errors: rest["errors"].take(),
    };
    serde_json::to_string(&document).expect("an input always serialises")
}

/// An input's object; its findings arrive already serialised.
#[derive(Serialize)]
struct InputDocument<'a> {
    path: Value,
    format: Option<&'static str>,
    records: usize,
    findings: Vec<Box<RawValue>>,
    unclassified: Value,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    repeated: &'a [crate::outcome::Repeated],
    errors: Value,
}

pub(crate) fn raw(value: &Value) -> Box<RawValue> {
    let text = serde_json::to_string(value).expect("a JSON value always serialises");
    RawValue::from_string(text).expect("serde_json output is valid JSON")
}

/// Redacts every string of a JSON value in place (keys are ours, never
/// input). Every JSON-based format goes through this.
pub(crate) fn redact_value(value: &mut Value, redactor: &Redactor) {
    match value {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(r) = redactor.text(s) {
                *s = r;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, redactor)),
        Value::Object(map) => map.values_mut().for_each(|v| redact_value(v, redactor)),
        _ => {}
    }
}

/// One JSON object per finding, one per line (JSON Lines formats), built,
/// redacted and serialised in parallel, in the order given.
pub fn lines<F>(findings: &[super::fields::Ctx<'_>], options: &RenderOptions, build: F) -> String
where
    F: Fn(&super::fields::Ctx<'_>, &RenderOptions) -> Value + Sync,
{
    let lines: Vec<String> = findings
        .par_iter()
        .map(|ctx| {
            let mut value = build(ctx, options);
            redact_value(&mut value, &options.redactor);
            let mut text = serde_json::to_string(&value).expect("a JSON value always serialises");
            text.push('\n');
            text
        })
        .collect();
    lines.concat()
}
