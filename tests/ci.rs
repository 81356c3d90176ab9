//! CI job logs: the failure is found inside GitHub Actions, GitLab CI and
//! Jenkins logs, with its step and its line in the original log.

mod common;

use std::path::{Path, PathBuf};

use common::{fixtures_dir, json, run};
use serde_json::Value;

fn ci_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ci")
}

fn ci_fixtures() -> Vec<(PathBuf, Value)> {
    let mut out: Vec<(PathBuf, Value)> = std::fs::read_dir(ci_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .map(|p| {
            let expected = std::fs::read_to_string(p.with_extension("expected.json")).unwrap();
            (p, serde_json::from_str(&expected).unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 10, "CI fixtures present");
    out
}

fn analyze(path: &Path) -> Value {
    let report = json(&run(&["--format", "json", path.to_str().unwrap()], b""));
    report["inputs"][0].clone()
}

#[test]
fn every_ci_fixture_gets_its_verdict_step_and_original_line() {
    for (path, expected) in ci_fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let input = analyze(&path);
        let system = ["github-actions", "gitlab-ci", "jenkins"]
            .into_iter()
            .find(|s| name.starts_with(s))
            .unwrap();
        assert_eq!(input["format"], system, "{name}: format");
        let findings = input["findings"].as_array().unwrap();
        let verdict = findings
            .first()
            .map_or("ok", |f| f["rule"].as_str().unwrap());
        assert_eq!(verdict, expected["verdict"], "{name}: verdict");
        if verdict == "ok" {
            continue;
        }
        let first = &findings[0];
        assert_eq!(first["facts"]["ci.system"], system, "{name}");
        assert_eq!(first["facts"]["ci.step"], expected["step"], "{name}: step");
        if let Some(line) = expected["line"].as_u64() {
            let lines: Vec<u64> = first["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["line"].as_u64().unwrap())
                .collect();
            assert!(
                lines.contains(&line),
                "{name}: evidence names original line {line}: {lines:?}"
            );
            // The evidence is the original line, CI prefix and all.
            let original = std::fs::read_to_string(&path).unwrap();
            let want = original.lines().nth(line as usize - 1).unwrap();
            let shown = first["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["line"] == line)
                .unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(shown, want.trim_end_matches('\r'), "{name}");
        }
    }
}

#[test]
fn twenty_thousand_lines_per_ci_system() {
    for system in ["github-actions", "gitlab-ci", "jenkins"] {
        let path = ci_dir().join(format!("{system}-buried-unknown-key.log"));
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines >= 19_900, "{system}: {lines} lines");
    }
}

#[test]
fn an_aws_debug_run_inside_github_actions_reads_like_the_raw_log() {
    for fixture in ["s3-ls-proxy-rewrites-host", "sts-clock-skew-behind"] {
        let raw = analyze(&fixtures_dir().join(format!("{fixture}.log")));
        let wrapped = analyze(&ci_dir().join(format!("github-actions-debug-{fixture}.log")));
        let (raw, wrapped) = (&raw["findings"][0], &wrapped["findings"][0]);
        assert_eq!(raw["rule"], wrapped["rule"], "{fixture}");
        assert_eq!(
            raw["signature_diff"], wrapped["signature_diff"],
            "{fixture}: same SigV4 evidence"
        );
        for fact in [
            "error.code",
            "signature.component",
            "clock.skew_seconds",
            "request.amz_date",
        ] {
            assert_eq!(
                raw["facts"][fact], wrapped["facts"][fact],
                "{fixture}: {fact}"
            );
        }
    }
}

#[test]
fn masked_credentials_degrade_gracefully() {
    // GitHub Actions prints registered secrets as `***`, key ids included.
    let path = ci_dir().join("github-actions-debug-s3-ls-proxy-rewrites-host.log");
    let text = std::fs::read_to_string(&path).unwrap();
    let key = regex::Regex::new(r"Credential=([A-Z0-9]{20})/").unwrap();
    let id = key.captures(&text).unwrap()[1].to_string();
    let masked = text.replace(&id, "***");
    let report = json(&run(&["--format", "json"], masked.as_bytes()));
    let f = &report["inputs"][0]["findings"][0];
    assert_eq!(
        f["rule"], "signature.canonical-mismatch",
        "the diff does not need the key id"
    );
    assert_eq!(f["facts"]["credential.key_type"], "masked");
    assert!(
        f["facts"]["credential.key_id_problem"].is_null(),
        "a mask is not a malformed key"
    );
    assert_eq!(f["facts"]["log.masked"], "access_key_id");
    let unchecked = f["not_checked"]
        .as_array()
        .expect("says what it could not check");
    assert_eq!(unchecked.len(), 1, "{unchecked:?}");
    assert!(unchecked[0].as_str().unwrap().contains("masked"));
    let human = String::from_utf8(run(&["--color", "never"], masked.as_bytes()).stdout).unwrap();
    assert!(
        human.contains("unchecked which access key signed"),
        "{human}"
    );

    // Unmasked, nothing is left unchecked.
    let report = json(&run(&["--format", "json"], text.as_bytes()));
    let f = &report["inputs"][0]["findings"][0];
    assert!(f["facts"]["log.masked"].is_null());
    assert!(f["not_checked"].is_null());
}

#[test]
fn a_signature_failure_without_canonical_requests_says_what_was_not_compared() {
    // Terraform prints only the final error line: nothing to compare.
    let input = analyze(&ci_dir().join("github-actions-terraform-go-v2-signature.log"));
    let f = &input["findings"][0];
    assert_eq!(f["facts"]["error.code"], "SignatureDoesNotMatch");
    let unchecked = f["not_checked"].as_array().expect("not_checked");
    assert!(
        unchecked[0]
            .as_str()
            .unwrap()
            .contains("neither the client's canonical request"),
        "{unchecked:?}"
    );
    // A debug log with both sides compared has nothing to add.
    let input = analyze(&ci_dir().join("github-actions-debug-s3-ls-proxy-rewrites-host.log"));
    assert!(input["findings"][0]["not_checked"].is_null());
}

#[test]
fn consequences_never_hide_the_aws_failure() {
    let input = analyze(&ci_dir().join("github-actions-ecr-docker-login.log"));
    let first = &input["findings"][0];
    assert_eq!(first["facts"]["error.code"], "UnrecognizedClientException");
    assert_eq!(first["facts"]["error.operation"], "GetAuthorizationToken");
}

#[test]
fn tools_are_named_and_codes_inferred_only_from_standard_wording() {
    let cases = [
        (
            "github-actions-terraform-go-v2-signature",
            "aws-sdk-go-v2",
            false,
        ),
        (
            "github-actions-java-v1-access-denied",
            "aws-sdk-java",
            false,
        ),
        ("github-actions-java-v2-invalid-token", "aws-sdk-java", true),
        (
            "github-actions-configure-aws-credentials-oidc-denied",
            "configure-aws-credentials",
            true,
        ),
    ];
    for (name, tool, inferred) in cases {
        let input = analyze(&ci_dir().join(format!("{name}.log")));
        let facts = &input["findings"][0]["facts"];
        assert_eq!(facts["error.tool"], tool, "{name}");
        assert_eq!(
            facts["error.code_inferred"].as_bool().unwrap_or(false),
            inferred,
            "{name}"
        );
    }
}

#[test]
fn real_javascript_sdk_failures() {
    // fixtures/sdk: Node printing uncaught AWS SDK v3 errors (generate/js_logs.py).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sdk");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "log") {
            continue;
        }
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("expected.json")).unwrap(),
        )
        .unwrap();
        let input = analyze(&path);
        let verdict = input["findings"][0]["rule"].as_str().unwrap_or("ok");
        assert_eq!(verdict, expected["verdict"], "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 2);
}

#[test]
fn human_output_names_the_step_and_the_original_line() {
    let path = ci_dir().join("gitlab-ci-buried-unknown-key.log");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(path.with_extension("expected.json")).unwrap(),
    )
    .unwrap();
    let out = run(&["--color", "never", path.to_str().unwrap()], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap();
    let want = format!("line {}, step \"deploy\")", expected["line"]);
    assert!(first.ends_with(&want), "{first}");
}
