//! CI job logs (GitHub Actions, GitLab CI, Jenkins): the runner's prefixes
//! come off, the inner text is analyzed like any log, and findings point
//! back at the original lines and name the step they came from.

use std::sync::Arc;

use super::Options;
use super::logs::analyze_parsed;
use crate::formats::{self, Format};
use crate::outcome::InputReport;
use crate::rules::RuleSet;
use crate::{facts, finding, model};

/// A CI job log: unwrapped (one inner line per original line), the inner
/// text analyzed like any log, then findings point back at the original
/// lines and name the step they came from.
pub(super) fn analyze_ci_log(
    path: &str,
    text: &str,
    system: formats::ci::CiSystem,
    format: Format,
    rules: &RuleSet,
    options: &Options,
) -> InputReport {
    let unwrapped = formats::ci::unwrap(text, system);
    let head_end = (0..=unwrapped.text.len().min(formats::SNIFF_BYTES))
        .rev()
        .find(|i| unwrapped.text.is_char_boundary(*i))
        .unwrap_or(0);
    let inner = match formats::sniff(&unwrapped.text[..head_end]) {
        f if f.ci_system().is_some() => Format::Text,
        f => f,
    };
    let context = CiContext {
        unwrapped: &unwrapped,
        original_lines: text.split('\n').collect(),
    };
    analyze_parsed(
        path,
        unwrapped.text.as_bytes(),
        format,
        inner,
        rules,
        options,
        Some(&context),
    )
}

/// What findings of a CI log need from the original log.
pub(super) struct CiContext<'a> {
    unwrapped: &'a formats::ci::Unwrapped,
    original_lines: Vec<&'a str>,
}

impl CiContext<'_> {
    pub(super) fn original(&self, line: usize) -> Option<Arc<str>> {
        let text = self.original_lines.get(line.checked_sub(1)?)?;
        Some(text.trim_end_matches('\r').into())
    }

    /// CI facts, before rules run, so rules can use them.
    pub(super) fn add_facts(&self, incident: &mut facts::Incident) {
        let facts = Arc::make_mut(&mut incident.facts);
        facts.set(facts::Fact::CiSystem, self.unwrapped.system.as_str(), None);
        let line = incident.headline.as_ref().map(|h| h.line);
        if let Some(step) = line.and_then(|l| self.unwrapped.step_at(l)) {
            facts.set(facts::Fact::CiStep, step, incident.headline.as_ref());
        }
        // The step's environment names the profile the job meant to use
        // (a debug log never shows AWS_PROFILE; a step header does).
        let profile = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]
            .iter()
            .find_map(|name| line.and_then(|l| self.unwrapped.env_at(l, name)));
        if let Some((value, env_line)) = profile
            && !facts.has(facts::Fact::CredentialProfile)
        {
            let evidence = model::EvidenceLine {
                line: env_line,
                text: self.original(env_line).unwrap_or_else(|| value.into()),
            };
            facts.set(facts::Fact::CredentialProfile, value, Some(&evidence));
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
