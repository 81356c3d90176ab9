//! End-to-end checks: a client's log, through the whole pipeline, to a verdict.

use super::{Options, analyze_text};
use crate::facts::Fact;
use crate::formats::{go_sdk, rust_sdk};
use crate::rules::RuleSet;

#[test]
fn go_signing_logs_feed_the_same_analysis() {
    let report = analyze_text(
        "go.log",
        go_sdk::tests::V2,
        &RuleSet::builtin(),
        &Options::default(),
    );
    let f = &report.findings[0];
    assert_eq!(f.rule, "credentials.wrong-secret");
    assert_eq!(
        f.facts.str(Fact::CredentialAccessKeyId),
        Some("AKIAEXAMPLEEXAMPLE12")
    );
    assert_eq!(f.facts.str(Fact::RequestRegion), Some("us-east-1"));
    assert_eq!(f.facts.int(Fact::HttpStatus), Some(403));
}

#[test]
fn rust_signing_logs_feed_the_same_analysis() {
    let report = analyze_text(
        "rust.log",
        rust_sdk::tests::SIGNING,
        &RuleSet::builtin(),
        &Options::default(),
    );
    let f = &report.findings[0];
    assert_eq!(f.rule, "credentials.wrong-secret");
    assert_eq!(
        f.facts.str(Fact::CredentialAccessKeyId),
        Some("AKIAEXAMPLEEXAMPLE12")
    );
    assert_eq!(f.facts.str(Fact::RequestService), Some("sts"));
    assert_eq!(
        f.facts.str(Fact::RequestOperation),
        Some("GetCallerIdentity")
    );
    assert_eq!(f.facts.str(Fact::ErrorTool), Some("aws-sdk-rust"));
    assert_eq!(f.facts.int(Fact::HttpStatus), Some(403));
}
