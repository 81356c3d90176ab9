//! End-to-end checks: a client's log, through the whole pipeline, to a verdict.

use super::{Options, analyze_text};
use crate::facts::Fact;
use crate::finding::Finding;
use crate::formats::{go_sdk, rust_sdk};
use crate::rules::RuleSet;

/// The first finding the built-in rules make of one text.
fn first_finding(path: &str, text: &str) -> Finding {
    let report = analyze_text(path, text, &RuleSet::builtin(), &Options::default());
    report.findings.into_iter().next().expect("a finding")
}

#[test]
fn go_signing_logs_feed_the_same_analysis() {
    let f = first_finding("go.log", go_sdk::tests::V2);
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
    let f = first_finding("rust.log", rust_sdk::tests::SIGNING);
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

/// The verdict and `region.service_not_offered` for one pasted text.
fn verdict_and_offer(text: &str) -> (String, Option<String>) {
    let f = first_finding("paste", text);
    let region = f.facts.str(Fact::RegionServiceNotOffered);
    (f.rule.clone(), region.map(str::to_string))
}

#[test]
fn a_host_of_a_service_its_region_lacks_is_a_region_problem_in_any_layout() {
    let region_mismatch = |region: &str| ("region.mismatch".to_string(), Some(region.to_string()));
    // Support's API has one endpoint, in us-east-1; Route 53 Domains too;
    // Data Pipeline is in five regions (botocore's endpoint data).
    assert_eq!(
        verdict_and_offer(
            "Post \"https://support.eu-central-1.amazonaws.com/\": dial tcp: lookup support.eu-central-1.amazonaws.com: no such host"
        ),
        region_mismatch("eu-central-1")
    );
    assert_eq!(
        verdict_and_offer("Error: getaddrinfo ENOTFOUND route53domains.eu-west-2.amazonaws.com"),
        region_mismatch("eu-west-2")
    );
    assert_eq!(
        verdict_and_offer(
            "botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: \"https://datapipeline.ca-central-1.amazonaws.com/\""
        ),
        region_mismatch("ca-central-1")
    );
    // Offered there, or no answer from the table: the network it stays.
    let unreachable = ("network.endpoint-unreachable".to_string(), None);
    for text in [
        "Connect timeout on endpoint URL: \"https://sts.us-east-1.amazonaws.com/\"",
        "Could not connect to the endpoint URL: \"https://route53domains.us-east-1.amazonaws.com/\"",
        "Could not connect to the endpoint URL: \"https://s3.dualstack.eu-west-1.amazonaws.com/\"",
        "dial tcp: lookup mybucket.s3-eu-west-1.amazonaws.com: no such host",
    ] {
        assert_eq!(verdict_and_offer(text), unreachable, "{text}");
    }
}

fn verdict(text: &str) -> String {
    first_finding("paste", text).rule
}

#[test]
fn a_client_that_wants_sso_keys_on_the_profile_predates_sso_sessions() {
    // Terraform's AWS provider (Go SDK v2) on a profile `aws configure sso`
    // wrote: real output, hashicorp/learn-terraform-modules thread.
    assert_eq!(
        verdict(
            "│ Error: configuring Terraform AWS Provider: loading configuration: profile \"default\" is configured to use SSO but is missing required configuration: sso_region, sso_start_url"
        ),
        "cli.outdated"
    );
    // One key missing is a config to fix, not an old client.
    assert_eq!(
        verdict(
            "│ Error: loading configuration: profile \"dev\" is configured to use SSO but is missing required configuration: sso_region"
        ),
        "config.malformed"
    );
}
