//! `--progress`: the line on stderr while inputs are read. Drawn with
//! `always` (frames overwritten with `\r`, the last one cleared before the
//! end-of-run messages), never drawn with `never` or by default when stderr
//! is not a terminal (as here, where it is a pipe), and never on stdout.

mod common;

use std::path::Path;

use common::run;

/// Three CloudTrail inputs in a fresh directory.
fn three_inputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudtrail");
    for name in ["records.json", "array.json", "events.jsonl"] {
        std::fs::copy(fixtures.join(name), dir.path().join(name)).unwrap();
    }
    dir
}

/// Runs authsift over the three inputs with `extra` flags; (stdout, stderr).
fn analyze(dir: &Path, extra: &[&str]) -> (Vec<u8>, String) {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    args.push(dir.to_str().unwrap());
    let out = run(&args, b"");
    (
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// stderr without its throughput line, whose figures depend on the clock.
fn without_timing(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| !l.contains(" events in "))
        .collect()
}

fn assert_no_progress(stderr: &str) {
    assert!(!stderr.contains('\r'), "{stderr:?}");
    assert!(!stderr.contains("\x1b[K"), "{stderr:?}");
    assert!(!stderr.contains(" files · "), "{stderr:?}");
}

#[test]
fn always_draws_the_file_count_then_clears_the_line() {
    let dir = three_inputs();
    let (stdout, stderr) = analyze(dir.path(), &["--progress", "always"]);
    let end = stderr
        .rfind("\r\x1b[K")
        .unwrap_or_else(|| panic!("no cleared line: {stderr:?}"));
    let (drawn, rest) = stderr.split_at(end + "\r\x1b[K".len());
    // Every frame rewrites the one line; the last shows the totals.
    let frames: Vec<&str> = drawn.split('\r').filter(|f| !f.is_empty()).collect();
    assert!(frames.iter().all(|f| f.ends_with("\x1b[K")), "{drawn:?}");
    assert!(!drawn.contains('\n'), "{drawn:?}");
    let last = frames[frames.len() - 2];
    assert!(last.starts_with('['), "{last:?}");
    assert!(last.contains("3/3 files · "), "{last:?}");
    assert!(last.contains(" events ("), "{last:?}");
    // After the bar: exactly what a run without it prints.
    assert_no_progress(rest);
    let (plain_stdout, plain_stderr) = analyze(dir.path(), &["--progress", "never"]);
    assert_eq!(without_timing(rest), without_timing(&plain_stderr));
    assert_eq!(stdout, plain_stdout, "the bar never touches stdout");
}

#[test]
fn never_draws_nothing() {
    let dir = three_inputs();
    let (_, stderr) = analyze(dir.path(), &["--progress", "never"]);
    assert_no_progress(&stderr);
    assert!(
        stderr.contains("authsift: "),
        "the end-of-run line stays: {stderr:?}"
    );
}

#[test]
fn default_draws_nothing_when_stderr_is_not_a_terminal() {
    let dir = three_inputs();
    let (_, stderr) = analyze(dir.path(), &[]);
    assert_no_progress(&stderr);
    let (_, stderr) = analyze(dir.path(), &["--progress", "auto"]);
    assert_no_progress(&stderr);
}

#[test]
fn no_color_does_not_turn_the_bar_off() {
    let dir = three_inputs();
    let out = common::bin()
        .env("NO_COLOR", "1")
        .args(["--format", "json", "--progress", "always"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3/3 files · "), "{stderr:?}");
}

#[test]
fn help_documents_the_flag() {
    let out = run(&["--help"], b"");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--progress <PROGRESS>"), "{help}");
    assert!(help.contains("A progress line on stderr"), "{help}");
}
