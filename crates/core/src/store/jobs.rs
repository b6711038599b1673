//! Indexing jobs: every scan is a job, and its row is the scan's summary.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::{now_ms, Store};
use crate::error::{Error, Result};

/// A job's life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a free runner.
    Queued,
    /// Being worked on.
    Running,
    /// Stopped at a file boundary, to be resumed.
    Paused,
    /// Finished; failures of single files are counted, not fatal.
    Completed,
    /// Stopped by an error that concerns the whole job.
    Failed,
    /// Stopped by the user.
    Cancelled,
}

impl JobStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Paused => "paused",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<JobStatus> {
        Some(match text {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "paused" => JobStatus::Paused,
            "completed" => JobStatus::Completed,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            _ => return None,
        })
    }

    /// Whether the job has ended for good.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled
        )
    }

    /// The states a job may move to from this one. Finished jobs never
    /// change again; a running job goes back to queued only when its engine
    /// died and a new engine resumes it.
    pub fn next_states(self) -> &'static [JobStatus] {
        use JobStatus::*;
        match self {
            Queued => &[Running, Paused, Cancelled],
            Running => &[Queued, Paused, Completed, Failed, Cancelled],
            Paused => &[Queued, Cancelled],
            Completed | Failed | Cancelled => &[],
        }
    }

    /// Whether moving to `next` is allowed.
    pub fn can_become(self, next: JobStatus) -> bool {
        self.next_states().contains(&next)
    }

    /// Every status.
    pub const ALL: [JobStatus; 6] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Paused,
        JobStatus::Completed,
        JobStatus::Failed,
        JobStatus::Cancelled,
    ];
}

/// The running counts of a job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct JobCounts {
    /// Files the job has to look at closely (not unchanged ones).
    pub total_files: u64,
    /// Files done so far (indexed, failed or found unchanged after hashing).
    pub indexed_files: u64,
    /// Files that failed.
    pub failed_files: u64,
    /// Chunks written.
    pub total_chunks: u64,
    /// Bytes read.
    pub bytes_processed: u64,
    /// New paths.
    pub new: u64,
    /// Paths whose content changed.
    pub modified: u64,
    /// Paths that moved (no re-extraction).
    pub moved: u64,
    /// Paths gone from disk.
    pub deleted: u64,
    /// Paths found unchanged.
    pub unchanged: u64,
    /// Symbolic links met and not followed.
    pub links_not_followed: u64,
    /// The last file finished.
    pub last_indexed_file: Option<String>,
}

impl JobCounts {
    /// Files the scan looked at: read (or to be read), found unchanged, or
    /// found moved without reading them.
    pub fn checked_files(&self) -> u64 {
        self.total_files + self.unchanged + self.moved
    }

    /// For a finished full scan of `source` that found no file at all (an
    /// empty folder, one of symbolic links only, or rules that leave every
    /// file out), a sentence saying so; `None` otherwise.
    pub fn nothing_to_index(&self, source: &std::path::Path) -> Option<String> {
        if self.checked_files() > 0 {
            return None;
        }
        let links = match self.links_not_followed {
            0 => String::new(),
            1 => ": it holds a symbolic link, and links are not followed (add the folder it points to as a source)".into(),
            n => format!(": it holds {n} symbolic links, and links are not followed (add the folders they point to as sources)"),
        };
        Some(format!("{} has no file to index{links}", source.display()))
    }
}

/// A job row.
#[derive(Debug, Clone, Serialize)]
pub struct JobRecord {
    /// UUID.
    pub id: String,
    /// The source, if it still exists.
    pub source_id: Option<i64>,
    /// The folder the job indexes.
    pub directory: String,
    /// Whether subfolders are included.
    pub recursive: bool,
    /// What started it: manual, background, scheduled, startup.
    pub trigger: String,
    /// Life-cycle state.
    pub status: JobStatus,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub started_at: Option<i64>,
    /// Unix ms.
    pub completed_at: Option<i64>,
    /// Counts so far.
    #[serde(flatten)]
    pub counts: JobCounts,
    /// Why the job failed.
    pub error: Option<String>,
    /// Why the job is paused.
    pub pause_reason: Option<String>,
}

/// How fast a job goes and when it should end.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JobRates {
    /// Files finished per second since the job started.
    pub files_per_s: f64,
    /// Bytes read per second.
    pub bytes_per_s: f64,
    /// Seconds left at the current rate, while the job runs.
    pub eta_s: Option<f64>,
    /// Seconds since the job started (to its end when finished).
    pub elapsed_s: f64,
}

impl JobRecord {
    /// Rates and ETA at `now_ms`.
    pub fn rates(&self, now_ms: i64) -> JobRates {
        let Some(started) = self.started_at else {
            return JobRates::default();
        };
        let end = self.completed_at.unwrap_or(now_ms);
        let elapsed_s = ((end - started).max(0) as f64 / 1000.0).max(0.001);
        let files_per_s = self.counts.indexed_files as f64 / elapsed_s;
        let remaining = self
            .counts
            .total_files
            .saturating_sub(self.counts.indexed_files) as f64;
        JobRates {
            files_per_s,
            bytes_per_s: self.counts.bytes_processed as f64 / elapsed_s,
            eta_s: (self.status == JobStatus::Running && files_per_s > 0.0)
                .then(|| remaining / files_per_s),
            elapsed_s,
        }
    }
}

const JOB_COLUMNS: &str = "id, source_id, directory, recursive, trigger, status, created_at, \
    started_at, completed_at, total_files, indexed_files, failed_files, total_chunks, \
    bytes_processed, n_new, n_modified, n_moved, n_deleted, n_unchanged, last_indexed_file, \
    error_message, pause_reason, n_links";

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let count = |i: usize| row.get::<_, i64>(i).map(|v| v as u64);
    Ok(JobRecord {
        id: row.get(0)?,
        source_id: row.get(1)?,
        directory: row.get(2)?,
        recursive: row.get(3)?,
        trigger: row.get(4)?,
        status: JobStatus::parse(&row.get::<_, String>(5)?).unwrap_or(JobStatus::Failed),
        created_at: row.get(6)?,
        started_at: row.get(7)?,
        completed_at: row.get(8)?,
        counts: JobCounts {
            total_files: count(9)?,
            indexed_files: count(10)?,
            failed_files: count(11)?,
            total_chunks: count(12)?,
            bytes_processed: count(13)?,
            new: count(14)?,
            modified: count(15)?,
            moved: count(16)?,
            deleted: count(17)?,
            unchanged: count(18)?,
            links_not_followed: count(22)?,
            last_indexed_file: row.get(19)?,
        },
        error: row.get(20)?,
        pause_reason: row.get(21)?,
    })
}

impl Store {
    /// Creates a queued job for a source.
    pub fn create_job(
        &self,
        source_id: i64,
        directory: &str,
        recursive: bool,
        trigger: &str,
    ) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        self.conn.execute(
            "INSERT INTO indexing_jobs (id, source_id, directory, recursive, trigger, status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6)",
            params![id, source_id, directory, recursive, trigger, now_ms()],
        )?;
        Ok(id)
    }

    /// Moves a job to `next` if the state machine allows it from its current
    /// state; returns the job as it is afterwards. `reason` is stored as the
    /// pause reason (paused) or error (failed).
    pub fn transition_job(
        &self,
        id: &str,
        next: JobStatus,
        reason: Option<&str>,
    ) -> Result<JobRecord> {
        let job = self.job(id)?;
        if job.status == next {
            return Ok(job);
        }
        if !job.status.can_become(next) {
            return Err(Error::InvalidJobTransition {
                id: id.to_string(),
                from: job.status.as_str(),
                to: next.as_str(),
            });
        }
        self.conn.execute(
            "UPDATE indexing_jobs SET
                 status = ?2,
                 started_at = CASE WHEN ?2 = 'running' THEN coalesce(started_at, ?3) ELSE started_at END,
                 completed_at = CASE WHEN ?2 IN ('completed', 'failed', 'cancelled') THEN ?3 ELSE completed_at END,
                 pause_reason = CASE WHEN ?2 = 'paused' THEN ?4 ELSE NULL END,
                 error_message = CASE WHEN ?2 = 'failed' THEN ?4 ELSE error_message END
             WHERE id = ?1",
            params![id, next.as_str(), now_ms(), reason],
        )?;
        self.job(id)
    }

    /// Finishes a job with its final counts.
    pub fn finish_job(
        &self,
        id: &str,
        status: JobStatus,
        counts: &JobCounts,
        error: Option<&str>,
    ) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        write_job_counts(&tx, id, counts)?;
        tx.execute(
            "UPDATE indexing_jobs SET status = ?2, completed_at = ?3, error_message = ?4 WHERE id = ?1",
            params![id, status.as_str(), now_ms(), error],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Jobs in one of `statuses`, oldest first.
    pub fn jobs_in(&self, statuses: &[JobStatus]) -> Result<Vec<JobRecord>> {
        let mut all = Vec::new();
        for status in statuses {
            all.extend(self.jobs(Some(*status), usize::MAX >> 1)?);
        }
        all.sort_by_key(|job| job.created_at);
        Ok(all)
    }

    /// One job.
    pub fn job(&self, id: &str) -> Result<JobRecord> {
        self.conn
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM indexing_jobs WHERE id = ?1"),
                [id],
                job_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::UnknownJob(id.to_string()))
    }

    /// The last job that completed.
    pub fn last_completed_job(&self) -> Result<Option<crate::health::LastScan>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, directory, completed_at, completed_at - coalesce(started_at, created_at)
                 FROM indexing_jobs WHERE status = 'completed'
                 ORDER BY completed_at DESC, rowid DESC LIMIT 1",
                [],
                |row| {
                    Ok(crate::health::LastScan {
                        job_id: row.get(0)?,
                        directory: row.get(1)?,
                        finished_at: row.get(2)?,
                        duration_ms: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Recent jobs, newest first, optionally of one status.
    pub fn jobs(&self, status: Option<JobStatus>, limit: usize) -> Result<Vec<JobRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM indexing_jobs WHERE (?1 IS NULL OR status = ?1)
             ORDER BY created_at DESC, rowid DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(
            params![status.map(JobStatus::as_str), limit as i64],
            job_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

pub(super) fn write_job_counts(
    tx: &rusqlite::Connection,
    id: &str,
    counts: &JobCounts,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE indexing_jobs SET total_files = ?2, indexed_files = ?3, failed_files = ?4,
             total_chunks = ?5, bytes_processed = ?6, n_new = ?7, n_modified = ?8, n_moved = ?9,
             n_deleted = ?10, n_unchanged = ?11, last_indexed_file = ?12, n_links = ?13
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        counts.total_files as i64,
        counts.indexed_files as i64,
        counts.failed_files as i64,
        counts.total_chunks as i64,
        counts.bytes_processed as i64,
        counts.new as i64,
        counts.modified as i64,
        counts.moved as i64,
        counts.deleted as i64,
        counts.unchanged as i64,
        counts.last_indexed_file,
        counts.links_not_followed as i64
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::NewSource;

    fn store_with_source() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("gleaner.db")).unwrap();
        let source = store
            .add_source(&NewSource {
                path: dir.path().to_path_buf(),
                recursive: true,
                ..NewSource::default()
            })
            .unwrap();
        (dir, store, source.id)
    }

    /// Walks the store into `status` along allowed moves.
    fn job_in(store: &Store, source_id: i64, status: JobStatus) -> String {
        let id = store.create_job(source_id, "/x", true, "manual").unwrap();
        let path: &[JobStatus] = match status {
            JobStatus::Queued => &[],
            JobStatus::Running => &[JobStatus::Running],
            JobStatus::Paused => &[JobStatus::Paused],
            JobStatus::Completed => &[JobStatus::Running, JobStatus::Completed],
            JobStatus::Failed => &[JobStatus::Running, JobStatus::Failed],
            JobStatus::Cancelled => &[JobStatus::Cancelled],
        };
        for step in path {
            store.transition_job(&id, *step, Some("test")).unwrap();
        }
        assert_eq!(store.job(&id).unwrap().status, status);
        id
    }

    #[test]
    fn every_legal_and_illegal_transition() {
        let (_dir, store, source_id) = store_with_source();
        for from in JobStatus::ALL {
            for to in JobStatus::ALL {
                if from == to {
                    continue;
                }
                let id = job_in(&store, source_id, from);
                let result = store.transition_job(&id, to, Some("because"));
                if from.can_become(to) {
                    let job = result.unwrap_or_else(|e| panic!("{from:?} -> {to:?}: {e}"));
                    assert_eq!(job.status, to);
                } else {
                    assert!(
                        matches!(result, Err(Error::InvalidJobTransition { .. })),
                        "{from:?} -> {to:?} must be refused"
                    );
                    assert_eq!(
                        store.job(&id).unwrap().status,
                        from,
                        "a refused move changes nothing"
                    );
                }
            }
        }
    }

    #[test]
    fn finished_jobs_are_final_and_reasons_are_kept() {
        for status in [
            JobStatus::Completed,
            JobStatus::Failed,
            JobStatus::Cancelled,
        ] {
            assert!(status.is_finished());
            assert!(status.next_states().is_empty());
        }
        let (_dir, store, source_id) = store_with_source();
        let id = job_in(&store, source_id, JobStatus::Running);
        let paused = store
            .transition_job(&id, JobStatus::Paused, Some("paused by user"))
            .unwrap();
        assert_eq!(paused.pause_reason.as_deref(), Some("paused by user"));
        let queued = store.transition_job(&id, JobStatus::Queued, None).unwrap();
        assert_eq!(queued.pause_reason, None);
        store.transition_job(&id, JobStatus::Running, None).unwrap();
        let failed = store
            .transition_job(&id, JobStatus::Failed, Some("disk on fire"))
            .unwrap();
        assert_eq!(failed.error.as_deref(), Some("disk on fire"));
        assert!(failed.completed_at.is_some());
    }
}
