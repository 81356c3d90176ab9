//! Proving or ruling out a wrong secret: recompute the signature of the
//! logged string to sign with a secret the user supplies, using the
//! `aws-sigv4` crate's key derivation and HMAC.
//!
//! The secret comes from an environment variable or a credentials file,
//! never from the command line (where it would land in shell history and
//! process lists), and it never reaches any output: [`Secret`] has no
//! `Display`, and its `Debug` is redacted.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Scope, StringToSign};
use crate::time;

/// A secret access key. Deliberately neither `Display` nor `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Where the user keeps the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// `--secret-from-env VAR`
    Env(String),
    /// `--credentials-file PATH --profile NAME`
    CredentialsFile {
        /// The AWS credentials file.
        path: PathBuf,
        /// The profile whose `aws_secret_access_key` to use.
        profile: String,
    },
}

/// Why the secret cannot be read. Messages never include the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The variable is unset or not UTF-8.
    #[error("environment variable {0} is not set or not valid UTF-8")]
    EnvMissing(String),
    /// The credentials file cannot be read.
    #[error("reading credentials file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The profile has no `aws_secret_access_key` in the file.
    #[error("credentials file {path} has no aws_secret_access_key in profile [{profile}]")]
    NoSecret {
        /// The file.
        path: String,
        /// The profile.
        profile: String,
    },
    /// The secret is the empty string.
    #[error("the secret is empty")]
    Empty,
}

impl Secret {
    /// Wraps a secret as given. The value is kept byte for byte: a trailing
    /// newline is part of what the client would have used, and is exactly
    /// what verification should be able to show.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// Reads the secret from where the user keeps it; an empty one is an error.
    pub fn load(source: &SecretSource) -> Result<Secret, SecretError> {
        let secret = match source {
            SecretSource::Env(var) => std::env::var(var)
                .map(Secret)
                .map_err(|_| SecretError::EnvMissing(var.clone()))?,
            SecretSource::CredentialsFile { path, profile } => {
                from_credentials_file(path, profile)?
            }
        };
        if secret.0.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(secret)
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

/// `aws_secret_access_key` of `[profile]` in an AWS credentials file (INI).
/// Values are trimmed, as botocore's config parser does.
fn from_credentials_file(path: &Path, profile: &str) -> Result<Secret, SecretError> {
    let text = std::fs::read_to_string(path).map_err(|source| SecretError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut in_profile = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            in_profile = name == profile || name.strip_prefix("profile ") == Some(profile);
            continue;
        }
        if !in_profile {
            continue;
        }
        if let Some((key, value)) = line.split_once('=')
            && key.trim() == "aws_secret_access_key"
        {
            return Ok(Secret(value.trim().to_string()));
        }
    }
    Err(SecretError::NoSecret {
        path: path.display().to_string(),
        profile: profile.to_string(),
    })
}

/// Why a signature cannot be recomputed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// SigV4A (ECDSA) signatures cannot be recomputed from a secret.
    #[error("{0} signatures are ECDSA, not HMAC: they cannot be recomputed from a secret")]
    NotHmac(String),
    /// The credential scope does not have the parts key derivation needs.
    #[error("the credential scope `{0}` cannot be used to derive a signing key")]
    BadScope(String),
}

/// The SigV4 signature `secret` gives `string_to_sign` (lower-case hex).
pub fn signature(secret: &Secret, string_to_sign: &StringToSign) -> Result<String, VerifyError> {
    if string_to_sign.algorithm != "AWS4-HMAC-SHA256" {
        return Err(VerifyError::NotHmac(string_to_sign.algorithm.clone()));
    }
    let bad = || VerifyError::BadScope(string_to_sign.scope.clone());
    let scope = Scope::parse(&string_to_sign.scope).ok_or_else(bad)?;
    let region = scope.region.as_deref().ok_or_else(bad)?;
    let midnight = time::parse_amz_date(&format!("{}T000000Z", scope.date)).ok_or_else(bad)?;
    let day =
        SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(midnight).map_err(|_| bad())?);
    let key =
        aws_sigv4::sign::v4::generate_signing_key(secret.expose(), day, region, &scope.service);
    Ok(aws_sigv4::sign::v4::calculate_signature(
        key,
        string_to_sign.text().as_bytes(),
    ))
}

/// Whether `secret` reproduces the `logged` signature of `string_to_sign`.
pub fn verifies(
    secret: &Secret,
    string_to_sign: &StringToSign,
    logged: &str,
) -> Result<bool, VerifyError> {
    Ok(signature(secret, string_to_sign)?.eq_ignore_ascii_case(logged.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS documentation example (GET IAM ListUsers).
    #[test]
    fn recomputes_the_documented_example() {
        let sts = StringToSign::parse("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59").unwrap();
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        assert_eq!(
            signature(&secret, &sts).unwrap(),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
        assert!(
            !verifies(
                &Secret::new("wrong"),
                &sts,
                "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
            )
            .unwrap()
        );
    }

    #[test]
    fn sigv4a_is_not_recomputed() {
        let sts = StringToSign::parse(
            "AWS4-ECDSA-P256-SHA256\n20260101T000000Z\n20260101/s3/aws4_request\nab",
        )
        .unwrap();
        assert!(matches!(
            signature(&Secret::new("x"), &sts),
            Err(VerifyError::NotHmac(_))
        ));
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2")),
            "Secret(<redacted>)"
        );
    }

    #[test]
    fn credentials_file_profile() {
        let dir = std::env::temp_dir().join(format!("authsift-verify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("credentials");
        std::fs::write(&path, "[default]\naws_secret_access_key = a\n[ci]\naws_access_key_id=AKIA\naws_secret_access_key = b+c/d \n").unwrap();
        let load = |p: &str| {
            Secret::load(&SecretSource::CredentialsFile {
                path: path.clone(),
                profile: p.to_string(),
            })
        };
        assert_eq!(load("ci").unwrap(), Secret::new("b+c/d"));
        assert_eq!(load("default").unwrap(), Secret::new("a"));
        assert!(matches!(load("nope"), Err(SecretError::NoSecret { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
