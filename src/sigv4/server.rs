//! What the server says it computed, from its error response.

use super::{CanonicalRequest, StringToSign};
use crate::response::{ErrorBody, unescape_xml};

/// The server's own canonical request and string to sign, when the error
/// response carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerView {
    /// The canonical request the server computed, as text.
    pub canonical_request: Option<String>,
    /// The string to sign the server computed, as text.
    pub string_to_sign: Option<String>,
}

impl ServerView {
    /// The server's canonical request, split into parts.
    pub fn canonical(&self) -> Option<CanonicalRequest> {
        CanonicalRequest::parse(self.canonical_request.as_deref()?)
    }

    /// The server's string to sign, split into parts.
    pub fn string_to_sign(&self) -> Option<StringToSign> {
        StringToSign::parse(self.string_to_sign.as_deref()?)
    }
}

/// S3 returns `<CanonicalRequest>` and `<StringToSign>` elements; query and
/// JSON services may quote them in the message:
/// `The Canonical String for this request should have been\n'…'\n\nThe
/// String-to-Sign should have been\n'…'`.
pub fn server_view(body: &ErrorBody) -> ServerView {
    if body.field("CanonicalRequest").is_some() || body.field("StringToSign").is_some() {
        return ServerView {
            canonical_request: body.field("CanonicalRequest").map(str::to_string),
            string_to_sign: body.field("StringToSign").map(str::to_string),
        };
    }
    let message = body.message.as_deref().unwrap_or("");
    ServerView {
        canonical_request: quoted_after(
            message,
            "The Canonical String for this request should have been",
        ),
        string_to_sign: quoted_after(message, "The String-to-Sign should have been"),
    }
}

fn quoted_after(message: &str, marker: &str) -> Option<String> {
    let rest = &message[message.find(marker)? + marker.len()..];
    let start = rest.find('\'')? + 1;
    let end = start + rest[start..].find('\'')?;
    Some(unescape_xml(&rest[start..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_message_quotes_both_blocks() {
        let body = ErrorBody {
            code: Some("SignatureDoesNotMatch".into()),
            message: Some("The request signature we calculated does not match.\n\nThe Canonical String for this request should have been\n'GET\n/\nAction=ListQueues&amp;Version=2012-11-05\nhost:h\n\nhost\nab'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20130618T110110Z\n20130618/eu-west-1/sqs/aws4_request\n3c70'\n".into()),
            fields: vec![],
        };
        let v = server_view(&body);
        let c = v.canonical().unwrap();
        assert_eq!(c.query, "Action=ListQueues&Version=2012-11-05");
        assert_eq!(
            v.string_to_sign().unwrap().scope,
            "20130618/eu-west-1/sqs/aws4_request"
        );
    }

    #[test]
    fn plain_message_has_no_view() {
        let body = ErrorBody {
            code: None,
            message: Some("nope".into()),
            fields: vec![],
        };
        assert_eq!(server_view(&body), ServerView::default());
    }
}
