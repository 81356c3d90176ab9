//! Two canonical requests or two strings to sign, as text a user pasted
//! into files, recognised and compared part by part (the library side of
//! `authsift sigv4 diff`; reading the files and printing the result is the
//! app's).
//!
//! Either side may also be given in the hex form S3 returns
//! (`<CanonicalRequestBytes>47 45 54 0a …`), which keeps invisible
//! characters that a copy of the text view loses.

use super::diff::{Against, Difference, diff_canonical_against, diff_string_to_sign_against};
use super::{CanonicalRequest, StringToSign};

/// A parsed side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A canonical request.
    Canonical(CanonicalRequest),
    /// A string to sign.
    StringToSign(StringToSign),
}

impl Block {
    /// What the block is, in words.
    pub fn kind(&self) -> &'static str {
        match self {
            Block::Canonical(_) => "canonical request",
            Block::StringToSign(_) => "string to sign",
        }
    }
}

/// Recognises a block: hex bytes are decoded, one final newline (from the
/// file) dropped; a four-line block whose first line is a SigV4 algorithm
/// is a string to sign.
pub fn parse_block(text: &str) -> Option<Block> {
    let decoded = from_hex(text);
    let text = decoded.as_deref().unwrap_or(text);
    let text = text.strip_suffix('\n').unwrap_or(text);
    let lines = text.split('\n').count();
    if text.starts_with("AWS4-") && lines == 4 {
        return StringToSign::parse(text).map(Block::StringToSign);
    }
    CanonicalRequest::parse(text).map(Block::Canonical)
}

/// `47 45 54 0a …` → text, when the whole input is space-separated hex pairs.
fn from_hex(text: &str) -> Option<String> {
    let pairs: Vec<&str> = text.split_whitespace().collect();
    if pairs.len() < 4 || !pairs.iter().all(|p| p.len() == 2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = pairs
        .iter()
        .map(|p| u8::from_str_radix(p, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// The differences between two blocks of the same kind.
pub fn diff_blocks(a: &Block, b: &Block) -> Option<Vec<Difference>> {
    match (a, b) {
        (Block::Canonical(a), Block::Canonical(b)) => {
            Some(diff_canonical_against(a, b, Against::Other))
        }
        (Block::StringToSign(a), Block::StringToSign(b)) => {
            Some(diff_string_to_sign_against(a, b, Against::Other))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_bytes_are_read_as_text() {
        let hex = "47 45 54 0a 2f 0a 0a 68 6f 73 74 3a 68 0a 0a 68 6f 73 74 0a 61 62";
        assert_eq!(
            parse_block(hex),
            parse_block("GET\n/\n\nhost:h\n\nhost\nab\n")
        );
    }

    #[test]
    fn kinds_are_told_apart() {
        let sts = "AWS4-HMAC-SHA256\n20261126T000000Z\n20261126/us-east-1/s3/aws4_request\nab\n";
        assert!(matches!(parse_block(sts), Some(Block::StringToSign(_))));
        assert!(matches!(
            parse_block("GET\n/\n\nhost:h\n\nhost\nab"),
            Some(Block::Canonical(_))
        ));
        assert_eq!(parse_block("hello"), None);
    }
}
