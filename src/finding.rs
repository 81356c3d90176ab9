//! What classification produces and every report renders.

use std::sync::Arc;

use serde::Serialize;

use crate::facts::Facts;
use crate::model::EvidenceLine;
use crate::sigv4::Difference;

/// How much a finding matters (ordered: `Low` < `Medium` < `High`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; unlikely to break a call by itself.
    Low,
    /// Likely to break calls, or breaks them with less impact.
    Medium,
    /// Breaks calls: the first thing to fix.
    High,
}

impl Severity {
    /// `low`, `medium` or `high`, as reports print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// Defines [`RootCause`] from one list of variants and their ids.
macro_rules! root_causes {
    ($($variant:ident = $id:literal,)*) => {
        /// The root causes of the built-in rules: the fixed vocabulary every
        /// finding of the default rules names (a user's rule file may add
        /// ids of its own). Code that decides a cause itself, as `authsift
        /// config` does, names one of these, so it can only name a rule the
        /// built-in set has (`rules::tests` checks that it has them all).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RootCause {
            $(#[doc = concat!("`", $id, "`")] $variant,)*
        }

        impl RootCause {
            /// Every root cause, in the order of the vocabulary.
            pub const ALL: &'static [RootCause] = &[$(RootCause::$variant),*];

            /// The rule id (`config.malformed`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RootCause::$variant => $id,)*
                }
            }
        }
    };
}

root_causes! {
    CredentialsMissing = "credentials.missing",
    CredentialsProfileNotFound = "credentials.profile-not-found",
    CredentialsEnvOverride = "credentials.env-override",
    CredentialsInvalidAccessKey = "credentials.invalid-access-key",
    CredentialsWrongSecret = "credentials.wrong-secret",
    SignatureCanonicalMismatch = "signature.canonical-mismatch",
    TokenExpired = "token.expired",
    TokenInvalid = "token.invalid",
    ClockSkew = "clock.skew",
    RegionMismatch = "region.mismatch",
    SsoSessionExpired = "sso.session-expired",
    MfaRequired = "mfa.required",
    RoleAssumeDenied = "role.assume-denied",
    AuthzAccessDenied = "authz.access-denied",
    ConsoleSignInFailed = "console.sign-in-failed",
    ImdsUnavailable = "imds.unavailable",
    NetworkEndpointUnreachable = "network.endpoint-unreachable",
    NetworkProxyTls = "network.proxy-tls",
    CliOutdated = "cli.outdated",
    ConfigMalformed = "config.malformed",
}

/// One explained root cause of one incident.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Which incident of its input (0-based, in input order) this explains.
    pub incident: usize,
    /// Root-cause id (`clock.skew`, …).
    pub rule: String,
    /// The rule's title: the cause in one line.
    pub title: String,
    /// The rule's severity.
    pub severity: Severity,
    /// Why, with the incident's facts filled in.
    pub explanation: String,
    /// What to do, in order.
    pub fix: Vec<String>,
    /// The input lines that prove it, in input order.
    pub evidence: Vec<EvidenceLine>,
    /// Shared by every finding of the same incident.
    pub facts: Arc<Facts>,
    /// Client-vs-server differences of the signed request, when known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signature_diff: Vec<Difference>,
    /// The failure line a reader looks at first.
    #[serde(skip)]
    pub headline: Option<EvidenceLine>,
    /// The rule's priority: how specific a cause it names. Where a text
    /// holds several failures, the most specific cause is shown first.
    #[serde(skip)]
    pub priority: i64,
    /// Set for findings of batch rules (many incidents grouped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<Batch>,
}

/// What a batch rule found: a group of incidents dense enough in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Batch {
    /// The group-by facts and their values.
    pub group: Vec<(String, String)>,
    /// How many incidents the group holds.
    pub count: usize,
    /// The first incident's time (epoch seconds).
    pub first_seen: i64,
    /// The last incident's time (epoch seconds).
    pub last_seen: i64,
}
