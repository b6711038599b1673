//! Indexing jobs: every scan is a job, and its row is the scan's summary.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::{now_ms, Store};
use crate::error::{Error, Result};

/// A job's life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
        matches!(self, JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled)
    }
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
    /// The last file finished.
    pub last_indexed_file: Option<String>,
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

const JOB_COLUMNS: &str = "id, source_id, directory, recursive, trigger, status, created_at, \
    started_at, completed_at, total_files, indexed_files, failed_files, total_chunks, \
    bytes_processed, n_new, n_modified, n_moved, n_deleted, n_unchanged, last_indexed_file, \
    error_message, pause_reason";

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
            last_indexed_file: row.get(19)?,
        },
        error: row.get(20)?,
        pause_reason: row.get(21)?,
    })
}

impl Store {
    /// Creates a job for a source, already running (a foreground scan).
    pub fn create_running_job(&self, source_id: i64, directory: &str, recursive: bool, trigger: &str) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let now = now_ms();
        self.conn.execute(
            "INSERT INTO indexing_jobs (id, source_id, directory, recursive, trigger, status, created_at, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?6)",
            params![id, source_id, directory, recursive, trigger, now],
        )?;
        Ok(id)
    }

    /// Finishes a job with its final counts.
    pub fn finish_job(&self, id: &str, status: JobStatus, counts: &JobCounts, error: Option<&str>) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        write_job_counts(&tx, id, counts)?;
        tx.execute(
            "UPDATE indexing_jobs SET status = ?2, completed_at = ?3, error_message = ?4 WHERE id = ?1",
            params![id, status.as_str(), now_ms(), error],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// One job.
    pub fn job(&self, id: &str) -> Result<JobRecord> {
        self.conn
            .query_row(&format!("SELECT {JOB_COLUMNS} FROM indexing_jobs WHERE id = ?1"), [id], job_from_row)
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
        let rows = stmt.query_map(params![status.map(JobStatus::as_str), limit as i64], job_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

pub(super) fn write_job_counts(tx: &rusqlite::Connection, id: &str, counts: &JobCounts) -> Result<()> {
    tx.prepare_cached(
        "UPDATE indexing_jobs SET total_files = ?2, indexed_files = ?3, failed_files = ?4,
             total_chunks = ?5, bytes_processed = ?6, n_new = ?7, n_modified = ?8, n_moved = ?9,
             n_deleted = ?10, n_unchanged = ?11, last_indexed_file = ?12
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
        counts.last_indexed_file
    ])?;
    Ok(())
}
