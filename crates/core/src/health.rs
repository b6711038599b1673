//! Health: is the index keeping up, and if not, what should the user do?
//!
//! Part of the answer is in the database (failed files, sources in error,
//! the last successful scan); the rest only the running engine knows
//! (watches, watcher problems). [`HealthReport::build`] joins the two; the
//! engine's part comes over the control socket.

use serde::{Deserialize, Serialize};

use std::path::Path;

use crate::error::Result;
use crate::index::PAUSED_DISK_FULL;
use crate::source::ScanStatus;
use crate::store::{JobStatus, Store};
use crate::watch::WatchHealth;

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the index still works.
    Info,
    /// Part of the index may be stale or incomplete.
    Warning,
    /// Indexing does not work for some source.
    Error,
}

/// One problem, in plain words, with its fix when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthIssue {
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: Option<String>,
}

/// What the running engine reports about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineStatus {
    /// Its process id.
    pub pid: u32,
    /// Unix ms when it started.
    pub started_at: i64,
    /// inotify watches in use.
    pub watches_in_use: usize,
    /// The kernel's per-user watch limit, if readable.
    pub watch_limit: Option<u64>,
    /// Paths indexed from live changes since start.
    pub live_paths_indexed: u64,
    /// Watcher problems.
    pub issues: Vec<HealthIssue>,
    /// What the search indexer is doing (building, how far it applied the
    /// store's changes).
    #[serde(default)]
    pub search: Option<crate::search::IndexerStatus>,
}

/// The last scan that completed.
#[derive(Debug, Clone, Serialize)]
pub struct LastScan {
    /// Job id.
    pub job_id: String,
    /// The folder.
    pub directory: String,
    /// Unix ms when it finished.
    pub finished_at: i64,
    /// How long it took, in ms.
    pub duration_ms: i64,
}

/// The whole picture.
#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    /// No warnings or errors.
    pub healthy: bool,
    /// The running engine, if any.
    pub engine: Option<EngineStatus>,
    /// The last completed scan.
    pub last_successful_scan: Option<LastScan>,
    /// Active documents.
    pub documents: i64,
    /// Active documents whose last read or extraction failed.
    pub documents_failed: i64,
    /// Sources whose last scan failed or whose folder is unreachable.
    pub sources_in_error: Vec<String>,
    /// Everything worth telling, worst first.
    pub issues: Vec<HealthIssue>,
}

impl HealthReport {
    /// Joins the database's facts with the engine's report (`None` when no
    /// engine runs).
    pub fn build(store: &Store, engine: Option<EngineStatus>) -> Result<HealthReport> {
        let mut issues = Vec::new();
        let mut sources_in_error = Vec::new();
        let mut documents = 0;
        let mut documents_failed = 0;
        for row in store.source_statuses()? {
            documents += row.documents;
            documents_failed += row.failed_documents;
            if row.source.active && row.source.last_scan_status == ScanStatus::Error {
                let path = row.source.path.display().to_string();
                issues.push(HealthIssue {
                    severity: Severity::Error,
                    message: format!(
                        "{path} cannot be indexed: {}",
                        row.source.last_error.as_deref().unwrap_or("unknown error")
                    ),
                    fix: Some("Gleaner retries by itself and rescans when the folder is back; remove the source if it is gone for good".into()),
                });
                sources_in_error.push(path);
            }
        }
        if documents_failed > 0 {
            issues.push(HealthIssue {
                severity: Severity::Info,
                message: format!("{documents_failed} files could not be read or extracted; they are retried later or when they change"),
                fix: Some("see `gleaner status` for the list and the errors".into()),
            });
        }
        let disk_full = store
            .jobs_in(&[JobStatus::Paused])?
            .into_iter()
            .filter(|job| job.pause_reason.as_deref() == Some(PAUSED_DISK_FULL))
            .count();
        if disk_full > 0 {
            issues.push(HealthIssue {
                severity: Severity::Warning,
                message: format!(
                    "{disk_full} indexing job(s) paused: the disk holding the index is full"
                ),
                fix: Some(format!(
                    "free some space on the disk of {}; the jobs go on by themselves",
                    store.path().display()
                )),
            });
        }
        match &engine {
            Some(engine) => issues.extend(engine.issues.iter().cloned()),
            None => issues.push(no_engine_issue()),
        }
        Ok(HealthReport {
            healthy: true,
            engine,
            last_successful_scan: store.last_completed_job()?,
            documents,
            documents_failed,
            sources_in_error,
            issues,
        }
        .sorted())
    }

    /// The report when the data directory holds no index: the one problem
    /// is that, and the fix is to make one. Reading never makes it.
    pub fn without_index(data_dir: &Path) -> HealthReport {
        HealthReport {
            healthy: false,
            engine: None,
            last_successful_scan: None,
            documents: 0,
            documents_failed: 0,
            sources_in_error: Vec::new(),
            issues: vec![HealthIssue {
                severity: Severity::Error,
                message: format!("there is no index at {}", data_dir.display()),
                fix: Some(
                    "add a folder with `gleaner source add PATH` to make one; if the data directory was moved, point --data-dir or GLEANER_DATA_DIR at it"
                        .into(),
                ),
            }],
        }
    }

    /// The report of a data directory whose engine holds its lock but did
    /// not answer: `message` says why, and replaces "no engine is running".
    pub fn with_engine_unreachable(mut self, message: &str) -> HealthReport {
        let no_engine = no_engine_issue();
        self.issues.retain(|issue| *issue != no_engine);
        self.issues.push(HealthIssue {
            severity: Severity::Error,
            message: message.to_string(),
            fix: Some(
                "indexing and live updates wait until it answers again; if it stays so, stop it and start it again"
                    .into(),
            ),
        });
        self.sorted()
    }

    /// Worst issues first, and `healthy` from them.
    fn sorted(mut self) -> HealthReport {
        self.issues
            .sort_by_key(|issue| std::cmp::Reverse(issue.severity as u8));
        self.healthy = !self.issues.iter().any(|i| i.severity != Severity::Info);
        self
    }
}

fn no_engine_issue() -> HealthIssue {
    HealthIssue {
        severity: Severity::Info,
        message: "no engine is running: the index changes only when `gleaner index` runs".into(),
        fix: Some("start `gleaner daemon` or the Gleaner desktop app".into()),
    }
}

/// A watcher problem in plain words; `source` names the folder.
pub fn describe_watch_health(health: &WatchHealth, source: &str) -> HealthIssue {
    let (severity, message) = match health {
        WatchHealth::WatchLimitReached { n_dirs_unwatched, current_limit, .. } => (
            Severity::Warning,
            format!(
                "{source}: {n_dirs_unwatched} folders are not watched because the inotify watch limit ({}) is reached; they are rescanned periodically instead",
                current_limit.map_or("unknown".to_string(), |l| l.to_string())
            ),
        ),
        WatchHealth::InotifyUnavailable { reason, .. } => (
            Severity::Warning,
            format!("{source}: changes cannot be watched ({reason}); the folder is rescanned periodically instead"),
        ),
        WatchHealth::Polled { fs, .. } => (
            Severity::Info,
            format!("{source} is on a {fs} file system, which reports no changes made elsewhere: it is rescanned periodically (watch.poll_interval_s)"),
        ),
        WatchHealth::WatchFailed { path, n_dirs, reason, .. } => (
            Severity::Warning,
            format!("{source}: {n_dirs} folders cannot be watched (first: {}: {reason}); they are rescanned periodically", path.display()),
        ),
        WatchHealth::SourceGone { reason, .. } => (Severity::Error, format!("{source} is unreachable: {reason}")),
        WatchHealth::WatcherStopped { reason } => {
            (Severity::Error, format!("the file watcher stopped ({reason}); changes are picked up by rescans only"))
        }
        #[allow(unreachable_patterns)]
        _ => (Severity::Warning, format!("{source}: watching problem: {health:?}")),
    };
    HealthIssue {
        severity,
        message,
        fix: health.fix().map(str::to_string),
    }
}
