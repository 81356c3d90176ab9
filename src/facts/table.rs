//! The fact registry and the storage of one incident's facts.
//!
//! `fact_table!` is the one list of fact names: each name, its type, and
//! the Rust identifier code uses. [`Facts`] holds the values of one
//! incident, indexed by that table.
//!
//! A string fact whose values form a closed set is declared `Enum(values)`
//! (or `EnumSet(values)` for a comma-separated set of them), with the list
//! its producer defines: the rule compiler then refuses a literal the fact
//! can never take (`error.kind == "sso-tokn"`), and setting a value outside
//! the set is a bug that debug builds catch.

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::model::{self, EvidenceLine};

use super::message::AUTHZ_REASONS;
use super::run::CLOCK_DIRECTIONS;
use super::signature::{COMPONENTS, KEY_TYPES, MASKABLE, PAYLOAD_SOURCES};

/// The value type of a table entry: `Enum` facts are strings.
macro_rules! kind {
    (Str) => {
        Kind::Str
    };
    (Int) => {
        Kind::Int
    };
    (Bool) => {
        Kind::Bool
    };
    (Enum) => {
        Kind::Str
    };
    (EnumSet) => {
        Kind::Str
    };
}

/// The closed set of values of a table entry, if it has one.
macro_rules! domain {
    ($kind:ident) => {
        None
    };
    (Enum($values:expr)) => {
        Some(Domain::OneOf($values))
    };
    (EnumSet($values:expr)) => {
        Some(Domain::SetOf($values))
    };
}

macro_rules! fact_table {
    ($($(#[$doc:meta])* $id:ident = $name:literal: $kind:ident $(($values:expr))?),* $(,)?) => {
        /// Every fact name classification can use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Fact { $($(#[$doc])* $id),* }

        impl Fact {
            pub const ALL: &'static [Fact] = &[$(Fact::$id),*];

            pub fn name(self) -> &'static str {
                match self { $(Fact::$id => $name),* }
            }

            pub fn from_name(name: &str) -> Option<Fact> {
                match name { $($name => Some(Fact::$id),)* _ => None }
            }

            /// The type every value of this fact has.
            pub fn kind(self) -> Kind {
                match self { $(Fact::$id => kind!($kind)),* }
            }

            /// The values this fact can take, when they form a closed set.
            pub fn domain(self) -> Option<Domain> {
                match self { $(Fact::$id => domain!($kind $(($values))?)),* }
            }
        }
    };
}

fact_table! {
    ErrorKind = "error.kind": Enum(model::ErrorKind::NAMES),
    ErrorCode = "error.code": Str,
    ErrorMessage = "error.message": Str,
    ErrorOperation = "error.operation": Str,
    ErrorDetail = "error.detail": Str,
    ErrorTool = "error.tool": Str,
    ErrorCodeInferred = "error.code_inferred": Bool,
    HttpStatus = "http.status": Int,
    RequestOperation = "request.operation": Str,
    RequestService = "request.service": Str,
    RequestRegion = "request.region": Str,
    RequestEndpointHost = "request.endpoint_host": Str,
    RequestEndpointRegion = "request.endpoint_region": Str,
    RequestMethod = "request.method": Str,
    RequestAmzDate = "request.amz_date": Str,
    RequestAlgorithm = "request.algorithm": Str,
    RequestSignedHeaders = "request.signed_headers": Str,
    RequestHasSecurityToken = "request.has_security_token": Bool,
    RequestSigningRegion = "request.signing_region": Str,
    CredentialAccessKeyId = "credential.access_key_id": Str,
    CredentialKeyType = "credential.key_type": Enum(KEY_TYPES),
    CredentialKeyIdProblem = "credential.key_id_problem": Str,
    CredentialSource = "credential.source": Str,
    CredentialSourceName = "credential.source_name": Str,
    CredentialProfile = "credential.profile": Str,
    CredentialEnvSkipped = "credential.env_skipped": Bool,
    LogMasked = "log.masked": EnumSet(MASKABLE),
    ResponseDate = "response.date": Str,
    ResponseServerTime = "response.server_time": Str,
    ResponseExpectedRegion = "response.expected_region": Str,
    ClockSkewSeconds = "clock.skew_seconds": Int,
    ClockAllowedSkewSeconds = "clock.allowed_skew_seconds": Int,
    ClockSkewHuman = "clock.skew_human": Str,
    ClockDirection = "clock.direction": Enum(CLOCK_DIRECTIONS),
    SignatureServerCanonical = "signature.server_canonical": Bool,
    SignatureCanonicalMatch = "signature.canonical_match": Bool,
    SignatureStringToSignMatch = "signature.string_to_sign_match": Bool,
    SignatureComponent = "signature.component": Enum(COMPONENTS),
    SignatureUnchecked = "signature.unchecked": Str,
    SignatureRebuildMatch = "signature.rebuild_match": Bool,
    SignaturePayloadSource = "signature.payload_source": Enum(PAYLOAD_SOURCES),
    SignatureLoggedHashMatch = "signature.logged_hash_match": Bool,
    SignatureScopeDateMatch = "signature.scope_date_match": Bool,
    SignatureScopeRegionMatch = "signature.scope_region_match": Bool,
    SignatureScopeServiceMatch = "signature.scope_service_match": Bool,
    SignatureSecretVerified = "signature.secret_verified": Bool,
    SignatureSigv4a = "signature.sigv4a": Bool,
    RequestEndpointService = "request.endpoint_service": Str,
    RequestScopeDate = "request.scope_date": Str,
    CredentialTokenConsistent = "credential.token_consistent": Bool,
    ImdsEndpoint = "imds.endpoint": Str,
    ImdsCustomEndpoint = "imds.custom_endpoint": Bool,
    ImdsDisabled = "imds.disabled": Bool,
    ImdsAttempted = "imds.attempted": Bool,
    ImdsErrorStatus = "imds.error_status": Int,
    // Context a pasted text gives around its failures (recognise::context).
    RegionUnknown = "region.unknown": Str,
    RegionOptIn = "region.opt_in": Str,
    // A region of another partition than the commercial one that the text
    // names (recognise::context), and that partition (`aws-cn`,
    // `aws-us-gov`, …): keys and identity providers exist in one only.
    RegionOtherPartition = "region.other_partition": Str,
    RegionPartition = "region.partition": Str,
    /// The region of the failing endpoint's host, when its service is not
    /// offered there (`route53domains.ap-southeast-2.amazonaws.com`): the
    /// client built a host that does not exist from its region setting.
    /// Set from `recognise::service_regions`, which says nothing when in
    /// doubt.
    RegionServiceNotOffered = "region.service_not_offered": Str,
    /// The regions of the same partition that do offer that service,
    /// in name order (`ap-northeast-1, eu-west-1, us-east-1`), beside
    /// `region.service_not_offered`.
    RegionServiceOfferedIn = "region.service_offered_in": Str,
    NetworkProxy = "network.proxy": Bool,
    RequestOddPath = "request.odd_path": Bool,
    CredentialEnvKeys = "credential.env_keys": Bool,
    // The text shows MFA in play (an `mfa_serial`, an MFA code option, an
    // MFA condition in a pasted policy): a denial beside it is most
    // likely the MFA condition.
    CredentialMfa = "credential.mfa": Bool,
    // A credential variable under a name no AWS client reads, one or two
    // letters off a real one (recognise::env_vars), and the real name: the
    // client never saw that credential.
    CredentialEnvMisspelt = "credential.env_misspelt": Str,
    CredentialEnvMeant = "credential.env_meant": Str,
    // The text shows S3's own error (an S3 exception class, its error body
    // or host id, an S3 endpoint): the request carried an object key or
    // bucket path the user chose.
    ErrorFromS3 = "error.from_s3": Bool,
    // The metadata service was asked for credentials (a credential
    // provider chain falling through to it), not for other metadata.
    ImdsForCredentials = "imds.for_credentials": Bool,
    // The endpoint was the container credentials endpoint (ECS task roles,
    // EKS Pod Identity), which a client only calls when the environment
    // names it: a failure there is never a fall-through on a laptop.
    ImdsContainer = "imds.container": Bool,
    // The text shows the client runs on AWS compute (an EC2 host name,
    // the instance's metadata options, a pod, an ECS task): the metadata
    // service is meant to answer there (recognise::context).
    ImdsExpected = "imds.expected": Bool,
    // The region an ECR login token was asked for, and the region of the
    // ECR registry the text names (recognise::context): a token is valid
    // only in its own region.
    EcrLoginRegion = "ecr.login_region": Str,
    EcrRegistryRegion = "ecr.registry_region": Str,
    AuthzReason = "authz.reason": Enum(AUTHZ_REASONS),
    AuthzAction = "authz.action": Str,
    // Who was denied and what, as IAM's denial wording names them
    // (`User: <principal> is not authorized to perform: <action> on
    // resource: <resource>`), so that fix steps are commands to paste,
    // not templates (facts::message).
    AuthzPrincipal = "authz.principal": Str,
    // The principal as an IAM user or role: its type, name, account, and
    // the ARN `iam simulate-principal-policy` takes (an assumed-role
    // session's role; the role's path is not in the session ARN).
    AuthzPrincipalType = "authz.principal_type": Enum(PRINCIPAL_TYPES),
    AuthzPrincipalName = "authz.principal_name": Str,
    AuthzAccount = "authz.account": Str,
    AuthzPolicySource = "authz.policy_source": Str,
    AuthzResource = "authz.resource": Str,
    // The role a denied sts:AssumeRole* names as its resource.
    AuthzRoleName = "authz.role_name": Str,
    // EC2's `Encoded authorization failure message: …`, which
    // `aws sts decode-authorization-message` turns into the policy
    // evaluation that denied the call.
    AuthzEncodedMessage = "authz.encoded_message": Str,
    CliVersion = "cli.version": Str,
    CliMajor = "cli.major": Int,
    // The client asks for both sso_start_url and sso_region on the profile:
    // the keys `aws configure sso` (AWS CLI 2.9, late 2022, and the SDKs
    // since) writes into an [sso-session] section instead. A client that
    // wants them on the profile predates that section.
    ClientPredatesSsoSession = "client.predates_sso_session": Bool,
    // The client could not parse the SSO token cache it read (Go v1:
    // `caused by: expected RFC3339 timestamp: parsing time …`): another
    // version of the AWS tools wrote it in a form this one cannot read.
    // Signing in again writes the same form, so the client is the problem.
    ClientMisreadsSsoCache = "client.misreads_sso_cache": Bool,
    // A region AWS has (the region table says so) that the client refused
    // by name (`Invalid region provided: us-east-2`, a .NET
    // `RegionEndpoint` field missing): its list of regions predates it.
    ClientPredatesRegion = "client.predates_region": Str,
    EventTime = "event.time": Int,
    CiSystem = "ci.system": Str,
    CiStep = "ci.step": Str,
    EventSource = "event.source": Str,
    EventName = "event.name": Str,
    EventType = "event.type": Str,
    EventId = "event.id": Str,
    EventRegion = "event.region": Str,
    RequestId = "request.id": Str,
    RequestRoleArn = "request.role_arn": Str,
    RequestHostHeader = "request.host_header": Str,
    RequestBucket = "request.bucket": Str,
    RequestSignatureVersion = "request.signature_version": Str,
    RequestAuthType = "request.auth_type": Str,
    IdentityType = "identity.type": Str,
    IdentityArn = "identity.arn": Str,
    IdentityAccount = "identity.account": Str,
    IdentityUserName = "identity.user_name": Str,
    IdentityCanonicalId = "identity.canonical_id": Str,
    IdentityInvokedBy = "identity.invoked_by": Str,
    IdentityAwsService = "identity.aws_service": Bool,
    IdentityMfa = "identity.mfa": Bool,
    IdentitySessionIssuer = "identity.session_issuer": Str,
    IdentitySourceIdentity = "identity.source_identity": Str,
    SourceIp = "source.ip": Str,
    ClientUserAgent = "client.user_agent": Str,
    ClientName = "client.name": Str,
    ClientVersion = "client.version": Str,
    TlsVersion = "tls.version": Str,
    TlsCipher = "tls.cipher": Str,
    ConsoleLogin = "console.login": Str,
    // What `authsift config` saw (src/config/checks.rs), for the rules of
    // rules/config.rules that word it.
    ConfigFile = "config.file": Enum(CONFIG_FILES),
    ConfigPath = "config.path": Str,
    ConfigCliError = "config.cli_error": Str,
    ConfigParseProblem = "config.parse_problem": Enum(CONFIG_PARSE_PROBLEMS),
    ConfigLineText = "config.line_text": Str,
    ConfigFirstLine = "config.first_line": Int,
    ConfigSection = "config.section": Str,
    ConfigSectionType = "config.section_type": Str,
    ConfigExpected = "config.expected": Str,
    ConfigKey = "config.key": Str,
    ConfigImportantKey = "config.important_key": Bool,
    ConfigValue = "config.value": Str,
    ConfigComment = "config.comment": Str,
    ConfigCount = "config.count": Int,
    ConfigWhat = "config.what": Enum(CONFIG_PLACES),
    ConfigChar = "config.char": Str,
    ConfigPosition = "config.position": Int,
    ConfigSecret = "config.secret": Bool,
    ConfigShapeProblem = "config.shape_problem": Str,
    ConfigMode = "config.mode": Str,
    ConfigWorldReadable = "config.world_readable": Bool,
    ConfigProfile = "config.profile": Str,
    ConfigOtherProfile = "config.other_profile": Str,
    ConfigNamedBy = "config.named_by": Str,
    ConfigSuggestion = "config.suggestion": Str,
    ConfigKnown = "config.known": Str,
    ConfigChain = "config.chain": Str,
    ConfigPresent = "config.present": Str,
    ConfigMissing = "config.missing": Str,
    ConfigMissingAnd = "config.missing_and": Str,
    ConfigMissingKey = "config.missing_key": Str,
    ConfigProvider = "config.provider": Str,
    ConfigProgram = "config.program": Str,
    ConfigProgramIsPath = "config.program_is_path": Bool,
    ConfigEnvVar = "config.env_var": Str,
}

/// The values of `authz.principal_type`: the IAM identities a denial can
/// name whose policies `aws iam` can show.
pub const PRINCIPAL_TYPES: &[&str] = &["user", "role"];

/// The values of `config.file`: the two files `authsift config` reads
/// (`awsfiles::ini::FileKind`).
pub const CONFIG_FILES: &[&str] = &["config", "credentials"];

/// The values of `config.parse_problem`: the problems of the INI reader
/// (`awsfiles::ini::Problem`) whose wording depends on which it is.
pub const CONFIG_PARSE_PROBLEMS: &[&str] = &[
    "missing-section-header",
    "not-key-value",
    "subsection-not-key-value",
];

/// The values of `config.what`: where `authsift config` found a character
/// (a profile name, a key, a value), or what a reference names.
pub const CONFIG_PLACES: &[&str] = &["profile name", "key", "value", "profile", "[sso-session]"];

/// The type of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Int,
    Bool,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Str => "string",
            Kind::Int => "integer",
            Kind::Bool => "boolean",
        }
    }

    /// The name with its article, for messages: "an integer".
    pub fn with_article(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Int => "an integer",
            Kind::Bool => "a boolean",
        }
    }
}

/// The values a string fact can take, when they form a closed set. A rule
/// comparing such a fact with a string outside the set could never hold,
/// so the rule compiler refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// Exactly one of these names. A name ending in `:` stands for a
    /// family: `header:` is any `header:<name>`.
    OneOf(&'static [&'static str]),
    /// Some of these names, comma-separated, each at most once and in this
    /// order (`log.masked`: `access_key_id,signature`).
    SetOf(&'static [&'static str]),
}

impl Domain {
    /// The names the values are made of.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Domain::OneOf(names) | Domain::SetOf(names) => names,
        }
    }

    /// Whether the fact can take this value.
    pub fn admits(self, value: &str) -> bool {
        match self {
            Domain::OneOf(names) => names.iter().any(|n| {
                *n == value || n.ends_with(':') && value.len() > n.len() && value.starts_with(n)
            }),
            Domain::SetOf(names) => {
                let mut last = None;
                value
                    .split(',')
                    .all(|part| match names.iter().position(|n| *n == part) {
                        Some(i) if last.is_none_or(|l| i > l) => {
                            last = Some(i);
                            true
                        }
                        _ => false,
                    })
            }
        }
    }
}

/// A fact's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Value::Str(_) => Kind::Str,
            Value::Int(_) => Kind::Int,
            Value::Bool(_) => Kind::Bool,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// How many facts there are.
const FACTS: usize = Fact::ALL.len();
const _: () = assert!(FACTS < 255, "fact positions must fit the u8 index");

/// The facts of one incident, and the lines that established them.
///
/// An incident sets a few dozen of the facts, so values are stored densely
/// in the order they were set, found through an inline index (one byte per
/// fact name): a lookup stays one index, and an incident with no fact set
/// costs no allocation (archives make hundreds of thousands of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Per fact: 0 when unset, else 1 + its position in `values`.
    index: [u8; FACTS],
    /// Each set fact's value and the position in `lines` of its evidence.
    values: Vec<(Value, Option<usize>)>,
    lines: Vec<EvidenceLine>,
}

impl Default for Facts {
    fn default() -> Self {
        Facts {
            index: [0; FACTS],
            values: Vec::new(),
            lines: Vec::new(),
        }
    }
}

impl Facts {
    fn slot(&self, fact: Fact) -> Option<usize> {
        match self.index[fact as usize] {
            0 => None,
            n => Some(n as usize - 1),
        }
    }

    pub fn get(&self, fact: Fact) -> Option<&Value> {
        self.slot(fact).map(|i| &self.values[i].0)
    }

    pub fn str(&self, fact: Fact) -> Option<&str> {
        self.get(fact).and_then(Value::as_str)
    }

    pub fn int(&self, fact: Fact) -> Option<i64> {
        self.get(fact).and_then(Value::as_int)
    }

    pub fn bool(&self, fact: Fact) -> Option<bool> {
        self.get(fact).and_then(Value::as_bool)
    }

    pub fn has(&self, fact: Fact) -> bool {
        self.index[fact as usize] != 0
    }

    /// Sets a fact; `line` is the evidence that established it.
    pub fn set(&mut self, fact: Fact, value: impl Into<Value>, line: Option<&EvidenceLine>) {
        let value = value.into();
        debug_assert_eq!(
            value.kind(),
            fact.kind(),
            "{} has the wrong type",
            fact.name()
        );
        debug_assert!(
            fact.domain()
                .zip(value.as_str())
                .is_none_or(|(d, v)| d.admits(v)),
            "{} cannot be {value:?}",
            fact.name()
        );
        let source = line.map(|l| self.line_index(l));
        match self.slot(fact) {
            Some(i) => self.values[i] = (value, source),
            None => {
                // An incident sets a few dozen facts: one allocation, not a
                // doubling series.
                if self.values.capacity() == 0 {
                    self.values.reserve(32);
                }
                self.values.push((value, source));
                // FACTS < 255, so a position always fits.
                self.index[fact as usize] = self.values.len() as u8;
            }
        }
    }

    fn line_index(&mut self, line: &EvidenceLine) -> usize {
        match self.lines.iter().position(|l| l.line == line.line) {
            Some(i) => i,
            None => {
                self.lines.push(line.clone());
                self.lines.len() - 1
            }
        }
    }

    /// The evidence lines behind the given facts, in line order.
    pub fn evidence(&self, facts: &[Fact]) -> Vec<EvidenceLine> {
        let mut idx: Vec<usize> = facts
            .iter()
            .filter_map(|f| self.slot(*f).and_then(|i| self.values[i].1))
            .collect();
        idx.sort_unstable();
        idx.dedup();
        let mut lines: Vec<EvidenceLine> = idx.into_iter().map(|i| self.lines[i].clone()).collect();
        lines.sort_by_key(|l| l.line);
        lines
    }

    /// Facts that are set, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (Fact, &Value)> {
        Fact::ALL
            .iter()
            .filter_map(|f| self.get(*f).map(|v| (*f, v)))
    }
}

impl Serialize for Facts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (fact, value) in self.iter() {
            map.serialize_entry(fact.name(), value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fact_names_round_trip() {
        for f in Fact::ALL {
            assert_eq!(Fact::from_name(f.name()), Some(*f));
        }
        assert_eq!(Fact::from_name("no.such"), None);
    }

    #[test]
    fn evidence_follows_the_facts_used() {
        let mut facts = Facts::default();
        let a = EvidenceLine {
            line: 9,
            text: "nine".into(),
        };
        let b = EvidenceLine {
            line: 3,
            text: "three".into(),
        };
        facts.set(Fact::ErrorCode, "X", Some(&a));
        facts.set(Fact::HttpStatus, 403i64, Some(&b));
        facts.set(Fact::ErrorMessage, "m", Some(&a));
        let ev = facts.evidence(&[Fact::ErrorCode, Fact::HttpStatus, Fact::ErrorMessage]);
        assert_eq!(ev.iter().map(|l| l.line).collect::<Vec<_>>(), vec![3, 9]);
        assert!(facts.evidence(&[Fact::CliVersion]).is_empty());
    }
}
