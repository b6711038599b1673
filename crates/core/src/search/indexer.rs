//! The search indexer: the one writer of the search index, on a thread of
//! its own in the process that runs the engine.
//! One file because applying, committing, replaying and merging all work on the one `Worker`'s writers and marks; opening, the merge policy and the commit signal live apart.
//!
//! It follows the store's outbox (`store::search_feed`): each row names a
//! document (and its content) whose searchable state may have changed. For
//! each such unit it reads what is true in the store *now* and makes the
//! index say the same — delete the unit, add it back as it is — so applying
//! a row twice, or rows out of date, is harmless. That is what makes crash
//! recovery a replay: every commit carries the last outbox row it contains
//! ([`Mark`]), and a new indexer starts after it.
//!
//! Chunks are re-read and re-analysed only when a unit's text changed (its
//! chunks stamp differs from the one in its label) or it became visible; a
//! rename, a move, a copy or a touched file rewrites one label.
//!
//! Commits: when the outbox is drained, at once if the last commit is older
//! than [`MIN_COMMIT_GAP`] (a saved file is searchable in milliseconds),
//! otherwise when that gap has passed; under a steady stream of changes
//! that is a few commits per second. Searching never waits for any of this:
//! readers see the last commit.
//!
//! An index that is new (first start, a changed analysis, a rebuild) is
//! first built from every visible unit in key order, committing progress
//! (`Mark::built_to`) so an interrupted build continues where it stopped;
//! the outbox rows written meanwhile are replayed after it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tantivy::schema::TantivyDocument;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, Term};

use super::index::{Mark, SearchIndex};
use super::merge_policy::{self, IdleFlag, IndexerMergePolicy};
use super::unit_id;
use crate::error::Result;
use crate::store::{commit_signal, Store, UnitKey, UnitLabel};

/// Commits are at least this far apart while changes keep coming.
const MIN_COMMIT_GAP: Duration = Duration::from_millis(200);

/// How long a stopping indexer keeps applying what is waiting.
const STOP_DRAIN: Duration = Duration::from_secs(2);

/// Outbox rows read at a time.
const OUTBOX_BATCH: usize = 2_000;

/// Units built between two progress commits of a first build.
const BUILD_COMMIT_UNITS: usize = 5_000;

/// Memory the chunk writer buffers before it writes a segment. A larger
/// buffer makes fewer segments (less merging) but adds to the engine's
/// peak memory one for one; 32 MiB costs about 2 % more CPU than 48 MiB in
/// a first index of the Linux tree.
const CHUNK_WRITER_BYTES: usize = 32 << 20;

/// The page cache of the indexer's own connection: it reads each chunk
/// once, just after the scan wrote it (still in the operating system's
/// cache), so SQLite's default 32 MB would only add to the peak memory.
const STORE_CACHE_KIB: u32 = 4 * 1024;
/// Memory the label writer buffers (tantivy's minimum).
const LABEL_WRITER_BYTES: usize = 15 << 20;

/// One thread adds documents and one merges segments. tantivy merges on
/// four threads by default: on a first index, concurrent merges of large
/// segments, each with its inputs and the output it builds, were what set
/// the engine's peak memory, while a single merge thread keeps up with one
/// indexing thread (merges are queued, not skipped).
fn writer_options(memory_bytes: usize) -> tantivy::indexer::IndexWriterOptions {
    tantivy::indexer::IndexWriterOptions::builder()
        .num_worker_threads(1)
        .num_merge_threads(1)
        .memory_budget_per_thread(memory_bytes)
        .build()
}

/// Both writers merge by [`IndexerMergePolicy`] (set again after a
/// rollback, which makes a new writer with tantivy's default).
fn set_merge_policies(chunks: &IndexWriter, labels: &IndexWriter, idle: &IdleFlag) {
    chunks.set_merge_policy(Box::new(IndexerMergePolicy::new(idle.clone())));
    labels.set_merge_policy(Box::new(IndexerMergePolicy::new(idle.clone())));
}

/// What the indexer is doing, for health and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IndexerStatus {
    /// Building the index from every unit (first start, rebuild).
    pub building: bool,
    /// Units done and to do in that build.
    pub built_units: u64,
    /// Units in the build.
    pub total_units: u64,
    /// The last outbox row the index holds.
    pub applied_seq: i64,
    /// Why the index was rebuilt, when it was.
    pub rebuild_reason: Option<String>,
    /// The last error (the indexer retries after it).
    pub last_error: Option<String>,
}

/// The running indexer; stopping or dropping it commits what it holds and
/// ends its thread.
pub struct SearchIndexer {
    /// The index's folder.
    dir: PathBuf,
    stop: Arc<AtomicBool>,
    /// On stop, apply everything waiting, however long it takes.
    drain_all: Arc<AtomicBool>,
    status: Arc<Mutex<IndexerStatus>>,
    thread: Option<JoinHandle<()>>,
}

impl SearchIndexer {
    /// Starts the indexer for the store at `database`, with the index in
    /// `dir`. Fails if the index cannot be opened for writing (another
    /// writer holds it).
    pub fn start(database: PathBuf, dir: PathBuf) -> Result<SearchIndexer> {
        let store = Store::open(&database)?;
        let (index, replaced) = open_or_rebuild(&dir, &store.store_id()?)?;
        let worker = Worker::new(dir.clone(), index, store)?;
        if replaced {
            tracing::info!("the search index was built by another version: rebuilding it");
            worker.status().rebuild_reason =
                Some("the search index was made by another version of Gleaner".into());
        }
        let stop = Arc::new(AtomicBool::new(false));
        let drain_all = Arc::new(AtomicBool::new(false));
        let status = worker.status.clone();
        super::applied::started(&dir, worker.mark.seq);
        let (thread_stop, thread_drain) = (stop.clone(), drain_all.clone());
        let thread = std::thread::Builder::new()
            .name("gleaner-search-indexer".into())
            .spawn(move || worker.run(&thread_stop, &thread_drain))
            .map_err(|e| crate::Error::io("starting the search indexer", &dir, e))?;
        Ok(SearchIndexer {
            dir,
            stop,
            drain_all,
            status,
            thread: Some(thread),
        })
    }

    /// What it is doing.
    pub fn status(&self) -> IndexerStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Applies everything waiting in the outbox, commits and ends (a
    /// foreground `gleaner index` before it exits).
    pub fn finish(mut self) -> Result<()> {
        self.drain_all.store(true, Ordering::SeqCst);
        self.stop();
        match self.status().last_error {
            Some(error) => Err(crate::Error::SearchIndex(
                tantivy::TantivyError::SystemError(error),
            )),
            None => Ok(()),
        }
    }

    /// Commits what it holds and ends.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        commit_signal::announce();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
            super::applied::ended(&self.dir);
        }
    }
}

impl Drop for SearchIndexer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Brings the index in `dir` up to date with the store at `database` in the
/// calling thread, and returns when the outbox is drained and committed
/// (a `gleaner index` that ran without an engine, before it exits).
pub fn catch_up(database: PathBuf, dir: PathBuf) -> Result<()> {
    let store = Store::open(&database)?;
    let (index, _) = open_or_rebuild(&dir, &store.store_id()?)?;
    let mut worker = Worker::new(dir.clone(), index, store)?;
    while worker.step()? {}
    worker.idle.set(true);
    worker.commit()?;
    // The last commit may have been made while busy: the policy has not
    // seen the tail idle yet.
    worker.merge_small_tails();
    worker.wait_for_merges();
    Ok(())
}

/// Applies the outbox and commits the labels alone, as an indexer killed
/// between its two commits leaves the index.
#[cfg(test)]
pub(super) fn crash_between_commits(database: PathBuf, dir: PathBuf) -> Result<()> {
    let store = Store::open(&database)?;
    let (index, _) = open_or_rebuild(&dir, &store.store_id()?)?;
    let mut worker = Worker::new(dir, index, store)?;
    while worker.step()? {}
    let payload = serde_json::to_string(&Payload {
        mark: Mark {
            seq: worker.seq_done,
            complete: worker.mark.complete,
        },
        built_to: worker.built_to,
    })
    .unwrap_or_default();
    let mut prepared = worker.labels.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

/// Opens the index for writing; one that cannot be opened (damaged files,
/// a crash in the middle of a tantivy write the filesystem did not keep)
/// is derived data: it is removed and built again from the store.
fn open_or_rebuild(dir: &std::path::Path, store_id: &str) -> Result<(SearchIndex, bool)> {
    match SearchIndex::open_for_writing(dir, store_id) {
        Ok(opened) => Ok(opened),
        Err(crate::Error::SearchIndex(err))
            if !matches!(err, tantivy::TantivyError::LockFailure(..)) =>
        {
            tracing::warn!(%err, "the search index cannot be opened: building it again");
            std::fs::remove_dir_all(dir)
                .map_err(|e| crate::Error::io("removing the damaged search index", dir, e))?;
            let (index, _) = SearchIndex::open_for_writing(dir, store_id)?;
            Ok((index, true))
        }
        Err(err) => Err(err),
    }
}

struct Worker {
    /// The index's folder.
    dir: PathBuf,
    index: SearchIndex,
    store: Store,
    chunks: IndexWriter,
    labels: IndexWriter,
    label_reader: IndexReader,
    mark: Mark,
    /// Where an interrupted first build stopped (the last unit done).
    built_to: Option<u64>,
    /// The labels' last commit when it is newer than the chunks' (a crash
    /// between the two commits): a label's stamp then does not prove its
    /// chunks are there, so the replay re-adds (and deletes first) the
    /// chunks of every unit it touches until a commit covers everything
    /// that labels commit did.
    labels_ahead: Option<Payload>,
    /// Stamps decided since the last commit (not visible to the reader).
    pending: HashMap<u64, Option<u64>>,
    /// The outbox row to commit with.
    seq_done: i64,
    last_commit: Instant,
    status: Arc<Mutex<IndexerStatus>>,
    /// Whether everything waiting is applied (the merge policy then merges
    /// the small segments).
    idle: IdleFlag,
}

/// Whether a commit with payload `now` holds everything one with `before`
/// held: the same outbox rows or more, and as much of a first build.
fn covers(now: &Payload, before: &Payload) -> bool {
    if now.mark.seq < before.mark.seq {
        return false;
    }
    if now.mark.complete {
        return true;
    }
    if before.mark.complete {
        return false;
    }
    match (now.built_to, before.built_to) {
        (_, None) => true,
        (Some(now), Some(before)) => now >= before,
        (None, Some(_)) => false,
    }
}

/// Whether a failure of the search index came from a full disk: an I/O
/// error with ENOSPC (or EDQUOT) anywhere in its chain. tantivy wraps I/O
/// errors in several of its own, some only as text, so the text is read
/// too.
fn is_out_of_space(err: &crate::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(io.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
                || io.kind() == std::io::ErrorKind::StorageFull
            {
                return true;
            }
        }
        source = e.source();
    }
    let text = err.to_string();
    text.contains("os error 28") || text.contains("os error 122")
}

/// The payload of an index's last commit.
fn payload_of(index: &tantivy::Index) -> Result<Payload> {
    Ok(index
        .load_metas()?
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default())
}

/// Whether `text` holds a character of the scripts indexed as unigrams
/// (most chunks do not, and their unigram field stays empty).
fn has_cjk(text: &str) -> bool {
    text.chars().any(super::analysis::is_cjk)
}

/// The payload a commit carries: the mark and, during a first build, the
/// last unit built.
#[derive(serde::Serialize, serde::Deserialize, Default, PartialEq, Eq)]
struct Payload {
    #[serde(flatten)]
    mark: Mark,
    built_to: Option<u64>,
}

impl Worker {
    fn new(dir: PathBuf, index: SearchIndex, store: Store) -> Result<Worker> {
        store.limit_page_cache(STORE_CACHE_KIB)?;
        let chunks = index
            .chunks
            .writer_with_options(writer_options(CHUNK_WRITER_BYTES))?;
        let labels = index
            .labels
            .writer_with_options(writer_options(LABEL_WRITER_BYTES))?;
        let idle = IdleFlag::default();
        set_merge_policies(&chunks, &labels, &idle);
        let label_reader = index
            .labels
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let payload = payload_of(&index.chunks)?;
        let labels_payload = payload_of(&index.labels)?;
        let labels_ahead = (labels_payload != payload).then_some(labels_payload);
        let mark = index.mark()?;
        // A first build reflects the store as it is when each unit is
        // built; the rows written from its start on are replayed after it.
        let seq_done = if !mark.complete && payload.built_to.is_none() {
            store.search_outbox_high_water()?
        } else {
            mark.seq
        };
        let status = IndexerStatus {
            building: !mark.complete,
            applied_seq: mark.seq,
            ..IndexerStatus::default()
        };
        Ok(Worker {
            dir,
            index,
            store,
            chunks,
            labels,
            label_reader,
            mark,
            built_to: payload.built_to,
            labels_ahead,
            pending: HashMap::new(),
            seq_done,
            last_commit: Instant::now() - MIN_COMMIT_GAP,
            status: Arc::new(Mutex::new(status)),
            idle,
        })
    }

    fn status(&self) -> std::sync::MutexGuard<'_, IndexerStatus> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn run(mut self, stop: &AtomicBool, drain_all: &AtomicBool) {
        crate::priority::lower_current_thread();
        let mut failures = 0u32;
        // Set by a write that failed for want of space, until a commit
        // succeeds: the failures that follow it (tantivy then reports only
        // that its writer died) have the same cause.
        let mut out_of_space = false;
        while !stop.load(Ordering::SeqCst) {
            let seen = commit_signal::generation();
            match self.step() {
                Ok(true) => {
                    failures = 0;
                    self.idle.set(false);
                    continue;
                }
                Ok(false) => {
                    failures = 0;
                    if !self.idle.get() {
                        self.idle.set(true);
                        self.merge_small_tails();
                    }
                }
                Err(err) => {
                    failures += 1;
                    out_of_space |= is_out_of_space(&err);
                    if out_of_space {
                        super::applied::disk_full(&self.dir);
                    }
                    tracing::warn!(%err, "the search indexer failed; trying again");
                    self.status().last_error = Some(err.to_string());
                    // A tantivy writer that failed (a full disk) may be
                    // unusable: start again from the last commit.
                    if let Err(err) = self.reset() {
                        tracing::warn!(%err, "could not reopen the search index writers");
                    }
                    let backoff = Duration::from_millis(200 << failures.min(8));
                    commit_signal::wait_after(seen, Some(backoff), || stop.load(Ordering::SeqCst));
                    continue;
                }
            }
            // Drained: commit now, or when the gap since the last commit
            // has passed (more changes may arrive meanwhile).
            if self.has_uncommitted() {
                let gap = self.last_commit.elapsed();
                if gap < MIN_COMMIT_GAP {
                    commit_signal::wait_after(seen, Some(MIN_COMMIT_GAP - gap), || {
                        stop.load(Ordering::SeqCst)
                    });
                    continue;
                }
                if let Err(err) = self.commit() {
                    out_of_space |= is_out_of_space(&err);
                    if out_of_space {
                        super::applied::disk_full(&self.dir);
                    }
                    tracing::warn!(%err, "could not commit the search index");
                    self.status().last_error = Some(err.to_string());
                    failures += 1;
                    if let Err(err) = self.reset() {
                        tracing::warn!(%err, "could not reopen the search index writers");
                    }
                    let backoff = Duration::from_millis(200 << failures.min(8));
                    commit_signal::wait_after(seen, Some(backoff), || stop.load(Ordering::SeqCst));
                } else {
                    out_of_space = false;
                }
                continue;
            }
            commit_signal::wait_after(seen, None, || stop.load(Ordering::SeqCst));
        }
        // What is waiting goes in before the engine ends (briefly: the
        // rest is replayed by the next engine).
        let until = Instant::now() + STOP_DRAIN;
        while drain_all.load(Ordering::SeqCst) || Instant::now() < until {
            match self.step() {
                Ok(true) => {}
                Ok(false) => {
                    if !self.idle.get() {
                        self.idle.set(true);
                        // A foreground `gleaner index` ends here: its last
                        // commit was made while busy.
                        if drain_all.load(Ordering::SeqCst) {
                            self.merge_small_tails();
                        }
                    }
                    break;
                }
                Err(err) => {
                    self.status().last_error = Some(err.to_string());
                    break;
                }
            }
        }
        if let Err(err) = self.commit() {
            tracing::warn!(%err, "could not commit the search index at stop");
            self.status().last_error = Some(err.to_string());
        }
        if drain_all.load(Ordering::SeqCst) {
            let _ = self.chunks.wait_merging_threads();
            let _ = self.labels.wait_merging_threads();
        }
    }

    /// Forgets everything since the last commit and starts fresh writers
    /// (tantivy's rollback): the outbox is replayed from the last mark.
    fn reset(&mut self) -> Result<()> {
        self.chunks.rollback()?;
        self.labels.rollback()?;
        set_merge_policies(&self.chunks, &self.labels, &self.idle);
        self.pending.clear();
        let payload = payload_of(&self.index.chunks)?;
        let labels_payload = payload_of(&self.index.labels)?;
        self.labels_ahead = (labels_payload != payload).then_some(labels_payload);
        self.mark = self.index.mark()?;
        self.built_to = payload.built_to;
        if self.mark.complete || self.built_to.is_some() {
            self.seq_done = self.mark.seq;
        }
        Ok(())
    }

    fn has_uncommitted(&self) -> bool {
        !self.pending.is_empty() || self.seq_done != self.mark.seq || self.building()
    }

    /// Whether a first build is under way (its progress is committed with
    /// every batch, and its end once).
    fn building(&self) -> bool {
        !self.mark.complete
    }

    /// Does one batch of work; false when there was nothing to do.
    fn step(&mut self) -> Result<bool> {
        if self.building() {
            return self.build_step();
        }
        let (last, units) = self
            .store
            .search_outbox_after(self.seq_done, OUTBOX_BATCH)?;
        if last == self.seq_done {
            return Ok(false);
        }
        for unit in units {
            self.apply(unit)?;
        }
        self.seq_done = last;
        if self.last_commit.elapsed() >= Duration::from_secs(2) {
            // A long backlog still shows progress to searches.
            self.commit()?;
        }
        Ok(true)
    }

    /// Builds the next units of a first build; false when there is none.
    fn build_step(&mut self) -> Result<bool> {
        let units = self.store.visible_units()?;
        let start = match self.built_to {
            Some(done) => units.partition_point(|u| unit_id(*u) <= done),
            None => 0,
        };
        {
            let mut status = self.status();
            status.building = true;
            status.total_units = units.len() as u64;
            status.built_units = start as u64;
        }
        let batch: Vec<UnitKey> = units
            .iter()
            .skip(start)
            .take(BUILD_COMMIT_UNITS)
            .copied()
            .collect();
        for unit in &batch {
            self.apply(*unit)?;
        }
        match batch.last() {
            Some(last) => {
                self.built_to = Some(unit_id(*last));
                self.status().built_units = (start + batch.len()) as u64;
            }
            None => {
                self.built_to = None;
                self.commit_mark(true)?;
                let mut status = self.status();
                status.building = false;
                status.built_units = status.total_units;
                drop(status);
                if self.store.has_legacy_fulltext()? {
                    // The old FTS5 tables answered while this index was built.
                    self.store.drop_legacy_fulltext()?;
                    tracing::info!(
                        "the search index is built; the old full-text tables were dropped"
                    );
                }
                return Ok(true);
            }
        }
        self.commit()?;
        Ok(true)
    }

    /// Makes the index hold `unit` as the store has it now.
    fn apply(&mut self, unit: UnitKey) -> Result<()> {
        let id = unit_id(unit);
        let unit_term = |field| Term::from_field_u64(field, id);
        let label = self.store.unit_label(unit)?;
        let pending = self.pending.get(&id).copied();
        let committed = match pending {
            Some(_) => None,
            None => self.committed_stamp(id)?,
        };
        // A unit the index has never held (no label committed or pending:
        // labels commit before chunks, so no chunks either) needs no
        // delete. In a first index that is every unit, and each delete
        // would be held in memory until the commit.
        let held = pending.is_some() || committed.is_some() || self.labels_ahead.is_some();
        let Some(label) = label else {
            if !held {
                return Ok(());
            }
            self.chunks
                .delete_term(unit_term(self.index.chunk_fields.unit));
            self.labels
                .delete_term(unit_term(self.index.label_fields.unit));
            self.pending.insert(id, None);
            return Ok(());
        };
        if let UnitKey::Content(content_id) = unit {
            let indexed = match pending {
                Some(stamp) => stamp,
                None => committed,
            };
            if indexed != Some(label.chunks_stamp) {
                if held {
                    self.chunks
                        .delete_term(unit_term(self.index.chunk_fields.unit));
                }
                self.add_chunks(id, content_id)?;
            }
        }
        if held {
            self.labels
                .delete_term(unit_term(self.index.label_fields.unit));
        }
        let document = self.label_document(id, &label);
        self.labels.add_document(document)?;
        self.pending.insert(id, Some(label.chunks_stamp));
        Ok(())
    }

    fn add_chunks(&mut self, id: u64, content_id: i64) -> Result<()> {
        let fields = self.index.chunk_fields;
        let Worker { store, chunks, .. } = self;
        store.for_each_chunk(content_id, |chunk| {
            // Plain text: the fields' tokenizers analyse it (once for all
            // three) on tantivy's indexing thread.
            let mut doc = TantivyDocument::new();
            doc.add_u64(fields.unit, id);
            doc.add_u64(fields.seq, chunk.seq as u64);
            doc.add_text(fields.exact, &chunk.text);
            doc.add_text(fields.stem, &chunk.text);
            if has_cjk(&chunk.text) {
                doc.add_text(fields.cjk1, &chunk.text);
            }
            chunks.add_document(doc)?;
            Ok(())
        })
    }

    fn label_document(&self, id: u64, label: &UnitLabel) -> TantivyDocument {
        let fields = self.index.label_fields;
        let mut doc = TantivyDocument::new();
        doc.add_u64(fields.unit, id);
        doc.add_u64(fields.stamp, label.chunks_stamp);
        doc.add_u64(fields.label_stamp, label.label_stamp());
        let mut dirs: Vec<String> = Vec::new();
        for document in &label.documents {
            doc.add_text(fields.name, &document.name);
            doc.add_u64(fields.source, document.source_id as u64);
            doc.add_text(fields.ext, &document.ext);
            doc.add_text(fields.format, &document.format);
            doc.add_i64(fields.mtime, document.mtime_ns / 1_000_000);
            let path = std::path::Path::new(&document.path);
            for dir in path.ancestors().skip(1) {
                let dir = dir.to_string_lossy();
                if !dir.is_empty() {
                    dirs.push(dir.into_owned());
                }
            }
        }
        dirs.sort();
        dirs.dedup();
        for dir in dirs {
            doc.add_text(fields.dir, dir);
        }
        if let Some(title) = label.title.as_deref().filter(|t| !t.trim().is_empty()) {
            doc.add_text(fields.title_exact, title);
            doc.add_text(fields.title_stem, title);
        }
        doc
    }

    /// The chunks stamp of a unit's label in the last commit, when the
    /// chunks committed with it are known to be there.
    fn committed_stamp(&self, id: u64) -> Result<Option<u64>> {
        if self.labels_ahead.is_some() {
            return Ok(None);
        }
        let searcher = self.label_reader.searcher();
        let term = Term::from_field_u64(self.index.label_fields.unit, id);
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.index.label_fields.unit)?;
            let Some(mut postings) = inverted
                .read_postings(&term, tantivy::schema::IndexRecordOption::Basic)
                .map_err(tantivy::TantivyError::from)?
            else {
                continue;
            };
            let stamps = segment.fast_fields().u64("stamp")?;
            use tantivy::DocSet;
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                if !segment.is_deleted(doc) {
                    return Ok(stamps.first(doc));
                }
                doc = postings.advance();
            }
        }
        Ok(None)
    }

    /// Commits both indexes with the mark of what they now hold, then
    /// forgets the outbox rows they hold.
    fn commit(&mut self) -> Result<()> {
        if !self.has_uncommitted() {
            return Ok(());
        }
        self.commit_mark(self.mark.complete)
    }

    /// Commits with `complete` as what the index now is.
    fn commit_mark(&mut self, complete: bool) -> Result<()> {
        let mark = Mark {
            seq: self.seq_done,
            complete,
        };
        let payload = serde_json::to_string(&Payload {
            mark,
            built_to: self.built_to,
        })
        .unwrap_or_default();
        // Labels first, then chunks; searches reload chunks first, then
        // labels. So a search that sees a unit's new chunks also sees its
        // new label (a filter, which is decided on labels, never hides a
        // unit whose text is already there). A crash between the two
        // commits leaves the chunks with the older mark, and the replay
        // starts from the older of the two.
        let mut prepared = self.labels.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        let mut prepared = self.chunks.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        if self.labels_ahead.as_ref().is_some_and(|ahead| {
            covers(
                &Payload {
                    mark,
                    built_to: self.built_to,
                },
                ahead,
            )
        }) {
            self.labels_ahead = None;
        }
        self.label_reader.reload()?;
        self.pending.clear();
        self.mark = mark;
        self.last_commit = Instant::now();
        if mark.complete {
            self.store.prune_search_outbox(mark.seq)?;
        }
        super::applied::writable(&self.dir);
        let mut status = self.status();
        status.applied_seq = mark.seq;
        status.last_error = None;
        if mark.complete {
            super::applied::advance(&self.dir, mark.seq);
        }
        Ok(())
    }

    /// Merges each index's small segments into one, now that nothing is
    /// waiting (the merge policy would only see them at the next commit,
    /// which may be hours away for an engine whose folders do not change).
    /// The merge runs on tantivy's merge threads; its segment replaces the
    /// small ones at the commit it publishes.
    fn merge_small_tails(&mut self) {
        for writer in [&mut self.chunks, &mut self.labels] {
            let metas = match writer.index().searchable_segment_metas() {
                Ok(metas) => metas,
                Err(err) => {
                    tracing::debug!(%err, "cannot list the search index's segments");
                    continue;
                }
            };
            if let Some(tail) = merge_policy::small_tail(&metas, &Default::default()) {
                tracing::debug!(segments = tail.len(), "merging the small segments");
                // Not waited for; a tail that a merge already holds is
                // refused, which is what is wanted.
                drop(writer.merge(&tail));
            }
        }
    }

    fn wait_for_merges(self) {
        let _ = self.chunks.wait_merging_threads();
        let _ = self.labels.wait_merging_threads();
    }
}

#[cfg(test)]
#[path = "indexer_tests.rs"]
mod tests;
