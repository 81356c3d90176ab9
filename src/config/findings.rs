//! What `authsift config` reports: its checks' issues, worded by the rules
//! of `rules/config.rules`, as one `InputReport` per file (and one for the
//! environment), and the exit status they mean.

use std::sync::Arc;

use super::{Setup, Target, checks};
use crate::awsfiles::word::to_finding;
use crate::facts::Fact;
use crate::finding::{Finding, Severity};
use crate::outcome::{InputReport, ReadAs, Report, Status};
use crate::rules::RuleSet;

/// Issues → one `InputReport` per file (and one for the environment), each
/// issue worded by the first of `rules` (`rules/config.rules`) that holds
/// for its facts, in the order a reader goes through a file: by line, the
/// most severe first.
pub fn build_report(
    setup: &Setup,
    issues: &[checks::Issue],
    errors: &[(String, String)],
    rules: &RuleSet,
) -> Report {
    let mut worded: Vec<(Target, usize, Finding)> = issues
        .iter()
        .map(|i| (i.target, i.line, to_finding(setup, i, rules, 0)))
        .collect();
    worded.sort_by_key(|(target, line, f)| (*target, *line, std::cmp::Reverse(f.severity)));
    let mut inputs = Vec::new();
    let mut add = |target: Target, path: String, records: usize| {
        let findings: Vec<Finding> = worded
            .iter()
            .filter(|(t, _, _)| *t == target)
            .enumerate()
            .map(|(n, (_, _, f))| {
                let mut f = f.clone();
                f.incident = n;
                Arc::make_mut(&mut f.facts).set(Fact::CredentialSourceName, path.as_str(), None);
                f
            })
            .collect();
        inputs.push(InputReport {
            records,
            findings,
            ..InputReport::new(path, Some(ReadAs::AwsConfig))
        });
    };
    for (target, file) in setup.files() {
        add(target, file.path.clone(), file.lines.len());
    }
    let listing = setup.env.listing().len();
    if listing > 0 || issues.iter().any(|i| i.target == Target::Env) {
        add(Target::Env, "environment".into(), listing);
    }
    for (path, error) in errors {
        inputs.push(InputReport::failed(path.clone(), error.clone()));
    }
    Report {
        inputs,
        not_opened: 0,
        merged: None,
    }
}

/// What the check found: unreadable files (status 2) come first, then any
/// finding of medium or high severity (1); low ones alone leave it clean.
pub fn status(report: &Report) -> Status {
    if report.inputs.iter().any(|i| !i.errors.is_empty()) {
        Status::Unreadable
    } else if report
        .inputs
        .iter()
        .flat_map(|i| &i.findings)
        .any(|f| f.severity >= Severity::Medium)
    {
        Status::Found
    } else {
        Status::Clean
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::{Env, Request, load};
    use super::*;
    use crate::awsfiles::word::issue_facts;
    use crate::finding::RootCause;

    const CONFIG: &str = "region = x\n[default]\nregion = US-EAST-1\noutput = \"json\"\n\
cli_pager = less # pager\nregion = eu-west-1\n  output = json\n= x\njunk\n\
s3 =\n  addressing_style path\n[default]\n[ spaced ]\n[profile a b]\n[plain]\n[DEFAULT]\n\
[profile pr\u{200b}od]\nregi\u{200b}on = us-east-1\nout\u{e9}put = json\n\
[profile r]\nrole_arn = arn:aws:iam::1:role/x\n\
[profile s]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = t\ncredential_source = environment\n\
[profile t]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = s\n\
[profile c]\nsource_profile = zzz\nsso_session = nope\n\
[profile e]\nsso_session = mysess\n[sso-session mysess]\nsso_region = us-east-1\n\
[profile f]\nsso_start_url = https://x\n\
[profile p]\ncredential_process = /nope/helper --x\naws_secret_access_key = s\n\
[profile q]\ncredential_process = no-such-helper\n[profile a\n";

    const CREDENTIALS: &str = "\u{feff}[default]\r\naws_access_key_id = akiaiosfodnn7example\r\n\
aws_secret_access_key = AKIAshort\r\n[profile x]\naws_access_key_id = AKIAIOSFOD\u{200b}NN7EXAMPL\n\
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE\u{a0}\n\
[b]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\n[c]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\naws_session_token = t\n\
[d]\nAWS_ACCESS_KEY_ID = AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
Output = json\n";

    #[test]
    fn every_issue_is_worded_by_exactly_one_config_rule() {
        let dir = tempfile::tempdir().unwrap();
        let (config, credentials) = (dir.path().join("config"), dir.path().join("credentials"));
        std::fs::write(&config, CONFIG).unwrap();
        std::fs::write(&credentials, CREDENTIALS).unwrap();
        let env = Env::from_pairs(
            [
                ("AWS_PROFILE", "prod"),
                ("AWS_DEFAULT_PROFILE", "dev"),
                ("AWS_ACCESS_KEY_ID", "ASIAIOSFODNN7EXAMPL"),
                ("AWS_SECRET_ACCESS_KEY", "short"),
                ("AWS_REGION", "eu-west-1b"),
                ("AWS_CONFIG_FILE", "/no/such/config"),
                ("AWS_SHARED_CREDENTIALS_FILE", "/no/such/credentials"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let request = Request {
            config_file: Some(config),
            credentials_file: Some(credentials),
            profile: None,
            mask_key_ids: true,
        };
        let (setup, errors) = load(&request, env);
        assert!(errors.is_empty(), "{errors:?}");
        let rules = RuleSet::config();
        let mut checks = BTreeSet::new();
        for issue in checks::run(&setup) {
            let (_, seen) = issue_facts(&issue);
            let words: Vec<&str> = rules.matching(&seen).map(|r| r.id.as_str()).collect();
            assert_eq!(
                words.len(),
                1,
                "{} at {}: {words:?}",
                issue.check,
                issue.line
            );
            checks.insert(issue.check);
        }
        assert!(checks.len() >= 30, "{} checks: {checks:?}", checks.len());
    }

    #[test]
    fn config_rules_name_causes_of_the_vocabulary() {
        for rule in RuleSet::config().rules() {
            assert!(
                RootCause::ALL.iter().any(|c| c.as_str() == rule.cause()),
                "{} names {}",
                rule.id,
                rule.cause()
            );
            assert!(rule.id.starts_with("config."), "{}", rule.id);
        }
    }
}
