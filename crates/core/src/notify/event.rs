//! What the engine tells the notifier, and what the notifier hands to sinks.
//!
//! Events are small owned values so that whoever publishes them (the engine
//! loop, the desktop app, a test) needs no store: [`JobSummary::from_record`]
//! turns a finished job's row into one when a row is at hand.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::store::{JobCounts, JobRecord};

/// What a finished job did to the files of its folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobChanges {
    /// Paths seen for the first time.
    pub new: u64,
    /// Paths whose content changed.
    pub modified: u64,
    /// Paths that moved (no re-extraction).
    pub moved: u64,
    /// Paths gone from disk.
    pub deleted: u64,
    /// Paths found unchanged.
    pub unchanged: u64,
    /// Files that could not be read or extracted.
    pub failed: u64,
}

impl JobChanges {
    /// Files whose text was (re)indexed: new and modified ones.
    pub fn indexed(&self) -> u64 {
        self.new + self.modified
    }

    /// Whether the job changed nothing and nothing failed.
    pub fn is_empty(&self) -> bool {
        self.new + self.modified + self.moved + self.deleted + self.failed == 0
    }
}

impl From<&JobCounts> for JobChanges {
    fn from(counts: &JobCounts) -> JobChanges {
        JobChanges {
            new: counts.new,
            modified: counts.modified,
            moved: counts.moved,
            deleted: counts.deleted,
            unchanged: counts.unchanged,
            failed: counts.failed_files,
        }
    }
}

/// A finished job, as much of it as a notification tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    /// The job's id.
    pub id: String,
    /// The folder it indexed.
    pub directory: PathBuf,
    /// What started it: manual, background, scheduled, startup, rescan.
    pub trigger: String,
    /// What it did.
    pub changes: JobChanges,
    /// How long it ran.
    pub duration: Duration,
}

impl JobSummary {
    /// The summary of a job row (its duration from its start and end times;
    /// zero while either is missing).
    pub fn from_record(record: &JobRecord) -> JobSummary {
        let started = record.started_at.unwrap_or(record.created_at);
        let duration_ms = record
            .completed_at
            .map_or(0, |end| end.saturating_sub(started).max(0));
        JobSummary {
            id: record.id.clone(),
            directory: PathBuf::from(&record.directory),
            trigger: record.trigger.clone(),
            changes: JobChanges::from(&record.counts),
            duration: Duration::from_millis(duration_ms as u64),
        }
    }

    /// A job nobody asked for that found nothing to do: a scheduled rescan of
    /// a quiet folder. It is logged, never shown: it is not news.
    pub fn is_routine(&self) -> bool {
        self.trigger != "manual" && self.changes.is_empty()
    }
}

/// Something worth telling about. Never one per file: the engine publishes
/// job-level and source-level facts only.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A job began.
    JobStarted {
        /// The job's id.
        id: String,
        /// The folder it indexes.
        directory: PathBuf,
    },
    /// A running job crossed a round share of its files (25, 50, 75 %).
    JobMilestone {
        /// The job's id.
        id: String,
        /// The folder it indexes.
        directory: PathBuf,
        /// The share crossed, 0–100.
        percent: u8,
        /// Files done so far.
        done: u64,
        /// Files to do in all.
        total: u64,
    },
    /// A job finished.
    JobCompleted {
        /// What it did.
        job: JobSummary,
    },
    /// A job stopped on an error that concerns the whole job.
    JobFailed {
        /// The job's id.
        id: String,
        /// The folder it indexed.
        directory: PathBuf,
        /// Why, in plain words.
        reason: String,
    },
    /// A source cannot be indexed (unreachable, unreadable).
    SourceError {
        /// The source's folder.
        path: PathBuf,
        /// Why, in plain words.
        reason: String,
    },
    /// A source that was in error can be indexed again (its folder is
    /// back). Shown only when its error was.
    SourceRecovered {
        /// The source's folder.
        path: PathBuf,
    },
    /// The index is not keeping up (a health issue of severity warning or
    /// error).
    HealthDegraded {
        /// What is wrong, with its fix when there is one.
        message: String,
        /// The source it concerns, if one (so that muting the source mutes
        /// it).
        path: Option<PathBuf>,
    },
    /// The index itself is gone: its data directory or database was
    /// deleted, moved or replaced under the engine, which stops.
    IndexLost {
        /// The data directory.
        data_dir: PathBuf,
        /// What happened, in plain words.
        reason: String,
    },
}

impl Event {
    /// Its kind.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::JobStarted { .. } => EventKind::JobStarted,
            Event::JobMilestone { .. } => EventKind::JobMilestone,
            Event::JobCompleted { .. } => EventKind::JobCompleted,
            Event::JobFailed { .. } => EventKind::JobFailed,
            Event::SourceError { .. } => EventKind::SourceError,
            Event::SourceRecovered { .. } => EventKind::SourceRecovered,
            Event::HealthDegraded { .. } => EventKind::HealthDegraded,
            Event::IndexLost { .. } => EventKind::IndexLost,
        }
    }

    /// The folder it concerns, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Event::JobStarted { directory, .. }
            | Event::JobMilestone { directory, .. }
            | Event::JobFailed { directory, .. } => Some(directory),
            Event::JobCompleted { job } => Some(&job.directory),
            Event::SourceError { path, .. } | Event::SourceRecovered { path } => Some(path),
            Event::HealthDegraded { path, .. } => path.as_deref(),
            Event::IndexLost { .. } => None,
        }
    }

    /// The job it concerns, if any.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            Event::JobStarted { id, .. }
            | Event::JobMilestone { id, .. }
            | Event::JobFailed { id, .. } => Some(id),
            Event::JobCompleted { job } => Some(&job.id),
            Event::SourceError { .. }
            | Event::SourceRecovered { .. }
            | Event::HealthDegraded { .. }
            | Event::IndexLost { .. } => None,
        }
    }
}

/// The kind of a notification: an event's kind, or a digest of several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// [`Event::JobStarted`].
    JobStarted,
    /// [`Event::JobMilestone`].
    JobMilestone,
    /// [`Event::JobCompleted`].
    JobCompleted,
    /// [`Event::JobFailed`].
    JobFailed,
    /// [`Event::SourceError`].
    SourceError,
    /// [`Event::SourceRecovered`].
    SourceRecovered,
    /// [`Event::HealthDegraded`].
    HealthDegraded,
    /// [`Event::IndexLost`].
    IndexLost,
    /// Several events merged into one notification while throttled.
    Digest,
}

impl EventKind {
    /// The spelling used in webhook payloads and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::JobStarted => "job_started",
            EventKind::JobMilestone => "job_milestone",
            EventKind::JobCompleted => "job_completed",
            EventKind::JobFailed => "job_failed",
            EventKind::SourceError => "source_error",
            EventKind::SourceRecovered => "source_recovered",
            EventKind::HealthDegraded => "health_degraded",
            EventKind::IndexLost => "index_lost",
            EventKind::Digest => "digest",
        }
    }
}

/// How much a notification should interrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    /// Progress; fine to miss.
    Low,
    /// An outcome.
    Normal,
    /// Something is broken and needs the user.
    Critical,
}

impl Urgency {
    /// The spelling used in webhook payloads and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::Critical => "critical",
        }
    }
}

/// One notification, written for people, ready for any sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The headline: "Indexing finished: ~/notes".
    pub summary: String,
    /// The details: "1,204 new, 3 modified, 2 failed in 4.2 s". May hold
    /// several lines (a digest).
    pub body: String,
    /// How much it should interrupt.
    pub urgency: Urgency,
    /// What it is about.
    pub kind: EventKind,
    /// The folder it concerns, if exactly one.
    pub source_path: Option<PathBuf>,
    /// The events it tells about: one, or several for a digest (for sinks
    /// that pass structured data on, like the webhook).
    pub events: Vec<Event>,
}

impl Notification {
    /// Summary and body on one line, for consoles and logs.
    pub fn one_line(&self) -> String {
        if self.body.is_empty() {
            return self.summary.clone();
        }
        format!("{} — {}", self.summary, self.body.replace('\n', "; "))
    }
}
