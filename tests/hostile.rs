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
    let out = run(&["--format", "json"], b"2024-05-01 10:00:00,000 - x - - y\n");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = common::json(&out);
    assert_eq!(report["inputs"][0]["findings"], serde_json::json!([]));
}
