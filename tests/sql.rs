//! `rules to-sql`: the generated SQL, run on real engines, classifies every
//! failed CloudTrail event as the native run does, event by event, and
//! finds the same batch groups.
//!
//! Engines come from Python packages (`.ci/run` installs them with pip):
//! `duckdb`, `sqlglot` (Trino's grammar; the Trino SQL is parsed, then run
//! on DuckDB transpiled) and `pyspark` with a Java runtime. A missing Java
//! skips the Spark test alone, saying so; a missing package fails, naming
//! the `pip install` that fixes it.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BATCH_RULES: &str = "tests/sql/batch.rules";

/// (event id, rule id) → how many times: an event in two files is two rows.
type PerEvent = BTreeMap<(String, String), usize>;
/// (rule id, input file, group values, count, first seen, last seen).
type BatchGroup = (String, String, Vec<String>, i64, i64, i64);

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// Fails unless the Python modules are importable.
fn require(modules: &[&str]) {
    let ok = Command::new(python())
        .arg("-c")
        .arg(format!("import {}", modules.join(", ")))
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "these tests run the generated SQL on real engines: pip install {} (as .ci/run does)",
        modules.join(" ")
    );
}

fn authsift(args: &[&str]) -> String {
    let out = common::run(args, b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// A path as an absolute one: Spark names files by absolute `file:` URLs,
/// DuckDB and the native run as they were given.
fn absolute(path: &str) -> String {
    let path = path.strip_prefix("file://").unwrap_or(path);
    std::env::current_dir()
        .unwrap()
        .join(path)
        .display()
        .to_string()
}

/// The native run's JSON report over `inputs`, with the batch rules.
fn native_report(inputs: &[&str]) -> Value {
    let mut args = vec![
        "--format",
        "json",
        "--no-redact",
        "-q",
        "--rules",
        BATCH_RULES,
    ];
    args.extend(inputs);
    common::json(&common::run(&args, b""))
}

/// The native run: each incident's verdict, and the batch findings.
fn native(inputs: &[&str]) -> (PerEvent, Vec<BatchGroup>) {
    let report = native_report(inputs);
    let mut events = PerEvent::new();
    let mut groups = Vec::new();
    for input in report["inputs"].as_array().expect("inputs") {
        let path = absolute(input["path"].as_str().expect("path"));
        let mut seen = std::collections::HashSet::new();
        for f in input["findings"].as_array().expect("findings") {
            let rule = f["rule"].as_str().expect("rule").to_string();
            if let Some(b) = f.get("batch").filter(|b| !b.is_null()) {
                let values = b["group"]
                    .as_array()
                    .expect("group")
                    .iter()
                    .map(|kv| kv[1].as_str().expect("value").to_string())
                    .collect();
                let n = |k: &str| b[k].as_i64().expect(k);
                groups.push((
                    rule,
                    path.clone(),
                    values,
                    n("count"),
                    n("first_seen"),
                    n("last_seen"),
                ));
            } else if seen.insert(f["incident"].as_u64().expect("incident")) {
                let id = f["facts"]["event.id"]
                    .as_str()
                    .expect("event.id")
                    .to_string();
                *events.entry((id, rule)).or_default() += 1;
            }
        }
    }
    groups.sort();
    (events, groups)
}

/// The engine's answer: the `events` query's rows, and every batch query's.
fn engine(name: &str, dir: &Path, ddl: &str, queries: &str) -> (PerEvent, Vec<BatchGroup>) {
    let ddl_file = dir.join(if name == "spark" { "ddl.py" } else { "ddl.sql" });
    let queries_file = dir.join("queries.sql");
    std::fs::write(&ddl_file, ddl).unwrap();
    std::fs::write(&queries_file, queries).unwrap();
    let out = Command::new(python())
        .arg("tests/sql/engine.py")
        .arg(name)
        .arg(&ddl_file)
        .arg(&queries_file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: BTreeMap<String, Vec<BTreeMap<String, Value>>> =
        serde_json::from_slice(&out.stdout).expect("engine.py prints JSON");
    let mut events = PerEvent::new();
    let mut groups = Vec::new();
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for (query, rows) in &answer {
        for row in rows {
            if query == "events" {
                let key = (text(&row["event_id"]), text(&row["rule_id"]));
                *events.entry(key).or_default() += 1;
                continue;
            }
            let fixed = [
                "rule_id",
                "severity",
                "input_file",
                "event_count",
                "first_seen",
                "last_seen",
            ];
            // Group columns come between input_file and event_count, in
            // the rule's order; engines keep the select order.
            let values = row
                .iter()
                .filter(|(k, _)| !fixed.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), text(v)))
                .collect::<BTreeMap<_, _>>();
            let n = |k: &str| {
                row[k]
                    .as_i64()
                    .unwrap_or_else(|| panic!("{k}: {:?}", row[k]))
            };
            let file = absolute(&text(&row["input_file"]));
            groups.push((
                text(&row["rule_id"]),
                file,
                group_order(query, values),
                n("event_count"),
                n("first_seen"),
                n("last_seen"),
            ));
        }
    }
    groups.sort();
    (events, groups)
}

/// The group values in the rule's `group by` order (JSON objects come back
/// in name order).
fn group_order(query: &str, values: BTreeMap<String, String>) -> Vec<String> {
    let order: &[&str] = match query {
        "batch key.repeated-denials" => &["credential_access_key_id"],
        "batch address.failed-sign-ins" => &["source_ip", "event_region"],
        other => panic!("unexpected query {other}"),
    };
    order.iter().map(|k| values[*k].clone()).collect()
}

/// Whether a Java runtime runs (Spark needs one); `test` says it is
/// skipped when none does.
fn has_java(test: &str) -> bool {
    let found = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED {test}: no Java runtime (java -version fails); Spark needs one");
    }
    found
}

/// Runs the engine on the corpus and compares with the native run.
fn compare(name: &str, table: &str, dialect: &str, ddl_dialect: &str) {
    let inputs = corpus();
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    compare_on(name, table, dialect, ddl_dialect, &inputs, true);
}

/// Runs the engine on `inputs` and compares with the native run; `groups`:
/// the inputs have batch groups.
fn compare_on(
    name: &str,
    table: &str,
    dialect: &str,
    ddl_dialect: &str,
    inputs: &[&str],
    groups: bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut ddl_args = vec!["rules", "to-sql", "--dialect", ddl_dialect, "--ddl"];
    ddl_args.extend(inputs);
    let ddl = authsift(&ddl_args);
    let queries = authsift(&[
        "rules",
        "to-sql",
        "--dialect",
        dialect,
        "--table",
        table,
        "--rules",
        BATCH_RULES,
    ]);
    let (want_events, want_groups) = native(inputs);
    let (got_events, got_groups) = engine(name, dir.path(), &ddl, &queries);
    assert!(!want_events.is_empty(), "the inputs have classified events");
    assert_eq!(
        !want_groups.is_empty(),
        groups,
        "the inputs have batch groups"
    );
    let missing: Vec<_> = want_events
        .iter()
        .filter(|(k, n)| got_events.get(*k) != Some(n))
        .take(5)
        .collect();
    let extra: Vec<_> = got_events
        .iter()
        .filter(|(k, n)| want_events.get(*k) != Some(n))
        .take(5)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}: per-event verdicts differ from the native run: native only {missing:?}, {name} only {extra:?}"
    );
    assert_eq!(got_groups, want_groups, "{name}: batch groups differ");
}

/// The fixtures' CloudTrail delivery files, and an archive generated by
/// examples/gen_cloudtrail.rs (the `.json.gz` layout CloudTrail writes to
/// S3), with batch groups in it.
fn corpus() -> Vec<String> {
    static GENERATED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = GENERATED.get_or_init(|| {
        // Deterministic (fixed seed), so one copy serves every run.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sql-gen-20000-19");
        if dir.with_extension("done").exists() {
            return dir;
        }
        let _ = std::fs::remove_dir_all(&dir);
        let status = Command::new(env!("CARGO"))
            .args(["run", "--quiet", "--example", "gen_cloudtrail", "--"])
            .arg(&dir)
            .args(["--events", "20000", "--seed", "19"])
            .status()
            .expect("cargo runs the generator");
        assert!(status.success(), "gen_cloudtrail");
        std::fs::write(dir.with_extension("done"), "").unwrap();
        dir
    });
    vec![
        "fixtures/cloudtrail/records.json".to_string(),
        "fixtures/cloudtrail/archive".to_string(),
        dir.display().to_string(),
    ]
}

#[test]
fn duckdb_classifies_every_event_as_the_native_run_does() {
    require(&["duckdb"]);
    compare("duckdb", "cloudtrail", "duckdb", "duckdb");
}

#[test]
fn duckdb_reads_every_shape_cloudtrail_is_exported_in() {
    require(&["duckdb"]);
    // One file a run: they hold the same events, which the native run
    // would count once.
    for shape in [
        "fixtures/cloudtrail/array.json",
        "fixtures/cloudtrail/events.jsonl",
        "fixtures/cloudtrail/batches.jsonl",
        "fixtures/cloudtrail/single-event.json",
    ] {
        compare_on("duckdb", "cloudtrail", "duckdb", "duckdb", &[shape], false);
    }
    // A digest file beside the events gives no row.
    compare_on(
        "duckdb",
        "cloudtrail",
        "duckdb",
        "duckdb",
        &[
            "fixtures/cloudtrail/events.jsonl",
            "fixtures/cloudtrail/digest.json",
        ],
        false,
    );
}

#[test]
fn spark_reads_every_shape_cloudtrail_is_exported_in() {
    if !has_java("spark_reads_every_shape_cloudtrail_is_exported_in") {
        return;
    }
    require(&["pyspark"]);
    // Read as one JSON value (an array) or a value a line (JSON Lines).
    for shape in [
        "fixtures/cloudtrail/array.json",
        "fixtures/cloudtrail/events.jsonl",
        "fixtures/cloudtrail/batches.jsonl",
    ] {
        compare_on("spark", "cloudtrail", "spark", "spark", &[shape], false);
    }
}

#[test]
fn trino_sql_parses_with_trinos_grammar_and_agrees_on_duckdb() {
    require(&["duckdb", "sqlglot"]);
    // engine.py adds `cloudtrail_trino`: the DuckDB view with Trino's
    // hidden `$path` column.
    compare("trino", "cloudtrail_trino", "trino", "duckdb");
}

#[test]
fn spark_classifies_every_event_as_the_native_run_does() {
    if !has_java("spark_classifies_every_event_as_the_native_run_does") {
        return;
    }
    require(&["pyspark"]);
    compare("spark", "cloudtrail", "spark", "spark");
}

#[test]
fn the_default_table_contract_holds_for_the_default_rules() {
    // What scripts rely on: the DuckDB DDL, then `--query events` (the
    // default rules have no batch rules, so plain to-sql is the same),
    // in one connection: rows with event_id and rule_id.
    require(&["duckdb"]);
    let ddl = authsift(&[
        "rules",
        "to-sql",
        "--dialect",
        "duckdb",
        "--ddl",
        "fixtures/cloudtrail/records.json",
    ]);
    let query = authsift(&["rules", "to-sql", "--dialect", "duckdb"]);
    assert!(query.contains("-- Not translated: none."), "{query}");
    let script = format!(
        "import duckdb, json\nc = duckdb.connect()\nc.execute({ddl:?})\ncur = c.execute({query:?})\n\
         print(json.dumps([dict(zip([d[0] for d in cur.description], r)) for r in cur.fetchall()]))"
    );
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<BTreeMap<String, Value>> = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["event_id"].as_str().unwrap().into(),
                r["rule_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    let (want, _) = native(&["fixtures/cloudtrail/records.json"]);
    let want: Vec<(String, String)> = want.into_keys().collect();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, want);
}

#[test]
fn a_rule_sql_cannot_express_is_listed_with_the_reason() {
    let sql = authsift(&[
        "rules",
        "to-sql",
        "--dialect",
        "trino",
        "--rules",
        "tests/sql/untranslatable.rules",
    ]);
    let header: Vec<&str> = sql.lines().take_while(|l| l.starts_with("--")).collect();
    assert!(
        header
            .iter()
            .any(|l| l.contains("test.old-cli: reads `client.name`")),
        "{header:#?}"
    );
    assert!(
        !sql.contains("-- test.old-cli\n"),
        "the rule is not in the query"
    );
    let check = authsift(&["rules", "check", "--sql", "tests/sql/untranslatable.rules"]);
    assert!(
        check.contains("test.old-cli: not translated to SQL: reads `client.name`"),
        "{check}"
    );
    assert!(
        check.contains("authz.access-denied: translates to SQL"),
        "{check}"
    );
}

#[test]
fn bad_requests_get_a_clear_error() {
    let out = common::run(
        &["rules", "to-sql", "--dialect", "duckdb", "--query", "nope"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no batch rule `nope`"));
    let out = common::run(
        &[
            "rules",
            "to-sql",
            "--dialect",
            "duckdb",
            "--table",
            "x; DROP TABLE y",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = common::run(
        &["rules", "to-sql", "--dialect", "trino", "--ddl", "trail/"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/")
    );
}

#[test]
fn the_athena_table_projects_region_and_day_partitions() {
    let ddl = authsift(&[
        "rules",
        "to-sql",
        "--dialect",
        "trino",
        "--ddl",
        "s3://trail-bucket/AWSLogs/111122223333/CloudTrail/",
    ]);
    for want in [
        "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
        "'storage.location.template' = 's3://trail-bucket/AWSLogs/111122223333/CloudTrail/${region}/${day}'",
        "'projection.day.format' = 'yyyy/MM/dd'",
        "us-east-1",
        "`tlsdetails` STRUCT<",
    ] {
        assert!(ddl.contains(want), "{want}\n{ddl}");
    }
    // Athena's grammar (sqlglot's) reads it as a CREATE TABLE of the columns.
    require(&["sqlglot"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("athena.sql");
    std::fs::write(&file, &ddl).unwrap();
    let out = Command::new(python())
        .args(["tests/sql/engine.py", "athena-ddl"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed["table"], "cloudtrail");
    let columns = parsed["columns"].as_array().unwrap();
    for want in [
        "useridentity",
        "errorcode",
        "requestparameters",
        "tlsdetails",
    ] {
        assert!(columns.iter().any(|c| c == want), "{want}: {columns:?}");
    }
}

#[test]
fn every_fact_a_cloudtrail_event_has_is_computed_in_sql_or_named_as_not() {
    // The SQL treats every other fact as one CloudTrail events never have
    // (a condition on it is false): the native run must agree.
    use authsift::facts::Fact;
    use authsift::rules::sql::cloudtrail::{in_sql, not_in_sql};
    let inputs = corpus();
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let report = native_report(&inputs);
    let mut seen = std::collections::BTreeSet::new();
    for input in report["inputs"].as_array().unwrap() {
        for f in input["findings"].as_array().unwrap() {
            seen.extend(f["facts"].as_object().unwrap().keys().cloned());
        }
    }
    assert!(
        seen.contains("error.code") && seen.contains("authz.action"),
        "{seen:?}"
    );
    let unknown: Vec<&String> = seen
        .iter()
        .filter(|name| {
            let fact = Fact::from_name(name).unwrap_or_else(|| panic!("{name} is a fact"));
            !in_sql(fact) && not_in_sql(fact).is_none()
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "facts CloudTrail events have that the SQL treats as never set: {unknown:?}"
    );
}
