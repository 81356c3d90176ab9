//! Facts → findings, with a plain Rust table of causes.
//!
//! A stepping stone: the rule-file language replaces this table. Each cause
//! decides from facts (what the evidence means), never from one error code
//! alone: `SignatureDoesNotMatch` can be a wrong secret, a rewritten request
//! or a skewed clock, and only the facts around it tell which.

use crate::facts::{Fact, Facts, Incident};
use crate::finding::{Finding, Severity};

struct Cause {
    id: &'static str,
    title: &'static str,
    severity: Severity,
    priority: u32,
    /// The facts this cause reads: its evidence is their lines.
    uses: &'static [Fact],
    when: fn(&Facts) -> bool,
    explain: fn(&Facts) -> String,
    fix: &'static [&'static str],
}

/// Codes with which AWS rejects a request's authentication.
const AUTH_FAILURE_CODES: &[&str] = &[
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "InvalidClientTokenId",
    "InvalidAccessKeyId",
    "UnrecognizedClientException",
    "AuthFailure",
    "IncompleteSignature",
];
const UNKNOWN_KEY_CODES: &[&str] = &[
    "InvalidClientTokenId",
    "InvalidAccessKeyId",
    "UnrecognizedClientException",
    "AuthFailure",
];
const SIGNATURE_CODES: &[&str] = &["SignatureDoesNotMatch", "InvalidSignatureException"];
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "Forbidden",
];
/// Default tolerance when the message does not print the service's window.
const DEFAULT_SKEW_WINDOW: i64 = 300;

fn kind_in(f: &Facts, kinds: &[&str]) -> bool {
    f.str(Fact::ErrorKind).is_some_and(|k| kinds.contains(&k))
}

fn code_in(f: &Facts, codes: &[&str]) -> bool {
    f.str(Fact::ErrorCode).is_some_and(|c| codes.contains(&c))
}

fn message_has(f: &Facts, needles: &[&str]) -> bool {
    f.str(Fact::ErrorMessage)
        .is_some_and(|m| needles.iter().any(|n| m.contains(n)))
}

fn s(f: &Facts, fact: Fact) -> &str {
    f.str(fact).unwrap_or("?")
}

/// Where the credentials came from, in words.
fn source_name(f: &Facts) -> String {
    match f.str(Fact::CredentialSource) {
        Some("env") => {
            "the environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY".to_string()
        }
        Some("shared-credentials-file") => {
            "the shared credentials file (~/.aws/credentials)".to_string()
        }
        Some("config-file") => "the config file (~/.aws/config)".to_string(),
        Some(other) => format!("the `{other}` provider"),
        None => "the credential chain".to_string(),
    }
}

fn skew_beyond_window(f: &Facts) -> bool {
    let window = f
        .int(Fact::ClockAllowedSkewSeconds)
        .unwrap_or(DEFAULT_SKEW_WINDOW);
    f.int(Fact::ClockSkewSeconds)
        .is_some_and(|skew| skew.abs() > window)
}

fn describe_skew(f: &Facts) -> String {
    match f.int(Fact::ClockSkewSeconds) {
        Some(skew) => {
            let dir = if skew > 0 { "ahead of" } else { "behind" };
            format!(
                "The request was signed at {} but the server's clock read {}: the client clock is {} {} AWS.",
                s(f, Fact::RequestAmzDate),
                s(f, Fact::ResponseServerTime),
                human_duration(skew.abs()),
                dir
            )
        }
        None => format!(
            "AWS rejected the request time: {}",
            s(f, Fact::ErrorMessage)
        ),
    }
}

fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{:.1} h", s as f64 / 3600.0),
        s => format!("{:.1} days", s as f64 / 86_400.0),
    }
}

const CAUSES: &[Cause] = &[
    Cause {
        id: "config.malformed",
        title: "The AWS config or credentials file cannot be used as written",
        severity: Severity::High,
        priority: 95,
        uses: &[
            Fact::ErrorKind,
            Fact::ErrorMessage,
            Fact::ErrorDetail,
            Fact::CredentialKeyIdProblem,
            Fact::CredentialSource,
        ],
        when: |f| {
            kind_in(f, &["config-parse", "partial-credentials"])
                || (f.has(Fact::CredentialKeyIdProblem) && code_in(f, AUTH_FAILURE_CODES))
        },
        explain: |f| match f.str(Fact::CredentialKeyIdProblem) {
            Some(problem) => format!(
                "The access key id read from {} contains an invalid character ({problem}): AWS cannot recognise the key.",
                source_name(f)
            ),
            None => format!(
                "The CLI could not use the configuration: {}",
                s(f, Fact::ErrorMessage)
            ),
        },
        fix: &[
            "Open the file named above and check each section header is `[name]` (credentials) or `[profile name]` (config), with both brackets",
            "Make sure both aws_access_key_id and aws_secret_access_key are set in the same profile",
            "Remove invisible characters (BOM, zero-width spaces) and quotes around values; `cat -A ~/.aws/credentials` shows them",
            "Check the result with: aws configure list",
        ],
    },
    Cause {
        id: "credentials.profile-not-found",
        title: "The named profile does not exist",
        severity: Severity::High,
        priority: 94,
        uses: &[Fact::ErrorKind, Fact::ErrorDetail, Fact::CredentialProfile],
        when: |f| kind_in(f, &["profile-not-found"]),
        explain: |f| {
            format!(
                "The profile `{}` is not defined in ~/.aws/config or ~/.aws/credentials.",
                s(f, Fact::ErrorDetail)
            )
        },
        fix: &[
            "List the profiles that exist: aws configure list-profiles",
            "Fix the name in --profile / AWS_PROFILE, or create it: aws configure --profile <name>",
            "In ~/.aws/config the header is `[profile <name>]`; in ~/.aws/credentials it is `[<name>]`",
        ],
    },
    Cause {
        id: "sso.session-expired",
        title: "The IAM Identity Center (SSO) session has expired",
        severity: Severity::High,
        priority: 93,
        uses: &[Fact::ErrorKind, Fact::ErrorMessage],
        when: |f| kind_in(f, &["sso-token"]),
        explain: |f| {
            format!(
                "The cached SSO token can no longer be used: {}",
                s(f, Fact::ErrorMessage)
            )
        },
        fix: &[
            "Sign in again: aws sso login --profile <profile>",
            "Check afterwards: aws sts get-caller-identity --profile <profile>",
        ],
    },
    Cause {
        id: "mfa.required",
        title: "The credentials need an MFA code that was not given",
        severity: Severity::High,
        priority: 92,
        uses: &[Fact::ErrorKind, Fact::ErrorMessage, Fact::ErrorDetail],
        when: |f| {
            kind_in(f, &["mfa-prompt"])
                || message_has(f, &["MultiFactorAuthentication", "MFA token is required"])
        },
        explain: |f| {
            format!(
                "The profile assumes a role that requires MFA ({}), and no code could be read.",
                s(f, Fact::ErrorDetail)
            )
        },
        fix: &[
            "Run the command in a terminal so the CLI can prompt for the MFA code",
            "In CI, get session credentials first: aws sts get-session-token --serial-number <mfa-arn> --token-code <code>",
            "Or use a role without an MFA condition for automation",
        ],
    },
    Cause {
        id: "network.proxy-tls",
        title: "A proxy or TLS problem stopped the request",
        severity: Severity::High,
        priority: 90,
        uses: &[Fact::ErrorKind, Fact::ErrorMessage, Fact::ErrorDetail],
        when: |f| kind_in(f, &["proxy", "tls"]),
        explain: |f| {
            format!(
                "The connection failed before AWS saw the request: {}",
                s(f, Fact::ErrorMessage)
            )
        },
        fix: &[
            "Check the proxy settings the CLI sees: env | grep -i _proxy",
            "Exclude AWS endpoints from the proxy if they are reachable directly: export NO_PROXY=.amazonaws.com",
            "If a corporate proxy re-signs TLS, point the CLI at its CA bundle: export AWS_CA_BUNDLE=/path/to/ca.pem",
        ],
    },
    Cause {
        id: "network.endpoint-unreachable",
        title: "The AWS endpoint could not be reached",
        severity: Severity::High,
        priority: 89,
        uses: &[Fact::ErrorKind, Fact::ErrorMessage, Fact::ErrorDetail],
        when: |f| kind_in(f, &["endpoint-connection", "connect-timeout"]),
        explain: |f| {
            format!(
                "No connection to {}: the request never reached AWS, so credentials were not checked.",
                s(f, Fact::ErrorDetail)
            )
        },
        fix: &[
            "Check the endpoint and region: aws configure get region; look for a wrong --endpoint-url or AWS_ENDPOINT_URL",
            "Test connectivity: curl -sv https://sts.<region>.amazonaws.com/ -o /dev/null",
            "If a proxy is required, set HTTPS_PROXY; check DNS and security groups / NACLs for private endpoints",
        ],
    },
    Cause {
        id: "imds.unavailable",
        title: "The instance metadata service did not provide credentials",
        severity: Severity::High,
        priority: 88,
        uses: &[
            Fact::ErrorKind,
            Fact::ImdsAttempted,
            Fact::ImdsErrorStatus,
            Fact::ImdsEndpoint,
        ],
        when: |f| {
            kind_in(f, &["no-credentials"])
                && f.bool(Fact::ImdsAttempted) == Some(true)
                && (f.bool(Fact::ImdsCustomEndpoint) == Some(true) || f.has(Fact::ImdsErrorStatus))
        },
        explain: |f| {
            format!(
                "No other credential source was configured, and the metadata service at {} did not answer with credentials.",
                s(f, Fact::ImdsEndpoint)
            )
        },
        fix: &[
            "Check the instance has a role attached: curl -s http://169.254.169.254/latest/meta-data/iam/info (with an IMDSv2 token)",
            "In containers, raise the hop limit: aws ec2 modify-instance-metadata-options --instance-id <id> --http-put-response-hop-limit 2",
            "Check AWS_EC2_METADATA_SERVICE_ENDPOINT and AWS_EC2_METADATA_DISABLED are not set by mistake",
        ],
    },
    Cause {
        id: "credentials.missing",
        title: "No AWS credentials were found",
        severity: Severity::High,
        priority: 85,
        uses: &[Fact::ErrorKind, Fact::ErrorMessage, Fact::ImdsDisabled],
        when: |f| kind_in(f, &["no-credentials"]),
        explain: |_| {
            "Every credential provider was tried (environment, profiles, SSO, container, instance metadata) and none had credentials.".to_string()
        },
        fix: &[
            "See what the CLI finds: aws configure list",
            "Configure a profile (aws configure, or aws configure sso) or export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
            "In CI, make sure the credentials step (e.g. aws-actions/configure-aws-credentials) ran before this step",
        ],
    },
    Cause {
        id: "clock.skew",
        title: "The client's clock is out of sync with AWS",
        severity: Severity::High,
        priority: 80,
        uses: &[
            Fact::ErrorCode,
            Fact::ErrorMessage,
            Fact::RequestAmzDate,
            Fact::ResponseDate,
            Fact::ResponseServerTime,
            Fact::ClockSkewSeconds,
        ],
        when: |f| {
            code_in(
                f,
                &[
                    "RequestTimeTooSkewed",
                    "RequestExpired",
                    "RequestTimeTooSkewedException",
                ],
            ) || message_has(f, &["Signature expired", "Signature not yet current"])
                || (code_in(f, AUTH_FAILURE_CODES) && skew_beyond_window(f))
        },
        explain: describe_skew,
        fix: &[
            "Turn on time synchronisation: sudo timedatectl set-ntp true (check with: timedatectl status)",
            "On a VM or container host, sync the host clock (chrony / ntpd); containers share it",
            "Retry the command once the clock is right; signed requests are valid for about 5-15 minutes",
        ],
    },
    Cause {
        id: "region.mismatch",
        title: "The request was signed for a different region than the endpoint expects",
        severity: Severity::High,
        priority: 78,
        uses: &[
            Fact::ErrorCode,
            Fact::ErrorMessage,
            Fact::RequestRegion,
            Fact::ResponseExpectedRegion,
            Fact::RequestEndpointHost,
        ],
        when: |f| {
            (code_in(
                f,
                &[
                    "AuthorizationHeaderMalformed",
                    "PermanentRedirect",
                    "IllegalLocationConstraintException",
                ],
            ) && (f.has(Fact::ResponseExpectedRegion) || message_has(f, &["region"])))
                || message_has(
                    f,
                    &[
                        "scoped to a valid region",
                        "must be scoped to a valid region",
                    ],
                )
                || (code_in(f, AUTH_FAILURE_CODES)
                    && f.has(Fact::RequestEndpointRegion)
                    && f.str(Fact::RequestRegion) != f.str(Fact::RequestEndpointRegion))
        },
        explain: |f| match f.str(Fact::ResponseExpectedRegion) {
            Some(expected) => format!(
                "The request was signed for region `{}`, but the endpoint expects `{expected}`.",
                s(f, Fact::RequestRegion)
            ),
            None => format!(
                "The request was signed for region `{}`, which this endpoint does not accept: {}",
                s(f, Fact::RequestRegion),
                s(f, Fact::ErrorMessage)
            ),
        },
        fix: &[
            "Use the resource's region: aws configure set region <region>, or pass --region <region>",
            "For a bucket, find its region: aws s3api get-bucket-location --bucket <bucket>",
            "Global services (IAM, the global STS endpoint) must be signed for us-east-1",
        ],
    },
    Cause {
        id: "token.expired",
        title: "The session token has expired",
        severity: Severity::High,
        priority: 76,
        uses: &[
            Fact::ErrorCode,
            Fact::ErrorMessage,
            Fact::RequestHasSecurityToken,
        ],
        when: |f| {
            code_in(
                f,
                &[
                    "ExpiredToken",
                    "ExpiredTokenException",
                    "TokenRefreshRequired",
                ],
            ) || message_has(
                f,
                &[
                    "token included in the request is expired",
                    "provided token has expired",
                ],
            )
        },
        explain: |_| {
            "The temporary credentials (access key + session token) were valid once but have expired.".to_string()
        },
        fix: &[
            "Get fresh credentials: re-run aws sso login, the assume-role step, or the CI credentials step",
            "Unset stale exported values: unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN",
            "For long jobs, request a longer session (--duration-seconds) or let the SDK refresh from a role profile",
        ],
    },
    Cause {
        id: "token.invalid",
        title: "The session token is missing, malformed or does not belong to the key",
        severity: Severity::High,
        priority: 74,
        uses: &[
            Fact::ErrorCode,
            Fact::ErrorMessage,
            Fact::CredentialAccessKeyId,
            Fact::CredentialKeyType,
            Fact::RequestHasSecurityToken,
        ],
        when: |f| {
            code_in(f, &["InvalidToken"])
                || (code_in(f, UNKNOWN_KEY_CODES)
                    && (f.bool(Fact::RequestHasSecurityToken) == Some(true)
                        || f.str(Fact::CredentialKeyType) == Some("temporary")))
        },
        explain: |f| {
            let temporary = f.str(Fact::CredentialKeyType) == Some("temporary");
            match f.bool(Fact::RequestHasSecurityToken) {
                Some(false) if temporary => format!(
                    "The key {} is a temporary (ASIA…) key, but no session token was sent with it.",
                    s(f, Fact::CredentialAccessKeyId)
                ),
                _ => "A session token was sent, and AWS rejected it: it is malformed, truncated, or belongs to another key.".to_string(),
            }
        },
        fix: &[
            "Set the session token that came with the temporary key: export AWS_SESSION_TOKEN=… (or aws_session_token in the profile)",
            "Copy all three values (key id, secret, token) from the same STS response; tokens are long and break when wrapped or quoted",
            "Check with: aws sts get-caller-identity",
        ],
    },
    Cause {
        id: "credentials.env-override",
        title: "Environment variables override the intended profile",
        severity: Severity::High,
        priority: 72,
        uses: &[
            Fact::ErrorCode,
            Fact::CredentialSource,
            Fact::CredentialProfile,
        ],
        when: |f| {
            f.str(Fact::CredentialSource) == Some("env")
                && f.has(Fact::CredentialProfile)
                && code_in(f, AUTH_FAILURE_CODES)
        },
        explain: |f| {
            format!(
                "The profile `{}` was asked for, but the credentials came from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, which take precedence.",
                s(f, Fact::CredentialProfile)
            )
        },
        fix: &[
            "Remove the environment credentials: unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN",
            "Or pass --profile explicitly, which skips the environment variables",
            "Check which source wins: aws configure list",
        ],
    },
    Cause {
        id: "credentials.invalid-access-key",
        title: "AWS does not know this access key id",
        severity: Severity::High,
        priority: 70,
        uses: &[
            Fact::ErrorCode,
            Fact::ErrorMessage,
            Fact::CredentialAccessKeyId,
            Fact::CredentialSource,
        ],
        when: |f| code_in(f, UNKNOWN_KEY_CODES),
        explain: |f| {
            format!(
                "The access key id {} (from {}) is not valid here: deleted, deactivated, mistyped, or from another partition (China, GovCloud).",
                s(f, Fact::CredentialAccessKeyId),
                source_name(f)
            )
        },
        fix: &[
            "Check which key is used and where it comes from: aws configure list",
            "Check the key exists and is active: aws iam list-access-keys --user-name <user> (from a working identity)",
            "Create a new key if it was deleted, and update the profile or CI secret",
        ],
    },
    Cause {
        id: "signature.canonical-mismatch",
        title: "The request AWS received differs from the one the client signed",
        severity: Severity::High,
        priority: 68,
        uses: &[
            Fact::ErrorCode,
            Fact::SignatureComponent,
            Fact::SignatureCanonicalMatch,
        ],
        when: |f| {
            code_in(f, SIGNATURE_CODES) && f.bool(Fact::SignatureCanonicalMatch) == Some(false)
        },
        explain: |f| {
            format!(
                "The server's canonical request differs from the client's in `{}`: something between the client and AWS changed the request after it was signed.",
                s(f, Fact::SignatureComponent)
            )
        },
        fix: &[
            "Look for a proxy, load balancer or gateway that rewrites requests; route AWS traffic around it: export NO_PROXY=.amazonaws.com",
            "If the Host differs, sign for the host the server sees (--endpoint-url) or stop the proxy rewriting it",
            "If the body or payload hash differs, make sure nothing re-encodes or compresses the body in transit",
        ],
    },
    Cause {
        id: "credentials.wrong-secret",
        title: "The secret access key does not match the access key id",
        severity: Severity::High,
        priority: 66,
        uses: &[
            Fact::ErrorCode,
            Fact::ErrorMessage,
            Fact::CredentialAccessKeyId,
            Fact::SignatureCanonicalMatch,
            Fact::CredentialSource,
        ],
        when: |f| code_in(f, SIGNATURE_CODES),
        explain: |f| match f.bool(Fact::SignatureCanonicalMatch) {
            Some(true) => format!(
                "AWS computed the same canonical request as the client, yet a different signature: the secret key paired with {} (from {}) is wrong.",
                s(f, Fact::CredentialAccessKeyId),
                source_name(f)
            ),
            _ => format!(
                "AWS computed a different signature for key {} (from {}); with nothing else pointing at the request, the usual cause is a wrong secret access key.",
                s(f, Fact::CredentialAccessKeyId),
                source_name(f)
            ),
        },
        fix: &[
            "Re-enter the secret for this key: aws configure (or fix AWS_SECRET_ACCESS_KEY)",
            "Look for stray characters: trailing newline, spaces, quotes, or a `%`/`+` mangled when the secret was pasted",
            "If the secret is lost, create a new access key and deactivate the old one",
        ],
    },
    Cause {
        id: "role.assume-denied",
        title: "Assuming the role was denied",
        severity: Severity::High,
        priority: 60,
        uses: &[
            Fact::ErrorCode,
            Fact::ErrorMessage,
            Fact::ErrorOperation,
            Fact::AuthzAction,
        ],
        when: |f| {
            code_in(f, DENIED_CODES)
                && (f
                    .str(Fact::ErrorOperation)
                    .is_some_and(|op| op.starts_with("AssumeRole"))
                    || f.str(Fact::AuthzAction)
                        .is_some_and(|a| a.starts_with("sts:AssumeRole")))
        },
        explain: |f| {
            format!(
                "The caller may not assume the role: {}",
                s(f, Fact::ErrorMessage)
            )
        },
        fix: &[
            "Check the role's trust policy names the caller's ARN (aws iam get-role --role-name <role>)",
            "Check the caller's own policy allows sts:AssumeRole on the role ARN",
            "For OIDC (GitHub Actions), check the trust policy's sub/aud conditions match the workflow",
        ],
    },
    Cause {
        id: "authz.access-denied",
        title: "The identity is authenticated but not allowed to do this",
        severity: Severity::Medium,
        priority: 55,
        uses: &[
            Fact::ErrorCode,
            Fact::ErrorMessage,
            Fact::AuthzAction,
            Fact::AuthzReason,
        ],
        when: |f| code_in(f, DENIED_CODES),
        explain: |f| match f.str(Fact::AuthzReason) {
            Some(reason) => format!(
                "AWS authenticated the caller, then denied `{}` ({reason}).",
                s(f, Fact::AuthzAction)
            ),
            None => format!(
                "AWS authenticated the caller, then denied the call: {}",
                s(f, Fact::ErrorMessage)
            ),
        },
        fix: &[
            "Confirm who is calling: aws sts get-caller-identity",
            "Simulate the policy: aws iam simulate-principal-policy --policy-source-arn <arn> --action-names <action>",
            "Grant the action in the identity policy (and the resource policy, if the resource has one); look for explicit denies in SCPs and permission boundaries",
        ],
    },
    Cause {
        id: "cli.outdated",
        title: "This AWS CLI does not know the command or option",
        severity: Severity::Low,
        priority: 40,
        uses: &[Fact::ErrorKind, Fact::ErrorMessage, Fact::CliVersion],
        when: |f| {
            kind_in(f, &["cli-usage"]) && message_has(f, &["Invalid choice", "Unknown service"])
        },
        explain: |f| {
            format!(
                "The CLI rejected the command: {} — a command or service newer than this CLI, or a typo.",
                s(f, Fact::ErrorMessage)
            )
        },
        fix: &[
            "Check the version: aws --version",
            "Upgrade the CLI (v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)",
            "Check the command's spelling: aws <service> help",
        ],
    },
];

/// The rules in force as a terminal table: id, severity, title.
pub fn rules_table() -> String {
    let mut causes: Vec<&Cause> = CAUSES.iter().collect();
    causes.sort_by_key(|c| std::cmp::Reverse(c.priority));
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(["rule", "severity", "priority", "title"]);
    for c in causes {
        table.add_row([c.id, c.severity.as_str(), &c.priority.to_string(), c.title]);
    }
    format!("{table}\n")
}

/// Every finding an incident supports, most likely cause first.
pub fn classify(incident: &Incident, index: usize) -> Vec<Finding> {
    let mut causes: Vec<&Cause> = CAUSES
        .iter()
        .filter(|c| (c.when)(&incident.facts))
        .collect();
    causes.sort_by_key(|c| std::cmp::Reverse(c.priority));
    let facts = std::sync::Arc::new(incident.facts.clone());
    causes
        .into_iter()
        .map(|c| {
            let mut evidence = incident.facts.evidence(c.uses);
            if let Some(h) = &incident.headline
                && !evidence.iter().any(|l| l.line == h.line)
            {
                evidence.push(h.clone());
                evidence.sort_by_key(|l| l.line);
            }
            Finding {
                incident: index,
                rule: c.id.to_string(),
                title: c.title.to_string(),
                severity: c.severity,
                explanation: (c.explain)(&incident.facts),
                fix: c.fix.iter().map(|s| s.to_string()).collect(),
                evidence,
                facts: facts.clone(),
                signature_diff: incident.signature_diff.clone(),
                headline: incident.headline.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(set: &[(Fact, crate::facts::Value)]) -> Incident {
        let mut facts = Facts::default();
        for (f, v) in set {
            facts.set(*f, v.clone(), None);
        }
        Incident {
            facts,
            signature_diff: vec![],
            headline: None,
        }
    }

    fn top(set: &[(Fact, crate::facts::Value)]) -> Option<String> {
        classify(&incident(set), 0).first().map(|f| f.rule.clone())
    }

    #[test]
    fn signature_mismatch_is_disambiguated_by_facts() {
        use crate::facts::Value::*;
        let code = (Fact::ErrorCode, Str("SignatureDoesNotMatch".into()));
        assert_eq!(
            top(std::slice::from_ref(&code)).as_deref(),
            Some("credentials.wrong-secret")
        );
        assert_eq!(
            top(&[code.clone(), (Fact::SignatureCanonicalMatch, Bool(false))]).as_deref(),
            Some("signature.canonical-mismatch")
        );
        assert_eq!(
            top(&[code.clone(), (Fact::ClockSkewSeconds, Int(3600))]).as_deref(),
            Some("clock.skew")
        );
        assert_eq!(
            top(&[code, (Fact::ClockSkewSeconds, Int(30))]).as_deref(),
            Some("credentials.wrong-secret"),
            "a small skew is not a clock problem"
        );
    }

    #[test]
    fn invalid_client_token_is_disambiguated_by_facts() {
        use crate::facts::Value::*;
        let code = (Fact::ErrorCode, Str("InvalidClientTokenId".into()));
        assert_eq!(
            top(&[
                code.clone(),
                (Fact::RequestHasSecurityToken, Bool(false)),
                (Fact::CredentialKeyType, Str("long-term".into()))
            ])
            .as_deref(),
            Some("credentials.invalid-access-key")
        );
        assert_eq!(
            top(&[
                code.clone(),
                (Fact::RequestHasSecurityToken, Bool(false)),
                (Fact::CredentialKeyType, Str("temporary".into()))
            ])
            .as_deref(),
            Some("token.invalid")
        );
        assert_eq!(
            top(&[code, (Fact::RequestHasSecurityToken, Bool(true))]).as_deref(),
            Some("token.invalid")
        );
    }

    #[test]
    fn access_denied_on_assume_role_is_a_role_problem() {
        use crate::facts::Value::*;
        let code = (Fact::ErrorCode, Str("AccessDenied".into()));
        assert_eq!(
            top(&[
                code.clone(),
                (Fact::ErrorOperation, Str("AssumeRole".into()))
            ])
            .as_deref(),
            Some("role.assume-denied")
        );
        assert_eq!(
            top(&[code, (Fact::ErrorOperation, Str("ListBuckets".into()))]).as_deref(),
            Some("authz.access-denied")
        );
    }

    #[test]
    fn no_facts_no_findings() {
        assert!(classify(&incident(&[]), 0).is_empty());
    }

    #[test]
    fn imds_needs_evidence_that_imds_was_expected() {
        use crate::facts::Value::*;
        let kind = (Fact::ErrorKind, Str("no-credentials".into()));
        assert_eq!(
            top(std::slice::from_ref(&kind)).as_deref(),
            Some("credentials.missing")
        );
        assert_eq!(
            top(&[
                kind,
                (Fact::ImdsAttempted, Bool(true)),
                (Fact::ImdsCustomEndpoint, Bool(true))
            ])
            .as_deref(),
            Some("imds.unavailable")
        );
    }
}
