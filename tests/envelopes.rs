//! CloudTrail events in the envelopes people export them in (EventBridge,
//! CloudWatch Logs, Logs Insights, CloudTrail Lake), a document cut short,
//! and `s3://` paths. The envelopes hold the seven events of
//! `fixtures/cloudtrail/records.json`: each must give the same findings.

mod common;

use std::path::{Path, PathBuf};

use common::{json, run};
use serde_json::Value;

fn fixture(rel: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cloudtrail")
        .join(rel);
    path.to_str().unwrap().to_string()
}

#[test]
fn every_envelope_gives_the_findings_of_the_records_it_holds() {
    let expected = common::event_findings(
        &json(&run(&["--format", "json", &fixture("records.json")], b""))["inputs"][0],
    );
    assert_eq!(expected.0, 7);
    for name in [
        "eventbridge.jsonl",
        "filter-log-events.json",
        "logs-insights.json",
        "lake-query-results.json",
        "cloudwatch-export.txt",
    ] {
        let out = run(
            &["--format", "json", &fixture(&format!("envelopes/{name}"))],
            b"",
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json(&out);
        let input = &report["inputs"][0];
        assert_eq!(input["format"], "cloudtrail", "{name}");
        assert!(
            input["errors"].as_array().unwrap().is_empty(),
            "{name}: {input}"
        );
        assert_eq!(common::event_findings(input), expected, "{name}");
        // Throttling and the AWS service's denial are recognised inside
        // the envelope too.
        assert_eq!(report["summary"]["other_errors"], 1, "{name}");
        assert_eq!(report["summary"]["service_failures"], 1, "{name}");
    }
}

#[test]
fn eventbridge_events_in_an_array_or_alone_are_read() {
    let text = std::fs::read_to_string(fixture("envelopes/eventbridge.jsonl")).unwrap();
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let array = serde_json::to_vec(&events).unwrap();
    let report = json(&run(&["--format", "json", "-q", "-"], &array));
    assert_eq!(report["inputs"][0]["records"], 7);
    let alone = serde_json::to_vec_pretty(&events[0]).unwrap();
    let report = json(&run(&["--format", "json", "-q", "-"], &alone));
    assert_eq!(
        report["inputs"][0]["findings"][0]["rule"],
        "role.assume-denied"
    );
    // An EventBridge event that is no CloudTrail event is named as such.
    let mut other = events[0].clone();
    other["detail-type"] = "EC2 Instance State-change Notification".into();
    other["detail"] =
        serde_json::json!({"instance-id": "i-1", "state": "running", "eventSource": "x"});
    let out = run(
        &["--format", "json", "-"],
        &serde_json::to_vec(&other).unwrap(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("EC2 Instance State-change Notification"),
        "{stderr}"
    );
}

#[test]
fn a_document_cut_short_is_read_up_to_the_cut_and_the_cut_reported() {
    let path = fixture("envelopes/truncated.json");
    let out = run(&["--format", "json", &path], b"");
    assert_eq!(
        out.status.code(),
        Some(2),
        "the cut is an error in the input"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("truncated.json: the input ends in the middle of event 5"),
        "{stderr}"
    );
    let report = json(&out);
    let input = &report["inputs"][0];
    assert_eq!(input["records"], 4, "the four events before the cut");
    let rules: Vec<&str> = input["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"role.assume-denied"), "{rules:?}");
    // The same cut in a bare array.
    let text = std::fs::read_to_string(fixture("array.json")).unwrap();
    let cut = &text[..text.len() * 2 / 3];
    let out = run(&["--format", "json", "-"], cut.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert!(json(&out)["inputs"][0]["records"].as_u64().unwrap() >= 3);
}

#[test]
fn a_cloudwatch_export_is_read_gzipped_as_delivered_and_up_to_a_cut() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read(fixture("envelopes/cloudwatch-export.txt")).unwrap();
    // As the export task writes it: `<prefix>/<task>/<stream>/000000.gz`.
    let stream = dir
        .path()
        .join("exportedlogs/task/111122223333_CloudTrail_us-east-1");
    std::fs::create_dir_all(&stream).unwrap();
    let whole = common::gzip(&text);
    std::fs::write(stream.join("000000.gz"), &whole).unwrap();
    let out = run(
        &["--format", "json", "-q", dir.path().to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["inputs"][0]["records"], 7);
    assert_eq!(report["summary"]["events"], 7);
    // A download that stopped: the gzip data ends in the middle of the
    // last event. The six before it are read, and both cuts reported.
    let cut = &whole[..whole.len() - 40];
    let path = dir.path().join("cut.gz");
    std::fs::write(&path, cut).unwrap();
    let out = run(&["--format", "json", path.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let input = &report["inputs"][0];
    assert!(input["records"].as_u64().unwrap() >= 5, "{input}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cut.gz: the input ends in the middle of event"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cut.gz: corrupt or truncated gzip data"),
        "{stderr}"
    );
    // A line of another shape is named, not guessed at.
    let mut broken = text.clone();
    broken.extend_from_slice(b"not an export line\n");
    let out = run(&["--format", "json", "-"], &broken);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("line 8: not a line of a CloudWatch Logs export"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_delivery_file_whose_gzip_is_cut_is_read_up_to_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let whole = common::gzip(&std::fs::read(fixture("records.json")).unwrap());
    let path = dir.path().join("cut.json.gz");
    std::fs::write(&path, &whole[..whole.len() * 3 / 4]).unwrap();
    let out = run(&["--format", "json", path.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    let records = json(&out)["inputs"][0]["records"].as_u64().unwrap();
    assert!((1..7).contains(&records), "{records}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the input ends in the middle of event"),
        "{stderr}"
    );
}

#[test]
fn s3_urls_say_how_to_fetch_and_the_other_inputs_are_analyzed() {
    let out = run(
        &[
            "--format",
            "json",
            "s3://acme-trail/AWSLogs/",
            &fixture("records.json"),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("s3://acme-trail/AWSLogs/: authsift works offline and does not read S3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("aws s3 sync s3://acme-trail/AWSLogs/ ./trail"),
        "{stderr}"
    );
    assert!(!stderr.contains("no such file"), "{stderr}");
    let report = json(&out);
    assert_eq!(
        report["inputs"][1]["records"], 7,
        "the other input is analyzed"
    );
}
