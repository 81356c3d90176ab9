//! The AWS CLI's two files, `~/.aws/config` and `~/.aws/credentials`: read
//! the way the CLI reads them ([`ini`]), checked ([`checks`]), each issue
//! worded by the rules of `rules/config.rules` ([`word`]).
//!
//! Two commands use it: `authsift config` (the `config` module: files on
//! disk and the environment) and the analysis of pasted text, where a
//! fragment of either file next to an error is checked too ([`paste`]).
//! It sits between the rules and what reports are made of: it knows
//! facts, findings and rule sets, nothing of inputs, outcomes or output.

pub mod checks;
pub mod ini;
pub mod paste;
pub mod word;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ini::{IniFile, Section};

/// Where an issue is: one of the two files, or the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// The config file.
    Config,
    /// The credentials file.
    Credentials,
    /// The environment (and `--profile`).
    Env,
}

/// The `AWS_*` variables (plus HOME, USERPROFILE and PATH) of the process. Reports list
/// the `AWS_*` ones sorted by name; a variable's "line" is its place there.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// This process's variables.
    pub fn from_process() -> Env {
        Env::from_pairs(
            std::env::vars_os().filter_map(|(k, v)| {
                Some((k.into_string().ok()?, v.to_string_lossy().into_owned()))
            }),
        )
    }

    /// The variables among `pairs` that matter (for tests, and for a process).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .filter(|(k, _)| {
                    k.starts_with("AWS_") || matches!(k.as_str(), "HOME" | "USERPROFILE" | "PATH")
                })
                .collect(),
        }
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The home directory `~` stands for: `HOME`, else (Windows, where the
    /// AWS CLI looks there) `USERPROFILE`; an empty value is unset.
    pub fn home(&self) -> Option<&str> {
        ["HOME", "USERPROFILE"]
            .into_iter()
            .find_map(|name| self.get(name).filter(|v| !v.is_empty()))
    }

    /// The directories of `PATH`, split as this platform splits it (`:`,
    /// `;` on Windows); empty entries left out.
    pub fn path_dirs(&self) -> Vec<std::path::PathBuf> {
        std::env::split_paths(self.get("PATH").unwrap_or(""))
            .filter(|d| !d.as_os_str().is_empty())
            .collect()
    }

    /// The `AWS_*` variables, sorted.
    pub fn listing(&self) -> Vec<(&str, &str)> {
        self.vars
            .iter()
            .filter(|(k, _)| k.starts_with("AWS_"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// A variable's place in [`Env::listing`] (1-based; 0 when unset).
    pub fn line_of(&self, name: &str) -> usize {
        self.listing()
            .iter()
            .position(|(k, _)| *k == name)
            .map_or(0, |i| i + 1)
    }
}

/// The profile the CLI would use, and who chose it.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// The profile's name.
    pub name: String,
    /// The variable that named it (AWS CLI v1 and botocore read
    /// AWS_DEFAULT_PROFILE before AWS_PROFILE).
    pub env_var: Option<&'static str>,
    /// Named by --profile or a variable (not the implicit `default`).
    pub explicit: bool,
    /// Named by `--profile`.
    pub flag_given: bool,
}

impl Chosen {
    /// Who chose it, in words: `--profile`, the variable, or `the default`.
    pub fn from_words(&self) -> String {
        match (self.flag_given, self.env_var) {
            (true, _) => "--profile".into(),
            (false, Some(var)) => var.into(),
            _ => "the default".into(),
        }
    }
}

/// Everything the checks look at.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The config file, when it exists and could be read.
    pub config: Option<IniFile>,
    /// The credentials file, when it exists and could be read.
    pub credentials: Option<IniFile>,
    /// Where the config file is looked for.
    pub config_path: Option<PathBuf>,
    /// Where the credentials file is looked for.
    pub credentials_path: Option<PathBuf>,
    /// Paths given as flags (a missing one is an error, not a finding).
    pub flag_paths: Vec<PathBuf>,
    /// The environment.
    pub env: Env,
    /// `--profile`, if given.
    pub profile_flag: Option<String>,
    /// Mask access key ids (off with --no-redact).
    pub mask: bool,
    /// The files are fragments pasted into a text, not files on disk:
    /// checks that need the file system, the environment or the whole
    /// file (permissions, PATH, profiles named elsewhere) are skipped, and
    /// values blanked out before pasting are not judged by their shape.
    pub pasted: bool,
}

impl Setup {
    /// The files that were read, config first.
    pub fn files(&self) -> impl Iterator<Item = (Target, &IniFile)> {
        [
            (Target::Config, self.config.as_ref()),
            (Target::Credentials, self.credentials.as_ref()),
        ]
        .into_iter()
        .filter_map(|(t, f)| f.map(|f| (t, f)))
    }

    /// The file of `target`, if it was read.
    pub fn file(&self, target: Target) -> Option<&IniFile> {
        match target {
            Target::Config => self.config.as_ref(),
            Target::Credentials => self.credentials.as_ref(),
            Target::Env => None,
        }
    }

    /// Where the file of `target` is looked for.
    pub fn path_of(&self, target: Target) -> Option<&Path> {
        match target {
            Target::Config => self.config_path.as_deref(),
            Target::Credentials => self.credentials_path.as_deref(),
            Target::Env => None,
        }
    }

    /// Every profile either file defines, sorted.
    pub fn profile_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .files()
            .flat_map(|(_, f)| f.profiles().map(|(n, _)| n.to_string()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The profile the CLI would use: `--profile`, else `AWS_DEFAULT_PROFILE`,
    /// else `AWS_PROFILE`, else `default`.
    pub fn chosen_profile(&self) -> Chosen {
        if let Some(name) = &self.profile_flag {
            return Chosen {
                name: name.clone(),
                env_var: None,
                explicit: true,
                flag_given: true,
            };
        }
        for var in ["AWS_DEFAULT_PROFILE", "AWS_PROFILE"] {
            if let Some(v) = self.env.get(var).filter(|v| !v.is_empty()) {
                return Chosen {
                    name: v.to_string(),
                    env_var: Some(var),
                    explicit: true,
                    flag_given: false,
                };
            }
        }
        Chosen {
            name: "default".into(),
            env_var: None,
            explicit: false,
            flag_given: false,
        }
    }

    /// A profile's key as the CLI merges the files: the credentials file
    /// wins key by key.
    pub fn lookup(&self, profile: &str, key: &str) -> Option<(Target, &ini::Entry)> {
        [Target::Credentials, Target::Config]
            .into_iter()
            .find_map(|t| {
                let file = self.file(t)?;
                file.profiles()
                    .filter(|(n, _)| *n == profile)
                    .filter_map(|(_, s)| s.get(key))
                    .last()
                    .map(|e| (t, e))
            })
    }

    /// The first section that defines `profile`, and its file.
    pub fn section_of(&self, profile: &str) -> Option<(Target, &Section)> {
        self.files().find_map(|(t, f)| {
            f.profiles()
                .find(|(n, _)| *n == profile)
                .map(|(_, s)| (t, s))
        })
    }

    /// The `[sso-session x]` names of the config file.
    pub fn sso_session_names(&self) -> Vec<String> {
        self.config
            .iter()
            .flat_map(|f| &f.sections)
            .filter_map(|s| match &s.kind {
                ini::SectionKind::SsoSession(n) => Some(n.clone()),
                _ => None,
            })
            .collect()
    }

    /// The `[sso-session name]` section of the config file.
    pub fn sso_session(&self, name: &str) -> Option<(Target, &Section)> {
        self.config.as_ref().and_then(|f| {
            f.sections
                .iter()
                .find(|s| s.kind == ini::SectionKind::SsoSession(name.to_string()))
                .map(|s| (Target::Config, s))
        })
    }

    /// A line as evidence: secret values replaced, key ids masked,
    /// invisible characters shown escaped.
    pub fn evidence(&self, target: Target, line: usize) -> String {
        if target == Target::Env {
            if line == 0 {
                return match &self.profile_flag {
                    Some(p) => format!("--profile {}", show(p)),
                    None => String::new(),
                };
            }
            let listing = self.env.listing();
            let Some((k, v)) = listing.get(line - 1) else {
                return String::new();
            };
            return format!("{k}={}", self.value_text(k, v));
        }
        let Some(file) = self.file(target) else {
            return String::new();
        };
        for s in &file.sections {
            for e in &s.entries {
                if e.line == line {
                    return format!(
                        "{} = {}",
                        show(&e.raw_key),
                        self.value_text(&e.key, &e.value)
                    );
                }
                if e.continuation.iter().any(|(l, _)| *l == line) && is_secret_name(&e.key) {
                    return format!("  (continues {}) <redacted>", e.key);
                }
            }
        }
        show(file.line(line))
    }

    fn value_text(&self, key: &str, value: &str) -> String {
        if is_secret_name(key) {
            crate::text::HIDDEN.to_string()
        } else if key.eq_ignore_ascii_case("aws_access_key_id") && self.mask {
            let chars: Vec<char> = value.chars().collect();
            if chars.len() <= 8 {
                "…".into()
            } else {
                let head: String = chars[..4].iter().collect();
                let tail: String = chars[chars.len() - 4..].iter().collect();
                format!(
                    "{}…{} ({} characters)",
                    show(&head),
                    show(&tail),
                    chars.len()
                )
            }
        } else {
            show(value)
        }
    }
}

fn is_secret_name(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("secret") || k.contains("token") && !k.ends_with("_file") || k.contains("password")
}

/// Text with hidden and non-ASCII space characters escaped (`\u{200b}`).
pub fn show(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !c.is_ascii() && (c.is_whitespace() || !c.is_alphanumeric() && !c.is_ascii_punctuation())
            || c.is_control()
        {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
