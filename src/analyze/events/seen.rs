//! The `eventID`s met so far in a run, so that an event in several files
//! (overlapping exports, a file copied twice) is counted once.
//!
//! This is the one part of a run that grows with its events, so it is
//! kept small: a 64-bit hash of each id, not the id, and of the hash only
//! the 6 bytes its place does not say. The top 6 bits pick one of 64
//! shards (inputs are read in parallel: each shard has its own lock, taken
//! briefly). A shard keeps the low 48 bits of its hashes in one sorted
//! array, 6 bytes an event (about 30 MB at 5 million events, where a
//! `HashSet<u64>` took 10-20 bytes an event, and twice that while it
//! grew), indexed by the next 10 bits so that a look-up searches about
//! n / 65,536 entries; new hashes wait in a small set and are merged in
//! [`RECENT`] at a time. So the memory is a few large arrays, not tens of
//! thousands of small ones growing (those left the allocator with 40 MB of
//! gaps at 5 million events).
//!
//! Two ids with the same 64-bit hash count as one event. Among n distinct
//! ids the chance that any two share one is about n² / 2⁶⁵: one in 1.5
//! million at 5 million events, one in 15,000 at 50 million. The cost of
//! that rare case is one event counted as a duplicate of another, a count
//! off by one; an exact set would cost the ids themselves (36 bytes each).

use std::collections::HashSet;
use std::sync::Mutex;

/// Locks: the top bits of a hash.
const SHARD_BITS: u32 = 6;
/// Index of a shard's sorted array: the next bits.
const INDEX_BITS: u32 = 10;
/// Hashes a shard keeps apart before merging them into its sorted array.
const RECENT: usize = 4096;

/// The ids met so far (their hashes).
#[derive(Debug)]
pub struct Seen {
    shards: Vec<Mutex<Shard>>,
}

/// One lock's share of the hashes.
#[derive(Debug, Default)]
struct Shard {
    /// The low 48 bits of merged hashes, big-endian (bytes order as the
    /// numbers do), sorted.
    sorted: Vec<[u8; 6]>,
    /// Where in `sorted` the hashes of each value of the index bits start
    /// (and, last, its length); empty while `sorted` is.
    starts: Vec<u32>,
    /// Hashes met since the last merge, whole.
    recent: HashSet<u64>,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            shards: (0..1 << SHARD_BITS).map(|_| Mutex::default()).collect(),
        }
    }
}

/// The index bits of a hash, and what a shard's array keeps of it.
fn parts(key: u64) -> (usize, [u8; 6]) {
    let index = ((key >> 48) & ((1 << INDEX_BITS) - 1)) as usize;
    let bytes = key.to_be_bytes();
    (
        index,
        [bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]],
    )
}

impl Shard {
    fn contains(&self, key: u64) -> bool {
        if self.recent.contains(&key) {
            return true;
        }
        if self.starts.is_empty() {
            return false;
        }
        let (index, rest) = parts(key);
        let range = self.starts[index] as usize..self.starts[index + 1] as usize;
        self.sorted[range].binary_search(&rest).is_ok()
    }

    /// Merges `recent` into `sorted`: one new array of the exact size.
    fn merge(&mut self) {
        let mut new: Vec<(usize, [u8; 6])> = self.recent.drain().map(parts).collect();
        new.sort_unstable();
        let mut merged = Vec::with_capacity(self.sorted.len() + new.len());
        let mut starts = Vec::with_capacity((1 << INDEX_BITS) + 1);
        starts.push(0u32);
        let mut b = 0;
        for index in 0..1 << INDEX_BITS {
            let mine = match self.starts.is_empty() {
                true => &[][..],
                false => &self.sorted[self.starts[index] as usize..self.starts[index + 1] as usize],
            };
            let mut a = 0;
            loop {
                let theirs = new.get(b).filter(|(i, _)| *i == index).map(|(_, r)| *r);
                match (mine.get(a), theirs) {
                    (None, None) => break,
                    (Some(m), Some(t)) if *m < t => {
                        merged.push(*m);
                        a += 1;
                    }
                    (_, Some(t)) => {
                        merged.push(t);
                        b += 1;
                    }
                    (Some(m), None) => {
                        merged.push(*m);
                        a += 1;
                    }
                }
            }
            starts.push(merged.len() as u32);
        }
        self.sorted = merged;
        self.starts = starts;
    }
}

impl Seen {
    /// The key an id is kept under: the standard library's hasher with
    /// its fixed keys (`DefaultHasher::new`), so a run's counts do not
    /// depend on chance.
    pub fn key(id: &str) -> u64 {
        crate::trail::counted::id_key(id)
    }

    /// Records `key`; whether it was new.
    pub fn insert(&self, key: u64) -> bool {
        let mut shard = self.shards[(key >> (64 - SHARD_BITS)) as usize]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if shard.contains(key) {
            return false;
        }
        shard.recent.insert(key);
        if shard.recent.len() >= RECENT {
            shard.merge();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_new_once() {
        let seen = Seen::default();
        let a = Seen::key("3b5b6b1e-0d8c-4b79-9d7d-1f3e4c5d6e7f");
        assert!(seen.insert(a));
        assert!(!seen.insert(a));
        assert!(seen.insert(Seen::key("another")));
        assert_ne!(Seen::key("a"), Seen::key("b"));
    }

    #[test]
    fn keys_differing_in_any_bit_are_apart() {
        // The bits that pick the shard, the bucket and those kept.
        let seen = Seen::default();
        let base = 0x0123_4567_89ab_cdefu64;
        assert!(seen.insert(base));
        for bit in 0..64 {
            assert!(seen.insert(base ^ (1 << bit)), "bit {bit}");
        }
        for bit in 0..64 {
            assert!(!seen.insert(base ^ (1 << bit)), "bit {bit} again");
        }
        assert!(!seen.insert(base));
    }

    #[test]
    fn many_keys_in_one_bucket_stay_exact() {
        // The same shard and bucket, rests in no order: each new once.
        let seen = Seen::default();
        let keys: Vec<u64> = (0..5_000u64)
            .map(|i| 0xabcd_0000_0000_0000 | (i.wrapping_mul(0x9e37_79b9_7f4b) & 0xffff_ffff_ffff))
            .collect();
        for k in &keys {
            assert!(seen.insert(*k));
        }
        for k in &keys {
            assert!(!seen.insert(*k));
        }
    }

    #[test]
    fn keys_stay_known_across_merges() {
        // Several merges into every part of the index, then each key again.
        let seen = Seen::default();
        let keys: Vec<u64> = (0..(RECENT as u64) * 3 + 17)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        for (n, k) in keys.iter().enumerate() {
            assert!(seen.insert(*k), "new {n}");
            assert!(!seen.insert(*k), "again {n}");
        }
        for k in &keys {
            assert!(!seen.insert(*k));
            assert!(seen.insert(!*k) != seen.insert(!*k));
        }
    }
}
