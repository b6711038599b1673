//! How far the search index of this process has caught up with the store,
//! for whoever must not report "done" before what it wrote is searchable.
//!
//! A job that finished tells its user (a notification, `gleaner index`
//! returning) that its files can be found; so before a job is marked
//! completed, its thread waits here until the indexer running in this
//! process has committed the outbox rows the job wrote. Without an indexer
//! in the process there is nothing to wait for.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

struct Applied {
    /// Whether an indexer runs in this process.
    running: bool,
    /// The last outbox row its commits hold.
    seq: i64,
}

static APPLIED: Mutex<Applied> = Mutex::new(Applied {
    running: false,
    seq: 0,
});
static ADVANCED: Condvar = Condvar::new();

fn lock() -> std::sync::MutexGuard<'static, Applied> {
    APPLIED.lock().unwrap_or_else(|p| p.into_inner())
}

/// An indexer started (true) or ended (false) in this process.
pub(super) fn set_running(running: bool) {
    lock().running = running;
    ADVANCED.notify_all();
}

/// The indexer committed everything up to outbox row `seq`.
pub(super) fn advance(seq: i64) {
    let mut applied = lock();
    applied.seq = applied.seq.max(seq);
    ADVANCED.notify_all();
}

/// Waits until the index of this process holds outbox row `seq`, at most
/// `limit`; true when it does (or no indexer runs here).
pub fn wait_applied(seq: i64, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let mut applied = lock();
    while applied.running && applied.seq < seq {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        applied = ADVANCED
            .wait_timeout(applied, left)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
    true
}
