//! `authsift sigv4 diff A B`: two canonical requests or two strings to
//! sign, from files or stdin, compared part by part.
//!
//! Either side may also be given in the hex form S3 returns
//! (`<CanonicalRequestBytes>47 45 54 0a …`), which keeps invisible
//! characters that a copy of the text view loses.

use std::io::Read;
use std::path::Path;

use super::diff::{Against, Difference, diff_canonical_against, diff_string_to_sign_against};
use super::{CanonicalRequest, StringToSign, canonical, show};
use crate::report::redact::Redactor;
use crate::report::terminal;

#[derive(Debug, thiserror::Error)]
pub enum DiffFileError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("only one side can be read from stdin (`-`)")]
    StdinTwice,
    #[error("{0} is neither a canonical request nor a string to sign")]
    Unrecognised(String),
    #[error("{a} is a {a_kind} but {b} is a {b_kind}: compare like with like")]
    Mixed {
        a: String,
        a_kind: &'static str,
        b: String,
        b_kind: &'static str,
    },
}

/// A parsed side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Canonical(CanonicalRequest),
    StringToSign(StringToSign),
}

impl Block {
    fn kind(&self) -> &'static str {
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

fn read(path: &Path) -> Result<String, DiffFileError> {
    let err = |source| DiffFileError::Read {
        path: path.display().to_string(),
        source,
    };
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(err)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(err)
    }
}

/// Runs the command: the report to print, and whether the blocks differ.
pub fn run(a: &Path, b: &Path) -> Result<(String, bool), DiffFileError> {
    if a == Path::new("-") && b == Path::new("-") {
        return Err(DiffFileError::StdinTwice);
    }
    let parse = |p: &Path| -> Result<Block, DiffFileError> {
        parse_block(&read(p)?).ok_or_else(|| DiffFileError::Unrecognised(p.display().to_string()))
    };
    let (block_a, block_b) = (parse(a)?, parse(b)?);
    let diffs = diff_blocks(&block_a, &block_b).ok_or_else(|| DiffFileError::Mixed {
        a: a.display().to_string(),
        a_kind: block_a.kind(),
        b: b.display().to_string(),
        b_kind: block_b.kind(),
    })?;
    Ok((render(&block_a, &diffs), !diffs.is_empty()))
}

/// Human output: one entry per differing part, values made visible.
pub fn render(block: &Block, diffs: &[Difference]) -> String {
    let redactor = Redactor::default();
    let clean = |s: &str| terminal::sanitize(&redactor.text(s)).into_owned();
    let kind = block.kind();
    if diffs.is_empty() {
        let text = match block {
            Block::Canonical(c) => c.text(),
            Block::StringToSign(s) => s.text(),
        };
        return format!(
            "✔ the two {kind}s are identical (sha256 {})\n",
            canonical::sha256_hex(text.as_bytes())
        );
    }
    let parts = if diffs.len() == 1 { "part" } else { "parts" };
    let mut out = format!("✖ the {kind}s differ in {} {parts}\n\n", diffs.len());
    for d in diffs {
        out.push_str(&format!("  {}\n", clean(&d.component)));
        for line in show::difference_lines(d, &clean) {
            out.push_str(&format!("    {line}\n"));
        }
        out.push('\n');
    }
    out
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
