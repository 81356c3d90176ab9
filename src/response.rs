//! AWS error response bodies, whatever the protocol, as plain fields.
//!
//! S3 (`<Error><Code>…`), query services (`<ErrorResponse><Error>…`), EC2
//! (`<Response><Errors><Error>…`) and JSON services (`{"__type": …}`) all
//! carry a code and a message; S3 adds flat diagnostic elements such as
//! `CanonicalRequest`, `ServerTime` or `Region`. Bodies are flat, so a small
//! element scanner is enough; no XML tree is needed.

/// The fields of an error response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// The error code (`SignatureDoesNotMatch`).
    pub code: Option<String>,
    /// The error message.
    pub message: Option<String>,
    /// Every leaf element (XML) or string field (JSON), in order.
    pub fields: Vec<(String, String)>,
}

impl ErrorBody {
    /// The first field named `name` (`CanonicalRequest`, `ServerTime`, …).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The error a response carries: its body's fields, with the code taken
/// from the `x-amzn-ErrorType` header when the body names none. JSON
/// services put the code in that header (botocore reads it there first);
/// IAM Identity Center's OIDC endpoint answers with an OAuth body
/// (`{"error":"invalid_grant",…}`) whose AWS code is only in the header.
pub fn response_error(body: Option<&str>, error_type: Option<&str>) -> Option<ErrorBody> {
    let mut parsed = body.and_then(parse_error_body);
    let Some(header_code) = error_type
        .map(normalise_json_code)
        .filter(|c| !c.is_empty())
    else {
        return parsed;
    };
    match &mut parsed {
        Some(b) if b.code.is_none() => b.code = Some(header_code),
        Some(_) => {}
        None => {
            parsed = Some(ErrorBody {
                code: Some(header_code),
                ..ErrorBody::default()
            })
        }
    }
    parsed
}

/// Parses an error body; `None` when it is neither XML nor JSON with a code.
pub fn parse_error_body(body: &str) -> Option<ErrorBody> {
    let trimmed = body.trim_start();
    if trimmed.starts_with('{') {
        return parse_json(trimmed);
    }
    if trimmed.starts_with('<') {
        return parse_xml(trimmed);
    }
    None
}

fn parse_json(body: &str) -> Option<ErrorBody> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let object = value.as_object()?;
    let fields: Vec<(String, String)> = object
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
        .collect();
    let get = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| object.get(*n).and_then(|v| v.as_str()))
            .map(str::to_string)
    };
    let code = get(&["__type", "code", "Code"]).map(|c| normalise_json_code(&c));
    Some(ErrorBody {
        code,
        message: get(&["message", "Message", "errorMessage", "error_description"]),
        fields,
    })
}

/// `com.amazon.coral.service#UnrecognizedClientException:http://…` →
/// `UnrecognizedClientException` (botocore's rule: cut at `:`, then keep what
/// follows the last `#`).
pub fn normalise_json_code(code: &str) -> String {
    let code = code.split(':').next().unwrap_or(code);
    code.rsplit('#').next().unwrap_or(code).to_string()
}

fn parse_xml(body: &str) -> Option<ErrorBody> {
    let mut fields = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        rest = &rest[close + 1..];
        if tag.starts_with(['/', '?', '!']) || tag.ends_with('/') {
            continue;
        }
        let name = tag.split_whitespace().next().unwrap_or(tag);
        let end_tag = format!("</{name}>");
        // A leaf element holds text only; containers are descended into.
        if let Some(end) = rest.find(&end_tag) {
            let inner = &rest[..end];
            if !inner.contains('<') {
                fields.push((name.to_string(), unescape_xml(inner)));
                rest = &rest[end + end_tag.len()..];
            }
        }
    }
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v): &(String, String)| v.clone())
    };
    let code = get("Code");
    code.as_ref()?;
    Some(ErrorBody {
        message: get("Message"),
        code,
        fields,
    })
}

/// XML text with its entities (`&amp;`, `&#10;`, …) replaced by the characters.
pub fn unescape_xml(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_error_with_diagnostic_elements() {
        let b = parse_error_body("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message><CanonicalRequest>GET\n/\n\nhost:x&amp;y</CanonicalRequest><RequestId>1</RequestId></Error>").unwrap();
        assert_eq!(b.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(b.field("CanonicalRequest"), Some("GET\n/\n\nhost:x&y"));
    }

    #[test]
    fn query_and_ec2_shapes() {
        let q = parse_error_body("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>InvalidClientTokenId</Code>\n    <Message>The security token included in the request is invalid.</Message>\n  </Error>\n  <RequestId>abc</RequestId>\n</ErrorResponse>").unwrap();
        assert_eq!(q.code.as_deref(), Some("InvalidClientTokenId"));
        assert_eq!(q.field("Type"), Some("Sender"));
        let e = parse_error_body("<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors><RequestID>5b</RequestID></Response>").unwrap();
        assert_eq!(e.code.as_deref(), Some("AuthFailure"));
    }

    #[test]
    fn json_code_is_normalised() {
        let oauth = response_error(
            Some(
                r#"{"error":"invalid_grant","error_description":"Invalid refresh token provided"}"#,
            ),
            Some("InvalidGrantException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"),
        )
        .unwrap();
        assert_eq!(oauth.code.as_deref(), Some("InvalidGrantException"));
        assert_eq!(
            oauth.message.as_deref(),
            Some("Invalid refresh token provided")
        );
        // The body's own code stands; a header alone still gives one.
        let both =
            response_error(Some(r#"{"__type":"A#ExpiredTokenException"}"#), Some("X")).unwrap();
        assert_eq!(both.code.as_deref(), Some("ExpiredTokenException"));
        assert_eq!(
            response_error(None, Some("AccessDeniedException:http://x"))
                .and_then(|b| b.code)
                .as_deref(),
            Some("AccessDeniedException")
        );
        assert_eq!(response_error(Some("not a body"), None), None);
        let j = parse_error_body(r#"{"__type":"com.amazon.coral.service#UnrecognizedClientException:http://x","message":"The security token included in the request is invalid."}"#).unwrap();
        assert_eq!(j.code.as_deref(), Some("UnrecognizedClientException"));
        assert_eq!(
            j.message.as_deref(),
            Some("The security token included in the request is invalid.")
        );
    }

    #[test]
    fn non_error_bodies() {
        assert_eq!(
            parse_error_body("<ListAllMyBucketsResult></ListAllMyBucketsResult>"),
            None
        );
        assert_eq!(parse_error_body("hello"), None);
        assert_eq!(unescape_xml("a &#x41;&#66; &bogus; &lt;"), "a AB &bogus; <");
    }
}
