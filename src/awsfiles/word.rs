//! An issue of the checks as a finding: worded by the first rule of
//! `rules/config.rules` that holds for its facts.

use std::sync::Arc;

use super::{Setup, Target, checks, show};
use crate::facts::{Fact, Facts};
use crate::finding::{Finding, RootCause, Severity};
use crate::model::{ErrorKind, EvidenceLine};
use crate::rules::RuleSet;

/// One issue as a finding. The rules see the issue's `config.*` facts;
/// the finding shows the few facts every config finding has (its check,
/// where, the profile), as reports always have.
///
/// `offset` is added to every evidence line: a fragment pasted at line
/// 40 of a paste is numbered from 1 by its reader, and its findings must
/// point at the paste's lines.
pub fn to_finding(setup: &Setup, issue: &checks::Issue, rules: &RuleSet, offset: usize) -> Finding {
    let line = |l: usize| EvidenceLine {
        line: l + offset,
        text: setup.evidence(issue.target, l).into(),
    };
    let mut evidence = vec![line(issue.line)];
    evidence.extend(
        issue
            .more
            .iter()
            .filter(|l| **l != issue.line)
            .map(|l| line(*l)),
    );
    let (mut facts, seen) = issue_facts(issue);
    let rule = rules.matching(&seen).next();
    debug_assert!(rule.is_some(), "no config rule words {:?}", issue.check);
    let (cause, title, severity, explanation, fix) = match rule {
        Some(r) => (
            r.cause().to_string(),
            r.title_for(&seen),
            r.severity,
            r.explanation(&seen),
            r.fixes(&seen),
        ),
        None => (
            RootCause::ConfigMalformed.as_str().to_string(),
            issue.check.to_string(),
            Severity::Medium,
            String::new(),
            Vec::new(),
        ),
    };
    facts.set(Fact::ErrorMessage, title.as_str(), None);
    Finding {
        incident: 0,
        rule: cause,
        priority: rule.map_or(0, |r| r.priority),
        title,
        severity,
        explanation,
        fix,
        headline: evidence.first().cloned(),
        evidence,
        facts: Arc::new(facts),
        signature_diff: Vec::new(),
        batch: None,
    }
}

/// The facts a config finding shows (without its title, which the rule
/// gives), and the facts its rules see: those and the issue's own.
pub fn issue_facts(issue: &checks::Issue) -> (Facts, Facts) {
    let mut facts = Facts::default();
    facts.set(Fact::ErrorKind, ErrorKind::ConfigCheck.as_str(), None);
    facts.set(Fact::ErrorCode, issue.check, None);
    facts.set(Fact::ErrorTool, "authsift config", None);
    facts.set(
        Fact::CredentialSource,
        match issue.target {
            Target::Config => "config-file",
            Target::Credentials => "shared-credentials-file",
            Target::Env => "env",
        },
        None,
    );
    if let Some(p) = &issue.profile {
        facts.set(Fact::CredentialProfile, show(p), None);
    }
    let mut seen = facts.clone();
    for (fact, value) in issue.facts.iter() {
        seen.set(fact, value.clone(), None);
    }
    (facts, seen)
}
