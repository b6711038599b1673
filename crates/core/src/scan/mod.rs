//! A full scan of one source: walk, plan, read in parallel, write in batches.
//! One file because the threads, the batch writer and the decisions share the scan's state; plan and worker are apart.
//!
//! ```text
//! walk ──► plan (stat compare, inode moves) ──► work queue ──► N readers
//!                                                  (read + MD5 + extract + chunk)
//!                                                         │ bounded channel, and a
//!                                                         │ bound on the text in flight
//!                                                         ▼
//!                          this thread: decide ops ──► batch ──► one transaction
//! ```
//!
//! The thread that calls [`scan_source`] owns the write connection and is the
//! only writer; readers have read-only connections (WAL lets them read while
//! it writes). A batch is committed every [`ScanOptions::batch_max_age`] or
//! [`ScanOptions::batch_max_files`], whichever comes first, so searches see
//! progress within a fraction of a second and a crash loses at most one
//! batch. Deletions are applied last: until every file has been read, a
//! vanished path may still turn out to have moved.
//!
//! The observer is asked at every file boundary whether to go on; a stop
//! keeps everything committed so far.

mod in_flight;
mod plan;
mod worker;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::extract::{self, ExtractError, Format};
use crate::fingerprint::FileStat;
use crate::settings::Settings;
use crate::source::{ScanStatus, Source, SourceRules};
use crate::store::{
    now_ms, path_text, text_path, ContentChange, DocumentRow, JobCounts, Store, WriteOp,
};
use crate::walk::{walk_paths, walk_source, WalkOptions, WalkProblem, WalkedFile};
use in_flight::InFlight;

pub use plan::{plan_scan, ScanPlan, StatMove, WorkItem, WorkReason};
pub use worker::{read_file, ReadOptions, ReadOutcome};

/// The job a scan records its progress in.
#[derive(Debug, Clone)]
pub struct JobProgress<'a> {
    /// The job's id.
    pub id: &'a str,
    /// The counts of an interrupted earlier run of the same job.
    pub resumed_from: Option<JobCounts>,
}

/// How a scan runs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Reader threads.
    pub workers: usize,
    /// Limits of a single read.
    pub read: ReadOptions,
    /// Commit after this many files…
    pub batch_max_files: usize,
    /// …or after this long, whichever comes first.
    pub batch_max_age: Duration,
    /// Threads for the directory walk.
    pub walk_threads: usize,
    /// Run the readers at low CPU and I/O priority (background engine).
    pub low_priority: bool,
    /// Extracted text held between the readers and the committed batch
    /// (see `in_flight`); a batch is committed when it holds half of it.
    pub in_flight_text_bytes: usize,
}

impl ScanOptions {
    /// Options from the engine's settings.
    pub fn from_settings(settings: &Settings) -> ScanOptions {
        ScanOptions {
            workers: settings.workers(),
            read: ReadOptions {
                max_file_bytes: settings.max_file_bytes(),
                extract: settings.extract_limits(),
            },
            batch_max_files: 500,
            batch_max_age: Duration::from_millis(250),
            walk_threads: 2,
            low_priority: false,
            in_flight_text_bytes: IN_FLIGHT_TEXT_BYTES,
        }
    }
}

/// Whether a scan goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep going.
    Continue,
    /// Stop at this file boundary, keeping what is committed.
    Stop,
}

/// Where a scan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanPhase {
    /// Listing files.
    Walking,
    /// Reading and indexing.
    Indexing,
    /// Done.
    Finished,
}

/// A progress report.
#[derive(Debug, Clone)]
pub struct ScanProgress<'a> {
    /// The phase.
    pub phase: ScanPhase,
    /// Counts so far.
    pub counts: &'a JobCounts,
}

/// Watches a scan and may stop it.
pub trait ScanObserver: Sync {
    /// Called at most every 100 ms and at phase changes.
    fn progress(&self, _progress: &ScanProgress<'_>) {}
    /// Called at every file boundary; may block (a pause) or stop the scan.
    fn checkpoint(&self) -> Flow {
        Flow::Continue
    }
}

/// An observer that watches nothing.
#[derive(Debug, Default)]
pub struct Unobserved;
impl ScanObserver for Unobserved {}

/// The result of a scan.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// What happened to the files.
    pub counts: JobCounts,
    /// Whether the observer stopped the scan before the end.
    pub stopped: bool,
    /// Folders or files the walk could not read (their documents were kept).
    pub problems: Vec<WalkProblem>,
    /// The folders the walk entered (what a watcher must watch).
    pub dirs: Vec<PathBuf>,
}

impl ScanOutcome {
    /// A sentence for a full scan that found nothing to index (see
    /// [`JobCounts::nothing_to_index`]); `None` otherwise, and when a folder
    /// could not be read (that is said on its own).
    pub fn nothing_to_index(&self, source: &Path) -> Option<String> {
        if !self.problems.is_empty() {
            return None;
        }
        self.counts.nothing_to_index(source)
    }
}

/// What part of a source a scan covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanScope {
    /// The whole source: the periodic and start-up rescans, `gleaner index`.
    Full,
    /// Only these files and folders (live changes from the watcher). A path
    /// that no longer exists is taken as deleted, with everything below it.
    Paths(Vec<PathBuf>),
}

/// Scans one source, or part of it, and brings its documents in step with
/// the disk.
///
/// When `job` is given, the job row's counts are written with every batch;
/// a resumed job continues from the counts it had (its finished files are
/// found unchanged by the plan and are not counted twice).
/// A source folder that is missing or unreadable is an error (recorded on the
/// source for a full scan); nothing indexed from it is deleted.
pub fn scan_source(
    store: &mut Store,
    source: &Source,
    scope: &ScanScope,
    options: &ScanOptions,
    job: Option<JobProgress<'_>>,
    observer: &dyn ScanObserver,
) -> Result<ScanOutcome> {
    let full = *scope == ScanScope::Full;
    if let Err(reason) = check_root(source) {
        if full {
            store.finish_scan(source.id, ScanStatus::Error, Some(&reason))?;
        }
        return Err(Error::SourceUnavailable {
            path: source.path.clone(),
            reason,
        });
    }
    if !full {
        return scan_marked(store, source, scope, options, job, observer)
            .map_err(|err| err.in_database(store.path()));
    }
    store.mark_scan_running(source.id)?;
    // From here every way out records how the scan ended: a source must
    // never stay `running` after its scan is over (see `ended_status`).
    let result = scan_marked(store, source, scope, options, job, observer)
        .map_err(|err| err.in_database(store.path()));
    let (status, reason) = ended_status(&result);
    if let Err(err) = store.finish_scan(source.id, status, reason.as_deref()) {
        // With the disk full even this small write may fail: the engine
        // settles the status later (`Engine::settle_scan_statuses`). In a
        // damaged file it is expected, and the damage is what to report.
        if !err.is_corrupt_index() {
            tracing::warn!(source = %source.path.display(), %err, "could not record how the scan ended");
        }
        if result.is_ok() {
            return Err(err.in_database(store.path()));
        }
    }
    result
}

/// The source status a full scan leaves behind: success, pending when it
/// was stopped or paused (a full disk included: it goes on later), error
/// with the reason otherwise.
fn ended_status(result: &Result<ScanOutcome>) -> (ScanStatus, Option<String>) {
    match result {
        Ok(outcome) if outcome.stopped => (ScanStatus::Pending, None),
        Ok(_) => (ScanStatus::Success, None),
        Err(err @ Error::DiskFull(_)) => (ScanStatus::Pending, Some(err.to_string())),
        Err(err) => (ScanStatus::Error, Some(err.to_string())),
    }
}

/// [`scan_source`] once the root is known readable (and, for a full scan,
/// the source marked running): everything but the final status.
fn scan_marked(
    store: &mut Store,
    source: &Source,
    scope: &ScanScope,
    options: &ScanOptions,
    job: Option<JobProgress<'_>>,
    observer: &dyn ScanObserver,
) -> Result<ScanOutcome> {
    let job_id = job.as_ref().map(|j| j.id);
    let full = *scope == ScanScope::Full;
    let mut counts = JobCounts::default();
    observer.progress(&ScanProgress {
        phase: ScanPhase::Walking,
        counts: &counts,
    });
    let rules = SourceRules::for_source(source)?;
    let walk_options = WalkOptions {
        recursive: source.recursive,
        threads: options.walk_threads,
    };
    let (walk, states) = match scope {
        ScanScope::Full => (
            walk_source(&source.path, &rules, &walk_options),
            store.document_states(source.id)?,
        ),
        ScanScope::Paths(paths) => {
            let keys: Vec<String> = paths.iter().map(|p| path_text(p)).collect();
            (
                walk_paths(&source.path, paths, &rules, &walk_options),
                store.document_states_under(source.id, &keys)?,
            )
        }
    };
    let mut walk = walk;
    let dirs = std::mem::take(&mut walk.dirs);
    let links_not_followed = walk.n_links;
    let problems = walk.problems.clone();
    for problem in &problems {
        tracing::warn!(path = %problem.path.display(), message = %problem.message, "could not read while scanning");
    }
    let mut plan = plan_scan(walk, states, extract::extractor_id, now_ms());
    if !full {
        adopt_moves_from_outside(store, source.id, &mut plan)?;
    }
    match job.and_then(|j| j.resumed_from) {
        Some(base) => {
            counts = base;
            counts.total_files = counts.indexed_files + plan.work.len() as u64;
        }
        None => {
            counts.total_files = plan.work.len() as u64;
            counts.unchanged = plan.n_unchanged;
        }
    }
    counts.links_not_followed = links_not_followed;

    let in_flight = InFlight::new(options.in_flight_text_bytes);
    let in_flight = &in_flight;
    let mut writer = BatchWriter::new(store, job_id, options, in_flight);
    for stat_move in &plan.moves {
        counts.moved += 1;
        writer.push(
            WriteOp::Move {
                doc_id: stat_move.doc_id,
                row: document_row(
                    source.id,
                    &stat_move.file,
                    stat_move.format,
                    stat_move.file.stat,
                ),
            },
            &mut counts,
        )?;
    }
    observer.progress(&ScanProgress {
        phase: ScanPhase::Indexing,
        counts: &counts,
    });

    // Vanished documents by content, to recognise a move after hashing.
    let mut vanished_by_content: HashMap<i64, Vec<i64>> = HashMap::new();
    for state in &plan.vanished {
        if let Some(content) = state.content_id {
            vanished_by_content
                .entry(content)
                .or_default()
                .push(state.id);
        }
    }
    let mut moved_docs: std::collections::HashSet<i64> = std::collections::HashSet::new();

    let stop = AtomicBool::new(false);
    let reader_error: Mutex<Option<Error>> = Mutex::new(None);
    let mut stopped = false;
    let mut error: Option<Error> = None;
    let (work_tx, work_rx) = crossbeam_channel::unbounded::<WorkItem>();
    for item in plan.work {
        let _ = work_tx.send(item);
    }
    drop(work_tx);
    let (result_tx, result_rx) =
        crossbeam_channel::bounded::<(WorkItem, ReadOutcome)>(options.workers * 4);
    let db_path = writer.store.path().to_path_buf();
    std::thread::scope(|scope| {
        for index in 0..options.workers.max(1) {
            let work_rx = work_rx.clone();
            let result_tx = result_tx.clone();
            let stop = &stop;
            let reader_error = &reader_error;
            let db_path = &db_path;
            let read_options = &options.read;
            let low_priority = options.low_priority;
            std::thread::Builder::new()
                .name(format!("gleaner-reader-{index}"))
                .spawn_scoped(scope, move || {
                    if low_priority {
                        crate::priority::lower_current_thread();
                    }
                    // A reader that cannot use the index fails the scan:
                    // its share of the files would silently go unindexed.
                    let fail = |err: Error| {
                        reader_error
                            .lock()
                            .expect("reader error lock")
                            .get_or_insert(err);
                        stop.store(true, Ordering::Relaxed);
                    };
                    let lookup = match Store::open_read_only(db_path) {
                        Ok(lookup) => lookup,
                        Err(err) => return fail(err),
                    };
                    for item in work_rx {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let outcome = read_file(&item, &lookup, read_options);
                        if let Some(err) = lookup.take_corruption() {
                            return fail(err);
                        }
                        if !in_flight.take(text_bytes(&outcome)) {
                            break;
                        }
                        if result_tx.send((item, outcome)).is_err() {
                            break;
                        }
                    }
                })
                .expect("spawn reader thread");
        }
        drop(result_tx);
        let mut last_progress = Instant::now();
        loop {
            // Wake up at least once per batch age, so a slow file (a large
            // PDF) does not hold finished ones back from search.
            // A reader waiting for room is seen within IN_FLIGHT_POLL.
            let wait = options.batch_max_age.min(IN_FLIGHT_POLL);
            let (item, outcome) = match result_rx.recv_timeout(wait) {
                Ok(result) => result,
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                    if error.is_none() {
                        if let Err(err) = writer.flush_if_due(&mut counts) {
                            error = Some(err);
                            stop.store(true, Ordering::Relaxed);
                            in_flight.close();
                        }
                    }
                    continue;
                }
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            };
            if error.is_some() || stopped || stop.load(Ordering::Relaxed) {
                // Drain so readers can finish.
                in_flight.close();
                in_flight.give_back(text_bytes(&outcome));
                continue;
            }
            let bytes = text_bytes(&outcome);
            let op = decide(
                source.id,
                &item,
                outcome,
                &mut counts,
                &mut vanished_by_content,
                &mut moved_docs,
            );
            // The batch holds a new content's text until it is committed
            // (the writer gives it back then); any other text is gone now.
            let carried = op.as_ref().map_or(0, carried_text);
            in_flight.give_back(bytes.saturating_sub(carried));
            counts.indexed_files += 1;
            counts.last_indexed_file = Some(item.file.path.to_string_lossy().into_owned());
            if let Some(Err(err)) = op.map(|op| writer.push(op, &mut counts)) {
                error = Some(err);
                stop.store(true, Ordering::Relaxed);
                in_flight.close();
                continue;
            }
            if last_progress.elapsed() >= Duration::from_millis(100) {
                observer.progress(&ScanProgress {
                    phase: ScanPhase::Indexing,
                    counts: &counts,
                });
                last_progress = Instant::now();
            }
            if observer.checkpoint() == Flow::Stop {
                stopped = true;
                stop.store(true, Ordering::Relaxed);
                in_flight.close();
            }
        }
    });
    if let Some(err) = error.or(reader_error.into_inner().expect("reader error lock")) {
        return Err(err);
    }
    if !stopped {
        for state in &plan.vanished {
            if !moved_docs.contains(&state.id) {
                counts.deleted += 1;
                writer.push(WriteOp::Delete { doc_id: state.id }, &mut counts)?;
            }
        }
    }
    writer.flush(&mut counts)?;
    observer.progress(&ScanProgress {
        phase: ScanPhase::Finished,
        counts: &counts,
    });
    Ok(ScanOutcome {
        counts,
        stopped,
        problems,
        dirs,
    })
}

/// A live change may name only the new place of a moved file (the watcher
/// can miss the old name, e.g. a folder moved in from elsewhere in the
/// source). A new file whose inode, size and mtime match an active document
/// that is no longer on disk is that document, moved: no read needed.
fn adopt_moves_from_outside(store: &Store, source_id: i64, plan: &mut ScanPlan) -> Result<()> {
    let mut kept = Vec::with_capacity(plan.work.len());
    for item in std::mem::take(&mut plan.work) {
        if item.prior.is_none() && item.file.stat.size > 0 {
            if let Some((old_path, doc_id)) =
                store.document_by_stat(source_id, &item.file.stat, item.format.as_str())?
            {
                if old_path != path_text(&item.file.path) && !text_path(&old_path).exists() {
                    plan.moves.push(StatMove {
                        doc_id,
                        file: item.file,
                        format: item.format,
                    });
                    continue;
                }
            }
        }
        kept.push(item);
    }
    plan.work = kept;
    Ok(())
}

fn check_root(source: &Source) -> std::result::Result<(), String> {
    match std::fs::metadata(&source.path) {
        Ok(meta) if meta.is_dir() => std::fs::read_dir(&source.path)
            .map(|_| ())
            .map_err(|e| format!("cannot read the folder: {}", plain_io(&e))),
        Ok(_) => Err("not a directory".to_string()),
        Err(e) => Err(plain_io(&e)),
    }
}

fn plain_io(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => {
            "the folder does not exist (moved, deleted or not mounted)".into()
        }
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => err.to_string(),
    }
}

/// Turns one read into one write, updating the counts.
fn decide(
    source_id: i64,
    item: &WorkItem,
    outcome: ReadOutcome,
    counts: &mut JobCounts,
    vanished_by_content: &mut HashMap<i64, Vec<i64>>,
    moved_docs: &mut std::collections::HashSet<i64>,
) -> Option<WriteOp> {
    let is_new = item.prior.as_ref().is_none_or(|prior| !prior.active);
    let count_indexed = |counts: &mut JobCounts| {
        if item.reason == WorkReason::Reextract {
            counts.unchanged += 1;
        } else if is_new {
            counts.new += 1;
        } else {
            counts.modified += 1;
        }
    };
    let fail = |counts: &mut JobCounts, stat: FileStat, error: String| {
        counts.failed_files += 1;
        let failures = item
            .prior
            .as_ref()
            .filter(|p| p.error.is_some())
            .map_or(0, |_| 1);
        WriteOp::Fail {
            row: document_row(source_id, &item.file, item.format, stat),
            error,
            retry_at: Some(now_ms() + retry_backoff_ms(failures)),
        }
    };
    match outcome {
        ReadOutcome::NameOnly { stat } => {
            count_indexed(counts);
            Some(WriteOp::Index {
                row: document_row(source_id, &item.file, item.format, stat),
                content: ContentChange::NameOnly,
            })
        }
        // Gone between the walk and the read: it is simply not there (the
        // next event or scan sees whatever replaced it).
        ReadOutcome::Vanished => match &item.prior {
            Some(prior) if prior.active => {
                counts.deleted += 1;
                Some(WriteOp::Delete { doc_id: prior.id })
            }
            _ => None,
        },
        ReadOutcome::Failed { error } => Some(fail(counts, item.file.stat, error)),
        ReadOutcome::Read {
            stat,
            existing,
            extracted,
            ..
        } => {
            counts.bytes_processed += stat.size;
            if let (Some(prior), Some(content)) = (&item.prior, existing) {
                if prior.active && prior.content_id == Some(content) {
                    counts.unchanged += 1;
                    return Some(WriteOp::Restat {
                        doc_id: prior.id,
                        stat,
                    });
                }
            }
            if let (None, Some(content)) = (&item.prior, existing) {
                if let Some(doc_id) = vanished_by_content.get_mut(&content).and_then(Vec::pop) {
                    counts.moved += 1;
                    moved_docs.insert(doc_id);
                    return Some(WriteOp::Move {
                        doc_id,
                        row: document_row(source_id, &item.file, item.format, stat),
                    });
                }
            }
            let row = document_row(source_id, &item.file, item.format, stat);
            let content = match (existing, extracted) {
                (Some(content), _) => ContentChange::Existing(content),
                (None, Some(Ok(new))) => ContentChange::New(new),
                (None, Some(Err(ExtractError::Binary))) => ContentChange::NameOnly,
                (None, Some(Err(err))) => {
                    let poison = err.is_poison();
                    let mut op = fail(counts, stat, err.to_string());
                    if poison {
                        // It brought its parser down: not again until it
                        // changes (its stat then differs and it is read anew).
                        if let WriteOp::Fail { retry_at, .. } = &mut op {
                            *retry_at = None;
                        }
                    }
                    return Some(op);
                }
                (None, None) => ContentChange::NameOnly,
            };
            count_indexed(counts);
            Some(WriteOp::Index { row, content })
        }
    }
}

/// Waits before a failed file is read again: 5 minutes, doubling with every
/// consecutive failure, at most a day.
fn retry_backoff_ms(previous_failures: u32) -> i64 {
    let minutes = 5i64 << previous_failures.min(9);
    minutes.min(24 * 60) * 60_000
}

fn document_row(source_id: i64, file: &WalkedFile, format: Format, stat: FileStat) -> DocumentRow {
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = file
        .path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    DocumentRow {
        source_id,
        path: path_text(&file.path),
        rel_path: path_text(&file.rel_path),
        name,
        ext,
        format: format.as_str(),
        stat,
    }
}

/// Collects write operations and commits them in batches.
struct BatchWriter<'s> {
    store: &'s mut Store,
    job_id: Option<&'s str>,
    batch: Vec<WriteOp>,
    /// Text of new contents in the batch, taken from the in-flight budget.
    pending_bytes: usize,
    /// Commit when `pending_bytes` reaches this.
    max_bytes: usize,
    in_flight: &'s InFlight,
    opened: Instant,
    max_files: usize,
    max_age: Duration,
}

/// Extracted text between the readers and the committed batch: a full
/// batch (16 MiB, committed regardless of its age), and as much again on
/// its way (see `in_flight`).
const IN_FLIGHT_TEXT_BYTES: usize = 32 << 20;

/// How soon the writer notices a reader waiting for room.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(20);

/// The extracted text a read outcome carries.
fn text_bytes(outcome: &ReadOutcome) -> usize {
    match outcome {
        ReadOutcome::Read {
            extracted: Some(Ok(new)),
            ..
        } => new.text_bytes,
        _ => 0,
    }
}

/// The extracted text a write operation carries into the batch.
fn carried_text(op: &WriteOp) -> usize {
    match op {
        WriteOp::Index {
            content: ContentChange::New(new),
            ..
        } => new.text_bytes,
        _ => 0,
    }
}

impl<'s> BatchWriter<'s> {
    fn new(
        store: &'s mut Store,
        job_id: Option<&'s str>,
        options: &ScanOptions,
        in_flight: &'s InFlight,
    ) -> Self {
        BatchWriter {
            store,
            job_id,
            batch: Vec::new(),
            pending_bytes: 0,
            max_bytes: (options.in_flight_text_bytes / 2).max(1),
            in_flight,
            opened: Instant::now(),
            max_files: options.batch_max_files.max(1),
            max_age: options.batch_max_age,
        }
    }

    fn push(&mut self, op: WriteOp, counts: &mut JobCounts) -> Result<()> {
        self.pending_bytes += carried_text(&op);
        if self.batch.is_empty() {
            self.opened = Instant::now();
        }
        self.batch.push(op);
        if self.batch.len() >= self.max_files
            || self.opened.elapsed() >= self.max_age
            || self.pending_bytes >= self.max_bytes
            || self.in_flight.readers_waiting()
        {
            self.flush(counts)?;
        }
        Ok(())
    }

    fn flush_if_due(&mut self, counts: &mut JobCounts) -> Result<()> {
        if !self.batch.is_empty()
            && (self.opened.elapsed() >= self.max_age || self.in_flight.readers_waiting())
        {
            self.flush(counts)?;
        }
        Ok(())
    }

    fn flush(&mut self, counts: &mut JobCounts) -> Result<()> {
        if self.batch.is_empty() && self.job_id.is_none() {
            return Ok(());
        }
        let job = self.job_id.map(|id| (id, &*counts));
        let chunks = self.store.apply(&self.batch, job)?;
        counts.total_chunks += chunks;
        self.batch.clear();
        self.in_flight
            .give_back(std::mem::take(&mut self.pending_bytes));
        Ok(())
    }
}
