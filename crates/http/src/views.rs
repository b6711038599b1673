//! How jobs look in answers: the stored row with its rates, as
//! `gleaner status JOB --json` and the MCP server show it.

use gleaner_core::store::{now_ms, JobRates, JobRecord, JobStatus};
use gleaner_core::time::iso_time;
use serde::Serialize;

/// A job with its rates and ISO times.
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
