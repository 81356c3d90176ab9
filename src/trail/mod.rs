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

// Not yet documented item by item (owned by parallel work).
#[allow(missing_docs)]
pub mod summary;

/// What a CloudTrail input without a failure cannot rule out.
pub const NOT_RECORDED: &str = "CloudTrail does not record requests that fail authentication \
(SignatureDoesNotMatch, InvalidClientTokenId, ExpiredToken, RequestTimeTooSkewed, \
AuthorizationHeaderMalformed…): no failure here does not mean no failure; look at the \
client's debug log or at S3 server access logs";
