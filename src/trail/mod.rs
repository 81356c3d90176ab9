//! CloudTrail aggregation: the mergeable [`summary::Summary`] of event
//! inputs, and what reports say about CloudTrail inputs.
//!
//! Reading events and classifying them is the pipeline's job
//! ([`crate::analyze`](mod@crate::analyze)); this module holds what both the pipeline and the
//! renderers need to know about event inputs, so neither imports the
//! other.
//!
//! CloudTrail cannot show authentication failures: it does not deliver
//! requests whose credentials AWS could not verify ([`NOT_RECORDED`]).

pub mod counted;
pub mod grouped;
// Not yet documented item by item (owned by parallel work).
#[allow(missing_docs)]
pub mod summary;
pub mod wire;

use std::sync::LazyLock;

/// What a CloudTrail input without a failure cannot rule out, naming the
/// shipped rules' list `cloudtrail_unrecorded_codes`.
pub static NOT_RECORDED: LazyLock<String> = LazyLock::new(|| {
    format!(
        "CloudTrail does not record requests that fail authentication ({}…): no failure here \
         does not mean no failure; look at the client's debug log or at S3 server access logs",
        crate::shipped::list("cloudtrail_unrecorded_codes").join(", ")
    )
});
