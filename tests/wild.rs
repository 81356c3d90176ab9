//! The wild corpus is well-formed, and every case is analysed without a
//! crash. Accuracy is a benchmark (`cargo bench --bench accuracy`); the
//! floors here only catch a collapse.

mod common;

use std::collections::BTreeSet;

use common::wild;

#[test]
fn every_case_is_labelled_from_the_vocabulary_and_sourced_once() {
    let cases = wild::load();
    let labels = wild::labels();
    assert!(cases.len() >= 150, "{} cases", cases.len());
    let mut sources = BTreeSet::new();
    for case in &cases {
        assert!(
            labels.contains(&case.label),
            "{}: label {}",
            case.name,
            case.label
        );
        if let Some(s) = &case.secondary {
            assert!(labels.contains(s), "{}: secondary {s}", case.name);
        }
        assert!(!case.text.trim().is_empty(), "{}: empty paste", case.name);
        assert!(
            sources.insert(case.source.clone()),
            "{}: source used twice",
            case.name
        );
    }
    let projects: BTreeSet<&str> = cases.iter().map(|c| c.project.as_str()).collect();
    assert!(projects.len() >= 60, "{} projects", projects.len());
    // Every root cause and `ok` is represented, but for the causes only
    // CloudTrail events have (the fact `console.login` comes only from a
    // ConsoleLogin event): a paste of a log never shows them, and
    // fixtures/cloudtrail/ covers them.
    const EVENTS_ONLY: &[&str] = &["console.sign-in-failed"];
    for label in labels.iter().filter(|l| !EVENTS_ONLY.contains(&l.as_str())) {
        assert!(
            cases.iter().any(|c| &c.label == label),
            "no case of {label}"
        );
    }
    let held = cases.iter().filter(|c| c.held_out).count();
    assert!(
        (cases.len() / 5..cases.len() / 2).contains(&held),
        "{held} of {} held out",
        cases.len()
    );
}

#[test]
fn the_split_depends_on_the_source_alone() {
    // Pinned: a change of the split would leak held-out cases into tuning.
    assert!(!wild::held_out("aws/aws-cli#1"));
    let held = (0..300)
        .filter(|n| wild::held_out(&format!("owner/repo#{n}")))
        .count();
    assert!((70..130).contains(&held), "{held} of 300");
}

#[test]
fn every_case_runs_through_the_binary_without_a_crash() {
    let out = common::bin()
        .args(["--format", "json"])
        .arg(wild::dir())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = common::json(&out);
    let analysed = report["inputs"].as_array().unwrap().len();
    // Every .txt and .json file is an input; none is lost.
    let files = std::fs::read_dir(wild::dir()).unwrap().count();
    assert_eq!(analysed, files);
}

/// The first finding of a development case run through the binary.
fn first_finding(name: &str) -> serde_json::Value {
    let case = wild::load().into_iter().find(|c| c.name == name).unwrap();
    assert!(!case.held_out, "{name} is a development case");
    let out = common::bin()
        .args(["--format", "json"])
        .arg(&case.path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    common::json(&out)["inputs"][0]["findings"][0].clone()
}

#[test]
fn a_service_its_region_does_not_offer_is_a_region_problem() {
    // A development case (never a held-out one: those are not looked at):
    // the PHP SDK, set to us-east-2, built a Route 53 Domains host that
    // does not resolve; the service is only in us-east-1.
    let finding = first_finding("sdk-php-route53domains-us-east-2-could-not-resolve-host");
    assert_eq!(finding["rule"], "region.mismatch");
    assert_eq!(finding["facts"]["region.service_not_offered"], "us-east-2");
    assert_eq!(finding["facts"]["region.service_offered_in"], "us-east-1");
}

#[test]
fn a_bare_security_token_answer_names_the_token_first_and_the_key_too() {
    // Development case: boto3 in a Lambda-built STS client; the answer
    // alone, with no key or token shown.
    let finding = first_finding("py-control-tower-config-optin-region-global-sts-token");
    assert_eq!(finding["rule"], "token.invalid");
    let fixes = finding["fix"].to_string();
    assert!(fixes.contains("list-access-keys"), "{fixes}");
}

#[test]
fn an_opt_in_region_without_temporary_credentials_is_a_region_to_enable() {
    // Development case: a script that prints each region before its
    // calls, failing in ap-east-1 only.
    let finding = first_finding("py-clear-lambda-storage-opt-in-region-not-enabled");
    assert_eq!(finding["rule"], "region.mismatch");
    assert_eq!(finding["facts"]["region.opt_in"], "ap-east-1");
    let fixes = finding["fix"].to_string();
    assert!(
        fixes.contains("enable-region --region-name ap-east-1"),
        "{fixes}"
    );
}

#[test]
fn a_metadata_answer_the_client_could_not_read_is_the_metadata_service() {
    // Development case: Ruby's instance-profile provider got an empty
    // body from the metadata service; the service is there, so this is
    // no laptop falling through its credential chain.
    let finding = first_finding("sdk-ruby-instance-profile-metadata-empty-response");
    assert_eq!(finding["rule"], "imds.unavailable");
    let why = finding["explanation"].to_string();
    assert!(why.contains("could not read"), "{why}");
}

#[test]
fn an_sso_cache_the_client_cannot_parse_is_an_outdated_client() {
    // Development case: Pulumi's Go SDK v1 could not parse the expiry an
    // older AWS CLI wrote into the SSO cache (`caused by: expected RFC3339
    // timestamp`); signing in again would not help.
    let finding = first_finding("iac-pulumi-aws-sso-token-from-old-cli-timestamp");
    assert_eq!(finding["rule"], "cli.outdated");
    assert_eq!(finding["facts"]["client.misreads_sso_cache"], true);
    assert!(
        finding["facts"]["error.detail"]
            .as_str()
            .unwrap()
            .starts_with("expected RFC3339 timestamp")
    );
}

#[test]
fn a_misspelt_credential_variable_is_a_missing_credential() {
    // Development case: restic run with `AWS_SECRET_ACCES_KEY` exported.
    let finding = first_finding("k8s-restic-secret-env-typo-access-denied");
    assert_eq!(finding["rule"], "credentials.missing");
    assert_eq!(
        finding["facts"]["credential.env_misspelt"],
        "AWS_SECRET_ACCES_KEY"
    );
    assert_eq!(
        finding["facts"]["credential.env_meant"],
        "AWS_SECRET_ACCESS_KEY"
    );
}

#[test]
fn a_debug_log_cut_while_connecting_is_an_unreachable_endpoint() {
    // Development case: aws-cli 1.18 in a VPC without a route to the
    // legacy SQS host; the debug log stops at the connection attempt.
    let finding = first_finding("py-awscli-sqs-private-vpc-legacy-queue-endpoint");
    assert_eq!(finding["rule"], "network.endpoint-unreachable");
    assert_eq!(finding["facts"]["error.detail"], "queue.amazonaws.com");
}

#[test]
fn a_region_aws_has_that_the_client_refuses_is_an_outdated_client() {
    // Development cases: docker registry's hard-coded S3 region list
    // before us-east-2 opened; an AWSSDK.Core without the Ningxia field.
    for (name, region) in [
        (
            "k8s-docker-registry-s3-us-east-2-invalid-region",
            "us-east-2",
        ),
        (
            "sdk-dotnet-cnnorthwest1-field-missing-old-core",
            "cn-northwest-1",
        ),
    ] {
        let finding = first_finding(name);
        assert_eq!(finding["rule"], "cli.outdated", "{name}");
        assert_eq!(finding["facts"]["client.predates_region"], region, "{name}");
    }
}

#[test]
fn an_authorization_header_aws_could_not_read_is_a_malformed_credential() {
    // Development case: a stray space in the access key id saved in Leapp
    // split the header's Credential (IncompleteSignature).
    let finding = first_finding("iac-leapp-access-key-space-incomplete-signature");
    assert_eq!(finding["rule"], "config.malformed");
}
