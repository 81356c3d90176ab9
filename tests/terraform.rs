//! Terraform's structured HTTP lines (`TF_LOG=DEBUG`, provider v5 and the S3
//! backend) inside GitHub Actions jobs: the request and response become an
//! exchange, so scope, region, dates and error bodies are analyzed even
//! though the key id, signature and token are masked — and the report says
//! what the masks kept it from checking.

mod common;

use std::path::{Path, PathBuf};

use common::{json, run};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/ci/{name}.log"))
}

fn first_finding(args: &[&str], input: &[u8]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    json(&run(&all, input))["inputs"][0]["findings"][0].clone()
}

/// The 1-based number of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1
}

fn evidence_lines(f: &Value) -> Vec<u64> {
    f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect()
}

#[test]
fn masked_provider_signature_failure_says_what_it_could_not_check() {
    let path = fixture("github-actions-terraform-hclog-masked-signature");
    let text = std::fs::read_to_string(&path).unwrap();
    let f = first_finding(&[path.to_str().unwrap()], b"");
    assert_eq!(f["rule"], "credentials.wrong-secret");
    let facts = &f["facts"];
    // What the masks leave: scope, region, dates, signed headers, key prefix.
    assert_eq!(facts["request.region"], "us-west-2");
    assert_eq!(facts["request.endpoint_region"], "us-west-2");
    assert_eq!(facts["signature.scope_region_match"], true);
    assert_eq!(facts["request.amz_date"], "20261126T093002Z");
    assert_eq!(facts["signature.scope_date_match"], true);
    assert_eq!(facts["clock.skew_seconds"], 0);
    assert_eq!(facts["credential.key_type"], "temporary", "ASIA survives");
    assert_eq!(facts["credential.token_consistent"], true);
    assert_eq!(facts["request.operation"], "GetCallerIdentity");
    assert_eq!(facts["http.status"], 403);
    assert!(
        facts["request.signed_headers"]
            .as_str()
            .unwrap()
            .ends_with("x-amz-date;x-amz-security-token")
    );
    assert_eq!(
        facts["log.masked"],
        "access_key_id,signature,security_token"
    );
    let unchecked: Vec<&str> = f["not_checked"]
        .as_array()
        .expect("not_checked")
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(unchecked.len(), 4, "{unchecked:?}");
    assert!(unchecked[0].starts_with("the whole access key id"));
    assert!(unchecked[1].starts_with("the signature value"));
    assert!(unchecked[2].starts_with("the session token"));
    assert!(unchecked[3].contains("neither the client's canonical request"));
    // The step, and the original lines: request, response, final error.
    assert_eq!(facts["ci.step"], "Run terraform plan");
    let lines = evidence_lines(&f);
    for needle in [
        "HTTP Request Sent",
        "HTTP Response Received",
        "api error SignatureDoesNotMatch",
    ] {
        assert!(
            lines.contains(&line_of(&text, needle)),
            "{needle}: {lines:?}"
        );
    }
    let request = line_of(&text, "HTTP Request Sent") as usize;
    let shown = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["line"] == request)
        .unwrap()["text"]
        .as_str()
        .unwrap();
    // The original line, CI prefix and all (redaction may rewrite the
    // token field further on).
    let original = text.lines().nth(request - 1).unwrap();
    let head = &original[..original.find("HTTP Request Sent").unwrap()];
    assert!(shown.starts_with(head), "{shown}");
}

#[test]
fn backend_region_mismatch_names_the_signed_and_the_expected_region() {
    let path = fixture("github-actions-terraform-hclog-backend-region-mismatch");
    let text = std::fs::read_to_string(&path).unwrap();
    let f = first_finding(&[path.to_str().unwrap()], b"");
    assert_eq!(f["rule"], "region.mismatch");
    let facts = &f["facts"];
    assert_eq!(facts["request.region"], "us-east-1");
    assert_eq!(facts["request.endpoint_region"], "us-east-2");
    assert_eq!(facts["response.expected_region"], "us-east-2");
    assert_eq!(facts["signature.scope_region_match"], false);
    assert_eq!(facts["signature.component"], "scope:region");
    assert_eq!(facts["request.amz_date"], "20261126T093001Z");
    assert_eq!(facts["request.operation"], "ListObjectsV2");
    assert_eq!(facts["error.code"], "AuthorizationHeaderMalformed");
    assert_eq!(facts["credential.key_type"], "long-term");
    assert_eq!(facts["log.masked"], "access_key_id,signature");
    assert_eq!(facts["ci.step"], "Run terraform init");
    let diff = &f["signature_diff"][0];
    assert_eq!(
        (&diff["client"], &diff["server"]),
        (&Value::from("us-east-1"), &Value::from("us-east-2"))
    );
    let unchecked = f["not_checked"].as_array().expect("not_checked");
    assert_eq!(unchecked.len(), 2, "no token was sent: {unchecked:?}");
    let lines = evidence_lines(&f);
    assert!(lines.contains(&line_of(&text, "HTTP Request Sent")));
    assert!(lines.contains(&line_of(&text, "HTTP Response Received")));
}

#[test]
fn the_same_lines_outside_ci_read_the_same() {
    // What `terraform plan 2>&1 | tee tf.log` would hold: the job's lines
    // without the runner's timestamps (one line per line, so the same numbers).
    let prefix = regex::Regex::new(r"^\x{feff}?\S+Z ").unwrap();
    for name in [
        "github-actions-terraform-hclog-masked-signature",
        "github-actions-terraform-hclog-backend-region-mismatch",
    ] {
        let wrapped = std::fs::read_to_string(fixture(name)).unwrap();
        let plain: String = wrapped
            .lines()
            .map(|l| prefix.replace(l, "").into_owned() + "\n")
            .collect();
        let ci = first_finding(&[fixture(name).to_str().unwrap()], b"");
        let raw = first_finding(&[], plain.as_bytes());
        assert_eq!(ci["rule"], raw["rule"], "{name}");
        assert_eq!(evidence_lines(&ci), evidence_lines(&raw), "{name}");
        assert_eq!(ci["not_checked"], raw["not_checked"], "{name}");
        for fact in [
            "request.region",
            "request.endpoint_region",
            "request.amz_date",
            "log.masked",
            "error.code",
        ] {
            assert_eq!(ci["facts"][fact], raw["facts"][fact], "{name}: {fact}");
        }
    }
}

#[test]
fn the_human_report_says_what_was_not_checked() {
    let path = fixture("github-actions-terraform-hclog-masked-signature");
    let out = run(&["--color", "never", path.to_str().unwrap()], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("step \"Run terraform plan\""), "{text}");
    assert!(text.contains("unchecked the whole access key id"), "{text}");
    assert!(text.contains("the session token: it is masked"), "{text}");
}
