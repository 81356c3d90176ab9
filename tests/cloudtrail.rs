//! CloudTrail inputs: every shape (plain and gzipped) gives the same
//! findings; service-invoked calls stay apart; digest/Insights files are
//! skipped; broken files are per-input errors; batch rules group events;
//! and the public sample sets give the counts their PROVENANCE.md states.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::{json, run};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudtrail")
}

fn fixture(name: &str) -> String {
    dir().join(name).to_str().unwrap().to_string()
}

fn analyze(args: &[&str]) -> (Value, String, i32) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all, b"");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (json(&out), stderr, out.status.code().unwrap())
}

/// What an input yielded, independent of its path and of event order:
/// records, (rule, eventID) of every finding, unclassified count.
fn summary(input: &Value) -> (u64, Vec<(String, String)>, usize) {
    let (records, findings) = common::event_findings(input);
    (
        records,
        findings,
        input["unclassified"].as_array().unwrap().len(),
    )
}

fn gzip_copy(from: &str, to: &Path) {
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(to).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(from).unwrap()).unwrap();
    enc.finish().unwrap();
}

#[test]
fn every_shape_gives_the_same_findings_plain_and_gzipped() {
    let (report, _, code) = analyze(&[&fixture("records.json")]);
    assert_eq!(code, 1);
    let expected = summary(&report["inputs"][0]);
    assert_eq!(expected.0, 7, "seven events, five of them failed");
    let verdicts: Vec<&str> = expected.1.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        verdicts,
        [
            "authz.access-denied",
            "authz.access-denied",
            "authz.access-denied",
            "console.sign-in-failed",
            "role.assume-denied"
        ]
    );
    assert_eq!(expected.2, 0, "the failed console sign-in is a finding");

    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "records.json",
        "array.json",
        "events.jsonl",
        "batches.jsonl",
        "lookup-events.json",
    ] {
        let gz = tmp.path().join(format!("{name}.gz"));
        gzip_copy(&fixture(name), &gz);
        let (report, _, code) = analyze(&[&fixture(name), gz.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}");
        for input in report["inputs"].as_array().unwrap() {
            assert_eq!(input["format"], "cloudtrail", "{name}");
            assert_eq!(summary(input), expected, "{name} ({})", input["path"]);
        }
    }
}

#[test]
fn a_single_event_is_read_and_its_facts_are_named() {
    let (report, _, code) = analyze(&[&fixture("single-event.json")]);
    assert_eq!(code, 1);
    let f = &report["inputs"][0]["findings"][0];
    assert_eq!(f["rule"], "role.assume-denied");
    let facts = &f["facts"];
    assert_eq!(facts["event.source"], "sts.amazonaws.com");
    assert_eq!(facts["event.name"], "AssumeRole");
    assert_eq!(facts["error.code"], "AccessDenied");
    assert_eq!(facts["authz.action"], "sts:AssumeRole");
    assert_eq!(
        facts["request.role_arn"],
        "arn:aws:iam::111122223333:role/deploy-prod"
    );
    assert_eq!(facts["identity.type"], "IAMUser");
    assert_eq!(
        facts["identity.arn"],
        "arn:aws:iam::111122223333:user/ci-deployer"
    );
    assert_eq!(facts["identity.account"], "111122223333");
    assert_eq!(facts["identity.aws_service"], false);
    assert_eq!(facts["credential.key_type"], "long-term");
    assert_eq!(facts["source.ip"], "203.0.113.10");
    assert!(
        facts["client.user_agent"]
            .as_str()
            .unwrap()
            .starts_with("aws-cli/2.")
    );
    assert_eq!(facts["event.region"], "us-east-1");
    assert_eq!(facts["event.time"], 1_714_557_605);
    assert_eq!(facts["tls.version"], "TLSv1.3");
    assert_eq!(facts["request.host_header"], "sts.us-east-1.amazonaws.com");
    // Access key ids are masked in the evidence and the facts alike.
    assert_eq!(facts["credential.access_key_id"], "AKIA…MPLE");
    let evidence = f["evidence"][0]["text"].as_str().unwrap();
    assert!(evidence.starts_with("eventID 5b1c2d3e-0001-"), "{evidence}");
}

#[test]
fn evidence_points_at_the_line_each_event_starts_on() {
    let line_of = |name: &str, event: &str| -> u64 {
        let (report, _, _) = analyze(&[&fixture(name)]);
        let findings = report["inputs"][0]["findings"].as_array().unwrap().clone();
        let f = findings
            .iter()
            .find(|f| f["facts"]["event.id"].as_str().unwrap().contains(event))
            .unwrap();
        f["evidence"][0]["line"].as_u64().unwrap()
    };
    assert_eq!(line_of("events.jsonl", "-0007-"), 7);
    assert_eq!(line_of("batches.jsonl", "-0007-"), 2);
    assert_eq!(line_of("records.json", "-0007-"), 1);
    assert!(line_of("array.json", "-0007-") > line_of("array.json", "-0002-"));
}

#[test]
fn calls_by_aws_services_are_kept_apart() {
    let (report, _, _) = analyze(&[&fixture("records.json")]);
    let input = &report["inputs"][0];
    for f in input["findings"].as_array().unwrap() {
        assert_eq!(f["facts"]["identity.aws_service"], false, "{f}");
    }
    for u in input["unclassified"].as_array().unwrap() {
        assert!(!u["text"].as_str().unwrap().contains("PutObject"), "{u}");
    }
    // …yet rules can still see them.
    let tmp = tempfile::tempdir().unwrap();
    let rules = tmp.path().join("service.rules");
    std::fs::write(
        &rules,
        r#"rule service.denied {
  title    "An AWS service was denied on the account's behalf"
  severity low
  priority 10
  when     identity.aws_service and error.code == "AccessDenied"
  explain  "{identity.invoked_by} was denied."
  fix      "Check the bucket policy grants the service"
}
"#,
    )
    .unwrap();
    let (report, _, _) = analyze(&[
        "--no-default-rules",
        "--rules",
        rules.to_str().unwrap(),
        &fixture("records.json"),
    ]);
    let findings = report["inputs"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0]["facts"]["identity.invoked_by"],
        "delivery.logs.amazonaws.com"
    );
    assert_eq!(findings[0]["facts"]["event.name"], "PutObject");
}

#[test]
fn a_batch_rule_groups_denials_by_access_key() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = tmp.path().join("batch.rules");
    std::fs::write(
        &rules,
        r#"list denied = ["AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation"]
rule key.repeated-denials {
  title    "One access key is denied again and again"
  severity medium
  priority 20
  when     error.code in $denied and not identity.aws_service
  group by credential.access_key_id within 10m count >= 3
  explain  "{credential.access_key_id} was denied repeatedly."
  fix      "Find the workload using this key: aws iam get-access-key-last-used --access-key-id <id>"
}
"#,
    )
    .unwrap();
    let (report, _, code) = analyze(&[
        "--no-redact",
        "--rules",
        rules.to_str().unwrap(),
        &fixture("repeated-denials.jsonl"),
    ]);
    assert_eq!(code, 1);
    let batch: Vec<&Value> = report["inputs"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "key.repeated-denials")
        .collect();
    assert_eq!(
        batch.len(),
        1,
        "only the key denied four times in 10 minutes"
    );
    let b = &batch[0]["batch"];
    assert_eq!(b["count"], 4);
    assert_eq!(b["group"][0][1], "AKIAI44QH8DHBEXAMPLE");
    assert_eq!(
        b["last_seen"].as_i64().unwrap() - b["first_seen"].as_i64().unwrap(),
        465
    );
}

#[test]
fn digest_and_insight_files_are_skipped_in_an_archive() {
    let (report, stderr, code) = analyze(&[&fixture("archive")]);
    assert_eq!(code, 1, "{stderr}");
    let formats: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        [
            "cloudtrail",
            "cloudtrail",
            "cloudtrail-digest",
            "cloudtrail-insight"
        ]
    );
    assert!(stderr.contains("skipped"), "{stderr}");
    // A digest file is recognised by its shape too, whatever its name.
    let (report, _, code) = analyze(&[&fixture("digest.json")]);
    assert_eq!(code, 0);
    assert_eq!(report["inputs"][0]["format"], "cloudtrail-digest");
    assert_eq!(report["inputs"][0]["records"], 0);
}

#[test]
fn broken_and_foreign_json_are_per_input_errors() {
    let (report, stderr, code) = analyze(&[
        &fixture("invalid.json"),
        &fixture("s3-event-notification.json"),
        &fixture("records.json"),
    ]);
    assert_eq!(code, 2, "an unreadable input: exit 2");
    let inputs = report["inputs"].as_array().unwrap();
    assert!(
        inputs[0]["errors"][0]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    assert!(stderr.contains("invalid.json: not valid JSON"), "{stderr}");
    assert!(
        inputs[1]["errors"][0]
            .as_str()
            .unwrap()
            .contains("not CloudTrail"),
        "{}",
        inputs[1]
    );
    assert!(stderr.contains("s3-event-notification.json"), "{stderr}");
    assert_eq!(inputs[2]["records"], 7, "the other input is still analyzed");
    assert_eq!(inputs[2]["findings"].as_array().unwrap().len(), 5);
}

#[test]
fn a_trail_without_failures_does_not_claim_there_were_none() {
    let events = std::fs::read_to_string(dir().join("events.jsonl")).unwrap();
    let success = events.lines().nth(2).unwrap();
    assert!(!success.contains("errorCode"));
    let out = run(&["--format", "json"], success.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    assert_eq!(report["inputs"][0]["format"], "cloudtrail");
    assert_eq!(report["inputs"][0]["records"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CloudTrail does not record requests that fail authentication"),
        "{stderr}"
    );
    let quiet = run(&["-q"], success.as_bytes());
    assert!(quiet.stderr.is_empty());
}

/// `n` events made from the seven of `events.jsonl`, each with its own
/// eventID and time; events at `planted` are the AssumeRole denial, with
/// an eventID naming their index.
fn generated_events(n: usize, planted: &[usize]) -> Vec<String> {
    let templates: Vec<Value> = std::fs::read_to_string(dir().join("events.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (0..n)
        .map(|i| {
            let (mut event, id) = if planted.contains(&i) {
                (templates[0].clone(), format!("planted-{i}"))
            } else {
                // Skip the AssumeRole denial: only planted events are one.
                (templates[1 + i % 6].clone(), format!("gen-{i:05}"))
            };
            event["eventID"] = id.into();
            let (m, s) = (i / 60 % 60, i % 60);
            event["eventTime"] = format!("2024-05-01T{:02}:{m:02}:{s:02}Z", 10 + i / 3600).into();
            serde_json::to_string(&event).unwrap()
        })
        .collect()
}

#[test]
fn big_json_lines_read_in_chunks_match_the_other_shapes() {
    const PLANTED: [usize; 3] = [0, 12_345, 19_999];
    let events = generated_events(20_000, &PLANTED);
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let jsonl = events.join("\n") + "\n";
    assert!(jsonl.len() > 8 << 20, "several chunks: {}", jsonl.len());
    let jsonl = write("events.jsonl", jsonl);
    let records = write(
        "records.json",
        format!("{{\"Records\":[{}]}}", events.join(",")),
    );
    let array = write("array.json", format!("[\n{}\n]\n", events.join(",\n")));

    let read = |path: &str| {
        let (report, stderr, code) = analyze(&[path]);
        assert_eq!(code, 1, "{stderr}");
        report
    };
    let lines = read(&jsonl);
    let input = &lines["inputs"][0];
    assert_eq!(input["format"], "cloudtrail");
    assert_eq!(input["records"], 20_000);
    assert!(input["errors"].as_array().unwrap().is_empty(), "{input}");
    // The summary, but for where its evidence is (path and line).
    let placeless = |report: &Value| {
        let mut summary = report["summary"].clone();
        for finding in summary["findings"].as_array_mut().unwrap() {
            for evidence in finding["evidence"].as_array_mut().unwrap() {
                let evidence = evidence.as_object_mut().unwrap();
                evidence.remove("path");
                evidence.remove("line");
            }
        }
        summary
    };
    for other in [&records, &array] {
        let report = read(other);
        assert_eq!(summary(&report["inputs"][0]), summary(input), "{other}");
        assert_eq!(placeless(&report), placeless(&lines), "{other}");
    }
    // Planted denials: event i is on line i + 1.
    for i in PLANTED {
        let id = format!("planted-{i}");
        let finding = input["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["facts"]["event.id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} found"));
        assert_eq!(finding["rule"], "role.assume-denied");
        assert_eq!(finding["evidence"][0]["line"], i + 1, "{id}");
    }
}

#[test]
fn a_broken_line_in_big_json_lines_is_reported_and_the_rest_analyzed() {
    let mut events = generated_events(20_000, &[15_000]);
    // A truncated export: line 10,001 stops half-way.
    let half = events[10_000].len() / 2;
    events[10_000].truncate(half);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("broken.jsonl");
    std::fs::write(&path, events.join("\n") + "\n").unwrap();
    let (report, stderr, code) = analyze(&[path.to_str().unwrap()]);
    assert_eq!(code, 2, "a skipped line: exit 2");
    let input = &report["inputs"][0];
    assert_eq!(input["format"], "cloudtrail");
    assert_eq!(input["records"], 19_999);
    let errors = input["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = errors[0].as_str().unwrap();
    assert!(
        error.contains("1 broken line(s) were skipped")
            && error.contains("not valid JSON: unexpected end of input at line 10001 column"),
        "{error}"
    );
    assert!(stderr.contains("at line 10001"), "{stderr}");
    let planted = input["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["facts"]["event.id"] == "planted-15000")
        .unwrap();
    assert_eq!(planted["evidence"][0]["line"], 15_001);
}

// ------------------------------------------------------------ real samples

/// The shared sample sets (evaluation-only, never copied into the project):
/// beside the repository in CI (`../shared`), or at /work/shared.
fn samples() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        manifest.join("../shared/samples/cloudtrail"),
        PathBuf::from("/work/shared/samples/cloudtrail"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// Runs over one sample set with the default rules and with a rule that
/// catches every failed event; returns (report, per-error-code counts).
fn sample_run(set: &Path) -> (Value, BTreeMap<String, u64>, i32) {
    let (report, _, code) = analyze(&[set.to_str().unwrap()]);
    let tmp = tempfile::tempdir().unwrap();
    let rules = tmp.path().join("all.rules");
    std::fs::write(
        &rules,
        r#"rule any.failure {
  title    "Any failed event"
  severity low
  priority 1
  when     exists(error.code)
  explain  "{error.code}"
  fix      "none"
}
"#,
    )
    .unwrap();
    let (all, _, _) = analyze(&[
        "--no-default-rules",
        "--rules",
        rules.to_str().unwrap(),
        set.to_str().unwrap(),
    ]);
    let mut codes = BTreeMap::new();
    for input in sample_inputs(&all) {
        for f in input["findings"].as_array().unwrap() {
            let code = f["facts"]["error.code"].as_str().unwrap().to_string();
            *codes.entry(code).or_insert(0) += 1;
        }
    }
    (report, codes, code)
}

/// The sample files, without the PROVENANCE.md beside them.
fn sample_inputs(report: &Value) -> Vec<&Value> {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !i["path"].as_str().unwrap().ends_with(".md"))
        .collect()
}

fn verdicts(report: &Value) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for input in sample_inputs(report) {
        let findings = input["findings"].as_array().unwrap();
        for incident in findings.chunk_by(|a, b| a["incident"] == b["incident"]) {
            *out.entry(incident[0]["rule"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
    }
    out
}

fn records(report: &Value) -> u64 {
    sample_inputs(report)
        .iter()
        .map(|i| i["records"].as_u64().unwrap())
        .sum()
}

fn errors(report: &Value) -> usize {
    sample_inputs(report)
        .iter()
        .filter(|i| !i["errors"].as_array().unwrap().is_empty())
        .count()
}

#[test]
fn public_samples_give_their_provenance_counts() {
    let Some(root) = samples() else {
        eprintln!("shared CloudTrail samples absent: skipped");
        return;
    };

    // invictus-ir: 55 delivery files, 2,900 records, 300 with errorCode.
    let (report, codes, code) = sample_run(&root.join("invictus-ir-aws-dataset"));
    assert_eq!(code, 1);
    assert_eq!(errors(&report), 0);
    let inputs = sample_inputs(&report);
    assert_eq!(inputs.len(), 55);
    assert!(inputs.iter().all(|i| i["format"] == "cloudtrail"));
    assert_eq!(records(&report), 2900);
    assert_eq!(codes.values().sum::<u64>(), 300);
    assert_eq!(codes.len(), 32);
    assert_eq!(codes["ThrottlingException"], 102);
    assert_eq!(codes["Client.UnauthorizedOperation"], 44);
    assert_eq!(codes["AccessDenied"], 16);
    assert!(!codes.contains_key("SignatureDoesNotMatch"));
    let v = verdicts(&report);
    assert_eq!(v["role.assume-denied"], 13);
    assert_eq!(v["authz.access-denied"], 44 + 3);
    assert_eq!(
        v.len(),
        2,
        "throttling and not-found noise is no auth finding: {v:?}"
    );

    // Grimoire: bare arrays with anonymisation artefacts and duplicate files.
    let (report, codes, code) = sample_run(&root.join("stratus-red-team-grimoire"));
    assert_eq!(code, 1);
    assert_eq!(errors(&report), 0);
    assert_eq!(records(&report), 266);
    assert_eq!(codes.values().sum::<u64>(), 51);
    assert_eq!(codes["Client.UnauthorizedOperation"], 46);
    assert_eq!(codes["AccessDenied"], 5);
    let v = verdicts(&report);
    assert_eq!(v["role.assume-denied"], 4);
    assert_eq!(v["authz.access-denied"], 47);

    // TrailDiscover: one invalid file, one empty array; the rest analyzed.
    let (report, codes, code) = sample_run(&root.join("traildiscover-samples"));
    assert_eq!(code, 2, "the invalid file makes it a partial failure");
    let inputs = sample_inputs(&report);
    assert_eq!(inputs.len(), 6);
    assert_eq!(errors(&report), 1);
    let broken = inputs
        .iter()
        .find(|i| !i["errors"].as_array().unwrap().is_empty());
    assert!(
        broken.unwrap()["path"]
            .as_str()
            .unwrap()
            .ends_with("CreateApiKey.json")
    );
    assert_eq!(records(&report), 4);
    assert_eq!(codes.values().sum::<u64>(), 3);
    assert_eq!(verdicts(&report)["authz.access-denied"], 3);
}

#[test]
fn text_reports_never_claim_no_failure_for_cloudtrail() {
    // CloudTrail does not record failed authentication: a trail without a
    // failure must say what it cannot show, in every text format.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudtrail/records.json"),
    )
    .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["Records"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r.get("errorCode").is_none() && r["eventName"] != "ConsoleLogin");
    let input = serde_json::to_vec(&doc).unwrap();
    for format in ["human", "markdown", "table"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_authsift"))
            .args(["--format", format, "--color", "never", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(&input)?;
                child.wait_with_output()
            })
            .unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            !shown.contains("no AWS failure found") || shown.contains("CloudTrail does not record"),
            "{format}: {shown}"
        );
        // (The table wraps its cells.)
        assert!(
            shown.contains("no authorization failure"),
            "{format}: {shown}"
        );
    }
}
