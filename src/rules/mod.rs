//! Facts → findings, decided by rule files.
//!
//! Rules are data: `rules/default.rules` is embedded in the binary, and users
//! add or override rules with `--rules FILE`. A file is parsed ([`parse`]),
//! then compiled (`compile`): fact names are resolved to table slots, types
//! and the values of enum-valued facts are checked, regexes are compiled
//! once. Evaluating a rule (`eval`) is then a walk over a small tree with no
//! allocation, cheap enough for millions of events; batch rules (`batch`)
//! group the incidents of an input; explanations and fixes are
//! [`Template`]s.

mod batch;
mod compile;
mod eval;
pub mod examples;
pub mod parse;
pub mod sql;
mod template;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::facts::{Fact, Facts, Incident};
use crate::finding::{Finding, Severity};
use compile::{Compiler, locate};
use eval::Cond;

pub use crate::shipped::{DEFAULT_RULES, DEFAULT_RULES_NAME};
pub use template::Template;

/// A rule file problem, located: `file:line:column: message` and a caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub source_line: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        writeln!(f, "  {}", self.source_line)?;
        write!(f, "  {}^", " ".repeat(self.column.saturating_sub(1)))
    }
}

impl std::error::Error for RuleError {}

/// An aggregation over many incidents (archive inputs).
#[derive(Debug, Clone)]
pub struct Group {
    pub by: Vec<Fact>,
    pub window_seconds: i64,
    pub min_count: usize,
}

/// An input that a rule must (or must not) match.
#[derive(Debug, Clone)]
pub enum Example {
    File { path: PathBuf, matches: bool },
    Facts { facts: Facts, matches: bool },
}

/// Where a rule was defined.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// The title as written (it may quote facts: `{config.file}`).
    pub title: String,
    /// The title with its facts, for a finding.
    title_text: Template,
    /// The root cause findings name when it is not the id: several rules
    /// can explain one cause in their own words (`rules/config.rules`).
    cause: Option<String>,
    pub severity: Severity,
    pub priority: i64,
    when: Cond,
    explain: Vec<(Template, Option<Cond>)>,
    /// Fix steps, each shown when its condition (if any) holds.
    fix: Vec<(Template, Option<Cond>)>,
    pub see: Vec<String>,
    pub group: Option<Group>,
    pub examples: Vec<Example>,
    pub origin: Origin,
    specificity: usize,
}

impl Rule {
    pub fn matches(&self, facts: &Facts) -> bool {
        self.when.eval(facts)
    }

    /// The root cause its findings name: its `cause`, else its id.
    pub fn cause(&self) -> &str {
        self.cause.as_deref().unwrap_or(&self.id)
    }

    /// The title, with the facts it quotes.
    pub fn title_for(&self, facts: &Facts) -> String {
        self.title_text.render(facts)
    }

    pub fn explanation(&self, facts: &Facts) -> String {
        self.explanation_template(facts)
            .map(|t| t.render(facts))
            .unwrap_or_default()
    }

    /// The fix steps whose conditions hold, filled in.
    pub fn fixes(&self, facts: &Facts) -> Vec<String> {
        self.fix
            .iter()
            .filter(|(_, cond)| cond.as_ref().is_none_or(|c| c.eval(facts)))
            .map(|(t, _)| t.render(facts))
            .collect()
    }

    /// The fix steps as written (for `authsift explain`).
    pub fn fix_sources(&self) -> impl Iterator<Item = &str> {
        self.fix.iter().map(|(t, _)| t.source())
    }

    /// The first explanation whose condition holds.
    fn explanation_template(&self, facts: &Facts) -> Option<&Template> {
        self.explain
            .iter()
            .find(|(_, cond)| cond.as_ref().is_none_or(|c| c.eval(facts)))
            .map(|(t, _)| t)
    }

    /// The facts a finding rests on: those that made the condition hold,
    /// and those its title and explanation quote. Their lines are its
    /// evidence.
    fn witnesses(&self, facts: &Facts) -> Vec<Fact> {
        let mut uses = Vec::new();
        self.when.witnesses(facts, &mut uses);
        uses.extend(self.title_text.facts());
        if let Some(t) = self.explanation_template(facts) {
            uses.extend(t.facts());
        }
        uses.sort_unstable();
        uses.dedup();
        uses
    }

    /// The explanation templates as written (for `authsift explain`).
    pub fn explain_sources(&self) -> impl Iterator<Item = &str> {
        self.explain.iter().map(|(t, _)| t.source())
    }

    /// The explanation templates, each whatever its condition.
    pub fn explain_templates(&self) -> impl Iterator<Item = &Template> {
        self.explain.iter().map(|(t, _)| t)
    }

    /// The fix steps' templates, each whatever its condition.
    pub fn fix_templates(&self) -> impl Iterator<Item = &Template> {
        self.fix.iter().map(|(t, _)| t)
    }

    /// Error codes the rule's condition names.
    pub fn codes(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.when.codes(&mut out);
        out
    }

    fn finding(&self, incident: &Incident, facts: &Arc<Facts>, index: usize) -> Finding {
        let mut evidence = incident.facts.evidence(&self.witnesses(&incident.facts));
        if let Some(h) = &incident.headline
            && !evidence.iter().any(|l| l.line == h.line)
        {
            evidence.push(h.clone());
            evidence.sort_by_key(|l| l.line);
        }
        Finding {
            incident: index,
            rule: self.cause().to_string(),
            title: self.title_for(&incident.facts),
            severity: self.severity,
            priority: self.priority,
            explanation: self.explanation(&incident.facts),
            fix: self.fixes(&incident.facts),
            evidence,
            facts: facts.clone(),
            signature_diff: incident.signature_diff.clone(),
            headline: incident.headline.clone(),
            batch: None,
        }
    }
}

/// The rules in force, in evaluation order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    codes: BTreeMap<String, String>,
}

impl RuleSet {
    /// The built-in rules, plus `files` in order (a rule whose id already
    /// exists replaces it; a new id adds a rule).
    pub fn load(defaults: bool, files: &[PathBuf]) -> Result<RuleSet, RuleError> {
        let mut set = RuleSet::default();
        if defaults {
            set.add_source(DEFAULT_RULES_NAME, DEFAULT_RULES, None)?;
        }
        for path in files {
            let text = std::fs::read_to_string(path).map_err(|e| RuleError {
                file: path.display().to_string(),
                line: 0,
                column: 0,
                message: format!("cannot read rule file: {e}"),
                source_line: String::new(),
            })?;
            set.add_source(&path.display().to_string(), &text, path.parent())?;
        }
        Ok(set)
    }

    /// The built-in rule set alone.
    pub fn builtin() -> RuleSet {
        RuleSet::load(true, &[]).expect("the built-in rules compile (tested)")
    }

    /// The built-in rules of `authsift config` (`rules/config.rules`),
    /// which word the problems its checks find.
    pub fn config() -> RuleSet {
        let mut set = RuleSet::default();
        set.add_source(
            crate::shipped::CONFIG_RULES_NAME,
            crate::shipped::CONFIG_RULES,
            None,
        )
        .expect("the config rules compile (tested)");
        set
    }

    /// Adds the rules of one file's text; `base` resolves example paths.
    pub fn add_source(
        &mut self,
        name: &str,
        text: &str,
        base: Option<&Path>,
    ) -> Result<(), RuleError> {
        let items = parse::file(text)
            .map_err(|f| locate(name, text, f.at, format!("expected {}", f.expected)))?;
        let compiler = Compiler::new(name, text, base);
        let (rules, codes) = compiler.compile(items)?;
        // Where each id is, looked up once per new rule (a search per rule
        // was quadratic in the number of rules).
        let mut at: HashMap<String, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        for rule in rules {
            match at.get(&rule.id) {
                Some(&i) => self.rules[i] = rule,
                None => {
                    at.insert(rule.id.clone(), self.rules.len());
                    self.rules.push(rule);
                }
            }
        }
        self.codes.extend(codes);
        self.sort();
        Ok(())
    }

    /// Priority first, then specificity, then id (deterministic).
    fn sort(&mut self) {
        self.rules.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(b.specificity.cmp(&a.specificity))
                .then(a.id.cmp(&b.id))
        });
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// What an error code means, from the rule files' `code` entries.
    pub fn code_description(&self, code: &str) -> Option<&str> {
        self.codes.get(code).map(String::as_str)
    }

    /// Every error code the rules know: described by a `code` entry or
    /// named by a rule's condition; sorted, each once.
    pub fn known_codes(&self) -> Vec<String> {
        let mut out: Vec<String> = self.codes.keys().cloned().collect();
        for rule in &self.rules {
            out.extend(rule.codes());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn has_batch_rules(&self) -> bool {
        self.rules.iter().any(|r| r.group.is_some())
    }

    /// Per-incident rules that hold for these facts, most likely first.
    pub fn matching<'a>(&'a self, facts: &'a Facts) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules
            .iter()
            .filter(move |r| r.group.is_none() && r.matches(facts))
    }

    /// The rule id of the most likely cause, without building findings.
    pub fn verdict(&self, facts: &Facts) -> Option<&str> {
        self.verdict_rule(facts).map(|r| r.id.as_str())
    }

    /// The rule of [`RuleSet::verdict`].
    pub fn verdict_rule(&self, facts: &Facts) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.group.is_none() && r.matches(facts))
    }

    /// Every finding an incident supports, most likely cause first.
    pub fn evaluate(&self, incident: &Incident, index: usize) -> Vec<Finding> {
        self.matching(&incident.facts)
            .map(|r| r.finding(incident, &incident.facts, index))
            .collect()
    }
}

#[cfg(test)]
mod tests;
