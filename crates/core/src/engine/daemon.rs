//! The engine loop.
//! One file because the loop and the state it mutates are one concept; its helpers already live in `daemon/`.
//!
//! One thread owns the index (the write connection) and reacts, in turn, to
//! batches of changes from the watcher, requests from the control socket,
//! due rescans and the shutdown signal. It sleeps until one of those comes:
//! no timer ticks while nothing is due.
//!
//! Start-up: every active source is watched first (from a walk of its
//! folders) and then scanned in full, so nothing that changes during the
//! catch-up scan is missed. A change batch becomes a scoped scan of the paths
//! it names (the same planning as a full scan, so moves, deletions and
//! duplicates are handled alike); a lost-events notice, a returning source
//! and the schedule become full scans.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver};

use super::announce::Announcer;
use super::control::{self, Incoming, Request, Response, ScanSummary, SOCKET_FILE};
use super::garbage::Garbage;
use super::index_identity::IndexIdentity;
use super::runner::{JobDone, JobRunner, PAUSED_BY_USER};
use crate::data_dir::DataDir;
use crate::error::Result;
use crate::health::{describe_watch_health, EngineStatus};
use crate::index::Index;
use crate::lock::EngineLock;
use crate::notify::Sink;
use crate::source::{ScanStatus, Source, SourceRules};
use crate::store::JobStatus;
use crate::walk::dir_is_walked;
use crate::watch::{inotify_watch_limit, Change, DirFilter, Watcher, WatcherConfig};

mod jobs;
mod sources;

/// Hooks for whoever hosts the engine (logging, the desktop app's events).
pub trait EngineEvents: Send {
    /// A batch of live changes was indexed.
    fn changes_indexed(&mut self, _n_paths: usize) {}

    /// Where else the engine's notifications go, besides the log, the
    /// desktop and the webhook (asked once, at start). A sink of kind
    /// [`crate::notify::SinkKind::Log`] gets every event, unthrottled.
    fn notification_sinks(&mut self) -> Vec<Box<dyn Sink>> {
        Vec::new()
    }
}

impl EngineEvents for () {}

type RulesBySource = Arc<RwLock<HashMap<i64, (PathBuf, SourceRules)>>>;

struct Engine {
    /// The one writer of the search index.
    search: crate::search::SearchIndexer,
    index: Index,
    started_at: i64,
    live_paths_indexed: u64,
    watcher: Watcher,
    rules: RulesBySource,
    watched: HashMap<i64, Source>,
    next_full_scan: HashMap<i64, Instant>,
    runner: JobRunner,
    /// Tells people about jobs, sources and health (never blocks).
    announcer: Announcer,
    /// Scan requests waiting for their jobs to end.
    waiting: Vec<Waiting>,
    /// All indexing paused by the user (persisted in `indexing.paused`).
    paused: bool,
    /// Sources that changed while indexing was paused.
    dirty_while_paused: HashSet<i64>,
    next_maintenance: Instant,
    /// Live changes of sources a full-scan job is working on: indexed when
    /// the job ends, so the job and the live update never write the same
    /// paths at once from two connections.
    deferred: HashMap<i64, Vec<PathBuf>>,
    /// Contents updates left without a document, collected when no job runs.
    garbage: Garbage,
    /// Jobs paused because the disk was full: when to retry, and how many
    /// times they have been tried.
    disk_full_retry: HashMap<String, (Instant, u32)>,
    /// The data directory and database as opened, to notice them deleted.
    identity: IndexIdentity,
}

/// How often housekeeping runs (the first time an hour after start).
const MAINTENANCE_INTERVAL: Duration = Duration::from_secs(86_400);

/// The longest an idle engine goes without checking that its index is
/// still in its data directory (it also checks at every wake-up).
const IDENTITY_CHECK_INTERVAL: Duration = Duration::from_secs(10);

struct Waiting {
    remaining: HashSet<String>,
    scans: Vec<ScanSummary>,
    errors: Vec<String>,
    incoming: Incoming,
}

/// Runs the engine until `shutdown` receives (or is dropped) or a client
/// asks it to stop. Fails at once with [`crate::Error::EngineBusy`] when
/// another engine holds the data directory.
pub fn run(data_dir: DataDir, shutdown: Receiver<()>, mut events: impl EngineEvents) -> Result<()> {
    data_dir.create()?;
    let _lock = EngineLock::acquire(&data_dir.engine_lock())?;
    let mut index = Index::open(data_dir.clone())?;
    let identity = IndexIdentity::capture(&data_dir)?;
    // After an engine that did not stop cleanly (killed, crashed, power
    // lost), a damaged index is reported before the engine builds on it
    // (opening checks only the file's identity). Not at every start: the
    // check reads the whole file, 20 s for a 2 GB index, and clients wait
    // for the engine's socket meanwhile.
    let running_marker = data_dir.path().join(RUNNING_MARKER);
    if running_marker.exists() {
        tracing::info!("the last engine did not stop cleanly: checking the index");
        index.store().verify()?;
        // It kept in memory the contents its last changes displaced, to
        // drop them once no document pointed at them; that list died with
        // it. Nothing reads yet, so every such content can go now.
        let dropped = index.collect_orphans(None)?;
        if dropped > 0 {
            tracing::info!(dropped, "contents left without a document were dropped");
        }
    }
    std::fs::write(&running_marker, std::process::id().to_string())
        .map_err(|e| crate::Error::io("writing", &running_marker, e))?;
    index.set_background(true);
    // The one writer of the search index, following the store's outbox;
    // it first builds the index when there is none (or an upgrade replaced
    // the old full-text tables).
    let search = crate::search::SearchIndexer::start(data_dir.database(), index.search_dir())?;
    let requests = control::listen(&data_dir.path().join(SOCKET_FILE))?;
    let settings = index.settings()?;
    let rules: RulesBySource = Arc::default();
    let filter_rules = rules.clone();
    let filter: DirFilter = Arc::new(move |source_id, dir| {
        let rules = filter_rules.read().expect("rules lock");
        match rules.get(&source_id) {
            Some((root, rules)) => dir
                .strip_prefix(root)
                .is_ok_and(|rel| dir_is_walked(rel, rules)),
            None => false,
        }
    });
    let config = WatcherConfig {
        debounce: Duration::from_millis(settings.integer("watch.debounce_ms") as u64),
        max_delay: Duration::from_millis(settings.integer("watch.max_delay_ms") as u64),
        ..WatcherConfig::default()
    };
    let (watcher, changes) = Watcher::start(config, filter)?;
    let announcer = Announcer::start(&settings, events.notification_sinks());
    let mut engine = Engine {
        search,
        index,
        started_at: crate::store::now_ms(),
        live_paths_indexed: 0,
        watcher,
        rules,
        watched: HashMap::new(),
        next_full_scan: HashMap::new(),
        runner: JobRunner::new(data_dir.clone(), announcer.publisher()),
        announcer,
        waiting: Vec::new(),
        paused: settings.boolean("indexing.paused"),
        dirty_while_paused: HashSet::new(),
        next_maintenance: Instant::now() + Duration::from_secs(3600),
        deferred: HashMap::new(),
        garbage: Garbage::default(),
        disk_full_retry: HashMap::new(),
        identity,
    };
    tracing::info!(data_dir = %data_dir.path().display(), pid = std::process::id(), "engine started");
    // No job runs yet: a source still marked running was left so by an
    // engine that died or a scan that could not record its end.
    engine.settle_scan_statuses();
    engine.recover_jobs();
    engine.sync_sources(true);
    engine.announce_watch_health();
    engine.start_jobs();
    let mut lost = None;
    loop {
        let wait = engine.time_to_next_scan().min(IDENTITY_CHECK_INTERVAL);
        select! {
            recv(changes) -> batch => match batch {
                Ok(batch) => {
                    let n = engine.apply_changes(batch);
                    events.changes_indexed(n);
                }
                Err(_) => break,
            },
            recv(requests) -> incoming => match incoming {
                Ok(incoming) => {
                    if engine.handle(incoming) == Flow::Stop {
                        break;
                    }
                }
                Err(_) => break,
            },
            recv(engine.runner.done_rx) -> done => {
                if let Ok(done) = done {
                    engine.job_finished(done);
                }
            }
            recv(shutdown) -> _ => break,
            default(wait) => engine.run_due_scans(),
        }
        if let Some(reason) = engine.identity.lost() {
            lost = Some(reason);
            break;
        }
        engine.start_jobs();
    }
    if let Some(reason) = &lost {
        tracing::error!(data_dir = %data_dir.path().display(), %reason, "the index is gone: stopping the engine");
        engine.announcer.index_lost(data_dir.path(), reason);
    } else {
        tracing::info!("engine stopping");
    }
    // Running jobs stop at their next file boundary and are queued again:
    // the next engine continues them.
    engine.runner.interrupt_all();
    engine.runner.join_all();
    // Nothing extracts any more: the idle extractor processes end and are
    // reaped now, not when their pipes close after this process is gone
    // (their CPU time is then this process's children's, as `time` shows).
    crate::extract::end_idle_processes();
    // No job reads any more: what they and the live changes displaced can
    // go, so a clean stop leaves no text without a document.
    engine.garbage.note_job_ended();
    engine.garbage.collect(&mut engine.index, false);
    engine.search.stop();
    // What the throttle still holds (a failure, say) goes out now.
    engine.announcer.shutdown();
    if let Some(reason) = lost {
        // What is at these paths now, if anything, is not this engine's
        // (a new engine may already run in a data directory made anew).
        return Err(crate::Error::DataDirGone {
            data_dir: data_dir.path().to_path_buf(),
            reason,
        });
    }
    let _ = std::fs::remove_file(data_dir.path().join(SOCKET_FILE));
    let _ = std::fs::remove_file(&running_marker);
    Ok(())
}

/// Present while an engine runs; left behind by one that did not stop
/// cleanly, which makes the next one check the index first.
const RUNNING_MARKER: &str = "engine.running";

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

impl Engine {
    fn handle(&mut self, incoming: Incoming) -> Flow {
        match incoming.request.clone() {
            Request::Ping => incoming.reply(Response::Pong {
                pid: std::process::id(),
            }),
            Request::Stop => {
                if !incoming.reply_and_flush(Response::Ok, Duration::from_secs(2)) {
                    tracing::warn!("the answer to stop was not written in time");
                }
                return Flow::Stop;
            }
            Request::Health => incoming.reply(Response::Health {
                status: self.status(),
            }),
            Request::Reload => {
                // Another process changed sources (or documents with them):
                // the search indexer follows the outbox it wrote.
                crate::store::commit_signal::announce();
                self.apply_watch_settings();
                self.sync_sources(false);
                self.announce_watch_health();
                incoming.reply(Response::Ok);
            }
            Request::Scan { path, background } => self.scan_request(path, background, incoming),
            Request::Pause { job } => {
                let result = match job {
                    Some(id) => self.runner.pause(self.index.store(), &id, PAUSED_BY_USER),
                    None => self.set_paused(true),
                };
                incoming.reply(answer(result));
            }
            Request::Resume { job } => {
                let result = match job {
                    Some(id) => self.runner.resume(self.index.store(), &id),
                    None => self.set_paused(false),
                };
                incoming.reply(answer(result));
            }
            Request::Cancel { job } => {
                let result = self.runner.cancel(self.index.store(), &job);
                incoming.reply(answer(result));
            }
            Request::Index { paths } => {
                let response = self.index_paths(paths);
                incoming.reply(response);
            }
            Request::RebuildSearch => {
                let result = self.rebuild_search();
                incoming.reply(answer(result));
            }
        }
        Flow::Continue
    }

    /// Settings changed (`gleaner config set`, the settings window): the
    /// debounce timing applies to what is queued now, and a shorter scan
    /// interval brings the next full scans forward.
    fn apply_watch_settings(&mut self) {
        let Ok(settings) = self.index.settings() else {
            return;
        };
        self.watcher.set_timing(
            Duration::from_millis(settings.integer("watch.debounce_ms") as u64),
            Duration::from_millis(settings.integer("watch.max_delay_ms") as u64),
        );
        let now = Instant::now();
        let sources: Vec<Source> = self.watched.values().cloned().collect();
        for source in sources {
            let due = now + self.scan_interval(&source);
            if let Some(next) = self.next_full_scan.get_mut(&source.id) {
                *next = (*next).min(due);
            }
        }
    }

    /// Stops the search indexer, throws its index away and starts a new
    /// one, which builds the index from the store in the background.
    fn rebuild_search(&mut self) -> Result<()> {
        self.search.stop();
        let dir = self.index.search_dir();
        crate::search::remove_index(&dir)?;
        self.search = crate::search::SearchIndexer::start(self.index.data_dir().database(), dir)?;
        tracing::info!("the search index is being rebuilt from the store");
        Ok(())
    }

    fn status(&self) -> EngineStatus {
        let issues = self
            .watcher
            .health()
            .iter()
            .map(|h| {
                let source = h
                    .source_id()
                    .and_then(|id| self.watched.get(&id))
                    .map_or_else(|| "a source".to_string(), |s| s.path.display().to_string());
                describe_watch_health(h, &source)
            })
            .collect();
        EngineStatus {
            pid: std::process::id(),
            started_at: self.started_at,
            watches_in_use: self.watcher.watch_count(),
            watch_limit: inotify_watch_limit(),
            live_paths_indexed: self.live_paths_indexed,
            issues,
            search: Some(self.search.status()),
        }
    }

    fn scan_request(&mut self, path: Option<PathBuf>, background: bool, incoming: Incoming) {
        let sources = match &path {
            Some(path) => self.index.source_or_add(path).map(|source| vec![source]),
            None => self
                .index
                .sources()
                .map(|sources| sources.into_iter().filter(|s| s.active).collect()),
        };
        let sources = match sources {
            Ok(sources) => sources,
            Err(err) => {
                return incoming.reply(Response::Error {
                    message: err.to_string(),
                })
            }
        };
        let mut ids = Vec::new();
        let mut warnings = Vec::new();
        for source in &sources {
            self.ensure_watched(source);
            // A full scan the engine queued by itself (start-up, schedule,
            // rescan) does what was asked: hand out that job rather than
            // indexing the same folder twice at once.
            let automatic = self.runner.jobs_for(source.id).into_iter().find(|id| {
                self.index.store().job(id).is_ok_and(|job| {
                    matches!(job.trigger.as_str(), "startup" | "scheduled" | "rescan")
                })
            });
            if let Some(id) = automatic {
                ids.push(id);
                continue;
            }
            if self.runner.has_job_for(source.id) {
                warnings.push(format!(
                    "{} is already being indexed; a second job was queued",
                    source.path.display()
                ));
            }
            match self.queue_scan(
                source,
                if background { "background" } else { "manual" },
                false,
            ) {
                Ok(Some(id)) => ids.push(id),
                Ok(None) => {}
                Err(err) => warnings.push(format!("{}: {err}", source.path.display())),
            }
        }
        if self.paused {
            warnings
                .push("indexing is paused: the jobs start when you run `gleaner resume`".into());
        }
        if background || ids.is_empty() {
            incoming.reply(Response::Jobs { ids, warnings });
        } else {
            self.waiting.push(Waiting {
                remaining: ids.into_iter().collect(),
                scans: Vec::new(),
                errors: Vec::new(),
                incoming,
            });
        }
    }

    /// The announcer, with the settings as they are now (a `config set` or
    /// the settings window changes them without telling the engine).
    fn announcer(&mut self) -> &mut Announcer {
        if let Ok(settings) = self.index.settings() {
            self.announcer.refresh(&settings);
        }
        &mut self.announcer
    }

    /// Tells watch problems that appeared (the inotify limit reached).
    fn announce_watch_health(&mut self) {
        let health = self.watcher.health();
        if let Ok(settings) = self.index.settings() {
            self.announcer.refresh(&settings);
        }
        self.announcer.watch_health(&health, &self.watched);
    }

    fn job_finished(&mut self, done: JobDone) {
        self.runner.finished(&done);
        if done.disk_full {
            self.retry_after_disk_full(&done.id);
        } else {
            self.disk_full_retry.remove(&done.id);
        }
        self.settle_scan_statuses();
        self.garbage.note_job_ended();
        let ready: Vec<i64> = self
            .deferred
            .keys()
            .copied()
            .filter(|id| !self.runner.has_job_for(*id))
            .collect();
        for source_id in ready {
            if let Some(list) = self.deferred.remove(&source_id) {
                self.live_paths_indexed += self.scan_live(source_id, list);
            }
        }
        self.garbage.collect(&mut self.index, self.runner.is_busy());
        let job = self.index.store().job(&done.id).ok();
        if let Some(error) = &done.error {
            tracing::warn!(job = %done.id, %error, "job ended with an error");
        }
        if let Some(job) = &job {
            self.announcer().job_ended(job, done.error.as_deref());
            let c = &job.counts;
            tracing::info!(
                job = %job.id, status = job.status.as_str(), directory = %job.directory, trigger = %job.trigger,
                new = c.new, modified = c.modified, moved = c.moved, deleted = c.deleted,
                unchanged = c.unchanged, failed = c.failed_files, "job ended"
            );
        }
        let mut still_waiting = Vec::new();
        for mut waiting in std::mem::take(&mut self.waiting) {
            if waiting.remaining.remove(&done.id) {
                match (&done.error, &job) {
                    (None, Some(job)) => waiting.scans.push(ScanSummary {
                        path: PathBuf::from(&job.directory),
                        job_id: job.id.clone(),
                        counts: job.counts.clone(),
                    }),
                    (Some(error), Some(job)) => {
                        waiting.errors.push(format!("{}: {error}", job.directory))
                    }
                    (error, None) => waiting
                        .errors
                        .push(error.clone().unwrap_or_else(|| "job vanished".into())),
                }
            }
            if waiting.remaining.is_empty() {
                waiting.incoming.reply(Response::Scanned {
                    scans: waiting.scans,
                    errors: waiting.errors,
                });
            } else {
                still_waiting.push(waiting);
            }
        }
        self.waiting = still_waiting;
        self.announce_watch_health();
    }

    fn time_to_next_scan(&self) -> Duration {
        let now = Instant::now();
        self.next_full_scan
            .values()
            .chain(std::iter::once(&self.next_maintenance))
            .chain(self.disk_full_retry.values().map(|(at, _)| at))
            .map(|at| at.saturating_duration_since(now))
            .min()
            .unwrap_or(Duration::from_secs(3600))
    }

    /// Daily housekeeping, when no job runs (it takes the write lock for a
    /// moment and may VACUUM).
    fn maintain_if_due(&mut self) {
        if Instant::now() < self.next_maintenance {
            return;
        }
        if self.runner.is_busy() {
            self.next_maintenance = Instant::now() + Duration::from_secs(600);
            return;
        }
        self.next_maintenance = Instant::now() + MAINTENANCE_INTERVAL;
        match self.index.maintain() {
            Ok(report) => tracing::info!(?report, "maintenance done"),
            Err(err) => tracing::warn!(%err, "maintenance failed"),
        }
    }

    fn run_due_scans(&mut self) {
        self.maintain_if_due();
        self.retry_disk_full_jobs();
        let now = Instant::now();
        let due: Vec<i64> = self
            .next_full_scan
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            let Some(source) = self.watched.get(&id).cloned() else {
                self.next_full_scan.remove(&id);
                continue;
            };
            if let Err(err) = self.queue_scan(&source, "scheduled", true) {
                tracing::warn!(source = %source.path.display(), %err, "could not queue a scheduled scan");
            }
        }
    }

    /// Indexes one batch of watcher changes; returns the number of paths.
    fn apply_changes(&mut self, batch: Vec<Change>) -> usize {
        if self.paused {
            // Remember where things changed; a rescan on resume catches up.
            self.dirty_while_paused
                .extend(batch.iter().map(Change::source_id));
            return 0;
        }
        let mut paths: BTreeMap<i64, Vec<PathBuf>> = BTreeMap::new();
        let mut full: Vec<(i64, String)> = Vec::new();
        for change in batch {
            match change {
                Change::Changed { source_id, path } | Change::Removed { source_id, path } => {
                    paths.entry(source_id).or_default().push(path);
                }
                Change::Renamed {
                    source_id,
                    from,
                    to,
                } => {
                    let entry = paths.entry(source_id).or_default();
                    entry.push(from);
                    entry.push(to);
                }
                Change::Rescan { source_id, reason } => full.push((source_id, reason)),
                Change::SourceBack { source_id } => {
                    if let Some(source) = self.watched.get(&source_id).cloned() {
                        self.announcer().source_back(&source.path);
                    }
                    full.push((source_id, "the folder is back".into()))
                }
                Change::SourceGone { source_id, reason } => {
                    tracing::warn!(source_id, %reason, "source unreachable");
                    if let Some(source) = self.watched.get(&source_id).cloned() {
                        self.announcer().source_error(&source.path, &reason);
                    }
                    let _ =
                        self.index
                            .store()
                            .finish_scan(source_id, ScanStatus::Error, Some(&reason));
                    paths.remove(&source_id);
                }
            }
        }
        let mut n_paths = 0u64;
        for (source_id, reason) in full {
            paths.remove(&source_id);
            if let Some(source) = self.watched.get(&source_id).cloned() {
                tracing::info!(source = %source.path.display(), %reason, "rescanning");
                if let Err(err) = self.queue_scan(&source, "rescan", true) {
                    tracing::warn!(source = %source.path.display(), %err, "could not queue a rescan");
                }
                // Jobs the engine paused because the folder was away resume.
                if let Ok(jobs) = self.index.store().jobs_in(&[JobStatus::Paused]) {
                    for job in jobs.into_iter().filter(|j| j.source_id == Some(source_id)) {
                        if job.pause_reason.as_deref() != Some(PAUSED_BY_USER) {
                            let _ = self.runner.resume(self.index.store(), &job.id);
                        }
                    }
                }
            }
        }
        for (source_id, list) in paths {
            if self.runner.has_job_for(source_id) {
                self.deferred.entry(source_id).or_default().extend(list);
                continue;
            }
            n_paths += self.scan_live(source_id, list);
        }
        self.live_paths_indexed += n_paths;
        n_paths as usize
    }

    /// Indexes files a client named (`Request::Index`) the way a live
    /// change is indexed: each goes to the watched source that holds it, and
    /// waits like a live change while that source's job runs or indexing is
    /// paused. A path outside every watched source refuses the whole request.
    fn index_paths(&mut self, paths: Vec<PathBuf>) -> Response {
        let mut by_source: BTreeMap<i64, Vec<PathBuf>> = BTreeMap::new();
        for path in paths {
            // The deepest root wins when sources nest.
            let holder = self
                .watched
                .values()
                .filter(|source| path.starts_with(&source.path))
                .max_by_key(|source| source.path.as_os_str().len());
            let Some(source) = holder else {
                return Response::Error {
                    message: format!("{} is not inside an active source", path.display()),
                };
            };
            by_source.entry(source.id).or_default().push(path);
        }
        let (mut indexed, mut deferred) = (0u64, 0u64);
        for (source_id, list) in by_source {
            if self.paused {
                deferred += list.len() as u64;
                self.dirty_while_paused.insert(source_id);
            } else if self.runner.has_job_for(source_id) {
                deferred += list.len() as u64;
                self.deferred.entry(source_id).or_default().extend(list);
            } else {
                indexed += self.scan_live(source_id, list);
            }
        }
        self.live_paths_indexed += indexed;
        // "Indexed" promises the files can be found: wait (briefly) for the
        // search index to hold them.
        if indexed > 0 {
            if let Ok(written) = self.index.store().search_outbox_high_water() {
                let _ = crate::search::wait_applied(
                    &self.index.search_dir(),
                    written,
                    Duration::from_secs(10),
                );
            }
        }
        Response::Indexed { indexed, deferred }
    }

    /// Indexes the changed paths of one source; returns how many.
    fn scan_live(&mut self, source_id: i64, mut list: Vec<PathBuf>) -> u64 {
        let Some(source) = self.watched.get(&source_id).cloned() else {
            return 0;
        };
        list.sort();
        list.dedup();
        let n_paths = list.len() as u64;
        let displaced = self.index.contents_under(source_id, &list);
        match self.index.scan_paths(&source, list) {
            Ok(outcome) => {
                self.garbage.note_live(displaced.unwrap_or_default());
                self.garbage.collect(&mut self.index, self.runner.is_busy());
                let c = &outcome.counts;
                tracing::debug!(
                    source = %source.path.display(), new = c.new, modified = c.modified,
                    moved = c.moved, deleted = c.deleted, failed = c.failed_files, "live changes indexed"
                );
            }
            Err(err) => {
                // Never silence: a failed live update becomes a rescan.
                tracing::warn!(source = %source.path.display(), %err, "live update failed; rescanning");
                if let Err(err) = self.queue_scan(&source, "rescan", true) {
                    tracing::warn!(%err, "could not queue a rescan");
                }
            }
        }
        n_paths
    }
}

fn answer(result: Result<()>) -> Response {
    match result {
        Ok(()) => Response::Ok,
        Err(err) => Response::Error {
            message: err.to_string(),
        },
    }
}
