//! One parser per input format, each turning text into model records.

// Not yet documented item by item (owned by parallel work).
#[allow(missing_docs)]
pub mod aws_debug;
pub mod ci;
pub mod cloudtrail;
pub mod go_sdk;
pub mod logrecord;
pub mod own_report;
pub mod pyrepr;
pub mod rust_sdk;
pub mod s3_access;
pub mod terraform;
pub mod user_agent;

use serde::Serialize;

use crate::model::Run;

/// The formats authsift reads, each one content sniffing can tell
/// ([`sniff`]). `Text` is any other log: only the one-line failure messages
/// in it are recognised. (What else an input can turn out to be, such as a
/// CloudTrail digest file that is skipped, is [`crate::outcome::ReadAs`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `aws --debug` output and boto3/botocore debug logging.
    AwsDebug,
    /// Any other text: only one-line failure messages in it are recognised.
    Text,
    /// CI job logs: unwrapped, then their inner text is sniffed again.
    GithubActions,
    /// A GitLab CI job log.
    GitlabCi,
    /// A Jenkins console log.
    Jenkins,
    /// CloudTrail events (S3 delivery files, arrays, JSON Lines, lookup-events).
    Cloudtrail,
    /// S3 server access logs (they record authentication failures).
    S3AccessLog,
}

impl Format {
    /// Every format, in the order `--input-format` lists them.
    pub const ALL: &'static [Format] = &[
        Format::AwsDebug,
        Format::Text,
        Format::GithubActions,
        Format::GitlabCi,
        Format::Jenkins,
        Format::Cloudtrail,
        Format::S3AccessLog,
    ];

    /// The format named `name` ([`Format::as_str`]).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.as_str() == name)
    }

    /// The name reports print (`aws-debug`, `github-actions`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::AwsDebug => "aws-debug",
            Format::Text => "text",
            Format::GithubActions => "github-actions",
            Format::GitlabCi => "gitlab-ci",
            Format::Jenkins => "jenkins",
            Format::Cloudtrail => "cloudtrail",
            Format::S3AccessLog => "s3-access-log",
        }
    }

    /// The CI system, for CI job log formats.
    pub fn ci_system(self) -> Option<ci::CiSystem> {
        match self {
            Format::GithubActions => Some(ci::CiSystem::GithubActions),
            Format::GitlabCi => Some(ci::CiSystem::GitlabCi),
            Format::Jenkins => Some(ci::CiSystem::Jenkins),
            Format::AwsDebug | Format::Text | Format::Cloudtrail | Format::S3AccessLog => None,
        }
    }
}

/// How much of an input sniffing looks at: enough for the CLI's preamble.
pub const SNIFF_BYTES: usize = 256 * 1024;

/// Guesses the format from content (never from the file name: pasted logs
/// have arbitrary names).
pub fn sniff(text: &str) -> Format {
    let mut end = text.len().min(SNIFF_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    if cloudtrail::sniff(head) {
        return Format::Cloudtrail;
    }
    if s3_access::sniff(head) {
        return Format::S3AccessLog;
    }
    match ci::detect(head) {
        Some(ci::CiSystem::GithubActions) => return Format::GithubActions,
        Some(ci::CiSystem::GitlabCi) => return Format::GitlabCi,
        Some(ci::CiSystem::Jenkins) => return Format::Jenkins,
        None => {}
    }
    let is_client_logger = |l: &str| {
        ["botocore", "awscli", "boto3", "s3transfer"]
            .iter()
            .any(|p| l.starts_with(p))
    };
    if logrecord::split(head)
        .iter()
        .any(|r| r.is_header() && is_client_logger(r.logger))
    {
        Format::AwsDebug
    } else {
        Format::Text
    }
}

/// Parses text in the given format into runs, lazily; `first_line` is the
/// line number of the text's first line.
pub fn runs(text: &str, first_line: usize, format: Format) -> impl Iterator<Item = Run> + '_ {
    // Plain text has no records; the same parser sees one header-less run
    // and recognises its failure lines.
    // CI formats arrive here already unwrapped (see `analyze_bytes`);
    // CloudTrail and S3 access logs never arrive here (`trail` reads them).
    match format {
        Format::AwsDebug
        | Format::Text
        | Format::GithubActions
        | Format::GitlabCi
        | Format::Jenkins
        | Format::Cloudtrail
        | Format::S3AccessLog => aws_debug::runs(text, first_line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_debug_logs_by_their_loggers() {
        let log =
            "2026-11-26 15:47:12,823 - MainThread - awscli.clidriver - DEBUG - CLI version: x\n";
        assert_eq!(sniff(log), Format::AwsDebug);
        assert_eq!(
            sniff("DEBUG:botocore.auth:CanonicalRequest:\n"),
            Format::AwsDebug
        );
        assert_eq!(sniff("make: *** [all] Error 1\n"), Format::Text);
    }

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.as_str()), Some(*f));
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        assert_eq!(Format::from_name("auto"), None);
    }
}
