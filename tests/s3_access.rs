//! S3 server access logs: the failures they record (authentication ones
//! included) become findings line by line; refused lines are errors with
//! their line number while the rest is still analyzed; gzip changes nothing.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{json, run};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/s3-access/access.log")
}

fn analyze(args: &[&str], stdin: &[u8]) -> (Value, i32) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all, stdin);
    (json(&out), out.status.code().unwrap())
}

/// (line, rule) of every finding.
fn verdicts(input: &Value) -> Vec<(u64, String)> {
    input["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["evidence"][0]["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_refused_request_gets_its_root_cause() {
    let (report, code) = analyze(&[fixture().to_str().unwrap()], b"");
    let input = &report["inputs"][0];
    assert_eq!(input["format"], "s3-access-log");
    assert_eq!(input["records"], 13);
    assert_eq!(code, 1);
    let expected: Vec<(u64, String)> = [
        (2, "credentials.wrong-secret"),
        (3, "credentials.wrong-secret"),
        (4, "credentials.wrong-secret"),
        (5, "credentials.wrong-secret"),
        (6, "credentials.invalid-access-key"),
        (7, "clock.skew"),
        (8, "authz.access-denied"),
        (9, "authz.access-denied"),
        (10, "token.expired"),
    ]
    .iter()
    .map(|(l, r)| (*l, r.to_string()))
    .collect();
    // Line 11 (NoSuchKey) is not an auth failure, line 12 is S3's own log
    // delivery (`svc:` requester): neither is a finding.
    assert_eq!(verdicts(input), expected);
    assert!(input["unclassified"].as_array().unwrap().is_empty());
    assert!(input["errors"].as_array().unwrap().is_empty());
}

#[test]
fn record_fields_become_facts() {
    let (report, _) = analyze(&[fixture().to_str().unwrap()], b"");
    let findings = report["inputs"][0]["findings"].as_array().unwrap();
    let signature = &findings[0]["facts"];
    assert_eq!(signature["error.code"], "SignatureDoesNotMatch");
    assert_eq!(signature["http.status"], 403);
    assert_eq!(signature["source.ip"], "203.0.113.50");
    assert_eq!(signature["request.signature_version"], "SigV4");
    assert_eq!(signature["request.auth_type"], "AuthHeader");
    assert_eq!(signature["tls.version"], "TLSv1.3");
    assert_eq!(signature["request.endpoint_region"], "us-west-1");
    assert_eq!(signature["request.bucket"], "amzn-s3-demo-bucket1");
    // 06/Feb/2019:00:01:02 +0000
    assert_eq!(signature["event.time"], 1_549_411_262);
    assert!(
        signature["client.user_agent"]
            .as_str()
            .unwrap()
            .starts_with("aws-cli/2.15.0")
    );
    assert_eq!(signature["client.name"], "aws-cli");
    assert_eq!(signature["client.version"], "2.15.0");
    let denied = &findings[6]["facts"];
    assert_eq!(
        denied["identity.arn"],
        "arn:aws:sts::111122223333:assumed-role/ci-deploy/gh-run-42"
    );
    // A presigned URL names its key: masked in the report, typed by prefix.
    let presigned = &findings[7]["facts"];
    assert_eq!(presigned["request.auth_type"], "QueryString");
    assert_eq!(presigned["credential.access_key_id"], "AKIA…MPLE");
    assert_eq!(presigned["credential.key_type"], "long-term");
}

#[test]
fn gzip_and_stdin_give_the_same_report() {
    let plain = std::fs::read(fixture()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let gz = tmp.path().join("access.log.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&plain).unwrap();
    enc.finish().unwrap();
    let (from_file, _) = analyze(&[fixture().to_str().unwrap()], b"");
    let (from_gz, _) = analyze(&[gz.to_str().unwrap()], b"");
    let (from_stdin, _) = analyze(&[], &plain);
    for other in [&from_gz, &from_stdin] {
        assert_eq!(other["inputs"][0]["format"], "s3-access-log");
        assert_eq!(
            verdicts(&other["inputs"][0]),
            verdicts(&from_file["inputs"][0])
        );
    }
}

#[test]
fn a_broken_line_is_reported_and_the_rest_still_analyzed() {
    let mut text = std::fs::read_to_string(fixture()).unwrap();
    // A record cut off mid-way (a truncated copy), then the rest.
    let cut = text.lines().nth(5).unwrap()[..150].to_string();
    text = text.replacen(
        text.lines().nth(6).unwrap(),
        &format!("{cut}\n{}", text.lines().nth(6).unwrap()),
        1,
    );
    let (report, code) = analyze(&[], text.as_bytes());
    let input = &report["inputs"][0];
    let errors = input["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = errors[0].as_str().unwrap();
    assert!(error.starts_with("<stdin>: 1 line(s)"), "{error}");
    assert!(error.contains("(first: line 7: 7 fields;"), "{error}");
    assert_eq!(verdicts(input).len(), 9, "nothing already found is lost");
    assert_eq!(code, 2, "a partly unreadable input is a partial failure");
}
