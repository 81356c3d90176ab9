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
    let rules = rules_of(&common::json(&out));
    let mut all = rules.clone();
    all.sort();
    assert_eq!(
        all,
        [
            "authz.access-denied",
            "credentials.missing",
            "token.expired"
        ]
    );
    // The most specific cause is shown first (no credentials at all
    // explains more than a denial seen elsewhere).
    assert_eq!(rules[0], "credentials.missing");
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

// ------------------------------------------------------------------------
// Bounded by design: each hostile input is refused or read within bounds,
// with a message naming it (exit 2), and the other inputs of the run are
// still analysed.

/// A recorded log whose verdict every case below checks is still given.
const GOOD_LOG: &str = "fixtures/aws-debug/s3-ls-access-denied.log";
const GOOD_VERDICT: &str = "authz.access-denied";

fn good_log() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD_LOG)
}

/// Runs authsift on `inputs` (JSON report, no stdin) within `limit`.
fn analyse(
    inputs: &[&std::path::Path],
    limit: std::time::Duration,
) -> (std::process::Output, serde_json::Value) {
    analyse_with(&[], inputs, limit)
}

/// [`analyse`] with more `flags`. Every run stays under
/// [`MEMORY_BOUND_KB`] of peak RSS (on Linux, where it is read).
fn analyse_with(
    flags: &[&str],
    inputs: &[&std::path::Path],
    limit: std::time::Duration,
) -> (std::process::Output, serde_json::Value) {
    analyse_within(flags, inputs, limit, MEMORY_BOUND_KB)
}

/// What any run of this suite may cost in memory at its peak: the issue's
/// bound for a bomb (100 MB), whatever the input. A debug build over one
/// small log peaks at about 15 MB.
const MEMORY_BOUND_KB: u64 = 100 << 10;

/// [`analyse_with`] within `bound_kb` of peak RSS.
fn analyse_within(
    flags: &[&str],
    inputs: &[&std::path::Path],
    limit: std::time::Duration,
    bound_kb: u64,
) -> (std::process::Output, serde_json::Value) {
    let started = std::time::Instant::now();
    let child = common::bin()
        .args(["--format", "json"])
        .args(flags)
        .args(inputs)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    #[cfg(target_os = "linux")]
    let (out, peak) = common::watch(child);
    #[cfg(not(target_os = "linux"))]
    let (out, peak) = (child.wait_with_output().unwrap(), 0);
    assert!(
        started.elapsed() < limit,
        "took {:?}: {out:?}",
        started.elapsed()
    );
    assert!(
        peak < bound_kb,
        "peak RSS {peak} kB over {bound_kb} kB: {inputs:?}"
    );
    let report = common::json(&out);
    (out, report)
}

/// The input named `name` (by file name) in a JSON report.
fn input_named<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no input {name} in {report}"))
}

/// `input` failed with a message containing `says`; the good log was
/// analysed and got its verdict; the run exited 2.
fn refused_alone(out: &std::process::Output, report: &serde_json::Value, input: &str, says: &str) {
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let bad = input_named(report, input);
    assert_ne!(bad["errors"], serde_json::json!([]), "{input}: {report}");
    let errors = bad["errors"].to_string();
    assert!(errors.contains(says), "{input}: {errors}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(input), "stderr names the input: {stderr}");
    let good = input_named(report, "s3-ls-access-denied.log");
    assert_eq!(common::verdict(good), GOOD_VERDICT, "{report}");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// 2 GiB of zeros in 2 MB of gzip used to be inflated whole (9.7 s, 3 GB
/// RSS) before it was found binary: it is refused on its first block.
#[test]
fn a_gzip_bomb_is_refused_on_its_first_block() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.log.gz");
    // 2048 members of 1 MiB of zeros each: 2 GiB once inflated.
    let member = gzip(&vec![0u8; 1 << 20]);
    std::fs::write(&bomb, member.repeat(2048)).unwrap();
    let (out, report) = analyse(&[&bomb, &good_log()], std::time::Duration::from_secs(20));
    refused_alone(&out, &report, "bomb.log.gz", "binary data");
}

/// A truncated gzip is an error for that file alone; a multi-member gzip
/// (concatenated .gz files) is read whole; junk after the last member is
/// ignored, as gzip(1) does.
#[test]
fn truncated_multi_member_and_padded_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::read(good_log()).unwrap();
    let whole = gzip(&log);
    let truncated = dir.path().join("truncated.log.gz");
    std::fs::write(&truncated, &whole[..whole.len() / 2]).unwrap();
    let (out, report) = analyse(
        &[&truncated, &good_log()],
        std::time::Duration::from_secs(60),
    );
    refused_alone(
        &out,
        &report,
        "truncated.log.gz",
        "corrupt or truncated gzip",
    );

    let (head, tail) = log.split_at(log.len() / 2);
    let mut multi = gzip(head);
    multi.extend(gzip(tail));
    multi.extend_from_slice(&[0; 512]);
    let multi_path = dir.path().join("multi.log.gz");
    std::fs::write(&multi_path, multi).unwrap();
    let (out, report) = analyse(&[&multi_path], std::time::Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(common::verdict(&report["inputs"][0]), GOOD_VERDICT);
}

/// JSON nested 100k deep (CloudTrail-shaped and not) is an error for that
/// file, never a stack overflow; the other input is analysed.
#[test]
fn deep_json_nesting_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 100_000;
    let trail = dir.path().join("deep.json");
    std::fs::write(
        &trail,
        format!(
            "{{\"Records\":[{{\"eventSource\":\"s3.amazonaws.com\",\"x\":{}{}}}]}}",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    )
    .unwrap();
    let (out, report) = analyse(&[&trail, &good_log()], std::time::Duration::from_secs(60));
    refused_alone(&out, &report, "deep.json", "");
    // The same nesting inside a debug log's error body is just text.
    let log = dir.path().join("deep.log");
    let mut text = std::fs::read_to_string(good_log()).unwrap();
    text.push_str(&format!("{}\n", "{\"a\":".repeat(depth)));
    std::fs::write(&log, text).unwrap();
    let (out, report) = analyse(&[&log], std::time::Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(common::verdict(&report["inputs"][0]), GOOD_VERDICT);
}

/// `{"Records":[null × 40M]}`, 291 KB of gzip, used to abort after a
/// 4.5 GB allocation; it is refused after one pass.
#[test]
fn a_small_gzip_of_null_records_is_refused_without_a_big_allocation() {
    let dir = tempfile::tempdir().unwrap();
    let nulls = dir.path().join("nulls.json.gz");
    let mut json = b"{\"Records\":[".to_vec();
    json.extend(b"null,".repeat(4_000_000));
    json.extend(b"null]}");
    std::fs::write(&nulls, gzip(&json)).unwrap();
    // The 20 MB document is read whole (event inputs are): it costs about
    // six times its size, not the 4.5 GB it used to.
    let (out, report) = analyse_within(
        &[],
        &[&nulls, &good_log()],
        std::time::Duration::from_secs(60),
        200 << 10,
    );
    refused_alone(&out, &report, "nulls.json.gz", "not CloudTrail");
}

/// A 4 MiB line (no newline at all) is read whole when `--max-line-bytes`
/// allows it; a normal log beside it too. (Linear, but the JSON report
/// redacts the whole evidence line, which a debug build does at about
/// 0.5 MB/s: kept small for the test suite.)
#[test]
fn a_huge_line_is_read_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.log");
    let mut line = "x".repeat(4 << 20);
    line.push_str(
        " An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied",
    );
    std::fs::write(&huge, line).unwrap();
    let (out, report) = analyse_with(
        &["--max-line-bytes", "8388608"],
        &[&huge, &good_log()],
        std::time::Duration::from_secs(120),
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        common::verdict(input_named(&report, "huge.log")),
        GOOD_VERDICT
    );
    assert_eq!(
        common::verdict(input_named(&report, "s3-ls-access-denied.log")),
        GOOD_VERDICT
    );
    // By default (1 MiB) the line is cut before its failure, and said so.
    let (out, report) = analyse(&[&huge], std::time::Duration::from_secs(120));
    assert_eq!(
        input_named(&report, "huge.log")["findings"],
        serde_json::json!([])
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("huge.log:1: line longer than 1048576 bytes"),
        "{stderr}"
    );
}

/// NUL bytes (one near the start, more later) and invalid UTF-8 inside a
/// valid log: the log is analysed, not refused as binary.
#[test]
fn nul_bytes_and_invalid_utf8_inside_a_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = std::fs::read(good_log()).unwrap();
    log.insert(100, 0);
    let at = log.len() / 2;
    let at = at + log[at..].iter().position(|b| *b == b'\n').unwrap() + 1;
    log.splice(at..at, b"\0\0\xff\xfe\xc3 broken \x80\n".iter().copied());
    let path = dir.path().join("dirty.log");
    std::fs::write(&path, log).unwrap();
    let (out, report) = analyse(&[&path], std::time::Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(common::verdict(&report["inputs"][0]), GOOD_VERDICT);
}

/// PowerShell 5.1's `2>` writes UTF-16LE with a byte-order mark: decoded,
/// not refused as binary.
#[test]
fn a_utf16_log_with_a_byte_order_mark_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(good_log())
        .unwrap()
        .replace('\n', "\r\n");
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let path = dir.path().join("powershell.log");
    std::fs::write(&path, bytes).unwrap();
    let (out, report) = analyse(&[&path], std::time::Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(common::verdict(&report["inputs"][0]), GOOD_VERDICT);
}

/// A FIFO named on the command line is read to its end; one found by
/// walking a directory is not opened (it would block the run).
#[cfg(unix)]
#[test]
fn a_fifo_is_read_when_named_and_skipped_when_walked() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.log");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            std::fs::write(&fifo, std::fs::read(good_log()).unwrap()).unwrap();
        })
    };
    let (out, report) = analyse(&[&fifo], std::time::Duration::from_secs(60));
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(common::verdict(&report["inputs"][0]), GOOD_VERDICT);
    // Walked: skipped, and the run ends.
    std::fs::copy(good_log(), dir.path().join("good.log")).unwrap();
    let (out, report) = analyse(&[dir.path()], std::time::Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(report["inputs"].as_array().unwrap().len(), 1, "{report}");
}

/// `/dev/zero` used to be read up to 2 GiB before the NUL check.
#[cfg(unix)]
#[test]
fn dev_zero_is_refused_at_once() {
    let (out, report) = analyse(
        &[std::path::Path::new("/dev/zero"), &good_log()],
        std::time::Duration::from_secs(20),
    );
    refused_alone(&out, &report, "/dev/zero", "binary data");
    // As stdin too.
    let started = std::time::Instant::now();
    let out = common::bin()
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// A directory symlink loop made one log be analysed 42 times under
/// different spellings, then ELOOP; two `-> .` links never finished. Each
/// file is analysed once, and each loop reported once.
#[cfg(unix)]
#[test]
fn a_directory_symlink_loop_is_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    std::fs::copy(good_log(), root.join("a/b/job.log")).unwrap();
    std::os::unix::fs::symlink("..", root.join("a/b/up")).unwrap();
    std::os::unix::fs::symlink(".", root.join("self1")).unwrap();
    std::os::unix::fs::symlink(".", root.join("self2")).unwrap();
    let (out, report) = analyse(&[&root], std::time::Duration::from_secs(60));
    // The loops are warnings: the failure found in the log decides.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let inputs = report["inputs"].as_array().unwrap();
    let analysed: Vec<&serde_json::Value> = inputs
        .iter()
        .filter(|i| i["errors"] == serde_json::json!([]))
        .collect();
    assert_eq!(analysed.len(), 1, "{report}");
    assert_eq!(common::verdict(analysed[0]), GOOD_VERDICT);
    let loops = inputs
        .iter()
        .filter(|i| i["errors"].to_string().contains("symbolic link loop"))
        .count();
    assert_eq!(loops, 3, "{report}");
}

/// 20k tiny files in one directory: each analysed, in name order.
#[test]
fn twenty_thousand_tiny_files() {
    let dir = tempfile::tempdir().unwrap();
    let line =
        "An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n";
    for i in 0..20_000 {
        std::fs::write(dir.path().join(format!("{i:05}.log")), line).unwrap();
    }
    // The report holds every input and its finding (about 11 kB each in
    // a debug build); the files are read a few at a time.
    let (out, report) = analyse_within(
        &[],
        &[dir.path()],
        std::time::Duration::from_secs(300),
        400 << 10,
    );
    assert_eq!(out.status.code(), Some(1), "{:?}", out.status);
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 20_000);
    assert!(inputs.iter().all(|i| common::verdict(i) == GOOD_VERDICT));
    assert!(
        inputs[19_999]["path"]
            .as_str()
            .unwrap()
            .ends_with("19999.log")
    );
}

/// Files that vanish after the directory was walked (a cleanup job, a
/// rotation) are each an error for that file alone ("no such file"); the
/// files still there and the other input are analysed, and (walked files
/// not read being warnings) the failure found decides the status. The
/// deletions start once authsift has opened a file of the directory and
/// go from the last name back (files deleted before the walk reached
/// them are simply not there).
#[cfg(target_os = "linux")]
#[test]
fn files_vanishing_mid_run_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let count = 2000;
    let names: Vec<std::path::PathBuf> = (0..count)
        .map(|i| logs.join(format!("{i:04}.log")))
        .collect();
    for name in &names {
        std::fs::copy(good_log(), name).unwrap();
    }
    let child = common::bin()
        .args(["--format", "json"])
        .arg(&logs)
        .arg(good_log())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let fds = format!("/proc/{}/fd", child.id());
    let started = std::time::Instant::now();
    let opened_one = || {
        std::fs::read_dir(&fds)
            .into_iter()
            .flatten()
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target.starts_with(&logs)))
    };
    while !opened_one() && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    for name in names.iter().rev() {
        std::fs::remove_file(name).unwrap();
    }
    let (out, _) = common::watch(child);
    assert_eq!(out.status.code(), Some(1), "{:?}", out.status);
    let report = common::json(&out);
    let inputs = report["inputs"].as_array().unwrap();
    let mut paths: Vec<&str> = inputs.iter().map(|i| i["path"].as_str().unwrap()).collect();
    paths.dedup();
    assert_eq!(paths.len(), inputs.len(), "each walked file is listed once");
    let vanished = inputs
        .iter()
        .filter(|i| i["errors"].to_string().contains("no such file"))
        .count();
    let analysed = inputs
        .iter()
        .filter(|i| common::verdict(i) == GOOD_VERDICT)
        .count();
    assert!(vanished > 0, "the deletions came too late");
    assert_eq!(vanished + analysed, inputs.len(), "{vanished} vanished");
    let named = inputs.last().unwrap();
    assert!(named["path"].as_str().unwrap().ends_with(GOOD_LOG));
    assert_eq!(common::verdict(named), GOOD_VERDICT);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// File names are text from the user's disk too: escape sequences are
/// shown escaped (see `reports.rs`), and a newline or Markdown in a name
/// neither breaks a line of the human report nor a table, heading or link
/// of the Markdown one.
#[cfg(unix)]
#[test]
fn file_names_with_newlines_and_markdown_stay_on_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let name = "job\n\n# Pwned | x | `code` [c](javascript:alert(1)) <img src=x onerror=alert(1)>\x1b[2J.log";
    let path = dir.path().join(name);
    std::fs::copy(good_log(), &path).unwrap();
    let path = path.to_str().unwrap();
    let human = common::stdout(&["--color", "always", path], b"");
    assert!(!human.contains("\x1b[2J"), "raw CSI from the name: {human}");
    assert!(human.contains("job\\n\\n# Pwned"), "{human}");
    assert!(
        !human.lines().any(|l| l.starts_with("# Pwned")),
        "a newline in the name broke the line: {human}"
    );
    let md = common::stdout(&["--format", "markdown", path], b"");
    assert!(!md.contains("\x1b"), "{md}");
    assert!(!md.lines().any(|l| l.starts_with("# Pwned")), "{md}");
    assert!(!md.contains("[c](javascript:"), "a live link: {md}");
    assert!(!md.contains(") <img"), "raw HTML: {md}");
    // Every table row has its header's columns: the name's pipes are
    // escaped.
    let cells = |row: &str| {
        let bytes = row.as_bytes();
        (0..bytes.len())
            .filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
            .count()
    };
    let table: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| input"))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(table.len(), 3, "{md}");
    assert!(
        table.iter().all(|r| cells(r) == cells(table[0])),
        "{table:?}"
    );
}

/// A closed stdout (`| head` that has exited) ends the run quietly: no
/// panic, no error message.
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = common::bin()
        .arg(good_log())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
}

/// A log truncated while authsift reads it (logrotate's `copytruncate`)
/// used to kill the run with SIGBUS (exit 135): the file was mapped, and
/// pages past the new end fault. Files are now read, not mapped: the run
/// ends normally whatever the moment of the truncation.
#[cfg(unix)]
#[test]
fn a_log_truncated_while_read_does_not_kill_the_run() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotated.log");
    let log = std::fs::read(good_log()).unwrap();
    // About 32 MB of real log: long enough to be truncated mid-analysis.
    let copies = (32 << 20) / log.len() + 1;
    for delay_ms in [0, 20, 200, 1000] {
        std::fs::write(&path, log.repeat(copies)).unwrap();
        let child = common::bin()
            .args(["--format", "json"])
            .arg(&path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.signal(), None, "after {delay_ms} ms: {out:?}");
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "after {delay_ms} ms: {:?}",
            out.status
        );
    }
}

/// Text that speaks of an AWS failure no rule can name is never a clean
/// bill: exit 1, and the human and markdown reports say so.
#[test]
fn an_unexplained_failure_is_not_an_all_clear() {
    let text = b"Deploying stack...\nError: failed to upload artifacts to S3 bucket my-artifacts\n";
    let out = run(&[], text);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("an AWS failure no rule explains"), "{shown}");
    assert!(!shown.contains("no AWS failure found"), "{shown}");
    let md = run(&["--format", "markdown"], text);
    assert!(!String::from_utf8_lossy(&md.stdout).contains("no AWS failure found"));
    // Ordinary text stays clean.
    assert_eq!(
        run(&[], b"all good\nuploaded 3 files\n").status.code(),
        Some(0)
    );
}

/// A CloudTrail input with a new principal, key, address and user agent
/// per event: the summary keeps at most `MAX_DISTINCT_VALUES` of each (its
/// memory no longer grows with the events), counts every event, and says
/// what it did not list, in the table and in JSON.
#[test]
fn distinct_values_of_every_event_are_bounded_and_marked() {
    const EVENTS: usize = 10_200;
    let limit = authsift::trail::summary::MAX_DISTINCT_VALUES;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("distinct.jsonl");
    let mut text = String::new();
    for i in 0..EVENTS {
        text.push_str(&format!(
            concat!(
                r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u{i:06}","#,
                r#""accessKeyId":"AKIA{i:016}"}},"eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","#,
                r#""eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.0.{a}.{b}","#,
                r#""userAgent":"aws-cli/2.{i}.0","errorCode":"AccessDenied","eventID":"e{i}"}}"#,
                "\n"
            ),
            i = i,
            a = i / 256,
            b = i % 256
        ));
    }
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap();
    let out = common::run(&["--format", "table", path], b"");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(&format!("{EVENTS} events, {EVENTS} failed")),
        "{table}"
    );
    assert!(
        table.contains(&format!("and values over the limit of {limit}")),
        "{table}"
    );
    let out = common::run(&["--format", "json", path], b"");
    let report = common::json(&out);
    let summary = &report["summary"];
    let rows = summary["by_source_ip"].as_array().unwrap();
    assert_eq!(rows.len(), limit + 1, "the kept values and one marker row");
    let marker = rows.last().unwrap();
    assert_eq!(
        marker["value"],
        format!("(values over the limit of {limit}, not listed)")
    );
    let total: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(total, EVENTS as u64, "every event counted");
    let principals = summary["by_principal"].as_object().unwrap();
    assert_eq!(principals.len(), limit + 1);
}
