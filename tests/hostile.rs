//! Hostile and careless input, driven through the real binary: each case
//! asserts the exit status, that nothing the user had is lost, and that
//! nothing secret reaches stdout or stderr.

mod common;

use common::run;

/// A line shaped like a Python logging header with adjacent ` - `
/// separators used to panic the format sniffer (exit 101), taking every
/// other input of the run down with it.
#[test]
fn a_header_like_line_with_adjacent_separators_does_not_panic() {
    let out = run(
        &["--format", "json"],
        b"2024-05-01 10:00:00,000 - x - - y\n",
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = common::json(&out);
    assert_eq!(report["inputs"][0]["findings"], serde_json::json!([]));
}

/// Rules of every finding of the first input, in report order.
fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["inputs"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect()
}

/// A job log with three different failures in three steps used to report
/// only the last one. The lines are the AWS CLI's own wording (see
/// `shared/reference/formats.md`), put together for this test.
#[test]
fn every_failure_of_a_multi_failure_log_is_reported() {
    let log = "step 1\n\
        An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n\
        step 2\n\
        Unable to locate credentials. You can configure credentials by running \"aws configure\".\n\
        step 3\n\
        An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired\n";
    let out = run(&["--format", "json"], log.as_bytes());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        rules_of(&common::json(&out)),
        [
            "authz.access-denied",
            "credentials.missing",
            "token.expired"
        ]
    );
}

/// The same failure printed twice (a retry, a summary line) stays one
/// finding.
#[test]
fn a_repeated_failure_is_one_finding() {
    let line =
        "An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n";
    let out = run(
        &["--format", "json"],
        format!("{line}retrying\n{line}").as_bytes(),
    );
    assert_eq!(rules_of(&common::json(&out)), ["authz.access-denied"]);
}

/// A CloudTrail record whose field has the wrong type used to print serde's
/// message on stderr, value included: here a secret access key (the AWS
/// documentation's example key) where `userIdentity` belongs.
#[test]
fn a_mistyped_cloudtrail_field_does_not_print_its_value() {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6d8example";
    let event = |field: &str, value: &str| {
        format!(
            r#"{{"Records":[{{"eventVersion":"1.08","{field}":"{value}","eventTime":"2024-05-01T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"us-east-1","errorCode":"AccessDenied"}}]}}"#
        )
    };
    for (field, value) in [
        ("userIdentity", secret),
        ("userIdentity", token),
        ("requestParameters", secret),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trail.json");
        std::fs::write(&path, event(field, value)).unwrap();
        let out = common::bin().arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            !stderr.contains(value),
            "{field}: value on stderr: {stderr}"
        );
        assert!(
            !stdout.contains(value),
            "{field}: value on stdout: {stdout}"
        );
        if field == "userIdentity" {
            assert!(stderr.contains("invalid type: a string"), "{stderr}");
            assert_eq!(out.status.code(), Some(2), "{stderr}");
        }
    }
}

/// `-o` onto an input, by any spelling, used to replace the user's log with
/// the report. It is refused before any work (exit 2), and the input is
/// byte-identical afterwards.
#[test]
fn the_report_never_overwrites_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("job.log");
    let text =
        "An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n";
    std::fs::write(&log, text).unwrap();
    std::os::unix::fs::symlink(&log, dir.path().join("link.log")).unwrap();
    std::fs::hard_link(&log, dir.path().join("hard.log")).unwrap();
    let refused = |output: &str, input: &str| {
        let out = common::bin()
            .current_dir(dir.path())
            .args(["-o", output, input])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "-o {output} {input}: {stderr}");
        assert!(stderr.contains("refusing to write the report"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&log).unwrap(), text, "-o {output}");
    };
    refused("job.log", "job.log");
    refused("./job.log", "job.log");
    refused(log.to_str().unwrap(), "job.log");
    refused("link.log", "job.log");
    refused("hard.log", "job.log");
    refused("job.log", "link.log");
    // Inside an input directory: it would be analysed on the next run.
    refused("report.md", ".");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    refused("sub/../report.md", ".");
    refused("sub/report.md", ".");
    assert!(!dir.path().join("report.md").exists());
    // Beside the input, it is written.
    let elsewhere = tempfile::tempdir().unwrap();
    let report = elsewhere.path().join("report.md");
    let out = common::bin()
        .current_dir(dir.path())
        .args(["--format", "markdown", "-o"])
        .arg(&report)
        .arg(".")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("AccessDenied")
    );
}

/// The report is written whole or not at all: a failed write leaves the
/// old report in place, and no temporary file behind.
#[test]
fn a_failed_write_keeps_the_old_report() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    std::fs::write(&report, "old report\n").unwrap();
    let out = run(&["-o", "/dev/full"], b"Unable to locate credentials\n");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/full"));
    let out = common::run(
        &["-o", report.to_str().unwrap()],
        b"Unable to locate credentials. You can configure credentials by running \"aws configure\".\n",
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let written = std::fs::read_to_string(&report).unwrap();
    assert!(written.contains("credentials.missing"), "{written}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "a temporary file was left behind: {left:?}");
}

/// `authsift config -o FILE` onto the config or credentials file it checks
/// is refused the same way, and the file is left as it was.
#[test]
fn the_config_report_never_overwrites_the_files_it_checks() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let text = "[default]\nregion = eu-west-1\n";
    std::fs::write(&config, text).unwrap();
    let out = common::bin()
        .args(["config", "--config-file"])
        .arg(&config)
        .arg("-o")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
}

/// The CRLF copy of a debug log (a log saved on Windows, or pasted through
/// a tool that converts line ends) used to keep a `\r` on every line of
/// the logged canonical request: every wrong-secret log became
/// `signature.canonical-mismatch`. Every recorded fixture now gets its own
/// verdict in CRLF too.
#[test]
fn crlf_copies_of_the_fixtures_get_the_same_verdict() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let dir = tempfile::tempdir().unwrap();
    let mut expected = std::collections::BTreeMap::new();
    for sub in ["aws-debug", "sdk"] {
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let log = entry.unwrap().path();
            if log.extension().is_none_or(|e| e != "log") {
                continue;
            }
            let meta = log.with_extension("expected.json");
            let Ok(meta) = std::fs::read_to_string(&meta) else {
                continue;
            };
            let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
            let text = std::fs::read_to_string(&log).unwrap();
            let copy = dir.path().join(log.file_name().unwrap());
            std::fs::write(&copy, text.replace("\r\n", "\n").replace('\n', "\r\n")).unwrap();
            expected.insert(
                copy.display().to_string(),
                meta["verdict"].as_str().unwrap().to_string(),
            );
        }
    }
    assert!(expected.keys().any(|k| k.contains("wrong-secret")));
    let out = common::bin()
        .args(["--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report = common::json(&out);
    let mut got = std::collections::BTreeMap::new();
    for input in report["inputs"].as_array().unwrap() {
        got.insert(
            input["path"].as_str().unwrap().to_string(),
            common::verdict(input),
        );
    }
    assert_eq!(got, expected);
}
