//! Part-by-part comparison of canonical requests and strings to sign, with
//! the component named and the usual cause of such a difference.

use std::collections::HashMap;

use serde::Serialize;

use super::{CanonicalRequest, Scope, StringToSign};

/// What the client's signed request is compared against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Against {
    /// The canonical request / string to sign the server says it computed.
    Server,
    /// authsift's rebuild from the request as it was sent.
    Rebuild,
    /// What the server or the endpoint expects (region, clock, token).
    Expected,
    /// The second input of `authsift sigv4 diff`.
    Other,
}

impl Against {
    /// How the client's side is labelled in human output.
    pub fn client_label(self) -> &'static str {
        match self {
            Against::Other => "first",
            _ => "client signed",
        }
    }

    /// How the other side is labelled in human output.
    pub fn label(self) -> &'static str {
        match self {
            Against::Server => "server computed",
            Against::Rebuild => "as sent",
            Against::Expected => "expected",
            Against::Other => "second",
        }
    }
}

/// One part that differs between what the client signed and the other side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// `method`, `path`, `query`, `query:<name>`, `header:<name>`,
    /// `signed-headers`, `payload-hash`, `algorithm`, `timestamp`,
    /// `scope:date|region|service`, `date` (clock), `security-token`.
    pub component: String,
    /// The client's value (`None` when the client's side lacks the part).
    pub client: Option<String>,
    /// The other side's value (the server's, the rebuild's, the expected one).
    pub server: Option<String>,
    /// What the client's side was compared with.
    pub against: Against,
    /// Where the two values start to differ, in characters (both present).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub differs_at: Option<usize>,
    /// What usually causes this kind of difference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Difference {
    /// A difference; where the values start to differ is worked out here.
    pub fn new(
        component: &str,
        client: Option<&str>,
        server: Option<&str>,
        against: Against,
    ) -> Difference {
        let differs_at = match (client, server) {
            (Some(c), Some(s)) => {
                Some(c.chars().zip(s.chars()).take_while(|(a, b)| a == b).count())
            }
            _ => None,
        };
        Difference {
            component: component.to_string(),
            client: client.map(str::to_string),
            server: server.map(str::to_string),
            against,
            differs_at,
            hint: hint(component, client, server, against).map(str::to_string),
        }
    }
}

fn difference(component: &str, client: &str, other: &str, against: Against) -> Option<Difference> {
    (client != other).then(|| Difference::new(component, Some(client), Some(other), against))
}

/// Compares the client's canonical request with the server's, part by part.
pub fn diff_canonical(client: &CanonicalRequest, server: &CanonicalRequest) -> Vec<Difference> {
    diff_canonical_against(client, server, Against::Server)
}

/// Compares two canonical requests part by part: query parameters and
/// headers by name. An empty payload hash on the other side means
/// "unknown" and is not compared, nor is a header whose value either side
/// logged hidden ([`super::is_hidden`]).
pub fn diff_canonical_against(
    client: &CanonicalRequest,
    other: &CanonicalRequest,
    against: Against,
) -> Vec<Difference> {
    let mut out: Vec<Difference> = [
        difference("method", &client.method, &other.method, against),
        difference("path", &client.path, &other.path, against),
    ]
    .into_iter()
    .flatten()
    .collect();
    out.extend(diff_query(&client.query, &other.query, against));
    let mut names: Vec<&str> = client
        .headers
        .iter()
        .chain(&other.headers)
        .map(|(n, _)| n.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    // Each side's headers by name (the first of a repeated name, as
    // `CanonicalRequest::header`), looked up once each: a search per name
    // was quadratic in the number of headers.
    let (client_headers, other_headers) = (headers_by_name(client), headers_by_name(other));
    for name in names {
        let (c, s) = (
            client_headers.get(name).copied(),
            other_headers.get(name).copied(),
        );
        let hidden = c.is_some_and(super::is_hidden) || s.is_some_and(super::is_hidden);
        if c != s && !(hidden && c.is_some() && s.is_some()) {
            out.push(Difference::new(&format!("header:{name}"), c, s, against));
        }
    }
    out.extend(difference(
        "signed-headers",
        &client.signed_headers,
        &other.signed_headers,
        against,
    ));
    if !other.payload_hash.is_empty() {
        out.extend(difference(
            "payload-hash",
            &client.payload_hash,
            &other.payload_hash,
            against,
        ));
    }
    out
}

/// A canonical request's headers by name: the first of a repeated name, as
/// [`CanonicalRequest::header`] finds it.
fn headers_by_name(r: &CanonicalRequest) -> HashMap<&str, &str> {
    let mut map: HashMap<&str, &str> = HashMap::with_capacity(r.headers.len());
    for (n, v) in &r.headers {
        map.entry(n.as_str()).or_insert(v.as_str());
    }
    map
}

/// Query parameters' values by key, in order.
fn values_by_key(pairs: &[(String, String)]) -> HashMap<&str, Vec<&str>> {
    let mut map: HashMap<&str, Vec<&str>> = HashMap::with_capacity(pairs.len());
    for (k, v) in pairs {
        map.entry(k.as_str()).or_default().push(v.as_str());
    }
    map
}

/// Query strings compared parameter by parameter; when every parameter
/// agrees but the strings do not (order, a stray `&`), the whole string.
fn diff_query(client: &str, other: &str, against: Against) -> Vec<Difference> {
    if client == other {
        return Vec::new();
    }
    let pairs = |q: &str| -> Vec<(String, String)> {
        q.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect()
    };
    let (c, o) = (pairs(client), pairs(other));
    let mut keys: Vec<&str> = c.iter().chain(&o).map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    // Each side's values by key, in order, gathered in one pass (a search
    // per key was quadratic in the number of parameters).
    let (c_values, o_values) = (values_by_key(&c), values_by_key(&o));
    let values = |map: &HashMap<&str, Vec<&str>>, key: &str| map.get(key).map(|v| v.join("&"));
    let out: Vec<Difference> = keys
        .into_iter()
        .filter_map(|k| {
            let (cv, ov) = (values(&c_values, k), values(&o_values, k));
            (cv != ov).then(|| {
                Difference::new(&format!("query:{k}"), cv.as_deref(), ov.as_deref(), against)
            })
        })
        .collect();
    if out.is_empty() {
        vec![Difference::new("query", Some(client), Some(other), against)]
    } else {
        out
    }
}

/// Compares the client's string to sign with the server's; the scope part
/// by part (date, region, service), SigV4A scopes included.
pub fn diff_string_to_sign(client: &StringToSign, server: &StringToSign) -> Vec<Difference> {
    diff_string_to_sign_against(client, server, Against::Server)
}

/// Like [`diff_string_to_sign`], against any other side.
pub fn diff_string_to_sign_against(
    client: &StringToSign,
    other: &StringToSign,
    against: Against,
) -> Vec<Difference> {
    let mut out: Vec<Difference> = [
        difference("algorithm", &client.algorithm, &other.algorithm, against),
        difference("timestamp", &client.timestamp, &other.timestamp, against),
    ]
    .into_iter()
    .flatten()
    .collect();
    if client.scope != other.scope {
        match (Scope::parse(&client.scope), Scope::parse(&other.scope)) {
            (Some(c), Some(o)) => {
                let none = String::new();
                let (cr, or) = (
                    c.region.as_ref().unwrap_or(&none),
                    o.region.as_ref().unwrap_or(&none),
                );
                let parts: Vec<Difference> = [
                    difference("scope:date", &c.date, &o.date, against),
                    difference("scope:region", cr, or, against),
                    difference("scope:service", &c.service, &o.service, against),
                ]
                .into_iter()
                .flatten()
                .collect();
                if parts.is_empty() {
                    out.extend(difference("scope", &client.scope, &other.scope, against));
                }
                out.extend(parts);
            }
            _ => out.extend(difference("scope", &client.scope, &other.scope, against)),
        }
    }
    out.extend(difference(
        "canonical-request-hash",
        &client.canonical_request_hash,
        &other.canonical_request_hash,
        against,
    ));
    out
}

/// What usually produces a difference in this component.
fn hint(
    component: &str,
    client: Option<&str>,
    other: Option<&str>,
    against: Against,
) -> Option<&'static str> {
    let both = |f: &dyn Fn(&str) -> bool| client.is_some_and(f) || other.is_some_and(f);
    let plus_vs_space = both(&|v: &str| v.contains('+')) && both(&|v: &str| v.contains("%20"));
    let invisible = both(&|v: &str| v.chars().any(super::show::is_invisible) || v.ends_with(' '));
    Some(match component {
        _ if invisible => {
            "an invisible character (CR, NBSP, zero-width space, trailing space) was signed on one side only"
        }
        "header:host" => {
            "a proxy, load balancer or port mapping changed the Host header, or the client signed for a different endpoint than the one reached"
        }
        "payload-hash" => {
            "the body changed after signing: a proxy re-encoding a form body, compression, or a client hashing a different body"
        }
        "path" => {
            "path encoding: services other than S3 double-encode the path; a proxy or framework normalised or re-encoded it"
        }
        c if c.starts_with("query") && plus_vs_space => {
            "`+` versus `%20` in the query: AWS reads `+` as a space and signs it as `%20`"
        }
        c if c.starts_with("query") => {
            "a query parameter was added, changed or re-encoded after signing"
        }
        "signed-headers" => {
            "a signed header did not reach the server (dropped by a proxy), or was added after signing"
        }
        c if c.starts_with("header:") && against == Against::Rebuild => {
            "the client changed this header after it signed the request"
        }
        c if c.starts_with("header:") => {
            "a proxy or gateway changed, added or dropped this signed header after signing"
        }
        "scope:region" => {
            "the request was signed for another region than the endpoint serves (global services sign for us-east-1)"
        }
        "scope:service" => {
            "the request was signed for another service name than the endpoint's signing name"
        }
        "scope:date" | "timestamp" | "date" => {
            "the client clock, or a date formatted in local time instead of UTC"
        }
        "security-token" => {
            "a temporary (ASIA…) key needs the session token that came with it; a long-term (AKIA…) key must not send one"
        }
        "method" => "a proxy or redirect changed the HTTP method",
        "canonical-request-hash" => {
            "follows from a canonical-request difference, or a canonical request hashed with different bytes than logged"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_diff_names_the_parameter_and_the_plus() {
        let d = diff_query("a=1&prefix=a+b", "a=1&prefix=a%20b", Against::Rebuild);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].component, "query:prefix");
        assert_eq!(d[0].differs_at, Some(1));
        assert!(d[0].hint.as_deref().unwrap().contains("%20"));
        let d = diff_query("b=1&a=1", "a=1&b=1", Against::Server);
        assert_eq!(d[0].component, "query");
    }

    #[test]
    fn sigv4a_scope_diff_is_by_field() {
        let c = StringToSign::parse(
            "AWS4-ECDSA-P256-SHA256\n20260101T000000Z\n20260101/s3/aws4_request\nab",
        )
        .unwrap();
        let s = StringToSign::parse(
            "AWS4-ECDSA-P256-SHA256\n20260101T000000Z\n20260101/sts/aws4_request\nab",
        )
        .unwrap();
        let d = diff_string_to_sign(&c, &s);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].component, "scope:service");
    }

    #[test]
    fn unknown_payload_on_the_other_side_is_not_compared() {
        let c = CanonicalRequest::parse("GET\n/\n\nhost:h\n\nhost\nabc").unwrap();
        let mut o = c.clone();
        o.payload_hash.clear();
        assert!(diff_canonical_against(&c, &o, Against::Rebuild).is_empty());
    }

    /// Comparing by name used to search the other side once per name:
    /// 40k query parameters took 11 s (54 s in a debug build).
    #[test]
    fn many_parameters_and_headers_compare_in_linear_time() {
        let n = 40_000;
        let side = |changed: usize| CanonicalRequest {
            method: "GET".into(),
            path: "/".into(),
            query: (0..n)
                .map(|i| format!("p{i:05}=v{}", if i == changed { 0 } else { i }))
                .collect::<Vec<_>>()
                .join("&"),
            headers: (0..n)
                .map(|i| {
                    (
                        format!("x-h{i:05}"),
                        format!("v{}", if i == changed { 0 } else { i }),
                    )
                })
                .collect(),
            signed_headers: String::new(),
            payload_hash: String::new(),
        };
        let (a, b) = (side(n), side(7));
        let started = std::time::Instant::now();
        let d = diff_canonical(&a, &b);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let parts: Vec<&str> = d.iter().map(|d| d.component.as_str()).collect();
        assert_eq!(parts, ["query:p00007", "header:x-h00007"]);
    }
}
