//! authsift's own reports, recognised by their head so a report written
//! where the inputs are (`authsift a.log > logs/report.txt`, then
//! `authsift logs/`) is not read back as a log: its evidence lines would
//! be found again, as failures of a file that is no log at all.
//!
//! No mark is added to any output for this: the machine formats carry
//! their name already (`"schema":"authsift/…"`, the `authsift` object of
//! JSON Lines, OCSF's `metadata.product.name`, Markdown's title), and the
//! human and table reports begin with lines of shapes only authsift
//! writes (a verdict glyph before a location in parentheses, an event
//! count, a table whose first column is `where`).

use std::sync::LazyLock;

use regex::Regex;

/// Which of authsift's output formats a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnReport {
    /// `--format human` (the default).
    Human,
    /// `--format table`.
    Table,
    /// `--format json`.
    Json,
    /// `--format jsonl`.
    JsonLines,
    /// `--format ocsf`.
    Ocsf,
    /// `--format markdown`.
    Markdown,
}

impl OwnReport {
    /// The format's name, as `--format` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnReport::Human => "human",
            OwnReport::Table => "table",
            OwnReport::Json => "json",
            OwnReport::JsonLines => "jsonl",
            OwnReport::Ocsf => "ocsf",
            OwnReport::Markdown => "markdown",
        }
    }
}

/// First lines of the human report: a finding (`✖ what   (file, line
/// N)`), an input without one (`✔ file: no AWS failure found (N
/// records)`), the summary of event inputs (`N events in M files, …`).
static HUMAN_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:✖ .+   \(.+\)|[✔✖] .+: .+ \(\d[\d,]* records?\)|\d[\d,]* events? in \d[\d,]* files?, .+)$",
    )
    .expect("a valid pattern")
});

/// The first line of the table report of event inputs.
static TABLE_EVENTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d[\d,]* events?, \d[\d,]* failed(?:, .+)?$").expect("a valid pattern")
});

/// Terminal colour sequences (`--color always` written to a file).
static COLOUR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("\x1b\\[[0-9;]*m").expect("a valid pattern"));

/// Which of authsift's reports `head` (a text's first bytes) begins, if it
/// is one.
pub fn sniff(head: &str) -> Option<OwnReport> {
    let head = COLOUR.replace_all(head, "");
    let mut lines = head.lines().map(|l| l.trim_end_matches('\r'));
    let first = lines.next()?;
    if first.starts_with("{\"schema\":\"authsift/") {
        return Some(OwnReport::Json);
    }
    if first == "# authsift report" {
        return Some(OwnReport::Markdown);
    }
    if first.starts_with('{') {
        // Every input's head comes here, and a CloudTrail file is one line:
        // parse it only when it can be ours (both records name authsift).
        if !first.contains("authsift") {
            return None;
        }
        let record: serde_json::Value = serde_json::from_str(first).ok()?;
        if record
            .get("authsift")
            .is_some_and(serde_json::Value::is_object)
        {
            return Some(OwnReport::JsonLines);
        }
        let product = record.pointer("/metadata/product/name");
        return (product.and_then(|p| p.as_str()) == Some("authsift")).then_some(OwnReport::Ocsf);
    }
    let second = lines.next().unwrap_or("");
    if first.starts_with('┌') && second.starts_with("│ where ") {
        return Some(OwnReport::Table);
    }
    if TABLE_EVENTS.is_match(first) {
        return Some(OwnReport::Table);
    }
    HUMAN_FIRST.is_match(first).then_some(OwnReport::Human)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_that_look_alike_are_not_reports() {
        for log in [
            "✖ 3 problems (3 errors, 0 warnings)\n",
            "{\"level\":\"error\",\"msg\":\"AccessDenied\"}\n",
            "# deploy notes\n",
            "12 events in the queue, 3 failed\n",
            "2024-05-01 10:00:00,000 - MainThread - awscli.clidriver - DEBUG - CLI version: aws-cli/1.46.3\n",
            "",
        ] {
            assert_eq!(sniff(log), None, "{log}");
        }
    }

    #[test]
    fn coloured_human_reports_are_recognised() {
        let line = "\x1b[1;31m✖\x1b[0m \x1b[1mAccessDenied on s3:ListObjectsV2\x1b[0m   (job.log, line 141)\n";
        assert_eq!(sniff(line), Some(OwnReport::Human));
    }
}
