//! `authsift explain`: a rule by id, or an error code with the rules that
//! name it, most likely first.

use std::fmt::Write;

use super::exit::{Error, Exit};
use super::output::{self, Destination};
use super::settings::RuleSources;
use crate::rules::{Rule, RuleSet};

/// Runs the command.
pub fn run(what: &str, sources: &RuleSources) -> Result<Exit, Error> {
    let set = super::rules::load(sources)?;
    let text = explain(&set, what).ok_or_else(|| Error::UnknownTopic(what.to_string()))?;
    output::write(&Destination::Stdout, &text)?;
    Ok(Exit::Clean)
}

/// What `what` means to the rules; `None` when they know neither a rule
/// nor an error code by that name.
fn explain(set: &RuleSet, what: &str) -> Option<String> {
    let mut out = String::new();
    if let Some(rule) = set.rule(what) {
        describe(&mut out, rule);
        return Some(out);
    }
    let rules: Vec<&Rule> = set
        .rules()
        .iter()
        .filter(|r| r.codes().iter().any(|c| c == what))
        .collect();
    let description = set.code_description(what);
    if rules.is_empty() && description.is_none() {
        return None;
    }
    let _ = writeln!(out, "{what}");
    if let Some(d) = description {
        let _ = writeln!(out, "  {d}");
    }
    if !rules.is_empty() {
        let _ = writeln!(
            out,
            "\nLikely causes, most likely first (the log decides between them):\n"
        );
        for r in rules {
            describe(&mut out, r);
            out.push('\n');
        }
    }
    Some(out)
}

/// One rule: id, severity and priority, title, explanations, fixes, references.
fn describe(out: &mut String, r: &Rule) {
    let _ = writeln!(
        out,
        "{}  [{}, priority {}]",
        r.id,
        r.severity.as_str(),
        r.priority
    );
    let _ = writeln!(out, "  {}", r.title);
    for e in r.explain_sources() {
        let _ = writeln!(out, "  why: {e}");
    }
    for (i, f) in r.fix_sources().enumerate() {
        let _ = writeln!(out, "  fix {}. {f}", i + 1);
    }
    for s in &r.see {
        let _ = writeln!(out, "  see: {s}");
    }
}
