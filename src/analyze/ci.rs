//! CI job logs (GitHub Actions, GitLab CI, Jenkins): the runner's prefixes
//! come off, the inner text is analyzed like any log, and findings point
//! back at the original lines and name the step they came from.

use std::sync::Arc;

use super::logs::Parts;
use super::{Options, failed};
use crate::formats::{self, Format};
use crate::input::{InputError, Opened};
use crate::outcome::InputReport;
use crate::rules::RuleSet;
use crate::{facts, finding, model};

/// A CI job log, read as it comes: unwrapped window by window (one inner
/// line per original line), the inner text analyzed like any log, then
/// findings point back at the original lines and name the step they came
/// from ([`Parts::read_ci`]).
pub(super) fn analyze_ci_stream(
    opened: &mut Opened,
    system: formats::ci::CiSystem,
    format: Format,
    rules: &RuleSet,
    options: &Options,
) -> Result<InputReport, InputError> {
    let parts = Parts::read_ci(opened, format, system, rules, options)?;
    Ok(parts.merge(opened.label(), format, rules))
}

/// A CI job log held whole, read as one that comes ([`analyze_ci_stream`]):
/// one way to read them, whatever holds them.
pub(super) fn analyze_ci_log(
    path: &str,
    text: &[u8],
    system: formats::ci::CiSystem,
    format: Format,
    rules: &RuleSet,
    options: &Options,
) -> InputReport {
    let reader = std::io::Cursor::new(text.to_vec());
    let mut opened = Opened::text(reader, path, u64::MAX);
    analyze_ci_stream(&mut opened, system, format, rules, options)
        .unwrap_or_else(|e| failed(path.to_string(), e))
}

/// What findings of a part of a CI log need from the original log.
pub(super) struct CiContext<'a> {
    system: formats::ci::CiSystem,
    /// The steps the part's lines can belong to.
    steps: formats::ci::Steps,
    /// The line the part starts on.
    first_line: usize,
    /// The part's original lines.
    original_lines: Vec<&'a str>,
}

impl<'a> CiContext<'a> {
    /// The context of a part starting on `first_line`, whose original
    /// text is `original`.
    pub(super) fn new(
        system: formats::ci::CiSystem,
        steps: formats::ci::Steps,
        first_line: usize,
        original: &'a str,
    ) -> Self {
        CiContext {
            system,
            steps,
            first_line,
            original_lines: original.split('\n').collect(),
        }
    }

    pub(super) fn original(&self, line: usize) -> Option<Arc<str>> {
        let text = self
            .original_lines
            .get(line.checked_sub(self.first_line)?)?;
        Some(text.trim_end_matches('\r').into())
    }

    /// CI facts, before rules run, so rules can use them.
    pub(super) fn add_facts(&self, incident: &mut facts::Incident) {
        let facts = Arc::make_mut(&mut incident.facts);
        facts.set(facts::Fact::CiSystem, self.system.as_str(), None);
        let line = incident.headline.as_ref().map(|h| h.line);
        if let Some(step) = line.and_then(|l| self.steps.step_at(l)) {
            facts.set(facts::Fact::CiStep, step, incident.headline.as_ref());
        }
        // The step's environment names the profile the job meant to use
        // (a debug log never shows AWS_PROFILE; a step header does).
        let profile = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]
            .iter()
            .find_map(|name| line.and_then(|l| self.steps.env_at(l, name)));
        if let Some(env) = profile
            && !facts.has(facts::Fact::CredentialProfile)
        {
            let evidence = model::EvidenceLine {
                line: env.line,
                text: env.original.as_str().into(),
            };
            facts.set(
                facts::Fact::CredentialProfile,
                env.value.as_str(),
                Some(&evidence),
            );
        }
    }

    /// Evidence quotes the original lines, prefixes and all.
    pub(super) fn restore_lines(&self, finding: &mut finding::Finding) {
        for e in finding.evidence.iter_mut().chain(finding.headline.as_mut()) {
            if let Some(text) = self.original(e.line) {
                e.text = text;
            }
        }
    }
}
