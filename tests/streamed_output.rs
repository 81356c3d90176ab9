//! `json`, `jsonl` and `ocsf` are written as inputs finish (issue 16,
//! point 3): an input's part is on stdout before a later input has been
//! read, in input order, and the whole is what it was when written at the
//! end; the event summary's grouped findings and findings across files are
//! in every format.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{bin, json, lines, run};
use serde_json::Value;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

/// Runs authsift over a CloudTrail fixture then a FIFO; returns what was
/// on stdout before anything was written into the FIFO, and the whole
/// output once the FIFO got `then` and the run ended.
#[cfg(unix)]
fn before_the_fifo_is_written(
    fifo: &Path,
    format: &str,
    wait_for: &str,
    then: &[u8],
) -> (String, String) {
    assert!(
        std::process::Command::new("mkfifo")
            .arg(fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut child = bin()
        .args(["--format", format, "--events", "-q"])
        .arg(fixture("cloudtrail/events.jsonl"))
        .arg(fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => tx.send(buf[..n].to_vec()).unwrap(),
            }
        }
    });
    let mut early = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !String::from_utf8_lossy(&early).contains(wait_for) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(bytes) => early.extend(bytes),
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "{format}: nothing of the first input before the second was read: {:?}",
                    String::from_utf8_lossy(&early)
                );
            }
        }
    }
    std::fs::write(fifo, then).unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let mut all = early.clone();
    all.extend(rx.try_iter().flatten());
    assert_eq!(status.code(), Some(1), "{format}");
    (
        String::from_utf8(early).unwrap(),
        String::from_utf8(all).unwrap(),
    )
}

/// The same run with `text` in a file at `path` (where the FIFO was).
#[cfg(unix)]
fn with_a_file(format: &str, path: &Path, text: &[u8]) -> String {
    std::fs::remove_file(path).unwrap();
    std::fs::write(path, text).unwrap();
    let out = run(
        &[
            "--format",
            format,
            "--events",
            "-q",
            fixture("cloudtrail/events.jsonl").to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        b"",
    );
    String::from_utf8(out.stdout).unwrap()
}

#[cfg(unix)]
#[test]
fn an_inputs_part_is_written_before_a_later_input_is_read() {
    let log = std::fs::read(fixture("aws-debug/iam-list-users-access-denied.log")).unwrap();
    for (format, first_part) in [
        // The CloudTrail fixture's first failed event, its verdict line.
        ("jsonl", "\"rule\":{"),
        // The document's head and the first input's object.
        ("json", "events.jsonl\",\"format\":\"cloudtrail\""),
        // An OCSF event record of the first input.
        ("ocsf", "\"class_uid\":6003"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let later = dir.path().join("later.log");
        let (early, all) = before_the_fifo_is_written(&later, format, first_part, &log);
        assert!(!early.contains("later.log"), "{format}: {early}");
        assert!(
            all.contains("later.log"),
            "{format}: the later input is there"
        );
        // Byte for byte the output of a run over files.
        assert_eq!(all, with_a_file(format, &later, &log), "{format}");
    }
}

/// Findings across files (repeated key failures, AssumeRole groups,
/// sign-in groups, …) are in every format, not only `json`; `jsonl` and
/// `ocsf` give a record per grouped finding, and per failed event only
/// with `--events`.
#[test]
fn findings_across_files_are_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let trail = tmp.path().join("trail");
    common::gen_cloudtrail(&trail, &["--events", "16000", "--seed", "7"]);
    let trail = trail.to_str().unwrap();
    let format = |f: &str, more: &[&str]| {
        let mut args = vec!["--format", f, "-q", "--color", "never", "--limit", "0"];
        args.extend(more);
        args.push(trail);
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(1), "{f}: {out:?}");
        out
    };
    let doc = json(&format("json", &[]));
    let patterns = doc["summary"]["findings"].as_array().unwrap();
    assert!(patterns.len() >= 3, "{patterns:?}");
    let kinds: std::collections::BTreeSet<&str> = patterns
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains("access-key") && kinds.contains("assume-role"),
        "{kinds:?}"
    );
    let failed = doc["summary"]["failures"].as_u64().unwrap();
    let auth = failed
        - doc["summary"]["service_failures"].as_u64().unwrap()
        - doc["summary"]["other_errors"].as_u64().unwrap();

    for f in ["jsonl", "ocsf"] {
        let records = lines(&String::from_utf8(format(f, &[]).stdout).unwrap());
        let rule = |r: &Value| match f {
            "jsonl" => r["rule"]["id"].as_str().unwrap().to_string(),
            _ => r["finding_info"]["analytic"]["uid"]
                .as_str()
                .unwrap()
                .to_string(),
        };
        let count = |r: &Value| match f {
            "jsonl" => r["authsift"]["batch"]["count"].as_u64().unwrap(),
            _ => r["count"].as_u64().unwrap(),
        };
        let across: Vec<&Value> = records
            .iter()
            .filter(|r| rule(r).starts_with("pattern."))
            .collect();
        assert_eq!(across.len(), patterns.len(), "{f}");
        for p in patterns {
            let kind = format!("pattern.{}", p["kind"].as_str().unwrap());
            assert!(
                across
                    .iter()
                    .any(|r| rule(r) == kind && count(r) == p["count"]),
                "{f}: {p}"
            );
        }
        // The groups hold every auth failure once: no record per event.
        let grouped: u64 = records
            .iter()
            .filter(|r| !rule(r).starts_with("pattern."))
            .map(count)
            .sum();
        assert_eq!(grouped, auth, "{f}");
        assert!(
            (records.len() as u64) < auth,
            "{f}: grouped, not per event: {} records, {auth} failures",
            records.len()
        );
    }
    let per_event = lines(&String::from_utf8(format("jsonl", &["--events"]).stdout).unwrap());
    let verdicts = per_event
        .iter()
        .filter(|r| r["authsift"].get("batch").is_none())
        .count();
    let listed: usize = doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["incident"].as_u64().unwrap())
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        })
        .sum();
    assert_eq!(
        verdicts, listed,
        "--events: one line per failed event with a verdict"
    );

    // The text formats name them too (their titles, as each escapes them).
    for f in ["human", "markdown", "table", "html"] {
        let text = String::from_utf8(format(f, &[]).stdout).unwrap();
        for p in patterns {
            let title = p["title"].as_str().unwrap();
            let shown = match f {
                "html" => title
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;"),
                _ => title.to_string(),
            };
            // Access key ids are masked in reports: compare what follows.
            let tail = shown.rsplit(' ').next().unwrap();
            assert!(text.contains(tail), "{f} lacks {title}");
        }
    }
}
