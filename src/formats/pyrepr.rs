//! Python literal reprs as botocore logs them.
//!
//! botocore prints headers with `repr(dict)` and bodies with `repr(bytes)`:
//! `{'X-Amz-Date': b'20261126T151412Z', 'Content-Length': '43'}` and
//! `b'<?xml ...>\n<Error>...'`. These are not JSON (single quotes, `b''`
//! prefixes, `\xNN` escapes), so they get their own small grammar.
//!
//! Rust's `Debug` output of maps, strings and byte strings (the AWS SDK for
//! Rust logs requests that way) is the same grammar with double quotes and
//! one more escape, `\u{200b}`; it is read here too.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_till1},
    character::complete::{char, multispace0},
    combinator::{map, opt},
    multi::separated_list0,
    sequence::{delimited, preceded, separated_pair},
};

/// Parses one Python `str` or `bytes` literal and returns its decoded text.
/// Bytes are decoded as UTF-8 (lossily): they are HTTP headers and bodies.
pub fn string_literal(input: &str) -> IResult<&str, String> {
    let (rest, is_bytes) = map(opt(alt((char('b'), char('B')))), |b| b.is_some()).parse(input)?;
    let quote = match rest.chars().next() {
        Some(q @ ('\'' | '"')) => q,
        _ => return Err(error(input)),
    };
    let body = &rest[1..];
    let mut out: Vec<u8> = Vec::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Copy the run up to the next quote or backslash in one go.
        let run = memchr::memchr2(quote as u8, b'\\', &bytes[i..]).unwrap_or(bytes.len() - i);
        out.extend_from_slice(&bytes[i..i + run]);
        i += run;
        let Some(&c) = bytes.get(i) else { break };
        if c == quote as u8 {
            let text = String::from_utf8(out)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            return Ok((&body[i + 1..], text));
        }
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&esc) = bytes.get(i + 1) else { break };
        i += 2;
        match esc {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'0' => out.push(0),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'x' => {
                let Some(v) = hex_value(bytes.get(i..i + 2)) else {
                    return Err(error(input));
                };
                // In a str literal \xNN is a code point; in bytes it is a raw byte.
                if is_bytes {
                    out.push(v as u8);
                } else {
                    push_char(&mut out, v);
                }
                i += 2;
            }
            // Rust: `\u{…}`, one to six hex digits.
            b'u' if bytes.get(i) == Some(&b'{') => {
                let Some(close) = memchr::memchr(b'}', &bytes[i..]).filter(|&n| n <= 7) else {
                    return Err(error(input));
                };
                let Some(v) = hex_value(bytes.get(i + 1..i + close)) else {
                    return Err(error(input));
                };
                push_char(&mut out, v);
                i += close + 1;
            }
            b'u' | b'U' if !is_bytes => {
                let width = if esc == b'u' { 4 } else { 8 };
                let Some(v) = hex_value(bytes.get(i..i + width)) else {
                    return Err(error(input));
                };
                push_char(&mut out, v);
                i += width;
            }
            other => out.push(other),
        }
    }
    Err(error(input))
}

/// Decodes a whole `b'...'` (or `'...'`) repr; input that is not a literal
/// (Python 2 era logs printed bodies raw) is returned as it is.
pub fn decode_literal(text: &str) -> String {
    match string_literal(text.trim()) {
        Ok((rest, decoded)) if rest.trim().is_empty() => decoded,
        _ => text.to_string(),
    }
}

/// Parses a `repr(dict)` whose keys are strings. Values that are not string
/// literals (numbers, `None`) are kept as their source text.
pub fn dict(input: &str) -> IResult<&str, Vec<(String, String)>> {
    let value = alt((
        string_literal,
        map(take_till1(|c| c == ',' || c == '}'), |s: &str| {
            s.trim().to_string()
        }),
    ));
    let entry = separated_pair(
        preceded(multispace0, string_literal),
        (multispace0, char(':'), multispace0),
        value,
    );
    delimited(
        char('{'),
        separated_list0(tag(","), entry),
        preceded(multispace0, char('}')),
    )
    .parse(input)
}

fn hex_value(digits: Option<&[u8]>) -> Option<u32> {
    let digits = std::str::from_utf8(digits?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

fn push_char(out: &mut Vec<u8>, code: u32) {
    let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

fn error(input: &str) -> nom::Err<nom::error::Error<&str>> {
    nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Char))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bytes_repr_with_escapes() {
        let (rest, s) = string_literal(r"b'<a>\n<b>it\'s</b>\xc2\xad'!").unwrap();
        assert_eq!(rest, "!");
        assert_eq!(s, "<a>\n<b>it's</b>\u{ad}");
    }

    #[test]
    fn str_literal_hex_escape_is_a_code_point() {
        let (_, s) = string_literal(r"'caf\xe9'").unwrap();
        assert_eq!(s, "café");
    }

    #[test]
    fn double_quoted_literal_keeps_single_quotes() {
        let (_, s) = string_literal(r#"b"it's""#).unwrap();
        assert_eq!(s, "it's");
    }

    #[test]
    fn rust_debug_strings_and_escapes() {
        let (rest, s) = string_literal(r#""a\u{200b}b\"c", x"#).unwrap();
        assert_eq!((rest, s.as_str()), (", x", "a\u{200b}b\"c"));
        assert!(string_literal(r#""\u{zz}""#).is_err());
        assert!(string_literal(r#""\u{1234567}""#).is_err());
        let (_, h) = dict(
            r#"{"x-amz-date": "20261126T231213Z", "authorization": ** redacted (length=221) **}"#,
        )
        .unwrap();
        assert_eq!(
            h[1],
            ("authorization".into(), "** redacted (length=221) **".into())
        );
    }

    #[test]
    fn unterminated_literal_is_an_error() {
        assert!(string_literal("b'abc").is_err());
    }

    #[test]
    fn parses_header_dict_with_mixed_values() {
        let (rest, d) =
            dict("{'User-Agent': b'aws-cli/1.46.3', 'Content-Length': '43', 'X': None}>").unwrap();
        assert_eq!(rest, ">");
        assert_eq!(
            d,
            vec![
                ("User-Agent".into(), "aws-cli/1.46.3".into()),
                ("Content-Length".into(), "43".into()),
                ("X".into(), "None".into()),
            ]
        );
    }

    #[test]
    fn parses_empty_dict() {
        assert_eq!(dict("{}").unwrap().1, vec![]);
    }

    #[test]
    fn decode_literal_passes_raw_text_through() {
        assert_eq!(decode_literal("<Error/>"), "<Error/>");
        assert_eq!(decode_literal("b'x\\ny'"), "x\ny");
    }
}
