//! Contents no document points at any more, collected by the engine.
//!
//! The write path leaves a replaced content in place: a job's reader thread
//! may just have found it by hash for another file, and deleting it under
//! that reader would break the file's write. So displaced contents are
//! collected here, only while no job runs (no reader of another connection
//! is about), and then at once, so the index holds no dead text after a
//! burst of live changes (found by the convergence test: hundreds of
//! orphaned contents after 2,000 random operations).

use std::collections::HashSet;

use crate::index::Index;

/// What may have become garbage since the last collection.
#[derive(Debug, Default)]
pub(crate) struct Garbage {
    /// Contents live updates displaced: checked one by one.
    candidates: HashSet<i64>,
    /// A job ended: whatever it displaced is unknown, so look at everything.
    after_job: bool,
}

impl Garbage {
    /// Contents a live update may have displaced.
    pub(crate) fn note_live(&mut self, contents: impl IntoIterator<Item = i64>) {
        self.candidates.extend(contents);
    }

    /// A job ended (it may have displaced contents anywhere in its source).
    pub(crate) fn note_job_ended(&mut self) {
        self.after_job = true;
    }

    /// Collects what is pending, unless jobs are running (then it waits for
    /// the last one to end). Failures are logged and the work kept for the
    /// next call: garbage costs space, never correctness.
    pub(crate) fn collect(&mut self, index: &mut Index, jobs_running: bool) {
        if jobs_running || (self.candidates.is_empty() && !self.after_job) {
            return;
        }
        let result = if self.after_job {
            index.collect_orphans(None)
        } else {
            let ids: Vec<i64> = self.candidates.iter().copied().collect();
            index.collect_orphans(Some(&ids))
        };
        match result {
            Ok(n) => {
                if n > 0 {
                    tracing::debug!(contents = n, "collected contents no document points at");
                }
                self.candidates.clear();
                self.after_job = false;
            }
            Err(err) => tracing::warn!(%err, "could not collect unused contents"),
        }
        release_memory(index);
    }
}

/// Hands memory back to the system once work is done: the engine idles
/// for hours between changes, and what a scan used (SQLite's page cache,
/// the per-thread heaps of its readers) would otherwise stay resident (the
/// benchmark saw 78 MiB idle after the start-up scan of 99k files).
fn release_memory(index: &Index) {
    if let Err(err) = index.store().release_memory() {
        tracing::debug!(%err, "could not shrink SQLite's caches");
    }
    // SAFETY: malloc_trim only returns free heap pages to the kernel.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::malloc_trim(0);
    }
}
