//! `--format json`: one document, schema `authsift/1`.
//!
//! The document is built as a `serde_json::Value` and every string in it is
//! redacted on the way out, so no field can leak a secret by being forgotten.

use serde_json::{Value, json};

use super::Report;
use super::redact::Redactor;

pub const SCHEMA: &str = "authsift/1";

pub fn render(report: &Report, redactor: &Redactor) -> String {
    let inputs: Vec<Value> = report
        .inputs
        .iter()
        .map(|input| {
            let findings: Vec<Value> = input
                .findings
                .iter()
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
                    finding
                })
                .collect();
            let unclassified: Vec<Value> = input
                .unclassified
                .iter()
                .map(|e| json!({"path": input.path, "line": e.line, "text": e.text}))
                .collect();
            json!({
                "path": input.path,
                "format": input.format.map(|f| f.as_str()),
                "records": input.records,
                "findings": findings,
                "unclassified": unclassified,
                "errors": input.errors,
            })
        })
        .collect();
    let mut doc = json!({"schema": SCHEMA, "inputs": inputs});
    redact_value(&mut doc, redactor);
    let mut out = serde_json::to_string_pretty(&doc).expect("a JSON value always serialises");
    out.push('\n');
    out
}

fn redact_value(value: &mut Value, redactor: &Redactor) {
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
