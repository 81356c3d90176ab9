//! Reports for tickets and SIEMs: every output format, its published schema,
//! redaction, terminal safety and byte-for-byte determinism.

mod common;

use std::path::Path;

use common::{all_fixture_logs, batch_rules, bin, fixtures, lines, run, stdout, two_runs};
use serde_json::Value;

const FORMATS: [&str; 6] = ["human", "json", "jsonl", "ocsf", "table", "markdown"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn aws_fixture(name: &str) -> String {
    root()
        .join(format!("fixtures/aws-debug/{name}.log"))
        .display()
        .to_string()
}

/// The first log timestamp of a fixture, as ISO 8601 (the log clock read as
/// UTC): what reports give as the incident's time. Derived, not pinned, so
/// regenerated fixtures (new timestamps) keep these tests meaningful.
fn first_log_time(name: &str) -> (String, u64) {
    let text =
        std::fs::read_to_string(root().join(format!("fixtures/aws-debug/{name}.log"))).unwrap();
    let stamp = &text[..19];
    let iso = format!("{}T{}Z", &stamp[..10], &stamp[11..19]);
    let secs = authsift::time::parse_iso8601(&iso).unwrap();
    (iso, secs as u64 * 1000)
}

fn schema(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("docs/schema").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Validators for the published schemas (the jsonl schema refers to
/// definitions of the json one). OCSF output is validated against the
/// official definitions instead (tests/siem_schemas.rs).
struct Schemas {
    json: jsonschema::Validator,
    jsonl: jsonschema::Validator,
}

fn schemas() -> Schemas {
    let json = schema("authsift.schema.json");
    let id = json["$id"].as_str().unwrap().to_string();
    let registry = jsonschema::Registry::new()
        .add(id.as_str(), json.clone())
        .unwrap()
        .prepare()
        .unwrap();
    let build = |s: &Value| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(&registry)
            .build(s)
            .unwrap()
    };
    Schemas {
        json: build(&json),
        jsonl: build(&schema("authsift-jsonl.schema.json")),
    }
}

fn assert_valid(validator: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}\n{}",
        errors.join("\n"),
        serde_json::to_string(value).unwrap()
    );
}

#[test]
fn every_fixture_output_validates_against_the_published_schemas() {
    let s = schemas();
    let logs = all_fixture_logs();
    let paths: Vec<&str> = logs.iter().map(|p| p.to_str().unwrap()).collect();
    let with = |format: &'static str| {
        let mut args = vec!["--format", format];
        args.extend(&paths);
        args
    };
    let doc: Value = serde_json::from_str(&stdout(&with("json"), b"")).unwrap();
    assert_valid(&s.json, &doc, "the json document");
    let jsonl = lines(&stdout(&with("jsonl"), b""));
    // One line per finding of a log; of event inputs, one per group of
    // failures (their counts add up to the auth failures) and per finding
    // across files.
    let event_input =
        |f: &Value| ["cloudtrail", "s3-access-log"].contains(&f.as_str().unwrap_or(""));
    let log_findings: usize = doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !event_input(&i["format"]))
        .map(|i| i["findings"].as_array().unwrap().len())
        .sum();
    assert!(log_findings > 20);
    let batch = |l: &&Value| l["authsift"].get("batch").is_some();
    assert_eq!(
        jsonl.iter().filter(|l| !batch(l)).count(),
        log_findings,
        "one jsonl line per finding of a log"
    );
    let summary = &doc["summary"];
    let patterns = summary["findings"].as_array().unwrap().len();
    let pattern = |l: &&Value| l["rule"]["id"].as_str().unwrap().starts_with("pattern.");
    assert_eq!(
        jsonl.iter().filter(pattern).count(),
        patterns,
        "one line per finding across files"
    );
    let grouped: u64 = jsonl
        .iter()
        .filter(|l| l["authsift"]["batch"]["group"].get("cause").is_some())
        .map(|l| l["authsift"]["batch"]["count"].as_u64().unwrap())
        .sum();
    let auth = summary["failures"].as_u64().unwrap()
        - summary["service_failures"].as_u64().unwrap()
        - summary["other_errors"].as_u64().unwrap();
    assert_eq!(grouped, auth, "the groups hold every auth failure once");
    for (i, line) in jsonl.iter().enumerate() {
        assert_valid(&s.jsonl, line, &format!("jsonl line {}", i + 1));
    }

    // Batch findings, and --timestamp, validate too.
    let dir = tempfile::tempdir().unwrap();
    let rules = batch_rules(dir.path());
    let rules = rules.to_str().unwrap();
    let input = two_runs();
    for timestamp in [false, true] {
        let mut args = vec!["--rules", rules];
        if timestamp {
            args.push("--timestamp");
        }
        let doc: Value = serde_json::from_str(&stdout(
            &[&args[..], &["--format", "json"]].concat(),
            input.as_bytes(),
        ))
        .unwrap();
        assert_valid(&s.json, &doc, "a json document with a batch finding");
        let batch = lines(&stdout(
            &[&args[..], &["--format", "jsonl"]].concat(),
            input.as_bytes(),
        ));
        let found = batch
            .iter()
            .find(|l| l["rule"]["id"] == "key.repeated-failures")
            .expect("the batch rule fires");
        assert_eq!(found["authsift"]["batch"]["count"], 2);
        for line in &batch {
            assert_valid(&s.jsonl, line, "a jsonl line of a batch run");
        }
    }
}

#[test]
fn jsonl_uses_ecs_names_and_keeps_the_rest_under_authsift() {
    let line = &lines(&stdout(
        &[
            "--format",
            "jsonl",
            &aws_fixture("s3-ls-proxy-rewrites-host"),
        ],
        b"",
    ))[0];
    assert_eq!(line["event"]["kind"], "alert");
    assert_eq!(line["event"]["outcome"], "failure");
    assert_eq!(line["event"]["category"][0], "authentication");
    assert_eq!(line["event"]["action"], "ListObjectsV2");
    assert_eq!(line["error"]["code"], "SignatureDoesNotMatch");
    assert_eq!(line["rule"]["id"], "signature.canonical-mismatch");
    assert_eq!(line["rule"]["ruleset"], "authsift");
    assert_eq!(line["cloud"]["provider"], "aws");
    assert_eq!(line["cloud"]["region"], "eu-west-1");
    assert_eq!(line["cloud"]["service"]["name"], "s3");
    assert_eq!(line["authsift"]["input"]["line"], 138);
    assert_eq!(line["ecs"]["version"], "9.4.0");
    assert_eq!(line["authsift"]["time_source"], "event");
    assert_eq!(
        line["@timestamp"],
        first_log_time("s3-ls-proxy-rewrites-host").0
    );
    assert!(
        line["user_agent"]["original"]
            .as_str()
            .unwrap()
            .starts_with("aws-cli/")
    );
    assert!(
        line["log"]["file"]["path"]
            .as_str()
            .unwrap()
            .ends_with("s3-ls-proxy-rewrites-host.log")
    );
    assert_eq!(line["authsift"]["severity"], "high");
    assert_eq!(
        line["authsift"]["signature_diff"][0]["component"],
        "header:host"
    );
    assert!(
        line["event"].get("created").is_none(),
        "no clock without --timestamp"
    );
    // Every key nests: `jq .rule.id` works, no key has a dot, nothing is null.
    fn walk(v: &Value, path: &str) {
        if let Value::Object(map) = v {
            for (k, child) in map {
                let inside = path == "authsift.facts" || path == "authsift.batch.group";
                assert!(inside || !k.contains('.'), "{path}: dotted key {k}");
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                assert!(!child.is_null(), "{at} is null");
                walk(child, &at);
            }
        }
    }
    walk(line, "");
    // The facts are a flat map of strings, whatever their type.
    for (k, v) in line["authsift"]["facts"].as_object().unwrap() {
        assert!(v.is_string(), "authsift.facts.{k}: {v}");
    }
    // The endpoint's port is not part of its address.
    let proxied = &lines(&stdout(
        &[
            "--format",
            "jsonl",
            &aws_fixture("s3-ls-proxy-rewrites-host"),
        ],
        b"",
    ))[0];
    if let Some(address) = proxied["destination"]["address"].as_str() {
        assert!(!address.contains(':'), "{address}");
    }

    let denied = &lines(&stdout(
        &[
            "--format",
            "jsonl",
            &aws_fixture("iam-list-users-access-denied"),
        ],
        b"",
    ))[0];
    assert_eq!(denied["event"]["category"][0], "api");
    assert_eq!(denied["user"]["name"], "bob");
    assert_eq!(denied["user"]["id"], "arn:aws:iam::123456789012:user/bob");
    assert_eq!(denied["cloud"]["account"]["id"], "123456789012");

    let stamped = &lines(&stdout(
        &[
            "--format",
            "jsonl",
            "--timestamp",
            &aws_fixture("s3-ls-no-credentials"),
        ],
        b"",
    ))[0];
    assert!(stamped["event"]["created"].is_string());
}

/// The OCSF 1.1.0 class definition (docs/siem-mapping.md, the reference
/// in shared/): required attributes and their types, checked field by field
/// in addition to the schema.
#[test]
fn ocsf_findings_have_the_required_fields_and_types() {
    let logs = all_fixture_logs();
    let mut args = vec!["--format", "ocsf"];
    args.extend(logs.iter().map(|p| p.to_str().unwrap()));
    let findings = lines(&stdout(&args, b""));
    assert!(!findings.is_empty());
    let mut uids = std::collections::BTreeSet::new();
    for f in &findings {
        let int = |k: &str| {
            f[k].as_u64()
                .unwrap_or_else(|| panic!("{k} is an integer: {f}"))
        };
        assert_eq!(int("class_uid"), 2004);
        assert_eq!(int("category_uid"), 2);
        assert_eq!(int("activity_id"), 1);
        assert_eq!(int("type_uid"), int("class_uid") * 100 + int("activity_id"));
        assert!([1, 2, 3, 4, 5, 6].contains(&int("severity_id")));
        assert!([1, 2, 3].contains(&int("confidence_id")));
        let _ = int("time");
        assert_eq!(f["metadata"]["version"], "1.1.0");
        assert_eq!(f["metadata"]["product"]["name"], "authsift");
        let info = &f["finding_info"];
        for k in ["uid", "title", "desc"] {
            assert!(info[k].is_string(), "finding_info.{k}: {f}");
        }
        assert_eq!(info["analytic"]["type_id"], 1);
        assert!(info["analytic"]["uid"].is_string());
        assert!(info["types"][0].is_string());
        assert!(int("count") >= 1, "how many calls the finding stands for");
        assert!(f["remediation"]["desc"].is_string());
        assert!(f["remediation"]["references"].is_array());
        assert_eq!(f["cloud"]["provider"], "AWS");
        let evidence = &f["evidences"][0];
        let class = evidence["data"]["class_uid"].as_u64().unwrap();
        match class {
            // `api` (whose `operation` is required) only when the operation is known.
            6003 => assert!(
                evidence.get("api").is_none() || evidence["api"]["operation"].is_string(),
                "{f}"
            ),
            3002 => assert_eq!(evidence["data"]["activity_name"], "Logon", "{f}"),
            other => panic!("evidence shaped as class {other}"),
        }
        assert_eq!(evidence["data"]["status_id"], 2, "{f}");
        assert!(f["unmapped"]["authsift"]["source"]["path"].is_string());
        uids.insert(info["uid"].as_str().unwrap().to_string());
    }
    assert_eq!(uids.len(), findings.len(), "finding uids are unique");
    // The same input gives the same uids.
    let again = lines(&stdout(&args, b""));
    assert_eq!(
        again[0]["finding_info"]["uid"],
        findings[0]["finding_info"]["uid"]
    );

    let proxy = &lines(&stdout(
        &[
            "--format",
            "ocsf",
            &aws_fixture("s3-ls-proxy-rewrites-host"),
        ],
        b"",
    ))[0];
    let ev = &proxy["evidences"][0];
    assert_eq!(ev["api"]["service"]["name"], "s3");
    assert_eq!(ev["api"]["response"]["error"], "SignatureDoesNotMatch");
    // No principal is named, so no OCSF user (it needs a uid, a name or an
    // account): the key id is told in `data`, masked.
    assert!(ev.get("actor").is_none(), "{ev}");
    assert!(
        ev["data"]["credential_uid"].as_str().unwrap().contains('…'),
        "key ids are masked"
    );
    assert_eq!(
        proxy["unmapped"]["authsift"]["sigv4"]["differences"][0]["component"],
        "header:host"
    );
    assert_eq!(proxy["time"], first_log_time("s3-ls-proxy-rewrites-host").1);
}

/// Puts known secrets into the failure line of a log of each kind (and a
/// request header where the log has one).
fn plant(text: &str, secrets: &Planted) -> String {
    let Planted {
        secret,
        token,
        password,
        signature,
    } = secrets;
    let tail = format!(
        " aws_secret_access_key={secret} X-Amz-Security-Token: {token} via http://bob:{password}@proxy.corp:3128/ raw {secret} Signature={signature}"
    );
    let mut planted = String::new();
    let mut done = false;
    for line in text.lines() {
        planted.push_str(line);
        if !done && (line.contains("An error occurred (") || line.contains("Unable to locate")) {
            planted.push_str(&tail);
            done = true;
        }
        planted.push('\n');
    }
    assert!(done, "the plant took");
    planted.replace(
        "'X-Amz-Date'",
        &format!("'X-Amz-Security-Token': b'{token}', 'X-Amz-Date'"),
    )
}

struct Planted {
    secret: &'static str,
    token: &'static str,
    password: &'static str,
    signature: &'static str,
}

/// The first piece of a planted secret that `shown` shows, if any.
fn leaked(shown: &str) -> Option<&'static str> {
    [
        PLANTED.secret,
        PLANTED.token,
        PLANTED.password,
        &PLANTED.signature[..16],
        &PLANTED.secret[..12],
        &PLANTED.token[..24],
    ]
    .into_iter()
    .find(|s| shown.contains(s))
}

const PLANTED: Planted = Planted {
    secret: "Zq9wRkT3bLmN8xVc2HyU5aPe7GdJ4sFo1KiWnQ6t",
    token: "IQoJb3JpZ2luX2VjEPLANTEDTOKENvYXdzEFQaCXVzLWVhc3QtMSJHMEUCIQD",
    password: "hunter2hunter2",
    signature: "5d1e8f3a9b7c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e",
};

#[test]
fn planted_secrets_never_reach_any_format_for_any_fixture_kind() {
    let mut samples: Vec<(String, String)> = vec![
        (
            "aws-debug".into(),
            std::fs::read_to_string(aws_fixture("s3-ls-wrong-secret")).unwrap(),
        ),
        (
            "text".into(),
            "deploy step 3\nAn error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n".into(),
        ),
    ];
    for name in [
        "github-actions-buried-unknown-key",
        "gitlab-ci-buried-unknown-key",
        "jenkins-buried-unknown-key",
    ] {
        if let Ok(text) = std::fs::read_to_string(root().join(format!("fixtures/ci/{name}.log"))) {
            samples.push((name.into(), text));
        }
    }
    assert!(samples.len() >= 2);
    for (kind, text) in samples {
        let planted = plant(&text, &PLANTED);
        for format in FORMATS {
            for redact in [true, false] {
                let mut args = vec!["--format", format, "--color", "never"];
                if !redact {
                    args.push("--no-redact");
                }
                let shown = stdout(&args, planted.as_bytes());
                // Human and table output cut or leave out the message; the
                // others show it whole, redacted.
                assert!(
                    matches!(format, "human" | "table") || shown.contains("<redacted>"),
                    "{kind}/{format}: something was redacted:\n{shown}"
                );
                if let Some(s) = leaked(&shown) {
                    panic!("{kind}/{format} (redact {redact}) leaks {s}:\n{shown}");
                }
            }
        }
    }
}

/// Paths with long mixed-case segments (issue 17: they read as opaque
/// tokens) stay whole in every format, with and without `--no-redact`,
/// both the input's own path and paths in the log's text, while the
/// planted secrets next to them stay hidden.
#[test]
fn planted_paths_survive_every_format_and_secrets_still_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let input = "Users/JohnSmith/Projects/InfraRepo/logs/deploy.log";
    let in_text =
        "/home/runner/work/InfraRepo/terraform/NetworkStack2024/DeploymentPipeline/main.tf";
    let role = "arn:aws:iam::111122223333:role/MyDeploymentRoleForGithubActions2024";
    let text = std::fs::read_to_string(aws_fixture("s3-ls-wrong-secret")).unwrap();
    let planted = plant(&text, &PLANTED).replace(
        "An error occurred (",
        &format!("reading {in_text} as {role}: An error occurred ("),
    );
    let path = dir.path().join(input);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &planted).unwrap();
    for format in FORMATS {
        for redact in [true, false] {
            let mut args = vec!["--format", format, "--color", "never", input];
            if !redact {
                args.push("--no-redact");
            }
            let out = bin()
                .args(&args)
                .current_dir(dir.path())
                .env("COLUMNS", "400")
                .output()
                .unwrap();
            let shown = String::from_utf8(out.stdout).unwrap();
            assert!(
                shown.contains(input),
                "{format} (redact {redact}) keeps the input's path:\n{shown}"
            );
            if !matches!(format, "human" | "table") {
                assert!(
                    shown.contains(in_text) && shown.contains(role),
                    "{format} (redact {redact}) keeps the paths in the log:\n{shown}"
                );
            }
            if let Some(s) = leaked(&shown) {
                panic!("{format} (redact {redact}) leaks {s}:\n{shown}");
            }
        }
    }
}

#[test]
fn no_secret_of_any_fixture_reaches_any_format() {
    let fixtures = fixtures();
    let paths: Vec<String> = fixtures
        .iter()
        .map(|f| f.log.display().to_string())
        .collect();
    for format in FORMATS {
        let mut args = vec!["--format", format, "--color", "never"];
        args.extend(paths.iter().map(String::as_str));
        let out = stdout(&args, b"");
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

#[test]
fn escape_sequences_in_user_agents_and_messages_never_reach_the_terminal() {
    let text = std::fs::read_to_string(aws_fixture("s3-ls-access-denied")).unwrap();
    let osc = "\x1b]0;pwned\x07";
    let hostile: String = text
        .lines()
        .map(|l| {
            let l = l
                .replace("aws-cli/1.46.3", &format!("aws-cli/1.46.3{osc}\x1b[31m"))
                .replace("'User-Agent': b'", &format!("'User-Agent': b'{osc}"));
            if l.starts_with("An error occurred (") {
                format!("{l} {osc}\x1b[2J\x1b]8;;http://evil/\x07link\x1b]8;;\x07\u{202e}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert_ne!(hostile, text);
    // The plant reaches the findings (the user agent via the CLI version).
    let json = stdout(&["--format", "json"], hostile.as_bytes());
    assert!(json.contains("\\u001b]0;pwned"), "{json}");
    // The file name carries one too (tables show names, not messages).
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join(format!("job{osc}.log"));
    std::fs::write(&log, &hostile).unwrap();
    for format in ["human", "table", "markdown"] {
        for color in ["never", "always"] {
            let shown = stdout(
                &["--format", format, "--color", color, log.to_str().unwrap()],
                b"",
            );
            if format == "human" {
                assert!(
                    shown.contains("job\\e]0;pwned\\x07.log"),
                    "{format}: {shown}"
                );
            } else if format == "table" {
                // The name's start may give way to the column's width.
                assert!(shown.contains("\\x07.log"), "{format}: {shown}");
            }
            if format != "table" {
                assert!(
                    shown.contains("Access Denied \\e]0;pwned\\x07"),
                    "{format}: {shown}"
                );
            }
            assert!(
                !shown.contains("\x1b]"),
                "{format}: raw OSC reached the terminal"
            );
            assert!(
                !shown.contains("\x1b[2J"),
                "{format}: raw CSI reached the terminal"
            );
            assert!(
                !shown.contains("\x1b[31m"),
                "{format}: raw SGR from the log"
            );
            assert!(!shown.contains('\x07'), "{format}: raw BEL");
            assert!(!shown.contains('\u{202e}'), "{format}: raw bidi override");
        }
    }
}

/// Same input, same bytes, whatever the thread count. SIEM formats give a
/// finding whose input has no time at all the run's clock: pinned here
/// with `SOURCE_DATE_EPOCH`, as a reproducible pipeline would.
#[test]
fn outputs_are_byte_for_byte_deterministic() {
    let dir = root().join("fixtures");
    let render = |format: &str, threads: &str| {
        let out = bin()
            .env("RAYON_NUM_THREADS", threads)
            .env("SOURCE_DATE_EPOCH", "1800000000")
            .env("COLUMNS", "100")
            .args(["--format", format, "--color", "never"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(!out.stdout.is_empty(), "{format}");
        out.stdout
    };
    for format in FORMATS {
        let one = render(format, "1");
        assert_eq!(one, render(format, "1"), "{format}: same run twice");
        assert_eq!(one, render(format, "2"), "{format}: 1 vs 2 threads");
    }
}

#[test]
fn output_flag_writes_any_format_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = aws_fixture("s3-ls-proxy-rewrites-host");
    for format in FORMATS {
        let file = dir.path().join(format!("report.{format}"));
        let out = run(
            &["--format", format, "-o", file.to_str().unwrap(), &log],
            b"",
        );
        assert_eq!(out.status.code(), Some(1), "{format}: a failure was found");
        assert!(out.stdout.is_empty(), "{format}: nothing on stdout");
        let written = std::fs::read(&file).unwrap();
        let printed = run(&["--format", format, "--color", "never", &log], b"").stdout;
        assert_eq!(written, printed, "{format}: file and stdout agree");
    }
    let out = run(
        &["--format", "json", "-o", "/no/such/dir/report.json", &log],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/dir/report.json"));
}

#[test]
fn table_has_a_row_per_finding_and_fits_the_width() {
    let logs = [
        aws_fixture("s3-ls-proxy-rewrites-host"),
        aws_fixture("s3-ls-asia-without-token"),
        aws_fixture("s3-ls-ok"),
    ];
    for columns in ["60", "80", "160"] {
        let out = bin()
            .env("COLUMNS", columns)
            .args(["--format", "table"])
            .args(&logs)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let width: usize = columns.parse().unwrap();
        for line in text.lines() {
            assert!(
                line.chars().count() <= width,
                "COLUMNS={columns}: {} wide:\n{text}",
                line.chars().count()
            );
        }
        if width >= 100 {
            assert!(text.contains("signature.canonical-mismatch"), "{text}");
        }
        assert!(
            text.contains("┆ ok "),
            "the input without a failure has a row: {text}"
        );
        if width >= 100 {
            assert!(
                text.contains("(1)"),
                "the second cause of an incident: {text}"
            );
        } else {
            assert!(
                text.contains("┆ also "),
                "the second cause of an incident: {text}"
            );
        }
    }
}

#[test]
fn markdown_report_of_a_signature_mismatch_reads_as_a_ticket() {
    let log = aws_fixture("s3-ls-proxy-rewrites-host");
    let md = stdout(&["--format", "markdown", &log], b"");
    assert!(md.starts_with("# authsift report\n"), "{md}");
    assert!(
        md.contains("**Verdict:** SignatureDoesNotMatch on s3:ListObjectsV2"),
        "{md}"
    );
    assert!(md.contains("high confidence"), "{md}");
    assert!(md.contains("## Inputs analyzed"), "{md}");
    let size = std::fs::metadata(&log).unwrap().len();
    let size = size.to_string();
    let shown = format!(
        "{},{} bytes | aws-debug |",
        &size[..size.len() - 3],
        &size[size.len() - 3..]
    );
    assert!(md.contains(&shown), "size and format of the input: {md}");
    let line_91 = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .nth(90)
        .unwrap()
        .to_string();
    assert!(
        md.contains(&format!("```text\n 91  {}", &line_91[..40])),
        "{md}"
    );
    assert!(
        md.contains("138  An error occurred (SignatureDoesNotMatch)"),
        "{md}"
    );
    // The proxy keeps the port and rewrites the name (ports change when the
    // fixtures are regenerated).
    let port = regex::Regex::new(r"client signed   127\.0\.0\.1:(\d+)")
        .unwrap()
        .captures(&md)
        .map(|c| c[1].to_string())
        .expect("the host difference is shown");
    assert!(
        md.contains(&format!(
            "```text\nheader:host\n  client signed   127.0.0.1:{port}\n  server computed localhost:{port}\n"
        )),
        "the SigV4 diff is fenced: {md}"
    );
    assert!(md.contains("- [ ] Look for a proxy"), "{md}");
    assert!(md.contains("<details><summary>Facts"), "{md}");
    assert!(md.contains("Generated by authsift "), "{md}");
    assert!(md.contains("with rule set `sha256:"), "{md}");
    // Fences are balanced.
    let fences = md.lines().filter(|l| l.starts_with("```")).count();
    assert_eq!(fences % 2, 0, "{md}");
    assert!(!md.contains("Generated 20"), "no clock without --timestamp");
    let stamped = stdout(&["--format", "markdown", "--timestamp", &log], b"");
    assert!(stamped.contains("Generated 20"), "{stamped}");
}

#[test]
fn markdown_escapes_what_comes_from_logs() {
    let text = std::fs::read_to_string(aws_fixture("s3-ls-access-denied")).unwrap();
    let hostile: String = text
        .lines()
        .map(|l| match l.starts_with("An error occurred (") {
            true => {
                format!(
                    "{l} *bold* @octocat <img src=x onerror=alert(1)> | [x](http://evil) [y](javascript:alert(1)) ```\n"
                )
            }
            false => format!("{l}\n"),
        })
        .collect();
    let md = stdout(&["--format", "markdown"], hostile.as_bytes());
    assert!(md.contains("\\*bold\\* \\@octocat \\<img"), "{md}");
    // Outside fenced blocks (where nothing is interpreted) nothing is raw.
    let mut outside = String::new();
    let mut fenced = false;
    for line in md.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            outside.push_str(line);
            outside.push('\n');
        }
    }
    assert!(!outside.contains(" @octocat"), "no mention: {outside}");
    let raw = |what: &str| {
        outside
            .match_indices(what)
            .any(|(i, _)| i == 0 || outside.as_bytes()[i - 1] != b'\\')
    };
    assert!(!raw("<img"), "no HTML: {outside}");
    assert!(!raw("[x]"), "no link: {outside}");
    assert!(!raw("[y]"), "no javascript: link: {outside}");
    // The message's pipe stays inside its table cell: every row of a
    // table has its header's columns.
    let cells = |row: &str| {
        let bytes = row.as_bytes();
        (0..bytes.len())
            .filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
            .count()
    };
    let mut header = None;
    let mut rows = 0;
    for line in outside.lines() {
        match (line.starts_with('|'), header) {
            (true, None) => header = Some(cells(line)),
            (true, Some(columns)) => {
                assert_eq!(cells(line), columns, "{line}");
                rows += 1;
            }
            (false, _) => header = None,
        }
    }
    assert!(md.contains("\\| \\[x\\]"), "the pipe is in a cell: {md}");
    assert!(rows > 0, "{md}");
    // The log line with three backticks is fenced with four.
    assert!(md.contains("````text\n"), "{md}");
    let fences = md.lines().filter(|l| l.starts_with("```")).count();
    assert_eq!(fences % 2, 0, "{md}");
}

#[test]
fn the_documented_markdown_example_is_current() {
    // docs/examples/ holds the report of a signature-mismatch fixture as the
    // binary prints it (regenerate with the command in docs/examples/README.md).
    let example =
        std::fs::read_to_string(root().join("docs/examples/s3-ls-proxy-rewrites-host.md")).unwrap();
    let out = bin()
        .current_dir(root())
        .args([
            "--format",
            "markdown",
            "fixtures/aws-debug/s3-ls-proxy-rewrites-host.log",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    let head = |s: &str| -> String {
        // The facts table follows the facts the analysis knows, which grow;
        // the report itself must match up to there.
        s.split("<details>").next().unwrap().to_string()
    };
    assert_eq!(
        head(&example),
        head(&md),
        "docs/examples/s3-ls-proxy-rewrites-host.md is out of date; regenerate it (docs/examples/README.md)"
    );
}
