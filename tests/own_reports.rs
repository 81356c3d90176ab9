//! A report authsift wrote into a directory it later walks is not read
//! back as a log (its evidence lines would be found again as failures):
//! every output format is recognised, left out of the results, and a
//! one-line note names it. Driven through the real binary, format by
//! format.

mod common;

use std::process::Stdio;

const FORMATS: [&str; 6] = ["human", "table", "json", "jsonl", "ocsf", "markdown"];

/// Inputs whose reports take each of their shapes: a failure, a clean
/// log, an unexplained failure, CloudTrail events.
const INPUTS: [&str; 4] = [
    "fixtures/aws-debug/s3-ls-access-denied.log",
    "fixtures/aws-debug/s3-ls-ok.log",
    "fixtures/cloudtrail/array.json",
    "UNEXPLAINED",
];

fn report_of(input: &std::path::Path, format: &str, color: &str) -> Vec<u8> {
    let out = common::bin()
        .args(["--format", format, "--color", color])
        .arg(input)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    out.stdout
}

#[test]
fn every_report_format_is_skipped_when_walked_with_a_note() {
    let scratch = tempfile::tempdir().unwrap();
    let unexplained = scratch.path().join("unexplained.log");
    std::fs::write(
        &unexplained,
        "Deploying stack...\nError: failed to upload artifacts to S3 bucket my-artifacts\n",
    )
    .unwrap();
    let logs = tempfile::tempdir().unwrap();
    std::fs::copy(
        "fixtures/aws-debug/s3-ls-access-denied.log",
        logs.path().join("job.log"),
    )
    .unwrap();
    let mut written = Vec::new();
    for (n, input) in INPUTS.iter().enumerate() {
        let input = match *input {
            "UNEXPLAINED" => unexplained.clone(),
            path => std::path::PathBuf::from(path),
        };
        for format in FORMATS {
            for color in ["never", "always"] {
                // JSON Lines and OCSF of a clean log are empty: no report
                // to recognise (an empty input is refused as such).
                let report = report_of(&input, format, color);
                if report.is_empty() {
                    continue;
                }
                let name = format!("report-{n}-{color}.{format}");
                std::fs::write(logs.path().join(&name), report).unwrap();
                written.push(name);
            }
        }
    }
    let out = common::bin()
        .args(["--format", "json"])
        .arg(logs.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report = common::json(&out);
    let inputs = report["inputs"].as_array().unwrap();
    // Only the log is analysed.
    assert_eq!(inputs.len(), 1, "{report}");
    assert!(inputs[0]["path"].as_str().unwrap().ends_with("job.log"));
    assert_eq!(common::verdict(&inputs[0]), "authz.access-denied");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in &written {
        let format = name.rsplit('.').next().unwrap();
        let note = stderr
            .lines()
            .find(|l| l.contains(name.as_str()))
            .unwrap_or_else(|| panic!("no note on {name}: {stderr}"));
        assert!(
            note.starts_with("authsift: note: ")
                && note.ends_with(&format!(
                    "a report authsift wrote (--format {format}), not analysed as a log"
                )),
            "{note}"
        );
    }
    assert_eq!(stderr.lines().count(), written.len(), "{stderr}");
}

/// A log is not taken for a report: the recorded logs and the wild
/// corpus all keep their verdicts elsewhere (tests/fixtures.rs); here, a
/// log that starts like a human report line but is not one is analysed.
#[test]
fn a_log_that_begins_with_a_cross_is_analysed() {
    let text = b"\xe2\x9c\x96 3 problems (3 errors, 0 warnings)\nAn error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n";
    let out = common::run(&["--format", "json"], text);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report = common::json(&out);
    assert_eq!(common::verdict(&report["inputs"][0]), "authz.access-denied");
}
