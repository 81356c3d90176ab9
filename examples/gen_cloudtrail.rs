//! A deterministic synthetic CloudTrail archive, for tests and benchmarks.
//!
//! ```text
//! cargo run --release --example gen_cloudtrail -- OUT_DIR [--events N] [--seed S]
//!     [--files F] [--failures K]
//! ```
//!
//! `--files F` spreads the events over about F files (an even number: two
//! regions a window) instead of 2,000 events a window. `--failures K`
//! makes every event a success except K auth failures spread evenly over
//! the archive (an AssumeRole denial, denials of other calls, a failed
//! console sign-in, EC2's encoded denial): a big archive with a few
//! needles in it, as a new user's first run often is.
//!
//! Writes the S3 delivery layout CloudTrail uses
//! (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`,
//! each file `{"Records":[…]}` covering five minutes of one region, named
//! for a delivery a few minutes later) with a realistic mix: mostly
//! successful calls of a few people and workloads, AWS services acting on
//! the account's behalf (log delivery, Config; some of it denied), throttling,
//! missing resources, denials in AWS's real message forms (no
//! identity-based policy, explicit deny in an SCP, EC2's encoded message),
//! AssumeRole denials, failed console sign-ins, and one access key that
//! starts failing halfway through from an unfamiliar address.
//!
//! The same seed and event count always give the same bytes (files are
//! generated in parallel, each from its own seed). Prints the number of
//! files, events and uncompressed bytes written.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use rayon::prelude::*;

const ACCOUNT: &str = "111122223333";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
/// 2024-05-01T00:00:00Z.
const START: i64 = 1_714_521_600;
const WINDOW: i64 = 300;
const EVENTS_PER_WINDOW: u64 = 2_000;

/// SplitMix64: small, fast, good enough for a mix of events.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(len);
        s
    }
}

struct Caller {
    kind: &'static str,
    arn: &'static str,
    user: Option<&'static str>,
    key: &'static str,
    ip: &'static str,
    agent: &'static str,
}

const CALLERS: &[Caller] = &[
    Caller {
        kind: "IAMUser",
        arn: "arn:aws:iam::111122223333:user/alice",
        user: Some("alice"),
        key: "AKIAIOSFODNN7EXAMPLE",
        ip: "198.51.100.23",
        agent: "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1017-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls",
    },
    Caller {
        kind: "AssumedRole",
        arn: "arn:aws:sts::111122223333:assumed-role/ci-deploy/gh-actions",
        user: None,
        key: "ASIAY34FZKBOKMUTVV7A",
        ip: "203.0.113.10",
        agent: "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.26.7",
    },
    Caller {
        kind: "AssumedRole",
        arn: "arn:aws:sts::111122223333:assumed-role/app-backend/i-0abc12345def67890",
        user: None,
        key: "ASIAZ7EXAMPLE2BACKND",
        ip: "10.0.12.34",
        agent: "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.0 md/arch#x86_64 lang/python#3.11.6 cfg/retry-mode#legacy Botocore/1.34.11",
    },
    Caller {
        kind: "IAMUser",
        arn: "arn:aws:iam::111122223333:user/legacy-batch",
        user: Some("legacy-batch"),
        key: "AKIAJLEGACYBATCH0001",
        ip: "192.0.2.77",
        agent: "aws-cli/1.18.69 Python/2.7.18 Linux/4.14.209-160.339.amzn2.x86_64 botocore/1.16.19",
    },
];

/// The access key that starts failing halfway through, from elsewhere.
const LEAKED: Caller = Caller {
    kind: "IAMUser",
    arn: "arn:aws:iam::111122223333:user/reporting",
    user: Some("reporting"),
    key: "AKIAREPORTINGKEY0042",
    ip: "192.0.2.200",
    agent: "python-requests/2.31.0",
};

const CALLS: &[(&str, &str, &str)] = &[
    ("s3.amazonaws.com", "GetObject", "s3:GetObject"),
    ("s3.amazonaws.com", "PutObject", "s3:PutObject"),
    ("s3.amazonaws.com", "ListBuckets", "s3:ListAllMyBuckets"),
    (
        "sts.amazonaws.com",
        "GetCallerIdentity",
        "sts:GetCallerIdentity",
    ),
    (
        "ec2.amazonaws.com",
        "DescribeInstances",
        "ec2:DescribeInstances",
    ),
    ("dynamodb.amazonaws.com", "Query", "dynamodb:Query"),
    ("kms.amazonaws.com", "Decrypt", "kms:Decrypt"),
    (
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        "secretsmanager:GetSecretValue",
    ),
    ("logs.amazonaws.com", "PutLogEvents", "logs:PutLogEvents"),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut events: u64 = 100_000;
    let mut seed: u64 = 1;
    let mut files: Option<u64> = None;
    let mut failures: Option<u64> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--events" => events = number(args.next()),
            "--seed" => seed = number(args.next()),
            "--files" => files = Some(number(args.next()).max(2)),
            "--failures" => failures = Some(number(args.next())),
            _ if out.is_none() => out = Some(PathBuf::from(arg)),
            _ => usage(),
        }
    }
    let Some(out) = out else { usage() };
    let windows = match files {
        Some(files) => files.div_ceil(REGIONS.len() as u64),
        None => events.div_ceil(EVENTS_PER_WINDOW).max(1),
    };
    let files: Vec<(u64, &str)> = (0..windows)
        .flat_map(|w| REGIONS.iter().map(move |r| (w, *r)))
        .collect();
    let per_file = events.div_ceil(files.len() as u64);
    let written: Vec<(u64, u64)> = files
        .par_iter()
        .enumerate()
        .map(|(i, (window, region))| {
            let first = i as u64 * per_file;
            let count = per_file.min(events.saturating_sub(first));
            let mut rng = Rng(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            let plan = Plan {
                first,
                total: events,
                failures,
            };
            write_file(&out, *window, region, count, &plan, &mut rng)
        })
        .collect();
    let (n, bytes) = written
        .iter()
        .fold((0, 0), |(n, b), (en, eb)| (n + en, b + eb));
    println!(
        "{} files, {n} events, {bytes} bytes uncompressed, in {}",
        files.len(),
        out.display()
    );
}

fn number(arg: Option<String>) -> u64 {
    arg.and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or_else(|| usage())
}

fn usage() -> ! {
    eprintln!("usage: gen_cloudtrail OUT_DIR [--events N] [--seed S] [--files F] [--failures K]");
    std::process::exit(2)
}

/// Where a file's events are in the archive, and what fails.
struct Plan {
    /// The index of the file's first event among `total`.
    first: u64,
    total: u64,
    /// `--failures K`: only K auth failures in the whole archive.
    failures: Option<u64>,
}

/// The planted failures of `--failures`, in turn (rolls of [`event`]):
/// AssumeRole denied, a denial, a failed console sign-in, EC2's encoded
/// denial, an SCP's explicit deny.
const PLANTED: [u64; 5] = [260, 170, 355, 240, 220];

impl Plan {
    /// The roll of event `n` of the file: `None` for the usual mix.
    fn roll(&self, n: u64, rng: &mut Rng) -> Option<u64> {
        let k = self.failures?;
        let g = self.first + n;
        let bucket = |g: u64| (g as u128 * k as u128 / self.total.max(1) as u128) as u64;
        if bucket(g) != bucket(g + 1) {
            return Some(PLANTED[(bucket(g) % PLANTED.len() as u64) as usize]);
        }
        // A success: a person's or workload's call, or a service's.
        Some(match rng.below(10) {
            0 => 15 + rng.below(135),
            _ => 365 + rng.below(635),
        })
    }
}

/// One delivery file: `count` events of a five-minute window.
fn write_file(
    out: &Path,
    window: u64,
    region: &str,
    count: u64,
    plan: &Plan,
    rng: &mut Rng,
) -> (u64, u64) {
    let start = START + window as i64 * WINDOW;
    let delivered = start + WINDOW + 60 + rng.below(240) as i64;
    let (y, m, d, hh, mm, _) = civil(delivered);
    let dir = out.join(format!(
        "AWSLogs/{ACCOUNT}/CloudTrail/{region}/{y:04}/{m:02}/{d:02}"
    ));
    std::fs::create_dir_all(&dir).expect("output directory");
    let name = format!(
        "{ACCOUNT}_CloudTrail_{region}_{y:04}{m:02}{d:02}T{hh:02}{mm:02}Z_{}.json.gz",
        rng.hex(16).to_uppercase()
    );
    let mut text = String::with_capacity(count as usize * 1_400 + 16);
    text.push_str("{\"Records\":[");
    for n in 0..count {
        if n > 0 {
            text.push(',');
        }
        let time = start + rng.below(WINDOW as u64) as i64;
        let late = plan.failures.is_none() && plan.first + n > plan.total / 2;
        let roll = plan.roll(n, rng);
        event(&mut text, rng, time, region, late, roll);
    }
    text.push_str("]}");
    let file = std::fs::File::create(dir.join(name)).expect("output file");
    let mut gz = GzEncoder::new(std::io::BufWriter::new(file), Compression::default());
    gz.write_all(text.as_bytes()).expect("write");
    gz.finish().expect("finish").flush().expect("flush");
    (count, text.len() as u64)
}

/// Appends one event record.
/// `roll` picks the kind of event (a random mix when `None`).
fn event(out: &mut String, rng: &mut Rng, time: i64, region: &str, late: bool, roll: Option<u64>) {
    let roll = roll.unwrap_or_else(|| rng.below(1000));
    let (y, m, d, hh, mm, ss) = civil(time);
    let when = format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z");
    let id = format!(
        "{}-{}-{}-{}-{}",
        rng.hex(8),
        rng.hex(4),
        rng.hex(4),
        rng.hex(4),
        rng.hex(12)
    );
    let request = rng.hex(32).to_uppercase();
    // AWS services acting for the account: 15 %, a tenth of it denied.
    if roll < 150 {
        let (service, source, name) = *rng.pick(&[
            (
                "delivery.logs.amazonaws.com",
                "s3.amazonaws.com",
                "PutObject",
            ),
            (
                "config.amazonaws.com",
                "ec2.amazonaws.com",
                "DescribeInstances",
            ),
            (
                "cloudtrail.amazonaws.com",
                "s3.amazonaws.com",
                "GetBucketAcl",
            ),
        ]);
        let error = if roll < 15 {
            ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"Access Denied\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "{{\"eventVersion\":\"1.09\",\"userIdentity\":{{\"type\":\"AWSService\",\"invokedBy\":\"{service}\"}},\"eventTime\":\"{when}\",\"eventSource\":\"{source}\",\"eventName\":\"{name}\",\"awsRegion\":\"{region}\",\"sourceIPAddress\":\"{service}\",\"userAgent\":\"{service}\",\"requestParameters\":{{\"bucketName\":\"acme-logs-{ACCOUNT}\",\"Host\":\"acme-logs-{ACCOUNT}.s3.{region}.amazonaws.com\"}},\"responseElements\":null{error},\"requestID\":\"{request}\",\"eventID\":\"{id}\",\"readOnly\":false,\"eventType\":\"AwsApiCall\",\"managementEvent\":false,\"recipientAccountId\":\"{ACCOUNT}\",\"sharedEventID\":\"{}\",\"eventCategory\":\"Data\"}}",
            rng.hex(32)
        );
        return;
    }
    // After the halfway point a leaked key is tried from elsewhere, and denied.
    let (caller, leaked) = if late && roll < 170 {
        (&LEAKED, true)
    } else {
        (rng.pick(CALLERS), false)
    };
    let (source, name, action) = *rng.pick(CALLS);
    let resource = format!(
        "arn:aws:s3:::acme-data-{ACCOUNT}/reports/{}.csv",
        rng.hex(6)
    );
    let (name, source, error) = match roll {
        _ if leaked => (
            name,
            source,
            format!(
                ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action\"",
                caller.arn
            ),
        ),
        170..=219 => (
            name,
            source,
            format!(
                ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action\"",
                caller.arn
            ),
        ),
        220..=239 => (
            name,
            source,
            format!(
                ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User: {} is not authorized to perform: {action} on resource: {resource} with an explicit deny in a service control policy\"",
                caller.arn
            ),
        ),
        240..=259 => (
            "RunInstances",
            "ec2.amazonaws.com",
            format!(
                ",\"errorCode\":\"Client.UnauthorizedOperation\",\"errorMessage\":\"You are not authorized to perform this operation. Encoded authorization failure message: {}\"",
                rng.hex(96)
            ),
        ),
        260..=274 => (
            "AssumeRole",
            "sts.amazonaws.com",
            format!(
                ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User: {} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{ACCOUNT}:role/prod-admin\"",
                caller.arn
            ),
        ),
        275..=324 => (
            name,
            source,
            ",\"errorCode\":\"ThrottlingException\",\"errorMessage\":\"Rate exceeded\"".to_string(),
        ),
        325..=354 => (
            "GetObject",
            "s3.amazonaws.com",
            ",\"errorCode\":\"NoSuchKey\",\"errorMessage\":\"The specified key does not exist.\""
                .to_string(),
        ),
        355..=364 => {
            console_login(out, rng, &when, &id, &request);
            return;
        }
        _ => (name, source, String::new()),
    };
    let user = caller
        .user
        .map(|u| format!(",\"userName\":\"{u}\""))
        .unwrap_or_default();
    let role_parameters = if name == "AssumeRole" {
        format!(
            "{{\"roleArn\":\"arn:aws:iam::{ACCOUNT}:role/prod-admin\",\"roleSessionName\":\"session-{}\"}}",
            rng.hex(6)
        )
    } else {
        format!("{{\"bucketName\":\"acme-data-{ACCOUNT}\",\"key\":\"reports/x.csv\"}}")
    };
    let _ = write!(
        out,
        "{{\"eventVersion\":\"1.09\",\"userIdentity\":{{\"type\":\"{}\",\"principalId\":\"AIDA{}\",\"arn\":\"{}\",\"accountId\":\"{ACCOUNT}\",\"accessKeyId\":\"{}\"{user}}},\"eventTime\":\"{when}\",\"eventSource\":\"{source}\",\"eventName\":\"{name}\",\"awsRegion\":\"{region}\",\"sourceIPAddress\":\"{}\",\"userAgent\":\"{}\"{error},\"requestParameters\":{role_parameters},\"responseElements\":null,\"requestID\":\"{request}\",\"eventID\":\"{id}\",\"readOnly\":true,\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":\"{ACCOUNT}\",\"eventCategory\":\"Management\",\"tlsDetails\":{{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"{}.{region}.amazonaws.com\"}}}}",
        caller.kind,
        rng.hex(16).to_uppercase(),
        caller.arn,
        caller.key,
        caller.ip,
        caller.agent,
        source.trim_end_matches(".amazonaws.com"),
    );
}

/// A failed console sign-in: an unknown user name is hidden by AWS.
fn console_login(out: &mut String, rng: &mut Rng, when: &str, id: &str, request: &str) {
    let identity = if rng.below(2) == 0 {
        format!(
            "{{\"type\":\"IAMUser\",\"principalId\":\"AIDA{}\",\"accountId\":\"{ACCOUNT}\",\"accessKeyId\":\"\",\"userName\":\"alice\"}}",
            rng.hex(16).to_uppercase()
        )
    } else {
        format!(
            "{{\"type\":\"IAMUser\",\"accountId\":\"{ACCOUNT}\",\"accessKeyId\":\"\",\"userName\":\"HIDDEN_DUE_TO_SECURITY_REASONS\"}}"
        )
    };
    let _ = write!(
        out,
        "{{\"eventVersion\":\"1.09\",\"userIdentity\":{identity},\"eventTime\":\"{when}\",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"203.0.113.{}\",\"userAgent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0\",\"errorMessage\":\"Failed authentication\",\"requestParameters\":null,\"responseElements\":{{\"ConsoleLogin\":\"Failure\"}},\"additionalEventData\":{{\"LoginTo\":\"https://console.aws.amazon.com/console/home\",\"MobileVersion\":\"No\",\"MFAUsed\":\"No\"}},\"eventID\":\"{id}\",\"readOnly\":false,\"eventType\":\"AwsConsoleSignIn\",\"managementEvent\":true,\"recipientAccountId\":\"{ACCOUNT}\",\"eventCategory\":\"Management\",\"requestID\":\"{request}\"}}",
        rng.below(250) + 1
    );
}

/// Epoch seconds → (year, month, day, hour, minute, second), UTC.
fn civil(t: i64) -> (i64, i64, i64, i64, i64, i64) {
    let (y, m, d) = authsift::time::civil_from_days(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}
