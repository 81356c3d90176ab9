//! The human and Markdown reports of event inputs, summary first: a big
//! archive with a few failures fits a screen and names them, clean files
//! are one line, failures are grouped (with `--limit`), events met in
//! several files are counted once, throttling is counted apart from auth
//! failures, and a single failed console sign-in is a finding.

mod common;

use std::path::{Path, PathBuf};

use common::{json, run, stdout};
use serde_json::Value;

fn fixture(rel: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cloudtrail")
        .join(rel);
    path.to_str().unwrap().to_string()
}

/// The eventIDs of the failures the rules explain, from the JSON report.
fn explained_event_ids(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["findings"].as_array().unwrap().iter())
        .filter_map(|f| f["facts"]["event.id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn a_big_archive_with_a_few_failures_fits_a_screen_and_names_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("trail");
    common::gen_cloudtrail(
        &dir,
        &["--events", "4000", "--files", "400", "--failures", "6"],
    );
    let archive = dir.to_str().unwrap();
    let ids = explained_event_ids(&json(&run(&["--format", "json", "-q", archive], b"")));
    assert_eq!(ids.len(), 6, "{ids:?}");
    let out = run(&["--color", "never", "-q", archive], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines = text.lines().count();
    assert!(lines <= 80, "{lines} lines:\n{text}");
    for id in &ids {
        assert!(text.contains(id.as_str()), "{id} is named:\n{text}");
    }
    assert!(text.starts_with("4,000 events in 400 files, "), "{text}");
    assert!(
        text.contains("394 files without failures · 6 with auth failures"),
        "{text}"
    );
    assert!(
        !text.contains("no authorization failure recorded ("),
        "{text}"
    );
    assert_eq!(
        text.matches("CloudTrail does not record").count(),
        1,
        "the note is printed once"
    );
}

#[test]
fn failures_are_grouped_most_important_first_up_to_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("trail");
    common::gen_cloudtrail(&dir, &["--events", "12000", "--seed", "3"]);
    let archive = dir.to_str().unwrap();
    let groups = |text: &str| text.lines().filter(|l| l.starts_with("✖ ")).count();
    let default = stdout(&["--color", "never", "-q", archive], b"");
    assert_eq!(groups(&default), 12, "{default}");
    assert!(default.contains("not shown: --limit 0 shows them all"));
    let two = stdout(&["--color", "never", "-q", "--limit", "2", archive], b"");
    assert_eq!(groups(&two), 2, "{two}");
    let all = stdout(&["--color", "never", "-q", "--limit", "0", archive], b"");
    assert!(!all.contains("not shown"), "{all}");
    // Every auth failure is in exactly one group.
    let counted: u64 = all
        .lines()
        .filter(|l| l.starts_with("✖ "))
        .map(|l| {
            let n = l
                .split('×')
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap();
            n.replace(',', "").parse::<u64>().unwrap()
        })
        .sum();
    let summary = json(&run(&["--format", "json", "-q", archive], b""))["summary"].clone();
    let auth = summary["failures"].as_u64().unwrap()
        - summary["service_failures"].as_u64().unwrap()
        - summary["other_errors"].as_u64().unwrap();
    assert_eq!(counted, auth);
    // Most important first: the high-severity AssumeRole denials lead.
    let first = all.lines().find(|l| l.starts_with("✖ ")).unwrap();
    assert!(
        first.contains("role.assume-denied") && first.contains("[high]"),
        "{first}"
    );
    // The same bytes whatever the thread count.
    let one_thread = common::bin()
        .args(["--color", "never", "-q", archive])
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(one_thread.stdout).unwrap(), default);
}

#[test]
fn events_in_several_files_are_counted_once() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("copy.json");
    std::fs::copy(fixture("records.json"), &copy).unwrap();
    let inputs = [
        fixture("records.json"),
        copy.to_str().unwrap().to_string(),
        fixture("events.jsonl"),
    ];
    let args = |format: &'static str| {
        let mut a = vec!["--format", format, "-q"];
        a.extend(inputs.iter().map(String::as_str));
        a
    };
    let s = json(&run(&args("json"), b""))["summary"].clone();
    assert_eq!(
        (s["events"].as_u64(), s["duplicates"].as_u64()),
        (Some(7), Some(14))
    );
    assert_eq!(s["failures"], 6);
    let human = stdout(&args("human"), b"");
    assert!(
        human.contains(
            "14 events met again (same eventID in several files, or twice in one), counted once"
        ),
        "{human}"
    );
    // Each group counts its event once and quotes the same sample
    // whichever copy was read first.
    assert!(human.contains("✖ role.assume-denied ×1 "), "{human}");
    for threads in ["1", "3"] {
        let out = common::bin()
            .args(args("human"))
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), human);
    }
}

#[test]
fn throttling_is_counted_apart_from_auth_failures() {
    let s = json(&run(
        &["--format", "json", "-q", &fixture("records.json")],
        b"",
    ))["summary"]
        .clone();
    assert_eq!(s["other_errors"], 1);
    assert_eq!(s["by_other_error"][0]["value"], "ThrottlingException");
    let causes: Vec<&str> = s["by_cause"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert!(!causes.contains(&"(no rule)"), "{causes:?}");
    let codes = s["by_error_code"].to_string();
    assert!(!codes.contains("Throttling"), "{codes}");
    let human = stdout(&["--color", "never", &fixture("records.json")], b"");
    assert!(
        human.contains("other errors 1 apart, not auth failures: ThrottlingException 1"),
        "{human}"
    );
    assert!(
        human.contains("4 auth failures, each explained by a rule"),
        "{human}"
    );
}

#[test]
fn a_single_failed_console_sign_in_is_a_finding() {
    let text = std::fs::read_to_string(fixture("records.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["Records"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["eventName"] == "ConsoleLogin");
    let input = serde_json::to_vec(&doc).unwrap();
    let out = run(&["--format", "json", "-q", "-"], &input);
    assert_eq!(out.status.code(), Some(1), "a finding: exit 1");
    let report = json(&out);
    assert_eq!(
        report["inputs"][0]["findings"][0]["rule"],
        "console.sign-in-failed"
    );
    let human = stdout(&["--color", "never", "-q", "-"], &input);
    assert!(
        human.contains("✖ console.sign-in-failed ×1  A console sign-in failed"),
        "{human}"
    );
}

#[test]
fn markdown_has_the_same_shape() {
    let out = stdout(
        &[
            "--format",
            "markdown",
            "-q",
            &fixture("records.json"),
            &fixture("archive"),
        ],
        b"",
    );
    assert!(out.contains("**Verdict:** 4 auth failures in the event inputs; the most important: `role.assume-denied`"), "{out}");
    assert!(
        out.contains("| 5 files (event inputs, summarised below) |"),
        "{out}"
    );
    assert!(out.contains("## Event inputs (CloudTrail, S3 access logs)"));
    assert!(out.contains("### Grouped findings, most important first"));
    assert!(out.contains("#### 1. `role.assume-denied` ×1 — Assuming the role was denied"));
    assert_eq!(
        out.matches("CloudTrail does not record").count(),
        1,
        "{out}"
    );
    assert!(
        !out.contains("archive/AWSLogs/111122223333/CloudTrail-Digest"),
        "skipped files are counted, not listed"
    );
}

#[test]
fn log_inputs_keep_their_verdicts_beside_the_events() {
    let log = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/aws-debug/s3-ls-proxy-rewrites-host.log");
    let out = stdout(
        &[
            "--color",
            "never",
            "-q",
            log.to_str().unwrap(),
            &fixture("records.json"),
        ],
        b"",
    );
    assert!(
        out.starts_with("✖ SignatureDoesNotMatch on s3:ListObjectsV2"),
        "{out}"
    );
    assert!(out.contains("\n7 events in 1 file, "), "{out}");
}
