//! The facts of a failed CloudTrail event as SQL over the columns of the
//! standard CloudTrail table (AWS's Athena `CREATE TABLE`): the SQL side of
//! `analyze::events::trail_incident`, which sets them natively.
//!
//! Three kinds of fact: those computed here ([`stage1`], [`stage2`]); those a
//! CloudTrail incident sets that SQL cannot compute ([`NOT_IN_SQL`]: a rule
//! that reads one is not translated); and every other fact, which a
//! CloudTrail incident never sets, so a condition on it is false, as
//! natively. A test runs the native pipeline over the CloudTrail fixtures
//! and checks every fact it sets is of the first two kinds.

use super::dialect::Dialect;
use crate::facts::{ACTION_PATTERN, ACTION_TAIL_PATTERN, AUTHZ_WORDINGS, Fact};
use crate::model::ErrorKind;
use crate::sigv4::KEY_PREFIXES;

/// Facts a CloudTrail incident sets that have no SQL here, and why.
pub const NOT_IN_SQL: &[(Fact, &str)] = &[
    (
        Fact::ClientName,
        "read from the user agent with authsift's table of AWS clients",
    ),
    (
        Fact::ClientVersion,
        "read from the user agent with authsift's table of AWS clients",
    ),
    (
        Fact::IdentitySourceIdentity,
        "sessionContext.attributes.sourceIdentity is not a column of the standard table",
    ),
    (
        Fact::ResponseServerTime,
        "a time formatted from the error message (not translated)",
    ),
    (Fact::AuthzPrincipal, FIX_STEPS_ONLY),
    (Fact::AuthzPrincipalType, FIX_STEPS_ONLY),
    (Fact::AuthzPrincipalName, FIX_STEPS_ONLY),
    (Fact::AuthzAccount, FIX_STEPS_ONLY),
    (Fact::AuthzPolicySource, FIX_STEPS_ONLY),
    (Fact::AuthzResource, FIX_STEPS_ONLY),
    (Fact::AuthzRoleName, FIX_STEPS_ONLY),
    (Fact::AuthzEncodedMessage, FIX_STEPS_ONLY),
];

/// Why the facts read from a denial for its fix steps have no SQL: the
/// query classifies, and no shipped rule's condition reads them.
const FIX_STEPS_ONLY: &str = "read from the denial message for fix steps (not translated)";

/// A column of the classification query's `facts` stage: the fact, its SQL
/// name, and its expression (over the table's columns in stage 1, over
/// stage 1's columns in stage 2).
pub struct Column {
    pub fact: Option<Fact>,
    pub name: String,
    pub expr: String,
}

/// The SQL name of a fact's column: `error.code` → `error_code`.
pub fn name(fact: Fact) -> String {
    fact.name().replace('.', "_")
}

/// The columns of stage 1, read from the table.
pub fn stage1(d: Dialect) -> Vec<Column> {
    let s = |e: &str| format!("NULLIF({e}, '')");
    let msg = "errorMessage";
    let mut out = Vec::new();
    let mut col = |fact: Fact, expr: String| {
        out.push(Column {
            fact: Some(fact),
            name: name(fact),
            expr,
        })
    };
    col(Fact::ErrorCode, s("errorCode"));
    col(
        Fact::ErrorKind,
        format!(
            "CASE WHEN {} IS NOT NULL THEN {} END",
            s("errorCode"),
            d.lit(ErrorKind::ServiceError.as_str())
        ),
    );
    col(Fact::ErrorMessage, s(msg));
    col(Fact::ErrorOperation, s("eventName"));
    col(Fact::RequestOperation, s("eventName"));
    col(
        Fact::RequestService,
        s(&format!(
            "regexp_replace(eventSource, {}, '')",
            d.lit(r"\.amazonaws\.com$")
        )),
    );
    col(Fact::EventSource, s("eventSource"));
    col(Fact::EventName, s("eventName"));
    col(Fact::EventType, s("eventType"));
    col(Fact::EventId, s("eventID"));
    col(Fact::EventRegion, s("awsRegion"));
    col(Fact::RequestId, s("requestID"));
    col(
        Fact::EventTime,
        format!(
            "CASE WHEN length(eventTime) >= 20 AND eventTime LIKE '%Z' THEN {} END",
            d.epoch_of_iso("substr(eventTime, 1, 19)")
        ),
    );
    col(Fact::IdentityType, s("userIdentity.type"));
    col(Fact::IdentityArn, s("userIdentity.arn"));
    col(Fact::IdentityAccount, s("userIdentity.accountId"));
    col(Fact::IdentityUserName, s("userIdentity.userName"));
    col(Fact::IdentityInvokedBy, s("userIdentity.invokedBy"));
    col(Fact::CredentialAccessKeyId, s("userIdentity.accessKeyId"));
    col(
        Fact::IdentitySessionIssuer,
        s("userIdentity.sessionContext.sessionIssuer.arn"),
    );
    col(
        Fact::IdentityAwsService,
        "(COALESCE(userIdentity.type = 'AWSService', FALSE) \
         OR COALESCE(userIdentity.invokedBy <> '', FALSE) \
         OR COALESCE(sourceIPAddress LIKE '%.amazonaws.com', FALSE))"
            .to_string(),
    );
    let yes_no = |e: &str| {
        format!(
            "CASE lower({e}) WHEN 'true' THEN TRUE WHEN 'yes' THEN TRUE \
             WHEN 'false' THEN FALSE WHEN 'no' THEN FALSE END"
        )
    };
    col(
        Fact::IdentityMfa,
        format!(
            "COALESCE({}, {})",
            yes_no("userIdentity.sessionContext.attributes.mfaAuthenticated"),
            yes_no(&d.json_string("additionalEventData", "MFAUsed"))
        ),
    );
    col(Fact::SourceIp, s("sourceIPAddress"));
    col(Fact::ClientUserAgent, s("userAgent"));
    col(Fact::TlsVersion, s("tlsDetails.tlsVersion"));
    col(Fact::TlsCipher, s("tlsDetails.cipherSuite"));
    col(
        Fact::RequestHostHeader,
        s("tlsDetails.clientProvidedHostHeader"),
    );
    col(
        Fact::RequestRoleArn,
        s(&d.json_string("requestParameters", "roleArn")),
    );
    col(
        Fact::ConsoleLogin,
        s(&d.json_string("responseElements", "ConsoleLogin")),
    );
    col(
        Fact::AuthzAction,
        d.regex_extract(
            &d.regex_extract(msg, ACTION_PATTERN, 0),
            ACTION_TAIL_PATTERN,
            1,
        ),
    );
    col(
        Fact::ResponseExpectedRegion,
        d.regex_extract(msg, EXPECTED_REGION, 1),
    );
    col(
        Fact::RequestRegion,
        format!(
            "CASE WHEN {} THEN {} END",
            d.contains(msg, "expecting '"),
            d.regex_extract(msg, SIGNED_REGION, 1)
        ),
    );
    // What follows "Signature expired: " (or "… not yet current: "),
    // the first wording found, as natively.
    out.push(Column {
        fact: None,
        name: "sig_rest".to_string(),
        expr: format!(
            "CASE WHEN {} THEN {} WHEN {} THEN {} END",
            d.contains(msg, "Signature expired: "),
            d.regex_extract(msg, "(?s)Signature expired: (.*)", 1),
            d.contains(msg, "Signature not yet current: "),
            d.regex_extract(msg, "(?s)Signature not yet current: (.*)", 1),
        ),
    });
    out
}

/// The columns of stage 2, computed from stage 1's.
pub fn stage2(d: Dialect) -> Vec<Column> {
    let key = name(Fact::CredentialAccessKeyId);
    let mut kinds = String::from("CASE");
    kinds.push_str(&format!(" WHEN {key} IS NULL THEN NULL"));
    for (prefix, kind) in KEY_PREFIXES {
        kinds.push_str(&format!(
            " WHEN substr({key}, 1, 4) = {} THEN {}",
            d.lit(prefix),
            d.lit(kind)
        ));
    }
    kinds.push_str(&format!(
        " WHEN {} THEN 'masked' ELSE 'unknown' END",
        d.contains(&key, "*")
    ));
    let message = name(Fact::ErrorMessage);
    let action = name(Fact::AuthzAction);
    let mut reason = format!("CASE WHEN {action} IS NULL THEN NULL");
    for (wording, value) in AUTHZ_WORDINGS {
        reason.push_str(&format!(
            " WHEN {} THEN {}",
            d.contains(&message, wording),
            d.lit(value)
        ));
    }
    reason.push_str(" END");
    // `Signature expired: <request> is now earlier than <x> (<server> - <n> min.)`:
    // the request's time, and in the parentheses the server's and the window.
    let request = d.regex_extract("sig_rest", r"^\s*(\S+)", 1);
    let paren = d.regex_extract("sig_rest", r"\(([^)]*)", 1);
    let server = d.regex_extract(&paren, SKEW_PARENS, 1);
    let window = d.regex_extract(&paren, SKEW_PARENS, 2);
    let amz = |e: &str| {
        format!(
            "CASE WHEN {} THEN {} END",
            d.regex_like(e, "^[0-9]{8}T[0-9]{6}Z$"),
            d.epoch_of_amz(e)
        )
    };
    let skew = format!(
        "CASE WHEN {request} IS NOT NULL AND {window} IS NOT NULL THEN {} - {} END",
        amz(&request),
        amz(&server)
    );
    let allowed = format!(
        "CASE WHEN {request} IS NOT NULL THEN {} * 60 END",
        d.to_bigint(&window)
    );
    let col = |fact: Fact, expr: String| Column {
        fact: Some(fact),
        name: name(fact),
        expr,
    };
    vec![
        col(Fact::CredentialKeyType, kinds),
        col(Fact::AuthzReason, reason),
        col(Fact::ClockSkewSeconds, skew),
        col(Fact::ClockAllowedSkewSeconds, allowed),
    ]
}

/// `the region 'us-east-1' is wrong; expecting 'eu-central-1'`.
const EXPECTED_REGION: &str = "expecting '([^']*)";
const SIGNED_REGION: &str = "the region '([^']*)";
/// Inside the parentheses: the server's time, a sign, whole minutes.
const SKEW_PARENS: &str = r"^\s*(\S+)\s+\S+\s+([+-]?[0-9]+)(\s|$)";

/// Whether an event is a CloudTrail record that failed, as natively
/// (`Event::is_cloudtrail`, `Event::failed`): over the table's columns.
pub fn failed_event(d: Dialect) -> String {
    format!(
        "COALESCE(eventSource <> '' AND eventSource NOT LIKE 'aws:%', FALSE) \
         AND eventName IS NOT NULL AND eventTime IS NOT NULL \
         AND (COALESCE(errorCode <> '', FALSE) OR COALESCE({} = 'Failure', FALSE))",
        d.json_string("responseElements", "ConsoleLogin")
    )
}

/// Whether SQL computes this fact.
pub fn in_sql(fact: Fact) -> bool {
    // Built for any dialect: the set of facts is the same in all.
    stage1(Dialect::Duckdb)
        .iter()
        .chain(stage2(Dialect::Duckdb).iter())
        .any(|c| c.fact == Some(fact))
}

/// Why SQL cannot compute a fact a CloudTrail incident sets, if it cannot.
pub fn not_in_sql(fact: Fact) -> Option<&'static str> {
    NOT_IN_SQL
        .iter()
        .find(|(f, _)| *f == fact)
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Facts, add_message_facts};
    use regex::Regex;

    /// The message patterns, run with Rust's regex engine (the SQL engines'
    /// are RE2 and Java's; these patterns mean the same in all), give the
    /// facts the native reading gives.
    #[test]
    fn message_patterns_read_what_the_native_reading_reads() {
        let messages = [
            "Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)",
            "Signature not yet current: 20240501T101500Z is still later than 20240501T100500Z (20240501T100000Z + 5 min.)",
            "Signature expired: 20220127T001427Z (broken",
            "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'",
            "User: arn:aws:iam::1:user/ci is not authorized to perform: s3:ListBucket on resource: b with an explicit deny in a service control policy",
            "failed to call ec2:DescribeSubnets due to missing permissions",
            "You are not authorized to perform this operation.",
        ];
        let cap = |re: &str, s: &str, g: usize| {
            Regex::new(re)
                .unwrap()
                .captures(s)
                .and_then(|c| c.get(g))
                .map(|m| m.as_str().to_string())
                .filter(|s| !s.is_empty())
        };
        for m in messages {
            let mut native = Facts::default();
            add_message_facts(&mut native, m, None);
            let action = cap(ACTION_PATTERN, m, 0).and_then(|a| cap(ACTION_TAIL_PATTERN, &a, 1));
            assert_eq!(action.as_deref(), native.str(Fact::AuthzAction), "{m}");
            let expected = cap(EXPECTED_REGION, m, 1);
            assert_eq!(
                expected.as_deref(),
                native.str(Fact::ResponseExpectedRegion),
                "{m}"
            );
            let rest = cap("(?s)Signature (?:expired|not yet current): (.*)", m, 1);
            let paren = rest.as_deref().and_then(|r| cap(r"\(([^)]*)", r, 1));
            let window = paren.as_deref().and_then(|p| cap(SKEW_PARENS, p, 2));
            let allowed = window.map(|w| w.parse::<i64>().unwrap() * 60);
            assert_eq!(allowed, native.int(Fact::ClockAllowedSkewSeconds), "{m}");
        }
    }
}
