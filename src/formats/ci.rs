//! CI job logs: GitHub Actions, GitLab CI, Jenkins.
//!
//! A job log wraps the output of the tools it ran in its own prefixes and
//! markers. Unwrapping strips them line by line — and keeps exactly one
//! inner line per original line, so every line number the other parsers
//! report is already the line number in the original log. Step (section,
//! stage) boundaries are remembered, so a finding can name the step it came
//! from. Shapes: shared/reference/formats.md §4.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::text::strip_ansi;

/// The CI systems whose job logs are unwrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiSystem {
    /// GitHub Actions.
    GithubActions,
    /// GitLab CI.
    GitlabCi,
    /// Jenkins.
    Jenkins,
}

impl CiSystem {
    /// The name reports print (fact `ci.system`).
    pub fn as_str(self) -> &'static str {
        match self {
            CiSystem::GithubActions => "github-actions",
            CiSystem::GitlabCi => "gitlab-ci",
            CiSystem::Jenkins => "jenkins",
        }
    }
}

/// A job log with the CI system's wrapping removed.
#[derive(Debug, Clone)]
pub struct Unwrapped {
    /// Which CI system wrote the log.
    pub system: CiSystem,
    /// The tools' own output, one line per original line.
    pub text: String,
    /// Its steps and their environments.
    pub steps: Steps,
}

/// A job log's steps (sections, stages), and the environment variables
/// their headers show.
#[derive(Debug, Clone, Default)]
pub struct Steps {
    /// Steps in order: the 1-based line where each starts, and its name.
    pub starts: Vec<(usize, String)>,
    /// Environment variables a step header shows (GitHub Actions prints a
    /// run step's `env:` block), in order.
    pub env: Vec<StepEnv>,
}

/// One variable of a step header's `env:` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepEnv {
    /// The line its step starts on.
    pub step: usize,
    /// The variable's name and value.
    pub name: String,
    /// Its value, trimmed.
    pub value: String,
    /// The line that shows it.
    pub line: usize,
    /// That line as the log has it, prefixes and all: findings quote it
    /// when the rest of the log is no longer held.
    pub original: String,
}

impl Steps {
    /// The step a line belongs to.
    pub fn step_at(&self, line: usize) -> Option<&str> {
        self.step_start(line).map(|i| self.starts[i].1.as_str())
    }

    /// A variable the step of `line` had in its environment.
    pub fn env_at(&self, line: usize, name: &str) -> Option<&StepEnv> {
        let start = self.starts[self.step_start(line)?].0;
        self.env.iter().find(|e| e.step == start && e.name == name)
    }

    fn step_start(&self, line: usize) -> Option<usize> {
        let i = self.starts.partition_point(|(start, _)| *start <= line);
        i.checked_sub(1)
    }

    /// The steps lines `from..` can belong to: the one in effect at `from`
    /// and those after, with their environments. A log read window by
    /// window keeps only these, so what it holds does not grow with the
    /// number of steps before.
    pub fn from_line(&self, from: usize) -> Steps {
        let first = self.step_start(from).unwrap_or(0);
        let starts = self.starts[first..].to_vec();
        let oldest = starts.first().map_or(usize::MAX, |s| s.0);
        Steps {
            env: self
                .env
                .iter()
                .filter(|e| e.step >= oldest)
                .cloned()
                .collect(),
            starts,
        }
    }
}

/// Unwraps a job log as it is read, line by line: the steps seen so far
/// are kept ([`Unwrapper::steps`]), the lines are not.
#[derive(Debug, Clone)]
pub struct Unwrapper {
    system: CiSystem,
    steps: Steps,
    /// The lines unwrapped so far.
    lines: usize,
    /// GitHub Actions: inside a step header (between `##[group]` and
    /// `##[endgroup]`), after an `env:` line.
    in_header_env: bool,
}

impl Unwrapper {
    /// Unwraps a log `system` wrote.
    pub fn new(system: CiSystem) -> Self {
        Unwrapper {
            system,
            steps: Steps::default(),
            lines: 0,
            in_header_env: false,
        }
    }

    /// Which CI system wrote the log.
    pub fn system(&self) -> CiSystem {
        self.system
    }

    /// The steps seen so far.
    pub fn steps(&self) -> &Steps {
        &self.steps
    }

    /// Forgets the steps no line from `line` on can belong to.
    pub fn forget_before(&mut self, line: usize) {
        self.steps = self.steps.from_line(line);
    }

    /// Unwraps the next lines of the log into `out`, one inner line per
    /// line; `text` ends at a line end, or at the log's end.
    pub fn push(&mut self, text: &str, out: &mut String) {
        for line in text.split_inclusive('\n') {
            let (line, end) = match line.strip_suffix('\n') {
                Some(line) => (line, "\n"),
                None => (line, ""),
            };
            self.line(line, out);
            out.push_str(end);
        }
    }

    /// One line's inner text, into `out`.
    fn line(&mut self, original: &str, out: &mut String) {
        self.lines += 1;
        let number = self.lines;
        let line = original.strip_suffix('\r').unwrap_or(original);
        let steps = &mut self.steps;
        if self.system == CiSystem::GithubActions {
            let body = GITHUB_PREFIX.find(line).map_or(line, |m| &line[m.end()..]);
            if body.starts_with("##[group]") || body.starts_with("##[endgroup]") {
                self.in_header_env = false;
            } else if body == "env:" && !steps.starts.is_empty() {
                self.in_header_env = true;
            } else if self.in_header_env {
                match ENV_ENTRY.captures(body) {
                    Some(c) => {
                        let step = steps.starts.last().expect("env follows a group").0;
                        steps.env.push(StepEnv {
                            step,
                            name: c[1].to_string(),
                            value: c[2].trim().to_string(),
                            line: number,
                            original: original.trim_end_matches('\r').to_string(),
                        });
                    }
                    None => self.in_header_env = false,
                }
            }
        }
        let inner = match self.system {
            CiSystem::GithubActions => github_line(line, number, &mut steps.starts),
            CiSystem::GitlabCi => gitlab_line(line, number, &mut steps.starts),
            CiSystem::Jenkins => jenkins_line(line, number, &mut steps.starts),
        };
        // Colour codes never carry meaning for the parsers.
        out.push_str(&strip_ansi(&inner));
    }
}

/// `  AWS_PROFILE: prod` inside a step header's `env:` block.
static ENV_ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^  ([A-Za-z_][A-Za-z0-9_]*): (.*)$").expect("valid regex"));

/// `2024-01-02T03:04:05.1234567Z ` (the runner writes 7 fractional digits).
static GITHUB_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\x{feff}?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z ")
        .expect("valid regex")
});
/// `section_start:1694763179:step_script[collapsed=true]\r\e[0K`
static GITLAB_SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"section_(start|end):[0-9]+:([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\r?(?:\x1b\[0K)?")
        .expect("valid regex")
});
/// Runner ≥ 17 per-line timestamps: `2024-06-10T08:58:40.123456Z 00O `.
static GITLAB_TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z [0-9a-f]{2}[OE][ +]",
    )
    .expect("valid regex")
});
/// Timestamper plugin: `[2020-04-29T13:03:20.725Z] `.
static JENKINS_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z\] ")
        .expect("valid regex")
});
/// `[Pipeline] { (Deploy)` opens a stage.
static JENKINS_STAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[Pipeline\] \{ \((.+)\)[[:space:]]*$").expect("valid regex"));

/// `tracing`'s fmt layer (Rust programs, the AWS SDK for Rust) starts its
/// lines with a timestamp of the runner's shape and then the level: after
/// a runner's prefix comes the program's own output instead.
fn is_tracing_record(rest: &str) -> bool {
    ["TRACE ", "DEBUG ", "INFO ", "WARN ", "ERROR "]
        .iter()
        .any(|level| rest.trim_start().starts_with(level))
}

/// How many leading lines decide which CI system wrote a log.
const SNIFF_LINES: usize = 400;

/// Which CI system wrote this log, if any.
pub fn detect(text: &str) -> Option<CiSystem> {
    let mut github = 0;
    let mut jenkins = 0;
    for line in text.lines().take(SNIFF_LINES) {
        if line.contains("section_start:") && GITLAB_SECTION.is_match(line) {
            return Some(CiSystem::GitlabCi);
        }
        if line.contains("Running with gitlab-runner") {
            return Some(CiSystem::GitlabCi);
        }
        if let Some(prefix) = GITHUB_PREFIX.find(line)
            && !is_tracing_record(&line[prefix.end()..])
        {
            github += 1;
            if line.contains("##[") {
                return Some(CiSystem::GithubActions);
            }
        }
        if line.starts_with("[Pipeline] ") {
            return Some(CiSystem::Jenkins);
        }
        if JENKINS_PREFIX.is_match(line) {
            jenkins += 1;
        }
    }
    // Timestamps alone: most lines prefixed is enough.
    if github >= 3 {
        Some(CiSystem::GithubActions)
    } else if jenkins >= 3 {
        Some(CiSystem::Jenkins)
    } else {
        None
    }
}

/// Strips the CI system's wrapping, one inner line per original line.
pub fn unwrap(text: &str, system: CiSystem) -> Unwrapped {
    let mut unwrapper = Unwrapper::new(system);
    let mut out = String::with_capacity(text.len());
    unwrapper.push(text, &mut out);
    Unwrapped {
        system,
        text: out,
        steps: unwrapper.steps,
    }
}

fn github_line(line: &str, number: usize, steps: &mut Vec<(usize, String)>) -> String {
    let body = match GITHUB_PREFIX.find(line) {
        Some(m) => &line[m.end()..],
        None => line.trim_start_matches('\u{feff}'),
    };
    if let Some(title) = body.strip_prefix("##[group]") {
        steps.push((number, strip_ansi(title).trim().to_string()));
        return String::new();
    }
    if body.starts_with("##[endgroup]") {
        return String::new();
    }
    // `##[error]msg` and friends: the message is the tool's (or the action's).
    for tag in [
        "##[error]",
        "##[warning]",
        "##[notice]",
        "##[debug]",
        "##[command]",
        "##[section]",
    ] {
        if let Some(rest) = body.strip_prefix(tag) {
            return rest.to_string();
        }
    }
    body.to_string()
}

fn gitlab_line(line: &str, number: usize, steps: &mut Vec<(usize, String)>) -> String {
    let line = match GITLAB_TIMESTAMP.find(line) {
        Some(m) => &line[m.end()..],
        None => line,
    };
    if !line.contains("section_") {
        return line.to_string();
    }
    for caps in GITLAB_SECTION.captures_iter(line) {
        if &caps[1] == "start" {
            steps.push((number, caps[2].to_string()));
        }
    }
    GITLAB_SECTION.replace_all(line, "").into_owned()
}

fn jenkins_line(line: &str, number: usize, steps: &mut Vec<(usize, String)>) -> String {
    let body = match JENKINS_PREFIX.find(line) {
        Some(m) => &line[m.end()..],
        None => line,
    };
    if let Some(caps) = JENKINS_STAGE.captures(body) {
        steps.push((number, caps[1].to_string()));
        return String::new();
    }
    if body.starts_with("[Pipeline] ") {
        return String::new();
    }
    body.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_actions_prefixes_markers_and_steps() {
        let log = "\u{feff}2024-01-02T03:04:05.1234567Z ##[group]Run aws sts get-caller-identity\n\
                   2024-01-02T03:04:05.1234567Z \x1b[36;1maws sts get-caller-identity\x1b[0m\n\
                   2024-01-02T03:04:05.2234567Z ##[endgroup]\n\
                   2024-01-02T03:04:06.0000000Z An error occurred (X) when calling the Y operation: z\n\
                   continuation without a timestamp\n\
                   2024-01-02T03:04:06.1000000Z ##[error]Process completed with exit code 254.";
        assert_eq!(detect(log), Some(CiSystem::GithubActions));
        let u = unwrap(log, CiSystem::GithubActions);
        let lines: Vec<&str> = u.text.split('\n').collect();
        assert_eq!(lines.len(), 6, "one inner line per original line");
        assert_eq!(lines[1], "aws sts get-caller-identity");
        assert_eq!(
            lines[3],
            "An error occurred (X) when calling the Y operation: z"
        );
        assert_eq!(lines[4], "continuation without a timestamp");
        assert_eq!(lines[5], "Process completed with exit code 254.");
        assert_eq!(u.steps.step_at(4), Some("Run aws sts get-caller-identity"));
        assert_eq!(u.steps.step_at(0), None);
    }

    #[test]
    fn rust_tracing_timestamps_are_not_a_runner() {
        let log = "2026-11-26T23:12:13.113322Z TRACE aws_smithy_runtime::client::http: a\n\
                   2026-11-26T23:12:13.113668Z DEBUG b\n\
                   2026-11-26T23:12:13.113814Z  INFO c\n\
                   2026-11-26T23:12:13.113899Z  WARN d\n";
        assert_eq!(detect(log), None);
        // A Rust program's output inside a runner's log is still the runner's.
        let wrapped: String = log
            .lines()
            .map(|l| format!("2024-01-02T03:04:05.1234567Z {l}\n"))
            .collect();
        assert_eq!(detect(&wrapped), Some(CiSystem::GithubActions));
    }

    #[test]
    fn github_step_env_blocks_are_kept() {
        let log = "2024-01-02T03:04:05.1234567Z ##[group]Run aws s3 ls\n\
                   2024-01-02T03:04:05.1234567Z aws s3 ls\n\
                   2024-01-02T03:04:05.1234567Z shell: /usr/bin/bash -e {0}\n\
                   2024-01-02T03:04:05.1234567Z env:\n\
                   2024-01-02T03:04:05.1234567Z   AWS_PROFILE: prod\n\
                   2024-01-02T03:04:05.1234567Z   AWS_ACCESS_KEY_ID: ***\n\
                   2024-01-02T03:04:05.2234567Z ##[endgroup]\n\
                   2024-01-02T03:04:06.0000000Z   NOT_ENV: x";
        let u = unwrap(log, CiSystem::GithubActions);
        let env = |name| u.steps.env_at(8, name).map(|e| (e.value.as_str(), e.line));
        assert_eq!(env("AWS_PROFILE"), Some(("prod", 5)));
        assert_eq!(env("AWS_ACCESS_KEY_ID"), Some(("***", 6)));
        assert_eq!(env("NOT_ENV"), None, "output lines are not the env block");
    }

    #[test]
    fn unwrapped_in_pieces_as_whole() {
        let log = "2024-01-02T03:04:05.1234567Z ##[group]Run a\n\
                   2024-01-02T03:04:05.1234567Z env:\n\
                   2024-01-02T03:04:05.1234567Z   AWS_PROFILE: prod\r\n\
                   2024-01-02T03:04:05.2234567Z ##[endgroup]\n\
                   2024-01-02T03:04:06.0000000Z x\n\
                   2024-01-02T03:04:05.1234567Z ##[group]Run b\n\
                   2024-01-02T03:04:06.0000000Z y";
        let whole = unwrap(log, CiSystem::GithubActions);
        let mut pieces = Unwrapper::new(CiSystem::GithubActions);
        let mut text = String::new();
        let cut = log.match_indices('\n').nth(2).unwrap().0 + 1;
        pieces.push(&log[..cut], &mut text);
        pieces.push(&log[cut..], &mut text);
        assert_eq!(text, whole.text);
        assert_eq!(pieces.steps().starts, whole.steps.starts);
        assert_eq!(pieces.steps().env, whole.steps.env);
        let env = pieces.steps().env_at(5, "AWS_PROFILE").unwrap();
        assert_eq!(
            env.original,
            "2024-01-02T03:04:05.1234567Z   AWS_PROFILE: prod"
        );
        // Only the steps later lines can belong to are kept.
        pieces.forget_before(7);
        assert_eq!(pieces.steps().starts, vec![(6, "Run b".to_string())]);
        assert!(pieces.steps().env.is_empty());
        assert_eq!(pieces.steps().step_at(7), Some("Run b"));
    }

    #[test]
    fn gitlab_sections_share_lines_and_lose_escape_codes() {
        let log = "\x1b[0KRunning with gitlab-runner 16.3.0 (8ec04662)\x1b[0;m\n\
                   section_start:1694763179:prepare_script\r\x1b[0KPreparing environment\n\
                   section_end:1694763179:prepare_script\r\x1b[0Ksection_start:1694763180:step_script[collapsed=true]\r\x1b[0KExecuting \"step_script\"\n\
                   \x1b[32;1m$ aws sts get-caller-identity\x1b[0;m\n\
                   2024-06-10T08:58:40.123456Z 00O Unable to locate credentials\n\
                   section_end:1694763181:step_script\r\x1b[0K";
        assert_eq!(detect(log), Some(CiSystem::GitlabCi));
        let u = unwrap(log, CiSystem::GitlabCi);
        let lines: Vec<&str> = u.text.split('\n').collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[2], "Executing \"step_script\"");
        assert_eq!(lines[3], "$ aws sts get-caller-identity");
        assert_eq!(lines[4], "Unable to locate credentials");
        assert_eq!(u.steps.step_at(5), Some("step_script"));
        assert_eq!(u.steps.step_at(2), Some("prepare_script"));
    }

    #[test]
    fn jenkins_stages_and_timestamps() {
        let log = "[Pipeline] stage\n[Pipeline] { (Deploy)\n[Pipeline] sh\n\
                   [2020-04-29T13:03:20.725Z] + aws sts get-caller-identity\n\
                   [2020-04-29T13:03:21.725Z] Unable to locate credentials\n[Pipeline] }";
        assert_eq!(detect(log), Some(CiSystem::Jenkins));
        let u = unwrap(log, CiSystem::Jenkins);
        let lines: Vec<&str> = u.text.split('\n').collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[3], "+ aws sts get-caller-identity");
        assert_eq!(lines[4], "Unable to locate credentials");
        assert_eq!(u.steps.step_at(5), Some("Deploy"));
    }

    #[test]
    fn plain_logs_are_not_ci_logs() {
        assert_eq!(
            detect("2026-11-26 15:47:12,823 - MainThread - awscli.clidriver - DEBUG - x\n"),
            None
        );
        assert_eq!(detect("hello\nworld\n"), None);
    }
}
