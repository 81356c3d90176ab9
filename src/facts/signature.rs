//! What the signed request shows: the credential scope against the
//! endpoint, the key and its session token, values the log masked, the
//! client's canonical request against a rebuild of the request as sent,
//! and the values the server or the endpoint expected.

use crate::model::{EvidenceLine, Exchange};
use crate::sigv4::canonical::{self, PayloadSource, RebuildOptions};
use crate::sigv4::verify::{self, Secret};
use crate::sigv4::{self, Against, Authorization, CanonicalRequest, Difference, StringToSign};

use super::{Fact, Facts};

/// The values of `credential.key_type`: what [`sigv4::key_type`] makes of
/// an access key id.
pub(super) const KEY_TYPES: &[&str] = &["long-term", "temporary", "unique-id", "masked", "unknown"];

/// The values a log can show masked (`log.masked`), as [`masked_values`]
/// names them, in its order.
pub(super) const MASKABLE: &[&str] = &["access_key_id", "signature", "security_token"];

/// Where the payload hash of a rebuilt request came from
/// (`signature.payload_source`), as [`add_rebuild_facts`] names it.
pub(super) const PAYLOAD_SOURCES: &[&str] = &["header", "presigned-s3", "body", "unknown"];

/// The parts of a signed request a difference can name
/// (`signature.component`): those of [`sigv4::diff`] and of
/// [`expected_differences`]. `query:` and `header:` are families
/// (`header:host`).
pub(super) const COMPONENTS: &[&str] = &[
    "method",
    "path",
    "query",
    "query:",
    "header:",
    "signed-headers",
    "payload-hash",
    "algorithm",
    "timestamp",
    "scope",
    "scope:date",
    "scope:region",
    "scope:service",
    "canonical-request-hash",
    "date",
    "security-token",
];

/// Codes with which AWS says the signature itself did not verify: the
/// shipped rules' list `signature_failure_codes`.
pub fn signature_failure_codes() -> &'static [&'static str] {
    crate::shipped::list("signature_failure_codes")
}

pub(super) fn add_scope_facts(
    facts: &mut Facts,
    request: &crate::model::HttpRequest,
    auth: &Authorization,
    token: bool,
    line: Option<&EvidenceLine>,
) {
    facts.set(Fact::SignatureSigv4a, auth.is_sigv4a(), line);
    facts.set(Fact::RequestScopeDate, auth.scope.date.as_str(), line);
    if let Some(date) = request.header("X-Amz-Date") {
        let day = date.get(..8).unwrap_or(date);
        facts.set(Fact::SignatureScopeDateMatch, auth.scope.date == day, line);
    }
    if let (Some(endpoint), Some(region)) = (
        facts.str(Fact::RequestEndpointRegion).map(str::to_string),
        &auth.scope.region,
    ) {
        facts.set(Fact::SignatureScopeRegionMatch, *region == endpoint, line);
    }
    // Only an AWS host names its service; a custom endpoint (emulator,
    // proxy) says nothing, and then neither does this fact.
    if let Some(service) = host_of(&request.url).and_then(sigv4::service_from_host) {
        facts.set(Fact::RequestEndpointService, service.as_str(), line);
        facts.set(
            Fact::SignatureScopeServiceMatch,
            auth.scope.service == service,
            line,
        );
    }
    match sigv4::key_type(&auth.access_key_id) {
        "temporary" => facts.set(Fact::CredentialTokenConsistent, token, line),
        "long-term" => facts.set(Fact::CredentialTokenConsistent, !token, line),
        _ => {}
    }
}

/// Values of the signed request that the log shows masked (GitHub Actions
/// prints registered secrets as `***`; Terraform masks key ids to their
/// first and last four characters, signatures and tokens entirely).
pub(super) fn masked_values(
    request: &crate::model::HttpRequest,
    auth: &Authorization,
) -> Vec<&'static str> {
    let is_mask = |v: &str| v.contains("***");
    let mut out = Vec::new();
    if auth.access_key_id.contains('*') {
        out.push("access_key_id");
    }
    if is_mask(&auth.signature) {
        out.push("signature");
    }
    if request.header("X-Amz-Security-Token").is_some_and(is_mask) {
        out.push("security_token");
    }
    out
}

/// Key and scope from the signing parameters a client logged, for logs
/// whose `Authorization` header is redacted (the AWS SDK for Rust): the
/// same key id, and the region and service the scope was built from.
pub(super) fn add_signing_key_facts(facts: &mut Facts, x: &Exchange) {
    let Some((id, line)) = &x.signing_key else {
        return;
    };
    let line = Some(line);
    facts.set(Fact::CredentialAccessKeyId, id.as_str(), line);
    facts.set(Fact::CredentialKeyType, sigv4::key_type(id), line);
    if let Some(problem) = key_id_problem(id) {
        facts.set(Fact::CredentialKeyIdProblem, problem, line);
    }
    if let (Some(service), false) = (&x.signing_name, facts.has(Fact::RequestService)) {
        facts.set(Fact::RequestService, service.as_str(), line);
    }
    if let (Some(region), false) = (&x.signing_region, facts.has(Fact::RequestRegion)) {
        facts.set(Fact::RequestRegion, region.as_str(), line);
    }
}

/// Parts of a logged canonical request the log hid, which no comparison
/// can check: said as a fact rather than reported as a difference.
pub(super) fn add_hidden_facts(
    facts: &mut Facts,
    logged: &CanonicalRequest,
    line: Option<&EvidenceLine>,
) {
    let hidden = logged.hidden_parts();
    if !hidden.is_empty() && !facts.has(Fact::SignatureUnchecked) {
        facts.set(Fact::SignatureUnchecked, hidden.join(", "), line);
    }
}

/// Whether the user's secret reproduces the signature the client logged.
pub(super) fn add_secret_facts(
    facts: &mut Facts,
    x: &Exchange,
    auth: &Authorization,
    secret: &Secret,
    line: Option<&EvidenceLine>,
) {
    let Some(sts) = x
        .string_to_sign
        .as_ref()
        .and_then(|l| StringToSign::parse(&l.text))
    else {
        return;
    };
    let logged = x
        .signature
        .as_ref()
        .map_or(auth.signature.as_str(), |s| s.text.trim());
    if let Ok(verified) = verify::verifies(secret, &sts, logged) {
        facts.set(Fact::SignatureSecretVerified, verified, line);
    }
}

/// The client's logged canonical request against authsift's rebuild from
/// the request as sent, and the logged hash against the string to sign.
pub(super) fn add_rebuild_facts(
    facts: &mut Facts,
    x: &Exchange,
    request: &crate::model::HttpRequest,
    diff: &mut Vec<Difference>,
) {
    let logged_cr = x.canonical_request.as_ref();
    let evidence = logged_cr.map(|l| EvidenceLine {
        line: l.span.line,
        text: "CanonicalRequest:".into(),
    });
    let logged = logged_cr.and_then(|l| CanonicalRequest::parse(&l.text));
    // A redacted canonical request does not hash to what was signed.
    let complete = logged.as_ref().is_some_and(|l| l.hidden_parts().is_empty());
    if let (Some(cr), Some(sts), true) = (
        logged_cr,
        x.string_to_sign
            .as_ref()
            .and_then(|l| StringToSign::parse(&l.text)),
        complete,
    ) {
        let hash = canonical::sha256_hex(cr.text.as_bytes());
        facts.set(
            Fact::SignatureLoggedHashMatch,
            hash == sts.canonical_request_hash,
            evidence.as_ref(),
        );
    }
    // botocore does not keep query-protocol bodies in the model: the
    // payload line stays unknown rather than guessed.
    let Ok(rebuilt) = canonical::rebuild(request, None, &RebuildOptions::default()) else {
        return;
    };
    let source = match rebuilt.payload {
        PayloadSource::Header => "header",
        PayloadSource::PresignedS3 => "presigned-s3",
        PayloadSource::Body => "body",
        PayloadSource::Unknown => "unknown",
    };
    facts.set(Fact::SignaturePayloadSource, source, request.line.as_ref());
    if let Some(logged) = logged {
        add_hidden_facts(facts, &logged, evidence.as_ref());
        let d = sigv4::diff::diff_canonical_against(&logged, &rebuilt.canonical, Against::Rebuild);
        facts.set(Fact::SignatureRebuildMatch, d.is_empty(), evidence.as_ref());
        diff.extend(d);
    }
}

/// Differences between what was signed and what the server or the
/// endpoint expected, from facts already established.
pub(super) fn expected_differences(facts: &Facts) -> Vec<Difference> {
    let mut out = Vec::new();
    let expected = |component: &str, client: Option<&str>, other: Option<&str>| {
        Difference::new(component, client, other, Against::Expected)
    };
    let region = facts.str(Fact::RequestRegion);
    let expected_region = facts.str(Fact::ResponseExpectedRegion).or_else(|| {
        (facts.bool(Fact::SignatureScopeRegionMatch) == Some(false))
            .then(|| facts.str(Fact::RequestEndpointRegion))
            .flatten()
    });
    let region_rejected = facts.str(Fact::ErrorMessage).is_some_and(|m| {
        m.contains("scoped to a valid region") || m.contains("must be scoped to a valid region")
    });
    if let (Some(r), Some(e)) = (region, expected_region) {
        if r != e {
            out.push(expected("scope:region", Some(r), Some(e)));
        }
    } else if region_rejected && region.is_some() {
        out.push(expected("scope:region", region, None));
    }
    if facts.bool(Fact::SignatureScopeDateMatch) == Some(false) {
        let day = facts.str(Fact::RequestAmzDate).and_then(|d| d.get(..8));
        out.push(expected(
            "scope:date",
            facts.str(Fact::RequestScopeDate),
            day,
        ));
    }
    if facts.bool(Fact::SignatureScopeServiceMatch) == Some(false) {
        out.push(expected(
            "scope:service",
            facts.str(Fact::RequestService),
            facts.str(Fact::RequestEndpointService),
        ));
    }
    if let Some(skew) = facts.int(Fact::ClockSkewSeconds) {
        let window = facts.int(Fact::ClockAllowedSkewSeconds).unwrap_or(300);
        if skew.abs() > window {
            out.push(expected(
                "date",
                facts.str(Fact::RequestAmzDate),
                facts.str(Fact::ResponseServerTime),
            ));
        }
    }
    if facts.bool(Fact::CredentialTokenConsistent) == Some(false) {
        let temporary = facts.str(Fact::CredentialKeyType) == Some("temporary");
        let (sent, wanted) = if temporary {
            (
                "not sent",
                "sent: a temporary (ASIA…) key needs its session token",
            )
        } else {
            (
                "sent",
                "not sent: a long-term (AKIA…) key takes no session token",
            )
        };
        out.push(expected("security-token", Some(sent), Some(wanted)));
    }
    out
}

/// Key ids are upper-case letters and digits; anything else (a pasted
/// zero-width space, a quote, a trailing `\r`) breaks every request.
pub(super) fn key_id_problem(id: &str) -> Option<String> {
    let (i, c) = id
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '*'))?;
    let shown = if c.is_ascii_graphic() {
        format!("`{c}`")
    } else {
        format!("U+{:04X}", c as u32)
    };
    Some(format!("{shown} at position {}", i + 1))
}

pub(super) fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = &rest[..end];
    Some(host.rsplit_once('@').map_or(host, |(_, h)| h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_values_are_named() {
        // Terraform's shape: key id cut to four and four, signature and token hidden.
        let request = crate::model::HttpRequest {
            method: "POST".into(),
            url: "https://sts.us-west-2.amazonaws.com/".into(),
            headers: vec![
                (
                    "Authorization".into(),
                    "AWS4-HMAC-SHA256 Credential=ASIA************KT4B/20231110/us-west-2/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=*****".into(),
                ),
                ("X-Amz-Security-Token".into(), "*****".into()),
            ],
            line: None,
        };
        let auth = Authorization::parse(request.header("Authorization").unwrap()).unwrap();
        assert_eq!(
            masked_values(&request, &auth),
            ["access_key_id", "signature", "security_token"]
        );
    }

    #[test]
    fn key_id_problems_name_the_character() {
        assert_eq!(key_id_problem("AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(
            key_id_problem("AKIARZPUZD\u{200b}IKERYDEXJC").as_deref(),
            Some("U+200B at position 11")
        );
        assert_eq!(
            key_id_problem("ASIA************KT4B"),
            None,
            "masked ids are not malformed"
        );
    }

    #[test]
    fn host_is_taken_from_url() {
        assert_eq!(
            host_of("https://b.s3.amazonaws.com/k?x=1"),
            Some("b.s3.amazonaws.com")
        );
        assert_eq!(host_of("http://127.0.0.1:9"), Some("127.0.0.1:9"));
        assert_eq!(host_of("not a url"), None);
    }

    #[test]
    fn key_types_are_what_sigv4_makes_of_key_ids() {
        let ids = [
            "AKIAIOSFODNN7EXAMPLE",
            "ASIAIOSFODNN7EXAMPLE",
            "AROAIOSFODNN7EXAMPLE",
            "****************KT4B",
            "XKIAIOSFODNN7EXAMPLE",
            "",
        ];
        let mut made: Vec<&str> = ids.iter().map(|id| sigv4::key_type(id)).collect();
        made.sort_unstable();
        made.dedup();
        let mut declared = KEY_TYPES.to_vec();
        declared.sort_unstable();
        assert_eq!(made, declared);
    }

    #[test]
    fn every_component_a_difference_names_is_declared() {
        let domain = super::super::table::Domain::OneOf(COMPONENTS);
        let cr = |text: &str| CanonicalRequest::parse(text).unwrap();
        let sts = |text: &str| StringToSign::parse(text).unwrap();
        let mut names: Vec<String> = Vec::new();
        for d in sigv4::diff_canonical(
            &cr("GET\n/a\nx=1\nhost:a\n\nhost\nabc"),
            &cr("PUT\n/b\nx=2\nhost:b\n\nhost;x\ndef"),
        )
        .into_iter()
        .chain(sigv4::diff_canonical(
            &cr("GET\n/\na=1&b=2\nhost:a\n\nhost\nabc"),
            &cr("GET\n/\nb=2&a=1\nhost:a\n\nhost\nabc"),
        ))
        .chain(sigv4::diff_string_to_sign(
            &sts("AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/s3/aws4_request\nab"),
            &sts(
                "AWS4-ECDSA-P256-SHA256\n20240102T000000Z\n20240102/eu-west-1/sts/aws4_request\ncd",
            ),
        ))
        .chain(sigv4::diff_string_to_sign(
            &sts("AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/s3/aws4_request\nab"),
            &sts("AWS4-HMAC-SHA256\n20240101T000000Z\nnot a scope\nab"),
        )) {
            names.push(d.component);
        }
        let mut facts = Facts::default();
        facts.set(Fact::RequestRegion, "us-east-1", None);
        facts.set(Fact::ResponseExpectedRegion, "eu-west-1", None);
        facts.set(Fact::SignatureScopeDateMatch, false, None);
        facts.set(Fact::SignatureScopeServiceMatch, false, None);
        facts.set(Fact::ClockSkewSeconds, 4000i64, None);
        facts.set(Fact::CredentialTokenConsistent, false, None);
        names.extend(
            expected_differences(&facts)
                .into_iter()
                .map(|d| d.component),
        );
        for name in &names {
            assert!(domain.admits(name), "{name} is not in COMPONENTS");
        }
        for declared in COMPONENTS {
            assert!(
                names
                    .iter()
                    .any(|n| n == declared || declared.ends_with(':') && n.starts_with(declared)),
                "{declared} is never made"
            );
        }
    }
}
