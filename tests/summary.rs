//! Event inputs in bulk: one merged summary over CloudTrail and S3 access
//! logs (json and table), the --since/--until window (and CloudTrail files
//! not opened because their key says they are too old), and the end-of-run
//! line on stderr.

mod common;

use std::path::{Path, PathBuf};

use common::{json, run};
use serde_json::Value;

fn fixture(rel: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel);
    path.to_str().unwrap().to_string()
}

fn count(counts: &Value, value: &str) -> u64 {
    counts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["value"] == value)
        .map_or(0, |c| c["count"].as_u64().unwrap())
}

#[test]
fn one_summary_over_every_event_input() {
    let access = fixture("s3-access/access.log");
    let trail = fixture("cloudtrail/records.json");
    let debug = fixture("aws-debug/s3-ls-proxy-rewrites-host.log");
    let out = run(&["--format", "json", &access, &trail, &debug], b"");
    let report = json(&out);
    let s = &report["summary"];
    // 13 access log records + 7 CloudTrail events; the debug log is no event input.
    assert_eq!(s["events"], 20);
    // 11 refused requests (10 + S3's own log delivery) + 6 failed events.
    assert_eq!(s["failures"], 17);
    assert_eq!(s["service_failures"], 2, "log delivery and delivery.logs");
    assert_eq!(count(&s["by_cause"], "credentials.wrong-secret"), 4);
    // The failed console sign-in has its rule; NoSuchKey and throttling
    // are no auth failures: counted apart, not as causes.
    assert_eq!(count(&s["by_cause"], "(no rule)"), 0);
    assert_eq!(count(&s["by_cause"], "console.sign-in-failed"), 1);
    assert_eq!(s["other_errors"], 2);
    assert_eq!(count(&s["by_other_error"], "ThrottlingException"), 1);
    assert_eq!(count(&s["by_source_ip"], "203.0.113.50"), 4);
    assert_eq!(count(&s["by_error_code"], "ConsoleLogin Failure"), 1);
    // Alice's one failure is a missing key: no auth failure.
    let alice = &s["by_principal"]["arn:aws:iam::111122223333:user/alice"];
    assert_eq!(
        (alice["ok"].as_u64(), alice["failed"].as_u64()),
        (Some(2), Some(0))
    );
    // Access key ids are values, so they are masked like everywhere else.
    assert!(!out.stdout.windows(20).any(|w| w == b"AKIAIOSFODNN7EXAMPLE"));
    assert_eq!(count(&s["by_access_key"], "AKIA…MPLE"), 1);
    let hours: u64 = s["failures_by_hour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["failures"].as_u64().unwrap())
        .sum();
    assert_eq!(
        hours, 13,
        "every auth failure of people and workloads, by hour"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("authsift: 20 events in 2 files, 0 skipped;"),
        "{stderr}"
    );

    // No event input, no summary.
    let report = json(&run(&["--format", "json", &debug], b""));
    assert!(report.get("summary").is_none());
}

#[test]
fn the_table_summarises_event_inputs() {
    let out = run(
        &["--format", "table", &fixture("s3-access/access.log")],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "failures were classified");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("13 events, 11 failed, 2019-02-06T00:00:38Z to 2019-02-06T00:10:10Z\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "1 of the failures is a call an AWS service made on your behalf; it is left out"
        ),
        "{text}"
    );
    for header in ["root cause", "source IP", "principal", "hour (UTC)"] {
        assert!(text.contains(header), "{header}: {text}");
    }
    // Events are summarised, not listed one row each.
    assert!(!text.contains("access.log:2"), "{text}");
}

#[test]
fn since_and_until_keep_only_events_in_the_window() {
    let out = run(
        &[
            "--format",
            "json",
            "--since",
            "2019-02-06T00:04:00Z",
            "--until",
            "2019-02-06T00:07:00Z",
            &fixture("s3-access/access.log"),
        ],
        b"",
    );
    let input = &json(&out)["inputs"][0];
    assert_eq!(input["records"], 4);
    let lines: Vec<u64> = input["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["evidence"][0]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [6, 7, 8, 9]);
}

#[test]
fn cloudtrail_files_delivered_before_since_are_not_opened() {
    // Delivered 10:05 and 10:10; events at 10:00–10:05 in the first.
    let out = run(
        &[
            "--format",
            "json",
            "--since",
            "2024-05-01T10:06:00Z",
            &fixture("cloudtrail/archive"),
        ],
        b"",
    );
    let report = json(&out);
    let paths: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("_CloudTrail_us-east-1_20240501T1005Z")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.contains("_CloudTrail_us-east-1_20240501T1010Z")),
        "{paths:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 CloudTrail file delivered before --since was not opened"),
        "{stderr}"
    );
}

#[test]
fn a_bad_time_is_a_usage_error() {
    for args in [["--since", "yesterday"], ["--until", "12x"]] {
        let out = run(&[args[0], args[1], &fixture("s3-access/access.log")], b"");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!("authsift: {}: `", args[0])),
            "{stderr}"
        );
    }
    let out = run(
        &[
            "--since",
            "2024-05-02",
            "--until",
            "2024-05-01",
            &fixture("s3-access/access.log"),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
}

/// The generator's archive: the same seed gives the same bytes, and
/// authsift finds what was planted (a key failing only in the second half).
#[test]
fn generated_archives_are_deterministic_and_analyzed() {
    let tmp = tempfile::tempdir().unwrap();
    let generate = |dir: &str| {
        common::gen_cloudtrail(&tmp.path().join(dir), &["--events", "12000", "--seed", "3"]);
    };
    generate("a");
    generate("b");
    let files = |dir: &str| -> Vec<(String, Vec<u8>)> {
        let root = tmp.path().join(dir);
        common::files_under(&root)
            .into_iter()
            .map(|p| {
                let rel = p.strip_prefix(&root).unwrap().display().to_string();
                (rel, std::fs::read(&p).unwrap())
            })
            .collect()
    };
    let a = files("a");
    assert_eq!(a.len(), 12, "six five-minute windows, two regions");
    assert!(
        a[0].0.starts_with("AWSLogs/111122223333/CloudTrail/"),
        "{}",
        a[0].0
    );
    assert_eq!(a, files("b"), "same seed, same bytes");

    let archive = tmp.path().join("a");
    let out = run(&["--format", "json", "-q", archive.to_str().unwrap()], b"");
    let report = json(&out);
    let s = &report["summary"];
    assert_eq!(s["events"], 12000);
    let leaked = &s["by_principal"]["arn:aws:iam::111122223333:user/reporting"];
    assert_eq!(leaked["ok"], 0);
    assert!(leaked["failed"].as_u64().unwrap() > 50, "{leaked}");
    let first_seen = s["first_seen"].as_i64().unwrap();
    let first_failure = leaked["first_failure"].as_i64().unwrap();
    assert!(
        first_failure - first_seen > 600,
        "the planted key fails only later"
    );
    assert!(s["service_failures"].as_u64().unwrap() > 0);
    assert!(count(&s["by_other_error"], "ThrottlingException") > 0);
    assert_eq!(count(&s["by_error_code"], "ThrottlingException"), 0);
    // Findings across files: the planted key, from its one address.
    let findings = s["findings"].as_array().unwrap();
    let key = findings
        .iter()
        .find(|f| f["kind"] == "access-key" && f["group"] == "AKIA…0042")
        .expect("the planted key is a finding");
    assert_eq!(key["count"], leaked["failed"]);
    assert!(
        key["detail"]
            .as_str()
            .unwrap()
            .starts_with("from: 192.0.2.200 (")
    );
    assert_eq!(key["evidence"].as_array().unwrap().len(), 2);
    assert!(findings.iter().any(|f| f["kind"] == "console-login"));
    // The legacy job's CLI v1, next to CLI v2 among failing callers.
    let older: Vec<&Value> = findings
        .iter()
        .filter(|f| f["kind"] == "older-client")
        .collect();
    assert_eq!(older.len(), 1, "{older:?}");
    assert_eq!(older[0]["group"], "aws-cli/1.18.69");
    assert!(count(&s["by_client"], "aws-cli/2.15.30") > 0);
    assert!(findings.iter().any(|f| f["kind"] == "assume-role"));
    // The table tells the same, with one summary line first.
    let out = run(&["--format", "table", "-q", archive.to_str().unwrap()], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("12000 events, "), "{text}");
}

#[test]
fn s3_authentication_failures_are_grouped_by_address_and_code() {
    // The fixture's four SignatureDoesNotMatch from one address, twice over
    // (as two days of the same logs would be): over the threshold of five.
    let text = std::fs::read_to_string(fixture("s3-access/access.log")).unwrap();
    let twice = format!("{text}{text}");
    let report = json(&run(&["--format", "json", "-q", "-"], twice.as_bytes()));
    let findings = report["summary"]["findings"].as_array().unwrap();
    let s3: Vec<&Value> = findings
        .iter()
        .filter(|f| f["kind"] == "s3-authentication")
        .collect();
    assert_eq!(s3.len(), 1, "{findings:?}");
    assert_eq!(s3[0]["group"], "SignatureDoesNotMatch from 203.0.113.50");
    assert_eq!(s3[0]["count"], 8);
    assert_eq!(s3[0]["evidence"][0]["event"], "line 2");
    assert_eq!(s3[0]["evidence"][1]["event"], "line 18");
    // Once over, under the threshold: no finding.
    let report = json(&run(&["--format", "json", "-q", "-"], text.as_bytes()));
    let findings = report["summary"]["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["kind"] != "s3-authentication"));
}

#[test]
fn since_takes_rfc3339_offsets_and_refuses_dates_that_do_not_exist() {
    let log = fixture("s3-access/access.log");
    let events = |since: &str| -> u64 {
        let out = run(&["--format", "json", "--since", since, &log], b"");
        assert_ne!(out.status.code(), Some(2), "{since}");
        json(&out)["summary"]["events"].as_u64().unwrap()
    };
    let all = events("2019-02-06");
    let utc = events("2019-02-06T00:05:00Z");
    assert!(0 < utc && utc < all, "{utc} of {all}");
    assert_eq!(events("2019-02-06T01:05:00+01:00"), utc);
    assert_eq!(events("2019-02-05T19:05:00-05:00"), utc);
    assert_eq!(events("2019-02-06T00:05:00"), utc);
    for bad in [
        "2024-02-31",
        "2019-02-06T25:00:00Z",
        "2019-02-06T00:05:00+99:00",
    ] {
        let out = run(&["--since", bad, &log], b"");
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("--since: `{bad}` is not a valid date or time")),
            "{stderr}"
        );
    }
}
