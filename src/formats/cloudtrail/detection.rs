//! Whether an input is CloudTrail, whether it is a file CloudTrail delivers
//! beside the logs (skipped), and when a log file was delivered.

use super::Skip;

/// Whether the start of an input looks like CloudTrail JSON: an object or
/// an array mentioning CloudTrail's own keys, or an empty array. Keys are
/// looked for unquoted so that broken JSON with CloudTrail's keys is still
/// recognised, then reported as broken rather than read as a text log.
pub fn sniff(head: &str) -> bool {
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    // A CloudWatch Logs export: a time and a space before each event.
    if let Some(message) = trimmed
        .lines()
        .next()
        .and_then(super::envelopes::export_message)
        && (message.contains("\"eventVersion\"") || message.contains("\"eventSource\""))
    {
        return true;
    }
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return false;
    }
    if trimmed.starts_with('[') && trimmed[1..].trim() == "]" {
        return true;
    }
    const MARKERS: &[&str] = &[
        "\"Records\"",
        "CloudTrailEvent",
        "digestStartTime",
        "previousDigestSignature",
        "eventSource",
        // Envelopes: EventBridge, CloudWatch Logs messages (events as
        // strings), CloudTrail Lake query results.
        "via CloudTrail\"",
        "\\\"eventVersion\\\"",
        "\\\"eventSource\\\"",
        "QueryResultRows",
    ];
    MARKERS.iter().any(|m| trimmed.contains(m))
}

/// Whether the path names a file CloudTrail delivers beside the logs.
pub fn skipped_by_path(path: &str) -> Option<Skip> {
    if path.contains("CloudTrail-Digest") {
        Some(Skip::Digest)
    } else if path.contains("CloudTrail-Insight") {
        Some(Skip::Insight)
    } else {
        None
    }
}

/// When CloudTrail delivered a log file, from the name it gives it in S3
/// (`<account>_CloudTrail_<region>_20240501T1205Z_<unique>.json.gz`): the
/// file holds only events from before that time. `None` for other names.
pub fn delivery_time(path: &str) -> Option<i64> {
    let name = path.rsplit(['/', '\\']).next()?;
    let (_, rest) = name.split_once("_CloudTrail_")?;
    let stamp = rest.split('_').nth(1)?;
    let b = stamp.as_bytes();
    if b.len() != 14 || b[8] != b'T' || b[13] != b'Z' {
        return None;
    }
    crate::time::parse_amz_date(&format!("{}00Z", &stamp[..13]))
}
