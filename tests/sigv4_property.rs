//! Property: requests signed by the `aws-sigv4` crate verify under
//! authsift's rebuild with the same secret, and one changed byte in any
//! signed part is detected (the signature no longer verifies) and located
//! (the diff against the signed canonical request names that part first).

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use proptest::prelude::*;

use authsift::model::HttpRequest;
use authsift::sigv4::canonical::{RebuildOptions, Rebuilt, encode, rebuild};
use authsift::sigv4::diff::{Against, diff_canonical_against};
use authsift::sigv4::verify::{Secret, verifies};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    service: &'static str,
    region: &'static str,
    presigned: bool,
    segments: Vec<String>,
    query: Vec<(String, String, bool)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    token: Option<String>,
    time: u64,
    mutation: Mutation,
}

/// Which signed part gets one byte changed, and where (an index reduced
/// modulo the part's alphanumeric characters).
#[derive(Debug, Clone, Copy)]
enum Mutation {
    Method,
    Path(usize),
    QueryValue(usize),
    HeaderValue(usize),
    Payload(usize),
    Date,
}

fn text(max: usize) -> impl Strategy<Value = String> {
    // A leading alphanumeric guarantees a byte whose change is visible in
    // the canonical form; the rest includes characters that need encoding.
    (
        "[a-zA-Z0-9]",
        proptest::collection::vec(
            prop_oneof![
                6 => "[a-zA-Z0-9]",
                1 => "[-._~ :@+=,;!*'()$]",
                1 => Just("é".to_string()),
            ],
            0..max,
        ),
    )
        .prop_map(|(first, rest)| format!("{first}{}", rest.concat()))
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just("GET"), Just("PUT"), Just("POST"), Just("DELETE")],
        prop_oneof![Just("s3"), Just("sts"), Just("execute-api")],
        prop_oneof![Just("us-east-1"), Just("eu-west-1"), Just("ap-southeast-2")],
        any::<bool>(),
        proptest::collection::vec(text(6), 1..4),
        proptest::collection::vec((text(5), text(6), any::<bool>()), 1..4),
        proptest::collection::btree_map("[a-z]{1,6}", "[a-zA-Z0-9][ -~]{0,12}", 1..3),
        proptest::collection::vec(any::<u8>(), 1..24),
        proptest::option::of("[A-Za-z0-9]{16}"),
        1_500_000_000u64..1_900_000_000,
        prop_oneof![
            Just(Mutation::Method),
            any::<usize>().prop_map(Mutation::Path),
            any::<usize>().prop_map(Mutation::QueryValue),
            any::<usize>().prop_map(Mutation::HeaderValue),
            any::<usize>().prop_map(Mutation::Payload),
            Just(Mutation::Date),
        ],
    )
        .prop_map(
            |(
                method,
                service,
                region,
                presigned,
                segments,
                query,
                headers,
                body,
                token,
                time,
                mutation,
            )| Case {
                method,
                service,
                region,
                presigned,
                segments,
                query,
                headers: headers
                    .into_iter()
                    .map(|(k, v)| (format!("x-amz-meta-{k}"), v))
                    .collect(),
                body,
                token,
                time,
                mutation,
            },
        )
}

impl Case {
    fn s3(&self) -> bool {
        self.service == "s3"
    }

    /// The URL as a client sends it: path segments and query encoded, a
    /// space in the query sometimes written `+`.
    fn url(&self) -> String {
        let path: Vec<String> = self
            .segments
            .iter()
            .map(|s| encode(s.as_bytes(), false))
            .collect();
        let query: Vec<String> = self
            .query
            .iter()
            .map(|(k, v, plus)| {
                let v = encode(v.as_bytes(), false);
                let v = if *plus { v.replace("%20", "+") } else { v };
                format!("{}={v}", encode(k.as_bytes(), false))
            })
            .collect();
        format!(
            "https://example.{}.amazonaws.com/{}?{}",
            self.region,
            path.join("/"),
            query.join("&")
        )
    }
}

/// Signs with the `aws-sigv4` crate and returns the request as sent.
fn signed(case: &Case) -> HttpRequest {
    let credentials = Credentials::new("AKIDEXAMPLE", SECRET, case.token.clone(), None, "test");
    let identity: Identity = credentials.into();
    let mut settings = SigningSettings::default();
    if case.s3() {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if case.presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(900));
        settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(case.region)
        .name(case.service)
        .time(SystemTime::UNIX_EPOCH + Duration::from_secs(case.time))
        .settings(settings)
        .build()
        .expect("signing params")
        .into();
    let url = case.url();
    let body = if case.presigned && case.s3() {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(&case.body)
    };
    let request = SignableRequest::new(
        case.method,
        url.as_str(),
        case.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    )
    .expect("signable request");
    let (instructions, _signature) = sign(request, &params).expect("signs").into_parts();
    let (headers, params) = instructions.into_parts();
    let mut sent = HttpRequest {
        method: case.method.to_string(),
        url,
        headers: case.headers.clone(),
        line: None,
    };
    for h in headers {
        sent.headers
            .push((h.name().to_string(), h.value().to_string()));
    }
    for (name, value) in params {
        sent.url
            .push_str(&format!("&{name}={}", encode(value.as_bytes(), false)));
    }
    sent
}

fn verified(rebuilt: &Rebuilt) -> bool {
    let sts = rebuilt.string_to_sign.as_ref().expect("payload known");
    verifies(
        &Secret::new(SECRET),
        sts,
        &rebuilt.signing.authorization.signature,
    )
    .expect("HMAC")
}

/// Changes one alphanumeric character of `s` (the `n`-th, modulo) to
/// another; `None` when there is none.
fn change_one(s: &str, n: usize) -> Option<String> {
    let positions: Vec<usize> = s
        .char_indices()
        .filter(|(_, c)| c.is_ascii_alphanumeric())
        .map(|(i, _)| i)
        .collect();
    let at = *positions.get(n % positions.len().max(1))?;
    let old = s.as_bytes()[at];
    let new = if old == b'a' { b'b' } else { b'a' };
    let mut bytes = s.as_bytes().to_vec();
    bytes[at] = new;
    String::from_utf8(bytes).ok()
}

/// Applies the mutation; returns the changed request and body, and the
/// component the diff must name first.
fn mutate(case: &Case, sent: &HttpRequest) -> (HttpRequest, Vec<u8>, String) {
    let mut req = sent.clone();
    let mut body = case.body.clone();
    let header_value = |req: &mut HttpRequest, name: &str, n: usize| {
        let h = req
            .headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .expect("header present");
        h.1 = change_one(&h.1, n).expect("alphanumeric value");
    };
    let component = match case.mutation {
        Mutation::Method => {
            req.method = if req.method == "GET" { "HEAD" } else { "GET" }.to_string();
            "method".to_string()
        }
        Mutation::Path(n) => {
            let (base, rest) = req.url.split_once(".com/").unwrap();
            let (path, query) = rest.split_once('?').unwrap();
            req.url = format!("{base}.com/{}?{query}", change_one(path, n).unwrap());
            "path".to_string()
        }
        Mutation::QueryValue(n) => {
            let (k, v, _) = &case.query[n % case.query.len()];
            let key = encode(k.as_bytes(), false);
            let (base, query) = req.url.split_once('?').unwrap();
            let pairs: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    // Change the value, not its escapes (`%2A` → `%2a` is
                    // the same character).
                    Some((pk, _)) if pk == key => format!(
                        "{pk}={}",
                        encode(
                            change_one(v, n).expect("value has a letter").as_bytes(),
                            false
                        )
                    ),
                    _ => p.to_string(),
                })
                .collect();
            req.url = format!("{base}?{}", pairs.join("&"));
            format!("query:{key}")
        }
        Mutation::HeaderValue(n) => {
            let (name, _) = &case.headers[n % case.headers.len()];
            header_value(&mut req, name, n);
            format!("header:{name}")
        }
        Mutation::Payload(n) if case.s3() && !case.presigned => {
            // S3 sends the payload hash as a signed header.
            header_value(&mut req, "x-amz-content-sha256", n);
            "header:x-amz-content-sha256".to_string()
        }
        Mutation::Payload(n) if !case.s3() => {
            let i = n % body.len();
            body[i] ^= 1;
            "payload-hash".to_string()
        }
        // A presigned S3 URL signs no payload: change the date instead.
        Mutation::Payload(_) | Mutation::Date if case.presigned => {
            let (base, query) = req.url.split_once('?').unwrap();
            let pairs: Vec<String> = query
                .split('&')
                .map(|p| match p.strip_prefix("X-Amz-Date=") {
                    Some(d) => format!("X-Amz-Date={}", change_one(d, 0).unwrap()),
                    None => p.to_string(),
                })
                .collect();
            req.url = format!("{base}?{}", pairs.join("&"));
            "query:X-Amz-Date".to_string()
        }
        Mutation::Payload(_) | Mutation::Date => {
            header_value(&mut req, "x-amz-date", 0);
            "header:x-amz-date".to_string()
        }
    };
    (req, body, component)
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let sent = signed(case);
    let options = RebuildOptions::default();
    let rebuilt = rebuild(&sent, Some(&case.body), &options)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(
        verified(&rebuilt),
        "signature does not verify; canonical request:\n{}",
        rebuilt.canonical.text()
    );
    let (changed, body, component) = mutate(case, &sent);
    let again =
        rebuild(&changed, Some(&body), &options).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(!verified(&again), "a changed {component} still verifies");
    let diff = diff_canonical_against(&rebuilt.canonical, &again.canonical, Against::Rebuild);
    prop_assert_eq!(
        diff.first().map(|d| d.component.as_str()),
        Some(component.as_str()),
        "diff: {:?}",
        diff
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn signed_requests_verify_and_one_changed_byte_is_located(case in case()) {
        check(&case)?;
    }
}
