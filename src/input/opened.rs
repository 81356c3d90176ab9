//! An input opened and judged on its first block, then read as a stream.
//!
//! Text logs are analysed window by window ([`Opened::read_into`]), so
//! what an input costs in memory does not grow with its size; UTF-16 is
//! decoded as it is read ([`super::utf16`]), so it is such a log too.
//! Parsers that need a document whole (CloudTrail, CI logs) read it whole
//! ([`Opened::whole`]), within [`Limits::input_bytes`]. Gzip is inflated as it
//! is read ([`Gunzip`]): the size and ratio limits are checked on every
//! block, so a bomb is refused at the limit, not after it is inflated.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::bufread::GzDecoder;

use super::lines::LineCap;
use super::utf16::Utf16;
use super::{
    BINARY_SNIFF_BYTES, GZIP_MAGIC, INFLATE_RATIO_FLOOR, InputError, Limits, READ_BLOCK, Text,
    check_binary, check_text, fill, too_large, utf16_order,
};

/// An input whose first block was judged (binary, gzip, UTF-16), the rest
/// still to read.
pub struct Opened {
    label: String,
    /// Bytes read ahead and not yet handed out (decompressed).
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
    /// Everything handed out so far was whitespace.
    blank: bool,
    /// Bytes handed out so far (decompressed, before any line was cut).
    read: u64,
    /// The stored size, when known and not compressed: reading it whole
    /// then allocates once instead of doubling (a 470 MB file peaked at
    /// 990 MB while its buffer doubled).
    size: Option<u64>,
    /// Bytes read at most ([`Limits::input_bytes`]).
    max_bytes: u64,
    /// The input passed `max_bytes` before the reader's end (stdin whose
    /// first part was read elsewhere): its end is the limit's.
    stopped: bool,
    /// Where gzip data was cut short, once met: what came before it is in
    /// `head`, and the input ends there.
    cut: Option<InputError>,
}

/// [`fill`], except that gzip data cut short after some bytes were read
/// is no error yet: the cut is handed back, and `reader` ends there.
fn fill_to_cut(
    reader: &mut Box<dyn Read + Send>,
    buf: &mut Vec<u8>,
    upto: u64,
    label: &str,
) -> Result<Option<InputError>, InputError> {
    match fill(reader, buf, upto, label) {
        Ok(()) => Ok(None),
        Err(e @ InputError::Gzip { .. }) if !buf.is_empty() => {
            *reader = Box::new(io::empty());
            Ok(Some(e))
        }
        Err(e) => Err(e),
    }
}

impl Opened {
    /// Judges the first block of `reader` (`size` bytes when known) and
    /// hands back the rest.
    pub(super) fn new(
        reader: impl Read + Send + 'static,
        label: &str,
        size: Option<u64>,
        limits: &Limits,
    ) -> Result<Self, InputError> {
        let mut size = size;
        let mut reader: Box<dyn Read + Send> = Box::new(reader);
        let mut head = Vec::with_capacity(BINARY_SNIFF_BYTES);
        fill(&mut reader, &mut head, BINARY_SNIFF_BYTES as u64, label)?;
        let mut cut = None;
        if head.starts_with(&GZIP_MAGIC) {
            let raw = io::Cursor::new(head).chain(reader);
            reader = Box::new(Gunzip::new(raw, label, INFLATE_RATIO_FLOOR, limits));
            size = None;
            head = Vec::with_capacity(BINARY_SNIFF_BYTES);
            cut = fill_to_cut(&mut reader, &mut head, BINARY_SNIFF_BYTES as u64, label)?;
        }
        if let Some(little) = utf16_order(&head) {
            // Decoded as read; its NULs (every other byte of ASCII text)
            // are no sign of binary data.
            let raw = io::Cursor::new(head.split_off(2)).chain(reader);
            reader = Box::new(Utf16::new(raw, little));
            size = None;
            head.clear();
            fill(&mut reader, &mut head, BINARY_SNIFF_BYTES as u64, label)?;
        } else {
            // Judged on the first block, before reading on: `/dev/zero`
            // and a bomb of zeros stop here.
            check_binary(&head, label)?;
        }
        Ok(Opened {
            label: label.to_string(),
            head,
            rest: reader,
            blank: true,
            read: 0,
            size,
            max_bytes: limits.input_bytes,
            stopped: false,
            cut,
        })
    }

    /// Text already judged (stdin handed over as it arrived): read on as
    /// it is, no block judged again, at most `max_bytes` in all.
    pub fn text(reader: impl Read + Send + 'static, label: &str, max_bytes: u64) -> Self {
        Opened {
            label: label.to_string(),
            head: Vec::new(),
            rest: Box::new(reader),
            blank: true,
            read: 0,
            size: None,
            max_bytes,
            stopped: false,
            cut: None,
        }
    }

    /// The rest of an input whose first `before` bytes were read
    /// elsewhere (stdin as it arrived); `stopped` when that reading
    /// already reached [`Limits::input_bytes`], so the reader ends there.
    /// Limits and messages then count the input from its start.
    pub fn after(mut self, before: u64, stopped: bool) -> Self {
        self.read = before;
        self.stopped = stopped;
        self
    }

    /// How reports name the input.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The input's first `n` bytes (all of it when shorter), read ahead.
    pub fn peek(&mut self, n: usize) -> Result<&[u8], InputError> {
        if self.head.len() < n && self.cut.is_none() {
            self.cut = fill_to_cut(&mut self.rest, &mut self.head, n as u64, &self.label)?;
        }
        Ok(&self.head[..self.head.len().min(n)])
    }

    /// The whole input, decoded; refused past [`Limits::input_bytes`] or
    /// when empty.
    pub fn whole(self) -> Result<Text, InputError> {
        match self.whole_to_cut()? {
            (text, None) => Ok(text),
            (_, Some(cut)) => Err(cut),
        }
    }

    /// [`Opened::whole`], except that gzip data cut short (a download or
    /// copy that stopped) gives what it inflated to before the cut, with
    /// the error that says so: an export's events before the cut can
    /// still be read.
    pub fn whole_to_cut(mut self) -> Result<(Text, Option<InputError>), InputError> {
        let max = self.max_bytes.saturating_sub(self.read);
        if let Some(size) = self.size {
            let size = size.min(max.saturating_add(1)) as usize;
            self.head
                .reserve_exact(size.saturating_sub(self.head.len()) + 1);
        }
        let cut = match self.cut.take() {
            Some(cut) => Some(cut),
            None => fill_to_cut(
                &mut self.rest,
                &mut self.head,
                max.saturating_add(1),
                &self.label,
            )?,
        };
        if self.head.len() as u64 > max || self.stopped {
            return Err(too_large(&self.label, self.max_bytes));
        }
        check_text(&self.head, &self.label)?;
        Ok((Text::Bytes(self.head), cut))
    }

    /// Appends at least `want` more bytes to `out` (fewer at the end),
    /// lines cut by `cap`; `false` once the input has ended (an input that
    /// was only whitespace is then refused as empty).
    pub fn read_into(
        &mut self,
        out: &mut Vec<u8>,
        want: usize,
        cap: &mut LineCap,
    ) -> Result<bool, InputError> {
        let mut added = 0;
        if !self.head.is_empty() {
            let head = std::mem::take(&mut self.head);
            added += self.pass(&head, out, cap)?;
        }
        let mut block = vec![0; READ_BLOCK];
        while added < want {
            let n = match self.rest.read(&mut block) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(InputError::from_io(&self.label, e)),
            };
            if n == 0 {
                // A text log cut short stays an error, as before.
                if let Some(cut) = self.cut.take() {
                    return Err(cut);
                }
                cap.finish(out);
                if self.stopped {
                    return Err(too_large(&self.label, self.max_bytes));
                }
                if self.blank {
                    check_text(b"", &self.label)?;
                }
                return Ok(false);
            }
            added += self.pass(&block[..n], out, cap)?;
        }
        Ok(true)
    }

    /// Bytes decompressed so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Hands `bytes` over through `cap`; past [`Limits::input_bytes`],
    /// only what is within it, and the limit's error.
    fn pass(
        &mut self,
        bytes: &[u8],
        out: &mut Vec<u8>,
        cap: &mut LineCap,
    ) -> Result<usize, InputError> {
        let left = self.max_bytes.saturating_sub(self.read);
        let over = bytes.len() as u64 > left;
        let bytes = match over {
            true => &bytes[..left as usize],
            false => bytes,
        };
        if self.blank {
            self.blank = bytes.iter().all(u8::is_ascii_whitespace);
        }
        self.read += bytes.len() as u64;
        cap.push(bytes, out);
        if over {
            cap.finish(out);
            return Err(too_large(&self.label, self.max_bytes));
        }
        Ok(bytes.len())
    }
}

/// Counts the bytes read through it (the compressed size so far).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Gzip inflated as it is read. Members follow each other to the end;
/// bytes after the last member that are not a gzip member (padding, junk)
/// are ignored, as gzip(1) does. Every block is checked against the size
/// limit and, once past `ratio_floor`, against [`Limits::inflate_ratio`]
/// times the compressed bytes read so far.
pub(super) struct Gunzip {
    member: Option<GzDecoder<Box<dyn BufRead + Send>>>,
    compressed: Arc<AtomicU64>,
    inflated: u64,
    ratio_floor: u64,
    limits: Limits,
    label: String,
}

impl Gunzip {
    pub(super) fn new(
        raw: impl Read + Send + 'static,
        label: &str,
        ratio_floor: u64,
        limits: &Limits,
    ) -> Self {
        let compressed = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: raw,
            count: compressed.clone(),
        };
        let buffered: Box<dyn BufRead + Send> =
            Box::new(BufReader::with_capacity(READ_BLOCK, counting));
        Gunzip {
            member: Some(GzDecoder::new(buffered)),
            compressed,
            inflated: 0,
            ratio_floor,
            limits: *limits,
            label: label.to_string(),
        }
    }

    fn error(&self, e: InputError) -> io::Error {
        io::Error::other(e)
    }

    /// The next member's decoder, if a member follows.
    fn next_member(
        mut rest: Box<dyn BufRead + Send>,
    ) -> io::Result<Option<GzDecoder<Box<dyn BufRead + Send>>>> {
        let buffered = rest.fill_buf()?;
        if buffered.len() >= GZIP_MAGIC.len() || buffered.is_empty() {
            let next = buffered.starts_with(&GZIP_MAGIC);
            return Ok(next.then(|| GzDecoder::new(rest)));
        }
        // One byte left in the buffer: read the next one to decide.
        let mut two = [0u8; 2];
        let mut got = 0;
        while got < 2 {
            match rest.read(&mut two[got..])? {
                0 => break,
                n => got += n,
            }
        }
        if two[..got] != GZIP_MAGIC {
            return Ok(None);
        }
        let joined: Box<dyn BufRead + Send> = Box::new(io::Cursor::new(two.to_vec()).chain(rest));
        Ok(Some(GzDecoder::new(joined)))
    }
}

impl Read for Gunzip {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = self.member.as_mut() else {
                return Ok(0);
            };
            let n = member.read(buf).map_err(|e| {
                self.error(InputError::Gzip {
                    path: self.label.clone(),
                    detail: e.to_string(),
                })
            })?;
            if n > 0 {
                self.inflated += n as u64;
                let compressed = self.compressed.load(Ordering::Relaxed);
                if self.inflated > self.limits.input_bytes {
                    return Err(self.error(too_large(&self.label, self.limits.input_bytes)));
                }
                let ratio = self.limits.inflate_ratio;
                if self.inflated > self.ratio_floor
                    && self.inflated > compressed.saturating_mul(ratio)
                {
                    return Err(self.error(InputError::Bomb {
                        path: self.label.clone(),
                        ratio,
                        compressed,
                    }));
                }
                return Ok(n);
            }
            // The member ended: the decoder consumed exactly it.
            let rest = self.member.take().map(GzDecoder::into_inner);
            if let Some(rest) = rest {
                self.member = Self::next_member(rest)?;
            }
        }
    }
}
