//! Where text comes from: stdin, files, directories, gzip.
//!
//! Inputs are read whole: a debug log is parsed as one text, and its records
//! borrow from it. Gzip is recognised by its magic bytes, not the file name,
//! and multi-member streams (concatenated `.gz` files) are read to the end.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use thiserror::Error;

/// Decompressed inputs larger than this are refused (a decompression bomb,
/// or a file that needs the streaming archive path instead).
pub const MAX_INPUT_BYTES: u64 = 2 << 30;

/// How far into a decompressed input a NUL byte marks it as binary.
const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// One thing to analyze.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// How reports name the input.
    pub fn label(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }
}

#[derive(Debug, Error)]
pub enum InputError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: permission denied")]
    PermissionDenied { path: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: corrupt or truncated gzip data ({detail})")]
    Gzip { path: String, detail: String },
    #[error("{path}: binary data, not a log (NUL byte at offset {offset})")]
    Binary { path: String, offset: usize },
    #[error("{path}: empty input")]
    Empty { path: String },
    #[error("{path}: larger than {limit} bytes once decompressed; refusing to read it whole")]
    TooLarge { path: String, limit: u64 },
}

impl InputError {
    fn from_io(path: &str, e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound => InputError::NotFound {
                path: path.to_string(),
            },
            io::ErrorKind::PermissionDenied => InputError::PermissionDenied {
                path: path.to_string(),
            },
            _ => InputError::Io {
                path: path.to_string(),
                source: e,
            },
        }
    }
}

/// Expands command-line inputs in order: `-` is stdin, directories are
/// walked recursively in name order (hidden entries skipped). A problem with
/// one argument is an `Err` in its place; the others are still expanded.
pub fn expand(args: &[PathBuf]) -> Vec<Result<Source, InputError>> {
    let mut out = Vec::new();
    if args.is_empty() {
        out.push(Ok(Source::Stdin));
    }
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Ok(Source::Stdin));
            continue;
        }
        match fs::metadata(arg) {
            Ok(m) if m.is_dir() => walk(arg, &mut out),
            Ok(_) => out.push(Ok(Source::File(arg.clone()))),
            Err(e) => out.push(Err(InputError::from_io(&arg.display().to_string(), e))),
        }
    }
    out
}

/// Why writing the report to `output` would destroy or feed an input: it
/// is one of the input files (the same file by any path: links, `./`, a
/// relative spelling), or it lies inside an input directory (the next run
/// would analyze the report). `None` when the output is safe. Checked
/// before any work, so a refused run leaves every file as it was.
pub fn output_clash(output: &Path, inputs: &[PathBuf]) -> Option<String> {
    // The file need not exist yet: its directory does.
    let resolved = fs::canonicalize(output).ok().or_else(|| {
        let parent = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        Some(fs::canonicalize(parent).ok()?.join(output.file_name()?))
    })?;
    let output_meta = fs::metadata(&resolved).ok();
    for input in inputs.iter().filter(|i| i.as_os_str() != "-") {
        let Ok(meta) = fs::metadata(input) else {
            continue;
        };
        let shown = input.display();
        if meta.is_dir() {
            if fs::canonicalize(input).is_ok_and(|dir| resolved.starts_with(dir)) {
                return Some(format!("the output is inside the input directory {shown}"));
            }
        } else if output_meta.as_ref().is_some_and(|o| same_file(o, &meta))
            || fs::canonicalize(input).is_ok_and(|i| i == resolved && meta.is_file())
        {
            return Some(format!("the output is the input file {shown}"));
        }
    }
    None
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // Character devices (`/dev/null`, `/dev/stdout` on a terminal) may be
    // read and written at once without harm.
    a.dev() == b.dev() && a.ino() == b.ino() && a.is_file()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    false
}

fn walk(dir: &Path, out: &mut Vec<Result<Source, InputError>>) {
    let label = dir.display().to_string();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return out.push(Err(InputError::from_io(&label, e))),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    paths.sort();
    for path in paths {
        match fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, out),
            Ok(m) if m.is_file() => out.push(Ok(Source::File(path))),
            Ok(_) => {}
            Err(e) => out.push(Err(InputError::from_io(&path.display().to_string(), e))),
        }
    }
}

impl InputError {
    /// The input the error is about.
    pub fn path(&self) -> &str {
        match self {
            InputError::NotFound { path }
            | InputError::PermissionDenied { path }
            | InputError::Io { path, .. }
            | InputError::Gzip { path, .. }
            | InputError::Binary { path, .. }
            | InputError::Empty { path }
            | InputError::TooLarge { path, .. } => path,
        }
    }
}

/// An input's bytes: mapped from its file when it is plain (no copy, no
/// allocation), otherwise read and decoded into memory. UTF-8 is checked
/// later, chunk by chunk and in parallel (see `analyze_bytes`).
pub enum Text {
    Mapped(memmap2::Mmap),
    Owned(String),
}

impl std::ops::Deref for Text {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Text::Mapped(map) => map,
            Text::Owned(text) => text.as_bytes(),
        }
    }
}

/// Reads a source to text: decompressed, binary-checked, lossily decoded.
pub fn read(source: &Source) -> Result<Text, InputError> {
    let label = source.label();
    let file = match source {
        Source::Stdin => {
            return decode(read_limited(io::stdin().lock(), &label)?, &label).map(Text::Owned);
        }
        Source::File(path) => fs::File::open(path).map_err(|e| InputError::from_io(&label, e))?,
    };
    let is_regular = file
        .metadata()
        .map(|m| m.is_file() && m.len() > 0)
        .unwrap_or(false);
    if is_regular {
        // SAFETY: the map is read-only; a file truncated by another process
        // while we read it can fault, as with any mmap-based reader (ripgrep
        // accepts the same trade for the same speed).
        let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }
            .map_err(|e| InputError::from_io(&label, e))?;
        if map.starts_with(&[0x1f, 0x8b]) {
            return text_of(gunzip(&map, &label)?, &label).map(Text::Owned);
        }
        check_text(&map, &label)?;
        return Ok(Text::Mapped(map));
    }
    decode(read_limited(file, &label)?, &label).map(Text::Owned)
}

/// Turns raw bytes into text (used for every source, and by tests).
pub fn decode(raw: Vec<u8>, label: &str) -> Result<String, InputError> {
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        gunzip(&raw, label)?
    } else {
        raw
    };
    text_of(bytes, label)
}

/// Decompressed bytes as text: binary-checked, lossily decoded.
fn text_of(bytes: Vec<u8>, label: &str) -> Result<String, InputError> {
    check_text(&bytes, label)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Refuses empty and binary inputs.
fn check_text(bytes: &[u8], label: &str) -> Result<(), InputError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty {
            path: label.to_string(),
        });
    }
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
    if let Some(offset) = memchr::memchr(0, head) {
        return Err(InputError::Binary {
            path: label.to_string(),
            offset,
        });
    }
    Ok(())
}

fn read_limited(reader: impl Read, label: &str) -> Result<Vec<u8>, InputError> {
    let mut buf = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| InputError::from_io(label, e))?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            path: label.to_string(),
            limit: MAX_INPUT_BYTES,
        });
    }
    Ok(buf)
}

fn gunzip(raw: &[u8], label: &str) -> Result<Vec<u8>, InputError> {
    // The trailer's ISIZE is the (last member's) size mod 2^32: a hint that
    // saves growing and copying the buffer, never trusted beyond a sane
    // ratio or the limit.
    let hint = raw
        .last_chunk::<4>()
        .map_or(0, |t| u32::from_le_bytes(*t) as usize)
        .min(raw.len().saturating_mul(64))
        .min(MAX_INPUT_BYTES as usize);
    let mut out = Vec::with_capacity(hint + 1);
    MultiGzDecoder::new(raw)
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| InputError::Gzip {
            path: label.to_string(),
            detail: e.to_string(),
        })?;
    if out.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            path: label.to_string(),
            limit: MAX_INPUT_BYTES,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_by_magic_and_multi_member() {
        let mut two = gz(b"hello ");
        two.extend(gz(b"world"));
        assert_eq!(decode(two, "x").unwrap(), "hello world");
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        let data = gz(&b"some log line\n".repeat(100));
        let cut = data[..data.len() / 2].to_vec();
        assert!(matches!(decode(cut, "x.gz"), Err(InputError::Gzip { .. })));
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        assert_eq!(decode(b"a\xffb".to_vec(), "x").unwrap(), "a\u{fffd}b");
    }

    #[test]
    fn binary_and_empty_are_errors() {
        assert!(matches!(
            decode(b"\x7fELF\x00\x01".to_vec(), "x"),
            Err(InputError::Binary { .. })
        ));
        assert!(matches!(
            decode(b"  \n".to_vec(), "x"),
            Err(InputError::Empty { .. })
        ));
    }

    #[test]
    fn expand_walks_directories_in_order_and_skips_hidden() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("b.log"), "b").unwrap();
        fs::write(dir.path().join("sub/a.log"), "a").unwrap();
        fs::write(dir.path().join(".hidden"), "h").unwrap();
        let out = expand(&[dir.path().to_path_buf(), PathBuf::from("/no/such")]);
        assert_eq!(out.len(), 3);
        assert_eq!(
            out[0].as_ref().unwrap(),
            &Source::File(dir.path().join("b.log"))
        );
        assert_eq!(
            out[1].as_ref().unwrap(),
            &Source::File(dir.path().join("sub/a.log"))
        );
        assert!(matches!(out[2], Err(InputError::NotFound { .. })));
    }
}
