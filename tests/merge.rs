//! Mergeable runs (issue 19, point 3): `--format summary` over shards of an
//! archive, then `authsift merge`, gives the report of one run over all the
//! files, overlapping exports included.

mod common;

use std::path::{Path, PathBuf};

use common::{fixtures_dir, json, run};
use serde_json::Value;

/// A real CloudTrail delivery file's shape (fixtures/cloudtrail/README.md).
fn records() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudtrail/records.json")
}

fn strs(paths: &[PathBuf]) -> Vec<&str> {
    paths.iter().map(|p| p.to_str().unwrap()).collect()
}

/// A generated archive and, in another directory, copies of three of its
/// files (an overlapping export): every file, in the order one run reads
/// them.
fn archive(tmp: &Path) -> Vec<PathBuf> {
    common::gen_cloudtrail(&tmp.join("trail"), &["--events", "16000", "--seed", "7"]);
    let mut all = common::files_under(&tmp.join("trail"));
    let copies = tmp.join("copies");
    std::fs::create_dir(&copies).unwrap();
    for (i, f) in all.clone().iter().step_by(5).take(3).enumerate() {
        let copy = copies.join(format!("copy{i}.json.gz"));
        std::fs::copy(f, &copy).unwrap();
        all.push(copy);
    }
    all
}

/// The partial summary of each of 8 shards (contiguous runs of `all`).
fn parts(tmp: &Path, all: &[PathBuf]) -> Vec<PathBuf> {
    (0..8)
        .map(|i| {
            let shard = &all[i * all.len() / 8..(i + 1) * all.len() / 8];
            let part = tmp.join(format!("part-{i}.json"));
            let mut args = vec![
                "--format",
                "summary",
                "--events",
                "-q",
                "-o",
                part.to_str().unwrap(),
            ];
            args.extend(strs(shard));
            let out = run(&args, b"");
            assert_eq!(out.status.code(), Some(1), "{:?}", out);
            part
        })
        .collect()
}

fn merge(format: &str, parts: &[PathBuf]) -> std::process::Output {
    let mut args = vec!["merge", "--format", format, "--color", "never"];
    args.extend(strs(parts));
    run(&args, b"")
}

fn single(format: &str, all: &[PathBuf]) -> std::process::Output {
    let mut args = vec!["--format", format, "--color", "never", "-q"];
    args.extend(strs(all));
    run(&args, b"")
}

/// The inputs of a JSON report without their findings (compared apart).
fn inputs(report: &Value) -> Vec<Value> {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let mut i = i.clone();
            i.as_object_mut().unwrap().remove("findings");
            i.as_object_mut().unwrap().remove("unclassified");
            i
        })
        .collect()
}

#[test]
fn eight_shards_merged_equal_one_run_over_all_files() {
    let tmp = tempfile::tempdir().unwrap();
    let all = archive(tmp.path());
    let parts = parts(tmp.path(), &all);
    assert_eq!(parts.len(), 8);
    let one = json(&single("json", &all));
    let out = merge("json", &parts);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let merged = json(&out);
    // The copies sit in other shards than their originals: counted once.
    let summary = &one["summary"];
    assert_eq!(summary["events"], 16000);
    assert!(summary["duplicates"].as_u64().unwrap() > 1000, "{summary}");
    assert!(!summary["findings"].as_array().unwrap().is_empty());
    assert_eq!(merged["summary"], one["summary"]);
    assert_eq!(inputs(&merged), inputs(&one));
    // Each failed event's findings too: the whole document, byte for byte.
    let listed: usize = one["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["findings"].as_array().unwrap().len())
        .sum();
    assert!(listed > 1000, "{listed}");
    assert_eq!(
        String::from_utf8(out.stdout.clone()).unwrap(),
        String::from_utf8(single("json", &all).stdout).unwrap()
    );
    // The other formats, byte for byte.
    for format in ["human", "table", "markdown", "html"] {
        let one = single(format, &all);
        let merged = merge(format, &parts);
        assert_eq!(merged.status.code(), one.status.code(), "{format}");
        assert_eq!(
            String::from_utf8(merged.stdout).unwrap(),
            String::from_utf8(one.stdout).unwrap(),
            "{format}"
        );
    }
    // A merge of merges (one per half) is the same again.
    let halves: Vec<PathBuf> = parts
        .chunks(4)
        .enumerate()
        .map(|(i, half)| {
            let path = tmp.path().join(format!("half-{i}.json"));
            let mut args = vec!["merge", "--format", "summary", "-o", path.to_str().unwrap()];
            args.extend(strs(half));
            run(&args, b"");
            path
        })
        .collect();
    assert_eq!(json(&merge("json", &halves))["summary"], one["summary"]);
}

#[test]
fn a_part_is_versioned_and_leaves_log_inputs_out() {
    let tmp = tempfile::tempdir().unwrap();
    let records = records();
    let out = run(
        &["--format", "summary", "-q", records.to_str().unwrap()],
        b"",
    );
    let part: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(part["schema"], "authsift-summary");
    assert_eq!(part["version"], 1);
    assert_eq!(part["inputs"][0]["format"], "cloudtrail");
    // A log input has no summary: left out, and said so.
    let log = fixtures_dir().join("s3-ls-access-denied.log");
    let out = run(
        &[
            "--format",
            "summary",
            records.to_str().unwrap(),
            log.to_str().unwrap(),
        ],
        b"",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 log input left out"), "{stderr}");
    let part: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(part["inputs"].as_array().unwrap().len(), 1);
    let path = tmp.path().join("p.json");
    std::fs::write(&path, &out.stdout).unwrap();
    let human = merge("human", &[path]);
    assert_eq!(human.status.code(), Some(1));
}

#[test]
fn files_that_are_no_part_of_this_version_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let records = records();
    let out = run(
        &["--format", "summary", "-q", records.to_str().unwrap()],
        b"",
    );
    let good = tmp.path().join("good.json");
    std::fs::write(&good, &out.stdout).unwrap();
    let mut newer: Value = serde_json::from_slice(&out.stdout).unwrap();
    newer["version"] = 2.into();
    let newer_path = tmp.path().join("newer.json");
    std::fs::write(&newer_path, newer.to_string()).unwrap();
    let cases = [
        (newer_path, "a partial summary of version 2"),
        (records.clone(), "not a partial summary"),
        (tmp.path().join("missing.json"), "missing.json"),
    ];
    for (bad, says) in cases {
        let out = merge("human", &[good.clone(), bad.clone()]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("merge: {}: ", bad.display())) && stderr.contains(says),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
    // Formats that print each failed event: parts do not hold them.
    let out = merge("jsonl", std::slice::from_ref(&good));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--format jsonl prints each failed event")
    );
    // Parts classified by other rules do not merge with these.
    let rules = common::batch_rules(tmp.path());
    let out = run(
        &[
            "merge",
            "--rules",
            rules.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("other rules"));
}
