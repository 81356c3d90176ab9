//! The checks of `authsift config`: each problem with its file and line and
//! the facts that describe it. The rules of `rules/config.rules` word them
//! (title, root cause, severity, explanation, fix); values are never put
//! in a fact when they are secret, and key ids are masked unless asked
//! otherwise.
//!
//! Length: about 900 lines, every check of `authsift config` in one file
//! because they share the private issue collector and the ordering the
//! AWS CLI reads files in; each check is one function (`parse_problems`,
//! `section_style`, `characters`, `values`, `permissions`, `profiles`,
//! `environment`), run in that order by [`run`]. Most of its tests are in
//! `tests/config.rs`, which drives real files through the binary.

use crate::facts::{Fact, Facts, Value};

use super::ini::{Entry, FileKind, IniFile, Problem, Section, SectionKind, py_space};
use super::{Env, Setup, Target};

/// One problem found, before the rules word it.
#[derive(Debug, Clone)]
pub struct Issue {
    /// Which file (or the environment).
    pub target: Target,
    /// The line that shows it (for the environment, the variable's place in
    /// the sorted `AWS_*` listing).
    pub line: usize,
    /// Short name of the check (`missing-bracket`), shown as the headline
    /// (fact `error.code`).
    pub check: &'static str,
    /// What the check saw (`config.*` facts), for the rules.
    pub facts: Facts,
    /// Further evidence lines of the same input.
    pub more: Vec<usize>,
    /// The profile concerned, if one is.
    pub profile: Option<String>,
}

impl Issue {
    /// Adds a fact the rules can quote or test.
    fn with(&mut self, fact: Fact, value: impl Into<Value>) -> &mut Issue {
        self.facts.set(fact, value, None);
        self
    }
}

const SECRET_KEYS: [&str; 3] = [
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
];
const CREDENTIAL_KEYS: [&str; 5] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "credential_process",
];
/// The keys the AWS CLI and SDKs read from a profile (lower case, as the
/// files spell them), from the AWS SDKs and Tools reference guide's
/// settings list and botocore's config variables.
pub const KNOWN_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "aws_account_id",
    "region",
    "output",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "role_session_name",
    "external_id",
    "mfa_serial",
    "duration_seconds",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "sso_registration_scopes",
    "ca_bundle",
    "cli_pager",
    "cli_timestamp_format",
    "cli_binary_format",
    "cli_auto_prompt",
    "cli_follow_urlparam",
    "cli_history",
    "parameter_validation",
    "max_attempts",
    "retry_mode",
    "defaults_mode",
    "endpoint_url",
    "ignore_configured_endpoint_urls",
    "services",
    "s3",
    "sts_regional_endpoints",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "endpoint_discovery_enabled",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "ec2_metadata_v1_disabled",
    "metadata_service_timeout",
    "metadata_service_num_attempts",
    "tcp_keepalive",
    "api_versions",
    "account_id_endpoint_mode",
    "disable_request_compression",
    "request_min_compression_size_bytes",
    "request_checksum_calculation",
    "response_checksum_validation",
    "sigv4a_signing_region_set",
    "auth_scheme_preference",
];

/// Sections the CLI itself keeps in the config file besides profiles.
const KNOWN_CONFIG_SECTIONS: [&str; 3] = ["plugins", "preview", "cli"];

struct Out {
    issues: Vec<Issue>,
}

impl Out {
    fn add(&mut self, target: Target, line: usize, check: &'static str) -> &mut Issue {
        self.issues.push(Issue {
            target,
            line,
            check,
            facts: Facts::default(),
            more: Vec::new(),
            profile: None,
        });
        self.issues.last_mut().expect("just pushed")
    }
}

/// Runs every check over the files and the environment, in the order the
/// checks run (reports order them by place and severity).
pub fn run(setup: &Setup) -> Vec<Issue> {
    let mut out = Out { issues: Vec::new() };
    for (target, file) in setup.files() {
        parse_problems(&mut out, target, file);
        section_style(&mut out, target, file);
        characters(&mut out, target, file, setup);
        values(&mut out, target, file, setup.pasted);
        if !setup.pasted {
            permissions(&mut out, target, file, setup);
        }
    }
    profiles(&mut out, setup);
    if !setup.pasted {
        environment(&mut out, setup);
    }
    out.issues
}

/// The file's kind and path, and the CLI's error when it stops at `line`.
fn file_facts<'a>(issue: &'a mut Issue, file: &IniFile, line: usize) -> &'a mut Issue {
    issue
        .with(Fact::ConfigFile, file.kind.as_str())
        .with(Fact::ConfigPath, file.path.as_str());
    if let Some(e) = file.cli_error.as_ref().filter(|e| e.line == line) {
        issue.with(Fact::ConfigCliError, e.error.as_str());
    }
    issue
}

fn parse_problems(out: &mut Out, target: Target, file: &IniFile) {
    if file.bom {
        file_facts(out.add(target, 1, "utf8-bom"), file, 1);
    }
    if let Some(line) = file.invalid_utf8_line {
        file_facts(out.add(target, line, "not-utf8"), file, line);
    }
    for p in &file.problems {
        let line = p.line;
        let text = file.line(line).trim_matches(py_space);
        let check = match &p.problem {
            Problem::MissingSectionHeader if file.bom && line == 1 => continue,
            Problem::MissingSectionHeader if text.starts_with('[') => "missing-bracket",
            Problem::MissingSectionHeader => "no-section",
            Problem::NotKeyValue if text.starts_with('[') => "missing-bracket",
            Problem::NotKeyValue => "missing-equals",
            Problem::EmptyKey => "empty-key",
            Problem::DuplicateSection { .. } => "duplicate-section",
            Problem::DuplicateKey { .. } => "duplicate-key",
            Problem::SubsectionNotKeyValue => "missing-equals",
            Problem::Continuation { .. } => "indented-key",
        };
        let issue = file_facts(out.add(target, line, check), file, line);
        issue.with(Fact::ConfigLineText, text);
        match &p.problem {
            Problem::MissingSectionHeader => {
                issue.with(Fact::ConfigParseProblem, "missing-section-header");
            }
            Problem::NotKeyValue => {
                issue.with(Fact::ConfigParseProblem, "not-key-value");
            }
            Problem::SubsectionNotKeyValue => {
                issue.with(Fact::ConfigParseProblem, "subsection-not-key-value");
            }
            Problem::DuplicateSection { first } => {
                issue
                    .with(Fact::ConfigFirstLine, *first as i64)
                    .more
                    .push(*first);
            }
            Problem::DuplicateKey { first, section } => {
                issue
                    .with(Fact::ConfigFirstLine, *first as i64)
                    .with(Fact::ConfigSection, section.as_str())
                    .more
                    .push(*first);
            }
            Problem::Continuation { of, of_line } => {
                issue
                    .with(Fact::ConfigKey, of.as_str())
                    .with(Fact::ConfigFirstLine, *of_line as i64)
                    .more
                    .push(*of_line);
            }
            Problem::EmptyKey => {}
        }
    }
    // A CLI error with no problem at its line (cannot happen today; kept so
    // the CLI's line is always named).
    if let Some(e) = &file.cli_error
        && !out
            .issues
            .iter()
            .any(|i| i.target == target && i.line == e.line)
    {
        file_facts(out.add(target, e.line, "unparseable"), file, e.line);
    }
    if let Some(first) = file.crlf_lines.first() {
        out.add(target, *first, "crlf")
            .with(Fact::ConfigCount, file.crlf_lines.len() as i64);
    }
}

fn section_style(out: &mut Out, target: Target, file: &IniFile) {
    for s in &file.sections {
        if s.header.is_empty() {
            continue;
        }
        let header = &s.header;
        match (file.kind, &s.kind) {
            (FileKind::Credentials, SectionKind::Profile(name)) if name.starts_with("profile ") => {
                let bare = name.trim_start_matches("profile ").trim();
                out.add(target, s.line, "profile-prefix-in-credentials")
                    .with(Fact::ConfigSection, name.as_str())
                    .with(Fact::ConfigExpected, bare)
                    .profile = Some(name.clone());
            }
            (FileKind::Config, SectionKind::Other)
                if !KNOWN_CONFIG_SECTIONS.contains(&header.as_str()) =>
            {
                let words = super::ini::shell_words(header).unwrap_or_default();
                let issue = out
                    .add(target, s.line, "section-style")
                    .with(Fact::ConfigSection, header.as_str());
                if header.trim() != header.as_str() {
                    issue.with(Fact::ConfigExpected, header.trim());
                } else if ["profile", "sso-session", "services"]
                    .iter()
                    .any(|p| header.starts_with(p))
                {
                    issue
                        .with(
                            Fact::ConfigSectionType,
                            words.first().map_or("profile", String::as_str),
                        )
                        .with(Fact::ConfigCount, words.len() as i64);
                }
                issue.profile = words.last().cloned();
            }
            (_, SectionKind::ParserDefault) => {
                out.add(target, s.line, "parser-default-section");
            }
            _ => {}
        }
    }
}

/// A character no one means to type into a profile name, key or value.
fn invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// `U+200B ZERO WIDTH SPACE` and friends, by name where known.
pub fn describe_char(c: char) -> String {
    let name = match c {
        '\u{a0}' => " (no-break space)",
        '\u{ad}' => " (soft hyphen)",
        '\u{200b}' => " (zero-width space)",
        '\u{200c}' => " (zero-width non-joiner)",
        '\u{200d}' => " (zero-width joiner)",
        '\u{200e}' | '\u{200f}' => " (direction mark)",
        '\u{2060}' => " (word joiner)",
        '\u{feff}' => " (byte-order mark / zero-width no-break space)",
        '\u{2013}' => " (en dash)",
        '\u{2014}' => " (em dash)",
        '\u{2018}' | '\u{2019}' => " (curly single quote)",
        '\u{201c}' | '\u{201d}' => " (curly double quote)",
        c if c.is_whitespace() => " (Unicode space)",
        _ => "",
    };
    format!("U+{:04X}{name}", c as u32)
}

/// A value a user blanked out before pasting (`xxxx`, `****`, `<your key>`,
/// `REDACTED`, an emoji): its shape says nothing about the real one.
pub fn looks_redacted(value: &str) -> bool {
    let v = value.trim_matches(['"', '\'']).to_ascii_lowercase();
    let mut chars = v.chars();
    let same = chars.next().is_none_or(|first| chars.all(|c| c == first));
    let symbol = |c: char| !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace();
    same || v.chars().any(|c| symbol(c) && !invisible(c))
        || v.contains(['*', '<', '>', '{', '}', '$'])
        || v.contains("xxx")
        || v.contains("...")
        || [
            "redacted", "hidden", "removed", "masked", "your", "secret", "censored",
        ]
        .iter()
        .any(|w| v.contains(w))
}

fn characters(out: &mut Out, target: Target, file: &IniFile, setup: &Setup) {
    let mask = setup.mask;
    let mut check = |line: usize,
                     what: &str,
                     text: &str,
                     secret: bool,
                     credential: bool,
                     profile: Option<&str>| {
        let Some((pos, c)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii()) else {
            return;
        };
        let bad = invisible(c) || c.is_whitespace();
        let check = if bad {
            "invisible-character"
        } else {
            "non-ascii"
        };
        let issue = out
            .add(target, line, check)
            .with(Fact::ConfigWhat, what)
            .with(Fact::ConfigChar, describe_char(c))
            .with(Fact::ConfigPosition, pos as i64 + 1)
            .with(Fact::ConfigSecret, secret);
        let shown = !(secret || what == "value" && credential && mask);
        if shown {
            issue.with(Fact::ConfigValue, super::show(text));
        }
        issue.profile = profile.map(str::to_string);
    };
    for s in &file.sections {
        let profile = match &s.kind {
            SectionKind::Profile(p) => Some(p.as_str()),
            _ => None,
        };
        if !(file.bom && s.line == 1) {
            check(s.line, "profile name", &s.header, false, false, profile);
        }
        for e in &s.entries {
            check(e.line, "key", &e.raw_key, false, false, profile);
            let secret = SECRET_KEYS.contains(&e.key.as_str());
            let credential = CREDENTIAL_KEYS.contains(&e.key.as_str());
            if !(setup.pasted && looks_redacted(&e.value)) {
                check(e.line, "value", &e.value, secret, credential, profile);
            }
        }
    }
}

fn values(out: &mut Out, target: Target, file: &IniFile, pasted: bool) {
    for s in &file.sections {
        let profile = match &s.kind {
            SectionKind::Profile(p) => Some(p.clone()),
            _ => None,
        };
        for e in &s.entries {
            let v = &e.value;
            // `AWS_ACCESS_KEY_ID = …`: the AWS CLI lower-cases keys, but
            // SDKs that read the files themselves match them exactly.
            if e.raw_key != e.key && KNOWN_KEYS.contains(&e.key.as_str()) {
                out.add(target, e.line, "key-case")
                    .with(Fact::ConfigKey, e.raw_key.as_str())
                    .with(Fact::ConfigExpected, e.key.as_str())
                    .with(
                        Fact::ConfigImportantKey,
                        CREDENTIAL_KEYS.contains(&e.key.as_str()),
                    )
                    .profile = profile.clone();
            }
            if pasted && looks_redacted(v) {
                continue;
            }
            let quoted = v.len() >= 2
                && ((v.starts_with('"') && v.ends_with('"'))
                    || (v.starts_with('\'') && v.ends_with('\'')));
            if quoted {
                let important =
                    CREDENTIAL_KEYS.contains(&e.key.as_str()) || e.key.ends_with("region");
                out.add(target, e.line, "quoted-value")
                    .with(Fact::ConfigKey, e.raw_key.as_str())
                    .with(Fact::ConfigImportantKey, important)
                    .profile = profile.clone();
            } else if let Some(at) = v.find([' ', '\t']).filter(|_| {
                CREDENTIAL_KEYS[..4].contains(&e.key.as_str()) || e.key.ends_with("region")
            }) {
                out.add(target, e.line, "whitespace-in-value")
                    .with(Fact::ConfigKey, e.raw_key.as_str())
                    .with(Fact::ConfigPosition, v[..at].chars().count() as i64 + 1)
                    .profile = profile.clone();
            }
            // `region = us-east-1 # prod`: no inline comments in the CLI.
            if let Some(at) = v.find(" #").or(v.find(" ;")).or(v.find("\t#")) {
                out.add(target, e.line, "inline-comment")
                    .with(Fact::ConfigKey, e.raw_key.as_str())
                    .with(Fact::ConfigComment, v[at..].trim())
                    .profile = profile.clone();
            }
            if e.raw_value.trim_end_matches(py_space).len()
                != e.raw_value.trim_end_matches(' ').len()
                || e.raw_value.ends_with('\t')
            {
                // Trailing tabs or Unicode spaces: the CLI trims them, other
                // tools may not. Informational.
                out.add(target, e.line, "trailing-whitespace")
                    .with(Fact::ConfigKey, e.raw_key.as_str())
                    .profile = profile.clone();
            }
            match e.key.as_str() {
                "aws_access_key_id" => key_id_shape(out, target, e, profile.clone()),
                "aws_secret_access_key" => secret_shape(out, target, e, profile.clone()),
                "region" | "sso_region" => {
                    region_shape(out, target, e.line, &e.raw_key, v, profile.clone())
                }
                _ => {}
            }
        }
    }
}

/// What is wrong with an access key id's shape, if anything.
pub fn key_id_problem(id: &str) -> Option<String> {
    let id = id.trim_matches(['"', '\'']);
    if id.is_empty() {
        return Some("it is empty".into());
    }
    if id.chars().any(|c| c.is_ascii_lowercase()) && id.to_ascii_uppercase().starts_with("A") {
        return Some("it has lower-case letters (key ids are upper case and digits)".into());
    }
    if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Some("it has characters other than A–Z and 0–9".into());
    }
    let n = id.chars().count();
    if !(16..=128).contains(&n) || (id.starts_with("AKIA") || id.starts_with("ASIA")) && n != 20 {
        return Some(format!(
            "it is {n} characters long (AKIA…/ASIA… key ids have 20)"
        ));
    }
    if !id.starts_with("AKIA") && !id.starts_with("ASIA") {
        return Some(format!(
            "it starts with `{}`, not AKIA (long-term key) or ASIA (temporary key)",
            id.chars().take(4).collect::<String>()
        ));
    }
    None
}

fn key_id_shape(out: &mut Out, target: Target, e: &Entry, profile: Option<String>) {
    if !e.value.is_ascii() || e.value.starts_with(['"', '\'']) {
        return; // reported as a character / quote problem
    }
    if let Some(why) = key_id_problem(&e.value) {
        out.add(target, e.line, "key-id-shape")
            .with(Fact::ConfigShapeProblem, why)
            .profile = profile;
    }
}

/// What is wrong with a secret access key's shape (never quoting it).
pub fn secret_problem(secret: &str) -> Option<String> {
    let n = secret.chars().count();
    if secret.starts_with(['"', '\'']) || !secret.is_ascii() {
        return None; // reported as a quote / character problem
    }
    if secret.starts_with("AKIA") || secret.starts_with("ASIA") {
        return Some("it looks like an access key id, not a secret".into());
    }
    if !secret
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+')
    {
        return Some("it has characters other than A–Z, a–z, 0–9, / and +".into());
    }
    if n != 40 {
        return Some(format!(
            "it is {n} characters long (secret access keys have 40)"
        ));
    }
    None
}

fn secret_shape(out: &mut Out, target: Target, e: &Entry, profile: Option<String>) {
    if let Some(why) = secret_problem(&e.value) {
        out.add(target, e.line, "secret-shape")
            .with(Fact::ConfigShapeProblem, why)
            .profile = profile;
    }
}

/// What is wrong with a region name, if anything.
pub fn region_problem(region: &str) -> Option<String> {
    if region.is_empty() {
        return Some("it is empty".into());
    }
    if region.chars().any(|c| c.is_ascii_uppercase()) {
        return Some(format!(
            "it has upper-case letters (write `{}`)",
            region.to_ascii_lowercase()
        ));
    }
    if region.contains('_') {
        return Some(format!(
            "it has underscores (write `{}`)",
            region.replace('_', "-")
        ));
    }
    let parts: Vec<&str> = region.split('-').collect();
    let last = parts.last().copied().unwrap_or("");
    let shaped = parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if shaped
        && last.len() >= 2
        && last.ends_with(|c: char| c.is_ascii_lowercase())
        && last[..last.len() - 1].chars().all(|c| c.is_ascii_digit())
    {
        return Some(format!(
            "it is an availability zone; the region is `{}`",
            &region[..region.len() - 1]
        ));
    }
    if !shaped || !last.chars().all(|c| c.is_ascii_digit()) {
        return Some("regions look like `us-east-1` or `eu-west-2`".into());
    }
    None
}

fn region_shape(
    out: &mut Out,
    target: Target,
    line: usize,
    key: &str,
    value: &str,
    profile: Option<String>,
) {
    if value.chars().any(|c| !c.is_ascii() || c == ' ') || value.starts_with(['"', '\'']) {
        return;
    }
    if let Some(why) = region_problem(value) {
        out.add(target, line, "region-shape")
            .with(Fact::ConfigKey, key)
            .with(Fact::ConfigValue, value)
            .with(Fact::ConfigShapeProblem, why)
            .profile = profile;
    }
}

#[cfg(unix)]
fn permissions(out: &mut Out, target: Target, file: &IniFile, setup: &Setup) {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = setup.path_of(target) else {
        return;
    };
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    let holds_secrets = file.kind == FileKind::Credentials
        || file
            .sections
            .iter()
            .flat_map(|s| &s.entries)
            .any(|e| SECRET_KEYS.contains(&e.key.as_str()));
    if holds_secrets && mode & 0o077 != 0 {
        out.add(target, 1, "file-permissions")
            .with(Fact::ConfigMode, format!("{mode:03o}"))
            .with(Fact::ConfigWorldReadable, mode & 0o007 != 0)
            .with(Fact::ConfigPath, path.display().to_string());
    }
}

#[cfg(not(unix))]
fn permissions(_: &mut Out, _: Target, _: &IniFile, _: &Setup) {}

/// The closest known name, when it is close enough to be a typo
/// (invisible characters, pasted in with the name, left out).
pub fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let clean: String = name.chars().filter(|c| !invisible(*c)).collect();
    crate::text::did_you_mean(&clean, known)
}

/// The known name closest to `name` (`config.suggestion`), else every known
/// name (`config.known`); neither when none is known.
fn suggest<'a>(issue: &'a mut Issue, name: &str, known: &[&str]) -> &'a mut Issue {
    match did_you_mean(name, known.iter().copied()) {
        Some(k) => issue.with(Fact::ConfigSuggestion, k),
        None if known.is_empty() => issue,
        None => issue.with(Fact::ConfigKnown, known.join(", ")),
    }
}

fn profiles(out: &mut Out, setup: &Setup) {
    let names = setup.profile_names();
    let known: Vec<&str> = names.iter().map(String::as_str).collect();
    // The chosen profile.
    let chosen = setup.chosen_profile();
    if chosen.explicit && !setup.pasted && !names.contains(&chosen.name) {
        let (target, line) = match chosen.env_var {
            Some(var) => (Target::Env, setup.env.line_of(var)),
            None => (Target::Env, 0),
        };
        let from = chosen
            .env_var
            .map_or("--profile".to_string(), str::to_string);
        let issue = out
            .add(target, line, "profile-not-found")
            .with(Fact::ConfigNamedBy, from)
            .with(Fact::ConfigProfile, chosen.name.as_str());
        suggest(issue, &chosen.name, &known).profile = Some(chosen.name.clone());
    }
    let sessions = setup.sso_session_names();
    for (target, file) in setup.files() {
        for (name, s) in file.profiles() {
            let refer = |out: &mut Out, key: &str, what: &str, list: &[&str]| {
                let Some(e) = s.get(key) else { return };
                // A paste may hold one profile of many: what it does not
                // show may well exist.
                if setup.pasted || list.contains(&e.value.as_str()) {
                    return;
                }
                let issue = out
                    .add(target, e.line, "reference-not-found")
                    .with(Fact::ConfigKey, key)
                    .with(Fact::ConfigWhat, what)
                    .with(Fact::ConfigProfile, name)
                    .with(Fact::ConfigValue, super::show(&e.value));
                suggest(issue, &e.value, list).profile = Some(name.to_string());
            };
            refer(out, "source_profile", "profile", &known);
            if file.kind == FileKind::Config {
                let ss: Vec<&str> = sessions.iter().map(String::as_str).collect();
                refer(out, "sso_session", "[sso-session]", &ss);
            }
        }
    }
    // Per merged profile: role settings, SSO, credentials.
    for name in &names {
        let get = |key: &str| setup.lookup(name, key);
        let at = |key: &str| get(key).map(|(t, e)| (t, e.line));
        if let Some((t, role)) = get("role_arn") {
            let sources = [
                "source_profile",
                "credential_source",
                "web_identity_token_file",
            ];
            let given: Vec<&str> = sources
                .iter()
                .copied()
                .filter(|k| get(k).is_some())
                .collect();
            if given.is_empty() && !setup.pasted {
                out.add(t, role.line, "role-without-source")
                    .with(Fact::ConfigProfile, name.as_str())
                    .profile = Some(name.clone());
            } else if given.contains(&"source_profile") && given.contains(&"credential_source") {
                out.add(t, role.line, "role-two-sources")
                    .with(Fact::ConfigProfile, name.as_str())
                    .profile = Some(name.clone());
            }
            if let Some((t, e)) = get("credential_source")
                && !["Environment", "Ec2InstanceMetadata", "EcsContainer"]
                    .contains(&e.value.as_str())
            {
                out.add(t, e.line, "credential-source")
                    .with(Fact::ConfigValue, super::show(&e.value))
                    .profile = Some(name.clone());
            }
        }
        // source_profile cycles (a profile naming itself with its own keys is allowed).
        if get("source_profile").is_some() {
            let mut path = vec![name.clone()];
            let mut cur = name.clone();
            while let Some((_, e)) = setup.lookup(&cur, "source_profile") {
                let next = e.value.clone();
                if next == cur && setup.lookup(&cur, "aws_access_key_id").is_some() {
                    break;
                }
                if let Some(i) = path.iter().position(|p| *p == next) {
                    if i == 0 {
                        let (t, line) = at("source_profile").expect("checked above");
                        path.push(next);
                        out.add(t, line, "source-profile-cycle")
                            .with(Fact::ConfigProfile, name.as_str())
                            .with(Fact::ConfigChain, path.join(" → "))
                            .profile = Some(name.clone());
                    }
                    break;
                }
                path.push(next.clone());
                cur = next;
            }
        }
        // SSO.
        let sso_keys = [
            "sso_start_url",
            "sso_region",
            "sso_account_id",
            "sso_role_name",
        ];
        if let Some((t, e)) = get("sso_session") {
            let missing: Vec<&str> = ["sso_account_id", "sso_role_name"]
                .into_iter()
                .filter(|k| get(k).is_none())
                .collect();
            if !missing.is_empty() && get("role_arn").is_none() {
                out.add(t, e.line, "sso-incomplete")
                    .with(Fact::ConfigProfile, name.as_str())
                    .with(Fact::ConfigMissing, missing.join(", "))
                    .with(Fact::ConfigMissingAnd, missing.join(" and "))
                    .profile = Some(name.clone());
            }
            if let Some((st, session)) = setup.sso_session(&e.value) {
                let missing: Vec<&str> = ["sso_start_url", "sso_region"]
                    .into_iter()
                    .filter(|k| session.get(k).is_none())
                    .collect();
                if !missing.is_empty() {
                    out.add(st, session.line, "sso-incomplete")
                        .with(Fact::ConfigSection, session.header.as_str())
                        .with(Fact::ConfigMissing, missing.join(", "))
                        .with(Fact::ConfigMissingAnd, missing.join(" and "));
                }
            }
        } else if let Some((t, e)) = sso_keys.iter().find_map(|k| get(k)) {
            let missing: Vec<&str> = sso_keys.into_iter().filter(|k| get(k).is_none()).collect();
            if !missing.is_empty() {
                out.add(t, e.line, "sso-incomplete")
                    .with(Fact::ConfigProfile, name.as_str())
                    .with(Fact::ConfigMissing, missing.join(", "))
                    .profile = Some(name.clone());
            }
        }
        // Credentials in files: partial, and key type vs session token.
        for (target, file) in setup.files() {
            for (pname, s) in file.profiles() {
                if pname != name {
                    continue;
                }
                credential_set(out, target, s, name, file.kind);
            }
        }
        if let Some((t, e)) = get("credential_process").filter(|_| !setup.pasted) {
            process_on_path(out, t, e, name, setup);
        }
    }
    // Duplicated profile across both files with different keys is fine (the
    // credentials file wins key by key): not reported.
}

fn credential_set(out: &mut Out, target: Target, s: &Section, name: &str, kind: FileKind) {
    let key = s.get("aws_access_key_id");
    let secret = s.get("aws_secret_access_key");
    let token = s.get("aws_session_token").or(s.get("aws_security_token"));
    let provider = match kind {
        FileKind::Credentials => "shared-credentials-file",
        FileKind::Config => "config-file",
    };
    match (key, secret) {
        (Some(k), None) | (None, Some(k)) => {
            let missing = if key.is_some() {
                "aws_secret_access_key"
            } else {
                "aws_access_key_id"
            };
            out.add(target, k.line, "partial-credentials")
                .with(Fact::ConfigProfile, name)
                .with(Fact::ConfigPresent, k.key.as_str())
                .with(Fact::ConfigMissingKey, missing)
                .with(Fact::ConfigProvider, provider)
                .with(Fact::ConfigSection, s.header.as_str())
                .profile = Some(name.to_string());
        }
        _ => {}
    }
    if let Some(k) = key {
        let id = k.value.as_str();
        if id.starts_with("ASIA") && token.is_none() {
            out.add(target, k.line, "temporary-key-without-token")
                .with(Fact::ConfigProfile, name)
                .with(Fact::ConfigSection, s.header.as_str())
                .profile = Some(name.to_string());
        }
        if let Some(t) = token.filter(|_| id.starts_with("AKIA")) {
            let issue = out
                .add(target, t.line, "token-with-long-term-key")
                .with(Fact::ConfigProfile, name);
            issue.profile = Some(name.to_string());
            issue.more.push(k.line);
        }
    }
}

/// The command's program, found the way a shell would.
fn process_on_path(out: &mut Out, target: Target, e: &Entry, name: &str, setup: &Setup) {
    let Some(words) = super::ini::shell_words(&e.value) else {
        return;
    };
    let Some(program) = words.first() else { return };
    let found = if program.contains('/') {
        let p = std::path::Path::new(program);
        let p = match program.strip_prefix("~/") {
            Some(rest) => setup.env.home().map(|h| std::path::Path::new(h).join(rest)),
            None => Some(p.to_path_buf()),
        };
        p.is_some_and(|p| is_executable(&p))
    } else {
        setup
            .env
            .path_dirs()
            .iter()
            .any(|d| is_executable(&d.join(program)))
    };
    if !found {
        out.add(target, e.line, "process-not-found")
            .with(Fact::ConfigProfile, name)
            .with(Fact::ConfigProgram, super::show(program))
            .with(Fact::ConfigProgramIsPath, program.contains('/'))
            .profile = Some(name.to_string());
    }
}

fn is_executable(p: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

fn environment(out: &mut Out, setup: &Setup) {
    let env: &Env = &setup.env;
    let line = |v: &str| env.line_of(v);
    let key = env.get("AWS_ACCESS_KEY_ID").filter(|v| !v.is_empty());
    let secret = env.get("AWS_SECRET_ACCESS_KEY").filter(|v| !v.is_empty());
    let token = env
        .get("AWS_SESSION_TOKEN")
        .or(env.get("AWS_SECURITY_TOKEN"))
        .filter(|v| !v.is_empty());
    let chosen = setup.chosen_profile();
    if let (Some(_), Some(var)) = (key, chosen.env_var) {
        if chosen.flag_given {
            // --profile disables the environment provider: the keys are ignored.
        } else {
            let issue = out
                .add(Target::Env, line("AWS_ACCESS_KEY_ID"), "env-override")
                .with(Fact::ConfigProfile, chosen.name.as_str())
                .with(Fact::ConfigEnvVar, var);
            issue.more.push(line(var));
            issue.profile = Some(chosen.name.clone());
        }
    }
    if let (Some(a), Some(b)) = (env.get("AWS_PROFILE"), env.get("AWS_DEFAULT_PROFILE"))
        && a != b
    {
        out.add(
            Target::Env,
            line("AWS_DEFAULT_PROFILE"),
            "profile-vars-disagree",
        )
        .with(Fact::ConfigProfile, a)
        .with(Fact::ConfigOtherProfile, b)
        .more
        .push(line("AWS_PROFILE"));
    }
    match (key, secret) {
        (Some(_), None) | (None, Some(_)) => {
            let missing = if key.is_some() {
                "AWS_SECRET_ACCESS_KEY"
            } else {
                "AWS_ACCESS_KEY_ID"
            };
            let have = if key.is_some() {
                "AWS_ACCESS_KEY_ID"
            } else {
                "AWS_SECRET_ACCESS_KEY"
            };
            out.add(Target::Env, line(have), "partial-credentials")
                .with(Fact::ConfigPresent, have)
                .with(Fact::ConfigMissing, missing)
                .with(Fact::ConfigMissingKey, missing.to_lowercase());
        }
        _ => {}
    }
    if let Some(k) = key {
        if let Some(why) =
            key_id_problem(k).or_else(|| k.chars().find(|c| !c.is_ascii()).map(describe_char))
        {
            out.add(Target::Env, line("AWS_ACCESS_KEY_ID"), "key-id-shape")
                .with(Fact::ConfigShapeProblem, why);
        }
        if k.starts_with("ASIA") && token.is_none() {
            out.add(
                Target::Env,
                line("AWS_ACCESS_KEY_ID"),
                "temporary-key-without-token",
            );
        }
        if k.starts_with("AKIA") && token.is_some() {
            out.add(
                Target::Env,
                line("AWS_SESSION_TOKEN"),
                "token-with-long-term-key",
            );
        }
    }
    if let Some(s) = secret
        && let Some(why) = secret_problem(s)
    {
        out.add(Target::Env, line("AWS_SECRET_ACCESS_KEY"), "secret-shape")
            .with(Fact::ConfigShapeProblem, why);
    }
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(v) = env.get(var)
            && let Some(why) = region_problem(v)
        {
            out.add(Target::Env, line(var), "region-shape")
                .with(Fact::ConfigEnvVar, var)
                .with(Fact::ConfigValue, super::show(v))
                .with(Fact::ConfigShapeProblem, why);
        }
    }
    for (var, path) in [
        ("AWS_CONFIG_FILE", &setup.config_path),
        ("AWS_SHARED_CREDENTIALS_FILE", &setup.credentials_path),
    ] {
        if let (Some(_), Some(p)) = (env.get(var), path)
            && !setup.flag_paths.contains(p)
            && !p.exists()
        {
            let kind = if var == "AWS_CONFIG_FILE" {
                FileKind::Config
            } else {
                FileKind::Credentials
            };
            out.add(Target::Env, line(var), "file-not-found")
                .with(Fact::ConfigEnvVar, var)
                .with(Fact::ConfigPath, p.display().to_string())
                .with(Fact::ConfigFile, kind.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(key_id_problem("AKIAIOSFODNN7EXAMPLE").is_none());
        assert!(key_id_problem("akiaiosfodnn7example").is_some());
        assert!(key_id_problem("AKIAIOSFODNN7EXAMPL").is_some());
        assert!(secret_problem("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_none());
        assert!(secret_problem("wJalrXUtnFEMI/K7MDENG").is_some());
        assert!(region_problem("us-east-1").is_none());
        assert!(region_problem("us-gov-west-1").is_none());
        assert!(
            region_problem("us-east-1a")
                .unwrap()
                .contains("availability zone")
        );
        assert!(region_problem("US-EAST-1").is_some());
        assert!(region_problem("us_east_1").is_some());
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("prdo", ["prod", "dev"]), Some("prod"));
        assert_eq!(did_you_mean("Prod", ["prod", "dev"]), Some("prod"));
        assert_eq!(did_you_mean("pro\u{200b}d", ["prod"]), Some("prod"));
        assert_eq!(did_you_mean("staging", ["prod", "dev"]), None);
    }
}
