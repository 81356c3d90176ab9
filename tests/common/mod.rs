//! Helpers shared by the integration tests: run the real binary, read the
//! fixture corpus.

#![allow(dead_code)]

pub mod siem;
pub mod wild;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authsift"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs authsift with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("authsift starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    input.write_all(stdin).expect("stdin accepts the input");
    drop(input);
    child.wait_with_output().expect("authsift finishes")
}

/// authsift's stdout for `args`, which must exit 0 or 1 (analysis ran).
pub fn stdout(args: &[&str], stdin: &[u8]) -> String {
    let out = run(args, stdin);
    assert!(
        matches!(out.status.code(), Some(0..=1)),
        "{args:?} exits {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("output is UTF-8")
}

/// The JSON values of a JSON-lines text (`jsonl`, `ocsf`).
pub fn lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The verdict of one input in a JSON report: its first finding's rule, or `ok`.
pub fn verdict(input: &serde_json::Value) -> String {
    input["findings"]
        .as_array()
        .and_then(|f| f.first())
        .map_or("ok".to_string(), |f| {
            f["rule"].as_str().unwrap().to_string()
        })
}

pub struct Fixture {
    pub log: PathBuf,
    pub expected: serde_json::Value,
}

impl Fixture {
    pub fn verdict(&self) -> &str {
        self.expected["verdict"]
            .as_str()
            .expect("verdict is a string")
    }

    pub fn name(&self) -> String {
        self.log.file_stem().unwrap().to_string_lossy().into_owned()
    }

    /// Secret values the client had (from the metadata) plus every
    /// signature and session token that appears in the log itself.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self.expected["secrets"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let signature = regex::Regex::new(r"Signature=([0-9a-f]{64})").unwrap();
        let token =
            regex::Regex::new(r"(?i)x-amz-security-token(?::|': b')([A-Za-z0-9/+=]{20,})").unwrap();
        for caps in signature
            .captures_iter(&text)
            .chain(token.captures_iter(&text))
        {
            out.push(caps[1].to_string());
        }
        out.retain(|s| s.len() >= 16);
        out.sort();
        out.dedup();
        out
    }
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/aws-debug")
}

/// Every `<name>.log` with a sibling `<name>.expected.json`, by name.
pub fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures_dir()).expect("fixtures/aws-debug exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "log") {
            let expected = path.with_extension("expected.json");
            let text = std::fs::read_to_string(&expected)
                .unwrap_or_else(|_| panic!("{} has no .expected.json", path.display()));
            out.push(Fixture {
                log: path,
                expected: serde_json::from_str(&text).expect("expected.json parses"),
            });
        }
    }
    out.sort_by(|a, b| a.log.cmp(&b.log));
    assert!(!out.is_empty(), "no fixtures found");
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Every log of the fixture corpus, all kinds (aws-debug, CI logs, event logs).
pub fn all_fixture_logs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        "fixtures/aws-debug",
        "fixtures/ci",
        "fixtures/sdk",
        "fixtures/cloudtrail",
        "fixtures/s3-access",
    ] {
        let Ok(entries) = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            // CloudTrail inputs, except the two that are deliberately not CloudTrail.
            let trail = dir.ends_with("cloudtrail")
                && (name.ends_with(".json") || name.ends_with(".jsonl"))
                && !["invalid.json", "s3-event-notification.json"].contains(&name.as_ref());
            if path.extension().is_some_and(|e| e == "log") || trail {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(out.len() > 10, "the fixture corpus is there");
    out
}

/// A rule file with a batch rule, so batch findings are covered too.
pub fn batch_rules(dir: &Path) -> PathBuf {
    let path = dir.join("batch.rules");
    std::fs::write(
        &path,
        r#"rule key.repeated-failures {
  title    "One access key fails again and again"
  severity medium
  priority 20
  when     exists(error.code)
  group by credential.access_key_id within 1d count >= 2
  explain  "{credential.access_key_id} failed repeatedly."
  fix      "Find the workload using this key"
  see      "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"
}
"#,
    )
    .unwrap();
    path
}

/// Two failing runs with the same key in one input: one batch finding.
pub fn two_runs() -> String {
    let a = std::fs::read_to_string(fixtures_dir().join("s3-ls-wrong-secret.log")).unwrap();
    format!("{a}{a}")
}

/// Runs `examples/gen_cloudtrail.rs` (built by `cargo test`) to write a
/// synthetic archive into `dir`.
pub fn gen_cloudtrail(dir: &Path, args: &[&str]) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_authsift"));
    let generator = bin.parent().unwrap().join("examples/gen_cloudtrail");
    let out = Command::new(&generator)
        .arg(dir)
        .args(args)
        .output()
        .expect("cargo test builds the examples");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An input's records, and (rule, eventID) of each of its findings, sorted:
/// what an event input yielded, whatever its shape and event order.
pub fn event_findings(input: &serde_json::Value) -> (u64, Vec<(String, String)>) {
    let mut findings: Vec<(String, String)> = input["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["facts"]["event.id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    findings.sort();
    (input["records"].as_u64().unwrap(), findings)
}

/// Every file under `dir`, sorted by path.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Peak resident memory (VmHWM, kB) of a running process, if readable.
#[cfg(target_os = "linux")]
pub fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Waits for `child` (stdout and stderr piped), reading its output as it
/// comes (a big report or many notes would fill a pipe) and its peak RSS (kB) from
/// /proc every few milliseconds; the output and the highest peak seen.
#[cfg(target_os = "linux")]
pub fn watch(mut child: std::process::Child) -> (Output, u64) {
    let pid = child.id();
    fn drain(mut from: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut all = Vec::new();
            from.read_to_end(&mut all).expect("the output is read");
            all
        })
    }
    let stdout = drain(child.stdout.take().expect("stdout is piped"));
    let stderr = drain(child.stderr.take().expect("stderr is piped"));
    let mut peak = 0;
    while child
        .try_wait()
        .expect("the child can be waited for")
        .is_none()
    {
        peak = peak.max(peak_kb(pid).unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let mut out = child.wait_with_output().expect("authsift finishes");
    out.stdout = stdout.join().unwrap();
    out.stderr = stderr.join().unwrap();
    (out, peak)
}
