//! Facts hidden in the wording of an error message: clock skew from
//! "Signature expired", the region AWS expected, the denied action and the
//! policy type that denied it.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::EvidenceLine;
use crate::time;

use super::{Fact, Facts};

/// Facts hidden in an error message's wording.
pub fn add_message_facts(facts: &mut Facts, message: &str, line: Option<&EvidenceLine>) {
    // `Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)`
    if let Some((request, server, window)) = signature_time_window(message) {
        if let (Some(r), Some(s)) = (
            time::parse_amz_date(&request),
            time::parse_amz_date(&server),
        ) {
            facts.set(Fact::ClockSkewSeconds, r - s, line);
            facts.set(Fact::ResponseServerTime, time::format_iso8601(s), line);
        }
        facts.set(Fact::ClockAllowedSkewSeconds, window * 60, line);
    }
    // `the region 'us-east-1' is wrong; expecting 'eu-central-1'`
    if let Some(expected) = between(message, "expecting '", "'") {
        facts.set(Fact::ResponseExpectedRegion, expected, line);
        // Tools without a debug log (Terraform, SDKs) only say it here.
        if !facts.has(Fact::RequestRegion)
            && let Some(signed) = between(message, "the region '", "'")
        {
            facts.set(Fact::RequestRegion, signed, line);
        }
    }
    // `User: arn:… is not authorized to perform: s3:ListBucket on resource: … because …`,
    // and without the colon (`Not authorized to perform sts:AssumeRoleWithWebIdentity`).
    static ACTION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(ACTION_PATTERN).expect("valid regex"));
    if let Some(action) = ACTION
        .captures(message)
        .and_then(|c| c.iter().skip(1).flatten().next())
        .map(|m| m.as_str())
    {
        facts.set(Fact::AuthzAction, action, line);
        if let Some(reason) = authz_reason(message) {
            facts.set(Fact::AuthzReason, reason, line);
        }
        add_denied_principal(facts, message, line);
        if let Some(resource) = denied_resource(message) {
            if action.starts_with("sts:AssumeRole")
                && let Some(role) = iam_name(resource, "role/")
            {
                facts.set(Fact::AuthzRoleName, role, line);
            }
            facts.set(Fact::AuthzResource, resource, line);
        }
    }
    // EC2's `… Encoded authorization failure message: <base64url>`.
    if let Some(encoded) = message
        .split_once("Encoded authorization failure message: ")
        .and_then(|(_, rest)| rest.split(|c: char| c.is_whitespace() || c == '"').next())
        .map(|m| m.trim_end_matches(['.', ',', ')', '\'']))
        .filter(|m| m.len() >= 8)
    {
        facts.set(Fact::AuthzEncodedMessage, encoded, line);
    }
}

/// The principal IAM's wording names (`User: arn:… is not authorized`),
/// and what `aws iam` needs to look at its policies.
fn add_denied_principal(facts: &mut Facts, message: &str, line: Option<&EvidenceLine>) {
    let Some(principal) = message
        .split_once("User: ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .filter(|p| p.starts_with("arn:"))
    else {
        return;
    };
    facts.set(Fact::AuthzPrincipal, principal, line);
    // arn:PARTITION:SERVICE::ACCOUNT:RESOURCE
    let mut parts = principal.splitn(6, ':');
    let (Some(_), Some(partition), Some(service), Some(_), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return;
    };
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        facts.set(Fact::AuthzAccount, account, line);
    }
    let (kind, name, source) = match (service, resource.split_once('/')) {
        ("iam", Some(("user", path))) => ("user", last_segment(path), principal.to_string()),
        ("iam", Some(("role", path))) => ("role", last_segment(path), principal.to_string()),
        // An assumed-role session is the role's: its policies are the role's.
        ("sts", Some(("assumed-role", rest))) => {
            let role = rest.split('/').next().unwrap_or(rest);
            let source = format!("arn:{partition}:iam::{account}:role/{role}");
            ("role", role, source)
        }
        _ => return,
    };
    if name.is_empty() {
        return;
    }
    facts.set(Fact::AuthzPrincipalType, kind, line);
    facts.set(Fact::AuthzPrincipalName, name, line);
    facts.set(Fact::AuthzPolicySource, source, line);
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The resource of `… on resource: <arn or name> because …`, without the
/// quotes and punctuation messages wrap it in.
fn denied_resource(message: &str) -> Option<&str> {
    let rest = message.split_once("on resource: ")?.1;
    let resource = rest
        .split_whitespace()
        .next()?
        .trim_matches(['"', '\'', '`'])
        .trim_end_matches(['.', ',', ';', ')', '"', '\'']);
    (!resource.is_empty()).then_some(resource)
}

/// The name of an IAM resource of one kind (`role/`, `user/`) in an ARN,
/// its path left out.
fn iam_name<'a>(arn: &'a str, kind: &str) -> Option<&'a str> {
    let resource = arn.strip_prefix("arn:")?.splitn(5, ':').nth(4)?;
    let name = last_segment(resource.strip_prefix(kind)?);
    (!name.is_empty() && !name.contains('*')).then_some(name)
}

/// The wordings that name a denied action (`authz.action`): the action is
/// the match's last word (every alternative ends with it), which lets the
/// SQL translation (`rules::sql`) read it the same way.
pub const ACTION_PATTERN: &str = concat!(
    r"(?i:not authorized to perform):?\s+([a-z0-9-]+:[A-Za-z0-9*]+)",
    r"|(?i:failed to call|calling|call to|permission for|permissions? to)\s+([a-z0-9-]+:[A-Z][A-Za-z0-9*]+)",
);

/// The action at the end of an [`ACTION_PATTERN`] match.
pub const ACTION_TAIL_PATTERN: &str = r"([a-z0-9-]+:[A-Za-z0-9*]+)$";

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end).unwrap_or(s.len() - from);
    Some(&s[from..from + len])
}

fn signature_time_window(message: &str) -> Option<(String, String, i64)> {
    let rest = message
        .split_once("Signature expired: ")
        .or_else(|| message.split_once("Signature not yet current: "))?
        .1;
    let request = rest.split_whitespace().next()?.to_string();
    let paren = between(rest, "(", ")")?;
    let mut parts = paren.split_whitespace();
    let server = parts.next()?.to_string();
    let _sign = parts.next()?;
    let window: i64 = parts.next()?.parse().ok()?;
    Some((request, server, window))
}

/// The policy types IAM's denial wording names, and the `authz.reason`
/// each becomes; the first wording in list order wins.
pub const REASONS: &[(&str, &str)] = &[
    (
        "explicit deny in a service control policy",
        "explicit-deny-scp",
    ),
    (
        "explicit deny in a resource control policy",
        "explicit-deny-rcp",
    ),
    (
        "explicit deny in a permissions boundary",
        "explicit-deny-boundary",
    ),
    (
        "explicit deny in a session policy",
        "explicit-deny-session-policy",
    ),
    (
        "explicit deny in a resource-based policy",
        "explicit-deny-resource-policy",
    ),
    (
        "explicit deny in an identity-based policy",
        "explicit-deny-identity-policy",
    ),
    ("explicit deny", "explicit-deny"),
    (
        "no identity-based policy allows",
        "no-identity-policy-allows",
    ),
    (
        "no resource-based policy allows",
        "no-resource-policy-allows",
    ),
    ("no session policy allows", "no-session-policy-allows"),
    ("no permissions boundary allows", "no-boundary-allows"),
    (
        "no VPC endpoint policy allows",
        "no-vpc-endpoint-policy-allows",
    ),
];

/// The values of `authz.reason`.
pub(super) const AUTHZ_REASONS: &[&str] = &{
    let mut names = [""; REASONS.len()];
    let mut i = 0;
    while i < REASONS.len() {
        names[i] = REASONS[i].1;
        i += 1;
    }
    names
};

/// Which policy type denied, from the standard IAM wording.
fn authz_reason(message: &str) -> Option<&'static str> {
    // One scan for every wording (a denial-heavy archive has hundreds of
    // thousands of messages); the first wording in list order wins, so the
    // scan is overlapping, which a DFA does several times faster than the
    // default automaton.
    static WORDINGS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(REASONS.iter().map(|(wording, _)| wording))
                .expect("fixed patterns build")
        });
    WORDINGS
        .find_overlapping_iter(message)
        .map(|m| m.pattern().as_usize())
        .min()
        .map(|i| REASONS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_facts_from_signature_expired() {
        let mut facts = Facts::default();
        add_message_facts(
            &mut facts,
            "Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)",
            None,
        );
        assert_eq!(
            facts.int(Fact::ClockSkewSeconds),
            Some(-(3600 + 45 * 60 + 1))
        );
        assert_eq!(facts.int(Fact::ClockAllowedSkewSeconds), Some(900));
    }

    #[test]
    fn the_denied_action_is_read_with_or_without_a_colon() {
        let action = |m: &str| {
            let mut facts = Facts::default();
            add_message_facts(&mut facts, m, None);
            facts.str(Fact::AuthzAction).map(str::to_string)
        };
        // Go SDK v1 through node-termination-handler (a real line).
        assert_eq!(
            action("Not authorized to perform sts:AssumeRoleWithWebIdentity\n\tstatus code: 403")
                .as_deref(),
            Some("sts:AssumeRoleWithWebIdentity")
        );
        assert_eq!(
            action("User: u is not authorized to perform: kms:Decrypt on resource: k because no identity-based policy allows the kms:Decrypt action").as_deref(),
            Some("kms:Decrypt")
        );
        assert_eq!(
            action("You are not authorized to perform this operation."),
            None
        );
        // A client naming the call it lacked permission for.
        assert_eq!(
            action("failed to call ec2:DescribeSubnets due to missing permissions").as_deref(),
            Some("ec2:DescribeSubnets")
        );
    }

    #[test]
    fn authz_message_facts() {
        let mut facts = Facts::default();
        add_message_facts(
            &mut facts,
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: s3:ListBucket on resource: arn:aws:s3:::b with an explicit deny in a service control policy",
            None,
        );
        assert_eq!(facts.str(Fact::AuthzAction), Some("s3:ListBucket"));
        assert_eq!(facts.str(Fact::AuthzReason), Some("explicit-deny-scp"));
        assert_eq!(
            facts.str(Fact::AuthzPrincipal),
            Some("arn:aws:iam::123456789012:user/ci")
        );
        assert_eq!(facts.str(Fact::AuthzPrincipalType), Some("user"));
        assert_eq!(facts.str(Fact::AuthzPrincipalName), Some("ci"));
        assert_eq!(facts.str(Fact::AuthzAccount), Some("123456789012"));
        assert_eq!(facts.str(Fact::AuthzResource), Some("arn:aws:s3:::b"));
    }

    fn facts_of(message: &str) -> Facts {
        let mut facts = Facts::default();
        add_message_facts(&mut facts, message, None);
        facts
    }

    #[test]
    fn an_assumed_role_session_is_simulated_as_its_role() {
        // apache/airflow#17190 (a real paste, the account id as the user
        // redacted it: too short to be taken for one).
        let facts = facts_of(
            "User: arn:aws:sts::111111111:assumed-role/airflow-ecs-task-role/cfdjkal342nk432hvbkjl34 is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111:role/airflow-ecs-task-role",
        );
        assert_eq!(facts.str(Fact::AuthzPrincipalType), Some("role"));
        assert_eq!(
            facts.str(Fact::AuthzPrincipalName),
            Some("airflow-ecs-task-role")
        );
        assert_eq!(
            facts.str(Fact::AuthzPolicySource),
            Some("arn:aws:iam::111111111:role/airflow-ecs-task-role")
        );
        assert_eq!(facts.str(Fact::AuthzAccount), None);
        assert_eq!(
            facts.str(Fact::AuthzRoleName),
            Some("airflow-ecs-task-role")
        );
    }

    #[test]
    fn the_role_of_a_denied_assume_role_is_named() {
        let facts = facts_of(
            "User: arn:aws:iam::123456789012:user/path/to/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/deploy/Deployer",
        );
        assert_eq!(facts.str(Fact::AuthzPrincipalName), Some("ci"));
        assert_eq!(
            facts.str(Fact::AuthzPolicySource),
            Some("arn:aws:iam::123456789012:user/path/to/ci")
        );
        assert_eq!(facts.str(Fact::AuthzRoleName), Some("Deployer"));
        // A denial without a user names no principal, and a federated
        // user has no IAM policies to show.
        let anonymous = facts_of("Not authorized to perform sts:AssumeRoleWithWebIdentity");
        assert_eq!(anonymous.str(Fact::AuthzPrincipal), None);
        let federated = facts_of(
            "User: arn:aws:sts::123456789012:federated-user/bob is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k",
        );
        assert_eq!(federated.str(Fact::AuthzAccount), Some("123456789012"));
        assert_eq!(federated.str(Fact::AuthzPolicySource), None);
    }

    #[test]
    fn ec2s_encoded_authorization_message_is_kept_for_decoding() {
        // The shape EC2 documents for UnauthorizedOperation (EC2 API
        // reference, "Error codes"); the message itself is AWS's.
        let facts = facts_of(
            "You are not authorized to perform this operation. Encoded authorization failure message: 4GIOHlTkIaWHQD0Q0m6XSnuUMCm-abc_123.",
        );
        assert_eq!(
            facts.str(Fact::AuthzEncodedMessage),
            Some("4GIOHlTkIaWHQD0Q0m6XSnuUMCm-abc_123")
        );
    }
}
