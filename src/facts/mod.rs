//! Records → facts: one flat, named set of facts per incident.
//!
//! Facts are the only vocabulary classification sees. Each has a fixed name
//! (`error.code`, `clock.skew_seconds`, …) and a slot in a fixed-size table,
//! so looking one up is an index, not a hash or an allocation. A fact may
//! point at the input line that established it; a finding's evidence is the
//! lines of the facts its rule used.
//!
//! One file per concern:
//!
//! - [`table`]: the registry of fact names and types (`fact_table!`) and
//!   [`Facts`], the storage of one incident's facts;
//! - `run`: a client run ([`crate::model::Run`]) becomes an [`Incident`];
//! - `message`: facts hidden in the wording of an error message;
//! - `signature`: what the signed request shows (scope, key, masking, the
//!   client's canonical request against a rebuild, expected values).
//!
//! Event inputs (CloudTrail, S3 access logs) build their incidents in
//! [`crate::analyze`](mod@crate::analyze), next to where they are read; what reports say about
//! facts (what could not be checked) is [`crate::report`]'s.

mod message;
mod run;
mod signature;
pub mod table;

use crate::model::EvidenceLine;
use crate::sigv4::Difference;

pub use message::{
    ACTION_PATTERN, ACTION_TAIL_PATTERN, REASONS as AUTHZ_WORDINGS, add_message_facts,
};
pub use run::{incident, incident_with_secret};
pub use signature::signature_failure_codes;
pub use table::{Fact, Facts, Kind, Value};

/// A failed run, described by facts, plus what the report needs to show.
#[derive(Debug, Clone)]
pub struct Incident {
    /// Shared with every finding the incident yields.
    pub facts: std::sync::Arc<Facts>,
    /// Client-vs-server differences of the signed request, when known.
    pub signature_diff: Vec<Difference>,
    /// The line a reader should look at first (the final error line).
    pub headline: Option<EvidenceLine>,
}
