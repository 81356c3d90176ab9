//! The checks of `authsift config`: each problem with its file and line, a
//! root-cause id from the fixed vocabulary and a fix. Values are never
//! quoted when they are secret; key ids are masked unless asked otherwise.
//!
//! Length: about 1,200 lines, every check of `authsift config` in one file
//! because they share the private issue collector and the ordering the
//! AWS CLI reads files in; each check is one function (`parse_problems`,
//! `section_style`, `characters`, `values`, `permissions`, `profiles`,
//! `environment`), run in that order by [`run`]. Most of its tests are in
//! `tests/config.rs`, which drives real files through the binary.

use crate::finding::{RootCause, Severity};

use super::ini::{Entry, FileKind, IniFile, Problem, Section, SectionKind, py_space};
use super::{Env, Setup, Target};

/// One problem found, before it becomes a `Finding`.
#[derive(Debug, Clone)]
pub struct Issue {
    /// Which file (or the environment).
    pub target: Target,
    /// The line that shows it (for the environment, the variable's place in
    /// the sorted `AWS_*` listing).
    pub line: usize,
    /// The root cause.
    pub rule: RootCause,
    /// Short name of the check (`missing-bracket`), shown as the headline.
    pub check: &'static str,
    /// How much it matters.
    pub severity: Severity,
    /// The problem in one line.
    pub title: String,
    /// What the CLI will do because of it.
    pub explanation: String,
    /// What to change, in order.
    pub fix: Vec<String>,
    /// Further evidence lines of the same input.
    pub more: Vec<usize>,
    /// The profile concerned, if one is.
    pub profile: Option<String>,
}

const MALFORMED: RootCause = RootCause::ConfigMalformed;
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
/// Sections the CLI itself keeps in the config file besides profiles.
const KNOWN_CONFIG_SECTIONS: [&str; 3] = ["plugins", "preview", "cli"];

struct Out {
    issues: Vec<Issue>,
}

impl Out {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        target: Target,
        line: usize,
        rule: RootCause,
        check: &'static str,
        severity: Severity,
        title: impl Into<String>,
        explanation: impl Into<String>,
        fix: Vec<String>,
    ) -> &mut Issue {
        self.issues.push(Issue {
            target,
            line,
            rule,
            check,
            severity,
            title: title.into(),
            explanation: explanation.into(),
            fix,
            more: Vec::new(),
            profile: None,
        });
        self.issues.last_mut().expect("just pushed")
    }
}

/// Runs every check over the files and the environment.
pub fn run(setup: &Setup) -> Vec<Issue> {
    let mut out = Out { issues: Vec::new() };
    for (target, file) in setup.files() {
        parse_problems(&mut out, target, file);
        section_style(&mut out, target, file);
        characters(&mut out, target, file, setup.mask);
        values(&mut out, target, file);
        permissions(&mut out, target, file, setup);
    }
    profiles(&mut out, setup);
    environment(&mut out, setup);
    out.issues
        .sort_by_key(|i| (i.target, i.line, std::cmp::Reverse(i.severity)));
    out.issues
}

/// The target and the file name the CLI's message names.
fn cli_stops(file: &IniFile, line: usize) -> String {
    match &file.cli_error {
        Some(e) if e.line == line => format!(
            " The AWS CLI stops at this line: `Unable to parse config file: {}` ({}), and nothing runs until it is fixed.",
            file.path, e.error
        ),
        _ => String::new(),
    }
}

fn parse_problems(out: &mut Out, target: Target, file: &IniFile) {
    let name = file.kind.as_str();
    if file.bom {
        let stop = cli_stops(file, 1);
        out.add(
            target,
            1,
            MALFORMED,
            "utf8-bom",
            Severity::High,
            format!("The {name} file starts with a UTF-8 byte-order mark"),
            format!("The file was saved with a byte-order mark (U+FEFF, common with Windows editors). The CLI does not remove it, so the first line is not a section header.{stop}"),
            vec![
                "Save the file as UTF-8 without BOM, or strip it: sed -i '1s/^\\xEF\\xBB\\xBF//' FILE".into(),
            ],
        );
    }
    if let Some(line) = file.invalid_utf8_line {
        out.add(
            target,
            line,
            MALFORMED,
            "not-utf8",
            Severity::High,
            format!("The {name} file is not valid UTF-8"),
            format!(
                "This line holds bytes that are not UTF-8; the CLI cannot decode the file.{}",
                cli_stops(file, line)
            ),
            vec!["Re-save the file as UTF-8 (iconv -f latin1 -t utf-8 FILE)".into()],
        );
    }
    for p in &file.problems {
        let line = p.line;
        let text = file.line(line).trim_matches(py_space);
        let stop = cli_stops(file, line);
        let (check, severity, title, why, fix): (&str, Severity, String, String, String) = match &p
            .problem
        {
            Problem::MissingSectionHeader if file.bom && line == 1 => continue,
            Problem::MissingSectionHeader if text.starts_with('[') => (
                "missing-bracket",
                Severity::High,
                "A section header is missing its closing `]`".into(),
                format!(
                    "`[` starts a section header, but the line has no closing `]`, and no section has started yet.{stop}"
                ),
                format!("Close the header: {}]", text),
            ),
            Problem::MissingSectionHeader => (
                "no-section",
                Severity::High,
                "A key comes before any section header".into(),
                format!("Every key must belong to a section such as [default].{stop}"),
                "Add a section header above it, e.g. [default]".into(),
            ),
            Problem::NotKeyValue if text.starts_with('[') => (
                "missing-bracket",
                Severity::High,
                "A section header is missing its closing `]`".into(),
                format!(
                    "Without `]` the line is neither a section header nor `key = value`; the CLI refuses the file at the end of reading it.{stop}"
                ),
                format!("Close the header: {}]", text),
            ),
            Problem::NotKeyValue => (
                "missing-equals",
                Severity::High,
                "A line is neither a section header nor `key = value`".into(),
                format!(
                    "The CLI reads `key = value` (or `key: value`); this line has neither `=` nor `:`.{stop}"
                ),
                "Write it as key = value, or comment it out with #".into(),
            ),
            Problem::EmptyKey => (
                "empty-key",
                Severity::High,
                "A value has no key".into(),
                format!("The line starts with its delimiter: there is no key name.{stop}"),
                "Put the key name before `=`".into(),
            ),
            Problem::DuplicateSection { first } => (
                "duplicate-section",
                Severity::High,
                "A section appears twice".into(),
                format!(
                    "The same section was already opened at line {first}; the CLI refuses duplicate sections.{stop}"
                ),
                format!("Merge the two sections into the one at line {first}"),
            ),
            Problem::DuplicateKey { first, section } => (
                "duplicate-key",
                Severity::High,
                "A key appears twice in one section".into(),
                format!(
                    "The key was already set at line {first} in [{section}] (keys are case-insensitive); the CLI refuses duplicate keys.{stop}"
                ),
                format!("Keep one of the two (line {first} or this one)"),
            ),
            Problem::SubsectionNotKeyValue => (
                "missing-equals",
                Severity::High,
                "A sub-section line is not `key = value`".into(),
                format!(
                    "Indented lines after `name =` form a sub-section (like `s3 =`), and each must be `key = value`.{stop}"
                ),
                "Write it as key = value, or un-indent it if it was meant as a key of its own"
                    .into(),
            ),
            Problem::Continuation { of, of_line } => (
                "indented-key",
                Severity::Medium,
                "An indented line is read as part of the previous value".into(),
                format!(
                    "Because it is indented, the CLI glues this line onto `{of}` (line {of_line}) instead of reading it as a key."
                ),
                "Remove the indentation".into(),
            ),
        };
        let issue = out.add(
            target,
            line,
            MALFORMED,
            check,
            severity,
            title,
            why,
            vec![fix],
        );
        match &p.problem {
            Problem::DuplicateSection { first } | Problem::DuplicateKey { first, .. } => {
                issue.more.push(*first)
            }
            Problem::Continuation { of_line, .. } => issue.more.push(*of_line),
            _ => {}
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
        out.add(
            target,
            e.line,
            MALFORMED,
            "unparseable",
            Severity::High,
            format!("The AWS CLI cannot parse the {name} file"),
            format!("The CLI stops at this line: {}", e.error),
            vec!["Fix the line so it is a section header or key = value".into()],
        );
    }
    if let Some(first) = file.crlf_lines.first() {
        let issue = out.add(
            target,
            *first,
            MALFORMED,
            "crlf",
            Severity::Low,
            "The file has Windows (CRLF) line endings".to_string(),
            format!(
                "{} line(s) end with CRLF. The AWS CLI accepts this; some other tools (shell scripts that source or grep the file) keep the CR in values.",
                file.crlf_lines.len()
            ),
            vec!["Optional: convert with dos2unix FILE".into()],
        );
        issue.check = "crlf";
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
                out.add(
                    target,
                    s.line,
                    MALFORMED,
                    "profile-prefix-in-credentials",
                    Severity::Medium,
                    "`[profile …]` used in the credentials file",
                    format!("In the credentials file every section name is the profile name, so this section defines a profile literally named `{name}`, not `{bare}`."),
                    vec![format!("Rename the section to [{bare}] (the `profile ` prefix belongs in the config file only)")],
                )
                .profile = Some(name.clone());
            }
            (FileKind::Config, SectionKind::Other)
                if !KNOWN_CONFIG_SECTIONS.contains(&header.as_str()) =>
            {
                let words = super::ini::shell_words(header).unwrap_or_default();
                let (title, why, fix) = if header.trim() != header.as_str() {
                    (
                        "A section name has spaces inside its brackets".to_string(),
                        format!(
                            "The CLI takes the text between the brackets as it is, so `[{header}]` is not the section it looks like."
                        ),
                        format!("Write [{}]", header.trim()),
                    )
                } else if ["profile", "sso-session", "services"]
                    .iter()
                    .any(|p| header.starts_with(p))
                {
                    (
                        "A section header the CLI cannot read".to_string(),
                        format!(
                            "The CLI expects `[{} NAME]` with exactly one name (quote names with spaces); this header has {} word(s), so the section is ignored.",
                            words.first().map_or("profile", String::as_str),
                            words.len()
                        ),
                        "Write [profile NAME] with one name".to_string(),
                    )
                } else {
                    (
                        "Profile section without `profile ` in the config file".to_string(),
                        format!(
                            "In the config file profiles other than default are written `[profile {header}]`; the CLI ignores `[{header}]`."
                        ),
                        format!("Rename the section to [profile {header}]"),
                    )
                };
                out.add(
                    target,
                    s.line,
                    MALFORMED,
                    "section-style",
                    Severity::Medium,
                    title,
                    why,
                    vec![fix],
                )
                .profile = words.last().cloned();
            }
            (_, SectionKind::ParserDefault) => {
                out.add(
                    target,
                    s.line,
                    MALFORMED,
                    "parser-default-section",
                    Severity::Medium,
                    "`[DEFAULT]` is not the default profile",
                    "The CLI's parser treats an upper-case [DEFAULT] as defaults for every section: its keys silently appear in all profiles, and there is still no `default` profile.",
                    vec!["Rename it to [default] (lower case)".into()],
                );
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

fn characters(out: &mut Out, target: Target, file: &IniFile, mask: bool) {
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
        let at = if secret {
            format!("character {} of the value", pos + 1)
        } else {
            format!("position {}", pos + 1)
        };
        let (rule, severity) = match what {
            "profile name" => (RootCause::CredentialsProfileNotFound, Severity::High),
            _ if bad => (MALFORMED, Severity::High),
            _ => (MALFORMED, Severity::Medium),
        };
        let shown = if secret || what == "value" && credential && mask {
            String::new()
        } else {
            format!(" (`{}`)", super::show(text))
        };
        out.add(
            target,
            line,
            rule,
            if bad { "invisible-character" } else { "non-ascii" },
            severity,
            format!("A {} character in a {what}", if bad { "hidden" } else { "non-ASCII" }),
            format!(
                "The {what}{shown} holds {} at {at}. The CLI keeps it: names no longer match and keys are sent with it (AWS then answers InvalidClientTokenId or SignatureDoesNotMatch).",
                describe_char(c)
            ),
            vec![format!("Retype the {what} by hand, or delete the character: sed -i 's/\\xe2\\x80\\x8b//g; s/\\xc2\\xa0/ /g' FILE")],
        )
        .profile = profile.map(str::to_string);
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
            check(e.line, "value", &e.value, secret, credential, profile);
        }
    }
}

fn values(out: &mut Out, target: Target, file: &IniFile) {
    for s in &file.sections {
        let profile = match &s.kind {
            SectionKind::Profile(p) => Some(p.clone()),
            _ => None,
        };
        for e in &s.entries {
            let v = &e.value;
            let quoted = v.len() >= 2
                && ((v.starts_with('"') && v.ends_with('"'))
                    || (v.starts_with('\'') && v.ends_with('\'')));
            if quoted {
                let severity =
                    if CREDENTIAL_KEYS.contains(&e.key.as_str()) || e.key.ends_with("region") {
                        Severity::High
                    } else {
                        Severity::Medium
                    };
                out.add(
                    target,
                    e.line,
                    MALFORMED,
                    "quoted-value",
                    severity,
                    "A value is wrapped in quotes",
                    format!(
                        "The CLI does not remove quotes: `{}` includes them in its value.",
                        e.raw_key
                    ),
                    vec![format!("Remove the quotes: {} = value", e.raw_key)],
                )
                .profile = profile.clone();
            } else if let Some(at) = v.find([' ', '\t']).filter(|_| {
                CREDENTIAL_KEYS[..4].contains(&e.key.as_str()) || e.key.ends_with("region")
            }) {
                out.add(
                    target,
                    e.line,
                    MALFORMED,
                    "whitespace-in-value",
                    Severity::High,
                    "A value has whitespace inside it",
                    format!(
                        "`{}` has a space or tab at character {} of its value; the CLI keeps it (only the ends are trimmed).",
                        e.raw_key,
                        v[..at].chars().count() + 1
                    ),
                    vec![format!("Remove the whitespace (and anything pasted after it): {} = value", e.raw_key)],
                )
                .profile = profile.clone();
            }
            // `region = us-east-1 # prod`: no inline comments in the CLI.
            if let Some(at) = v.find(" #").or(v.find(" ;")).or(v.find("\t#")) {
                out.add(
                    target,
                    e.line,
                    MALFORMED,
                    "inline-comment",
                    Severity::Medium,
                    "A comment after a value is part of the value",
                    format!("The CLI only knows comments on their own line: everything after `{}` = up to the end of the line, including `{}`, is the value.", e.raw_key, v[at..].trim()),
                    vec!["Move the comment to its own line".into()],
                )
                .profile = profile.clone();
            }
            if e.raw_value.trim_end_matches(py_space).len()
                != e.raw_value.trim_end_matches(' ').len()
                || e.raw_value.ends_with('\t')
            {
                // Trailing tabs or Unicode spaces: the CLI trims them, other
                // tools may not. Informational.
                out.add(
                    target,
                    e.line,
                    MALFORMED,
                    "trailing-whitespace",
                    Severity::Low,
                    "A value ends with whitespace",
                    format!("`{}` ends with a tab or a Unicode space. The AWS CLI trims it; scripts that read the file themselves may not.", e.raw_key),
                    vec!["Delete the trailing whitespace".into()],
                )
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
        out.add(
            target,
            e.line,
            RootCause::CredentialsInvalidAccessKey,
            "key-id-shape",
            Severity::High,
            "The access key id does not look like one",
            format!("The value of aws_access_key_id is not a valid key id: {why}. AWS will answer InvalidClientTokenId."),
            vec!["Copy the key id again from the IAM console or from `aws iam list-access-keys`".into()],
        )
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
        out.add(
            target,
            e.line,
            RootCause::CredentialsWrongSecret,
            "secret-shape",
            Severity::High,
            "The secret access key does not look like one",
            format!("The value of aws_secret_access_key (not shown) is not a valid secret: {why}. AWS will answer SignatureDoesNotMatch."),
            vec!["Copy the secret again; if it is lost, create a new access key (the secret is shown only once)".into()],
        )
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
        out.add(
            target,
            line,
            RootCause::RegionMismatch,
            "region-shape",
            Severity::Medium,
            format!("`{key}` is not a region"),
            format!("`{value}` is not a region name: {why}. The CLI builds endpoints from it and fails to connect or signs for the wrong region."),
            vec![format!("Set a region name: {key} = us-east-1 (or the region you use)")],
        )
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
        out.add(
            target,
            1,
            MALFORMED,
            "file-permissions",
            Severity::Medium,
            "A file with secrets is readable by other users",
            format!(
                "The file's mode is {mode:03o}: {} can read the keys in it.",
                if mode & 0o007 != 0 {
                    "every user on this machine"
                } else {
                    "members of its group"
                }
            ),
            vec![format!("chmod 600 {}", path.display())],
        );
    }
}

#[cfg(not(unix))]
fn permissions(_: &mut Out, _: Target, _: &IniFile, _: &Setup) {}

/// The closest known name, when it is close enough to be a typo.
pub fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let clean: String = name
        .chars()
        .filter(|c| !invisible(*c))
        .collect::<String>()
        .trim()
        .to_lowercase();
    known
        .into_iter()
        .map(|k| {
            let d = if k.to_lowercase() == clean {
                0
            } else {
                crate::text::edit_distance(&clean, &k.to_lowercase()).max(1)
            };
            (d, k)
        })
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(2))
        .min_by_key(|(d, k)| (*d, *k))
        .map(|(_, k)| k)
}

fn suggestion(name: &str, known: &[&str]) -> String {
    match did_you_mean(name, known.iter().copied()) {
        Some(k) => format!(" Did you mean `{k}`?"),
        None if known.is_empty() => " No profiles are defined.".to_string(),
        None => format!(" Known: {}.", known.join(", ")),
    }
}

fn profiles(out: &mut Out, setup: &Setup) {
    let names = setup.profile_names();
    let known: Vec<&str> = names.iter().map(String::as_str).collect();
    // The chosen profile.
    let chosen = setup.chosen_profile();
    if chosen.explicit && !names.contains(&chosen.name) {
        let (target, line) = match chosen.env_var {
            Some(var) => (Target::Env, setup.env.line_of(var)),
            None => (Target::Env, 0),
        };
        let from = chosen
            .env_var
            .map_or("--profile".to_string(), str::to_string);
        out.add(
            target,
            line,
            RootCause::CredentialsProfileNotFound,
            "profile-not-found",
            Severity::High,
            format!("Profile `{}` does not exist", chosen.name),
            format!(
                "{from} names profile `{}`, which neither file defines; the CLI stops with `The config profile ({}) could not be found`.{}",
                chosen.name,
                chosen.name,
                suggestion(&chosen.name, &known)
            ),
            vec![
                "Use an existing profile name, or add the profile: aws configure --profile NAME".into(),
            ],
        )
        .profile = Some(chosen.name.clone());
    }
    let sessions = setup.sso_session_names();
    for (target, file) in setup.files() {
        for (name, s) in file.profiles() {
            let refer = |out: &mut Out, key: &str, rule: RootCause, what: &str, list: &[&str]| {
                let Some(e) = s.get(key) else { return };
                if list.contains(&e.value.as_str()) {
                    return;
                }
                out.add(
                    target,
                    e.line,
                    rule,
                    "reference-not-found",
                    Severity::High,
                    format!("`{key}` names a {what} that does not exist"),
                    format!(
                        "Profile `{name}` refers to {what} `{}`, which is not defined.{}",
                        super::show(&e.value),
                        suggestion(&e.value, list)
                    ),
                    vec![format!("Point {key} at an existing {what}, or define it")],
                )
                .profile = Some(name.to_string());
            };
            refer(
                out,
                "source_profile",
                RootCause::CredentialsProfileNotFound,
                "profile",
                &known,
            );
            if file.kind == FileKind::Config {
                let ss: Vec<&str> = sessions.iter().map(String::as_str).collect();
                refer(out, "sso_session", MALFORMED, "[sso-session]", &ss);
            }
        }
    }
    // Per merged profile: role settings, SSO, credentials.
    for name in &names {
        let get = |key: &str| setup.lookup(name, key);
        let at = |key: &str| get(key).map(|(t, e)| (t, e.line));
        let section_at = setup.section_of(name);
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
            if given.is_empty() {
                out.add(t, role.line, MALFORMED, "role-without-source", Severity::High,
                    "`role_arn` has no source of credentials",
                    format!("Profile `{name}` assumes a role but says neither source_profile, credential_source nor web_identity_token_file: the CLI cannot call AssumeRole."),
                    vec!["Add source_profile = PROFILE (a profile with keys), or credential_source = Environment | Ec2InstanceMetadata | EcsContainer".into()])
                    .profile = Some(name.clone());
            } else if given.contains(&"source_profile") && given.contains(&"credential_source") {
                out.add(t, role.line, MALFORMED, "role-two-sources", Severity::High,
                    "Both `source_profile` and `credential_source` are set",
                    format!("Profile `{name}` names two sources for the role's credentials; the CLI refuses the profile."),
                    vec!["Keep one of source_profile and credential_source".into()])
                    .profile = Some(name.clone());
            }
            if let Some((t, e)) = get("credential_source")
                && !["Environment", "Ec2InstanceMetadata", "EcsContainer"]
                    .contains(&e.value.as_str())
            {
                out.add(t, e.line, MALFORMED, "credential-source", Severity::High,
                    "`credential_source` has an unknown value",
                    format!("`{}` is not one of Environment, Ec2InstanceMetadata, EcsContainer (case matters).", super::show(&e.value)),
                    vec!["Use Environment, Ec2InstanceMetadata or EcsContainer".into()])
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
                        out.add(t, line, MALFORMED, "source-profile-cycle", Severity::High,
                            "`source_profile` goes round in a circle",
                            format!("Following source_profile from `{name}` leads back to it: {}. The CLI stops with an infinite-loop error.", path.join(" → ")),
                            vec!["Make the last profile of the chain one with keys (or credential_source), not a role".into()])
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
                out.add(t, e.line, MALFORMED, "sso-incomplete", Severity::High,
                    "An SSO profile is missing required keys",
                    format!("Profile `{name}` uses sso_session but lacks {}; the CLI cannot pick an account and role.", missing.join(" and ")),
                    vec![format!("Add {} (aws configure sso --profile {name} writes them)", missing.join(", "))])
                    .profile = Some(name.clone());
            }
            if let Some((st, session)) = setup.sso_session(&e.value) {
                let missing: Vec<&str> = ["sso_start_url", "sso_region"]
                    .into_iter()
                    .filter(|k| session.get(k).is_none())
                    .collect();
                if !missing.is_empty() {
                    out.add(
                        st,
                        session.line,
                        MALFORMED,
                        "sso-incomplete",
                        Severity::High,
                        "An sso-session section is missing required keys",
                        format!("[{}] lacks {}.", session.header, missing.join(" and ")),
                        vec![format!("Add {}", missing.join(", "))],
                    );
                }
            }
        } else if let Some((t, e)) = sso_keys.iter().find_map(|k| get(k)) {
            let missing: Vec<&str> = sso_keys.into_iter().filter(|k| get(k).is_none()).collect();
            if !missing.is_empty() {
                out.add(
                    t,
                    e.line,
                    MALFORMED,
                    "sso-incomplete",
                    Severity::High,
                    "An SSO profile is missing required keys",
                    format!(
                        "Profile `{name}` has SSO settings but lacks {}.",
                        missing.join(", ")
                    ),
                    vec![format!(
                        "Add {}, or run: aws configure sso --profile {name}",
                        missing.join(", ")
                    )],
                )
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
        if let Some((t, e)) = get("credential_process") {
            process_on_path(out, t, e, name, setup);
        }
        let _ = section_at;
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
            out.add(target, k.line, MALFORMED, "partial-credentials", Severity::High,
                "Partial credentials: one of the key pair is missing",
                format!("Profile `{name}` has {} but no {missing}; the CLI stops with `Partial credentials found in {provider}, missing: {missing}`.", k.key),
                vec![format!("Add {missing} to [{}]", s.header)])
                .profile = Some(name.to_string());
        }
        _ => {}
    }
    if let Some(k) = key {
        let id = k.value.as_str();
        if id.starts_with("ASIA") && token.is_none() {
            out.add(target, k.line, RootCause::TokenInvalid, "temporary-key-without-token", Severity::High,
                "A temporary key (ASIA…) without its session token",
                format!("Profile `{name}` has a temporary access key id but no aws_session_token; AWS rejects the key without its token (InvalidClientTokenId)."),
                vec![format!("Add aws_session_token to [{}] (it comes with the key from STS or the SSO portal)", s.header)])
                .profile = Some(name.to_string());
        }
        if let Some(t) = token.filter(|_| id.starts_with("AKIA")) {
            let issue = out.add(target, t.line, RootCause::TokenInvalid, "token-with-long-term-key", Severity::Medium,
                "A session token next to a long-term key (AKIA…)",
                format!("Profile `{name}` pairs a long-term key with a session token; the token belongs to some other temporary key and AWS rejects the pair."),
                vec!["Remove aws_session_token, or paste the matching temporary key id (ASIA…) and secret".into()]);
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
            Some(rest) => setup
                .env
                .get("HOME")
                .map(|h| std::path::Path::new(h).join(rest)),
            None => Some(p.to_path_buf()),
        };
        p.is_some_and(|p| is_executable(&p))
    } else {
        setup
            .env
            .get("PATH")
            .unwrap_or("")
            .split(':')
            .filter(|d| !d.is_empty())
            .any(|d| is_executable(&std::path::Path::new(d).join(program)))
    };
    if !found {
        out.add(
            target,
            e.line,
            RootCause::CredentialsMissing,
            "process-not-found",
            Severity::High,
            "The credential_process command is not found",
            format!(
                "Profile `{name}` runs `{}` for credentials, but no executable of that name is {}.",
                super::show(program),
                if program.contains('/') {
                    "at that path"
                } else {
                    "on PATH"
                }
            ),
            vec!["Install the helper, or write its absolute path in credential_process".into()],
        )
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
            let issue = out.add(Target::Env, line("AWS_ACCESS_KEY_ID"), RootCause::CredentialsEnvOverride, "env-override", Severity::High,
                format!("Environment keys win over profile `{}`", chosen.name),
                format!("AWS_ACCESS_KEY_ID is set, so the CLI uses the environment's keys and never reads profile `{}` named by {var}.", chosen.name),
                vec![
                    "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN".into(),
                    format!("or pass --profile {} (an explicit --profile skips the environment keys)", chosen.name),
                ]);
            issue.more.push(line(var));
            issue.profile = Some(chosen.name.clone());
        }
    }
    if let (Some(a), Some(b)) = (env.get("AWS_PROFILE"), env.get("AWS_DEFAULT_PROFILE"))
        && a != b
    {
        let issue = out.add(Target::Env, line("AWS_DEFAULT_PROFILE"), RootCause::CredentialsEnvOverride, "profile-vars-disagree", Severity::Medium,
            "AWS_PROFILE and AWS_DEFAULT_PROFILE name different profiles",
            format!("AWS CLI v1 and boto3 read AWS_DEFAULT_PROFILE first (`{b}`); CLI v2 and the other SDKs read AWS_PROFILE (`{a}`): the same command uses different profiles in different tools."),
            vec!["unset AWS_DEFAULT_PROFILE (and keep AWS_PROFILE)".into()]);
        issue.more.push(line("AWS_PROFILE"));
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
            out.add(Target::Env, line(have), MALFORMED, "partial-credentials", Severity::High,
                "Partial credentials in the environment",
                format!("{have} is set but {missing} is not; the CLI stops with `Partial credentials found in env, missing: {}`.", missing.to_lowercase()),
                vec![format!("export {missing}=… as well, or unset {have}")]);
        }
        _ => {}
    }
    if let Some(k) = key {
        if let Some(why) =
            key_id_problem(k).or_else(|| k.chars().find(|c| !c.is_ascii()).map(describe_char))
        {
            out.add(
                Target::Env,
                line("AWS_ACCESS_KEY_ID"),
                RootCause::CredentialsInvalidAccessKey,
                "key-id-shape",
                Severity::High,
                "AWS_ACCESS_KEY_ID does not look like a key id",
                format!("The value is not a valid key id: {why}."),
                vec!["export AWS_ACCESS_KEY_ID again, copied from the IAM console".into()],
            );
        }
        if k.starts_with("ASIA") && token.is_none() {
            out.add(Target::Env, line("AWS_ACCESS_KEY_ID"), RootCause::TokenInvalid, "temporary-key-without-token", Severity::High,
                "A temporary key (ASIA…) without AWS_SESSION_TOKEN",
                "AWS_ACCESS_KEY_ID is a temporary key, but AWS_SESSION_TOKEN is not set; AWS rejects the key without its token.",
                vec!["export AWS_SESSION_TOKEN=… (it comes with the key)".into()]);
        }
        if k.starts_with("AKIA") && token.is_some() {
            out.add(Target::Env, line("AWS_SESSION_TOKEN"), RootCause::TokenInvalid, "token-with-long-term-key", Severity::Medium,
                "AWS_SESSION_TOKEN next to a long-term key (AKIA…)",
                "A session token is set, but AWS_ACCESS_KEY_ID is a long-term key; a stale token from an earlier session makes AWS reject the pair.",
                vec!["unset AWS_SESSION_TOKEN".into()]);
        }
    }
    if let Some(s) = secret
        && let Some(why) = secret_problem(s)
    {
        out.add(
            Target::Env,
            line("AWS_SECRET_ACCESS_KEY"),
            RootCause::CredentialsWrongSecret,
            "secret-shape",
            Severity::High,
            "AWS_SECRET_ACCESS_KEY does not look like a secret",
            format!("The value (not shown) is not a valid secret: {why}."),
            vec!["export AWS_SECRET_ACCESS_KEY again, copied whole".into()],
        );
    }
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(v) = env.get(var)
            && let Some(why) = region_problem(v)
        {
            out.add(
                Target::Env,
                line(var),
                RootCause::RegionMismatch,
                "region-shape",
                Severity::Medium,
                format!("{var} is not a region"),
                format!("`{}` is not a region name: {why}.", super::show(v)),
                vec![format!("export {var}=us-east-1 (or the region you use)")],
            );
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
            out.add(
                Target::Env,
                line(var),
                RootCause::CredentialsMissing,
                "file-not-found",
                Severity::Medium,
                format!("{var} names a file that does not exist"),
                format!(
                    "{} does not exist; the CLI silently reads no {} file.",
                    p.display(),
                    if var == "AWS_CONFIG_FILE" {
                        "config"
                    } else {
                        "credentials"
                    }
                ),
                vec![format!("Fix or unset {var}")],
            );
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
