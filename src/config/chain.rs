//! `--explain-chain`: which credential provider the AWS CLI would use for
//! the chosen profile, in botocore's order, and why — decided from the
//! files and the environment alone (nothing is run, nothing is fetched).

use std::fmt::Write;

use serde_json::{Value, json};

use super::{Setup, Target, show};
use crate::report::OutputFormat;
use crate::report::redact::Redactor;

/// What a provider would do for the chosen profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// This provider returns credentials; the chain stops here.
    Wins,
    /// Would be tried and may return credentials (only known at run time).
    Maybe,
    /// Not configured for this profile: the CLI moves on.
    No,
    /// Removed from the chain (an explicit --profile drops the environment).
    Skipped,
    /// An earlier provider already won.
    NotReached,
}

impl Status {
    /// The status in words (`wins`, `not reached`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Wins => "wins",
            Status::Maybe => "maybe",
            Status::No => "no",
            Status::Skipped => "skipped",
            Status::NotReached => "not reached",
        }
    }
}

/// One provider of the chain and its verdict.
#[derive(Debug, Clone)]
pub struct Step {
    /// botocore's provider name (`env`, `assume-role`, …).
    pub provider: &'static str,
    /// The provider in words, for people.
    pub label: &'static str,
    /// What it would do.
    pub status: Status,
    /// Why, citing the file, line or variable that decides.
    pub reason: String,
}

/// The providers in the CLI's order with their verdicts.
pub fn explain(setup: &Setup) -> Vec<Step> {
    let chosen = setup.chosen_profile();
    let p = chosen.name.as_str();
    let env = &setup.env;
    let has = |k: &str| setup.lookup(p, k);
    let at = |k: &str| match has(k) {
        Some((t, e)) => format!("{}:{}", path_name(setup, t), e.line),
        None => String::new(),
    };
    let set = |v: &str| env.get(v).is_some_and(|x| !x.is_empty());
    let mut steps: Vec<Step> = Vec::new();
    let mut push = |provider, label, status, reason: String| {
        steps.push(Step {
            provider,
            label,
            status,
            reason,
        })
    };

    // 1. environment
    let (status, why) = if chosen.flag_given {
        (
            Status::Skipped,
            "--profile was given: the CLI drops the environment provider".to_string(),
        )
    } else if set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY") {
        (
            Status::Wins,
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set".to_string(),
        )
    } else if set("AWS_ACCESS_KEY_ID") || set("AWS_SECRET_ACCESS_KEY") {
        (
            Status::Wins,
            "only one of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY is set: the CLI stops with `Partial credentials found in env`".to_string(),
        )
    } else {
        (Status::No, "AWS_ACCESS_KEY_ID is not set".to_string())
    };
    push("env", "environment", status, why);

    // 2. assume-role (role_arn without web_identity_token_file)
    let web_file = has("web_identity_token_file").is_some();
    let (status, why) = match has("role_arn") {
        Some(_) if !web_file => {
            let source = has("source_profile")
                .map(|(_, e)| format!("source_profile `{}`", show(&e.value)))
                .or_else(|| {
                    has("credential_source")
                        .map(|(_, e)| format!("credential_source {}", show(&e.value)))
                })
                .unwrap_or_else(|| "no source (the CLI will fail)".into());
            (
                Status::Wins,
                format!(
                    "role_arn at {}: AssumeRole with credentials from {source}{}",
                    at("role_arn"),
                    if has("mfa_serial").is_some() {
                        ", asking for an MFA code"
                    } else {
                        ""
                    }
                ),
            )
        }
        _ => (Status::No, format!("profile `{p}` has no role_arn")),
    };
    push("assume-role", "assume role", status, why);

    // 3. web identity
    let (status, why) = if web_file && has("role_arn").is_some() {
        (
            Status::Wins,
            format!(
                "role_arn and web_identity_token_file at {}",
                at("web_identity_token_file")
            ),
        )
    } else if !chosen.flag_given && set("AWS_ROLE_ARN") && set("AWS_WEB_IDENTITY_TOKEN_FILE") {
        (
            Status::Wins,
            "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are set".to_string(),
        )
    } else {
        (
            Status::No,
            "no web_identity_token_file (nor AWS_WEB_IDENTITY_TOKEN_FILE)".to_string(),
        )
    };
    push("assume-role-with-web-identity", "web identity", status, why);

    // 4. SSO
    let (status, why) = match has("sso_session").or(has("sso_start_url")) {
        Some((t, e)) => (
            Status::Wins,
            format!(
                "{} at {}:{}: a cached SSO token is needed (aws sso login --profile {p}); it is not read here",
                e.key,
                path_name(setup, t),
                e.line
            ),
        ),
        None => (
            Status::No,
            format!("profile `{p}` has no sso_session / sso_start_url"),
        ),
    };
    push("sso", "SSO", status, why);

    // 5–8: static keys in either file, then the process, then the config file.
    let section_key = |target: Target| {
        setup.file(target).and_then(|f| {
            f.profiles()
                .filter(|(n, _)| *n == p)
                .find_map(|(_, s)| s.get("aws_access_key_id").map(|e| e.line))
        })
    };
    let (status, why) = match section_key(Target::Credentials) {
        Some(line) => (
            Status::Wins,
            format!(
                "[{p}] in {}:{line} has aws_access_key_id",
                path_name(setup, Target::Credentials)
            ),
        ),
        None => (
            Status::No,
            format!("the credentials file has no keys for `{p}`"),
        ),
    };
    push(
        "shared-credentials-file",
        "shared credentials file",
        status,
        why,
    );
    let (status, why) = match has("credential_process") {
        Some(_) => (
            Status::Wins,
            format!(
                "credential_process at {} (not run here)",
                at("credential_process")
            ),
        ),
        None => (
            Status::No,
            format!("profile `{p}` has no credential_process"),
        ),
    };
    push("custom-process", "credential process", status, why);
    let (status, why) = match section_key(Target::Config) {
        Some(line) => (
            Status::Wins,
            format!(
                "profile `{p}` in {}:{line} has aws_access_key_id",
                path_name(setup, Target::Config)
            ),
        ),
        None => (Status::No, format!("the config file has no keys for `{p}`")),
    };
    push("config-file", "config file", status, why);

    // 9. container
    let (status, why) = if set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || set("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    {
        (
            Status::Maybe,
            "AWS_CONTAINER_CREDENTIALS_* is set: the ECS/EKS endpoint will be asked".to_string(),
        )
    } else {
        (
            Status::No,
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI are not set".to_string(),
        )
    };
    push("container-role", "container", status, why);

    // 10. instance metadata
    let disabled = env
        .get("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let (status, why) = if disabled {
        (Status::No, "AWS_EC2_METADATA_DISABLED=true".to_string())
    } else {
        (
            Status::Maybe,
            "tried last: works only on EC2 (or with a reachable IMDS endpoint); elsewhere `Unable to locate credentials`".to_string(),
        )
    };
    push("iam-role", "instance metadata", status, why);

    // Only the first winner counts.
    let mut won = false;
    for s in &mut steps {
        if won {
            s.status = Status::NotReached;
        } else if s.status == Status::Wins {
            won = true;
        }
    }
    steps
}

fn path_name(setup: &Setup, target: Target) -> String {
    setup
        .file(target)
        .map_or_else(|| "?".into(), |f| f.path.clone())
}

/// A sentence on who chose the profile.
fn heading(setup: &Setup) -> String {
    let chosen = setup.chosen_profile();
    format!(
        "Credential chain for profile `{}` ({}), in the AWS CLI's order",
        show(&chosen.name),
        match chosen.from_words().as_str() {
            "the default" => "no profile named: `default`".to_string(),
            from => format!("from {from}"),
        }
    )
}

fn winner(steps: &[Step]) -> String {
    match steps.iter().find(|s| s.status == Status::Wins) {
        Some(s) => format!("→ the {} provider supplies the credentials.", s.label),
        None => match steps.iter().find(|s| s.status == Status::Maybe) {
            Some(s) => format!(
                "→ nothing configured wins for sure; the {} provider is the last hope.",
                s.label
            ),
            None => "→ no provider can supply credentials: `Unable to locate credentials`.".into(),
        },
    }
}

/// Adds the chain to a rendered report.
pub fn attach(
    mut text: String,
    format: OutputFormat,
    setup: &Setup,
    steps: &[Step],
    redactor: &Redactor,
) -> String {
    let clean = |s: &str| crate::report::terminal::sanitize(&redactor.text(s)).into_owned();
    match format {
        OutputFormat::Json => {
            let chosen = setup.chosen_profile();
            let chain = json!({
                "profile": chosen.name,
                "profile_from": chosen.from_words(),
                "providers": steps.iter().map(|s| json!({
                    "provider": s.provider, "label": s.label,
                    "status": s.status.as_str(), "reason": redactor.text(&s.reason),
                })).collect::<Vec<_>>(),
                "winner": steps.iter().find(|s| s.status == Status::Wins).map(|s| s.provider),
            });
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(mut doc)) => {
                    doc.insert("credential_chain".into(), chain);
                    let mut out = serde_json::to_string(&doc).expect("serialises");
                    out.push('\n');
                    out
                }
                _ => text,
            }
        }
        OutputFormat::Markdown => {
            let mut section = format!(
                "## {}\n\n| # | provider | status | why |\n|--:|---|---|---|\n",
                clean(&heading(setup)).replace('`', "'")
            );
            for (i, s) in steps.iter().enumerate() {
                let _ = writeln!(
                    section,
                    "| {} | {} | {} | {} |",
                    i + 1,
                    s.label,
                    s.status.as_str(),
                    clean(&s.reason).replace('|', "\\|").replace('`', "'")
                );
            }
            let _ = writeln!(section, "\n{}\n", winner(steps));
            match text.rfind("---\n") {
                Some(at) => text.insert_str(at, &section),
                None => text.push_str(&section),
            }
            text
        }
        _ => {
            let _ = writeln!(text, "{}:", clean(&heading(setup)));
            for (i, s) in steps.iter().enumerate() {
                let _ = writeln!(
                    text,
                    "  {:>2}. {:<24} {:<12} {}",
                    i + 1,
                    s.label,
                    s.status.as_str(),
                    clean(&s.reason)
                );
            }
            let _ = writeln!(text, "  {}", winner(steps));
            text
        }
    }
}
