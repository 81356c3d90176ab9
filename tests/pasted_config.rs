//! Pasted `~/.aws/config` / `~/.aws/credentials` fragments go through the
//! checks of `authsift config` when text is analyzed: the real binary on a
//! development case of the wild corpus (never a held-out one).

mod common;

use std::process::Command;

use common::wild;

#[test]
fn upper_case_credential_keys_in_a_paste_are_found_on_their_lines() {
    let case = wild::load()
        .into_iter()
        .find(|c| c.name == "sdk-toolkit-vscode-uppercase-credential-keys")
        .expect("the case exists");
    assert!(!case.held_out, "only development cases are used here");
    let out = Command::new(env!("CARGO_BIN_EXE_authsift"))
        .args(["--format", "json"])
        .arg(&case.path)
        .output()
        .expect("authsift runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let findings = doc["inputs"][0]["findings"].as_array().expect("findings");
    let seen: Vec<(&str, &str, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["facts"]["error.code"].as_str().unwrap(),
                f["evidence"][0]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // The paste's lines 8 and 9 (`AWS_ACCESS_KEY_ID = …`); the redacted
    // values (`xxxx…`) are not judged by their shape, and the config file
    // pasted above them (its own `[default]`) is not a duplicate section.
    assert_eq!(
        seen,
        [
            ("config.malformed", "key-case", 8),
            ("config.malformed", "key-case", 9)
        ],
        "{findings:#?}"
    );
    let text = findings[0]["evidence"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("AWS_ACCESS_KEY_ID = "), "{text}");
}

#[test]
fn a_paste_with_blanked_out_keys_and_no_mistake_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let paste = dir.path().join("paste.txt");
    std::fs::write(
        &paste,
        "$ cat ~/.aws/credentials\n\n[default]\naws_access_key_id = ****\n\
aws_secret_access_key = <redacted>\n\n[work]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_authsift"))
        .args(["--format", "json"])
        .arg(&paste)
        .output()
        .expect("authsift runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
