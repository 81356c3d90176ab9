//! `authsift config`: an offline check of `~/.aws/config`, `~/.aws/credentials`
//! and the `AWS_*` environment, read the way the AWS CLI reads them.
//!
//! ```text
//! files + env ─► ini::IniFile (the CLI's INI rules, every line numbered)
//!             ─► checks::run (issues: file:line, the check, config.* facts)
//!             ─► rules/config.rules (root cause, title, severity, text, fix)
//!             ─► outcome::Report (one InputReport per file) ─► report::render
//!             ─► chain::explain (--explain-chain: which provider wins, and why)
//! ```
//!
//! The command itself (flags, output, exit status) is `app::config`.
//!
//! Nothing is executed and nothing is sent: `credential_process` is only
//! looked up on PATH, SSO caches are not read.

pub mod chain;
mod findings;

use std::path::{Path, PathBuf};

pub use crate::awsfiles::{Chosen, Env, Setup, Target, checks, ini, show};
use ini::{FileKind, IniFile};

pub use findings::{build_report, status};

/// Which files to check, and how: what `authsift config` was asked.
/// Files default to `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else
/// `~/.aws/config` and `~/.aws/credentials`, `~` being `HOME`, else
/// `USERPROFILE` (Windows).
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The config file to check (`--config-file`).
    pub config_file: Option<PathBuf>,
    /// The credentials file to check (`--credentials-file`).
    pub credentials_file: Option<PathBuf>,
    /// The profile to check as the chosen one (`--profile`).
    pub profile: Option<String>,
    /// Mask access key ids in evidence (off with `--no-redact`).
    pub mask_key_ids: bool,
}

/// What reading the files gave: the setup, and errors that end in exit 2.
pub fn load(args: &Request, env: Env) -> (Setup, Vec<(String, String)>) {
    let home = env.home().map(PathBuf::from);
    let pick = |flag: &Option<PathBuf>, var: &str, default: &str| -> Option<PathBuf> {
        flag.clone()
            .or_else(|| {
                env.get(var)
                    .filter(|v| !v.is_empty())
                    .map(|v| expand(v, home.as_deref()))
            })
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    let config_path = pick(&args.config_file, "AWS_CONFIG_FILE", "config");
    let credentials_path = pick(
        &args.credentials_file,
        "AWS_SHARED_CREDENTIALS_FILE",
        "credentials",
    );
    let flag_paths: Vec<PathBuf> = args
        .config_file
        .iter()
        .chain(&args.credentials_file)
        .cloned()
        .collect();
    let mut errors = Vec::new();
    let mut read = |path: &Option<PathBuf>, kind: FileKind| -> Option<IniFile> {
        let path = path.as_ref()?;
        let label = path.display().to_string();
        let explicit = flag_paths.contains(path);
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return None,
            Ok(m) if m.is_dir() => {
                errors.push((
                    label.clone(),
                    format!("{label}: is a directory, not a {} file", kind.as_str()),
                ));
                return None;
            }
            _ => {}
        }
        match std::fs::read(path) {
            Ok(bytes) => Some(IniFile::parse(&label, kind, &bytes)),
            Err(e) => {
                errors.push((label.clone(), format!("{label}: {}", describe_io(&e))));
                None
            }
        }
    };
    let config = read(&config_path, FileKind::Config);
    let credentials = read(&credentials_path, FileKind::Credentials);
    let setup = Setup {
        config,
        credentials,
        config_path,
        credentials_path,
        flag_paths,
        env,
        profile_flag: args.profile.clone(),
        mask: args.mask_key_ids,
        pasted: false,
    };
    (setup, errors)
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied (cannot read it)".into(),
        _ => e.to_string(),
    }
}

/// `~/x` and `$HOME/x` (and `~\x` on Windows), as botocore's
/// expanduser/expandvars do.
fn expand(path: &str, home: Option<&Path>) -> PathBuf {
    let tilde = path
        .strip_prefix("~/")
        .or_else(|| path.strip_prefix("~\\").filter(|_| cfg!(windows)));
    match (tilde, home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => match (path.strip_prefix("$HOME/"), home) {
            (Some(rest), Some(h)) => h.join(rest),
            _ => PathBuf::from(path),
        },
    }
}
