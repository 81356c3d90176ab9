//! Conformance: authsift's rebuild reproduces every v4 case of the AWS
//! signing test suite that ships inside the `aws-sigv4` crate package.
//!
//! The suite is found through `cargo metadata` (the package's manifest
//! path), so nothing is copied into this repository. For each case and
//! each signature location (`header-`, `query-`), the *signed* request is
//! the input — what a debug log shows — and the rebuild must give the
//! exact canonical request, string to sign and (with the case's secret,
//! through the `aws-sigv4` crate) signature.

use std::path::{Path, PathBuf};
use std::process::Command;

use authsift::model::HttpRequest;
use authsift::sigv4::canonical::{PathRules, RebuildOptions, rebuild};
use authsift::sigv4::verify::{self, Secret};

/// `aws-signing-test-suite/v4` inside the aws-sigv4 package this crate builds with.
fn suite_dir() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let manifest = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "aws-sigv4")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("aws-sigv4 is a dependency");
    Path::new(manifest)
        .parent()
        .unwrap()
        .join("aws-signing-test-suite/v4")
}

/// A raw HTTP/1.1 request as the suite writes it: request line (the path
/// may hold raw spaces), `Name:value` headers with obsolete line folding,
/// blank line, body.
fn parse_request(text: &str) -> (HttpRequest, Vec<u8>) {
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h, b.as_bytes().to_vec()),
        None => (text.trim_end_matches('\n'), Vec::new()),
    };
    let mut lines = head.lines();
    let first = lines.next().expect("request line");
    let (method, rest) = first.split_once(' ').expect("method");
    let target = rest
        .rsplit_once(' ')
        .filter(|(_, v)| v.starts_with("HTTP/"))
        .map_or(rest, |(t, _)| t);
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().expect("a folded line follows a header");
            last.1.push('\n');
            last.1.push_str(line);
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_string(), value.trim_start().to_string()));
        }
    }
    let host = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.clone())
        .expect("Host header");
    let request = HttpRequest {
        method: method.to_string(),
        url: format!("https://{host}{target}"),
        headers,
        line: None,
    };
    (request, body)
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

struct Outcome {
    checked: usize,
    failures: Vec<String>,
}

fn run_case(dir: &Path, location: &str, out: &mut Outcome) {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let file = |f: &str| dir.join(format!("{location}-{f}"));
    let Some(expected_creq) = read(&file("canonical-request.txt")) else {
        return;
    };
    let signed = read(&file("signed-request.txt")).expect("signed request");
    let context: Option<serde_json::Value> =
        read(&dir.join("context.json")).map(|t| serde_json::from_str(&t).expect("context.json"));
    let (mut request, body) = parse_request(&signed);
    if context.is_none() {
        // The two context-less cases (double-encode-path, double-url-encode)
        // are aws-sigv4's own: its test signs them at a fixed time of its
        // own, so the date in the request file need not be the canonical
        // one. Take the canonical request's date; the path is the point.
        if let Some(date) = expected_creq
            .lines()
            .find_map(|l| l.strip_prefix("x-amz-date:"))
        {
            for (n, v) in &mut request.headers {
                if n.eq_ignore_ascii_case("x-amz-date") {
                    *v = date.to_string();
                }
            }
        }
    }
    let normalize = context
        .as_ref()
        .and_then(|c| c["normalize"].as_bool())
        .unwrap_or(true);
    let rules = PathRules {
        normalize,
        encode: true,
    };
    let options = RebuildOptions {
        path: Some(rules),
        token_added_after_presigning: context
            .as_ref()
            .and_then(|c| c["omit_session_token"].as_bool())
            .unwrap_or(false),
    };
    let label = format!("{name} ({location})");
    let rebuilt = match rebuild(&request, Some(&body), &options) {
        Ok(r) => r,
        Err(e) => {
            out.failures.push(format!("{label}: {e}"));
            return;
        }
    };
    out.checked += 1;
    let creq = rebuilt.canonical.text();
    if creq != expected_creq {
        out.failures.push(format!(
            "{label}: canonical request\n--- expected\n{expected_creq}\n--- rebuilt\n{creq}"
        ));
        return;
    }
    let Some(sts) = rebuilt.string_to_sign.as_ref() else {
        out.failures.push(format!("{label}: no string to sign"));
        return;
    };
    if let Some(expected_sts) = read(&file("string-to-sign.txt"))
        && sts.text() != expected_sts.trim_end_matches('\n')
    {
        out.failures.push(format!(
            "{label}: string to sign\n--- expected\n{expected_sts}\n--- rebuilt\n{}",
            sts.text()
        ));
        return;
    }
    let (Some(context), Some(expected_sig)) = (context, read(&file("signature.txt"))) else {
        return;
    };
    let secret = Secret::new(
        context["credentials"]["secret_access_key"]
            .as_str()
            .expect("secret"),
    );
    let signature = verify::signature(&secret, sts).expect("HMAC signature");
    if signature != expected_sig.trim() {
        out.failures
            .push(format!("{label}: signature {signature} != {expected_sig}"));
    }
    if signature != rebuilt.signing.authorization.signature {
        out.failures.push(format!(
            "{label}: signature differs from the one the request carries"
        ));
    }
}

#[test]
fn every_v4_case_of_the_signing_test_suite_is_reproduced() {
    let dir = suite_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 40,
        "expected the full v4 suite, found {}",
        cases.len()
    );
    let mut out = Outcome {
        checked: 0,
        failures: Vec::new(),
    };
    for case in &cases {
        for location in ["header", "query"] {
            run_case(case, location, &mut out);
        }
    }
    assert!(
        out.failures.is_empty(),
        "{} of {} suite cases differ:\n\n{}",
        out.failures.len(),
        out.checked,
        out.failures.join("\n\n")
    );
    // 38 cases with both locations, 2 header-only (double-*).
    assert!(out.checked >= 78, "only {} cases checked", out.checked);
}
