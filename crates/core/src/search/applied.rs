//! How far each search index of this process has caught up with its store,
//! for whoever must not report "done" before what it wrote is searchable.
//!
//! A job that finished tells its user (a notification, `gleaner index`
//! returning) that its files can be found; so before a job is marked
//! completed, its thread waits here until the indexer running in this
//! process for that index has committed the outbox rows the job wrote.
//! Without such an indexer there is nothing to wait for. Indexes are told
//! apart by their folder: tests run several engines in one process.
//!
//! An indexer that cannot write because its disk is full says so here, and
//! the waiting stops at once: the job is then paused for the full disk, as
//! when the database itself cannot grow, instead of waiting out the limit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Where the indexer of one index stands.
#[derive(Debug, Clone, Copy)]
struct Progress {
    /// The last outbox row committed.
    applied: i64,
    /// Its writes fail for want of space (until its next commit).
    disk_full: bool,
}

/// By the folder of each index whose indexer runs in this process.
static APPLIED: Mutex<Option<HashMap<PathBuf, Progress>>> = Mutex::new(None);
static ADVANCED: Condvar = Condvar::new();

/// How a wait for the search index ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The index holds the rows (or no indexer for it runs here).
    Yes,
    /// The limit passed first.
    TimedOut,
    /// The indexer cannot write: its disk is full.
    DiskFull,
}

fn with<T>(f: impl FnOnce(&mut HashMap<PathBuf, Progress>) -> T) -> T {
    let mut guard = APPLIED.lock().unwrap_or_else(|p| p.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

/// An indexer for `dir` started, its commits holding up to `seq`.
pub(super) fn started(dir: &Path, seq: i64) {
    with(|map| {
        map.insert(
            dir.to_path_buf(),
            Progress {
                applied: seq,
                disk_full: false,
            },
        )
    });
    ADVANCED.notify_all();
}

/// The indexer for `dir` ended.
pub(super) fn ended(dir: &Path) {
    with(|map| map.remove(dir));
    ADVANCED.notify_all();
}

/// The indexer for `dir` committed everything up to outbox row `seq`.
pub(super) fn advance(dir: &Path, seq: i64) {
    with(|map| {
        if let Some(progress) = map.get_mut(dir) {
            progress.applied = progress.applied.max(seq);
            progress.disk_full = false;
        }
    });
    ADVANCED.notify_all();
}

/// The indexer for `dir` committed: whatever stopped its writes is over.
pub(super) fn writable(dir: &Path) {
    with(|map| {
        if let Some(progress) = map.get_mut(dir) {
            progress.disk_full = false;
        }
    });
}

/// The indexer for `dir` failed to write for want of space.
pub(super) fn disk_full(dir: &Path) {
    with(|map| {
        if let Some(progress) = map.get_mut(dir) {
            progress.disk_full = true;
        }
    });
    ADVANCED.notify_all();
}

/// Waits until the index in `dir` holds outbox row `seq`, at most `limit`.
/// [`Applied::Yes`] too when no indexer for it runs in this process.
pub fn wait_applied(dir: &Path, seq: i64, limit: Duration) -> Applied {
    let deadline = Instant::now() + limit;
    let mut guard = APPLIED.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        match guard.get_or_insert_with(HashMap::new).get(dir) {
            None => return Applied::Yes,
            Some(progress) if progress.applied >= seq => return Applied::Yes,
            Some(progress) if progress.disk_full => return Applied::DiskFull,
            Some(_) => {}
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Applied::TimedOut;
        }
        guard = ADVANCED
            .wait_timeout(guard, left)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_ends_the_wait_and_a_commit_clears_it() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        assert_eq!(
            wait_applied(dir, 9, Duration::ZERO),
            Applied::Yes,
            "no indexer"
        );
        started(dir, 3);
        assert_eq!(wait_applied(dir, 3, Duration::ZERO), Applied::Yes);
        assert_eq!(wait_applied(dir, 4, Duration::ZERO), Applied::TimedOut);
        disk_full(dir);
        // Returns at once, long before the limit.
        assert_eq!(
            wait_applied(dir, 4, Duration::from_secs(600)),
            Applied::DiskFull
        );
        writable(dir);
        assert_eq!(wait_applied(dir, 4, Duration::ZERO), Applied::TimedOut);
        disk_full(dir);
        advance(dir, 4);
        assert_eq!(wait_applied(dir, 4, Duration::ZERO), Applied::Yes);
        ended(dir);
    }
}
