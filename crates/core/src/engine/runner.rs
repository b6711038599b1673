//! The job runner: a queue of indexing jobs, each run on a thread of its own
//! with its own connection, at most `jobs.max_concurrent` at once.
//!
//! A job is stopped only at a file boundary (the scan asks its observer at
//! each one). Pausing a running job stops its scan and marks it paused; on
//! resume it is queued again and its scan skips the files already done
//! (they are unchanged on disk and in the index), so a pause and a crash
//! are resumed the same way.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use super::announce::MilestoneTracker;
use crate::data_dir::DataDir;
use crate::error::{Error, Result};
use crate::index::Index;
use crate::notify::Publisher;
use crate::scan::{Flow, ScanObserver, ScanPhase, ScanProgress};
use crate::store::{JobStatus, Store};

const RUN: u8 = 0;
const PAUSE: u8 = 1;
const CANCEL: u8 = 2;
const SHUTDOWN: u8 = 3;

/// The reason stored on a job the user paused (such jobs stay paused across
/// restarts; jobs the engine paused itself resume on their own).
pub const PAUSED_BY_USER: &str = "paused by user";

/// A job thread's end.
pub(crate) struct JobDone {
    pub id: String,
    pub error: Option<String>,
    /// The job stopped because the index could not grow: retry it later.
    pub disk_full: bool,
}

struct Running {
    control: Arc<AtomicU8>,
    source_id: Option<i64>,
    thread: JoinHandle<()>,
}

pub(crate) struct JobRunner {
    data_dir: DataDir,
    queue: VecDeque<(String, Option<i64>)>,
    running: HashMap<String, Running>,
    done_tx: Sender<JobDone>,
    pub done_rx: Receiver<JobDone>,
    /// Where job threads publish their milestones.
    publisher: Publisher,
}

/// A job's observer: stops the scan when the runner says so, and tells the
/// notifier when a milestone is crossed.
struct JobObserver {
    control: Arc<AtomicU8>,
    milestones: MilestoneTracker,
}

impl ScanObserver for JobObserver {
    fn progress(&self, progress: &ScanProgress<'_>) {
        if progress.phase == ScanPhase::Indexing {
            let counts = progress.counts;
            self.milestones
                .observe(counts.indexed_files, counts.total_files);
        }
    }

    fn checkpoint(&self) -> Flow {
        if self.control.load(Ordering::Relaxed) == RUN {
            Flow::Continue
        } else {
            Flow::Stop
        }
    }
}

impl JobRunner {
    pub fn new(data_dir: DataDir, publisher: Publisher) -> JobRunner {
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        JobRunner {
            data_dir,
            queue: VecDeque::new(),
            running: HashMap::new(),
            done_tx,
            done_rx,
            publisher,
        }
    }

    pub fn enqueue(&mut self, id: String, source_id: Option<i64>) {
        if !self.running.contains_key(&id) && !self.queue.iter().any(|(q, _)| *q == id) {
            self.queue.push_back((id, source_id));
        }
    }

    /// Whether a job for this source is queued or running.
    pub fn has_job_for(&self, source_id: i64) -> bool {
        !self.jobs_for(source_id).is_empty()
    }

    /// The queued and running jobs of a source.
    pub fn jobs_for(&self, source_id: i64) -> Vec<String> {
        let queued = self
            .queue
            .iter()
            .filter(|(_, s)| *s == Some(source_id))
            .map(|(id, _)| id.clone());
        let running = self
            .running
            .iter()
            .filter(|(_, r)| r.source_id == Some(source_id))
            .map(|(id, _)| id.clone());
        running.chain(queued).collect()
    }

    /// Whether a job for this source is running now (not merely queued).
    pub fn is_running_for(&self, source_id: i64) -> bool {
        self.running
            .values()
            .any(|running| running.source_id == Some(source_id))
    }

    /// Whether any job is queued or running.
    pub fn is_busy(&self) -> bool {
        !self.queue.is_empty() || !self.running.is_empty()
    }

    /// Starts queued jobs while there is room; returns their ids.
    pub fn start_ready(&mut self, max_concurrent: usize) -> Vec<String> {
        let mut started = Vec::new();
        while self.running.len() < max_concurrent.max(1) {
            let Some((id, source_id)) = self.queue.pop_front() else {
                break;
            };
            let control = Arc::new(AtomicU8::new(RUN));
            let thread = {
                let control = control.clone();
                let data_dir = self.data_dir.clone();
                let done_tx = self.done_tx.clone();
                let publisher = self.publisher.clone();
                let id = id.clone();
                std::thread::Builder::new()
                    .name("gleaner-job".into())
                    .spawn(move || {
                        let result = run_one(&data_dir, &id, control, publisher);
                        let disk_full = matches!(result, Err(Error::DiskFull(_)));
                        let error = result.err().map(|e| e.to_string());
                        let _ = done_tx.send(JobDone {
                            id,
                            error,
                            disk_full,
                        });
                    })
                    .expect("spawn job thread")
            };
            self.running.insert(
                id.clone(),
                Running {
                    control,
                    source_id,
                    thread,
                },
            );
            started.push(id);
        }
        started
    }

    /// A job thread ended: forget it.
    pub fn finished(&mut self, done: &JobDone) {
        if let Some(running) = self.running.remove(&done.id) {
            let _ = running.thread.join();
        }
    }

    /// Pauses a job: a running one stops at its next file boundary.
    pub fn pause(&mut self, store: &Store, id: &str, reason: &str) -> Result<()> {
        if let Some(running) = self.running.get(id) {
            running.control.store(PAUSE, Ordering::Relaxed);
            return Ok(());
        }
        self.queue.retain(|(q, _)| q != id);
        store
            .transition_job(id, JobStatus::Paused, Some(reason))
            .map(|_| ())
    }

    /// Cancels a job: a running one stops at its next file boundary.
    pub fn cancel(&mut self, store: &Store, id: &str) -> Result<()> {
        if let Some(running) = self.running.get(id) {
            running.control.store(CANCEL, Ordering::Relaxed);
            return Ok(());
        }
        self.queue.retain(|(q, _)| q != id);
        store
            .transition_job(id, JobStatus::Cancelled, None)
            .map(|_| ())
    }

    /// Queues a paused job again.
    pub fn resume(&mut self, store: &Store, id: &str) -> Result<()> {
        let job = store.job(id)?;
        if job.status == JobStatus::Paused {
            store.transition_job(id, JobStatus::Queued, None)?;
        } else if job.status != JobStatus::Queued {
            return Err(Error::InvalidJobTransition {
                id: id.to_string(),
                from: job.status.as_str(),
                to: "resumed",
            });
        }
        self.enqueue(id.to_string(), job.source_id);
        Ok(())
    }

    /// Stops every running job at its next file boundary and queues it
    /// again (engine shutdown, a global pause): the next start or resume
    /// continues it.
    pub fn interrupt_all(&mut self) {
        for running in self.running.values() {
            running.control.store(SHUTDOWN, Ordering::Relaxed);
        }
    }

    /// Waits for every job thread to stop.
    pub fn join_all(&mut self) {
        for (_, running) in self.running.drain() {
            let _ = running.thread.join();
        }
    }
}

fn run_one(
    data_dir: &DataDir,
    id: &str,
    control: Arc<AtomicU8>,
    publisher: Publisher,
) -> Result<()> {
    // Never `Index::open`: a job must not make a new, empty index when
    // the data directory was deleted under the engine.
    let mut index = Index::open_existing(data_dir.clone())?;
    index.set_background(true);
    let directory = index.store().job(id)?.directory.into();
    let observer = JobObserver {
        control: control.clone(),
        milestones: MilestoneTracker::new(id, directory, publisher),
    };
    let report = index.run_job(id, true, &observer)?;
    if report.outcome.stopped {
        let store = index.store();
        match control.load(Ordering::Relaxed) {
            CANCEL => store.transition_job(id, JobStatus::Cancelled, None)?,
            SHUTDOWN => store.transition_job(id, JobStatus::Queued, None)?,
            _ => store.transition_job(id, JobStatus::Paused, Some(PAUSED_BY_USER))?,
        };
    }
    Ok(())
}
