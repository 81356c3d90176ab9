//! Whether a service is offered in the region of an endpoint host:
//! `route53domains.ap-southeast-2.amazonaws.com` is not (Route 53 Domains
//! has one endpoint, in us-east-1), so a client configured for that region
//! builds a host that does not resolve, and the failure reads like a
//! network problem when the region is the cause.
//!
//! Read from `tables/service_regions.tsv`, generated from botocore's
//! endpoint data by `tools/gen_tables.py`. When in doubt it says nothing:
//! only a host of exactly the form `<prefix>.<region>.<suffix>`, whose
//! prefix the table lists for the region's partition, gets an answer. A
//! bucket's host, S3's dashed and dual-stack forms, FIPS hosts, global
//! hosts (`s3-external-1`, `sts.amazonaws.com`), a region the table does
//! not know, and services that serve every region from one global
//! endpoint (IAM, Route 53) get none.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::context;

/// One row of the table: a service's endpoints in one partition.
struct Service {
    partition: &'static str,
    suffix: &'static str,
    /// `false`: clients send every region to the partition's global
    /// endpoint, so a regional host of it says nothing about the region.
    regionalized: bool,
    /// `None`: every region of the partition.
    regions: Option<HashSet<&'static str>>,
}

#[derive(Default)]
struct Table {
    /// Endpoint prefix → the service's rows, one per partition.
    services: HashMap<&'static str, Vec<Service>>,
    /// Prefix of another host form (`s3-fips`, `s3.dualstack`) → the
    /// partitions that use it: such hosts get no answer.
    other_forms: HashMap<&'static str, Vec<&'static str>>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut table = Table::default();
    let rows = include_str!("tables/service_regions.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty());
    for row in rows {
        let mut cols = row.split('\t');
        let mut col = || cols.next().expect("service_regions.tsv has 7 columns");
        let (prefix, partition, suffix) = (col(), col(), col());
        let (regionalized, _global, regions, forms) = (col(), col(), col(), col());
        table.services.entry(prefix).or_default().push(Service {
            partition,
            suffix,
            regionalized: regionalized == "yes",
            regions: (regions != "*").then(|| regions.split(',').collect()),
        });
        for form in forms.split(',') {
            if let Some(form) = form.strip_suffix(".{region}") {
                table.other_forms.entry(form).or_default().push(partition);
            }
        }
    }
    table
});

/// What the table says about the service of an endpoint host in the
/// region the host names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// The service has an endpoint in that region.
    Offered,
    /// It has none: the host does not exist.
    NotOffered {
        /// The region the host names.
        region: String,
        /// The regions of the same partition that offer it, in name order.
        offered_in: Vec<&'static str>,
    },
}

/// Whether the service of `host` (a host name, or a URL) is offered in the
/// region the host names: not for `https://support.eu-west-1.amazonaws.com/`,
/// yes for `sts.us-east-1.amazonaws.com`; `None` when the host is not of
/// the form `<prefix>.<region>.<suffix>` or the table does not know enough
/// to say.
pub fn offer(host: &str) -> Option<Offer> {
    let host = bare_host(host)?;
    // The region is the first label that names one, after the prefix and
    // before the suffix.
    let (prefix, region, suffix) = host.match_indices('.').find_map(|(dot, _)| {
        let (prefix, rest) = (&host[..dot], &host[dot + 1..]);
        let (region, suffix) = rest.split_once('.')?;
        context::is_region(region).then_some((prefix, region, suffix))
    })?;
    let partition = context::partition(region)?;
    let table = &*TABLE;
    if table
        .other_forms
        .get(prefix)
        .is_some_and(|p| p.contains(&partition))
    {
        return None;
    }
    let service = table
        .services
        .get(prefix)?
        .iter()
        .find(|s| s.partition == partition)?;
    if service.suffix != suffix || !service.regionalized {
        return None;
    }
    match &service.regions {
        Some(regions) if !regions.contains(region) => {
            let mut offered_in: Vec<&'static str> = regions.iter().copied().collect();
            offered_in.sort_unstable();
            Some(Offer::NotOffered {
                region: region.to_string(),
                offered_in,
            })
        }
        _ => Some(Offer::Offered),
    }
}

/// The host of a URL or a bare host (`https://h:443/path` → `h`), in
/// lower case; `None` for text that cannot be a host.
fn bare_host(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.split_once("://").map_or(text, |(_, rest)| rest);
    let host = text.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?.trim_end_matches('.');
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    valid.then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(host: &str) -> Option<bool> {
        offer(host).map(|o| o == Offer::Offered)
    }

    #[test]
    fn a_service_not_offered_names_where_it_is() {
        assert_eq!(
            offer("https://datapipeline.us-west-1.amazonaws.com/"),
            Some(Offer::NotOffered {
                region: "us-west-1".into(),
                offered_in: vec![
                    "ap-northeast-1",
                    "ap-southeast-2",
                    "eu-west-1",
                    "us-east-1",
                    "us-west-2"
                ],
            })
        );
    }

    #[test]
    fn services_offered_in_the_region_of_the_host() {
        assert_eq!(offered("sts.us-east-1.amazonaws.com"), Some(true));
        assert_eq!(offered("https://sts.ap-east-1.amazonaws.com/"), Some(true));
        assert_eq!(
            offered("route53domains.us-east-1.amazonaws.com"),
            Some(true)
        );
        assert_eq!(offered("datapipeline.eu-west-1.amazonaws.com"), Some(true));
        assert_eq!(offered("s3.eu-west-1.amazonaws.com"), Some(true));
        assert_eq!(offered("api.ecr.eu-west-1.amazonaws.com"), Some(true));
        assert_eq!(offered("sts.cn-north-1.amazonaws.com.cn"), Some(true));
        assert_eq!(offered("STS.US-WEST-2.AMAZONAWS.COM:443"), Some(true));
    }

    #[test]
    fn services_not_offered_in_the_region_of_the_host() {
        // aws/aws-cli#1354, aws/aws-sdk-php#1972: Route 53 Domains is only
        // in us-east-1; Data Pipeline in five regions.
        assert_eq!(
            offered("https://route53domains.ap-southeast-2.amazonaws.com/"),
            Some(false)
        );
        assert_eq!(
            offered("route53domains.us-east-2.amazonaws.com"),
            Some(false)
        );
        assert_eq!(
            offered("https://datapipeline.sa-east-1.amazonaws.com/"),
            Some(false)
        );
        assert_eq!(
            offered("datapipeline.us-gov-west-1.amazonaws.com"),
            None,
            "the table does not list it in that partition at all"
        );
    }

    #[test]
    fn global_services_are_offered_in_their_scope_region_only() {
        // Support has one endpoint per partition, support.us-east-1 (its
        // partition endpoint, scoped to us-east-1).
        assert_eq!(offered("support.us-east-1.amazonaws.com"), Some(true));
        assert_eq!(offered("support.eu-west-1.amazonaws.com"), Some(false));
        assert_eq!(
            offered("support.cn-northwest-1.amazonaws.com.cn"),
            Some(false)
        );
        // Not regionalized: clients send every region to the global host.
        assert_eq!(offered("iam.eu-west-1.amazonaws.com"), None);
        assert_eq!(offered("route53.ap-south-1.amazonaws.com"), None);
        // Global hosts name no region.
        assert_eq!(offered("sts.amazonaws.com"), None);
        assert_eq!(offered("iam.amazonaws.com"), None);
    }

    #[test]
    fn unknown_prefixes_regions_and_shapes_get_no_answer() {
        assert_eq!(offered("nosuchservice.us-east-1.amazonaws.com"), None);
        assert_eq!(offered("route53domains.us-east-9.amazonaws.com"), None);
        assert_eq!(offered("route53domains.eu-west-1b.amazonaws.com"), None);
        assert_eq!(offered("route53domains.amazonaws.com"), None);
        assert_eq!(offered("support.eu-west-1.example.com"), None);
        // The suffix of another partition.
        assert_eq!(offered("support.eu-west-1.amazonaws.com.cn"), None);
        assert_eq!(offered("support.cn-north-1.amazonaws.com"), None);
        // A VPC endpoint, a bucket, an API Gateway host.
        assert_eq!(
            offered("vpce-0abc-1234.support.eu-west-1.vpce.amazonaws.com"),
            None
        );
        assert_eq!(offered("support.s3.eu-west-1.amazonaws.com"), None);
        assert_eq!(offered("abc123.execute-api.eu-west-1.amazonaws.com"), None);
        assert_eq!(offered("169.254.169.254"), None);
        assert_eq!(offered(""), None);
        assert_eq!(offered("not a host"), None);
    }

    #[test]
    fn s3_dualstack_fips_and_dashed_forms_get_no_answer() {
        assert_eq!(offered("s3.dualstack.eu-west-1.amazonaws.com"), None);
        assert_eq!(offered("s3-fips.us-east-1.amazonaws.com"), None);
        assert_eq!(offered("s3-fips.dualstack.us-east-2.amazonaws.com"), None);
        assert_eq!(offered("sts-fips.eu-west-1.amazonaws.com"), None);
        assert_eq!(offered("s3-external-1.amazonaws.com"), None);
        assert_eq!(offered("s3-eu-west-1.amazonaws.com"), None);
        assert_eq!(offered("mybucket.s3-eu-west-1.amazonaws.com"), None);
        assert_eq!(offered("mybucket.s3.eu-west-1.amazonaws.com"), None);
        assert_eq!(offered("mybucket.s3.amazonaws.com"), None);
        assert_eq!(
            offered("s3-website-us-east-1.amazonaws.com"),
            None,
            "S3 websites"
        );
        assert_eq!(offered("mybucket.s3-website.eu-west-1.amazonaws.com"), None);
    }
}
