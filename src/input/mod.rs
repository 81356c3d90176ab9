//! Where text comes from: stdin, files, directories, gzip.
//!
//! Inputs are read whole: a debug log is parsed as one text, and its records
//! borrow from it. A pipe on stdin is also handed over as it arrives (see
//! [`arriving`]), so a run can be analysed before the writer is done. Gzip is recognised by its magic bytes, not the file name,
//! and multi-member streams (concatenated `.gz` files) are read to the end.
//!
//! Hostile input is bounded by design, each bound a named constant below:
//! an input is read block by block and judged on its first block (binary,
//! UTF-16, gzip) before the rest is read or inflated, so `/dev/zero`, a FIFO
//! that never ends or a decompression bomb cost milliseconds, not the
//! machine's memory. Files are read with `read(2)`, never mapped: a log
//! truncated while it is read (logrotate's `copytruncate`) just ends early
//! instead of killing the process with SIGBUS. Directory walks (see
//! `walk`) visit each directory and file once, so symlink loops end.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;

pub mod arriving;
pub mod lines;
mod opened;
mod utf16;
mod walk;
pub use opened::Opened;
pub use walk::{Filter, expand, expand_filtered};

/// Inputs are read up to this many bytes, as read or once decompressed
/// (`--max-input-bytes` raises it): a text log's first bytes are analysed
/// and the rest not read, an input read whole is refused. Past it is a
/// decompression bomb, or a file that needs splitting.
pub const MAX_INPUT_BYTES: u64 = 2 << 30;

/// A gzip input may inflate to at most this many times the compressed
/// bytes read so far, once it has inflated past [`INFLATE_RATIO_FLOOR`]
/// (`--max-inflate-ratio` raises it). Deflate's own ceiling is about
/// 1032:1, so a 1000:1 cap would stop almost nothing; one repeated line
/// reaches 140–230:1 at `gzip -1`, while real logs compress 5–50:1 (the
/// recorded ones here 4–12:1 at `gzip -9`): at 100:1 a bomb of text (not
/// only of zeros, which the binary check refuses on its first block) is
/// refused after 64 MiB instead of being inflated to the size limit, and a
/// real log has twice the headroom of the most repetitive one seen.
pub const MAX_INFLATE_RATIO: u64 = 100;

/// A directory named on the command line stands for at most this many
/// files (`--max-files` raises it): each file read is an entry of the
/// report, kept to the end. Twice the files of a year of one region's
/// CloudTrail deliveries (one every five minutes: 105,120).
pub const MAX_FILES: usize = 200_000;

/// The limits inputs are read within: the constants above, or what the
/// flags raised them to. Resolved once, from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes read (once decompressed) from one input at most.
    pub input_bytes: u64,
    /// Inflated over compressed bytes, past [`INFLATE_RATIO_FLOOR`].
    pub inflate_ratio: u64,
    /// Files taken from one directory walk at most.
    pub files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            input_bytes: MAX_INPUT_BYTES,
            inflate_ratio: MAX_INFLATE_RATIO,
            files: MAX_FILES,
        }
    }
}

/// Inflated size below which the ratio is not checked: a tiny `.gz` of a
/// repetitive log may well exceed the ratio and harms nobody.
pub const INFLATE_RATIO_FLOOR: u64 = 64 << 20;

/// How far into a (decompressed) input the binary check looks; the check
/// runs on this first block, before the rest is read or inflated.
pub const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// Directory walks go at most this deep (a deeper tree is reported, not
/// walked: it is an attack on the stack, not an archive layout).
pub const MAX_WALK_DEPTH: usize = 64;

/// Read and inflate in blocks of this size.
const READ_BLOCK: usize = 256 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

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
    #[error(
        "{path}: larger than {limit} bytes once decompressed (--max-input-bytes raises the limit)"
    )]
    TooLarge { path: String, limit: u64 },
    #[error(
        "{path}: gzip data inflating more than {ratio}:1 ({compressed} compressed bytes), a likely decompression bomb (--max-inflate-ratio raises the limit)"
    )]
    Bomb {
        path: String,
        ratio: u64,
        compressed: u64,
    },
    #[error("{path}: symbolic link loop (back to {target}); not followed")]
    Loop { path: String, target: String },
    #[error("{path}: directories nested deeper than {limit} levels; not walked further")]
    TooDeep { path: String, limit: usize },
    #[error(
        "{path}: more than {limit} files; the first {limit} in name order read, the rest not (--max-files raises the limit)"
    )]
    TooManyFiles { path: String, limit: usize },
    #[error(
        "{path}: every file in it is named by a .gitignore or .ignore file; --no-ignore reads them"
    )]
    AllSkipped { path: String },
    #[error(
        "{path}: authsift works offline and does not read S3; fetch the objects first, then analyze the copy: aws s3 sync {path} ./trail && authsift ./trail"
    )]
    Remote { path: String },
}

impl InputError {
    fn from_io(path: &str, e: io::Error) -> Self {
        // A limit or a gzip error met while reading (see `opened::Gunzip`).
        let e = if e.get_ref().is_some_and(|inner| inner.is::<InputError>()) {
            match e.into_inner().map(|inner| inner.downcast::<InputError>()) {
                Some(Ok(inner)) => return *inner,
                _ => io::Error::other("unreadable"),
            }
        } else {
            e
        };
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

    /// Whether a limit of [`Limits`] on the bytes of an input was hit
    /// (what was read before it may still be analysed).
    pub fn is_size_limit(&self) -> bool {
        matches!(self, InputError::TooLarge { .. } | InputError::Bomb { .. })
    }

    /// The input the error is about.
    pub fn path(&self) -> &str {
        match self {
            InputError::NotFound { path }
            | InputError::PermissionDenied { path }
            | InputError::Io { path, .. }
            | InputError::Gzip { path, .. }
            | InputError::Binary { path, .. }
            | InputError::Empty { path }
            | InputError::TooLarge { path, .. }
            | InputError::Bomb { path, .. }
            | InputError::Loop { path, .. }
            | InputError::TooDeep { path, .. }
            | InputError::TooManyFiles { path, .. }
            | InputError::AllSkipped { path }
            | InputError::Remote { path } => path,
        }
    }
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
    // Character devices (`/dev/null`, `/dev/stdout` on a terminal) may be
    // read and written at once without harm.
    file_id(a) == file_id(b) && file_id(a).is_some() && a.is_file()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    false
}

/// A file's identity whatever path leads to it: device and inode.
#[cfg(unix)]
fn file_id(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// An input's bytes, read and decoded (gzip, UTF-16) into memory. UTF-8
/// is checked later, chunk by chunk and in parallel (see
/// `analyze_bytes`), so they are kept as bytes.
pub enum Text {
    Bytes(Vec<u8>),
}

impl std::ops::Deref for Text {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Text::Bytes(bytes) => bytes,
        }
    }
}

/// Opens a source: its first block judged (binary, gzip, UTF-16), the
/// rest to be read as a stream or whole, within `limits`.
pub fn open(source: &Source, limits: &Limits) -> Result<Opened, InputError> {
    let label = source.label();
    match source {
        Source::Stdin => Opened::new(io::stdin(), &label, None, limits),
        Source::File(path) => {
            let file = fs::File::open(path).map_err(|e| InputError::from_io(&label, e))?;
            let meta = file
                .metadata()
                .map_err(|e| InputError::from_io(&label, e))?;
            if meta.is_dir() {
                return Err(InputError::Io {
                    path: label,
                    source: io::Error::other("is a directory"),
                });
            }
            let size = meta.is_file().then_some(meta.len());
            Opened::new(file, &label, size, limits)
        }
    }
}

/// Reads a source to text: decompressed, binary-checked, UTF-16 decoded,
/// within the default [`Limits`].
pub fn read(source: &Source) -> Result<Text, InputError> {
    open(source, &Limits::default())?.whole()
}

/// Turns raw bytes into text (used by tests and callers that hold bytes).
pub fn decode(raw: Vec<u8>, label: &str) -> Result<String, InputError> {
    let size = Some(raw.len() as u64);
    let text = Opened::new(io::Cursor::new(raw), label, size, &Limits::default())?.whole()?;
    Ok(String::from_utf8_lossy(&text).into_owned())
}

fn too_large(label: &str, limit: u64) -> InputError {
    InputError::TooLarge {
        path: label.to_string(),
        limit,
    }
}

/// Reads into `buf` until it holds `upto` bytes or the reader ends.
fn fill(
    reader: &mut impl Read,
    buf: &mut Vec<u8>,
    upto: u64,
    label: &str,
) -> Result<(), InputError> {
    let want = upto.saturating_sub(buf.len() as u64);
    reader
        .take(want)
        .read_to_end(buf)
        .map(drop)
        .map_err(|e| InputError::from_io(label, e))
}

/// The byte order of a UTF-16 input, by its byte-order mark (PowerShell
/// 5.1's `>` and `2>` write UTF-16LE with one): `Some(true)` little-endian.
fn utf16_order(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xff, 0xfe, ..] => Some(true),
        [0xfe, 0xff, ..] => Some(false),
        _ => None,
    }
}

/// Refuses empty inputs (binary ones were refused on their first block).
fn check_text(bytes: &[u8], label: &str) -> Result<(), InputError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty {
            path: label.to_string(),
        });
    }
    Ok(())
}

/// Refuses binary data, judged on its first [`BINARY_SNIFF_BYTES`]: a NUL
/// byte among many control bytes (an executable, an image, zeros). A stray
/// NUL in a log (a terminal's, a broken write) does not refuse the log.
fn check_binary(bytes: &[u8], label: &str) -> Result<(), InputError> {
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
    let Some(offset) = memchr::memchr(0, head) else {
        return Ok(());
    };
    let controls = head
        .iter()
        .filter(|&&b| {
            (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b | 0x08)) || b == 0x7f
        })
        .count();
    // Random bytes have about 11% of them; text a handful at most.
    if controls * 20 > head.len() {
        return Err(InputError::Binary {
            path: label.to_string(),
            offset,
        });
    }
    Ok(())
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
    fn a_gzip_bomb_of_zeros_is_refused_on_its_first_block() {
        // 64 MiB of zeros: refused as binary without inflating it all.
        let bomb = gz(&vec![0u8; 16 << 20]);
        let started = std::time::Instant::now();
        assert!(matches!(
            decode(bomb, "x.gz"),
            Err(InputError::Binary { .. })
        ));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn a_gzip_bomb_of_text_is_refused_at_the_ratio() {
        // Members of 4 MiB of one letter each inflate past 100:1 (gzip's
        // ceiling is about 1032:1); the floor is lowered to see it.
        let member = {
            let mut e = GzEncoder::new(Vec::new(), Compression::best());
            e.write_all(&vec![b'a'; 4 << 20]).unwrap();
            e.finish().unwrap()
        };
        let inflate = |gz: Vec<u8>, floor: u64| {
            let mut out = Vec::new();
            let limits = Limits::default();
            opened::Gunzip::new(io::Cursor::new(gz), "x.gz", floor, &limits)
                .read_to_end(&mut out)
                .map(|_| out.len())
                .map_err(|e| InputError::from_io("x.gz", e))
        };
        assert!(matches!(
            inflate(member.repeat(4), 1 << 20),
            Err(InputError::Bomb { .. })
        ));
        // The same data under the floor is read.
        assert_eq!(inflate(member, 8 << 20).unwrap(), 4 << 20);
    }

    #[test]
    fn gzip_with_trailing_junk_is_read_like_gzip_does() {
        let mut data = gz(b"hello log\n");
        data.extend_from_slice(&[0, 0, 0, 0, b'j', b'u', b'n', b'k']);
        assert_eq!(decode(data, "x.gz").unwrap(), "hello log\n");
    }

    #[test]
    fn a_truncated_second_member_is_an_error() {
        let mut data = gz(b"one\n");
        let second = gz(&b"two lines of a log\n".repeat(50));
        data.extend_from_slice(&second[..second.len() / 2]);
        assert!(matches!(decode(data, "x.gz"), Err(InputError::Gzip { .. })));
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "An error occurred (AccessDenied) \u{e9}\r\n";
        let mut le = vec![0xff, 0xfe];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(le.clone(), "x").unwrap(), text);
        let mut be = vec![0xfe, 0xff];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(be, "x").unwrap(), text);
        assert_eq!(decode(gz(&le), "x.gz").unwrap(), text);
    }

    #[test]
    fn a_stray_nul_does_not_refuse_a_log() {
        let mut log = b"2024-05-01 10:00:00,000 - MainThread - botocore - DEBUG - x\n".to_vec();
        log.push(0);
        log.extend_from_slice(&b"more log\n".repeat(20));
        assert!(decode(log, "x").is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_is_refused_at_once() {
        let started = std::time::Instant::now();
        let read = read(&Source::File(PathBuf::from("/dev/zero")));
        assert!(matches!(read, Err(InputError::Binary { offset: 0, .. })));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
