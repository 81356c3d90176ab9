//! Text inputs in bounded memory: lines longer than `--max-line-bytes` are
//! cut and named, files and stdin are analysed window by window, and a
//! gzip stream is refused at its limits as it is inflated. Driven through
//! the real binary; memory is read from /proc while it runs (Linux).

mod common;

use std::io::Write;
use std::process::Stdio;

const GOOD_LOG: &str = "fixtures/aws-debug/s3-ls-access-denied.log";
const GOOD_VERDICT: &str = "authz.access-denied";
const ERROR_LINE: &str =
    "An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied";
const LAST_ERROR: &str = "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired";

fn good_log() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD_LOG)
}

/// A line over the cap keeps its first bytes and a marker (in the
/// evidence), the rest is not read, a note names the file and line; the
/// failure at the line's start is still found, and so is the other input's.
#[test]
fn a_line_over_the_cap_is_cut_marked_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.log");
    let line = format!("{ERROR_LINE} {}\n", "x".repeat(512 << 10));
    std::fs::write(&long, format!("first line\n{line}last line\n")).unwrap();
    let out = common::bin()
        .args(["--format", "json", "--max-line-bytes", "4096"])
        .arg(&long)
        .arg(good_log())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report = common::json(&out);
    let cut = &report["inputs"][0];
    assert_eq!(common::verdict(cut), GOOD_VERDICT, "{report}");
    let evidence = cut["findings"][0]["evidence"][0]["text"].as_str().unwrap();
    assert!(evidence.starts_with(ERROR_LINE), "{evidence}");
    assert!(
        evidence.ends_with(&format!(
            "[authsift: line cut at 4096 bytes, {} more not read]",
            line.len() - 1 - 4096
        )),
        "{}",
        &evidence[evidence.len() - 100..]
    );
    assert_eq!(cut["findings"][0]["evidence"][0]["line"], 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "authsift: note: {}:2: line longer than 4096 bytes",
            long.display()
        )),
        "{stderr}"
    );
    assert_eq!(common::verdict(&report["inputs"][1]), GOOD_VERDICT);
    // Without the flag (1 MiB) the line is read whole: no note.
    let whole = common::run(&["--format", "json", long.to_str().unwrap()], b"");
    assert!(!String::from_utf8_lossy(&whole.stderr).contains("note:"));
}

/// Runs authsift (JSON report) with `args`, feeding it `block` on stdin
/// `repeat` times; the report and the highest peak RSS seen while it ran.
#[cfg(target_os = "linux")]
fn run_watched(args: &[&str], block: Vec<u8>, repeat: usize) -> (serde_json::Value, u64) {
    let mut child = common::bin()
        .args(["--format", "json"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for _ in 0..repeat {
            if stdin.write_all(&block).is_err() {
                break;
            }
        }
    });
    let (out, peak) = common::watch(child);
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    (common::json(&out), peak)
}

/// The peak RSS (kB) of a run over one line on stdin: the program's own.
#[cfg(target_os = "linux")]
fn baseline() -> u64 {
    run_watched(&[], format!("{ERROR_LINE}\n").into_bytes(), 1).1
}

/// 48 MB of pasted text on stdin (a failure in its first and last lines)
/// is analysed as it arrives: memory stays far below the input's size,
/// and both failures are found, at their lines.
#[cfg(target_os = "linux")]
#[test]
fn stdin_text_is_analysed_as_a_stream() {
    let filler = "INFO building step 42 of the release pipeline, nothing to see\n";
    let block = filler.repeat((1 << 20) / filler.len());
    let lines_per_block = block.lines().count();
    let blocks = 48;
    let mut all = format!("{ERROR_LINE}\n").into_bytes();
    all.extend(block.repeat(blocks).into_bytes());
    all.extend(format!("{LAST_ERROR}\n").into_bytes());
    let total_lines = 1 + lines_per_block * blocks + 1;
    let size = all.len();
    let (report, peak) = run_watched(&[], all, 1);
    let input = &report["inputs"][0];
    let lines: Vec<_> = input["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["evidence"][0]["line"].as_u64().unwrap())
        .collect();
    assert!(lines.contains(&1), "{lines:?}");
    assert!(lines.contains(&(total_lines as u64)), "{lines:?}");
    // The input is 48 MB, a window 8 MiB: what the input costs is
    // measured over what a one-line input costs. The bound leaves room
    // for how far the reader gets ahead of a loaded machine's workers
    // (one run of the whole suite peaked 33.5 MB over); reading the
    // input whole would cost its 48 MB on top of that.
    let base = baseline();
    assert!(
        peak > 0 && peak < base + (40 << 10),
        "peak {peak} kB for {size} bytes (one line: {base} kB)"
    );
}

/// Debug logs of 24 and 48 MB in a file (copies of a recorded run that
/// succeeded, then one AWS denied): analysed window by window, the
/// failure found at its line. The 24 MB more cost much less than 24 MB
/// more memory: the text is not kept. (Both are long enough for the
/// window read ahead to be full: that is a fixed cost, not growth.)
#[cfg(target_os = "linux")]
#[test]
fn a_big_debug_log_is_analysed_in_bounded_memory() {
    assert_big_log_in_bounded_memory(|text| text);
}

/// The same logs in UTF-16LE with a byte-order mark (PowerShell 5.1's
/// `>`), 24 and 72 MB: decoded as they are read, in the same bound.
#[cfg(target_os = "linux")]
#[test]
fn a_big_utf16_log_is_analysed_in_bounded_memory() {
    assert_big_log_in_bounded_memory(|text| {
        let text = String::from_utf8(text).unwrap();
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    });
}

/// Logs of 12 and 36 MB of text, written as `encode` makes them: the
/// failure is found at its line, and the larger costs less than 8 MB
/// more at its peak.
#[cfg(target_os = "linux")]
fn assert_big_log_in_bounded_memory(encode: impl Fn(Vec<u8>) -> Vec<u8>) {
    let ok = std::fs::read("fixtures/aws-debug/s3-ls-ok.log").unwrap();
    let denied = std::fs::read(good_log()).unwrap();
    let denied_at = 141;
    assert!(
        String::from_utf8_lossy(&denied)
            .lines()
            .nth(denied_at - 1)
            .unwrap()
            .contains("AccessDenied")
    );
    let dir = tempfile::tempdir().unwrap();
    let peak = |megabytes: usize| {
        peak_on_big_log(
            dir.path(),
            &ok,
            &denied,
            megabytes,
            &encode,
            &|input, copies| {
                let findings = input["findings"].as_array().unwrap();
                assert_eq!(findings.len(), 1, "{findings:?}");
                assert_eq!(findings[0]["rule"], GOOD_VERDICT);
                let line = copies * String::from_utf8_lossy(&ok).lines().count() + denied_at;
                assert_eq!(findings[0]["evidence"][0]["line"], line);
            },
        )
    };
    let (small, big) = (peak(24), peak(48));
    assert!(
        small > 0 && big < small + (8 << 10),
        "24 MB: {small} kB, 48 MB: {big} kB"
    );
}

/// CI job logs of 24 and 48 MB (copies of a recorded GitHub Actions job
/// that succeeded, then one AWS denied): unwrapped window by window, the
/// failure found at its line, quoting the original line and naming its
/// step. The 24 MB more cost much less than 24 MB more memory (reading
/// the log whole held it twice, unwrapped and not: 48 MB more).
#[cfg(target_os = "linux")]
#[test]
fn a_big_ci_log_is_analysed_in_bounded_memory() {
    let ok = std::fs::read("fixtures/ci/github-actions-success-with-aws-calls.log").unwrap();
    let denied_log = "fixtures/ci/github-actions-java-v1-access-denied";
    let denied = std::fs::read(format!("{denied_log}.log")).unwrap();
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{denied_log}.expected.json")).unwrap())
            .unwrap();
    let denied_at = expected["line"].as_u64().unwrap() as usize;
    let denied_line = String::from_utf8_lossy(&denied)
        .split('\n')
        .nth(denied_at - 1)
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let peak = |megabytes: usize| {
        peak_on_big_log(
            dir.path(),
            &ok,
            &denied,
            megabytes,
            &|t| t,
            &|input, copies| {
                assert_eq!(input["format"], "github-actions", "{input}");
                let findings = input["findings"].as_array().unwrap();
                assert_eq!(findings.len(), 1, "{findings:?}");
                assert_eq!(findings[0]["rule"], expected["verdict"]);
                let line = copies * ok.iter().filter(|b| **b == b'\n').count() + denied_at;
                assert_eq!(findings[0]["evidence"][0]["line"], line);
                assert_eq!(findings[0]["evidence"][0]["text"], denied_line.trim_end());
                assert_eq!(findings[0]["facts"]["ci.step"], expected["step"], "{input}");
            },
        )
    };
    let (small, big) = (peak(24), peak(48));
    assert!(
        small > 0 && big < small + (12 << 10),
        "24 MB: {small} kB, 48 MB: {big} kB"
    );
}

/// Writes `ok` copied to at least `megabytes` MB, then `denied`, as
/// `encode` makes them; runs authsift (JSON report) on the file, hands
/// the input's report and the number of copies to `check`, and returns
/// the peak RSS (kB).
#[cfg(target_os = "linux")]
fn peak_on_big_log(
    dir: &std::path::Path,
    ok: &[u8],
    denied: &[u8],
    megabytes: usize,
    encode: &dyn Fn(Vec<u8>) -> Vec<u8>,
    check: &dyn Fn(&serde_json::Value, usize),
) -> u64 {
    let copies = (megabytes << 20) / ok.len() + 1;
    let path = dir.join(format!("{megabytes}.log"));
    std::fs::write(&path, encode([ok.repeat(copies), denied.to_vec()].concat())).unwrap();
    let (report, peak) = run_watched(&[path.to_str().unwrap()], Vec::new(), 0);
    check(&report["inputs"][0], copies);
    peak
}

/// Runs authsift (JSON report) on `args` with nothing on stdin; the
/// output, its report and the peak RSS (kB) seen while it ran.
#[cfg(target_os = "linux")]
fn analyse_watched(args: &[&std::ffi::OsStr]) -> (std::process::Output, serde_json::Value, u64) {
    let child = common::bin()
        .args(["--format", "json"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (out, peak) = common::watch(child);
    let report = common::json(&out);
    (out, report, peak)
}

/// A gzip member of `size` bytes of one letter, on one line: it inflates
/// about 1000:1, and the line is cut as it is read (nothing to analyse).
fn letter_member(size: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![b'a'; size]).unwrap();
    e.finish().unwrap()
}

/// Gzip members of one repeated letter inflate past 100:1: refused once
/// the inflated text passes the ratio's floor (64 MiB), not after
/// inflating it all, in bounded memory, and the other input is still
/// analysed.
#[cfg(target_os = "linux")]
#[test]
fn a_gzip_bomb_of_text_is_refused_at_the_ratio() {
    // 128 members: 2 GiB once inflated.
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.log.gz");
    std::fs::write(&bomb, letter_member(16 << 20).repeat(128)).unwrap();
    let started = std::time::Instant::now();
    let (out, report, peak) = analyse_watched(&[bomb.as_os_str(), good_log().as_os_str()]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert!(peak < 100 << 10, "peak {peak} kB");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let errors = report["inputs"][0]["errors"].to_string();
    assert!(errors.contains("decompression bomb"), "{errors}");
    assert!(errors.contains("--max-inflate-ratio"), "{errors}");
    assert_eq!(common::verdict(&report["inputs"][1]), GOOD_VERDICT);
}

/// `--max-inflate-ratio` raises the ratio: a recorded log followed by
/// 128 MiB of one letter (about 1000:1) is read to its end and its
/// failure found.
#[cfg(target_os = "linux")]
#[test]
fn the_inflate_ratio_is_raised_by_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("padded.log.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&std::fs::read(good_log()).unwrap()).unwrap();
    let mut data = e.finish().unwrap();
    data.extend(letter_member(16 << 20).repeat(8));
    std::fs::write(&gz, data).unwrap();
    let (out, report, _) = analyse_watched(&[
        "--max-inflate-ratio".as_ref(),
        "2000".as_ref(),
        gz.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(report["inputs"][0]["errors"], serde_json::json!([]));
    assert_eq!(common::verdict(&report["inputs"][0]), GOOD_VERDICT);
}

/// The size limit reached while the next window is read ahead (past the
/// first 8 MiB window) stops the reading as it does in the first: what
/// was read is analysed, the first failure found, the input named.
#[cfg(target_os = "linux")]
#[test]
fn the_input_size_limit_past_the_first_window_keeps_what_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("long.log");
    let filler = "INFO building step 42 of the release pipeline, nothing to see\n".repeat(200_000);
    std::fs::write(&log, format!("{ERROR_LINE}\n{filler}{LAST_ERROR}\n")).unwrap();
    let limit = (10u64 << 20).to_string();
    let (out, report, _) = analyse_watched(&[
        "--max-input-bytes".as_ref(),
        limit.as_ref(),
        log.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let cut = &report["inputs"][0];
    assert_eq!(cut["findings"].as_array().unwrap().len(), 1, "{cut}");
    let error = cut["errors"][0].as_str().unwrap();
    assert!(
        error.contains("long.log") && error.contains("--max-input-bytes"),
        "{error}"
    );
}

/// Stdin past `--max-input-bytes` keeps what arrived within it, as a file
/// does: its failure found, the limit and what was analysed named on
/// stdin's behalf, exit 2. Pasted text and an `aws --debug` log, each
/// read as it arrives (human output, the default: main refused both
/// whole) and as a file is (JSON).
#[test]
fn stdin_over_the_size_limit_keeps_what_it_read() {
    let filler = "INFO building step 42 of the release pipeline, nothing to see\n".repeat(4000);
    let pasted = format!("{ERROR_LINE}\n{filler}{LAST_ERROR}\n").into_bytes();
    let ok = std::fs::read("fixtures/aws-debug/s3-ls-ok.log").unwrap();
    let debug = [std::fs::read(good_log()).unwrap(), ok.repeat(20)].concat();
    let limit = 100_000;
    for (what, text) in [("pasted text", pasted), ("a debug log", debug)] {
        assert!(text.len() > 2 * limit, "{what}");
        for format in ["human", "json"] {
            let mut child = common::bin()
                .args(["--format", format, "--color", "never"])
                .args(["--max-input-bytes", &limit.to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            let text = text.clone();
            // The rest is not read: writing it may fail once authsift is done.
            let writer = std::thread::spawn(move || {
                let _ = stdin.write_all(&text);
            });
            let out = child.wait_with_output().unwrap();
            writer.join().unwrap();
            let what = format!("{what}, {format}");
            assert_eq!(out.status.code(), Some(2), "{what}: {out:?}");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let rules: Vec<String> = match format {
                "json" => common::json(&out)["inputs"][0]["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["rule"].as_str().unwrap().to_string())
                    .collect(),
                _ => stdout
                    .lines()
                    .filter_map(|l| l.split_once("   [")?.1.split_once(',').map(|r| r.0))
                    .map(str::to_string)
                    .collect(),
            };
            // Human output lists no input with an error once done (as for a
            // file): a debug log's incidents are shown as they arrive.
            if format == "json" || what.starts_with("a debug log") {
                assert_eq!(rules, [GOOD_VERDICT], "{what}: {stdout}");
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            let said = format!(
                "authsift: <stdin>: larger than {limit} bytes once decompressed \
                 (--max-input-bytes raises the limit): \
                 its first {limit} bytes analysed, the rest not read"
            );
            assert!(stderr.contains(&said), "{what}: {stderr}");
        }
    }
}

/// `--max-input-bytes`: a text log is analysed up to the limit (its
/// first failure found), the rest not read, the file named with what was
/// analysed, exit 2, the other input analysed; an input read whole (a
/// CloudTrail file) over the limit is refused, nothing of it analysed.
/// Raised, both are read whole.
#[cfg(target_os = "linux")]
#[test]
fn the_input_size_limit_keeps_what_it_read_and_is_raised_by_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("two.log");
    let filler = "INFO building step 42 of the release pipeline, nothing to see\n".repeat(4000);
    std::fs::write(&log, format!("{ERROR_LINE}\n{filler}{LAST_ERROR}\n")).unwrap();
    let trail =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudtrail/records.json");
    let limit = "100000";
    let (out, report, _) = analyse_watched(&[
        "--max-input-bytes".as_ref(),
        limit.as_ref(),
        log.as_os_str(),
        good_log().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let cut = &report["inputs"][0];
    let rules: Vec<&str> = cut["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, [GOOD_VERDICT], "only the first failure: {cut}");
    let error = cut["errors"][0].as_str().unwrap();
    assert!(error.contains("two.log"), "{error}");
    assert!(error.contains("--max-input-bytes"), "{error}");
    assert!(
        error.contains(&format!("its first {limit} bytes analysed")),
        "{error}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(error));
    assert_eq!(common::verdict(&report["inputs"][1]), GOOD_VERDICT);
    // Raised: both failures.
    let (out, report, _) = analyse_watched(&[
        "--max-input-bytes".as_ref(),
        "1000000".as_ref(),
        log.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(report["inputs"][0]["findings"].as_array().unwrap().len(), 2);
    // Read whole: refused, then read.
    let size = std::fs::metadata(&trail).unwrap().len();
    let under = (size - 1).to_string();
    let short = dir.path().join("short.log");
    std::fs::write(&short, format!("{ERROR_LINE}\n")).unwrap();
    let (out, report, _) = analyse_watched(&[
        "--max-input-bytes".as_ref(),
        under.as_ref(),
        trail.as_os_str(),
        short.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let error = report["inputs"][0]["errors"][0].as_str().unwrap();
    assert!(error.ends_with("not analysed"), "{error}");
    assert_eq!(common::verdict(&report["inputs"][1]), GOOD_VERDICT);
    let exact = size.to_string();
    let (out, report, _) = analyse_watched(&[
        "--max-input-bytes".as_ref(),
        exact.as_ref(),
        trail.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(report["inputs"][0]["errors"], serde_json::json!([]));
}

/// `--max-files`: a directory stands for its first N files in name order,
/// and is named in an error (exit 2) saying the rest was not read; the
/// other input is analysed. Raised, every file is read.
#[cfg(target_os = "linux")]
#[test]
fn the_file_count_limit_takes_the_first_files_and_is_raised_by_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    for i in 0..5 {
        std::fs::write(logs.join(format!("{i}.log")), format!("{ERROR_LINE}\n")).unwrap();
    }
    let other = dir.path().join("other.log");
    std::fs::write(&other, format!("{LAST_ERROR}\n")).unwrap();
    let (out, report, _) = analyse_watched(&[
        "--max-files".as_ref(),
        "3".as_ref(),
        logs.as_os_str(),
        other.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let paths: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 5, "{paths:?}");
    for (i, name) in ["0.log", "1.log", "2.log"].iter().enumerate() {
        assert!(paths[i].ends_with(name), "{paths:?}");
        assert_eq!(common::verdict(&report["inputs"][i]), GOOD_VERDICT);
    }
    let error = report["inputs"][3]["errors"][0].as_str().unwrap();
    assert!(error.contains("more than 3 files"), "{error}");
    assert!(error.contains("--max-files"), "{error}");
    assert!(report["inputs"][4]["findings"].as_array().unwrap().len() == 1);
    let (out, report, _) =
        analyse_watched(&["--max-files".as_ref(), "5".as_ref(), logs.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(report["inputs"].as_array().unwrap().len(), 5);
}

/// One `aws --debug` run that AccessDenied stopped, in 5 lines.
const DENIED_RUN: &str = "\
2026-11-26 15:59:39,188 - MainThread - awscli.clidriver - DEBUG - CLI version: aws-cli/1.46.3 Python/3.11.7 Linux/6.18.44-fc-v595 botocore/1.43.62
2026-11-26 15:59:39,188 - MainThread - awscli.clidriver - DEBUG - Arguments entered to CLI: ['s3', 'ls']
2026-11-26 15:59:39,390 - MainThread - awscli.clidriver - DEBUG - Exiting with rc 254

An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied
";

/// A log failing the same way over and over keeps the first few
/// incidents of that kind and counts the rest, whatever their number
/// (and in whichever window they come): the report lists the few and
/// says how many more, and the last one's line. Memory does not grow
/// with the count: 10× the failures cost far less than 10× the memory
/// (each failure kept cost about 5 KB).
#[cfg(target_os = "linux")]
#[test]
fn repeated_failures_are_counted_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let run_lines = DENIED_RUN.lines().count();
    let peak = |runs: usize| {
        let path = dir.path().join(format!("{runs}.log"));
        std::fs::write(&path, DENIED_RUN.repeat(runs)).unwrap();
        let (report, peak) = run_watched(&[path.to_str().unwrap()], Vec::new(), 0);
        let input = &report["inputs"][0];
        let findings = input["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 10, "{runs} runs");
        assert!(findings.iter().all(|f| f["rule"] == GOOD_VERDICT));
        let repeated = &input["repeated"];
        assert_eq!(repeated.as_array().unwrap().len(), 1, "{repeated}");
        assert_eq!(repeated[0]["incident"], 0);
        assert_eq!(repeated[0]["more"], runs - 10);
        assert_eq!(repeated[0]["last_line"], runs * run_lines);
        peak
    };
    let (small, big) = (peak(4_000), peak(40_000));
    // Kept whole, the 36,000 more would have cost about 180 MB. What
    // still grows is each incident's facts, kept for the batch rules
    // (about 2 KB a failure with mimalloc's small pages: 71 MB here).
    assert!(
        small > 0 && big < small + (100 << 10),
        "4,000 runs: {small} kB, 40,000: {big} kB"
    );
}
