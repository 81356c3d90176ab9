//! The signature evidence of the real fixtures names the exact component:
//! the header a proxy rewrote, the payload hash, the scope region, the
//! clock, the missing session token; wrong-secret fixtures show equal
//! canonical requests. Plus secret verification (the secret never reaches
//! any output), SigV4A recognition, and `authsift sigv4 diff`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use authsift::facts::{Fact, incident_with_secret};
use authsift::model::{Exchange, HttpRequest, Logged, Run, Span};
use authsift::sigv4::verify::Secret;
use serde_json::Value;

/// A fixture's log: `aws --debug`/boto3 output, else another SDK's.
fn fixture(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let debug = root.join(format!("aws-debug/{name}.log"));
    if debug.exists() {
        debug
    } else {
        root.join(format!("sdk/{name}.log"))
    }
}

fn authsift(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authsift"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("authsift starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// The first finding of a fixture's JSON report.
fn finding(name: &str, extra: &[&str], env: &[(&str, &str)]) -> Value {
    let path = fixture(name);
    let mut args = vec!["--format", "json"];
    args.extend(extra);
    args.push(path.to_str().unwrap());
    let out = authsift(&args, env, b"");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    doc["inputs"][0]["findings"][0].clone()
}

fn first_diff(f: &Value) -> &Value {
    &f["signature_diff"][0]
}

#[test]
fn proxy_fixtures_name_the_rewritten_component() {
    for (name, component, client, server) in [
        ("s3-ls-proxy-rewrites-host", "header:host", None, None),
        (
            "s3api-put-object-proxy-rewrites-acl",
            "header:x-amz-acl",
            Some("private"),
            Some("bucket-owner-full-control"),
        ),
        (
            "sts-assume-role-proxy-rewrites-body",
            "payload-hash",
            None,
            None,
        ),
    ] {
        let f = finding(name, &[], &[]);
        assert_eq!(f["rule"], "signature.canonical-mismatch", "{name}");
        assert_eq!(f["facts"]["signature.component"], component, "{name}");
        assert_eq!(f["facts"]["signature.canonical_match"], false, "{name}");
        let d = first_diff(&f);
        assert_eq!(d["component"], component, "{name}");
        assert_eq!(d["against"], "server", "{name}");
        assert_ne!(d["client"], d["server"], "{name}");
        if let Some(c) = client {
            assert_eq!(d["client"], c, "{name}");
        }
        if let Some(s) = server {
            assert_eq!(d["server"], s, "{name}");
        }
        if component == "header:host" {
            // Ports change whenever the fixtures are regenerated: the proxy
            // keeps the port and rewrites the name.
            let (c, s) = (d["client"].as_str().unwrap(), d["server"].as_str().unwrap());
            let (c_name, c_port) = c.split_once(':').unwrap();
            let (s_name, s_port) = s.split_once(':').unwrap();
            assert_eq!((c_name, s_name), ("127.0.0.1", "localhost"), "{name}");
            assert_eq!(c_port, s_port, "{name}");
        }
        assert!(d["hint"].is_string(), "{name}: the usual cause is given");
        // The client signed what it sent: the rebuild agrees with its log.
        assert_eq!(f["facts"]["signature.rebuild_match"], true, "{name}");
        assert_eq!(f["facts"]["signature.logged_hash_match"], true, "{name}");
    }
}

#[test]
fn proxy_host_diff_is_shown_with_carets() {
    let out = authsift(
        &[
            "--color",
            "never",
            fixture("s3-ls-proxy-rewrites-host").to_str().unwrap(),
        ],
        &[],
        b"",
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("differs   header:host"), "{text}");
    assert!(text.contains("client signed   127.0.0.1:"), "{text}");
    assert!(text.contains("server computed "), "{text}");
    assert!(text.contains("^^^"), "{text}");
}

#[test]
fn wrong_secret_fixtures_have_equal_canonical_requests() {
    for name in [
        "s3-ls-wrong-secret",
        "sts-get-caller-identity-wrong-secret",
        "secretsmanager-list-secrets-wrong-secret",
        "boto3-sts-wrong-secret",
        "s3-ls-wrong-secret-emulator",
        "iam-list-users-wrong-secret-emulator",
    ] {
        let f = finding(name, &[], &[]);
        assert_eq!(f["rule"], "credentials.wrong-secret", "{name}");
        assert!(
            f.get("signature_diff").is_none(),
            "{name}: {}",
            f["signature_diff"]
        );
        if f["facts"]["signature.server_canonical"] == true {
            assert_eq!(f["facts"]["signature.canonical_match"], true, "{name}");
        }
        assert_eq!(f["facts"]["signature.rebuild_match"], true, "{name}");
    }
    // The responder fixtures do carry the server's view.
    let f = finding("s3-ls-wrong-secret", &[], &[]);
    assert_eq!(f["facts"]["signature.server_canonical"], true);
    assert_eq!(f["facts"]["signature.string_to_sign_match"], true);
}

#[test]
fn rust_sdk_traces_give_the_same_signature_evidence() {
    // RUST_LOG=trace: the canonical request is complete and equals the
    // server's (quoted in STS's message); the key comes from the logged
    // signing parameters, the Authorization header being redacted.
    let f = finding("rust-sts-wrong-secret", &[], &[]);
    assert_eq!(f["rule"], "credentials.wrong-secret");
    assert!(f.get("signature_diff").is_none(), "{}", f["signature_diff"]);
    let facts = &f["facts"];
    assert_eq!(facts["signature.server_canonical"], true);
    assert_eq!(facts["signature.canonical_match"], true);
    assert!(facts.get("signature.unchecked").is_none());
    assert_eq!(facts["credential.access_key_id"], "AKIA…0001");
    assert_eq!(facts["request.service"], "sts");
    assert_eq!(facts["request.operation"], "GetCallerIdentity");
    assert_eq!(facts["error.tool"], "aws-sdk-rust");

    // aws-sigv4 redacts the session token in its canonical request while
    // S3 quotes it in clear: not a difference, a part that was not checked.
    let name = "rust-s3-wrong-secret-session-token";
    let f = finding(name, &[], &[]);
    assert_eq!(f["rule"], "credentials.wrong-secret");
    assert!(f.get("signature_diff").is_none(), "{}", f["signature_diff"]);
    assert_eq!(f["facts"]["signature.canonical_match"], true);
    assert_eq!(
        f["facts"]["signature.unchecked"],
        "header:x-amz-security-token"
    );
    assert!(
        f["not_checked"][0]
            .as_str()
            .unwrap()
            .starts_with("the value of header:x-amz-security-token"),
        "the reader is told too: {}",
        f["not_checked"]
    );
    assert_eq!(f["facts"]["credential.key_type"], "temporary");
    assert!(
        f["explanation"]
            .as_str()
            .unwrap()
            .contains("could not be compared")
    );
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture(name).with_extension("expected.json")).unwrap(),
    )
    .unwrap();
    for format in ["json", "human"] {
        let out = authsift(
            &["--format", format, fixture(name).to_str().unwrap()],
            &[],
            b"",
        );
        let text = String::from_utf8_lossy(&out.stdout);
        for secret in expected["secrets"].as_array().unwrap() {
            assert!(
                !text.contains(secret.as_str().unwrap()),
                "{format} leaks {secret}"
            );
        }
    }
}

#[test]
fn region_mismatch_names_the_scope_region() {
    for (name, signed, expected) in [
        ("s3-ls-region-mismatch", "us-east-1", Some("eu-central-1")),
        (
            "sts-get-caller-identity-region-mismatch",
            "ap-southeast-2",
            None,
        ),
        ("iam-list-users-region-mismatch", "eu-west-1", None),
    ] {
        let f = finding(name, &[], &[]);
        assert_eq!(f["rule"], "region.mismatch", "{name}");
        let d = first_diff(&f);
        assert_eq!(d["component"], "scope:region", "{name}");
        assert_eq!(d["against"], "expected", "{name}");
        assert_eq!(d["client"], signed, "{name}");
        assert_eq!(
            d["server"],
            expected.map_or(Value::Null, Value::from),
            "{name}"
        );
    }
}

#[test]
fn clock_skew_names_the_date() {
    for name in [
        "s3-ls-clock-skew-ahead",
        "s3-ls-clock-skew-behind",
        "sts-clock-skew-ahead",
        "sts-clock-skew-behind",
        "secretsmanager-clock-skew-behind",
    ] {
        let f = finding(name, &[], &[]);
        assert_eq!(f["rule"], "clock.skew", "{name}");
        let d = first_diff(&f);
        assert_eq!(d["component"], "date", "{name}");
        assert_eq!(d["client"], f["facts"]["request.amz_date"], "{name}");
        assert_eq!(d["server"], f["facts"]["response.server_time"], "{name}");
        assert_eq!(f["facts"]["signature.scope_date_match"], true, "{name}");
    }
}

#[test]
fn temporary_key_without_token_names_the_security_token() {
    for name in [
        "s3-ls-asia-without-token",
        "sts-get-caller-identity-asia-without-token",
    ] {
        let f = finding(name, &[], &[]);
        assert_eq!(f["rule"], "token.invalid", "{name}");
        assert_eq!(f["facts"]["credential.key_type"], "temporary", "{name}");
        assert_eq!(f["facts"]["credential.token_consistent"], false, "{name}");
        let d = first_diff(&f);
        assert_eq!(d["component"], "security-token", "{name}");
        assert_eq!(d["client"], "not sent", "{name}");
    }
}

/// Every fixture whose expected.json names a component gets that component
/// first (the metadata's short names map to authsift's).
#[test]
fn every_fixture_component_matches_its_metadata() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/aws-debug");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.to_str().and_then(|p| p.strip_suffix(".expected.json")) else {
            continue;
        };
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (Some(component), Some(verdict)) =
            (expected["component"].as_str(), expected["verdict"].as_str())
        else {
            continue;
        };
        if verdict == "ok" {
            continue;
        }
        let want = match component {
            "host" => "header:host",
            "payload" => "payload-hash",
            "region" => "scope:region",
            other => other,
        };
        let name = Path::new(name).file_name().unwrap().to_str().unwrap();
        let f = finding(name, &[], &[]);
        assert_eq!(f["facts"]["signature.component"], want, "{name}");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures name a component");
}

const CLIENT_SECRET: &str = "fixtureRespSecret0000000000000000000002+";
const SERVER_SECRET: &str = "fixtureRespSecret0000000000000000000001+";

#[test]
fn secret_from_env_proves_which_secret_signed_and_never_appears() {
    let name = "s3-ls-wrong-secret";
    let var = "AUTHSIFT_TEST_SECRET";
    let f = finding(name, &["--secret-from-env", var], &[(var, CLIENT_SECRET)]);
    assert_eq!(f["facts"]["signature.secret_verified"], true);
    let f = finding(name, &["--secret-from-env", var], &[(var, SERVER_SECRET)]);
    assert_eq!(f["facts"]["signature.secret_verified"], false);
    let f = finding(name, &[], &[]);
    assert!(f["facts"].get("signature.secret_verified").is_none());
    for format in ["json", "human"] {
        for secret in [CLIENT_SECRET, SERVER_SECRET, "not-the-secret\n"] {
            let out = authsift(
                &[
                    "--format",
                    format,
                    "--color",
                    "never",
                    "--secret-from-env",
                    var,
                    fixture(name).to_str().unwrap(),
                ],
                &[(var, secret)],
                b"",
            );
            for stream in [&out.stdout, &out.stderr] {
                let text = String::from_utf8_lossy(stream);
                assert!(
                    !text.contains(secret.trim()),
                    "{format} output shows the secret"
                );
            }
        }
    }
}

#[test]
fn credentials_file_profile_is_a_secret_source() {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        format!("[default]\naws_secret_access_key = {SERVER_SECRET}\n\n[ci]\naws_secret_access_key = {CLIENT_SECRET}\n"),
    )
    .unwrap();
    let c = creds.to_str().unwrap();
    let f = finding(
        "sts-get-caller-identity-wrong-secret",
        &["--credentials-file", c, "--profile", "ci"],
        &[],
    );
    assert_eq!(f["facts"]["signature.secret_verified"], true);
    let f = finding(
        "sts-get-caller-identity-wrong-secret",
        &["--credentials-file", c, "--profile", "default"],
        &[],
    );
    assert_eq!(f["facts"]["signature.secret_verified"], false);
    // A missing variable or profile is an error, never a silent skip.
    let out = authsift(
        &[
            "--secret-from-env",
            "AUTHSIFT_NO_SUCH_VAR_X",
            fixture("s3-ls-ok").to_str().unwrap(),
        ],
        &[],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = authsift(
        &[
            "--credentials-file",
            c,
            "--profile",
            "nope",
            fixture("s3-ls-ok").to_str().unwrap(),
        ],
        &[],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    // --profile without --credentials-file is a usage error.
    let out = authsift(
        &["--profile", "ci", fixture("s3-ls-ok").to_str().unwrap()],
        &[],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
}

/// A SigV4A request: recognised by its algorithm, never checked as HMAC.
#[test]
fn sigv4a_is_recognised_and_not_compared_as_hmac() {
    let auth = "AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261126/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature=3045022100e4a4ef5f0e7dbd0d8a7b1a6c3b8fdb3d1f6c2e0e8d0f0c9b6a3e2d1c0b9a8f7e02201b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    let request = HttpRequest {
        method: "GET".into(),
        url: "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key".into(),
        headers: vec![
            ("X-Amz-Date".into(), "20261126T151412Z".into()),
            ("X-Amz-Region-Set".into(), "*".into()),
            ("X-Amz-Content-SHA256".into(), "UNSIGNED-PAYLOAD".into()),
            ("Authorization".into(), auth.into()),
        ],
        line: None,
    };
    let sts = "AWS4-ECDSA-P256-SHA256\n20261126T151412Z\n20261126/s3/aws4_request\nab";
    let run = Run {
        exchanges: vec![Exchange {
            string_to_sign: Some(Logged {
                text: sts.into(),
                span: Span::line(1),
            }),
            request: Some(request),
            response: authsift::model::HttpResponse {
                status: Some(403),
                ..Default::default()
            },
            ..Default::default()
        }],
        ..Default::default()
    };
    let incident = incident_with_secret(&run, Some(&Secret::new("any-secret"))).expect("a failure");
    let facts = &incident.facts;
    assert_eq!(
        facts.str(Fact::RequestAlgorithm),
        Some("AWS4-ECDSA-P256-SHA256")
    );
    assert_eq!(facts.bool(Fact::SignatureSigv4a), Some(true));
    assert_eq!(facts.str(Fact::RequestService), Some("s3"));
    assert_eq!(
        facts.str(Fact::RequestRegion),
        None,
        "SigV4A scopes have no region"
    );
    assert_eq!(
        facts.bool(Fact::SignatureSecretVerified),
        None,
        "no HMAC check"
    );
    assert_eq!(facts.bool(Fact::SignatureScopeDateMatch), Some(true));
    assert!(
        incident.signature_diff.is_empty(),
        "{:?}",
        incident.signature_diff
    );
}

#[test]
fn sigv4_diff_command_exit_codes_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(
        &a,
        "PUT\n/k\n\nhost:h\nx-amz-acl:private\n\nhost;x-amz-acl\nUNSIGNED-PAYLOAD\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "PUT\n/k\n\nhost:h\nx-amz-acl:private \n\nhost;x-amz-acl\nUNSIGNED-PAYLOAD\n",
    )
    .unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let out = authsift(&["sigv4", "diff", a, b], &[], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("header:x-amz-acl"), "{text}");
    assert!(
        text.contains("private␠"),
        "trailing space is marked:\n{text}"
    );
    let same = std::fs::read(a).unwrap();
    let out = authsift(&["sigv4", "diff", a, "-"], &[], &same);
    assert_eq!(out.status.code(), Some(0));
    let out = authsift(&["sigv4", "diff", a, "/no/such/file"], &[], b"");
    assert_eq!(out.status.code(), Some(2));
    let sts = "AWS4-HMAC-SHA256\n20261126T000000Z\n20261126/us-east-1/s3/aws4_request\nab\n";
    let out = authsift(&["sigv4", "diff", a, "-"], &[], sts.as_bytes());
    assert_eq!(
        out.status.code(),
        Some(2),
        "a canonical request against a string to sign"
    );
}
