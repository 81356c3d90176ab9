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

/// Whether an example path of rule file `file` may be read: a regular
/// file (not a device, FIFO or directory) inside the rule file's project,
/// symbolic links resolved. The project is the nearest directory above the
/// rule file that holds `.git`, else the rule file's own directory: a rule
/// file from elsewhere cannot make `rules test` read `/dev/zero`, a FIFO, or
/// a file outside its project.
fn confined(file: &Path, path: &Path) -> Result<(), String> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(dir).map_err(|e| format!("rule file directory: {e}"))?;
    let root = dir
        .ancestors()
        .find(|a| a.join(".git").exists())
        .unwrap_or(&dir);
    let resolved = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    if !resolved.starts_with(root) {
        return Err(format!(
            "outside the rule file's project ({})",
            root.display()
        ));
    }
    if !std::fs::metadata(&resolved).is_ok_and(|m| m.is_file()) {
        return Err("not a regular file".to_string());
    }
    Ok(())
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
                    if let Err(why) = confined(file, path) {
                        outcome.record(false, format!("{}: {shown}: not read: {why}", rule.id));
                        continue;
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn example_paths_stay_in_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir_all(project.join(".git")).unwrap();
        std::fs::create_dir_all(project.join("rules")).unwrap();
        std::fs::create_dir_all(project.join("logs")).unwrap();
        std::fs::write(project.join("logs/a.log"), "x").unwrap();
        std::fs::write(dir.path().join("outside.log"), "x").unwrap();
        let file = project.join("rules/team.rules");
        let base = project.join("rules");
        assert_eq!(confined(&file, &base.join("../logs/a.log")), Ok(()));
        for bad in [
            base.join("../../outside.log"),
            PathBuf::from("/dev/zero"),
            PathBuf::from("/etc/passwd"),
            base.join("../logs"),
            base.join("missing.log"),
        ] {
            assert!(confined(&file, &bad).is_err(), "{}", bad.display());
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/passwd", project.join("logs/link.log")).unwrap();
            assert!(confined(&file, &project.join("logs/link.log")).is_err());
        }
    }
}
