//! One CloudTrail event: the fields facts use, borrowed from the input, and
//! what they say (failed, by an AWS service, with MFA, …).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The fields of a CloudTrail event that facts use. Strings are borrowed
/// from the input unless they contain escapes.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Event<'a> {
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_version: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_time: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_source: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_name: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub event_type: Option<Cow<'a, str>>,
    #[serde(rename = "eventID", borrow, deserialize_with = "optional_str")]
    pub event_id: Option<Cow<'a, str>>,
    #[serde(rename = "requestID", borrow, deserialize_with = "optional_str")]
    pub request_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub aws_region: Option<Cow<'a, str>>,
    #[serde(rename = "sourceIPAddress", borrow, deserialize_with = "optional_str")]
    pub source_ip_address: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub user_agent: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub error_code: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub error_message: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub recipient_account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub user_identity: Option<UserIdentity<'a>>,
    #[serde(borrow)]
    pub tls_details: Option<TlsDetails<'a>>,
    /// Kept raw: its shape differs per API; read with [`Event::role_arn`].
    #[serde(borrow)]
    pub request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    pub response_elements: Option<&'a RawValue>,
    #[serde(borrow)]
    pub additional_event_data: Option<&'a RawValue>,
    /// Keys that make an object more than an event in [`top_level`] (a
    /// batch, lookup-events output, a digest): noticed while the event is
    /// deserialised, so a JSON Lines line is read once.
    #[serde(rename = "Records")]
    records: Option<serde::de::IgnoredAny>,
    #[serde(rename = "Events")]
    lookup_events: Option<serde::de::IgnoredAny>,
    #[serde(rename = "digestStartTime")]
    digest_start: Option<serde::de::IgnoredAny>,
    #[serde(rename = "previousDigestSignature")]
    digest_previous: Option<serde::de::IgnoredAny>,
}

/// `userIdentity`: who made the call.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity<'a> {
    #[serde(rename = "type", borrow, deserialize_with = "optional_str")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub principal_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub account_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub access_key_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub user_name: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub invoked_by: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub session_context: Option<SessionContext<'a>>,
}

/// `userIdentity.sessionContext`: the session of temporary credentials.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionContext<'a> {
    #[serde(borrow)]
    pub attributes: Option<SessionAttributes<'a>>,
    #[serde(borrow)]
    pub session_issuer: Option<SessionIssuer<'a>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub source_identity: Option<Cow<'a, str>>,
}

/// `sessionContext.attributes`.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionAttributes<'a> {
    /// `"true"` / `"false"` (a string in CloudTrail; a boolean is accepted).
    pub mfa_authenticated: Option<StrOrBool>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub source_identity: Option<Cow<'a, str>>,
}

/// `sessionContext.sessionIssuer`: the role or user that issued the session.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionIssuer<'a> {
    #[serde(borrow, deserialize_with = "optional_str")]
    pub arn: Option<Cow<'a, str>>,
}

/// `tlsDetails`: the connection's TLS version, cipher and `Host` header.
// Fields mirror CloudTrail's record fields one for one (camelCase in the
// JSON); their meaning is CloudTrail's (shared/reference/cloudtrail-and-siem.md).
#[allow(missing_docs)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TlsDetails<'a> {
    #[serde(borrow, deserialize_with = "optional_str")]
    pub tls_version: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub cipher_suite: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "optional_str")]
    pub client_provided_host_header: Option<Cow<'a, str>>,
}

/// An optional string, borrowed from the input when it has no escapes.
/// serde borrows a `Cow<str>` only when it is a field's whole type: inside an
/// `Option` it always allocates, once per field of every event.
fn optional_str<'de, D>(deserializer: D) -> Result<Option<Cow<'de, str>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<Borrowed<'de>>::deserialize(deserializer)?.map(|b| b.0))
}

/// A flag CloudTrail writes as a string (`"true"`, `"Yes"`) or a boolean.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StrOrBool {
    /// A JSON boolean.
    Bool(bool),
    /// A string (`"true"`, `"Yes"`, …).
    Str(String),
}

impl StrOrBool {
    /// The flag's value; `None` for a string that is no yes or no.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            StrOrBool::Bool(b) => Some(*b),
            StrOrBool::Str(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" => Some(true),
                "false" | "no" => Some(false),
                _ => None,
            },
        }
    }
}

/// `requestParameters.roleArn` of AssumeRole*.
#[derive(Deserialize)]
struct RequestParameters<'a> {
    #[serde(rename = "roleArn", borrow)]
    role_arn: Option<Cow<'a, str>>,
}

/// `responseElements.ConsoleLogin` of ConsoleLogin.
#[derive(Deserialize)]
struct ResponseElements<'a> {
    #[serde(rename = "ConsoleLogin", borrow)]
    console_login: Option<Cow<'a, str>>,
}

/// `additionalEventData.MFAUsed` of ConsoleLogin.
#[derive(Deserialize)]
struct AdditionalEventData {
    #[serde(rename = "MFAUsed")]
    mfa_used: Option<StrOrBool>,
}

impl<'a> Event<'a> {
    /// Parses one event's JSON.
    pub fn parse(json: &'a str) -> Result<Event<'a>, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Parses `json` and hands the event to `f` by reference (an event is
    /// too big to move around for nothing).
    pub fn parse_then<T>(
        json: &'a str,
        f: impl FnOnce(Result<&Event<'a>, serde_json::Error>) -> T,
    ) -> T {
        match Event::parse(json) {
            Ok(event) => f(Ok(&event)),
            Err(e) => f(Err(e)),
        }
    }

    /// An Insight event: unusual activity summarised, not an API call.
    pub fn is_insight(&self) -> bool {
        self.event_type.as_deref() == Some("AwsCloudTrailInsight")
    }

    /// Whether [`top_level`] would take the object this event was read
    /// from for an event: `eventSource` or `eventName`, and none of the
    /// keys that make it something else.
    pub(super) fn is_top_level_event(&self) -> bool {
        (self.event_source.is_some() || self.event_name.is_some())
            && self.records.is_none()
            && self.lookup_events.is_none()
            && self.digest_start.is_none()
            && self.digest_previous.is_none()
    }

    /// Whether this is a CloudTrail record: an `eventSource` that is a
    /// service endpoint name (S3/SNS event notifications use `aws:s3`, in the
    /// same `Records` wrapper), an `eventName` and an `eventTime`.
    pub fn is_cloudtrail(&self) -> bool {
        self.event_source
            .as_deref()
            .is_some_and(|s| !s.is_empty() && !s.starts_with("aws:"))
            && self.event_name.is_some()
            && self.event_time.is_some()
    }

    /// The role an AssumeRole* call asked for.
    pub fn role_arn(&self) -> Option<Cow<'a, str>> {
        let raw = self.request_parameters?;
        serde_json::from_str::<RequestParameters<'a>>(raw.get())
            .ok()?
            .role_arn
    }

    /// `Success` / `Failure` of a ConsoleLogin event.
    pub fn console_login(&self) -> Option<Cow<'a, str>> {
        let raw = self.response_elements?;
        serde_json::from_str::<ResponseElements<'a>>(raw.get())
            .ok()?
            .console_login
    }

    /// Whether a console sign-in used MFA (`additionalEventData.MFAUsed`).
    pub fn console_mfa_used(&self) -> Option<bool> {
        let raw = self.additional_event_data?;
        serde_json::from_str::<AdditionalEventData>(raw.get())
            .ok()?
            .mfa_used?
            .as_bool()
    }

    /// A failed call or sign-in: an `errorCode`, or a ConsoleLogin `Failure`.
    pub fn failed(&self) -> bool {
        self.error_code.as_deref().is_some_and(|c| !c.is_empty())
            || self.console_login().as_deref() == Some("Failure")
    }

    /// Who made the call, as summaries name principals: the ARN, else the
    /// user name, else the identity type.
    pub fn principal(&self) -> Option<Cow<'a, str>> {
        let u = self.user_identity.as_ref()?;
        [&u.arn, &u.user_name, &u.kind]
            .into_iter()
            .find_map(|v| v.as_ref().filter(|v| !v.is_empty()))
            .cloned()
    }

    /// A call an AWS service made on a customer's behalf: identity type
    /// `AWSService`, `invokedBy` set, or a service name as source address.
    pub fn by_aws_service(&self) -> bool {
        let identity = self.user_identity.as_ref();
        identity.is_some_and(|u| {
            u.kind.as_deref() == Some("AWSService")
                || u.invoked_by.as_deref().is_some_and(|s| !s.is_empty())
        }) || self
            .source_ip_address
            .as_deref()
            .is_some_and(|ip| ip.ends_with(".amazonaws.com"))
    }

    /// The MFA state of the caller's session, or of a console sign-in.
    pub fn mfa(&self) -> Option<bool> {
        self.user_identity
            .as_ref()
            .and_then(|u| u.session_context.as_ref())
            .and_then(|s| s.attributes.as_ref())
            .and_then(|a| a.mfa_authenticated.as_ref())
            .and_then(StrOrBool::as_bool)
            .or_else(|| self.console_mfa_used())
    }
}

/// Why a JSON value on line `line` is not the record expected, without the
/// value itself: serde quotes it (`invalid type: string "…"`), and in a
/// CloudTrail record the value of a mistyped field can be a secret key or
/// a session token that would then be printed on stderr.
pub(crate) fn data_error(e: &serde_json::Error, line: usize) -> String {
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:(?P<kind>string|char|bytes) )?"(?:[^"\\]|\\.)*"|`[^`]*`"#).unwrap()
    });
    let message = e.to_string();
    // serde_json appends its own position; ours is the input's line.
    let message = message
        .rsplit_once(" at line ")
        .map_or(&*message, |(m, _)| m);
    let shown = QUOTED.replace_all(message, |c: &regex::Captures<'_>| match c.name("kind") {
        Some(kind) => format!("a {}", kind.as_str()),
        None if c[0].starts_with('`') && !message.contains("field `") => "a value".to_string(),
        None if c[0].starts_with('`') => c[0].to_string(),
        None => "a value".to_string(),
    });
    format!("line {line}: {shown}")
}
