//! UTF-16 decoded to UTF-8 as it is read, so a UTF-16 log (PowerShell
//! 5.1's `>` and `2>` write UTF-16LE with a byte-order mark) is analysed
//! window by window like any text log instead of being read whole.

use std::io::{self, Read};

use super::READ_BLOCK;

/// Reads UTF-16 (its byte-order mark already taken off) as UTF-8.
/// Unpaired surrogates and an odd last byte become U+FFFD, as
/// [`char::decode_utf16`] and a whole-input decoding would make them.
pub(super) struct Utf16<R> {
    inner: R,
    little: bool,
    /// Bytes read but not decoded yet: an odd byte, a high surrogate
    /// whose pair may follow.
    pending: Vec<u8>,
    /// Decoded text not handed out yet, from `pos`.
    out: Vec<u8>,
    pos: usize,
    ended: bool,
}

impl<R: Read> Utf16<R> {
    pub(super) fn new(inner: R, little: bool) -> Self {
        Utf16 {
            inner,
            little,
            pending: Vec::new(),
            out: Vec::new(),
            pos: 0,
            ended: false,
        }
    }

    fn unit(&self, pair: &[u8]) -> u16 {
        let pair = [pair[0], pair[1]];
        match self.little {
            true => u16::from_le_bytes(pair),
            false => u16::from_be_bytes(pair),
        }
    }

    /// Reads one more block and decodes what of it is complete.
    fn decode_more(&mut self) -> io::Result<()> {
        let mut raw = std::mem::take(&mut self.pending);
        let start = raw.len();
        raw.resize(start + READ_BLOCK, 0);
        let n = loop {
            match self.inner.read(&mut raw[start..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                read => break read?,
            }
        };
        raw.truncate(start + n);
        self.ended = n == 0;
        let mut usable = raw.len() & !1;
        // A high surrogate at the end waits for its pair, unless nothing
        // more comes.
        if !self.ended && usable >= 2 && (0xd800..0xdc00).contains(&self.unit(&raw[usable - 2..])) {
            usable -= 2;
        }
        self.out.clear();
        self.pos = 0;
        let units = raw[..usable].chunks_exact(2).map(|pair| self.unit(pair));
        let mut text = String::with_capacity(usable);
        text.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
        self.out = text.into_bytes();
        if self.ended {
            if raw.len() % 2 == 1 {
                self.out
                    .extend_from_slice(char::REPLACEMENT_CHARACTER.to_string().as_bytes());
            }
        } else {
            self.pending = raw[usable..].to_vec();
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.ended {
                return Ok(0);
            }
            self.decode_more()?;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `bytes` through the decoder, the inner reader giving at most
    /// `step` bytes a call.
    fn decoded(bytes: &[u8], little: bool, step: usize) -> String {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.1).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = String::new();
        Utf16::new(Trickle(bytes, step), little)
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn any_split_decodes_as_a_whole_decoding_does() {
        let text = "An error occurred (AccessDenied) \u{e9}\u{1F600}\r\nnext line\n";
        for little in [true, false] {
            let bytes: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| match little {
                    true => u.to_le_bytes(),
                    false => u.to_be_bytes(),
                })
                .collect();
            for step in [1, 2, 3, 5, 4096] {
                assert_eq!(decoded(&bytes, little, step), text, "step {step}");
            }
        }
    }

    #[test]
    fn unpaired_surrogates_and_an_odd_byte_become_replacement_characters() {
        // A lone high surrogate, then `a`, then a lone low one, then an
        // odd byte.
        let bytes = [0x00, 0xd8, b'a', 0, 0x00, 0xdc, b'b'];
        for step in [1, 2, 7] {
            assert_eq!(decoded(&bytes, true, step), "\u{fffd}a\u{fffd}\u{fffd}");
        }
        // A high surrogate as the very last unit.
        assert_eq!(decoded(&[b'a', 0, 0x00, 0xd8], true, 1), "a\u{fffd}");
    }
}
