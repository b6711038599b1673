//! The engine loop.
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

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver};

use super::control::{self, Incoming, Request, Response, ScanSummary, SOCKET_FILE};
use crate::data_dir::DataDir;
use crate::error::Result;
use crate::index::Index;
use crate::lock::EngineLock;
use crate::scan::Unobserved;
use crate::source::{ScanStatus, Source, SourceRules};
use crate::walk::{dir_is_walked, walk_source, WalkOptions};
use crate::health::{describe_watch_health, EngineStatus};
use crate::watch::{inotify_watch_limit, Change, DirFilter, WatchedSource, Watcher, WatcherConfig};

/// Hooks for whoever hosts the engine (logging, the desktop app's events).
pub trait EngineEvents: Send {
    /// A batch of live changes was indexed.
    fn changes_indexed(&mut self, _n_paths: usize) {}
}

impl EngineEvents for () {}

type RulesBySource = Arc<RwLock<HashMap<i64, (PathBuf, SourceRules)>>>;

struct Engine {
    index: Index,
    started_at: i64,
    live_paths_indexed: u64,
    watcher: Watcher,
    rules: RulesBySource,
    watched: HashMap<i64, Source>,
    next_full_scan: HashMap<i64, Instant>,
}

/// Runs the engine until `shutdown` receives (or is dropped) or a client
/// asks it to stop. Fails at once with [`crate::Error::EngineBusy`] when
/// another engine holds the data directory.
pub fn run(data_dir: DataDir, shutdown: Receiver<()>, mut events: impl EngineEvents) -> Result<()> {
    data_dir.create()?;
    let _lock = EngineLock::acquire(&data_dir.engine_lock())?;
    let mut index = Index::open(data_dir.clone())?;
    index.set_background(true);
    let requests = control::listen(&data_dir.path().join(SOCKET_FILE))?;
    let settings = index.settings()?;
    let rules: RulesBySource = Arc::default();
    let filter_rules = rules.clone();
    let filter: DirFilter = Arc::new(move |source_id, dir| {
        let rules = filter_rules.read().expect("rules lock");
        match rules.get(&source_id) {
            Some((root, rules)) => dir.strip_prefix(root).is_ok_and(|rel| dir_is_walked(rel, rules)),
            None => false,
        }
    });
    let config = WatcherConfig {
        debounce: Duration::from_millis(settings.integer("watch.debounce_ms") as u64),
        max_delay: Duration::from_millis(settings.integer("watch.max_delay_ms") as u64),
        ..WatcherConfig::default()
    };
    let (watcher, changes) = Watcher::start(config, filter)?;
    let mut engine = Engine {
        index,
        started_at: crate::store::now_ms(),
        live_paths_indexed: 0,
        watcher,
        rules,
        watched: HashMap::new(),
        next_full_scan: HashMap::new(),
    };
    tracing::info!(data_dir = %data_dir.path().display(), pid = std::process::id(), "engine started");
    engine.sync_sources(true);
    loop {
        let wait = engine.time_to_next_scan();
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
            recv(shutdown) -> _ => break,
            default(wait) => engine.run_due_scans(),
        }
    }
    tracing::info!("engine stopping");
    let _ = std::fs::remove_file(data_dir.path().join(SOCKET_FILE));
    Ok(())
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

impl Engine {
    fn handle(&mut self, incoming: Incoming) -> Flow {
        match incoming.request.clone() {
            Request::Ping => incoming.reply(Response::Pong { pid: std::process::id() }),
            Request::Stop => {
                incoming.reply(Response::Ok);
                return Flow::Stop;
            }
            Request::Health => incoming.reply(Response::Health { status: self.status() }),
            Request::Reload => {
                self.sync_sources(false);
                incoming.reply(Response::Ok);
            }
            Request::Scan { path } => {
                let response = self.scan_request(path);
                incoming.reply(response);
            }
        }
        Flow::Continue
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
        }
    }

    fn scan_request(&mut self, path: Option<PathBuf>) -> Response {
        let sources = match &path {
            Some(path) => match self.index.source_or_add(path) {
                Ok(source) => vec![source],
                Err(err) => return Response::Error { message: err.to_string() },
            },
            None => match self.index.sources() {
                Ok(sources) => sources.into_iter().filter(|s| s.active).collect(),
                Err(err) => return Response::Error { message: err.to_string() },
            },
        };
        let mut scans = Vec::new();
        let mut errors = Vec::new();
        for source in sources {
            self.ensure_watched(&source);
            match self.full_scan(&source, "manual") {
                Ok(summary) => scans.push(summary),
                Err(err) => errors.push(format!("{}: {err}", source.path.display())),
            }
        }
        Response::Scanned { scans, errors }
    }

    /// Brings the watched set in line with the stored sources: new or
    /// changed active sources are watched and scanned, removed or disabled
    /// ones unwatched.
    fn sync_sources(&mut self, startup: bool) {
        let sources = match self.index.sources() {
            Ok(sources) => sources,
            Err(err) => {
                tracing::error!(%err, "could not read sources");
                return;
            }
        };
        let current: HashMap<i64, Source> = sources.into_iter().filter(|s| s.active).map(|s| (s.id, s)).collect();
        let gone: Vec<i64> = self.watched.keys().filter(|id| !current.contains_key(id)).copied().collect();
        for id in gone {
            self.watcher.unwatch(id);
            self.watched.remove(&id);
            self.next_full_scan.remove(&id);
            self.rules.write().expect("rules lock").remove(&id);
        }
        for source in current.values() {
            let changed = self.watched.get(&source.id).is_none_or(|old| !same_rules(old, source));
            if changed || startup {
                self.ensure_watched(source);
                let trigger = if startup { "startup" } else { "manual" };
                if let Err(err) = self.full_scan(source, trigger) {
                    tracing::warn!(source = %source.path.display(), %err, "scan failed");
                }
            }
        }
    }

    fn ensure_watched(&mut self, source: &Source) {
        if self.watched.get(&source.id).is_some_and(|old| same_rules(old, source)) {
            return;
        }
        let Ok(rules) = SourceRules::for_source(source) else { return };
        self.rules.write().expect("rules lock").insert(source.id, (source.path.clone(), rules.clone()));
        let walk = walk_source(&source.path, &rules, &WalkOptions { recursive: source.recursive, threads: 2 });
        self.watcher.watch(WatchedSource {
            source_id: source.id,
            root: source.path.clone(),
            recursive: source.recursive,
            dirs: walk.dirs,
        });
        self.watched.insert(source.id, source.clone());
    }

    fn full_scan(&mut self, source: &Source, trigger: &str) -> Result<ScanSummary> {
        let interval = self.scan_interval(source);
        self.next_full_scan.insert(source.id, Instant::now() + interval);
        let started = Instant::now();
        let report = self.index.scan(source, trigger, &Unobserved)?;
        let c = &report.outcome.counts;
        tracing::info!(
            source = %source.path.display(), trigger, seconds = started.elapsed().as_secs_f64(),
            new = c.new, modified = c.modified, moved = c.moved, deleted = c.deleted,
            unchanged = c.unchanged, failed = c.failed_files, "full scan done"
        );
        Ok(ScanSummary { path: source.path.clone(), job_id: report.job_id, counts: report.outcome.counts })
    }

    fn scan_interval(&self, source: &Source) -> Duration {
        let polled = self
            .watcher
            .health()
            .iter()
            .any(|h| h.source_id() == Some(source.id) && h.needs_polling());
        let settings = self.index.settings().ok();
        let seconds = if polled {
            settings.as_ref().map_or(300, |s| s.integer("watch.poll_interval_s"))
        } else {
            source
                .scan_interval_s
                .or_else(|| settings.as_ref().map(|s| s.integer("scan.full_interval_s")))
                .unwrap_or(86_400)
        };
        Duration::from_secs(seconds.max(1) as u64)
    }

    fn time_to_next_scan(&self) -> Duration {
        let now = Instant::now();
        self.next_full_scan
            .values()
            .map(|at| at.saturating_duration_since(now))
            .min()
            .unwrap_or(Duration::from_secs(3600))
    }

    fn run_due_scans(&mut self) {
        let now = Instant::now();
        let due: Vec<i64> = self.next_full_scan.iter().filter(|(_, at)| **at <= now).map(|(id, _)| *id).collect();
        for id in due {
            let Some(source) = self.watched.get(&id).cloned() else {
                self.next_full_scan.remove(&id);
                continue;
            };
            if let Err(err) = self.full_scan(&source, "scheduled") {
                tracing::warn!(source = %source.path.display(), %err, "scheduled scan failed");
            }
        }
    }

    /// Indexes one batch of watcher changes; returns the number of paths.
    fn apply_changes(&mut self, batch: Vec<Change>) -> usize {
        let mut paths: BTreeMap<i64, Vec<PathBuf>> = BTreeMap::new();
        let mut full: Vec<(i64, String)> = Vec::new();
        for change in batch {
            match change {
                Change::Changed { source_id, path } | Change::Removed { source_id, path } => {
                    paths.entry(source_id).or_default().push(path);
                }
                Change::Renamed { source_id, from, to } => {
                    let entry = paths.entry(source_id).or_default();
                    entry.push(from);
                    entry.push(to);
                }
                Change::Rescan { source_id, reason } => full.push((source_id, reason)),
                Change::SourceBack { source_id } => full.push((source_id, "the folder is back".into())),
                Change::SourceGone { source_id, reason } => {
                    tracing::warn!(source_id, %reason, "source unreachable");
                    let _ = self.index.store().finish_scan(source_id, ScanStatus::Error, Some(&reason));
                    paths.remove(&source_id);
                }
            }
        }
        let mut n_paths = 0u64;
        for (source_id, reason) in full {
            paths.remove(&source_id);
            if let Some(source) = self.watched.get(&source_id).cloned() {
                tracing::info!(source = %source.path.display(), %reason, "rescanning");
                if let Err(err) = self.full_scan(&source, "rescan") {
                    tracing::warn!(source = %source.path.display(), %err, "rescan failed");
                }
            }
        }
        for (source_id, mut list) in paths {
            let Some(source) = self.watched.get(&source_id).cloned() else { continue };
            list.sort();
            list.dedup();
            n_paths += list.len() as u64;
            match self.index.scan_paths(&source, list) {
                Ok(outcome) => {
                    let c = &outcome.counts;
                    tracing::debug!(
                        source = %source.path.display(), new = c.new, modified = c.modified,
                        moved = c.moved, deleted = c.deleted, failed = c.failed_files, "live changes indexed"
                    );
                }
                Err(err) => tracing::warn!(source = %source.path.display(), %err, "live update failed"),
            }
        }
        self.live_paths_indexed += n_paths;
        n_paths as usize
    }
}

fn same_rules(a: &Source, b: &Source) -> bool {
    a.path == b.path && a.recursive == b.recursive && a.include == b.include && a.exclude == b.exclude
}
