//! What the input did not let authsift check, in words for the reader:
//! values a log masked, and a signature failure with neither side's
//! canonical request to compare. Every renderer says it the same way.

use crate::facts::{Fact, Facts, signature_failure_codes};
use crate::finding::Finding;

/// What a finding's input did not let authsift check. A batch finding
/// speaks for many incidents, so it says nothing of one incident's gaps.
pub fn of(finding: &Finding) -> Vec<String> {
    if finding.batch.is_some() {
        return Vec::new();
    }
    not_checked(&finding.facts)
}

/// What the log did not let authsift check, for the reader: masked values,
/// and a signature failure with neither side's canonical request to compare.
pub fn not_checked(facts: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    let masked: Vec<&str> = facts
        .str(Fact::LogMasked)
        .map_or(Vec::new(), |m| m.split(',').collect());
    if masked.contains(&"access_key_id") {
        out.push(if facts.str(Fact::CredentialKeyType) == Some("masked") {
            "which access key signed: its id is masked in this log, so neither its kind \
             (long-term AKIA…, temporary ASIA…) nor whether it is the key you meant can be told"
                .to_string()
        } else {
            "the whole access key id: the log shows only its first and last characters".to_string()
        });
    }
    if masked.contains(&"signature") {
        out.push(
            "the signature value: it is masked in this log, so no secret can be tested against it"
                .to_string(),
        );
    }
    if masked.contains(&"security_token") {
        out.push(
            "the session token: it is masked in this log; only that one was sent is known"
                .to_string(),
        );
    }
    if let Some(hidden) = facts.str(Fact::SignatureUnchecked) {
        out.push(format!(
            "the value of {hidden} in the canonical request: the client logged it redacted, \
             so it was not compared"
        ));
    }
    let signature_failure = facts
        .str(Fact::ErrorCode)
        .is_some_and(|c| signature_failure_codes().contains(&c));
    if signature_failure
        && !facts.has(Fact::SignatureComponent)
        && facts.bool(Fact::SignatureServerCanonical) != Some(true)
        && !facts.has(Fact::SignatureCanonicalMatch)
    {
        out.push(
            "which part of the request AWS signed differently: the log holds neither the \
             client's canonical request (a debug log shows it) nor AWS's (the error body of \
             S3 and of most query APIs carries it)"
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_values_are_said_unchecked() {
        let mut facts = Facts::default();
        facts.set(Fact::LogMasked, "access_key_id,signature", None);
        facts.set(Fact::CredentialKeyType, "temporary", None);
        let said = not_checked(&facts);
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].starts_with("the whole access key id"));
        assert!(said[1].starts_with("the signature value"));
        assert!(not_checked(&Facts::default()).is_empty());
    }
}
