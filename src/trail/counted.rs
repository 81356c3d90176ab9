//! What one counted event added to a summary's counters, kept by event id
//! for partial summaries (`--format summary`), so that merging parts can
//! take back the second copy of an event two parts both counted.
//!
//! Only counters need taking back: a second copy of an event has the same
//! time and the same samples (first and last failures are a minimum and a
//! maximum, which a copy leaves as they are). So a part keeps, for each
//! distinct contribution, the 64-bit hashes of the event ids that made it
//! ([`crate::trail::summary::Summary::counted`]): 8 bytes an event, the
//! contribution itself once for all its events (an archive's events share
//! a few thousand of them).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::facts::{Fact, Facts};

use super::grouped::grouped_key;
use super::summary::{Failure, GroupKind, NO_CAUSE, group_keys, principal};

/// The counters one event added to a summary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Counted {
    /// A successful event (of `principal`, unless an AWS service made it).
    Ok {
        /// The principal whose `ok` count it added to.
        principal: Option<String>,
    },
    /// A failure of a call an AWS service made.
    ByService,
    /// A failure that is no auth failure, by code.
    Other {
        /// Its code in `by_other_error`.
        code: String,
    },
    /// An auth failure, and every breakdown it is in.
    Auth(Box<AuthCounted>),
}

/// The breakdowns an auth failure is counted in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AuthCounted {
    /// `by_cause`: the rule id, or [`NO_CAUSE`].
    pub cause: String,
    /// `by_error_code`: the code, or `ConsoleLogin Failure`.
    pub code: Option<String>,
    /// The `errorCode` itself, for the groups' codes.
    pub error_code: Option<String>,
    /// `by_principal`.
    pub principal: String,
    /// `by_access_key`, `by_source_ip`, `by_user_agent`, `by_event_source`,
    /// `by_client`, `by_region`, in that order.
    pub values: [Option<String>; 6],
    /// `failures_by_hour`.
    pub hour: Option<i64>,
    /// The key of its grouped finding.
    pub grouped: String,
    /// The groups of `Summary::findings` it is in.
    pub groups: Vec<(GroupKind, String)>,
}

/// The counted events of a summary: each contribution, with the hashes of
/// the ids of the events that made it.
pub type CountedIds = BTreeMap<Counted, Vec<u64>>;

/// The breakdowns of an auth failure, in [`AuthCounted::values`] order:
/// the one list `Summary::add_failure` counts from.
pub(crate) fn breakdown_values(facts: &Facts) -> [Option<Cow<'_, str>>; 6] {
    let client = match (facts.str(Fact::ClientName), facts.str(Fact::ClientVersion)) {
        (Some(name), Some(version)) => Some(Cow::Owned(format!("{name}/{version}"))),
        _ => None,
    };
    let region = facts
        .str(Fact::EventRegion)
        .or(facts.str(Fact::RequestEndpointRegion));
    let value = |f: Fact| facts.str(f).map(Cow::Borrowed);
    [
        value(Fact::CredentialAccessKeyId),
        value(Fact::SourceIp),
        value(Fact::ClientUserAgent),
        value(Fact::EventSource),
        client,
        region.map(Cow::Borrowed),
    ]
}

/// The code a failure is counted under: its `errorCode`, else the console
/// sign-in's outcome.
pub(crate) fn failure_code(facts: &Facts) -> Option<String> {
    facts.str(Fact::ErrorCode).map(str::to_string).or_else(|| {
        facts
            .str(Fact::ConsoleLogin)
            .map(|c| format!("ConsoleLogin {c}"))
    })
}

/// Whether a failure with `cause` (or none) is in the groups of
/// `Summary::findings`: one a rule explains, or a failed console sign-in.
pub(crate) fn in_groups(facts: &Facts, explained: bool) -> bool {
    explained || facts.str(Fact::ConsoleLogin) == Some("Failure")
}

impl Counted {
    /// What a successful event of `principal` counts.
    pub fn ok(principal: Option<&str>) -> Counted {
        Counted::Ok {
            principal: principal.map(str::to_string),
        }
    }

    /// What a failed event counts, judged `failure`.
    pub fn failure(facts: &Facts, failure: Failure<'_>) -> Counted {
        let cause = match failure {
            Failure::ByService => return Counted::ByService,
            Failure::Other => {
                return Counted::Other {
                    code: failure_code(facts).unwrap_or_else(|| NO_ERROR_CODE.to_string()),
                };
            }
            Failure::Explained(verdict) => Some(verdict.rule),
            Failure::Unexplained => None,
        };
        let groups = if in_groups(facts, cause.is_some()) {
            group_keys(facts)
                .into_iter()
                .map(|(kind, key)| (kind, key.into_owned()))
                .collect()
        } else {
            Vec::new()
        };
        let time = facts.int(Fact::EventTime);
        Counted::Auth(Box::new(AuthCounted {
            cause: cause.unwrap_or(NO_CAUSE).to_string(),
            code: failure_code(facts),
            error_code: facts.str(Fact::ErrorCode).map(str::to_string),
            principal: principal(facts).to_string(),
            values: breakdown_values(facts).map(|v| v.map(Cow::into_owned)),
            hour: time.map(|t| t - t.rem_euclid(3600)),
            grouped: grouped_key(facts, cause.unwrap_or(NO_CAUSE)),
            groups,
        }))
    }
}

/// The code of a failure that is no auth failure and has none.
pub(crate) const NO_ERROR_CODE: &str = "(no error code)";

/// The key an event id is kept under: a 64-bit hash, the standard
/// library's hasher with its fixed keys (`DefaultHasher::new`), so a run's
/// counts do not depend on chance. Partial summaries carry
/// `id_key("authsift")` so that parts whose keys were computed otherwise
/// (another build's hasher) are refused rather than merged wrongly.
pub fn id_key(id: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(id.as_bytes());
    hasher.finish()
}
