//! SIEM outputs against the official definitions vendored in
//! `tests/schemas/` (PROVENANCE.md there): every OCSF finding of every
//! fixture validates against OCSF 1.1.0 and every jsonl line against ECS,
//! and the validators reject what the versions do not define.

mod common;

use common::siem::{Ecs, Ocsf};
use common::{all_fixture_logs, batch_rules, bin, lines, stdout, two_runs};
use serde_json::{Value, json};

/// Every finding authsift reports in `format` for every fixture: the log
/// fixtures of every kind, a batch rule with and without `--timestamp`, and
/// `authsift config` on every config fixture.
fn every_finding(format: &str) -> Vec<Value> {
    let logs = all_fixture_logs();
    let mut args = vec!["--format", format];
    args.extend(logs.iter().map(|p| p.to_str().unwrap()));
    let mut out = lines(&stdout(&args, b""));
    assert!(out.len() > 20, "the fixtures have findings");

    let dir = tempfile::tempdir().unwrap();
    let rules = batch_rules(dir.path());
    let rules = rules.to_str().unwrap();
    for timestamp in [false, true] {
        let mut args = vec!["--rules", rules, "--format", format];
        if timestamp {
            args.push("--timestamp");
        }
        let batch = lines(&stdout(&args, two_runs().as_bytes()));
        assert!(batch.len() >= 2, "the runs and the batch rule fire");
        out.extend(batch);
    }

    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/config");
    let mut dirs: Vec<_> = std::fs::read_dir(config)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let before = out.len();
    for dir in dirs {
        let config = dir.join("config");
        let credentials = dir.join("credentials");
        let mut args = vec!["config", "--format", format];
        if config.exists() {
            args.extend(["--config-file", config.to_str().unwrap()]);
        }
        if credentials.exists() {
            args.extend(["--credentials-file", credentials.to_str().unwrap()]);
        }
        let found = bin()
            .args(&args)
            .env_clear()
            .env("HOME", dir.as_os_str())
            .output()
            .unwrap();
        out.extend(lines(&String::from_utf8(found.stdout).unwrap()));
    }
    assert!(out.len() > before, "the config fixtures have findings");
    out
}

#[test]
fn every_ocsf_finding_of_every_fixture_validates_against_ocsf_1_1_0() {
    let ocsf = Ocsf::v1_1_0();
    let findings = every_finding("ocsf");
    for (i, f) in findings.iter().enumerate() {
        let errors = ocsf.validate(f);
        assert!(
            errors.is_empty(),
            "finding {i} breaks OCSF {}:\n{}\n{f}",
            ocsf.version(),
            errors.join("\n")
        );
        assert_eq!(f["class_uid"], 2004, "Detection Finding");
        assert!(
            f["time"].as_i64().unwrap() > 1_000_000_000_000,
            "a real time, never 1970: {f}"
        );
    }
    // Findings about the config files never reached AWS: Authentication.
    let config: Vec<&Value> = findings
        .iter()
        .filter(|f| f["unmapped"]["authsift"]["source"]["format"] == "aws-config")
        .collect();
    assert!(!config.is_empty());
    for f in config {
        assert_eq!(f["evidences"][0]["data"]["class_uid"], 3002, "{f}");
        assert!(f["evidences"][0].get("api").is_none(), "{f}");
    }
}

/// Times come from the event, else from the log line, else the run (marked).
#[test]
fn ocsf_time_is_the_events_else_the_log_lines_else_the_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let time = |path: &str| {
        let out = bin()
            .args(["--format", "ocsf"])
            .arg(root.join(path))
            .env("SOURCE_DATE_EPOCH", "1800000000")
            .output()
            .unwrap();
        let f = lines(&String::from_utf8(out.stdout).unwrap()).remove(0);
        (
            f["time"].as_i64().unwrap(),
            f["unmapped"]["authsift"]["time_source"].clone(),
        )
    };
    let (_, source) = time("fixtures/aws-debug/s3-ls-proxy-rewrites-host.log");
    assert_eq!(source, "event");
    // Jenkins stamps its lines: `[2026-11-26T09:31:09.671Z] An error occurred …`.
    let (t, source) = time("fixtures/ci/jenkins-buried-unknown-key.log");
    assert_eq!(source, "log");
    assert_eq!(
        t,
        authsift::time::parse_iso8601("2026-11-26T09:31:09Z").unwrap() * 1000
    );
    // A log with no time at all: the run's clock, here SOURCE_DATE_EPOCH.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("plain.log");
    std::fs::write(
        &log,
        "deploy step 3\nAn error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n",
    )
    .unwrap();
    let out = bin()
        .args(["--format", "ocsf"])
        .arg(&log)
        .env("SOURCE_DATE_EPOCH", "1800000000")
        .output()
        .unwrap();
    let f = lines(&String::from_utf8(out.stdout).unwrap()).remove(0);
    assert_eq!(f["time"], 1_800_000_000_000i64);
    assert_eq!(f["unmapped"]["authsift"]["time_source"], "run");
}

/// The validator is no rubber stamp: attributes from later OCSF versions,
/// wrong types, missing requirements and mismatched captions are refused.
#[test]
fn the_ocsf_validator_rejects_what_1_1_0_does_not_define() {
    let ocsf = Ocsf::v1_1_0();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("fixtures/aws-debug/iam-list-users-access-denied.log");
    let good = lines(&stdout(&["--format", "ocsf", path.to_str().unwrap()], b"")).remove(0);
    assert_eq!(ocsf.validate(&good), Vec::<String>::new());
    assert!(
        good["evidences"][0]["actor"]["user"]["uid"].is_string(),
        "the denied principal is the actor: {good}"
    );

    let broken = |change: &dyn Fn(&mut Value), expected: &str| {
        let mut f = good.clone();
        change(&mut f);
        let errors = ocsf.validate(&f);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{expected}: {errors:?}"
        );
    };
    // Attributes OCSF added after 1.1.0, which authsift used to emit.
    broken(
        &|f| f["is_alert"] = json!(true),
        "is_alert: not an attribute",
    );
    broken(
        &|f| f["finding_info"]["related_events_count"] = json!(1),
        "finding_info.related_events_count: not an attribute",
    );
    broken(
        &|f| f["evidences"][0]["http_request"] = json!({"user_agent": "aws-cli/2"}),
        "evidences[0].http_request: not an attribute",
    );
    broken(
        &|f| f["evidences"][0]["user"] = json!({"name": "bob"}),
        "evidences[0].user: not an attribute",
    );
    // Types, requirements, enums, captions, constraints, profiles.
    broken(
        &|f| f["time"] = json!("2026-11-26"),
        "time: \"2026-11-26\" is not a",
    );
    broken(
        &|f| f["time_dt"] = json!("yesterday"),
        "time_dt: yesterday does not match",
    );
    broken(
        &|f| {
            f["finding_info"].as_object_mut().unwrap().remove("uid");
        },
        "finding_info.uid: required, missing",
    );
    broken(
        &|f| f["severity_id"] = json!(7),
        "severity_id: 7 is not one of",
    );
    broken(
        &|f| f["severity"] = json!("Critical"),
        "severity: \"Critical\" is not the caption",
    );
    broken(
        &|f| f["evidences"][0]["actor"]["user"] = json!({"credential_uid": "AKIA…MPLE"}),
        "needs at least one of",
    );
    broken(
        &|f| f["metadata"]["profiles"] = json!(["datetime"]),
        "belongs to profile",
    );
    broken(
        &|f| f["metadata"]["version"] = json!("1.4.0"),
        "metadata.version",
    );
}

#[test]
fn every_jsonl_finding_of_every_fixture_validates_against_ecs() {
    let ecs = Ecs::v9_4_0();
    let findings = every_finding("jsonl");
    let mut sources = std::collections::BTreeSet::new();
    for (i, doc) in findings.iter().enumerate() {
        let errors = ecs.validate(doc, "authsift");
        assert!(
            errors.is_empty(),
            "line {i} breaks ECS 9.4.0:\n{}\n{doc}",
            errors.join("\n")
        );
        assert_eq!(doc["ecs"]["version"], "9.4.0");
        assert!(doc["@timestamp"].is_string(), "always a time: {doc}");
        sources.insert(doc["authsift"]["time_source"].as_str().unwrap().to_string());
        // Every field is one docs/siem-mapping.md lists.
        for name in leaves(doc) {
            assert!(
                authsift::report::jsonl::FIELDS
                    .iter()
                    .any(|(f, _)| *f == name),
                "{name} is not in jsonl::FIELDS"
            );
        }
        if let Some(address) = doc["destination"]["address"].as_str() {
            assert!(
                !address.contains(':') || address.parse::<std::net::IpAddr>().is_ok(),
                "the port is in destination.port: {address}"
            );
        }
    }
    assert!(
        sources.contains("event") && sources.contains("log"),
        "{sources:?}"
    );
}

/// Field names as docs list them: nested names dotted; authsift's maps
/// (facts, a batch's group) and arrays of objects are one field each.
fn leaves(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, path: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(map) if !["authsift.facts", "authsift.batch.group"].contains(&path) => {
                for (k, child) in map {
                    let name = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(child, &name, out);
                }
            }
            _ => out.push(path.to_string()),
        }
    }
    let mut out = Vec::new();
    walk(doc, "", &mut out);
    out
}

/// CloudTrail and S3 access findings (one line per failed event with
/// `--events`) carry the caller and the event.
#[test]
fn jsonl_event_findings_carry_source_user_agent_cloud_and_event_id() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen_trail = false;
    let mut seen_s3 = false;
    for dir in ["fixtures/cloudtrail", "fixtures/s3-access"] {
        let out = bin()
            .args(["--format", "jsonl", "--events"])
            .arg(root.join(dir))
            .output()
            .unwrap();
        for doc in lines(&String::from_utf8(out.stdout).unwrap()) {
            if doc["authsift"].get("batch").is_some() {
                continue;
            }
            let facts = &doc["authsift"]["facts"];
            if let Some(ip) = facts["source.ip"].as_str()
                && ip.parse::<std::net::IpAddr>().is_ok()
            {
                assert_eq!(doc["source"]["ip"], ip, "{doc}");
                assert!(
                    doc["related"]["ip"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|v| v == ip)
                );
            }
            if let Some(ua) = facts["client.user_agent"].as_str() {
                assert_eq!(doc["user_agent"]["original"], ua, "{doc}");
            }
            if let Some(id) = facts["event.id"].as_str() {
                assert_eq!(doc["event"]["id"], id, "{doc}");
                seen_trail = true;
            } else if doc["authsift"]["input"]["format"] == "s3-access-log" {
                assert_eq!(doc["event"]["id"], facts["request.id"], "{doc}");
                seen_s3 = true;
            }
            if let Some(region) = facts["event.region"].as_str() {
                assert!(doc["cloud"]["region"].is_string(), "{region}: {doc}");
            }
            if let Some(account) = facts["identity.account"].as_str()
                && facts["identity.arn"].is_string()
            {
                assert_eq!(doc["cloud"]["account"]["id"], account, "{doc}");
            }
        }
    }
    assert!(seen_trail, "CloudTrail findings carry their eventID");
    assert!(seen_s3, "S3 access findings carry their request id");
}

/// The ECS validator refuses dotted keys, fields ECS does not define,
/// values outside the allowed ones and missing required fields.
#[test]
fn the_ecs_validator_rejects_what_ecs_does_not_define() {
    let ecs = Ecs::v9_4_0();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("fixtures/aws-debug/iam-list-users-access-denied.log");
    let good = lines(&stdout(&["--format", "jsonl", path.to_str().unwrap()], b"")).remove(0);
    assert_eq!(ecs.validate(&good, "authsift"), Vec::<String>::new());
    let broken = |change: &dyn Fn(&mut Value), expected: &str| {
        let mut d = good.clone();
        change(&mut d);
        let errors = ecs.validate(&d, "authsift");
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{expected}: {errors:?}"
        );
    };
    broken(&|d| d["rule.id"] = json!("x"), "a dotted key");
    broken(
        &|d| d["log"]["file"]["line"] = json!(3),
        "log.file.line: not an ECS field",
    );
    broken(
        &|d| d["event"]["kind"] = json!("finding"),
        "event.kind: \"finding\" is not an allowed value",
    );
    broken(
        &|d| d["event"]["category"] = json!("api"),
        "ECS expects an array",
    );
    broken(
        &|d| d["event"]["type"] = json!(["connection", "denied"]),
        "event.type connection is expected with none",
    );
    broken(
        &|d| d["destination"] = json!({"port": "443"}),
        "destination.port: \"443\" is not a valid long",
    );
    broken(
        &|d| d["source"] = json!({"ip": "not-an-ip"}),
        "source.ip: \"not-an-ip\" is not a valid ip",
    );
    broken(
        &|d| {
            d.as_object_mut().unwrap().remove("ecs");
        },
        "ecs.version: required, missing",
    );
}

/// docs/siem-mapping.md's jsonl field table is `jsonl::field_table()`, so
/// the docs say what the code writes. `AUTHSIFT_BLESS=1` rewrites it.
#[test]
fn the_docs_jsonl_field_table_is_generated_from_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/siem-mapping.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let begin = doc
        .find("<!-- jsonl-fields: generated")
        .expect("the begin marker");
    let begin = begin + doc[begin..].find('\n').unwrap() + 1;
    let end = doc
        .find("<!-- jsonl-fields: end -->")
        .expect("the end marker");
    let ecs = Ecs::v9_4_0();
    for (name, _) in authsift::report::jsonl::FIELDS {
        assert!(
            name.starts_with("authsift.") || ecs.field(name).is_some(),
            "{name} is listed as an ECS field, and ECS 9.4.0 has none such"
        );
    }
    let expected = authsift::report::jsonl::field_table();
    if doc[begin..end] != expected {
        if std::env::var_os("AUTHSIFT_BLESS").is_some() {
            std::fs::write(&path, format!("{}{expected}{}", &doc[..begin], &doc[end..])).unwrap();
            return;
        }
        panic!(
            "docs/siem-mapping.md's jsonl field table differs from jsonl::FIELDS; \
             AUTHSIFT_BLESS=1 cargo test --test siem_schemas docs rewrites it. Expected:\n{expected}"
        );
    }
}

/// The failed CloudTrail events of `path` (a file or a directory), counted
/// from the JSON itself, not by authsift: records with an `errorCode`, or a
/// ConsoleLogin `Failure`, in any shape the fixtures use (a delivery file's
/// `Records`, an array, JSON Lines, lookup-events' `CloudTrailEvent`
/// strings). Files that are no JSON (an error) count none.
fn failed_events_in(path: &std::path::Path) -> usize {
    fn walk(v: &Value) -> usize {
        match v {
            // A CloudTrail Lake result row: one `{column: value}` a column.
            Value::Array(items)
                if !items.is_empty()
                    && items
                        .iter()
                        .all(|i| i.as_object().is_some_and(|o| o.len() == 1)) =>
            {
                let mut row: serde_json::Map<String, Value> = items
                    .iter()
                    .flat_map(|i| i.as_object().unwrap().clone())
                    .collect();
                if let Some(Value::String(r)) = row.get("responseElements") {
                    let parsed = serde_json::from_str(r).unwrap_or(Value::Null);
                    row.insert("responseElements".into(), parsed);
                }
                walk(&Value::Object(row))
            }
            Value::Array(items) => items.iter().map(walk).sum(),
            // CloudWatch Logs hold each event as a string.
            Value::String(s) if s.starts_with('{') && s.contains("\"eventSource\"") => {
                serde_json::from_str(s).map_or(0, |v| walk(&v))
            }
            Value::Object(map) => {
                if let Some(Value::String(inner)) = map.get("CloudTrailEvent") {
                    return serde_json::from_str(inner).map_or(0, |v| walk(&v));
                }
                if map.contains_key("eventSource") && map.contains_key("eventTime") {
                    let failed = map
                        .get("errorCode")
                        .and_then(Value::as_str)
                        .is_some_and(|c| !c.is_empty())
                        || map
                            .get("responseElements")
                            .is_some_and(|r| r["ConsoleLogin"] == "Failure");
                    return usize::from(failed && map["eventSource"] != "aws:s3");
                }
                map.values().map(walk).sum()
            }
            _ => 0,
        }
    }
    // A document cut short: each whole event before the cut, cut out at
    // the start of the next.
    if path.ends_with("truncated.json") {
        let text = std::fs::read_to_string(path).unwrap();
        return text
            .split("{\"eventVersion\"")
            .skip(1)
            .filter_map(|piece| {
                let piece = piece.trim_end().trim_end_matches(',');
                serde_json::from_str::<Value>(&format!("{{\"eventVersion\"{piece}")).ok()
            })
            .map(|v| walk(&v))
            .sum();
    }
    if path.is_dir() {
        let mut n = 0;
        for e in std::fs::read_dir(path).unwrap() {
            n += failed_events_in(&e.unwrap().path());
        }
        return n;
    }
    let text = std::fs::read_to_string(path).unwrap();
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => walk(&v),
        // JSON Lines; or a CloudWatch Logs export, a time and a space
        // before each line's event.
        Err(_) => text
            .lines()
            .filter_map(|l| {
                serde_json::from_str::<Value>(l).ok().or_else(|| {
                    let (_, event) = l.split_once(' ')?;
                    serde_json::from_str::<Value>(event).ok()
                })
            })
            .map(|v| walk(&v))
            .sum(),
    }
}

/// With `--events`, the OCSF records after the findings of every CloudTrail
/// fixture: one per failed event, each valid against the OCSF 1.1.0
/// definition of its class (Authentication or API Activity).
#[test]
fn every_events_record_of_every_cloudtrail_fixture_validates_one_per_failed_event() {
    let ocsf = Ocsf::v1_1_0();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudtrail");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e != "md"))
        .collect();
    inputs.sort();
    let mut total = 0;
    for input in &inputs {
        let path = input.to_str().unwrap();
        let out = bin()
            .args(["--format", "ocsf", "--events", path])
            .output()
            .unwrap();
        let records = lines(&String::from_utf8(out.stdout).unwrap());
        let events: Vec<&Value> = records.iter().filter(|r| r["class_uid"] != 2004).collect();
        assert_eq!(
            events.len(),
            failed_events_in(input),
            "{path}: one record per failed event"
        );
        for (i, e) in events.iter().enumerate() {
            assert!(
                e["class_uid"] == 3002 || e["class_uid"] == 6003,
                "{path}: record {i} is an event: {e}"
            );
            let errors = ocsf.validate(e);
            assert!(
                errors.is_empty(),
                "{path}: event {i} breaks OCSF {}:\n{}\n{e}",
                ocsf.version(),
                errors.join("\n")
            );
            assert_eq!(e["status"], "Failure", "{e}");
            assert_eq!(e["status_id"], 2, "{e}");
            assert_eq!(e["metadata"]["version"], "1.1.0", "{e}");
        }
        total += events.len();
    }
    assert!(
        total >= 40,
        "the fixtures' failed events are written: {total}"
    );
}

/// A failed console sign-in is an Authentication (3002) logon attempt; a
/// failed API call (here STS AssumeRole, denied) is API Activity (6003),
/// with what the event says of the call.
#[test]
fn events_a_failed_sign_in_is_authentication_a_failed_call_api_activity() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudtrail/events.jsonl");
    let records = lines(&stdout(
        &["--format", "ocsf", "--events", path.to_str().unwrap()],
        b"",
    ));
    let event = |name: &str| {
        records
            .iter()
            .find(|r| r["class_uid"] != 2004 && r["metadata"]["event_code"] == name)
            .unwrap_or_else(|| panic!("a record of {name}"))
            .clone()
    };

    let sign_in = event("ConsoleLogin");
    assert_eq!(sign_in["class_uid"], 3002, "{sign_in}");
    assert_eq!(sign_in["category_uid"], 3);
    assert_eq!(sign_in["activity_id"], 1, "Logon");
    assert_eq!(sign_in["type_uid"], 300201);
    assert_eq!(sign_in["status"], "Failure");
    assert_eq!(sign_in["status_detail"], "Failed authentication");
    assert_eq!(sign_in["service"]["name"], "signin.amazonaws.com");
    assert_eq!(sign_in["user"]["account"]["uid"], "111122223333");
    assert_eq!(sign_in["src_endpoint"]["ip"], "203.0.113.10");
    assert_eq!(sign_in["time_dt"], "2024-05-01T10:04:00Z");

    let call = event("AssumeRole");
    assert_eq!(call["class_uid"], 6003, "{call}");
    assert_eq!(call["category_uid"], 6);
    assert_eq!(
        call["type_uid"], 600399,
        "Other: AssumeRole is no CRUD verb"
    );
    assert_eq!(call["activity_name"], "AssumeRole");
    assert_eq!(call["api"]["operation"], "AssumeRole");
    assert_eq!(call["api"]["service"]["name"], "sts.amazonaws.com");
    assert_eq!(call["status_code"], "AccessDenied");
    assert_eq!(call["api"]["response"]["error"], "AccessDenied");
    assert_eq!(
        call["actor"]["user"]["uid"],
        "arn:aws:iam::111122223333:user/ci-deployer"
    );
    assert_eq!(call["src_endpoint"]["ip"], "203.0.113.10");
    assert!(
        call["http_request"]["user_agent"]
            .as_str()
            .unwrap()
            .starts_with("aws-cli/2.15.30"),
        "{call}"
    );
    assert_eq!(call["cloud"]["region"], "us-east-1");
    assert_eq!(call["time_dt"], "2024-05-01T10:00:05Z");
    // Access key ids are masked like everywhere else.
    assert_eq!(call["actor"]["user"]["credential_uid"], "AKIA\u{2026}MPLE");

    // A Describe call is a Read.
    let read = event("DescribeTable");
    assert_eq!(
        (read["activity_id"].clone(), read["type_uid"].clone()),
        (json!(2), json!(600302))
    );
}

/// `--events` adds a record per failed event to `ocsf` (after its input's
/// findings) and a line per failed event to `jsonl`, and changes nothing
/// else; the other formats ignore it.
#[test]
fn events_only_adds_event_records_and_other_formats_ignore_it() {
    let logs = all_fixture_logs();
    for format in ["ocsf", "jsonl", "json", "human", "markdown", "table"] {
        let mut args = vec!["--format", format];
        args.extend(logs.iter().map(|p| p.to_str().unwrap()));
        let without = bin()
            .args(&args)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap();
        args.push("--events");
        let with = bin()
            .args(&args)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap();
        assert_eq!(with.status.code(), without.status.code(), "{format}");
        let (with_text, without_text) = (
            String::from_utf8(with.stdout.clone()).unwrap(),
            String::from_utf8(without.stdout.clone()).unwrap(),
        );
        // One line per failed event: an OCSF event record, or a jsonl
        // finding of a CloudTrail or S3 access log event with no batch.
        let per_event = |line: &str| {
            let v: Value = serde_json::from_str(line).unwrap();
            match format {
                "ocsf" => v["class_uid"] != 2004,
                _ => {
                    ["cloudtrail", "s3-access-log"]
                        .contains(&v["authsift"]["input"]["format"].as_str().unwrap_or(""))
                        && v["authsift"].get("batch").is_none()
                }
            }
        };
        if format == "ocsf" || format == "jsonl" {
            let added = with_text.lines().filter(|l| per_event(l)).count();
            assert!(added > 20, "{format}: events are added ({added})");
            assert_eq!(
                without_text.lines().filter(|l| per_event(l)).count(),
                0,
                "{format}: no event line without --events"
            );
            let rest: Vec<&str> = with_text.lines().filter(|l| !per_event(l)).collect();
            assert_eq!(
                rest,
                without_text.lines().collect::<Vec<_>>(),
                "{format}: rest unchanged"
            );
        } else {
            assert_eq!(with.stdout, without.stdout, "{format} ignores --events");
        }
    }
}

/// The validator holds `--events` records to their own class: an attribute
/// the class does not define, or a required one left out, is an error.
#[test]
fn the_ocsf_validator_rejects_events_records_outside_their_class() {
    let ocsf = Ocsf::v1_1_0();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cloudtrail/events.jsonl");
    let records = lines(&stdout(
        &["--format", "ocsf", "--events", path.to_str().unwrap()],
        b"",
    ));
    for class in [3002, 6003] {
        let good = records
            .iter()
            .find(|r| r["class_uid"] == class)
            .unwrap()
            .clone();
        assert_eq!(ocsf.validate(&good), Vec::<String>::new());

        // Detection Finding's `finding_info` is no attribute of either class.
        let mut extra = good.clone();
        extra["finding_info"] = json!({"uid": "x", "title": "x"});
        assert!(
            ocsf.validate(&extra)
                .iter()
                .any(|e| e.starts_with("finding_info: not an attribute")),
            "{class}"
        );

        let mut missing = good.clone();
        let required = if class == 3002 { "user" } else { "api" };
        missing.as_object_mut().unwrap().remove(required);
        assert!(
            ocsf.validate(&missing)
                .contains(&format!("{required}: required, missing")),
            "{class}: {:?}",
            ocsf.validate(&missing)
        );
    }
}
