//! `authsift rules test`: the examples a rule file carries, checked.
//!
//! A team writing its own rules keeps examples next to them — logs that must
//! (or must not) produce the rule, or fact sets it must (or must not) match —
//! and runs this in CI like any other test suite.

use std::path::Path;

use super::{Example, RuleSet};
use crate::finding::Finding;

/// Results of running examples.
#[derive(Debug, Default)]
pub struct Outcome {
    pub passed: usize,
    pub failed: usize,
    lines: Vec<String>,
}

impl Outcome {
    pub fn merge(&mut self, other: Outcome) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.lines.extend(other.lines);
    }

    fn record(&mut self, ok: bool, line: String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        self.lines
            .push(format!("{} {line}", if ok { "ok  " } else { "FAIL" }));
    }

    /// One line per example, then the usual `N passed, M failed` line.
    pub fn report(&self) -> String {
        let mut out = self.lines.join("\n");
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{} passed, {} failed\n", self.passed, self.failed));
        out
    }
}

/// Runs the examples of the rules defined in `file`; `analyze` turns a log
/// path into its findings, or says why it could not be analyzed. (A
/// closure, so rules need not know the pipeline or its reports.)
pub fn run(
    set: &RuleSet,
    file: &Path,
    analyze: &dyn Fn(&Path) -> Result<Vec<Finding>, String>,
) -> Outcome {
    let name = file.display().to_string();
    let mut outcome = Outcome::default();
    for rule in set.rules().iter().filter(|r| r.origin.file == name) {
        for example in &rule.examples {
            match example {
                Example::File { path, matches } => {
                    let shown = path.display();
                    let findings = match analyze(path) {
                        Ok(findings) => findings,
                        Err(error) => {
                            outcome.record(
                                false,
                                format!("{}: {shown}: cannot analyze: {error}", rule.id),
                            );
                            continue;
                        }
                    };
                    let found = findings.iter().any(|f| f.rule == rule.id);
                    let verdict = findings.first().map_or("ok", |f| f.rule.as_str());
                    let expectation = if *matches {
                        "matches"
                    } else {
                        "does not match"
                    };
                    outcome.record(
                        found == *matches,
                        format!("{}: {expectation} {shown} (verdict: {verdict})", rule.id),
                    );
                }
                Example::Facts { facts, matches } => {
                    let expectation = if *matches {
                        "matches"
                    } else {
                        "does not match"
                    };
                    let shown: Vec<String> = facts
                        .iter()
                        .map(|(f, v)| {
                            format!(
                                "{}={}",
                                f.name(),
                                serde_json::to_string(v).unwrap_or_default()
                            )
                        })
                        .collect();
                    outcome.record(
                        rule.matches(facts) == *matches,
                        format!("{}: {expectation} {{{}}}", rule.id, shown.join(", ")),
                    );
                }
            }
        }
    }
    if outcome.passed + outcome.failed == 0 {
        outcome
            .lines
            .push(format!("note {name}: no rule in this file has examples"));
    }
    outcome
}
