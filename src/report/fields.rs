//! What every renderer derives from a finding, computed in one place so the
//! formats agree: the failed call, the region, the principal named in an
//! error message, the confidence, the stable finding id and the times.
//!
//! Nothing here redacts or escapes: values are raw and every renderer passes
//! them through `report::redact` (and, for terminals, `report::terminal`).

use std::sync::LazyLock;

use regex::Regex;
use sha2::{Digest, Sha256};

use crate::facts::Fact;
use crate::finding::Finding;
use crate::outcome::InputReport;

/// authsift's own version, shown in reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How sure a finding is, from its place among the rules that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Another rule that also matched the incident (not the verdict).
    Low,
    /// The verdict, though other rules matched the incident too.
    Medium,
    /// The verdict, and the only rule that matched.
    High,
}

impl Confidence {
    /// `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// OCSF `confidence_id`: 1 Low, 2 Medium, 3 High.
    pub fn ocsf_id(self) -> u8 {
        match self {
            Confidence::Low => 1,
            Confidence::Medium => 2,
            Confidence::High => 3,
        }
    }
}

/// A finding with what its input says around it.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The input the finding is about.
    pub input: &'a InputReport,
    /// The finding.
    pub finding: &'a Finding,
    /// First finding of its incident (the verdict), or a batch finding.
    pub verdict: bool,
    /// How many rules matched the same incident (1 for batch findings).
    pub matched: usize,
}

/// Every finding of an input with its context, in report order.
pub fn findings(input: &InputReport) -> Vec<Ctx<'_>> {
    let mut out = Vec::with_capacity(input.findings.len());
    let all = &input.findings;
    let mut i = 0;
    while i < all.len() {
        let f = &all[i];
        if f.batch.is_some() {
            out.push(Ctx {
                input,
                finding: f,
                verdict: true,
                matched: 1,
            });
            i += 1;
            continue;
        }
        let same = all[i..]
            .iter()
            .take_while(|g| g.batch.is_none() && g.incident == f.incident)
            .count();
        for (k, g) in all[i..i + same].iter().enumerate() {
            out.push(Ctx {
                input,
                finding: g,
                verdict: k == 0,
                matched: same,
            });
        }
        i += same;
    }
    out
}

/// The findings of `input` the record-a-line formats (`jsonl`, `ocsf`)
/// write: every finding of a log; of an event input (CloudTrail, S3
/// access logs), its batch findings, and with `--events` (`events`) each
/// failed event's verdict. The event summary's grouped findings stand
/// for the events otherwise (`report::grouped`).
pub fn recorded(input: &InputReport, events: bool) -> Vec<Ctx<'_>> {
    let mut all = findings(input);
    if input.is_event_input() {
        all.retain(|c| c.finding.batch.is_some() || (events && c.verdict));
    }
    all
}

impl<'a> Ctx<'a> {
    fn str(&self, fact: Fact) -> Option<&'a str> {
        self.finding.facts.str(fact)
    }

    /// The verdict of an incident only one rule explains is `high`; a
    /// verdict other rules also match is `medium`; those other rules are
    /// `low`. A batch finding counts events, so it is `high`.
    pub fn confidence(&self) -> Confidence {
        match (self.verdict, self.matched) {
            (true, 1) => Confidence::High,
            (true, _) => Confidence::Medium,
            _ => Confidence::Low,
        }
    }

    /// The API operation that failed, when known.
    pub fn operation(&self) -> Option<&'a str> {
        self.str(Fact::ErrorOperation)
            .or(self.str(Fact::RequestOperation))
    }

    /// The service called (`s3`, `sts`), when known.
    pub fn service(&self) -> Option<&'a str> {
        self.str(Fact::RequestService)
    }

    /// The region the request was for: its credential scope, else the
    /// signing region, else the endpoint's, else the event's (CloudTrail).
    pub fn region(&self) -> Option<&'a str> {
        self.str(Fact::RequestRegion)
            .or(self.str(Fact::RequestSigningRegion))
            .or(self.str(Fact::RequestEndpointRegion))
            .or(self.str(Fact::EventRegion))
    }

    /// The AWS error code, when there is one.
    pub fn error_code(&self) -> Option<&'a str> {
        self.str(Fact::ErrorCode)
    }

    /// The error message, as the client or service gave it.
    pub fn error_message(&self) -> Option<&'a str> {
        self.str(Fact::ErrorMessage)
    }

    /// `SignatureDoesNotMatch on s3:ListObjectsV2`: what failed, in words.
    pub fn failure(&self) -> String {
        let what = self
            .error_code()
            .or(self.str(Fact::ErrorKind))
            .unwrap_or("failure");
        match (self.service(), self.operation()) {
            (Some(s), Some(o)) => format!("{what} on {s}:{o}"),
            (None, Some(o)) => format!("{what} on {o}"),
            _ => what.to_string(),
        }
    }

    /// The line a reader looks at first. Line 0 is no line of the input
    /// (`authsift config --profile NAME`: the flag), so none.
    pub fn line(&self) -> Option<usize> {
        self.finding
            .headline
            .as_ref()
            .or(self.finding.evidence.last())
            .map(|l| l.line)
            .filter(|&line| line > 0)
    }

    /// The principal that made the call: the event's identity (CloudTrail),
    /// else the one an error message names (`User: arn:aws:iam::…:user/bob
    /// is not authorized …`).
    pub fn principal(&self) -> Option<Principal<'a>> {
        self.str(Fact::IdentityArn)
            .and_then(principal)
            .or_else(|| principal(self.error_message()?))
    }

    /// The client's User-Agent as the event records it (CloudTrail, S3),
    /// else its self-description in a log (`aws-cli/1.46.3 Python/3.11.7
    /// …`, which opens the User-Agent header it sends).
    pub fn user_agent(&self) -> Option<&'a str> {
        self.str(Fact::ClientUserAgent)
            .or(self.str(Fact::CliVersion))
    }

    /// The caller's IP address, as the event records it (CloudTrail's
    /// `sourceIPAddress`, S3's remote IP), when it is an address: CloudTrail
    /// puts a service's name there for calls AWS services make.
    pub fn source_ip(&self) -> Option<&'a str> {
        self.str(Fact::SourceIp)
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
    }

    /// Log-clock time of the incident (epoch seconds; the log's clock is
    /// taken as UTC), or the batch's first event.
    pub fn first_seen(&self) -> Option<i64> {
        match &self.finding.batch {
            Some(b) => Some(b.first_seen),
            None => self.finding.facts.int(Fact::EventTime),
        }
    }

    /// Log-clock time of the incident (as [`Ctx::first_seen`]), or the
    /// batch's last event.
    pub fn last_seen(&self) -> Option<i64> {
        match &self.finding.batch {
            Some(b) => Some(b.last_seen),
            None => self.finding.facts.int(Fact::EventTime),
        }
    }

    /// The time the finding's log line opens with (its headline, else its
    /// evidence from the last line up), when the log stamps its lines:
    /// `2026-11-26T09:30:02.163Z …` (CI runners, SDK tracing),
    /// `[2026-11-26T09:31:09.671Z] …` (Jenkins), `2026-11-26 15:14:12,027 …`
    /// (Python logging; the log's clock is taken as UTC).
    pub fn line_time(&self) -> Option<i64> {
        self.finding
            .headline
            .iter()
            .chain(self.finding.evidence.iter().rev())
            .find_map(|l| line_stamp(&l.text))
    }

    /// When the finding happened, and where that time comes from: the
    /// event's time, else its log line's, else `run` (the run's clock, which
    /// the caller passes: SIEM formats need a time on every record).
    pub fn time(&self, run: i64) -> (i64, TimeSource) {
        if let Some(t) = self.first_seen() {
            (t, TimeSource::Event)
        } else if let Some(t) = self.line_time() {
            (t, TimeSource::Log)
        } else {
            (run, TimeSource::Run)
        }
    }

    /// How many failed calls the finding stands for.
    pub fn count(&self) -> usize {
        self.finding.batch.as_ref().map_or(1, |b| b.count)
    }

    /// A finding id that stays the same for the same rule and group: a
    /// batch finding's group values, or an incident's input and position.
    /// Hashed, so no value in it is shown.
    pub fn uid(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"authsift-finding/1\0");
        h.update(self.finding.rule.as_bytes());
        h.update(b"\0");
        match &self.finding.batch {
            Some(b) => {
                for (k, v) in &b.group {
                    h.update(k.as_bytes());
                    h.update(b"=");
                    h.update(v.as_bytes());
                    h.update(b"\0");
                }
            }
            None => {
                h.update(self.input.path.as_bytes());
                h.update(b"\0");
                h.update(self.finding.incident.to_string().as_bytes());
            }
        }
        hex(&h.finalize()[..16])
    }
}

/// Where a finding's time comes from ([`Ctx::time`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// The failed event's own time (`event.time`, a batch's first event).
    Event,
    /// The timestamp its log line opens with.
    Log,
    /// The run's clock: the input says nothing of when.
    Run,
}

impl TimeSource {
    /// `event`, `log` or `run`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Event => "event",
            TimeSource::Log => "log",
            TimeSource::Run => "run",
        }
    }
}

/// The timestamp a log line opens with, if any (see [`Ctx::line_time`]).
fn line_stamp(text: &str) -> Option<i64> {
    let text = text.trim_start().trim_start_matches('[');
    let token = text.split([' ', ']']).next()?;
    crate::time::parse_iso8601(token).or_else(|| crate::time::parse_log_timestamp(text))
}

/// A principal named by an error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal<'a> {
    /// The whole ARN.
    pub arn: &'a str,
    /// The 12-digit account id.
    pub account: &'a str,
    /// The last part of the ARN's resource (`bob` of `user/bob`).
    pub name: &'a str,
}

static ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"arn:aws[a-z-]*:(?:iam|sts)::([0-9]{12}):(?:user|assumed-role|role|root|federated-user)[A-Za-z0-9+=,.@_/-]*").expect("valid regex")
});

/// The first IAM/STS principal ARN an error message names (`User: arn:aws:iam::…:user/bob is not authorized …`).
pub fn principal(message: &str) -> Option<Principal<'_>> {
    let c = ARN.captures(message)?;
    let arn = c.get(0)?.as_str().trim_end_matches(['.', ',']);
    let resource = arn.splitn(6, ':').nth(5)?;
    let name = resource.rsplit('/').next().unwrap_or(resource);
    Some(Principal {
        arn,
        account: c.get(1)?.as_str(),
        name,
    })
}

/// `host[:port]` (`[v6]:port` too) as the host and the port, when one is given.
pub fn host_port(endpoint: &str) -> (&str, Option<u16>) {
    let (host, port) = match endpoint.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => match p.parse::<u16>() {
            Ok(port) => (h, Some(port)),
            Err(_) => (endpoint, None),
        },
        _ => (endpoint, None),
    };
    (host.trim_start_matches('[').trim_end_matches(']'), port)
}

/// Lower-case hex digits of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// ISO 8601 UTC (`2026-11-26T15:59:36Z`).
pub fn iso(t: i64) -> String {
    crate::time::format_iso8601(t)
}

/// What to say about an input without findings. A CloudTrail input proves
/// less than a debug log: it never records requests that failed
/// authentication, so "no failure" would be a claim it cannot back.
pub fn no_failure(input: &InputReport) -> (String, Option<&'static str>) {
    if let Some(why) = input.skipped() {
        return (format!("skipped: {why}"), None);
    }
    if input.is_trail() {
        return (
            "no authorization failure recorded".to_string(),
            Some(crate::trail::NOT_RECORDED.as_str()),
        );
    }
    if input.read_as == Some(crate::outcome::ReadAs::AwsConfig) {
        return ("no problem found".to_string(), None);
    }
    if input.has_unexplained_failure() {
        return ("an AWS failure no rule explains".to_string(), None);
    }
    ("no AWS failure found".to_string(), None)
}

/// An input's result in a few words, for the reports' inputs tables:
/// unreadable, how many failures were explained, or why none was.
pub fn result(input: &InputReport) -> String {
    if let Some(e) = input.errors.first() {
        return format!("unreadable: {e}");
    }
    let verdicts = findings(input).iter().filter(|c| c.verdict).count();
    match verdicts {
        0 => no_failure(input).0,
        1 => "1 failure explained".to_string(),
        n => format!("{n} failures explained"),
    }
}

/// A batch finding's events and their span: `12 events, … to … (log
/// clock)`.
pub fn batch_span(b: &crate::finding::Batch) -> String {
    format!(
        "{}, {} to {} (log clock)",
        crate::text::counted(b.count, "event"),
        iso(b.first_seen),
        iso(b.last_seen)
    )
}

/// `21345` → `21,345 bytes`.
pub fn bytes(n: u64) -> String {
    crate::text::counted(crate::text::Thousands(n), "byte")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(bytes(21345), "21,345 bytes");
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(999), "999 bytes");
        assert_eq!(bytes(1_000_000), "1,000,000 bytes");
    }

    #[test]
    fn endpoints_split_into_host_and_port() {
        assert_eq!(host_port("proxy.corp:8443"), ("proxy.corp", Some(8443)));
        assert_eq!(host_port("s3.amazonaws.com"), ("s3.amazonaws.com", None));
        assert_eq!(host_port("127.0.0.1:9"), ("127.0.0.1", Some(9)));
        assert_eq!(host_port("[::1]:4566"), ("::1", Some(4566)));
        assert_eq!(host_port("::1"), ("::1", None));
    }

    #[test]
    fn line_stamps_in_the_layouts_logs_use() {
        let t = crate::time::parse_iso8601("2026-11-26T09:30:02Z").unwrap();
        for line in [
            "2026-11-26T09:30:02.1630000Z com.amazonaws.services.s3.model.AmazonS3Exception",
            "[2026-11-26T09:30:02.671Z] An error occurred (InvalidClientTokenId)",
            "2026-11-26 09:30:02,027 - MainThread - botocore.endpoint - DEBUG",
        ] {
            assert_eq!(line_stamp(line), Some(t), "{line}");
        }
        assert_eq!(line_stamp("An error occurred (AccessDenied)"), None);
        assert_eq!(line_stamp("Error: 2026-11-26 is not a time"), None);
    }

    #[test]
    fn principal_from_access_denied_message() {
        let p = principal(
            "User: arn:aws:iam::123456789012:user/dev/bob is not authorized to perform: s3:ListBucket",
        )
        .unwrap();
        assert_eq!(p.arn, "arn:aws:iam::123456789012:user/dev/bob");
        assert_eq!(p.account, "123456789012");
        assert_eq!(p.name, "bob");
        assert!(principal("Access Denied").is_none());
    }
}
