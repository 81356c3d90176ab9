//! What a pasted text says around its failures ([`TextContext`]): the
//! region it uses, a proxy in the path, a request path that clients encode
//! differently, environment credentials beside a named profile, a
//! temporary key. These decided the diagnosis in many a user's thread; the
//! rules weigh them against the failure.
//!
//! Regions are checked against `tables/regions.tsv` (generated from
//! botocore's endpoint data by `tools/gen_tables.py`).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::env_vars;
use crate::model::{EvidenceLine, TextContext};

/// Region → the partition it belongs to.
static REGIONS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("tables/regions.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split_once('\t'))
        .collect()
});

/// The regions of the `aws` partition enabled in every account. Regions
/// introduced after 20 March 2019 must be enabled first (opt-in), and
/// version-1 session tokens from the global STS endpoint are not valid in
/// them (AWS Account Management guide, "Specify which AWS Regions your
/// account can use").
const ENABLED_BY_DEFAULT: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "sa-east-1",
];

/// Whether AWS has a region of this name.
pub fn is_region(name: &str) -> bool {
    REGIONS.contains_key(name)
}

/// The regions of a partition (`aws`, `aws-cn`, …), in name order.
pub fn regions_of(partition: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = REGIONS
        .iter()
        .filter(|(_, p)| **p == partition)
        .map(|(r, _)| *r)
        .collect();
    out.sort_unstable();
    out
}

/// The partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`, …).
pub fn partition(region: &str) -> Option<&'static str> {
    REGIONS.get(region).copied()
}

/// Whether a region is one an account must opt in to.
pub fn is_opt_in(name: &str) -> bool {
    is_region(name)
        && !ENABLED_BY_DEFAULT.contains(&name)
        && !name.starts_with("us-gov-")
        && !name.starts_with("cn-")
        && !name.starts_with("us-iso")
        && !name.starts_with("eu-isoe")
}

/// Where a text names the region it uses: the `--region` flag, the
/// environment, a config line, an endpoint host, a credential scope. The
/// name is captured loosely (a user's `us_east_1` or `eu-west-1b` is what
/// must be caught); [`looks_like_region`] decides.
static REGION_USE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?:--region[= ]|AWS_(?:DEFAULT_)?REGION[=:] ?|\bregion ?[:=] ?["']?)(?P<flag>[a-z0-9_-]{4,30})"#,
        r"|[a-z0-9-]+\.(?P<host>[a-z]{2}[a-z0-9_-]{2,28})\.amazonaws\.com",
        r"|[0-9]{8}/(?P<scope>[a-z]{2}[a-z0-9_-]{2,28})/[a-z0-9-]+/aws4_request",
    ))
    .expect("valid regex")
});

/// The region a client named when it refused one: as printed
/// (`us-east-2`), or the .NET SDK's field name for it (`CNNorthWest1`,
/// `APSoutheast2`). Only a name shaped like a region is one.
pub fn region_named_by_client(name: &str) -> Option<String> {
    if name.contains('-') {
        return looks_like_region(name).then(|| name.to_string());
    }
    let lower = name.to_ascii_lowercase();
    let digits = lower.trim_start_matches(|c: char| !c.is_ascii_digit());
    let letters = &lower[..lower.len() - digits.len()];
    if letters.len() < 4 || digits.is_empty() || !letters.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let region = format!("{}-{}-{digits}", &letters[..2], &letters[2..]);
    looks_like_region(&region).then_some(region)
}

/// A name that is meant as a region: a region prefix, then a direction.
fn looks_like_region(name: &str) -> bool {
    const PREFIXES: &[&str] = &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"];
    let mut parts = name.split(['-', '_']);
    let prefix = parts.next().unwrap_or_default();
    PREFIXES.contains(&prefix)
        && parts.next().is_some_and(|p| {
            [
                "east",
                "west",
                "north",
                "south",
                "central",
                "northeast",
                "northwest",
                "southeast",
                "southwest",
                "gov",
                "iso",
                "isob",
            ]
            .iter()
            .any(|d| p.starts_with(d))
        })
}

/// A word shaped like a region name (`cn-north-1`, `us-gov-west-1`,
/// `us-isob-east-1`); the region table decides whether it is one.
static REGION_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[a-z]{2}(?:-[a-z]+)+-[0-9]\b").expect("valid regex"));

static PROXY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?_proxy|all_proxy)\s*[=:]\s*\S|^(?:\s*'?)via'?:\s*(?P<via>[^\n]*)|x-forwarded-for\s*:")
        .expect("valid regex")
});

/// A request path whose bytes clients encode differently: an encoded
/// tilde (SigV4 leaves `~` bare), a space, `+`, an encoded `+`, a doubled
/// slash. Read from request lines (`GET /path`) and canonical requests
/// (the method alone on a line, the path on the next).
static ODD_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:GET|PUT|POST|HEAD|DELETE)\s+)?/\S*(?:%7E|%7e|%20|\+|%2B|%2b|//)")
        .expect("valid regex")
});

fn is_method(line: &str) -> bool {
    matches!(line.trim(), "GET" | "PUT" | "POST" | "HEAD" | "DELETE")
}

/// MFA in play: its settings and options in every client (`mfa_serial`,
/// the CLI's and STS's `--serial-number`/`--token-code`, `--mfa-token`
/// of the role tools), IAM's MFA condition keys, or MFA named as a word.
static MFA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:mfa_serial|--mfa|--serial-number|--token-code|MultiFactorAuth)|\bMFA\b")
        .expect("valid regex")
});

/// A profile named in any of the ways clients take one: the environment
/// (`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`), the CLI's `--profile`, a
/// setting in a tool's configuration (Terraform's `profile = "x"`,
/// Serverless' `profile: x`, boto3's `profile_name=`, the JS SDK's
/// `profile:`), PowerShell's `-ProfileName`, Go's
/// `WithSharedConfigProfile("x")`.
static PROFILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:AWS_(?:DEFAULT_)?PROFILE[=:] ?|--profile[= ]|\bprofile(?:_name|Name)?\s*[=:]\s*|-ProfileName\s+|WithSharedConfigProfile\()["']?(?P<name>[A-Za-z0-9_.@-]+)"#,
    )
    .expect("valid regex")
});

/// What only S3 (and stores that speak its API) prints: its exception
/// classes (Java v1 and v2, botocore's transfer manager, Alpakka, Go
/// v2), the service name Java prints, the extended request id (`host id`,
/// S3's `x-amz-id-2`), the parts of its `SignatureDoesNotMatch` body and
/// its wording of that error ("Check your key and signing method"; the
/// query and JSON services say "Check your AWS Secret Access Key and
/// signing method. Consult the service documentation…"), an S3 endpoint.
static S3: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:Amazon)?S3(?:Service)?Exception\b|\bS3UploadFailedError\b|\bS3DownloadFailedError\b",
        r"|Service: (?:Amazon )?S3\b|operation error S3:",
        r"|(?i:host ?id)[:=]|<HostId>|Extended Request ID:",
        r"|<StringToSign(?:Bytes)?>|<CanonicalRequest>|<BucketName>|Check your key and signing method",
        r"|[./]s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com|//s3\.amazonaws\.com",
    ))
    .expect("valid regex")
});

/// Rows of `aws configure list`: where the access key came from (`env`
/// beside a named profile is the classic override) and the profile chosen.
static CONFIGURE_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:access_key\s+\S+\s+(?P<env>env)\b|profile\s+(?P<profile>[A-Za-z0-9_.@-]+)\s+(?:manual|env)\s)")
        .expect("valid regex")
});

static TEMPORARY_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bASIA[A-Z0-9]{12,}\b").expect("valid regex"));

/// Tools whose whole job is to run a command, or fill a profile, with
/// temporary STS credentials (each one's README: aws-vault uses
/// GetSessionToken or AssumeRole unless `--no-session`; saml2aws,
/// aws-okta, gimme-aws-creds, okta-aws-cli, aws-azure-login and
/// aws-google-auth call AssumeRoleWithSAML; awsume assumes roles or gets
/// session tokens). Named where a command starts (after a prompt, `run:`
/// or a list dash) or as its error prefix.
static TEMPORARY_TOOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*(?:[$#%>]\s*|run:\s*|-\s+)?(?:\S*/)?(?:aws-vault|saml2aws|awsume|aws-okta",
        r"|gimme-aws-creds|okta-aws-cli|aws-azure-login|aws-google-auth)(?::|\s|$)",
    ))
    .expect("valid regex")
});

/// Where a text shows its client runs on AWS compute, where the metadata
/// service is the intended source of credentials: EC2's own host names
/// (`ip-10-0-1-23`, as a prompt or a `*.compute.internal` /
/// `ec2.internal` name; EC2 User Guide, "Amazon EC2 instance hostname
/// types"), the default user of Amazon Linux at its prompt, the instance
/// metadata options that only matter there (`HttpPutResponseHopLimit`,
/// `HttpTokens`, the CLI's `--http-put-response-hop-limit`), cloud-init,
/// a Kubernetes pod (the service account mount, `KUBERNETES_SERVICE_HOST`,
/// EKS's role annotation) or an ECS task (its metadata variables).
static AWS_COMPUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:^|[@\s\[(/])ip-[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,3}\b",
        r"|\.compute\.internal\b|\bec2\.internal\b|\bec2-user@",
        r"|(?i:http-?put-?response-?hop-?limit|\bhttp-?tokens\b)",
        r"|\bcloud-init\b|/var/run/secrets/kubernetes\.io|\bKUBERNETES_SERVICE_HOST\b",
        r"|eks\.amazonaws\.com/role-arn|\bECS_CONTAINER_METADATA_URI",
    ))
    .expect("valid regex")
});

/// An ECR login token asked for a region: ECR's tokens are valid only for
/// the registries of that region (ECR User Guide, "Private registry
/// authentication").
static ECR_LOGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\becr get-login(?:-password)?\b.*?--region[= ]+(?P<region>[a-z0-9-]+)")
        .expect("valid regex")
});

/// An ECR registry host and its region; a placeholder in braces, as users
/// redact (`{us-west-2}`), is read as what it stands for.
static ECR_REGISTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.dkr\.ecr\.\{?(?P<region>[a-z0-9-]+)\}?\.amazonaws\.com").expect("valid regex")
});

/// A session token set by name, or a role assumed before the tool's own
/// calls: the credentials those calls carry are temporary. The AWS error
/// wording (`The security token included in the request`) has spaces,
/// not a name, so it does not match.
static SESSION_IN_PLAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:^|[^a-z])(?:session_?token|security_token)(?:[^a-z]|$)",
        r"|--assume-role-arn\b|\bassume_role\b",
    ))
    .expect("valid regex")
});

/// Lambda's runtime: its log lines (`START RequestId: … Version: …`,
/// `END`/`REPORT RequestId:`; Lambda Developer Guide, "Using CloudWatch
/// Logs with Lambda"), its code and runtime directories, its environment.
/// A function runs with its role's temporary credentials, so a key it
/// sends without their session token is one AWS does not know.
static LAMBDA_RUNTIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\bSTART RequestId: \S+ Version: |\b(?:END|REPORT) RequestId: \S+",
        r#"|(?:^|[\s("'])/var/(?:task|runtime)/|\bAWS_LAMBDA_FUNCTION_NAME\b"#,
    ))
    .expect("valid regex")
});

/// A name in the AWS environment variables' namespace.
static AWS_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bAWS_[A-Z0-9_]{3,40}\b").expect("valid regex"));

/// Whether `line` runs a command through a temporary-credentials tool.
fn runs_with_temporary_credentials(line: &str) -> bool {
    (line.contains("aws-")
        || line.contains("saml2aws")
        || line.contains("awsume")
        || line.contains("-aws-"))
        && !line.contains("--no-session")
        && TEMPORARY_TOOL.is_match(line)
}

/// Reads the context of `text`, whose first line is `first_line`. Only
/// lines with a marker are looked at closely, so this costs one pass.
pub fn read(text: &str, first_line: usize) -> TextContext {
    let mut context = TextContext::default();
    let mut after_method = false;
    // S3's REST error body is a bare `<Error>`; every other XML service
    // wraps its errors (`<ErrorResponse>`, EC2's `<Response><Errors>`).
    let (mut bare_error, mut wrapped_error) = (None, false);
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let path_line = after_method || !line.trim_start().starts_with('/');
        after_method = is_method(line);
        let evidence = || EvidenceLine {
            line: first_line + i,
            text: line.into(),
        };
        // A region alone on its line is what a script prints before each
        // region's call (`for r in …; do echo $r; aws … --region $r`).
        if context.region.is_none() && is_region(line.trim()) {
            context.region = Some((line.trim().to_string(), evidence()));
        }
        if context.region.is_none()
            && (line.contains("egion")
                || line.contains("REGION")
                || line.contains("amazonaws")
                || line.contains("aws4_request"))
        {
            for caps in REGION_USE.captures_iter(line) {
                let name = ["flag", "host", "scope"]
                    .iter()
                    .find_map(|n| caps.name(n))
                    .map(|m| m.as_str().trim_end_matches(['.', '-', '_']));
                if let Some(name) = name.filter(|n| looks_like_region(n)) {
                    context.region = Some((name.to_string(), evidence()));
                    break;
                }
            }
            // A line that talks about a region and names one in any layout
            // (`Scanning ap-east-1 region`, `in the region eu-south-1`): the
            // region table, not the wording, decides that it is a region.
            if context.region.is_none()
                && (line.contains("egion") || line.contains("REGION"))
                && let Some(name) = REGION_WORD
                    .find_iter(line)
                    .map(|m| m.as_str())
                    .find(|r| is_region(r))
            {
                context.region = Some((name.to_string(), evidence()));
            }
        }
        if context.proxy.is_none()
            && (line.contains("roxy")
                || line.contains("PROXY")
                || line.contains("ia:")
                || line.contains("orwarded"))
            && PROXY.captures(line).is_some_and(|c| {
                c.name("via")
                    .is_none_or(|v| !v.as_str().contains("CloudFront"))
            })
        {
            context.proxy = Some(evidence());
        }
        if context.odd_path.is_none() && path_line && ODD_PATH.is_match(line) {
            context.odd_path = Some(evidence());
        }
        if context.mfa.is_none() && MFA.is_match(line) {
            context.mfa = Some(evidence());
        }
        if context.env_misspelt.is_none() && line.contains("AWS_") {
            context.env_misspelt = AWS_NAME
                .find_iter(line)
                .find_map(|m| Some((m.as_str(), env_vars::misspelt_credential(m.as_str())?)))
                .map(|(name, meant)| (name.to_string(), meant, evidence()));
        }
        if context.env_keys.is_none() && line.contains("AWS_ACCESS_KEY_ID") {
            context.env_keys = Some(evidence());
        }
        if context.profile.is_none()
            && (line.contains("PROFILE") || line.contains("rofile"))
            && let Some(caps) = PROFILE.captures(line)
        {
            context.profile = Some((caps["name"].to_string(), evidence()));
        }
        if (line.contains("access_key") || line.contains("profile"))
            && let Some(caps) = CONFIGURE_LIST.captures(line)
        {
            if caps.name("env").is_some() && context.env_keys.is_none() {
                context.env_keys = Some(evidence());
            }
            if let Some(name) = caps.name("profile")
                && context.profile.is_none()
            {
                context.profile = Some((name.as_str().to_string(), evidence()));
            }
        }
        if context.temporary_key.is_none()
            && ((line.contains("ASIA") && TEMPORARY_KEY.is_match(line))
                || runs_with_temporary_credentials(line)
                || ((line.contains("oken") || line.contains("OKEN") || line.contains("ssume"))
                    && SESSION_IN_PLAY.is_match(line))
                || ((line.contains("RequestId: ")
                    || line.contains("/var/")
                    || line.contains("AWS_LAMBDA"))
                    && LAMBDA_RUNTIME.is_match(line)))
        {
            context.temporary_key = Some(evidence());
        }
        if context.aws_compute.is_none()
            && (line.contains("ip-")
                || line.contains("nternal")
                || line.contains("ec2-user")
                || line.contains("opLimit")
                || line.contains("op-limit")
                || line.contains("ttpTokens")
                || line.contains("ttp-tokens")
                || line.contains("cloud-init")
                || line.contains("KUBERNETES")
                || line.contains("kubernetes.io")
                || line.contains("eks.amazonaws")
                || line.contains("ECS_"))
            && AWS_COMPUTE.is_match(line)
        {
            context.aws_compute = Some(evidence());
        }
        if line.contains("ecr") {
            if context.ecr_login_region.is_none()
                && let Some(caps) = ECR_LOGIN.captures(line)
            {
                context.ecr_login_region = Some((caps["region"].to_string(), evidence()));
            }
            if context.ecr_registry_region.is_none()
                && let Some(caps) = ECR_REGISTRY.captures(line)
                && looks_like_region(&caps["region"])
            {
                context.ecr_registry_region = Some((caps["region"].to_string(), evidence()));
            }
        }
        if context.other_partition.is_none()
            && (line.contains("cn-") || line.contains("-gov-") || line.contains("-iso"))
            && let Some(region) = REGION_WORD
                .find_iter(line)
                .map(|m| m.as_str())
                .find(|r| partition(r).is_some_and(|p| p != "aws"))
        {
            context.other_partition = Some((region.to_string(), evidence()));
        }
        if line.contains("<Error") {
            wrapped_error |= line.contains("<ErrorResponse") || line.contains("<Errors>");
            if bare_error.is_none() && line.contains("<Error>") {
                bare_error = Some(evidence());
            }
        }
        if context.s3.is_none()
            && (line.contains('3')
                || line.contains("ost")
                || line.contains('<')
                || line.contains("xtended")
                || line.contains("signing method"))
            && S3.is_match(line)
        {
            context.s3 = Some(evidence());
        }
    }
    if context.s3.is_none() && !wrapped_error {
        context.s3 = bare_error;
    }
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(text: &str) -> Option<String> {
        read(text, 1).region.map(|(r, _)| r)
    }

    #[test]
    fn regions_are_read_from_flags_hosts_and_scopes() {
        assert_eq!(
            region("aws ec2 describe-instances --region ap-east-1").as_deref(),
            Some("ap-east-1")
        );
        assert_eq!(
            region("export AWS_REGION=us_east_1").as_deref(),
            Some("us_east_1")
        );
        assert_eq!(
            region("dial tcp: lookup sqs.eu-west-1b.amazonaws.com: no such host").as_deref(),
            Some("eu-west-1b")
        );
        assert_eq!(
            region("20150402/us-east/s3/aws4_request").as_deref(),
            Some("us-east")
        );
        assert_eq!(
            region("region = eu-central-1").as_deref(),
            Some("eu-central-1")
        );
        assert_eq!(region("the region is fine"), None);
        // Alone on its line, only a region AWS has counts.
        assert_eq!(
            region("ap-east-1\n\nAn error occurred (InvalidClientTokenId)").as_deref(),
            Some("ap-east-1")
        );
        assert_eq!(region("us-north-9\nfailed"), None);
        // A line about a region, naming one in its own words. Real paste
        // (fixtures/wild/py-clear-lambda-storage-opt-in-region-not-enabled.txt).
        assert_eq!(
            region("Scanning ap-east-1 region").as_deref(),
            Some("ap-east-1")
        );
        // The table decides: a region-shaped word AWS does not have is not one.
        assert_eq!(region("Scanning us-north-9 region"), None);
    }

    #[test]
    fn regions_a_client_refused_are_read_as_printed_or_as_dotnet_names() {
        assert_eq!(
            region_named_by_client("us-east-2").as_deref(),
            Some("us-east-2")
        );
        assert_eq!(
            region_named_by_client("CNNorthWest1").as_deref(),
            Some("cn-northwest-1")
        );
        assert_eq!(
            region_named_by_client("APSoutheast2").as_deref(),
            Some("ap-southeast-2")
        );
        assert_eq!(region_named_by_client("Default"), None);
        assert_eq!(region_named_by_client("foo-bar-1"), None);
    }

    #[test]
    fn ecr_login_and_registry_regions_are_read() {
        // Real paste (eks-anywhere, fixtures/wild/k8s-eks-anywhere-ecr-login-password-wrong-region.txt).
        let c = read(
            "# aws ecr get-login-password --region eu-central-1 |docker login --username AWS --password-stdin 783794618700.dkr.ecr.us-west-2.amazonaws.com",
            1,
        );
        assert_eq!(
            c.ecr_login_region.map(|(r, _)| r).as_deref(),
            Some("eu-central-1")
        );
        assert_eq!(
            c.ecr_registry_region.map(|(r, _)| r).as_deref(),
            Some("us-west-2")
        );
        let c = read(
            "Get https://{accountID}.dkr.ecr.{us-west-1}.amazonaws.com/v2/",
            1,
        );
        assert_eq!(
            c.ecr_registry_region.map(|(r, _)| r).as_deref(),
            Some("us-west-1")
        );
        assert!(
            read("aws ecr describe-repositories --region eu-west-1", 1)
                .ecr_login_region
                .is_none()
        );
    }

    #[test]
    fn aws_compute_is_read_from_ec2_names_metadata_options_pods_and_tasks() {
        let on_aws = |text: &str| read(text, 1).aws_compute.map(|e| e.line);
        assert_eq!(
            on_aws("x\n[ec2-user@ip-172-31-19-158 ~]$ aws s3 ls"),
            Some(2)
        );
        assert_eq!(on_aws("ubuntu@ip-10-0-1-23:~$ terraform plan"), Some(1));
        assert_eq!(
            on_aws("Node: ip-10-0-1-23.eu-west-1.compute.internal"),
            Some(1)
        );
        assert_eq!(on_aws("\"HttpPutResponseHopLimit\": 1,"), Some(1));
        assert_eq!(on_aws("  --http-put-response-hop-limit 2"), Some(1));
        assert_eq!(on_aws("    HttpTokens: required"), Some(1));
        assert_eq!(
            on_aws("eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/r"),
            Some(1)
        );
        assert_eq!(
            on_aws("open /var/run/secrets/kubernetes.io/serviceaccount/token"),
            Some(1)
        );
        // Not a host name: a word that merely contains the letters, an
        // address in a message, a laptop's prompt.
        assert_eq!(on_aws("skip-10-0-1-23 done"), None);
        assert_eq!(on_aws("dial tcp 10.0.1.23:443: i/o timeout"), None);
        assert_eq!(on_aws("user@MacBook-Pro ~ % aws s3 ls"), None);
        assert_eq!(on_aws("The security tokens included are invalid"), None);
    }

    #[test]
    fn temporary_credential_tools_mark_the_key_temporary() {
        let temporary = |text: &str| read(text, 1).temporary_key.map(|e| e.line);
        assert_eq!(
            temporary("$ aws-vault exec dev -- aws s3 ls\nAn error occurred"),
            Some(1)
        );
        assert_eq!(
            temporary("x\naws-vault: error: InvalidClientTokenId: The security token"),
            Some(2)
        );
        assert_eq!(temporary("saml2aws login --skip-prompt"), Some(1));
        assert_eq!(temporary("AKIA key: ASIAABCDEFGHIJKLMNOP"), Some(1));
        // A session token set by name, or a role assumed first. Real
        // pastes: aws-nuke (fixtures/wild/iac-aws-nuke-assume-role-opt-in-
        // region-global-sts-token.txt), aws-sdk-rust#316.
        assert_eq!(
            temporary(" aws-nuke -c $NUKE_TEMPLATE --force --assume-role-arn $ROLE_TO_ASSUME"),
            Some(1)
        );
        assert_eq!(temporary("x\nexport AWS_SESSION_TOKEN=\"\""), Some(2));
        assert_eq!(temporary("  sessionToken: creds.SessionToken,"), Some(1));
        // Lambda's runtime hands out temporary credentials. Real paste
        // (jschneier/django-storages#282, zappa invoke).
        assert_eq!(
            temporary(
                "Calling invoke for environment prod..\nSTART RequestId: fc2d8da1-0965-11e7-b4fc-45f80254b4aa Version: $LATEST"
            ),
            Some(2)
        );
        assert_eq!(
            temporary("  File \"/var/task/handler.py\", line 12, in handler"),
            Some(1)
        );
        // AWS's own wording is not a token set by name.
        assert_eq!(
            temporary(
                "InvalidClientTokenId: The security token included in the request is invalid."
            ),
            None
        );
        // Long-term credentials through the same tool, and mere mentions.
        assert_eq!(
            temporary("aws-vault exec --no-session dev -- aws s3 ls"),
            None
        );
        assert_eq!(temporary("see the aws-vault docs"), None);
        assert_eq!(temporary("my-aws-vaults exec"), None);
    }

    #[test]
    fn s3_is_known_by_what_only_s3_prints() {
        let s3 = |text: &str| read(text, 1).s3.map(|e| e.line);
        // Java v2, botocore, Go v1 (in a JSON log line), an endpoint.
        assert_eq!(
            s3(
                "x\nsoftware.amazon.awssdk.services.s3.model.S3Exception: The request signature we calculated does not match (Service: S3, Status Code: 403)"
            ),
            Some(2)
        );
        assert_eq!(
            s3("boto3.exceptions.S3UploadFailedError: Failed to upload a to b/a"),
            Some(1)
        );
        assert_eq!(
            s3(
                r#"err="SignatureDoesNotMatch: ...\n\tstatus code: 403, request id: FM4T, host id: tney=""#
            ),
            Some(1)
        );
        assert_eq!(
            s3("PUT https://bucket.s3.eu-west-1.amazonaws.com/key"),
            Some(1)
        );
        // S3's bare error body; other services wrap theirs.
        assert_eq!(
            s3("<?xml?>\n<Error><Code>SignatureDoesNotMatch</Code></Error>"),
            Some(2)
        );
        assert_eq!(
            s3(
                "<ErrorResponse>\n<Error><Code>SignatureDoesNotMatch</Code></Error>\n</ErrorResponse>"
            ),
            None
        );
        assert_eq!(
            s3("<Response><Errors><Error><Code>AuthFailure</Code></Error></Errors></Response>"),
            None
        );
        // Other services, and prose.
        assert_eq!(
            s3("An error occurred (SignatureDoesNotMatch) when calling the GetUser operation"),
            None
        );
        assert_eq!(s3("https://sts.amazonaws.com/ failed; SES said no"), None);
        // S3's wording of a signature mismatch, and everyone else's.
        assert_eq!(
            s3(
                "Message: The request signature we calculated does not match the signature you provided. Check your key and signing method."
            ),
            Some(1)
        );
        assert_eq!(
            s3(
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
            ),
            None
        );
    }

    #[test]
    fn profiles_are_read_the_ways_tools_take_them() {
        // Real pastes: a Terraform provider block (fixtures/wild/iac-terraform-provider-profile-foo-missing.txt),
        // terraformer's flag (iac-terraformer-config-profile-needs-sdk-load-config.txt).
        for (line, name) in [
            ("      profile = \"foo\"", "foo"),
            (
                "# terraformer import aws --resources=route53 --profile=myprofile --regions=eu-west-1",
                "myprofile",
            ),
        ] {
            assert_eq!(
                read(line, 1).profile.map(|(p, _)| p).as_deref(),
                Some(name),
                "{line}"
            );
        }
        // A profile a role's source names is no profile the client was asked for.
        assert!(read("source_profile = default", 1).profile.is_none());
    }

    #[test]
    fn mfa_in_play_is_read() {
        // Real paste: awsume (fixtures/wild/web-awsume-role-arn-mfa-not-needed-accessdenied.txt).
        let text = "$ awsume --debug --role-arn=arn:aws:iam::12345678:role/User --session-name=employee@example.com --source-profile=employer --mfa-token=123456\n";
        assert_eq!(read(text, 1).mfa.map(|e| e.line), Some(1));
        // An IAM group that happens to be called MFAGroup says nothing of MFA.
        assert!(
            read("iam:GetGroup on resource: group MFAGroup", 1)
                .mfa
                .is_none()
        );
    }

    #[test]
    fn configure_list_rows_name_the_key_source_and_profile() {
        // The layout of `aws configure list` (AWS CLI User Guide).
        let text = "      Name                    Value             Type    Location
      ----                    -----             ----    --------
   profile                  staging           manual    --profile
access_key     ****************ABCD              env    
secret_key     ****************WXYZ              env    
    region                eu-west-1      config-file    ~/.aws/config";
        let c = read(text, 1);
        assert_eq!(c.env_keys.map(|e| e.line), Some(4));
        assert_eq!(
            c.profile.map(|(p, e)| (p, e.line)),
            Some(("staging".into(), 3))
        );
        let shared = read(
            "access_key     ****************ABCD shared-credentials-file\n   profile                <not set>             None    None",
            1,
        );
        assert!(shared.env_keys.is_none() && shared.profile.is_none());
    }

    #[test]
    fn regions_from_the_generated_table() {
        assert!(is_region("eu-west-1") && !is_region("eu-west-1b") && !is_region("us-east"));
        assert!(is_opt_in("ap-east-1") && is_opt_in("me-south-1"));
        assert!(!is_opt_in("eu-west-1") && !is_opt_in("us-gov-west-1") && !is_opt_in("nowhere-1"));
    }

    #[test]
    fn proxies_paths_and_credentials_around_a_failure() {
        let c = read("HTTPS_PROXY=http://proxy.corp:3128\nVia: 1.1 squid\n", 1);
        assert_eq!(c.proxy.unwrap().line, 1);
        assert!(
            read("Via: 1.1 abc.cloudfront.net (CloudFront)\n", 1)
                .proxy
                .is_none()
        );
        assert_eq!(read("PUT\n/%7E\n", 1).odd_path.unwrap().line, 2);
        assert!(read("see /a+b\n", 1).odd_path.is_none(), "not a request");
        assert!(
            read("/usr/lib//x\n", 1).odd_path.is_none(),
            "not after a method"
        );
        assert!(
            read("GET /libstdc%20%20-docs.rpm host:x\n", 1)
                .odd_path
                .is_some()
        );
        let c = read("env:\n  AWS_ACCESS_KEY_ID: ***\n  AWS_PROFILE: prod\n", 1);
        assert_eq!(c.env_keys.unwrap().line, 2);
        assert_eq!(c.profile.unwrap().0, "prod");
        assert!(
            read("<AWSAccessKeyId>ASIAY34FZKBOKMUTVV7A</AWSAccessKeyId>", 1)
                .temporary_key
                .is_some()
        );
    }
}
