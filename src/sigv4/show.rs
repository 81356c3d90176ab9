//! Showing signed text so that the difference can be seen: invisible
//! characters escaped, trailing spaces marked, the differing span pointed at.

use std::fmt::Write;

use super::{Against, Difference};

/// Characters a terminal shows as nothing (or as a plain space) that still
/// change a signature: controls, NBSP, soft hyphen, zero-width and bidi
/// marks, BOM.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{a0}' | '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// `value` with invisible characters escaped (`\r`, `\t`, `\u{200b}`) and
/// each trailing space shown as `␠`.
pub fn visible(value: &str) -> String {
    let body = value.trim_end_matches(' ');
    let mut out = String::with_capacity(value.len() + 8);
    for c in body.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if is_invisible(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    for _ in 0..value.len() - body.len() {
        out.push('␠');
    }
    out
}

/// The character range `[start, end)` that differs between two shown
/// values, measured in `b` (common prefix and suffix left out); `None` when
/// they are equal. For a pure deletion the range is one character wide.
pub fn differing_span(a: &str, b: &str) -> Option<(usize, usize)> {
    if a == b {
        return None;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let end = (b.len() - suffix).max(prefix + 1);
    Some((prefix, end))
}

/// A line of `^` under the span where `a` and `b` differ, for output that
/// shows `a` and `b` one above the other at the same column.
pub fn caret_line(a: &str, b: &str) -> Option<String> {
    let (start_b, end_b) = differing_span(a, b)?;
    let (_, end_a) = differing_span(b, a)?;
    let end = end_a.max(end_b);
    Some(format!(
        "{}{}",
        " ".repeat(start_b),
        "^".repeat(end - start_b)
    ))
}

/// The lines that show one difference: both values made visible, a caret
/// line under the differing characters, and the usual cause. `clean`
/// redacts and sanitises for the output; carets are left out when it
/// changed a value (columns would no longer line up).
pub fn difference_lines(d: &Difference, clean: &dyn Fn(&str) -> String) -> Vec<String> {
    let (client, other) = one_time_format(d.client.as_deref(), d.server.as_deref());
    let shown = |v: Option<String>| v.as_deref().map(visible);
    let (client, other) = (shown(client), shown(other));
    let missing = if d.against == Against::Expected {
        "(not stated)"
    } else {
        "(absent)"
    };
    let cleaned = |v: &Option<String>| v.as_deref().map_or(missing.to_string(), clean);
    let (client_out, other_out) = (cleaned(&client), cleaned(&other));
    let mut lines = vec![
        format!("{:<16}{client_out}", d.against.client_label()),
        format!("{:<16}{other_out}", d.against.label()),
    ];
    // Expected values are descriptions, not the same field in another
    // form: pointing at characters would mislead.
    if let (Some(c), Some(o)) = (&client, &other)
        && d.against != Against::Expected
        && client_out == *c
        && other_out == *o
        && let Some(carets) = caret_line(c, o)
    {
        lines.push(format!("{:<16}{carets}", ""));
    }
    if let Some(hint) = &d.hint {
        lines.push(format!("{:<16}{}", "usually", clean(hint)));
    }
    lines
}

/// Two values as shown side by side: a SigV4 timestamp facing an ISO 8601
/// one (the client's `X-Amz-Date` against the server's clock) is shown as
/// ISO 8601 too, so the two read alike; anything else as it is.
fn one_time_format(a: Option<&str>, b: Option<&str>) -> (Option<String>, Option<String>) {
    let iso = |v: Option<&str>| v.and_then(crate::time::parse_iso8601).is_some();
    let amz = |v: Option<&str>| v.and_then(crate::time::amz_date_as_iso8601);
    match (amz(a), amz(b)) {
        (Some(a), None) if iso(b) => (Some(a), b.map(str::to_string)),
        (None, Some(b)) if iso(a) => (a.map(str::to_string), Some(b)),
        _ => (a.map(str::to_string), b.map(str::to_string)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sigv4_time_beside_an_iso_time_reads_like_it() {
        let d = Difference::new(
            "date",
            Some("20261126T175930Z"),
            Some("2026-11-26T15:59:30Z"),
            Against::Expected,
        );
        let lines = difference_lines(&d, &|s| s.to_string());
        assert!(lines[0].ends_with(" 2026-11-26T17:59:30Z"), "{lines:?}");
        assert!(lines[1].ends_with(" 2026-11-26T15:59:30Z"), "{lines:?}");
        // Two SigV4 times stay as signed.
        let d = Difference::new(
            "header:x-amz-date",
            Some("20261126T175930Z"),
            Some("20261126T175931Z"),
            Against::Server,
        );
        assert!(difference_lines(&d, &|s| s.to_string())[0].ends_with(" 20261126T175930Z"));
    }

    #[test]
    fn invisible_characters_are_escaped_and_trailing_spaces_marked() {
        assert_eq!(visible("a\u{200b}b\r  "), "a\\u{200b}b\\r␠␠");
        assert_eq!(visible("plain value"), "plain value");
        assert_eq!(visible("soft\u{ad}hyphen"), "soft\\u{ad}hyphen");
    }

    #[test]
    fn difference_lines_show_both_values_and_carets() {
        let d = Difference::new(
            "header:host",
            Some("a.example"),
            Some("b.example\r"),
            Against::Server,
        );
        let lines = difference_lines(&d, &|s| s.to_string());
        assert_eq!(lines[0], "client signed   a.example");
        assert_eq!(lines[1], "server computed b.example\\r");
        assert_eq!(lines[2], "                ^^^^^^^^^^^");
        assert!(lines[3].starts_with("usually"));
    }

    #[test]
    fn carets_point_at_the_difference() {
        assert_eq!(
            caret_line("private", "bucket-owner").as_deref(),
            Some("^^^^^^^^^^^^")
        );
        assert_eq!(
            caret_line("host:a.example", "host:b.example").as_deref(),
            Some("     ^")
        );
        assert_eq!(caret_line("abc", "abc"), None);
        assert_eq!(caret_line("abcd", "abd").as_deref(), Some("  ^"));
    }
}
