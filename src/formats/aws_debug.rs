//! `aws --debug` output and boto3/botocore debug logging → [`Run`]s.
//!
//! The log is split into records (see [`logrecord`]), then each record is
//! matched by what its message says, not by its logger name: wrappers rename
//! loggers, and CLI v2 vendors botocore under another module path. Unknown
//! records are skipped. A new run starts at each `CLI version:` record, so a
//! file holding several pasted runs yields several incidents.

use std::sync::LazyLock;

use regex::Regex;

use super::{logrecord, pyrepr};
use crate::model::{
    CredentialStep, ErrorEvent, ErrorKind, EvidenceLine, Exchange, HttpRequest, Logged, Run, Span,
};

/// What a run's first record says first (`… - DEBUG - CLI version:
/// aws-cli/…`): logs are cut into runs there.
pub const RUN_START: &str = "CLI version: ";

/// What a CLI run's last record says first (`… - DEBUG - Exiting with rc
/// 255`). What the CLI prints after it (its error message) still belongs
/// to the run.
pub const RUN_END: &str = "Exiting with rc ";

/// Whether a line (without its newline) is a record starting a run.
pub fn is_run_start(line: &str) -> bool {
    line.contains(RUN_START) && logrecord::is_header_line(line)
}

/// Whether a line (without its newline) is the record ending a CLI run.
pub fn is_run_end(line: &str) -> bool {
    line.contains(RUN_END) && logrecord::is_header_line(line)
}

/// Parses a whole log into runs, in input order.
pub fn parse(text: &str) -> Vec<Run> {
    runs(text, 1).collect()
}

/// The runs of a log, lazily; `first_line` is the number of the text's
/// first line (the text may be a chunk of a larger input).
pub fn runs(text: &str, first_line: usize) -> Runs<'_> {
    Runs {
        text,
        records: logrecord::Records::new(text, first_line),
        run: Run::default(),
        range: None,
        pending_signing: None,
        previous: None,
        split: Vec::new(),
        read: Vec::new(),
    }
}

pub struct Runs<'a> {
    text: &'a str,
    records: logrecord::Records<'a>,
    run: Run,
    /// Byte range of the current run in `text`.
    range: Option<(usize, usize)>,
    pending_signing: Option<(String, String)>,
    previous: Option<(&'a str, &'a str)>,
    /// Runs split off a header-less run with several failures, last first.
    split: Vec<Run>,
    /// Byte ranges (in `text`) of the current run that the structured
    /// reading has taken whole: DEBUG and INFO header lines, and the
    /// signing blocks under them. Recognition reads only the rest
    /// (tracebacks, response bodies, warnings, what the client printed);
    /// in a debug log that is a small part.
    read: Vec<(usize, usize)>,
}

impl Iterator for Runs<'_> {
    type Item = Run;

    fn next(&mut self) -> Option<Run> {
        if let Some(run) = self.split.pop() {
            return Some(run);
        }
        while let Some(record) = self.records.next() {
            // Duplicated logging handlers print every record twice in a row.
            if record.is_header() && self.previous == Some((record.logger, record.message)) {
                continue;
            }
            self.previous = Some((record.logger, record.message));
            let first = record.first_line();
            let finished = if first.starts_with(RUN_START) && run_has_content(&self.run) {
                Some(self.finish())
            } else {
                None
            };
            self.add(&record, first);
            if finished.is_some() {
                return finished;
            }
        }
        (self.run.records > 0).then(|| self.finish())
    }
}

/// Splits a header-less run (pasted text, a CI job's output) into one run
/// per failure: text has no client-run boundaries, so each change of
/// failure starts a new one. Without this, a log with failures in several
/// steps reported only the last. A consequence (docker after a failed ECR
/// login) and a repeat of the current failure stay with it. The run's
/// record count goes with the first part, so totals are unchanged.
fn split_failures(mut run: Run) -> Vec<Run> {
    if is_structured(&run) || run.errors.len() < 2 {
        return vec![run];
    }
    let key = |e: &ErrorEvent| (e.kind, e.code.clone());
    let mut groups: Vec<Vec<ErrorEvent>> = Vec::new();
    for error in std::mem::take(&mut run.errors) {
        match groups.last_mut() {
            Some(group) if error.consequence || group.iter().any(|e| key(e) == key(&error)) => {
                group.push(error)
            }
            _ => groups.push(vec![error]),
        }
    }
    let records = run.records;
    groups
        .into_iter()
        .enumerate()
        .map(|(i, errors)| {
            let first = errors.first().map_or(0, |e| e.evidence.line);
            let last = errors.last().map_or(first, |e| e.evidence.line);
            Run {
                span: Some(Span {
                    line: first,
                    end_line: last,
                }),
                records: if i == 0 { records } else { 0 },
                errors,
                ..run.clone()
            }
        })
        .collect()
}

impl Runs<'_> {
    fn add(&mut self, record: &logrecord::Record<'_>, first: &str) {
        let run = &mut self.run;
        run.records += 1;
        if run.started.is_none() && !record.timestamp.is_empty() {
            run.started = crate::time::parse_log_timestamp(record.timestamp);
        }
        match run.span.as_mut() {
            Some(span) => span.end_line = record.end_line,
            None => {
                run.span = Some(Span {
                    line: record.line,
                    end_line: record.end_line,
                })
            }
        }
        self.range = Some(match self.range {
            Some((start, _)) => (start, record.end),
            None => (record.start, record.end),
        });
        if record.is_header() && matches!(record.level, "DEBUG" | "INFO") {
            let block = matches!(first, "CanonicalRequest:" | "StringToSign:" | "Signature:");
            let end = match block {
                true => record.end,
                false => record.start + record.raw_line.len(),
            };
            self.read.push((record.start, end));
        }
        // Hook and loader chatter is most of a debug log and says nothing here.
        if record.is_header() && !matches!(record.logger, "botocore.hooks" | "botocore.loaders") {
            read_record(run, record, first, &mut self.pending_signing);
        }
    }

    /// Closes the current run: its failure lines are scanned once, over the
    /// run's own text. botocore's metadata-service probes are IMDS facts,
    /// not the failure.
    fn finish(&mut self) -> Run {
        let mut run = std::mem::take(&mut self.run);
        self.pending_signing = None;
        let read = std::mem::take(&mut self.read);
        if let (Some((start, end)), Some(span)) = (self.range.take(), run.span) {
            let text = &self.text[start..end];
            let skipped: Vec<(usize, usize)> =
                read.iter().map(|(a, b)| (a - start, b - start)).collect();
            // The probes botocore logged are read as IMDS facts (`read_imds`);
            // a metadata failure told any other way is a failure.
            let probes: Vec<usize> = run.imds.evidence.iter().map(|e| e.line).collect();
            run.errors = crate::recognise::scan_except(text, span.line, &skipped)
                .into_iter()
                .filter(|e| !probes.contains(&e.evidence.line))
                .collect();
            // Go SDK signing logs travel in the same logs (Terraform, CI).
            if run.exchanges.is_empty() {
                run.exchanges = super::go_sdk::exchanges(text, span.line);
            }
            // So do Terraform's structured HTTP lines (provider v5, S3 backend).
            if run.exchanges.is_empty() {
                run.exchanges = super::terraform::exchanges(text, span.line);
            }
            // And the Rust SDK's tracing output (aws-sigv4, smithy runtime).
            if run.exchanges.is_empty() {
                run.exchanges = super::rust_sdk::exchanges(text, span.line);
                super::rust_sdk::drop_retried_attempts(&mut run.errors, text, span.line);
            }
            // A run that ends opening a connection, with nothing after it,
            // hung there until the user gave up.
            if run.errors.is_empty() {
                run.errors
                    .extend(crate::recognise::connection_left_hanging(text, span.line));
            }
            // In a debug run the requests say whether something failed:
            // words nobody could name are no failure of their own there.
            if is_structured(&run) {
                run.errors.retain(|e| e.kind != ErrorKind::Unrecognised);
            }
            // Pasted text says around its failures what a debug log's
            // structure would have said exactly.
            if !is_structured(&run) && !run.errors.is_empty() {
                run.context = crate::recognise::context::read(text, span.line);
            }
        }
        let mut parts = split_failures(run);
        let first = parts.remove(0);
        parts.reverse();
        self.split = parts;
        first
    }
}

/// A client run a debug log laid out (a CLI run, requests, credential
/// steps), as opposed to text whose failures are all it has.
fn is_structured(run: &Run) -> bool {
    run.cli_version.is_some() || !run.exchanges.is_empty() || !run.credential_steps.is_empty()
}

fn run_has_content(run: &Run) -> bool {
    run.cli_version.is_some() || !run.exchanges.is_empty() || !run.credential_steps.is_empty()
}

fn evidence(record: &logrecord::Record<'_>, text: &str) -> EvidenceLine {
    EvidenceLine {
        line: record.line,
        text: text.into(),
    }
}

/// The record's first line as it appeared, for evidence.
fn header_line(record: &logrecord::Record<'_>) -> EvidenceLine {
    evidence(record, record.raw_line)
}

/// Messages botocore.utils logs about the instance metadata service.
const IMDS_PREFIXES: &[&str] = &[
    "IMDS ENDPOINT: ",
    "Access to EC2 metadata has been disabled",
    "Caught retryable HTTP exception while making metadata service request",
    "Metadata service returned",
    "Max number of attempts exceeded",
    "Error response received when retrievingcredentials",
    "Bad IMDS request",
];

static OPERATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Making request for OperationModel\(name=([[:word:]]+)\)").unwrap()
});
static SIGNING_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"'(?:region|signing_region)': '([^']*)', '(?:signing_name|service)': '([^']*)'")
        .unwrap()
});
static URLLIB3_RESPONSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^[^[:space:]]+ "([^[:space:]]+) ([^[:space:]]*) HTTP/[0-9.]+" ([0-9]{3}) "#)
        .unwrap()
});
static METADATA_STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"status code of ([0-9]{3})").unwrap());

fn read_record(
    run: &mut Run,
    record: &logrecord::Record<'_>,
    first: &str,
    pending_signing: &mut Option<(String, String)>,
) {
    if let Some(version) = first.strip_prefix(RUN_START) {
        run.cli_version = Some(version.trim().to_string());
        run.cli_version_line = Some(header_line(record));
    } else if let Some(args) = first.strip_prefix("Arguments entered to CLI: ") {
        run.arguments = Some(args.to_string());
    } else if first.starts_with("Looking for credentials via: ")
        || first.starts_with("Found credentials")
        || first.starts_with("Credentials found in")
        || first.starts_with("Skipping environment variable credential check")
    {
        if let Some(step) = credential_step(first) {
            run.credential_steps.push((step, header_line(record)));
        }
    } else if IMDS_PREFIXES.iter().any(|p| first.starts_with(p)) {
        read_imds(run, record, first);
    } else if let Some(caps) = first
        .starts_with("Making request for OperationModel")
        .then(|| OPERATION.captures(first))
        .flatten()
    {
        let mut exchange = Exchange {
            operation: Some(caps[1].to_string()),
            ..Exchange::default()
        };
        // The params dict is long; only its `'signing': {…}` part matters.
        let signing = first.find("'signing': {").map(|i| &first[i..]);
        if let Some(c) = signing.and_then(|s| SIGNING_CONTEXT.captures(s)) {
            exchange.signing_region = Some(c[1].to_string());
            exchange.signing_name = Some(c[2].to_string());
        } else if let Some((region, name)) = pending_signing.take() {
            exchange.signing_region = Some(region);
            exchange.signing_name = Some(name);
        }
        run.exchanges.push(exchange);
    } else if first.starts_with("Selected auth type") {
        if let Some(c) = SIGNING_CONTEXT.captures(first) {
            *pending_signing = Some((c[1].to_string(), c[2].to_string()));
        }
    } else if first == "CanonicalRequest:" {
        let block = block(record);
        let exchange = exchange_for_signing(run);
        exchange.canonical_request = Some(block);
    } else if first == "StringToSign:" {
        let block = block(record);
        current_exchange(run).string_to_sign = Some(block);
    } else if first == "Signature:" {
        let block = block(record);
        current_exchange(run).signature = Some(block);
    } else if let Some(rest) = first.strip_prefix("Sending http request: ") {
        if let Some(mut request) = prepared_request(rest) {
            request.line = Some(header_line(record));
            let exchange = current_exchange(run);
            if exchange.request.is_some() {
                // A resend without new signing records (e.g. a retry whose
                // signing block was deduplicated): keep attempts apart.
                let operation = exchange.operation.clone();
                run.exchanges.push(Exchange {
                    operation,
                    ..Exchange::default()
                });
            }
            current_exchange(run).request = Some(request);
        }
    } else if let Some(rest) = first.strip_prefix("Response headers: ") {
        if let Ok((_, headers)) = pyrepr::dict(rest) {
            current_exchange(run).response.headers = headers;
        }
    } else if first == "Response body:" {
        let body = pyrepr::decode_literal(record.continuation());
        current_exchange(run).response.body = Some(body);
    } else if let Some(caps) = record
        .logger
        .starts_with("urllib3")
        .then(|| URLLIB3_RESPONSE.captures(first))
        .flatten()
    {
        let exchange = current_exchange(run);
        exchange.response.status = caps[3].parse().ok();
        exchange.response.status_line = Some(header_line(record));
        // A log cut down to its response still says where the request went
        // (urllib3 names the host, method and path); its headers are unknown.
        if exchange.request.is_none()
            && let Some(host) = first.split(' ').next().filter(|h| h.contains("://"))
        {
            exchange.request = Some(HttpRequest {
                method: caps[1].to_string(),
                url: format!("{host}{}", &caps[2]),
                headers: Vec::new(),
                line: Some(header_line(record)),
            });
        }
    }
}

fn credential_step(message: &str) -> Option<CredentialStep> {
    if let Some(provider) = message.strip_prefix("Looking for credentials via: ") {
        return Some(CredentialStep::Looking(provider.trim().to_string()));
    }
    if message.starts_with("Skipping environment variable credential check") {
        return Some(CredentialStep::EnvSkippedForProfile);
    }
    // The wording differs per provider; normalise to the provider names the
    // `Looking for credentials via:` lines use.
    const FOUND: &[(&str, &str)] = &[
        ("Found credentials in environment variables", "env"),
        (
            "Found credentials in shared credentials file",
            "shared-credentials-file",
        ),
        ("Credentials found in config file", "config-file"),
        (
            "Found credentials in AWS_CREDENTIAL_FILE",
            "ec2-credentials-file",
        ),
        ("Found credentials in boto config file", "boto-config"),
        ("Found credentials from IAM Role", "iam-role"),
        ("Found credentials from container", "container-role"),
    ];
    FOUND
        .iter()
        .find(|(prefix, _)| message.starts_with(prefix))
        .map(|(_, provider)| CredentialStep::Found((*provider).to_string()))
        .or_else(|| {
            message
                .strip_prefix("Found credentials")
                .map(|rest| CredentialStep::Found(rest.trim().to_string()))
        })
}

fn read_imds(run: &mut Run, record: &logrecord::Record<'_>, first: &str) {
    let imds = &mut run.imds;
    if let Some(endpoint) = first.strip_prefix("IMDS ENDPOINT: ") {
        imds.endpoint = Some(endpoint.trim().to_string());
        return;
    }
    if first.starts_with("Access to EC2 metadata has been disabled") {
        imds.disabled = true;
    } else if first
        .starts_with("Caught retryable HTTP exception while making metadata service request")
    {
        imds.connect_failures += 1;
    } else if first.starts_with("Metadata service returned") {
        if let Some(c) = METADATA_STATUS.captures(first) {
            imds.error_statuses.push(c[1].parse().unwrap_or(0));
        }
    } else if first.starts_with("Max number of attempts exceeded") {
        imds.gave_up = true;
    } else if !first.starts_with("Error response received when retrievingcredentials")
        && !first.starts_with("Bad IMDS request")
    {
        return;
    }
    imds.evidence.push(header_line(record));
}

fn block(record: &logrecord::Record<'_>) -> Logged {
    let body = record.continuation();
    let text = if body.contains('\r') {
        body.replace("\r\n", "\n")
    } else {
        body.to_string()
    };
    Logged {
        text,
        span: Span {
            line: record.line,
            end_line: record.end_line,
        },
    }
}

fn current_exchange(run: &mut Run) -> &mut Exchange {
    if run.exchanges.is_empty() {
        run.exchanges.push(Exchange::default());
    }
    run.exchanges.last_mut().expect("just ensured non-empty")
}

/// Signing starts a new attempt when the current one was already signed or
/// sent (retries and redirects sign again).
fn exchange_for_signing(run: &mut Run) -> &mut Exchange {
    let exchange = current_exchange(run);
    if exchange.canonical_request.is_some() || exchange.request.is_some() {
        let next = Exchange {
            operation: exchange.operation.clone(),
            signing_region: exchange.signing_region.clone(),
            signing_name: exchange.signing_name.clone(),
            ..Exchange::default()
        };
        run.exchanges.push(next);
    }
    current_exchange(run)
}

/// Parses `<AWSPreparedRequest stream_output=False, method=GET, url=…, headers={…}>`.
fn prepared_request(rest: &str) -> Option<HttpRequest> {
    let rest = rest.strip_prefix("<AWSPreparedRequest ")?;
    let method_at = rest.find("method=")? + "method=".len();
    let method_end = rest[method_at..].find(',')? + method_at;
    let url_at = rest.find(", url=")? + ", url=".len();
    let headers_at = rest.find(", headers=")?;
    let url = rest.get(url_at..headers_at)?;
    let headers = pyrepr::dict(&rest[headers_at + ", headers=".len()..])
        .map(|(_, h)| h)
        .unwrap_or_default();
    Some(HttpRequest {
        method: rest[method_at..method_end].to_string(),
        url: url.to_string(),
        headers,
        line: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_request_parses_method_url_and_bytes_headers() {
        let r = prepared_request("<AWSPreparedRequest stream_output=False, method=POST, url=http://127.0.0.1:9/?a=b, headers={'X-Amz-Date': b'20261126T154712Z', 'Content-Length': '43'}>").unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "http://127.0.0.1:9/?a=b");
        assert_eq!(r.header("x-amz-date"), Some("20261126T154712Z"));
        assert_eq!(r.header("content-length"), Some("43"));
    }

    #[test]
    fn credential_wording_is_normalised() {
        assert_eq!(
            credential_step("Found credentials in shared credentials file: ~/.aws/credentials"),
            Some(CredentialStep::Found("shared-credentials-file".into()))
        );
        assert_eq!(
            credential_step("Credentials found in config file: ~/.aws/config"),
            Some(CredentialStep::Found("config-file".into()))
        );
        assert_eq!(
            credential_step("Looking for credentials via: assume-role"),
            Some(CredentialStep::Looking("assume-role".into()))
        );
    }

    const TWO_RUNS: &str = "\
2026-11-26 15:47:12,823 - MainThread - awscli.clidriver - DEBUG - CLI version: aws-cli/1.46.3 Python/3.11.7 Linux/6.1 botocore/1.43.62
2026-11-26 15:47:12,869 - MainThread - botocore.credentials - DEBUG - Looking for credentials via: env
2026-11-26 15:47:12,923 - MainThread - botocore.endpoint - DEBUG - Making request for OperationModel(name=GetCallerIdentity) with params: {'url': 'http://127.0.0.1:9/'}
2026-11-26 15:47:12,924 - MainThread - botocore.auth - DEBUG - CanonicalRequest:
POST
/

host:127.0.0.1:9
x-amz-date:20261126T154712Z

host;x-amz-date
ab82
2026-11-26 15:47:12,924 - MainThread - botocore.auth - DEBUG - Signature:
a7c8
2026-11-26 15:47:12,924 - MainThread - botocore.auth - DEBUG - Signature:
a7c8
2026-11-26 15:47:12,925 - MainThread - urllib3.connectionpool - DEBUG - http://127.0.0.1:9 \"POST / HTTP/1.1\" 403 305
2026-11-26 15:47:12,926 - MainThread - botocore.parsers - DEBUG - Response body:
b'<Error><Code>X</Code>\\n</Error>'
2026-11-26 15:47:24,140 - MainThread - awscli.clidriver - DEBUG - Exiting with rc 255

An error occurred (X) when calling the GetCallerIdentity operation: nope
2026-11-26 15:48:12,823 - MainThread - awscli.clidriver - DEBUG - CLI version: aws-cli/1.46.3 Python/3.11.7 Linux/6.1 botocore/1.43.62
2026-11-26 15:48:12,924 - MainThread - botocore.hooks - DEBUG - Event x
Unable to locate credentials. You can configure credentials by running \"aws configure\".
";

    #[test]
    fn splits_runs_and_builds_exchanges() {
        let runs = parse(TWO_RUNS);
        assert_eq!(runs.len(), 2);
        let first = &runs[0];
        assert_eq!(
            first.exchanges.len(),
            1,
            "duplicate Signature record is dropped"
        );
        let x = &first.exchanges[0];
        assert_eq!(x.operation.as_deref(), Some("GetCallerIdentity"));
        assert_eq!(
            x.canonical_request.as_ref().unwrap().text,
            "POST\n/\n\nhost:127.0.0.1:9\nx-amz-date:20261126T154712Z\n\nhost;x-amz-date\nab82"
        );
        assert_eq!(x.signature.as_ref().unwrap().text, "a7c8");
        assert_eq!(x.response.status, Some(403));
        // No `Sending http request` record: urllib3's line still says where
        // the request went, with no headers claimed.
        let request = x.request.as_ref().unwrap();
        assert_eq!(
            (request.method.as_str(), request.url.as_str()),
            ("POST", "http://127.0.0.1:9/")
        );
        assert!(request.headers.is_empty());
        assert_eq!(
            x.response.body.as_deref(),
            Some("<Error><Code>X</Code>\n</Error>")
        );
        assert_eq!(first.errors.len(), 1);
        assert_eq!(first.errors[0].evidence.line, 22);
        assert_eq!(runs[1].errors.len(), 1);
        assert_eq!(runs[1].errors[0].evidence.line, 25);
    }
}
