//! Small text helpers shared by the stages.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// ANSI CSI sequences (colours, `\e[0K`), and OSC sequences.
static ANSI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)").expect("valid regex")
});

/// Replaces a secret value, in every output.
pub const HIDDEN: &str = "<redacted>";

/// `text` without terminal escape sequences: CI runners and `tracing`'s
/// default formatter colour their output, and pasted logs keep the codes.
pub fn strip_ansi(text: &str) -> Cow<'_, str> {
    if text.contains('\x1b') {
        ANSI.replace_all(text, "")
    } else {
        Cow::Borrowed(text)
    }
}

/// Levenshtein distance in characters, for "did you mean" suggestions
/// (misspelt fact names in rule files, profile names in ~/.aws files).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A count with thousands separators (`3,871`), for people reading
/// totals; machine formats print plain numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thousands(pub u64);

impl From<u8> for Thousands {
    fn from(n: u8) -> Self {
        Thousands(u64::from(n))
    }
}

impl std::fmt::Display for Thousands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.0.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        f.pad(&out)
    }
}

/// `n` and a noun, in the plural unless `n` is one: `1 record`,
/// `2 records`, `0 records`. For nouns whose plural adds an `s`.
pub fn counted<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1) {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The known name closest to `name`, ignoring case and surrounding
/// blanks, when it is close enough to be a typo: at most a third of its
/// length away (at least 2). Ties go to the first in sorted order.
pub fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let clean = name.trim().to_lowercase();
    known
        .into_iter()
        .map(|k| {
            let d = if k.to_lowercase() == clean {
                0
            } else {
                edit_distance(&clean, &k.to_lowercase()).max(1)
            };
            (d, k)
        })
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(2))
        .min_by_key(|(d, k)| (*d, *k))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{counted, did_you_mean, edit_distance, strip_ansi};

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(counted(1usize, "record"), "1 record");
        assert_eq!(counted(0u64, "record"), "0 records");
        assert_eq!(counted(2u32, "failure line"), "2 failure lines");
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("prdo", ["prod", "dev"]), Some("prod"));
        assert_eq!(did_you_mean(" Prod", ["prod", "dev"]), Some("prod"));
        assert_eq!(did_you_mean("staging", ["prod", "dev"]), None);
        assert_eq!(
            did_you_mean("clock-skw", ["clock.skew", "token.expired"]),
            Some("clock.skew")
        );
    }

    #[test]
    fn ansi_codes_are_removed() {
        assert_eq!(
            strip_ansi("\x1b[2m2026\x1b[0m \x1b[35mTRACE\x1b[0m x"),
            "2026 TRACE x"
        );
        assert!(matches!(strip_ansi("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("error.cod", "error.code"), 1);
        assert_eq!(edit_distance("prodd", "prod"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
