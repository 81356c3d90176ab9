//! Every real fixture gets its recorded verdict, whichever way it arrives:
//! as a path, on stdin, plain or gzipped.

mod common;

use common::{fixtures, gzip, json, run, verdict};

fn check_verdicts(report: &serde_json::Value, names: &[String], expected: &[&str], how: &str) {
    let inputs = report["inputs"].as_array().expect("inputs array");
    assert_eq!(inputs.len(), names.len(), "{how}: one report per input");
    let wrong: Vec<String> = inputs
        .iter()
        .zip(names.iter().zip(expected))
        .filter(|(input, (_, want))| verdict(input) != **want)
        .map(|(input, (name, want))| format!("{name}: expected {want}, got {}", verdict(input)))
        .collect();
    assert!(
        wrong.is_empty(),
        "{how}: wrong verdicts:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_fixture_verdict_by_path() {
    let fixtures = fixtures();
    let paths: Vec<String> = fixtures
        .iter()
        .map(|f| f.log.display().to_string())
        .collect();
    let mut args = vec!["--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let out = run(&args, b"");
    let names: Vec<String> = fixtures.iter().map(|f| f.name()).collect();
    let expected: Vec<&str> = fixtures.iter().map(|f| f.verdict()).collect();
    check_verdicts(&json(&out), &names, &expected, "by path");
    let any_failure = expected.iter().any(|v| *v != "ok");
    assert_eq!(out.status.code(), Some(if any_failure { 1 } else { 0 }));
}

#[test]
fn every_fixture_verdict_gzipped_in_a_directory() {
    let fixtures = fixtures();
    let dir = tempfile::tempdir().unwrap();
    for f in &fixtures {
        let data = std::fs::read(&f.log).unwrap();
        std::fs::write(dir.path().join(format!("{}.log.gz", f.name())), gzip(&data)).unwrap();
    }
    let out = run(&["--format", "json", dir.path().to_str().unwrap()], b"");
    let names: Vec<String> = fixtures.iter().map(|f| f.name()).collect();
    let expected: Vec<&str> = fixtures.iter().map(|f| f.verdict()).collect();
    check_verdicts(&json(&out), &names, &expected, "gzipped directory");
}

#[test]
fn every_fixture_verdict_on_stdin_plain_and_gzipped() {
    for f in fixtures() {
        let data = std::fs::read(&f.log).unwrap();
        for (how, bytes) in [("stdin", data.clone()), ("gzipped stdin", gzip(&data))] {
            let out = run(&["--format", "json"], &bytes);
            let report = json(&out);
            assert_eq!(
                verdict(&report["inputs"][0]),
                f.verdict(),
                "{} via {how}",
                f.name()
            );
            assert_eq!(report["inputs"][0]["path"], "<stdin>");
        }
    }
}

#[test]
fn ok_fixtures_exit_zero_and_failures_exit_one() {
    for f in fixtures() {
        let out = run(&[f.log.to_str().unwrap()], b"");
        let want = if f.verdict() == "ok" { 0 } else { 1 };
        assert_eq!(out.status.code(), Some(want), "{}", f.name());
    }
}

#[test]
fn human_output_names_the_cause_and_the_line() {
    for f in fixtures().iter().filter(|f| f.verdict() != "ok") {
        let out = run(&["--color", "never", f.log.to_str().unwrap()], b"");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with('✖'),
            "{}: verdict first:\n{text}",
            f.name()
        );
        assert!(
            text.contains(&format!("[{},", f.verdict())),
            "{}:\n{text}",
            f.name()
        );
        assert!(text.contains("evidence  line "), "{}:\n{text}", f.name());
        assert!(text.contains("fix       1. "), "{}:\n{text}", f.name());
    }
}

#[test]
fn no_secret_from_any_fixture_reaches_any_output() {
    let fixtures = fixtures();
    let paths: Vec<String> = fixtures
        .iter()
        .map(|f| f.log.display().to_string())
        .collect();
    for format in ["json", "human"] {
        let mut args = vec!["--format", format, "--color", "never"];
        args.extend(paths.iter().map(String::as_str));
        let out = String::from_utf8(run(&args, b"").stdout).unwrap();
        for f in &fixtures {
            for secret in f.secrets() {
                assert!(
                    !out.contains(&secret),
                    "{format} output leaks a secret of {}: {secret}",
                    f.name()
                );
            }
        }
    }
}
