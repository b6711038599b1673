//! How jobs, sources and times look in tool results.
//!
//! The fields are those of `gleaner status JOB --json` and `gleaner jobs
//! --json` (unix ms included), plus ISO times where an assistant has to reason
//! about "when": it reads `2026-11-18T11:06:40Z` more reliably than a count of
//! milliseconds.

use gleaner_core::store::{now_ms, JobRates, JobRecord, JobStatus, SourceStatusRow};
use serde::Serialize;

/// A job with its rates, as `gleaner status JOB --json` shows it.
#[derive(Serialize)]
pub struct JobView<'a> {
    /// The stored job.
    #[serde(flatten)]
    pub job: &'a JobRecord,
    /// Speed, elapsed time, ETA.
    #[serde(flatten)]
    pub rates: JobRates,
    /// Files done out of files to do, while that is known.
    pub percent_done: Option<f64>,
    /// The file being worked on, while the job runs.
    pub current_file: Option<&'a str>,
    /// When the job was created, ISO 8601.
    pub created: String,
    /// When it finished, ISO 8601.
    pub finished: Option<String>,
}

impl<'a> JobView<'a> {
    /// The view of `job` now.
    pub fn new(job: &'a JobRecord) -> JobView<'a> {
        let counts = &job.counts;
        JobView {
            job,
            rates: job.rates(now_ms()),
            percent_done: (counts.total_files > 0).then(|| {
                let share = counts.indexed_files as f64 / counts.total_files as f64;
                (share * 1000.0).round() / 10.0
            }),
            current_file: (job.status == JobStatus::Running)
                .then_some(counts.last_indexed_file.as_deref())
                .flatten(),
            created: iso_time(job.created_at),
            finished: job.completed_at.map(iso_time),
        }
    }
}

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
