//! How engine records look to other programs: the JSON views the HTTP API
//! and the MCP server answer with, kept in one place so both say the same
//! (the fields of `gleaner status JOB --json`, plus rates and ISO times).

use serde::Serialize;

use crate::store::{now_ms, JobRates, JobRecord, JobStatus};
use crate::time::iso_time;

/// A job with its rates and ISO times.
#[derive(Debug, Serialize)]
pub struct JobView<'a> {
    /// The stored job.
    #[serde(flatten)]
    pub job: &'a JobRecord,
    /// Speed, elapsed time, ETA.
    #[serde(flatten)]
    pub rates: JobRates,
    /// Files read out of files to read; 100 once the job completed (a
    /// rescan that found nothing changed has nothing to read).
    pub percent_done: Option<f64>,
    /// Files the job looked at: those it read, and those it found
    /// unchanged or moved without reading them.
    pub checked_files: u64,
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
            percent_done: if job.status == JobStatus::Completed {
                Some(100.0)
            } else {
                (counts.total_files > 0).then(|| {
                    let share = counts.indexed_files as f64 / counts.total_files as f64;
                    (share * 1000.0).round() / 10.0
                })
            },
            checked_files: counts.checked_files(),
            current_file: (job.status == JobStatus::Running)
                .then_some(counts.last_indexed_file.as_deref())
                .flatten(),
            created: iso_time(job.created_at),
            finished: job.completed_at.map(iso_time),
        }
    }
}

/// Views of `jobs`, in order.
pub fn job_views(jobs: &[JobRecord]) -> Vec<JobView<'_>> {
    jobs.iter().map(JobView::new).collect()
}

/// Jobs that are not finished: the index may still change under them.
pub const UNFINISHED: [JobStatus; 3] = [JobStatus::Queued, JobStatus::Running, JobStatus::Paused];
