//! The environment variables AWS clients read, so that a near miss
//! (`AWS_SECRET_ACCES_KEY`) is known for what it is: a name no client
//! reads, which leaves the client without that credential.
//!
//! Sources: the AWS CLI User Guide, "Environment variables to configure
//! the AWS CLI"
//! (<https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html>),
//! the AWS SDKs and Tools Reference Guide's settings pages
//! (<https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html>),
//! and the legacy names older clients still read: `AWS_SECURITY_TOKEN`
//! (botocore's environment provider), `AWS_ACCESS_KEY` and
//! `AWS_SECRET_KEY` (the Java SDK v1 and Go SDK v1 environment
//! providers), `AWS_SDK_LOAD_CONFIG` (Go SDK v1).

/// Every name in the sources above (service endpoint variables,
/// `AWS_ENDPOINT_URL_<SERVICE>`, are matched by their prefix).
pub const KNOWN: &[&str] = &[
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_ACCOUNT_ID",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE",
    "AWS_CA_BUNDLE",
    "AWS_CLI_AUTO_PROMPT",
    "AWS_CLI_FILE_ENCODING",
    "AWS_CLI_S3_MV_VALIDATE_SAME_S3_PATHS",
    "AWS_CONFIG_FILE",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_DATA_PATH",
    "AWS_DEFAULT_OUTPUT",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_DISABLE_REQUEST_COMPRESSION",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_EC2_METADATA_V1_DISABLED",
    "AWS_ENDPOINT_URL",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_MAX_ATTEMPTS",
    "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
    "AWS_METADATA_SERVICE_TIMEOUT",
    "AWS_PAGER",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_REQUEST_CHECKSUM_CALCULATION",
    "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
    "AWS_RESPONSE_CHECKSUM_VALIDATION",
    "AWS_RETRY_MODE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS",
    "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT",
    "AWS_S3_USE_ARN_REGION",
    "AWS_SDK_LOAD_CONFIG",
    "AWS_SDK_UA_APP_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_TOKEN",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_SIGV4A_SIGNING_REGION_SET",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
];

/// The credential variables whose near misses matter: a client that does
/// not find one of them has no key, no secret or no token. Short names
/// (`AWS_REGION`) are left out: one letter off them is as often an
/// application's own variable (`AWS_REGIONS`) as a typo.
const CREDENTIALS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// The credential variable `name` misspells: one or two edits away from
/// it, and not itself a name some client reads.
pub fn misspelt_credential(name: &str) -> Option<&'static str> {
    if KNOWN.contains(&name) || name.starts_with("AWS_ENDPOINT_URL_") {
        return None;
    }
    CREDENTIALS.iter().copied().find(|known| {
        known.len().abs_diff(name.len()) <= 2
            && (1..=2).contains(&crate::text::edit_distance(name, known))
    })
}

#[cfg(test)]
mod tests {
    use super::misspelt_credential;

    #[test]
    fn near_misses_of_credential_names_are_caught_and_real_names_are_not() {
        // Real paste (restic/restic, fixtures/wild/k8s-restic-secret-env-typo-access-denied.txt).
        assert_eq!(
            misspelt_credential("AWS_SECRET_ACCES_KEY"),
            Some("AWS_SECRET_ACCESS_KEY")
        );
        assert_eq!(
            misspelt_credential("AWS_ACESS_KEY_ID"),
            Some("AWS_ACCESS_KEY_ID")
        );
        assert_eq!(
            misspelt_credential("AWS_SESION_TOKEN"),
            Some("AWS_SESSION_TOKEN")
        );
        for real in [
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SECRET_KEY",
            "AWS_ACCESS_KEY",
            "AWS_SECURITY_TOKEN",
        ] {
            assert_eq!(misspelt_credential(real), None, "{real}");
        }
        // An application's own, differently named variable is no typo.
        assert_eq!(misspelt_credential("AWS_SECRET_ACCESS_KEY_ID"), None);
        assert_eq!(misspelt_credential("AWS_S3_ACCESS_KEY_ID"), None);
    }
}
