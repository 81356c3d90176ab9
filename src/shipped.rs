//! The rule files shipped inside the binary, and the lists of AWS error
//! codes they name.
//!
//! An error-code list is data about AWS, kept once: as a `list` of
//! `rules/default.rules`. Rules use it by name (`error.code in
//! $signature_failure_codes`); code that needs the same list (the facts
//! that decide whether rebuilding a signed request is worth it, what
//! reports say could not be checked, the failures CloudTrail never
//! records) reads it here, from the same embedded
//! text, instead of keeping a copy. This module is a leaf, so any stage may
//! ask, below the rule engine too; `rules::tests` checks that what it reads
//! is what the rule compiler reads.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The default rule set, as shipped.
pub const DEFAULT_RULES: &str = include_str!("../rules/default.rules");

/// How reports and errors name [`DEFAULT_RULES`].
pub const DEFAULT_RULES_NAME: &str = "<built-in>/default.rules";

/// The rules that word what `authsift config` finds, as shipped.
pub const CONFIG_RULES: &str = include_str!("../rules/config.rules");

/// How errors name [`CONFIG_RULES`].
pub const CONFIG_RULES_NAME: &str = "<built-in>/config.rules";

/// The string lists of [`DEFAULT_RULES`], by name.
static LISTS: LazyLock<HashMap<&'static str, Vec<&'static str>>> =
    LazyLock::new(|| string_lists(DEFAULT_RULES));

/// The `list` of the shipped rules named `name`.
///
/// # Panics
///
/// When the shipped rules define no such list of strings: code asks only
/// for lists it knows are shipped (each is tested).
pub fn list(name: &str) -> &'static [&'static str] {
    LISTS
        .get(name)
        .unwrap_or_else(|| panic!("rules/default.rules defines no list `{name}`"))
}

/// Every `list NAME = ["…", …]` of a rule file whose items are plain
/// strings (no escapes): the shape code lists have. Comments between items
/// are skipped; a list of anything else is left out.
pub fn string_lists(text: &'static str) -> HashMap<&'static str, Vec<&'static str>> {
    let mut out = HashMap::new();
    let mut rest = text;
    while let Some(at) = rest.find("list ") {
        let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
        let defines = rest[line_start..at].trim().is_empty();
        rest = &rest[at + "list ".len()..];
        if !defines {
            continue;
        }
        let Some((name, after)) = rest.split_once('=') else {
            break;
        };
        let name = name.trim();
        let Some(body) = after.trim_start().strip_prefix('[') else {
            continue;
        };
        if let Some((items, after)) = strings_until_bracket(body) {
            out.insert(name, items);
            rest = after;
        }
    }
    out
}

/// The quoted strings of a list up to its `]`, and what follows it.
fn strings_until_bracket(mut body: &'static str) -> Option<(Vec<&'static str>, &'static str)> {
    let mut items = Vec::new();
    loop {
        body = body.trim_start();
        if let Some(after) = body.strip_prefix(']') {
            return Some((items, after));
        }
        if let Some(after) = body.strip_prefix(',') {
            body = after;
        } else if body.starts_with('#') {
            body = body.split_once('\n').map_or("", |(_, next)| next);
        } else {
            let (item, after) = body.strip_prefix('"')?.split_once('"')?;
            if item.contains('\\') {
                return None;
            }
            items.push(item);
            body = after;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_with_comments_and_line_breaks() {
        let lists = string_lists(
            "# list not = [\"x\"]\nlist a = [\"A\", \"B\",\n    \"C\"] # after\nlist b = [\"D\", # why\n  \"E\",]\nlist n = [1, 2]\nrule r { when error.code in $a }\n",
        );
        assert_eq!(lists["a"], ["A", "B", "C"]);
        assert_eq!(lists["b"], ["D", "E"]);
        assert!(!lists.contains_key("not"));
        assert!(!lists.contains_key("n"));
    }

    #[test]
    fn the_lists_code_asks_for_are_shipped() {
        assert!(list("signature_failure_codes").contains(&"SignatureDoesNotMatch"));
        assert!(list("cloudtrail_unrecorded_codes").contains(&"SignatureDoesNotMatch"));
        assert!(list("s3_authentication_codes").contains(&"InvalidAccessKeyId"));
    }
}
