//! `authsift explain`: a rule by id, or an error code with the rules that
//! name it, most likely first.
//!
//! What the user types is looked up forgivingly, most exact first: a rule
//! id or a code in any case (`accessdenied`), then with punctuation
//! ignored (`clock-skew` is `clock.skew`), then as one piece of a rule id
//! (`skew`). Nothing found is an error with the closest known name.

use std::fmt::Write;

use super::exit::{Error, Exit};
use super::output::{self, Destination};
use super::settings::RuleSources;
use crate::facts::Fact;
use crate::rules::{Rule, RuleSet, Template};

/// Runs the command.
pub fn run(what: &str, sources: &RuleSources) -> Result<Exit, Error> {
    let set = super::rules::load(sources)?;
    let text = match lookup(&set, what) {
        Lookup::Rule(rule) => {
            let mut out = String::new();
            describe(&mut out, rule);
            out
        }
        Lookup::Code(code) => explain_code(&set, &code),
        Lookup::Several(ids) => {
            return Err(Error::AmbiguousTopic {
                what: what.to_string(),
                candidates: ids,
            });
        }
        Lookup::Unknown(suggestion) => {
            return Err(Error::UnknownTopic {
                what: what.to_string(),
                suggestion,
            });
        }
    };
    output::write(&Destination::Stdout, &text)?;
    Ok(Exit::Clean)
}

/// What a topic names.
#[derive(Debug)]
enum Lookup<'a> {
    /// One rule.
    Rule(&'a Rule),
    /// An error code, spelt as the rules spell it.
    Code(String),
    /// A piece of several rule ids.
    Several(Vec<String>),
    /// Nothing; the closest known name, if one is close.
    Unknown(Option<String>),
}

/// Lower case, letters and digits only: `Clock-Skew` and `clock.skew`
/// are both `clockskew`.
fn folded(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn lookup<'a>(set: &'a RuleSet, what: &str) -> Lookup<'a> {
    let what = what.trim();
    let codes = set.known_codes();
    // Exact, then in any case, then with punctuation ignored: a rule id
    // before a code at each step.
    let same: [&dyn Fn(&str) -> bool; 3] = [
        &|name| name == what,
        &|name| name.eq_ignore_ascii_case(what),
        &|name| !folded(what).is_empty() && folded(name) == folded(what),
    ];
    for matches in same {
        if let Some(rule) = set.rules().iter().find(|r| matches(&r.id)) {
            return Lookup::Rule(rule);
        }
        if let Some(code) = codes.iter().find(|c| matches(c)) {
            return Lookup::Code(code.clone());
        }
    }
    // A piece of a rule id: `skew`, `access-denied`.
    let piece = folded(what);
    let by_piece: Vec<&Rule> = set
        .rules()
        .iter()
        .filter(|r| !piece.is_empty() && r.id.split('.').any(|p| folded(p) == piece))
        .collect();
    match by_piece.as_slice() {
        [rule] => return Lookup::Rule(rule),
        [] => {}
        several => return Lookup::Several(several.iter().map(|r| r.id.clone()).collect()),
    }
    let names = set
        .rules()
        .iter()
        .map(|r| r.id.as_str())
        .chain(codes.iter().map(String::as_str));
    Lookup::Unknown(crate::text::did_you_mean(what, names).map(str::to_string))
}

/// An error code: what it means, and the rules that name it.
fn explain_code(set: &RuleSet, code: &str) -> String {
    let mut out = String::new();
    let rules: Vec<&Rule> = set
        .rules()
        .iter()
        .filter(|r| r.codes().iter().any(|c| c == code))
        .collect();
    let _ = writeln!(out, "{code}");
    if let Some(d) = set.code_description(code) {
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
    out
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
    for e in r.explain_templates() {
        let _ = writeln!(out, "  why: {}", readable(e));
    }
    for (i, f) in r.fix_templates().enumerate() {
        let _ = writeln!(out, "  fix {}. {}", i + 1, readable(f));
    }
    for s in &r.see {
        let _ = writeln!(out, "  see: {s}");
    }
}

/// A template outside any finding: each fact it quotes as a readable
/// stand-in (`<the error message>`), not as `{error.message}`.
fn readable(template: &Template) -> String {
    template.render_with(|fact| format!("<{}>", placeholder(fact)))
}

/// What a fact is, in a few words, for [`readable`].
fn placeholder(fact: Fact) -> String {
    let known = match fact.name() {
        "error.message" => "the error message",
        "error.code" => "the error code",
        "error.detail" => "the error's details",
        "error.operation" | "request.operation" => "the operation",
        "request.region" => "the request's region",
        "request.amz_date" => "the time it was signed",
        "request.endpoint_host" => "the endpoint's host",
        "response.server_time" => "the server's time",
        "response.expected_region" => "the region AWS expected",
        "clock.skew_human" => "how far",
        "clock.direction" => "ahead of/behind",
        "authz.action" => "the denied action",
        "authz.reason" => "why it was denied",
        "identity.arn" => "the caller's ARN",
        "credential.profile" => "the profile",
        "credential.access_key_id" => "the access key id",
        "credential.source_name" => "where the credentials came from",
        "credential.key_id_problem" => "what is wrong with the key id",
        "region.service_offered_in" => "the regions that offer it",
        "region.service_not_offered" => "the service",
        "region.unknown" => "the region",
        "region.opt_in" => "the opt-in region",
        "imds.endpoint" => "the metadata endpoint",
        "signature.component" => "the part that differs",
        "signature.unchecked" => "what could not be checked",
        "cli.version" => "the client's version",
        other => {
            // `config.missing_key` → `the config missing key`.
            return format!("the {}", other.replace(['.', '_'], " "));
        }
    };
    known.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(what: &str) -> String {
        let set = RuleSet::builtin();
        match lookup(&set, what) {
            Lookup::Rule(r) => format!("rule {}", r.id),
            Lookup::Code(c) => format!("code {c}"),
            Lookup::Several(ids) => format!("several {}", ids.join(" ")),
            Lookup::Unknown(s) => format!("unknown {}", s.unwrap_or_default()),
        }
    }

    #[test]
    fn topics_are_found_forgivingly() {
        assert_eq!(found("clock.skew"), "rule clock.skew");
        assert_eq!(found("Clock.Skew"), "rule clock.skew");
        assert_eq!(found("clock-skew"), "rule clock.skew");
        assert_eq!(found("clock_skew"), "rule clock.skew");
        assert_eq!(found("skew"), "rule clock.skew");
        assert_eq!(found("AccessDenied"), "code AccessDenied");
        assert_eq!(found("accessdenied"), "code AccessDenied");
        assert_eq!(found("signaturedoesnotmatch"), "code SignatureDoesNotMatch");
        assert_eq!(found("access-denied"), "code AccessDenied");
        assert_eq!(
            found("canonical-mismatch"),
            "rule signature.canonical-mismatch"
        );
    }

    #[test]
    fn a_near_miss_is_suggested() {
        assert_eq!(found("clock.skw"), "unknown clock.skew");
        assert_eq!(
            found("SignatureDoesNotMach"),
            "unknown SignatureDoesNotMatch"
        );
        assert_eq!(found("zzzzzzzzzz"), "unknown ");
        assert_eq!(found("..."), "unknown ");
    }

    #[test]
    fn placeholders_read_as_words() {
        let set = RuleSet::builtin();
        let mut out = String::new();
        describe(&mut out, set.rule("clock.skew").unwrap());
        assert!(out.contains("<the error message>"), "{out}");
        assert!(!out.contains('{'), "{out}");
    }
}
