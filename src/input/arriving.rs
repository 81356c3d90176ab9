//! Stdin as it arrives, for `aws … --debug 2>&1 | authsift`: a finding
//! can be shown while the command still runs.
//!
//! A thread reads stdin block by block and hands the blocks over a bounded
//! channel; the reader of [`Arriving`] waits for the next block at most as
//! long as it says, so it can tell a pause of the writer (the run may be
//! over) from more text. The bounds are those of a file: the first block
//! is judged (binary, gzip, UTF-16) before more is kept, and no more than
//! [`Limits::input_bytes`] are read in all. Gzip and UTF-16 are
//! handed over as an [`Opened`] input, decoded as it is read, as a file is.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::Duration;

use super::{
    BINARY_SNIFF_BYTES, GZIP_MAGIC, InputError, Limits, Opened, READ_BLOCK, Text, check_binary,
    check_text, too_large, utf16_order,
};

/// Blocks read ahead of the analysis at most (each up to `READ_BLOCK`).
const BLOCKS_AHEAD: usize = 4;

/// Stdin once its first block is judged.
pub enum Stdin {
    /// Plain text, arriving.
    Arriving(Arriving),
    /// Gzip or UTF-16: decoded as it is read.
    Decoded(Opened),
}

/// What waiting for more input brought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// More text (appended to [`Arriving::bytes`]).
    More,
    /// Nothing within the wait: the writer paused.
    Quiet,
    /// The writer closed its end: the text is complete.
    End,
}

/// Plain text read so far from a stream that may still be written to.
pub struct Arriving {
    label: String,
    blocks: Receiver<io::Result<Vec<u8>>>,
    bytes: Vec<u8>,
    ended: bool,
    /// Bytes received in all (dropped ones too).
    received: u64,
    /// [`Limits::input_bytes`].
    max_bytes: u64,
    /// The text reached [`Limits::input_bytes`]: what was within it is
    /// kept, the rest not read.
    stopped: bool,
}

/// Opens stdin: waits for its first block (or a pause after some bytes, or
/// its end), judges it, and hands back the text as it arrives.
pub fn stdin(label: &str, quiet: Duration, limits: &Limits) -> Result<Stdin, InputError> {
    open(io::stdin(), label, quiet, limits)
}

/// [`stdin`] for any reader (tests feed a pipe of their own).
pub fn open(
    reader: impl Read + Send + 'static,
    label: &str,
    quiet: Duration,
    limits: &Limits,
) -> Result<Stdin, InputError> {
    let (send, blocks) = sync_channel(BLOCKS_AHEAD);
    std::thread::spawn(move || {
        let mut reader = reader;
        loop {
            let mut block = vec![0; READ_BLOCK];
            match reader.read(&mut block) {
                Ok(0) => break,
                Ok(n) => {
                    block.truncate(n);
                    if send.send(Ok(block)).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = send.send(Err(e));
                    break;
                }
            }
        }
    });
    let mut arriving = Arriving {
        label: label.to_string(),
        blocks,
        bytes: Vec::new(),
        ended: false,
        received: 0,
        max_bytes: limits.input_bytes,
        stopped: false,
    };
    // The first block: enough to judge, or what came before a pause.
    while arriving.bytes.len() < BINARY_SNIFF_BYTES {
        match arriving.next(quiet)? {
            Arrival::More => {}
            Arrival::Quiet if arriving.bytes.len() >= GZIP_MAGIC.len() => break,
            Arrival::Quiet => {}
            Arrival::End => break,
        }
    }
    let head = &arriving.bytes;
    if head.starts_with(&GZIP_MAGIC) || utf16_order(head).is_some() {
        let head = std::mem::take(&mut arriving.bytes);
        let rest = Blocks {
            blocks: arriving.blocks,
            block: io::Cursor::new(Vec::new()),
            ended: arriving.ended,
        };
        let reader = io::Cursor::new(head).chain(rest);
        return Opened::new(reader, label, None, limits).map(Stdin::Decoded);
    }
    check_binary(head, label)?;
    Ok(Stdin::Arriving(arriving))
}

impl Arriving {
    /// Waits up to `quiet` for more text.
    pub fn next(&mut self, quiet: Duration) -> Result<Arrival, InputError> {
        if self.ended {
            return Ok(Arrival::End);
        }
        match self.blocks.recv_timeout(quiet) {
            Ok(Ok(block)) => {
                // Past the limit, what is within it is kept, as a file's
                // first bytes are: the text ends there.
                let left = self.max_bytes.saturating_sub(self.received);
                let kept = &block[..block.len().min(left as usize)];
                self.received += kept.len() as u64;
                self.bytes.extend_from_slice(kept);
                if kept.len() < block.len() {
                    self.ended = true;
                    self.stopped = true;
                }
                Ok(Arrival::More)
            }
            Ok(Err(e)) => Err(InputError::from_io(&self.label, e)),
            Err(RecvTimeoutError::Timeout) => Ok(Arrival::Quiet),
            Err(RecvTimeoutError::Disconnected) => {
                self.ended = true;
                Ok(Arrival::End)
            }
        }
    }

    /// The size limit, when the text reached it (the rest was not read).
    pub fn stopped(&self) -> Option<InputError> {
        self.stopped.then(|| too_large(&self.label, self.max_bytes))
    }

    /// Bytes received in all (dropped ones too).
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The text so far (since the last [`Arriving::drop_front`]).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Forgets the first `n` bytes of the text so far (analysed already),
    /// so a long stream costs no more memory than its last part.
    pub fn drop_front(&mut self, n: usize) {
        self.bytes.drain(..n);
    }

    /// [`Arriving::into_reader`] as an input read on as a file is, within
    /// what is left of [`Limits::input_bytes`] (and ending at it, when the
    /// text reached it).
    pub fn into_opened(self, from: usize) -> Opened {
        let before = self.received - self.bytes.len() as u64 + from as u64;
        let (label, max, stopped) = (self.label.clone(), self.max_bytes, self.stopped);
        Opened::text(self.into_reader(from), &label, max).after(before, stopped)
    }

    /// The text from `from` on, and all that is still to come, as one
    /// reader: the rest is read as a file is.
    pub fn into_reader(mut self, from: usize) -> impl Read + Send + 'static {
        self.bytes.drain(..from);
        let rest = Blocks {
            blocks: self.blocks,
            block: io::Cursor::new(Vec::new()),
            ended: self.ended,
        };
        io::Cursor::new(self.bytes).chain(rest)
    }

    /// The whole text, once [`Arrival::End`] was seen; refused when empty
    /// or over [`Limits::input_bytes`].
    pub fn finish(self) -> Result<Text, InputError> {
        if let Some(e) = self.stopped() {
            return Err(e);
        }
        check_text(&self.bytes, &self.label)?;
        Ok(Text::Bytes(self.bytes))
    }
}

/// The blocks still to come, as a reader.
struct Blocks {
    blocks: Receiver<io::Result<Vec<u8>>>,
    block: io::Cursor<Vec<u8>>,
    /// The writer was already seen closing its end.
    ended: bool,
}

impl Read for Blocks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.block.read(buf)?;
            if n > 0 || buf.is_empty() || self.ended {
                return Ok(n);
            }
            match self.blocks.recv() {
                Ok(block) => self.block = io::Cursor::new(block?),
                Err(_) => return Ok(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIET: Duration = Duration::from_millis(50);

    #[test]
    fn plain_text_arrives_and_ends() {
        let text = b"2024-05-01 10:00:00,000 - MainThread - awscli.clidriver - DEBUG - x\n";
        let Stdin::Arriving(mut arriving) =
            open(&text[..], "<stdin>", QUIET, &Limits::default()).unwrap()
        else {
            panic!("plain text arrives");
        };
        while arriving.next(QUIET).unwrap() != Arrival::End {}
        assert_eq!(&*arriving.finish().unwrap(), &text[..]);
    }

    #[test]
    fn gzip_is_read_whole_and_binary_refused_on_the_first_block() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(b"a log line\n").unwrap();
        let gz = e.finish().unwrap();
        match open(io::Cursor::new(gz), "<stdin>", QUIET, &Limits::default()).unwrap() {
            Stdin::Decoded(opened) => assert_eq!(&*opened.whole().unwrap(), b"a log line\n"),
            Stdin::Arriving(_) => panic!("gzip is decoded"),
        }
        let zeros = io::repeat(0).take(1 << 30);
        assert!(matches!(
            open(zeros, "<stdin>", QUIET, &Limits::default()),
            Err(InputError::Binary { .. })
        ));
        assert!(matches!(
            open(&b" \n"[..], "<stdin>", QUIET, &Limits::default())
                .ok()
                .and_then(|s| match s {
                    Stdin::Arriving(mut a) => {
                        while a.next(QUIET).ok()? != Arrival::End {}
                        a.finish().err()
                    }
                    Stdin::Decoded(_) => None,
                }),
            Some(InputError::Empty { .. })
        ));
    }
}
