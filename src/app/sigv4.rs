//! `authsift sigv4 diff A B`: two canonical requests or two strings to
//! sign, from files or stdin, compared part by part. Exit 0 when equal,
//! 1 when they differ, 2 when they cannot be compared.

use std::io::Read;
use std::path::Path;

use super::exit::{Error, Exit};
use super::output::{self, Destination};
use crate::report::redact::Redactor;
use crate::report::terminal;
use crate::sigv4::diff_files::{Block, diff_blocks, parse_block};
use crate::sigv4::{Difference, canonical, show};

/// Why two sides cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A side cannot be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The side's path as given.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Both sides are `-`.
    #[error("only one side can be read from stdin (`-`)")]
    StdinTwice,
    /// A side is neither kind of block.
    #[error("{0} is neither a canonical request nor a string to sign")]
    Unrecognised(String),
    /// One side is a canonical request, the other a string to sign.
    #[error("{a} is a {a_kind} but {b} is a {b_kind}: compare like with like")]
    Mixed {
        /// The first side's path.
        a: String,
        /// What the first side is.
        a_kind: &'static str,
        /// The second side's path.
        b: String,
        /// What the second side is.
        b_kind: &'static str,
    },
}

/// Runs the command.
pub fn run(a: &Path, b: &Path) -> Result<Exit, Error> {
    let (text, differ) = compare(a, b).map_err(Error::Sigv4Diff)?;
    output::write(&Destination::Stdout, &text)?;
    Ok(Exit::found_if(differ))
}

/// The report to print, and whether the blocks differ.
fn compare(a: &Path, b: &Path) -> Result<(String, bool), DiffError> {
    if a == Path::new("-") && b == Path::new("-") {
        return Err(DiffError::StdinTwice);
    }
    let parse = |p: &Path| -> Result<Block, DiffError> {
        parse_block(&read(p)?).ok_or_else(|| DiffError::Unrecognised(p.display().to_string()))
    };
    let (block_a, block_b) = (parse(a)?, parse(b)?);
    let diffs = diff_blocks(&block_a, &block_b).ok_or_else(|| DiffError::Mixed {
        a: a.display().to_string(),
        a_kind: block_a.kind(),
        b: b.display().to_string(),
        b_kind: block_b.kind(),
    })?;
    Ok((render(&block_a, &diffs), !diffs.is_empty()))
}

fn read(path: &Path) -> Result<String, DiffError> {
    let err = |source| DiffError::Read {
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

/// Human output: one entry per differing part, values made visible.
fn render(block: &Block, diffs: &[Difference]) -> String {
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
