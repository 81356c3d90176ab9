//! The `eventID`s met so far in a run, so that an event in several files
//! (overlapping exports, a file copied twice) is counted once.
//!
//! Inputs are read in parallel: the set is shared, sharded behind locks
//! (an event takes one lock, briefly, on one of 64 shards). It keeps a
//! 64-bit hash of each id, not the id: 8 bytes an event. Two ids with the
//! same hash would count as one event; among 5 million distinct ids the
//! chance of that is about one in a million.

use std::collections::HashSet;
use std::sync::Mutex;

const SHARDS: usize = 64;

/// The ids met so far (their hashes).
#[derive(Debug)]
pub struct Seen {
    shards: Vec<Mutex<HashSet<u64>>>,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
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
        let shard = &self.shards[(key >> 58) as usize % SHARDS];
        shard.lock().unwrap_or_else(|e| e.into_inner()).insert(key)
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
}
