//! Rule evaluation throughput: 1 million synthetic incidents against the
//! default rules, on one core. Run with `cargo bench --bench rules`.

use std::hint::black_box;
use std::time::Instant;

use authsift::facts::{Fact, Facts, Value};
use authsift::rules::RuleSet;

const INCIDENTS: usize = 1_000_000;

/// A deterministic mix of the failures the rules tell apart.
fn synthetic(i: usize) -> Facts {
    const CODES: &[&str] = &[
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
        "AccessDenied",
        "ExpiredToken",
        "RequestTimeTooSkewed",
        "AuthorizationHeaderMalformed",
        "UnrecognizedClientException",
        "Throttling",
    ];
    const KINDS: &[&str] = &[
        "service-error",
        "no-credentials",
        "profile-not-found",
        "endpoint-connection",
    ];
    let mut f = Facts::default();
    let kind = KINDS[(i / 7) % KINDS.len()];
    f.set(Fact::ErrorKind, Value::Str(kind.into()), None);
    if kind == "service-error" {
        f.set(
            Fact::ErrorCode,
            Value::Str(CODES[i % CODES.len()].into()),
            None,
        );
        f.set(
            Fact::ErrorMessage,
            Value::Str(format!(
                "request {i} failed: the request signature we calculated does not match"
            )),
            None,
        );
        f.set(
            Fact::ErrorOperation,
            Value::Str(
                if i.is_multiple_of(5) {
                    "AssumeRole"
                } else {
                    "ListBuckets"
                }
                .into(),
            ),
            None,
        );
        f.set(Fact::HttpStatus, Value::Int(403), None);
        f.set(
            Fact::ClockSkewSeconds,
            Value::Int((i as i64 % 2000) - 1000),
            None,
        );
        f.set(
            Fact::RequestHasSecurityToken,
            Value::Bool(i.is_multiple_of(3)),
            None,
        );
        f.set(
            Fact::CredentialKeyType,
            Value::Str(
                if i.is_multiple_of(4) {
                    "temporary"
                } else {
                    "long-term"
                }
                .into(),
            ),
            None,
        );
        f.set(
            Fact::SignatureCanonicalMatch,
            Value::Bool(!i.is_multiple_of(6)),
            None,
        );
    }
    f
}

fn main() {
    let rules = RuleSet::builtin();
    let samples: Vec<Facts> = (0..4096).map(synthetic).collect();

    // Verdicts: the first matching rule, which is what classification needs.
    let start = Instant::now();
    let mut verdicts = 0usize;
    for i in 0..INCIDENTS {
        verdicts += usize::from(
            rules
                .matching(black_box(&samples[i % samples.len()]))
                .next()
                .is_some(),
        );
    }
    let verdict_secs = start.elapsed().as_secs_f64();

    // Every matching rule (the full findings list of each incident).
    let start = Instant::now();
    let mut matches = 0usize;
    for i in 0..INCIDENTS {
        matches += rules
            .matching(black_box(&samples[i % samples.len()]))
            .count();
    }
    let all_secs = start.elapsed().as_secs_f64();

    println!(
        "rules: {} default rules, {INCIDENTS} synthetic incidents, one thread",
        rules.rules().len()
    );
    println!(
        "first match (verdict): {:.3} s, {:.2} M incidents/s ({verdicts} with a verdict)",
        verdict_secs,
        INCIDENTS as f64 / verdict_secs / 1e6
    );
    println!(
        "all matches:           {:.3} s, {:.2} M incidents/s ({matches} rule matches)",
        all_secs,
        INCIDENTS as f64 / all_secs / 1e6
    );
}
