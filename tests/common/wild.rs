//! The wild corpus (`fixtures/wild/`): text real users pasted in public
//! threads, each labelled with the root cause the thread established.
//! Shared by the accuracy benchmark (`benches/accuracy.rs`) and the corpus
//! tests (`tests/wild.rs`), so both score the same way.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use authsift::report::InputReport;
use sha2::{Digest, Sha256};

/// Every verdict a case can carry: the root causes the built-in rules
/// name (the vocabulary of `shared/DESIGN.md`), and `ok`.
pub fn labels() -> Vec<String> {
    let rules = authsift::rules::RuleSet::builtin();
    let mut labels: Vec<String> = rules.rules().iter().map(|r| r.id.clone()).collect();
    labels.dedup();
    labels.push("ok".to_string());
    labels
}

/// What authsift answered when something looked like a failure but no rule
/// explained it: not a clean bill, not a root cause.
pub const UNRECOGNISED: &str = "unrecognised";

pub struct Case {
    /// File stem under `fixtures/wild/`.
    pub name: String,
    pub path: PathBuf,
    pub text: String,
    pub source: String,
    pub project: String,
    pub label: String,
    pub secondary: Option<String>,
    /// In the held-out part: never used for tuning.
    pub held_out: bool,
}

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wild")
}

/// The split is fixed by the source alone (a hash, about one case in
/// three held out), so adding cases never moves an old one across.
pub fn held_out(source: &str) -> bool {
    Sha256::digest(source.as_bytes())[0] % 3 == 0
}

/// Every case, in name order.
pub fn load() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("fixtures/wild exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|meta_path| {
            let meta: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&meta_path).expect("readable metadata"))
                    .unwrap_or_else(|e| panic!("{}: {e}", meta_path.display()));
            let path = meta_path.with_extension("txt");
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let field = |k: &str| {
                meta[k]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: no `{k}`", meta_path.display()))
                    .to_string()
            };
            let source = field("source");
            Case {
                name: meta_path
                    .file_stem()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                text: String::from_utf8_lossy(&bytes).into_owned(),
                held_out: held_out(&source),
                project: field("project"),
                label: field("label"),
                secondary: meta["secondary"].as_str().map(str::to_string),
                source,
                path,
            }
        })
        .collect()
}

/// authsift's top-1 answer for one input: the first finding it shows, or
/// [`UNRECOGNISED`] when it listed failure lines no rule explains, or `ok`.
pub fn verdict(report: &InputReport) -> String {
    match report.findings.first() {
        Some(f) => f.rule.clone(),
        None if !report.unclassified.is_empty() || !report.errors.is_empty() => {
            UNRECOGNISED.to_string()
        }
        None => "ok".to_string(),
    }
}

/// The naive baseline the recognition work is measured against: a
/// 15-line lookup table where the first known code or phrase in the text
/// wins, and no match means `ok`.
pub fn naive(text: &str) -> &'static str {
    const TABLE: &[(&str, &str)] = &[
        ("SignatureDoesNotMatch", "credentials.wrong-secret"),
        ("InvalidClientTokenId", "credentials.invalid-access-key"),
        ("InvalidAccessKeyId", "credentials.invalid-access-key"),
        ("ExpiredToken", "token.expired"),
        ("RequestTimeTooSkewed", "clock.skew"),
        ("AuthorizationHeaderMalformed", "region.mismatch"),
        ("AccessDenied", "authz.access-denied"),
        ("UnauthorizedOperation", "authz.access-denied"),
        ("Unable to locate credentials", "credentials.missing"),
        ("could not be found", "credentials.profile-not-found"),
        (
            "Could not connect to the endpoint URL",
            "network.endpoint-unreachable",
        ),
        ("CERTIFICATE_VERIFY_FAILED", "network.proxy-tls"),
        ("sts:AssumeRole", "role.assume-denied"),
        ("169.254.169.254", "imds.unavailable"),
        ("Invalid choice", "cli.outdated"),
    ];
    TABLE
        .iter()
        .filter_map(|(needle, cause)| text.find(needle).map(|at| (at, *cause)))
        .min()
        .map_or("ok", |(_, cause)| cause)
}

/// Counts of one part of the corpus.
#[derive(Default)]
pub struct Score {
    pub cases: usize,
    pub right: usize,
    pub naive_right: usize,
    /// Failure cases answered `ok`.
    pub failures: usize,
    pub false_all_clear: usize,
    pub naive_false_all_clear: usize,
    /// Per label: (cases, authsift right, naive right).
    pub per_label: BTreeMap<String, (usize, usize, usize)>,
}

impl Score {
    pub fn add(&mut self, case: &Case, answer: &str) {
        let naive = naive(&case.text);
        let entry = self.per_label.entry(case.label.clone()).or_default();
        entry.0 += 1;
        self.cases += 1;
        if answer == case.label {
            self.right += 1;
            entry.1 += 1;
        }
        if naive == case.label {
            self.naive_right += 1;
            entry.2 += 1;
        }
        if case.label != "ok" {
            self.failures += 1;
            self.false_all_clear += usize::from(answer == "ok");
            self.naive_false_all_clear += usize::from(naive == "ok");
        }
    }

    pub fn accuracy(&self) -> f64 {
        percent(self.right, self.cases)
    }

    pub fn naive_accuracy(&self) -> f64 {
        percent(self.naive_right, self.cases)
    }

    pub fn false_all_clear_rate(&self) -> f64 {
        percent(self.false_all_clear, self.failures)
    }
}

pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    100.0 * part as f64 / whole as f64
}
