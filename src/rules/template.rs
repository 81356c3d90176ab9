//! Explanation and fix text with `{fact.name}` placeholders: checked when
//! a rule file is compiled, filled in from an incident's facts.

use super::RuleError;
use super::compile::{Compiler, closest_fact};
use crate::facts::{Fact, Facts, Value};

/// Text with `{fact.name}` placeholders.
#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
    source: String,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Fact(Fact),
}

impl Template {
    /// The text with each placeholder replaced by the fact's value; a
    /// SigV4 timestamp (`20261126T175930Z`) reads as ISO 8601, like every
    /// other time a text quotes, so two times side by side read alike.
    pub fn render(&self, facts: &Facts) -> String {
        self.render_with(|f| match facts.get(f) {
            Some(Value::Str(s)) => {
                crate::time::amz_date_as_iso8601(s).unwrap_or_else(|| s.to_string())
            }
            Some(Value::Int(i)) => i.to_string(),
            Some(Value::Bool(b)) => (if *b { "true" } else { "false" }).to_string(),
            None => "(unknown)".to_string(),
        })
    }

    /// The text with each placeholder replaced by `value(fact)`: outside
    /// a finding (`authsift explain`), a readable stand-in for the fact.
    pub fn render_with(&self, value: impl Fn(Fact) -> String) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Fact(f) => out.push_str(&value(*f)),
            }
        }
        out
    }

    /// The facts the template quotes.
    pub fn facts(&self) -> impl Iterator<Item = Fact> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Fact(f) => Some(*f),
            Part::Text(_) => None,
        })
    }

    /// The template as written, placeholders included.
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl<'a> Compiler<'a> {
    pub(super) fn template(&self, at: &'a str, text: &str) -> Result<Template, RuleError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            let is_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
            if !is_name {
                parts.push(Part::Text(rest[..open + 1].to_string()));
                rest = &rest[open + 1..];
                continue;
            }
            let fact = Fact::from_name(name).ok_or_else(|| {
                let hint =
                    closest_fact(name).map_or(String::new(), |f| format!(" (did you mean `{f}`?)"));
                self.err(at, format!("unknown fact `{{{name}}}` in text{hint}"))
            })?;
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            parts.push(Part::Fact(fact));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template {
            parts,
            source: text.to_string(),
        })
    }
}
