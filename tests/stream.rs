//! Stdin analysed as it arrives: `aws … --debug 2>&1 | authsift` shows a
//! run's finding while the writer still holds the pipe open, and the whole
//! output is still what the same text gives as a file.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{bin, fixtures_dir};

/// Long enough for a loaded machine; the test waits for output, never
/// sleeps.
const PATIENCE: Duration = Duration::from_secs(60);

fn recorded(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(format!("{name}.log"))).unwrap()
}

#[test]
fn a_run_s_finding_is_printed_before_the_writer_closes_the_pipe() {
    // A real `aws s3 ls --debug` run that AWS denied (CLI v1, recorded).
    let denied = recorded("s3-ls-access-denied");
    let clock = recorded("sts-clock-skew-ahead");
    let mut child = bin()
        .args(["--color", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, arrived) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        while stdout.read_line(&mut line).unwrap() > 0 {
            all.push_str(&line);
            let _ = lines.send(std::mem::take(&mut line));
        }
        all
    });
    stdin.write_all(&denied).unwrap();
    stdin.flush().unwrap();
    // The pipe stays open: the verdict must come anyway.
    let first = arrived
        .recv_timeout(PATIENCE)
        .expect("the finding is printed while the pipe is open");
    assert!(
        first.starts_with("✖ AccessDenied on s3:ListObjectsV2"),
        "{first}"
    );
    let mut block = first;
    while !block.contains("[authz.access-denied, ") {
        block.push_str(&arrived.recv_timeout(PATIENCE).expect("the cause follows"));
    }
    // A second run, then the end: the rest of the report follows.
    stdin.write_all(&clock).unwrap();
    drop(stdin);
    let all = reader.join().unwrap();
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(1), "{errors}");
    assert!(all.starts_with(&block), "{all}");
    assert_eq!(all.matches("✖ AccessDenied").count(), 1, "{all}");
    assert!(all.contains("[clock.skew, "), "{all}");

    // The same text as a file gives the same report, byte for byte.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.log");
    std::fs::write(&file, [denied, clock].concat()).unwrap();
    let out = bin()
        .args(["--color", "never", file.to_str().unwrap()])
        .output()
        .unwrap();
    let from_file = String::from_utf8(out.stdout).unwrap();
    assert_eq!(from_file.replace(file.to_str().unwrap(), "<stdin>"), all);
}

/// A run that has not ended shows nothing yet; its finding comes at the
/// end of the input, with the rest, and the machine formats still write
/// one document at the end.
#[test]
fn an_unfinished_run_and_other_formats_wait_for_the_end() {
    let denied = recorded("s3-ls-access-denied");
    let end = b"awscli.clidriver - DEBUG - Exiting with rc";
    let cut = denied
        .windows(end.len())
        .position(|w| w == end)
        .expect("the fixture logs its exit");
    for args in [&["--color", "never"][..], &["--format", "json"][..]] {
        let out = common::run(args, &denied[..cut]);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("authz.access-denied"), "{args:?}: {text}");
    }
}

/// The events of a generated archive, in file order.
fn generated_events(dir: &std::path::Path, events: &str) -> Vec<serde_json::Value> {
    common::gen_cloudtrail(dir, &["--events", events, "--seed", "11"]);
    let mut out = Vec::new();
    for file in common::files_under(dir) {
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(file).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        out.extend(doc["Records"].as_array().unwrap().iter().cloned());
    }
    out
}

/// A CloudTrail file over the size from which files are streamed gives the
/// report the same bytes give read whole (from stdin, which is never
/// streamed), in every layout that is streamed, gzip included.
#[test]
fn a_large_event_file_read_as_a_stream_reports_as_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let events = generated_events(&tmp.path().join("gen"), "24000");
    let records = serde_json::json!({ "Records": events });
    let one_line = records.to_string();
    assert!(one_line.len() > 16 << 20, "over the streaming size");
    let lines: String = events.iter().map(|e| format!("{e}\n")).collect();
    let layouts: [(&str, Vec<u8>); 4] = [
        ("records.json", one_line.clone().into_bytes()),
        (
            "pretty.json",
            serde_json::to_string_pretty(&events).unwrap().into_bytes(),
        ),
        ("events.jsonl", lines.into_bytes()),
        ("records.json.gz", common::gzip(one_line.as_bytes())),
    ];
    for (name, bytes) in layouts {
        let path = tmp.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let path = path.to_str().unwrap();
        let streamed = common::run(&["--format", "json", path], b"");
        let whole = common::run(&["--format", "json", "-q", "-"], &bytes);
        assert_eq!(streamed.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&streamed.stderr);
        assert!(
            stderr.contains("24000 events in 1 file, 0 skipped"),
            "{name}: {stderr}"
        );
        let streamed = String::from_utf8(streamed.stdout).unwrap();
        let whole = String::from_utf8(whole.stdout).unwrap();
        assert!(streamed.contains("\"events\":24000"), "{name}");
        assert_eq!(streamed.replace(path, "<stdin>"), whole, "{name}");
    }
    // Cut short: the events before the cut are read, and the cut said.
    let cut = &one_line.as_bytes()[..one_line.len() - 5000];
    let path = tmp.path().join("cut.json");
    std::fs::write(&path, cut).unwrap();
    let out = common::run(&["--format", "json", path.to_str().unwrap()], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cut short"), "{stderr}");
    let report = common::json(&out);
    let read = report["summary"]["events"].as_u64().unwrap();
    assert!((23000..24000).contains(&read), "{read}");
}
