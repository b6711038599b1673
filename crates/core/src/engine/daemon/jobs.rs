//! The engine's side of the job queue: queueing scans, starting what may
//! run, taking over the jobs an earlier engine left, and the global pause.

use std::time::{Duration, Instant};

use super::Engine;
use crate::engine::runner::PAUSED_BY_USER;
use crate::error::Result;
use crate::index::PAUSED_DISK_FULL;
use crate::source::{ScanStatus, Source};
use crate::store::JobStatus;

/// The first wait before a job paused by a full disk is tried again; it
/// doubles with every failed try, up to [`DISK_FULL_MAX_WAIT`].
const DISK_FULL_FIRST_WAIT: Duration = Duration::from_secs(2);
const DISK_FULL_MAX_WAIT: Duration = Duration::from_secs(300);

impl Engine {
    /// A job stopped on a full disk (its transaction rolled back, the job
    /// paused with the reason "disk full"): try it again after a backoff.
    pub(super) fn retry_after_disk_full(&mut self, id: &str) {
        let tries = self.disk_full_retry.get(id).map_or(0, |(_, n)| *n);
        let wait = (DISK_FULL_FIRST_WAIT * 2u32.pow(tries.min(8))).min(DISK_FULL_MAX_WAIT);
        tracing::warn!(
            job = id,
            ?wait,
            "the index could not grow (disk full): job paused, retrying later"
        );
        self.disk_full_retry
            .insert(id.to_string(), (Instant::now() + wait, tries + 1));
    }

    /// Queues again the disk-full jobs whose wait is over. A job the user
    /// paused or cancelled meanwhile is left alone; one whose pause could not
    /// even be written (the disk was that full) is still `running` and is
    /// queued all the same.
    pub(super) fn retry_disk_full_jobs(&mut self) {
        if !self.disk_full_retry.is_empty() {
            self.settle_scan_statuses();
        }
        let now = Instant::now();
        let due: Vec<String> = self
            .disk_full_retry
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in due {
            let store = self.index.store();
            let Ok(job) = store.job(&id) else {
                self.disk_full_retry.remove(&id);
                continue;
            };
            let retried = match job.status {
                JobStatus::Paused if job.pause_reason.as_deref() != Some(PAUSED_BY_USER) => {
                    self.runner.resume(store, &id).is_ok()
                }
                JobStatus::Running => {
                    store.transition_job(&id, JobStatus::Queued, None).is_ok() && {
                        self.runner.enqueue(id.clone(), job.source_id);
                        true
                    }
                }
                _ => {
                    self.disk_full_retry.remove(&id);
                    continue;
                }
            };
            if retried {
                tracing::info!(job = %id, "retrying a job paused by a full disk");
                // Kept (with its count) until the job ends without a full
                // disk, so the next failure waits longer.
                if let Some((at, _)) = self.disk_full_retry.get_mut(&id) {
                    *at = now + DISK_FULL_MAX_WAIT * 100;
                }
            } else if let Some((at, _)) = self.disk_full_retry.get_mut(&id) {
                *at = now + DISK_FULL_FIRST_WAIT;
            }
        }
    }

    /// Sources marked `running` with no job running for them are told how
    /// things stand: a scan's end normally records it, but with the disk
    /// full that write can fail too, and an engine that died wrote nothing.
    /// Tried again with the disk-full retries until it is written.
    pub(super) fn settle_scan_statuses(&mut self) {
        let store = self.index.store();
        let Ok(sources) = store.sources() else {
            return;
        };
        let stale = sources.into_iter().filter(|source| {
            source.last_scan_status == ScanStatus::Running && !self.runner.is_running_for(source.id)
        });
        for source in stale {
            let disk_full = store.jobs_in(&[JobStatus::Paused]).is_ok_and(|jobs| {
                jobs.iter().any(|job| {
                    job.source_id == Some(source.id)
                        && job.pause_reason.as_deref() == Some(PAUSED_DISK_FULL)
                })
            });
            let reason = if disk_full {
                "disk full: the index could not grow; indexing goes on by itself when there is room"
            } else {
                "the last scan did not finish (the engine stopped before its end); it runs again"
            };
            match store.finish_scan(source.id, ScanStatus::Pending, Some(reason)) {
                Ok(()) => {
                    tracing::info!(source = %source.path.display(), reason, "scan status settled")
                }
                Err(err) => {
                    tracing::warn!(source = %source.path.display(), %err, "could not settle the scan status")
                }
            }
        }
    }

    /// Queues a full scan of `source`; with `dedupe`, not when one is already
    /// queued or running for it (automatic triggers).
    pub(super) fn queue_scan(
        &mut self,
        source: &Source,
        trigger: &str,
        dedupe: bool,
    ) -> Result<Option<String>> {
        let interval = self.scan_interval(source);
        self.next_full_scan
            .insert(source.id, Instant::now() + interval);
        if dedupe && self.runner.has_job_for(source.id) {
            return Ok(None);
        }
        let id = self.index.create_job(source, trigger)?;
        self.runner.enqueue(id.clone(), Some(source.id));
        Ok(Some(id))
    }

    pub(super) fn start_jobs(&mut self) {
        if self.paused {
            return;
        }
        let max = self
            .index
            .settings()
            .map_or(2, |s| s.integer("jobs.max_concurrent") as usize);
        let started = self.runner.start_ready(max);
        for id in started {
            if let Ok(job) = self.index.store().job(&id) {
                self.announcer().job_started(&job);
            }
        }
    }

    /// Jobs left behind by an earlier engine: running ones (it died) and
    /// queued ones are queued again; those the engine paused itself are
    /// retried; those the user paused stay paused.
    pub(super) fn recover_jobs(&mut self) {
        let store = self.index.store();
        let jobs = match store.jobs_in(&[JobStatus::Running, JobStatus::Queued, JobStatus::Paused])
        {
            Ok(jobs) => jobs,
            Err(err) => return tracing::error!(%err, "could not read unfinished jobs"),
        };
        for job in jobs {
            let requeue = match job.status {
                JobStatus::Running => {
                    tracing::info!(job = %job.id, directory = %job.directory, "resuming a job its engine left running");
                    true
                }
                JobStatus::Paused => job.pause_reason.as_deref() != Some(PAUSED_BY_USER),
                _ => true,
            };
            if requeue {
                if job.status != JobStatus::Queued {
                    if let Err(err) = store.transition_job(&job.id, JobStatus::Queued, None) {
                        tracing::warn!(job = %job.id, %err, "could not requeue job");
                        continue;
                    }
                }
                self.runner.enqueue(job.id, job.source_id);
            }
        }
    }

    pub(super) fn set_paused(&mut self, paused: bool) -> Result<()> {
        self.index
            .store()
            .set_setting("indexing.paused", if paused { "true" } else { "false" })?;
        self.paused = paused;
        if paused {
            self.runner.interrupt_all();
        } else {
            for source_id in std::mem::take(&mut self.dirty_while_paused) {
                if let Some(source) = self.watched.get(&source_id).cloned() {
                    self.queue_scan(&source, "rescan", true)?;
                }
            }
        }
        Ok(())
    }
}
