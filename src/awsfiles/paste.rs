//! Fragments of `~/.aws/config` or `~/.aws/credentials` pasted into a text
//! (after `cat ~/.aws/credentials`, or a bare INI block next to an error),
//! found and run through the checks of `authsift config`.
//!
//! A fragment starts at a line that is a whole section header (`[default]`,
//! `[profile x]`, `[sso-session x]`, `[x]`) and goes on over `key = value`
//! lines, comments, blank lines, sub-section lines and further headers; it
//! is an AWS file when one of its sections holds a key the AWS CLI or SDKs
//! read (see [`is_aws`](self#which-blocks-are-aws-files)). Which file it is
//! comes from a line naming the file just before it, else from what it
//! holds. Its line numbers are the paste's, so findings point at the lines
//! the user pasted.
//!
//! # Which blocks are AWS files
//!
//! A section named like a config file's (`default`, `profile x`,
//! `sso-session x`, `services x`) with any key of [`KNOWN_KEYS`], or any
//! section with a key only AWS files have (all but the generic `region`,
//! `output` and the like): `[mysqld]` or a TOML table with `region = …` is
//! not one.

use super::checks::{self, KNOWN_KEYS};
use super::ini::{FileKind, IniFile};
use super::{Env, Setup, Target, word};
use crate::finding::{Finding, Severity};
use crate::rules::RuleSet;

/// Keys that other INI and TOML files use too: alone, under a section
/// that is not named like a profile, they do not make a block an AWS file.
const GENERIC_KEYS: [&str; 8] = [
    "region",
    "output",
    "s3",
    "services",
    "endpoint_url",
    "max_attempts",
    "retry_mode",
    "tcp_keepalive",
];

/// Keys only the credentials file usually holds.
const KEY_KEYS: [&str; 4] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
];

/// One fragment of an AWS file found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// Which file it is.
    pub kind: FileKind,
    /// The paste's line (1-based) of the fragment's first line.
    pub first_line: usize,
    /// Its lines, as pasted.
    pub text: String,
    /// The line before it that names the file (`cat ~/.aws/credentials`), if any.
    pub named_at: Option<usize>,
}

impl Fragment {
    /// The paste's line of the fragment's line `n` (1-based).
    pub fn paste_line(&self, n: usize) -> usize {
        self.first_line + n - 1
    }
}

/// A section header alone on its line: the name between the brackets.
fn header(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?;
    if inner.trim().is_empty() || inner.contains(['[', ']']) || inner.chars().count() > 128 {
        return None;
    }
    let words: Vec<&str> = inner.split_whitespace().collect();
    let prefixed = matches!(words[0], "profile" | "sso-session" | "services");
    let plain = |w: &str| {
        !w.chars()
            .any(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || "-_.@+=,/:'\"".contains(c)))
    };
    let shaped = match words.len() {
        1 => plain(words[0]),
        2 | 3 => prefixed && words[1..].iter().all(|w| plain(w)),
        _ => false,
    };
    shaped.then_some(inner)
}

/// A `key = value` line's key, lower-cased (`key: value` only for a
/// key AWS files know: prose is full of colons); a known key followed by
/// its value without `=` counts too, so the checks can name the mistake.
fn key_of(line: &str) -> Option<String> {
    let t = line.trim();
    if t.starts_with('[') {
        return None;
    }
    let key_shaped = |k: &str| {
        !k.is_empty()
            && k.len() <= 64
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    };
    match t.find(['=', ':']) {
        Some(at) => {
            let key = t[..at].trim().to_ascii_lowercase();
            let known = KNOWN_KEYS.contains(&key.as_str());
            (key_shaped(&key) && (known || t.as_bytes()[at] == b'=')).then_some(key)
        }
        None => {
            let key = t.split_whitespace().next()?.to_ascii_lowercase();
            KNOWN_KEYS.contains(&key.as_str()).then_some(key)
        }
    }
}

/// One section of a candidate block: its header's name and its keys.
struct Block {
    name: String,
    keys: Vec<String>,
}

fn profile_named(name: &str) -> bool {
    name == "default"
        || name
            .split_whitespace()
            .next()
            .is_some_and(|w| matches!(w, "profile" | "sso-session" | "services"))
}

fn is_aws(block: &Block) -> bool {
    let known = |k: &&String| KNOWN_KEYS.contains(&k.as_str());
    let specific = |k: &&String| known(k) && !GENERIC_KEYS.contains(&k.as_str());
    if profile_named(&block.name) {
        block.keys.iter().any(|k| known(&k))
    } else {
        block.keys.iter().any(|k| specific(&k))
    }
}

/// Which file the sections' content says: config-style headers or SSO
/// settings make a config file, access keys a credentials file.
fn kind_by_content(blocks: &[Block]) -> FileKind {
    let config_header = blocks.iter().any(|b| {
        b.name
            .split_whitespace()
            .next()
            .is_some_and(|w| matches!(w, "profile" | "sso-session" | "services"))
    });
    let keys = blocks
        .iter()
        .flat_map(|b| &b.keys)
        .any(|k| KEY_KEYS.contains(&k.as_str()));
    if !config_header && keys {
        FileKind::Credentials
    } else {
        FileKind::Config
    }
}

/// The kind a line naming a file says (`cat ~/.aws/credentials`,
/// `C:\Users\me\.aws\config:`).
fn kind_named(line: &str) -> Option<FileKind> {
    let l = line.to_ascii_lowercase();
    let at = |needles: &[&str]| needles.iter().filter_map(|n| l.rfind(n)).max();
    let credentials = at(&[
        ".aws/credentials",
        ".aws\\credentials",
        "credentials file",
        "aws_shared_credentials_file",
    ]);
    let config = at(&[
        ".aws/config",
        ".aws\\config",
        "config file",
        "aws_config_file",
    ]);
    match (credentials, config) {
        (Some(a), Some(b)) => Some(if a > b {
            FileKind::Credentials
        } else {
            FileKind::Config
        }),
        (Some(_), None) => Some(FileKind::Credentials),
        (None, Some(_)) => Some(FileKind::Config),
        (None, None) => None,
    }
}

/// Whether a line of `text` starts with `[` after white space. Each `[` is
/// looked at, not each line: this runs on every text input, and a log has
/// far more lines than brackets at their start.
fn has_bracket_line(text: &str) -> bool {
    memchr::memchr_iter(b'[', text.as_bytes()).any(|at| {
        // Back over the white space before it only, so a long line of
        // brackets costs one step each.
        let before = text[..at].trim_end_matches(|c: char| c.is_whitespace() && c != '\n');
        before.is_empty() || before.ends_with('\n')
    })
}

/// Every fragment of an AWS config or credentials file in `text`, whose
/// first line is line 1.
pub fn fragments(text: &str) -> Vec<Fragment> {
    // Most texts have no line starting with `[`: nothing to do.
    if !has_bracket_line(text) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(name) = header(lines[i]) else {
            i += 1;
            continue;
        };
        let start = i;
        let mut blocks = vec![Block {
            name: name.trim().to_string(),
            keys: Vec::new(),
        }];
        let mut last = i;
        let mut open_subsection = false;
        let mut j = i + 1;
        while j < lines.len() {
            let line = lines[j];
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
                j += 1;
                continue;
            }
            if let Some(name) = header(line) {
                let name = name.trim().to_string();
                // The same header again: two files pasted one after the
                // other, when the new section says another file than the
                // ones before it (else one file's duplicate section).
                if blocks.iter().any(|b| b.name == name) {
                    let next = section_keys(&lines[j + 1..]);
                    let next = [Block {
                        name: name.clone(),
                        keys: next,
                    }];
                    if kind_by_content(&next) != kind_by_content(&blocks) {
                        break;
                    }
                }
                blocks.push(Block {
                    name,
                    keys: Vec::new(),
                });
                open_subsection = false;
                last = j;
                j += 1;
                continue;
            }
            let indented = line.starts_with([' ', '\t']) && j > start;
            if open_subsection && indented {
                last = j;
                j += 1;
                continue;
            }
            let Some(key) = key_of(line) else { break };
            open_subsection = t.ends_with(['=', ':']);
            blocks.last_mut().expect("a block").keys.push(key);
            last = j;
            j += 1;
        }
        if blocks.iter().any(is_aws) {
            let named_at = lines[..start]
                .iter()
                .enumerate()
                .rev()
                .filter(|(_, l)| !l.trim().is_empty())
                .take(2)
                .find(|(_, l)| kind_named(l).is_some())
                .map(|(n, _)| n + 1);
            let kind = named_at
                .and_then(|n| kind_named(lines[n - 1]))
                .unwrap_or_else(|| kind_by_content(&blocks));
            out.push(Fragment {
                kind,
                first_line: start + 1,
                text: lines[start..=last].join("\n"),
                named_at,
            });
        }
        i = last + 1;
    }
    out
}

/// The keys of the section whose lines follow a header, up to the next
/// header or the first line that is not a key.
fn section_keys(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| {
            let t = l.trim();
            !(t.is_empty() || t.starts_with('#') || t.starts_with(';'))
        })
        .map_while(|l| key_of(l))
        .collect()
}

/// The rules that word the checks' issues (`rules/config.rules`), compiled once.
pub fn config_rules() -> &'static RuleSet {
    static RULES: std::sync::LazyLock<RuleSet> = std::sync::LazyLock::new(RuleSet::config);
    &RULES
}

/// The findings of the config checks on every fragment of `text`
/// (whose first line is line `first_line`: a long log is read in parts),
/// worded by `rules` (`rules/config.rules`): those of medium or high
/// severity, one incident each from `incident` on, evidence on the
/// paste's lines.
pub fn findings(text: &str, first_line: usize, rules: &RuleSet, incident: usize) -> Vec<Finding> {
    let mut fragments = fragments(text);
    for f in &mut fragments {
        f.first_line += first_line - 1;
        f.named_at = f.named_at.map(|n| n + first_line - 1);
    }
    let mut out = Vec::new();
    // A config and a credentials fragment pasted together are read
    // together, as the CLI reads the two files.
    let mut pending: Vec<&Fragment> = Vec::new();
    let mut groups: Vec<Vec<&Fragment>> = Vec::new();
    for f in &fragments {
        if pending.iter().any(|p| p.kind == f.kind) {
            groups.push(std::mem::take(&mut pending));
        }
        pending.push(f);
    }
    groups.push(pending);
    for group in groups.into_iter().filter(|g| !g.is_empty()) {
        let of = |kind: FileKind| group.iter().find(|f| f.kind == kind).copied();
        let parse = |f: Option<&Fragment>, label: &str| {
            f.map(|f| IniFile::parse(label, f.kind, f.text.as_bytes()))
        };
        let (config, credentials) = (of(FileKind::Config), of(FileKind::Credentials));
        let setup = Setup {
            config: parse(config, "pasted config"),
            credentials: parse(credentials, "pasted credentials"),
            config_path: None,
            credentials_path: None,
            flag_paths: Vec::new(),
            env: Env::default(),
            profile_flag: None,
            mask: true,
            pasted: true,
        };
        for issue in checks::run(&setup) {
            let fragment = match issue.target {
                Target::Config => config,
                Target::Credentials => credentials,
                Target::Env => None,
            };
            let Some(fragment) = fragment else { continue };
            let mut finding = word::to_finding(&setup, &issue, rules, fragment.first_line - 1);
            if finding.severity < Severity::Medium {
                continue;
            }
            finding.incident = incident + out.len();
            out.push(finding);
        }
    }
    out
}

/// Causes a pasted file's mistake can be the reason for: the client
/// found no usable credentials in the files.
const EXPLAINED: [&str; 2] = ["credentials.missing", "credentials.profile-not-found"];

/// Whether a pasted file's finding explains a failure with cause
/// `verdict`: a mistake that leaves the files without usable credentials
/// (a key pair missing a half, a credential key the SDK does not see, a
/// line the CLI stops reading the file at) explains "no credentials".
pub fn explains(finding: &Finding, verdict: &str) -> bool {
    use crate::facts::Fact;
    if !EXPLAINED.contains(&verdict) || finding.severity < Severity::High {
        return false;
    }
    let code = finding.facts.str(Fact::ErrorCode).unwrap_or("");
    // The parse errors stop the CLI reading the file at all.
    matches!(
        code,
        "partial-credentials"
            | "key-case"
            | "missing-bracket"
            | "no-section"
            | "missing-equals"
            | "empty-key"
            | "duplicate-section"
            | "duplicate-key"
            | "utf8-bom"
            | "not-utf8"
            | "unparseable"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bracket_line_is_one_whose_first_non_blank_is_a_bracket() {
        for yes in [
            "[default]",
            "x\n  [profile a]\n",
            "x\r\n\t\r[sso-session s]",
            "a\n\u{a0}[",
        ] {
            assert!(has_bracket_line(yes), "{yes:?}");
        }
        for no in ["", "a [b]\n", "x: [1, 2]\n  y [", "\"[default]\""] {
            assert!(!has_bracket_line(no), "{no:?}");
        }
    }

    #[test]
    fn a_credentials_file_after_cat_is_found_with_its_lines() {
        let text = "An error occurred (InvalidClientTokenId)\n\n$ cat ~/.aws/credentials\n\
[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\nregion = us-east-1\n\nthanks\n";
        let f = fragments(text);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FileKind::Credentials);
        assert_eq!(f[0].first_line, 4);
        assert_eq!(f[0].named_at, Some(3));
        assert_eq!(f[0].text.lines().count(), 3);
        assert_eq!(f[0].paste_line(2), 5);
    }

    #[test]
    fn the_kind_comes_from_the_content_when_no_line_names_the_file() {
        let config = fragments("[profile dev]\nsso_session = corp\nsso_account_id = 1\n");
        assert_eq!(config[0].kind, FileKind::Config);
        let credentials = fragments("[dev]\naws_access_key_id = AKIA\naws_secret_access_key = x\n");
        assert_eq!(credentials[0].kind, FileKind::Credentials);
        let named = fragments("~/.aws/config:\n[dev]\naws_access_key_id = AKIA\n");
        assert_eq!(named[0].kind, FileKind::Config);
    }

    #[test]
    fn two_files_pasted_one_after_the_other_are_two_fragments() {
        let text = "[default]\nregion=eu-west-1\noutput=json\n\n[default]\n\
AWS_ACCESS_KEY_ID = xxxx\nAWS_SECRET_ACCESS_KEY = yyyy\n";
        let f = fragments(text);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!((f[0].kind, f[0].first_line), (FileKind::Config, 1));
        assert_eq!((f[1].kind, f[1].first_line), (FileKind::Credentials, 5));
    }

    #[test]
    fn prose_and_other_ini_files_are_not_aws_files() {
        assert!(fragments("See [default] for details.\n[x] done\n- [ ] todo\n").is_empty());
        assert!(fragments("[default]\nThis is a note: it has colons.\n").is_empty());
        assert!(fragments("[mysqld]\nport = 3306\nuser = mysql\n").is_empty());
        assert!(fragments("[package]\nname = \"x\"\nversion = \"0.1.0\"\n").is_empty());
        assert!(fragments("[default.deploy.parameters]\nregion = \"us-east-1\"\n").is_empty());
        assert!(
            fragments("[remote]\ntype = s3\naccess_key_id = x\nregion = us-east-1\n").is_empty()
        );
    }

    #[test]
    fn a_partial_paste_finds_no_missing_profile() {
        // One profile of many: its source profile and SSO session are
        // elsewhere in the user's file, and nothing says they are missing.
        let text = "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n\
source_profile = base\n[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n";
        let found = findings(text, 1, &RuleSet::config(), 0);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn findings_point_at_the_pasted_lines_and_skip_redacted_values() {
        let text = "\"credentials profile default is invalid\"\n\n[default]\nregion=eu-west-1\n\
output=json\n\n[default]\nAWS_ACCESS_KEY_ID = xxxxxxxxxxxxxxxxxxxxxxxxx\n\
AWS_SECRET_ACCESS_KEY = yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n";
        let found = findings(text, 1, &RuleSet::config(), 3);
        let lines: Vec<usize> = found.iter().map(|f| f.evidence[0].line).collect();
        assert_eq!(lines, [8, 9], "{found:?}");
        assert!(found.iter().all(|f| f.rule == "config.malformed"));
        assert_eq!(found[0].incident, 3);
        assert!(found[0].evidence[0].text.contains("AWS_ACCESS_KEY_ID"));
        let emoji = "[default]\naws_access_key_id = 🔐\naws_secret_access_key = 🔐\n";
        assert!(findings(emoji, 1, &RuleSet::config(), 0).is_empty());
    }

    #[test]
    fn a_broken_key_pair_explains_missing_credentials() {
        let text = "[dev]\naws_acces_key_id = AKIAIOSFODNN7EXAMPLE\n\
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
        let found = findings(text, 1, &RuleSet::config(), 0);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(explains(&found[0], "credentials.missing"));
        assert!(!explains(&found[0], "authz.access-denied"));
    }

    #[test]
    fn real_mistakes_in_a_paste_are_found() {
        let text = "[default]\naws_access_key_id = \"AKIAIOSFODNN7EXAMPLE\"\n\
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = us-east-1a\n";
        let found = findings(text, 1, &RuleSet::config(), 0);
        let codes: Vec<(&str, usize)> = found
            .iter()
            .map(|f| {
                (
                    f.facts.str(crate::facts::Fact::ErrorCode).unwrap(),
                    f.evidence[0].line,
                )
            })
            .collect();
        assert_eq!(codes, [("quoted-value", 2), ("region-shape", 4)]);
    }
}
