//! How jobs, sources and times look in tool results.
//!
//! The fields are those of `gleaner status JOB --json` and `gleaner jobs
//! --json` (unix ms included), plus ISO times where an assistant has to reason
//! about "when": it reads `2026-11-18T11:06:40Z` more reliably than a count of
//! milliseconds.

use gleaner_core::store::{now_ms, SourceStatusRow};
use serde::Serialize;

pub use gleaner_core::view::JobView;

/// A source with its counts, as `gleaner source list --json` shows it.
#[derive(Serialize)]
pub struct SourceView<'a> {
    /// The source and its counts.
    #[serde(flatten)]
    pub row: &'a SourceStatusRow,
    /// When its last full scan completed, ISO 8601.
    pub last_full_scan_time: Option<String>,
    /// Whether a job for it is queued, running or paused.
    pub indexing_now: bool,
}

pub use gleaner_core::time::iso_time;

/// Seconds from unix ms `then` to now, never negative.
pub fn age_s(then_ms: i64) -> i64 {
    ((now_ms() - then_ms) / 1000).max(0)
}
