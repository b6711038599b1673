//! How far each search index of this process has caught up with its store,
//! for whoever must not report "done" before what it wrote is searchable.
//!
//! A job that finished tells its user (a notification, `gleaner index`
//! returning) that its files can be found; so before a job is marked
//! completed, its thread waits here until the indexer running in this
//! process for that index has committed the outbox rows the job wrote.
//! Without such an indexer there is nothing to wait for. Indexes are told
//! apart by their folder: tests run several engines in one process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The last outbox row committed, by the folder of each index whose
/// indexer runs in this process.
static APPLIED: Mutex<Option<HashMap<PathBuf, i64>>> = Mutex::new(None);
static ADVANCED: Condvar = Condvar::new();

fn with<T>(f: impl FnOnce(&mut HashMap<PathBuf, i64>) -> T) -> T {
    let mut guard = APPLIED.lock().unwrap_or_else(|p| p.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

/// An indexer for `dir` started, its commits holding up to `seq`.
pub(super) fn started(dir: &Path, seq: i64) {
    with(|map| map.insert(dir.to_path_buf(), seq));
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
        if let Some(applied) = map.get_mut(dir) {
            *applied = (*applied).max(seq);
        }
    });
    ADVANCED.notify_all();
}

/// Waits until the index in `dir` holds outbox row `seq`, at most `limit`;
/// true when it does, or when no indexer for it runs in this process.
pub fn wait_applied(dir: &Path, seq: i64, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let mut guard = APPLIED.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let behind = guard
            .get_or_insert_with(HashMap::new)
            .get(dir)
            .is_some_and(|applied| *applied < seq);
        if !behind {
            return true;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        guard = ADVANCED
            .wait_timeout(guard, left)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}
