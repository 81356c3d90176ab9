//! Terminal safety: text from inputs cannot drive the user's terminal.
//!
//! Logs can carry escape sequences (colour codes from CI, or hostile OSC
//! sequences in a user agent). Control characters and bidirectional
//! overrides are shown escaped instead of being sent raw.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with control characters and bidirectional overrides shown
/// escaped (`\e`, `\x07`, `\u{202e}`); tabs are kept. Borrowed when
/// nothing needs escaping.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    // Fast path: printable ASCII needs nothing (a byte test the compiler
    // vectorises; most report text is plain ASCII).
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\t')
    {
        return Cow::Borrowed(text);
    }
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            match c {
                '\x1b' => out.push_str("\\e"),
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                c if (c as u32) < 0x100 => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => {
                    let _ = write!(out, "\\u{{{:04x}}}", c as u32);
                }
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_ansi_osc_and_bidi() {
        let s = sanitize("a\x1b[31mred\x1b]0;title\x07 \u{202e}x\u{200b}");
        assert_eq!(s, "a\\e[31mred\\e]0;title\\x07 \\u{202e}x\\u{200b}");
        assert!(!s.contains('\x1b'));
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(sanitize("plain\ttext é"), Cow::Borrowed(_)));
    }
}
