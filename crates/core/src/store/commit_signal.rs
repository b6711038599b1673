//! Tells whoever waits in this process that the store committed a change
//! the search index may need (documents written, sources switched on or
//! off or removed).
//!
//! The search indexer sleeps on it instead of polling the database, so an
//! engine with nothing to do wakes for nothing; a commit wakes it at once,
//! which is what keeps "saved" to "searchable" in milliseconds. Commits of
//! other processes do not ring it: the engine is told about those over its
//! control socket and rings it itself (see `engine::daemon`).

use std::sync::{Condvar, Mutex};
use std::time::Duration;

static GENERATION: Mutex<u64> = Mutex::new(0);
static CHANGED: Condvar = Condvar::new();

/// Says that a change was committed.
pub fn announce() {
    let mut generation = GENERATION.lock().unwrap_or_else(|p| p.into_inner());
    *generation = generation.wrapping_add(1);
    CHANGED.notify_all();
}

/// How many changes were announced so far (to wait for the next one).
pub fn generation() -> u64 {
    *GENERATION.lock().unwrap_or_else(|p| p.into_inner())
}

/// Waits until a change after `seen` is announced, or `limit` passes, or
/// `give_up` says so (checked at each wake-up); returns the generation then.
pub fn wait_after(seen: u64, limit: Option<Duration>, give_up: impl Fn() -> bool) -> u64 {
    let mut generation = GENERATION.lock().unwrap_or_else(|p| p.into_inner());
    let deadline = limit.map(|limit| std::time::Instant::now() + limit);
    while *generation == seen && !give_up() {
        match deadline {
            None => {
                generation = CHANGED.wait(generation).unwrap_or_else(|p| p.into_inner());
            }
            Some(deadline) => {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    break;
                }
                generation = CHANGED
                    .wait_timeout(generation, left)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
    }
    *generation
}
