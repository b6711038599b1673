//! The watcher's actor: one thread owning the inotify watches, the queue and
//! every source's state, driven by one `select!` over commands, raw notify
//! events and a timer armed only while something is pending.
//! One file because every event kind mutates the same per-source state in one `select!`.
//!
//! Raw events are translated here and handed to the [`DebounceQueue`]; the
//! rules for what each event means live in this file, the rules for
//! coalescing them in `queue.rs`.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender, TrySendError};
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RemoveKind, RenameMode};
use notify::{
    Config, Event, EventKind, EventKindMask, RecommendedWatcher, RecursiveMode, Watcher as _,
};

use super::filesystem::{remote_file_system, RootIdentity};
use super::mounts::MountWatcher;
use super::queue::DebounceQueue;
use super::{Change, DirFilter, WatchError, WatchHealth, WatchedSource, WatcherConfig};

/// The only events asked of the kernel, because they are the ones
/// [`Actor::handle_event`] acts on. On Linux notify turns them into each
/// watch's inotify mask: `IN_CREATE | IN_DELETE | IN_MOVED_FROM |
/// IN_MOVED_TO | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE`, plus
/// `IN_DELETE_SELF | IN_MOVE_SELF` (every watched directory is a watch of its
/// own). Left out are `IN_OPEN`, `IN_ACCESS` and `IN_CLOSE_NOWRITE`: reading
/// a file changes nothing, and asking for them made every file the indexer
/// read (tens of thousands in a rescan) wake notify's thread and take a
/// place in the kernel's event queue, whose overflow costs a full rescan.
/// The kernel adds `IN_IGNORED`, `IN_Q_OVERFLOW` and `IN_UNMOUNT` to any mask.
pub(crate) const EVENT_KINDS: EventKindMask =
    EventKindMask::CORE.union(EventKindMask::ACCESS_CLOSE);
/// How notify marks the `Remove` event it makes of inotify's `IN_UNMOUNT`.
const UNMOUNT_INFO: &str = "unmount";
/// Raw events buffered between notify's thread and the actor. Past it,
/// notify's callback drops events and flags the loss (it must never block:
/// the actor may be waiting on notify to add a watch).
const RAW_EVENTS_IN_FLIGHT: usize = 16_384;
/// Raw events handled before commands get a look in.
const EVENTS_PER_TURN: usize = 4_096;
/// How soon a gone source is first looked for, and the longest wait between
/// looks.
const FIRST_GONE_CHECK: Duration = Duration::from_millis(500);
const LONGEST_GONE_CHECK: Duration = Duration::from_secs(10);
/// While the engine is behind (the change channel full), how often to retry.
const OUTPUT_RETRY: Duration = Duration::from_millis(50);

/// What the handle asks of the actor.
pub(crate) enum Message {
    Watch(WatchedSource),
    Unwatch(i64),
    Health(Sender<Vec<WatchHealth>>),
    WatchCount(Sender<usize>),
    SetTiming {
        debounce: Duration,
        max_delay: Duration,
    },
    /// The mount table changed (from the mount thread).
    MountsChanged,
    Stop,
}

pub(crate) struct Actor {
    filter: DirFilter,
    /// `Err` holds why inotify is unavailable: nothing can be watched.
    inotify: Result<RecommendedWatcher, WatchError>,
    raw_events: Receiver<notify::Result<Event>>,
    raw_events_lost: Arc<AtomicBool>,
    commands: Receiver<Message>,
    changes: Sender<Vec<Change>>,
    queue: DebounceQueue,
    sources: HashMap<i64, SourceState>,
    /// Every watched directory and the source that owns its watch.
    dirs: BTreeMap<PathBuf, i64>,
    output_retry_at: Option<Instant>,
    _mounts: Option<MountWatcher>,
    #[cfg(test)]
    pub(crate) wakeups: Arc<std::sync::atomic::AtomicU64>,
    #[cfg(test)]
    pub(crate) raw_event_probe: Arc<super::probe::RawEventProbe>,
}

struct SourceState {
    root: PathBuf,
    recursive: bool,
    mode: Mode,
    health: Vec<WatchHealth>,
}

enum Mode {
    Watched(RootIdentity),
    /// Not watched (network file system, or no inotify): the engine polls.
    Polled,
    Gone {
        identity: Option<RootIdentity>,
        next_check: Instant,
        backoff: Duration,
    },
}

impl Actor {
    pub(crate) fn new(
        config: WatcherConfig,
        filter: DirFilter,
        commands: Receiver<Message>,
        command_sender: Sender<Message>,
        changes: Sender<Vec<Change>>,
    ) -> Actor {
        let (raw_sender, raw_events) = crossbeam_channel::bounded(RAW_EVENTS_IN_FLIGHT);
        let raw_events_lost = Arc::new(AtomicBool::new(false));
        let lost = raw_events_lost.clone();
        #[cfg(test)]
        let raw_event_probe = Arc::new(super::probe::RawEventProbe::default());
        #[cfg(test)]
        let probe = raw_event_probe.clone();
        let handler = move |event: notify::Result<Event>| {
            #[cfg(test)]
            probe.record(&event);
            if let Err(TrySendError::Full(_)) = raw_sender.try_send(event) {
                lost.store(true, Ordering::SeqCst);
            }
        };
        let inotify =
            RecommendedWatcher::new(handler, Config::default().with_event_kinds(EVENT_KINDS))
                .map_err(WatchError::from_notify_init);
        if let Err(error) = &inotify {
            tracing::warn!("file watching is unavailable, sources will be polled: {error}");
        }
        let mounts = MountWatcher::start(move || command_sender.send(Message::MountsChanged).is_ok())
            .map_err(|error| {
                tracing::warn!("cannot watch the mount table ({error}); unmounted sources will be noticed only by rescans");
            })
            .ok();
        Actor {
            filter,
            inotify,
            raw_events,
            raw_events_lost,
            commands,
            changes,
            queue: DebounceQueue::new(config.debounce, config.max_delay, config.queue_capacity),
            sources: HashMap::new(),
            dirs: BTreeMap::new(),
            output_retry_at: None,
            _mounts: mounts,
            #[cfg(test)]
            wakeups: Arc::default(),
            #[cfg(test)]
            raw_event_probe,
        }
    }

    pub(crate) fn run(mut self) {
        loop {
            let timer = match self.next_wakeup() {
                Some(at) => crossbeam_channel::at(at),
                None => crossbeam_channel::never(),
            };
            let commands = self.commands.clone();
            let raw_events = self.raw_events.clone();
            select! {
                recv(commands) -> message => match message {
                    Ok(Message::Stop) | Err(_) => return,
                    Ok(message) => self.handle_message(message),
                },
                recv(raw_events) -> event => match event {
                    Ok(event) => self.handle_event(event),
                    // inotify never started: nothing will ever come.
                    Err(_) => self.raw_events = crossbeam_channel::never(),
                },
                recv(timer) -> _ => {}
            }
            #[cfg(test)]
            self.wakeups.fetch_add(1, Ordering::SeqCst);
            for _ in 0..EVENTS_PER_TURN {
                match self.raw_events.try_recv() {
                    Ok(event) => self.handle_event(event),
                    Err(_) => break,
                }
            }
            if self.raw_events_lost.swap(false, Ordering::SeqCst) {
                self.rescan_all("the watcher fell behind and dropped file events");
            }
            let now = Instant::now();
            self.check_gone_sources(now);
            self.deliver(now);
        }
    }

    fn next_wakeup(&self) -> Option<Instant> {
        let queue = self.output_retry_at.or_else(|| self.queue.next_due());
        let gone = self
            .sources
            .values()
            .filter_map(|source| match source.mode {
                Mode::Gone { next_check, .. } => Some(next_check),
                _ => None,
            });
        queue.into_iter().chain(gone).min()
    }

    fn deliver(&mut self, now: Instant) {
        if self.changes.is_full() {
            self.output_retry_at = Some(now + OUTPUT_RETRY);
            return;
        }
        self.output_retry_at = None;
        let ready = self.queue.take_ready(now);
        if !ready.is_empty() {
            tracing::trace!(?ready, "changes ready");
            // The actor is the only sender and the channel is not full, so
            // this does not block. If the engine dropped its receiver there
            // is nobody to tell.
            let _ = self.changes.send(ready);
        }
    }

    fn handle_message(&mut self, message: Message) {
        match message {
            Message::Watch(source) => self.watch_source(source),
            Message::Unwatch(source_id) => self.unwatch_source(source_id),
            Message::Health(reply) => {
                let mut ids: Vec<i64> = self.sources.keys().copied().collect();
                ids.sort_unstable();
                let health = ids
                    .iter()
                    .flat_map(|id| self.sources[id].health.iter().cloned())
                    .collect();
                let _ = reply.send(health);
            }
            Message::WatchCount(reply) => {
                let _ = reply.send(self.dirs.len());
            }
            Message::SetTiming {
                debounce,
                max_delay,
            } => self.queue.set_timing(debounce, max_delay),
            Message::MountsChanged => self.mounts_changed(),
            Message::Stop => {}
        }
    }

    // ----- sources -------------------------------------------------------

    fn watch_source(&mut self, source: WatchedSource) {
        let source_id = source.source_id;
        let mut dirs = if source.recursive {
            source.dirs
        } else {
            Vec::new()
        };
        if !dirs.contains(&source.root) {
            dirs.insert(0, source.root.clone());
        }
        // Keep the watches still wanted (no gap in coverage), drop the rest.
        let stale: Vec<PathBuf> = self
            .dirs_of(source_id)
            .into_iter()
            .filter(|dir| !dirs.contains(dir))
            .collect();
        self.unwatch_dirs(&stale);
        self.establish(source_id, source.root, source.recursive, Some(dirs));
    }

    /// Takes a source's root as it is now: watches it, or marks it polled or
    /// gone. `dirs` are the directories to watch; `None` walks the root.
    fn establish(
        &mut self,
        source_id: i64,
        root: PathBuf,
        recursive: bool,
        dirs: Option<Vec<PathBuf>>,
    ) {
        let mut state = SourceState {
            root: root.clone(),
            recursive,
            mode: Mode::Polled,
            health: Vec::new(),
        };
        let identity = match RootIdentity::of(&root) {
            Ok(identity) => identity,
            Err(reason) => {
                self.sources.insert(source_id, state);
                self.source_gone(source_id, reason, None);
                return;
            }
        };
        if let Some(fs) = remote_file_system(&root) {
            tracing::info!(
                "source {source_id} ({}) is on {fs}: polled, not watched",
                root.display()
            );
            self.unwatch_dirs(&self.dirs_of(source_id));
            state.health.push(WatchHealth::Polled {
                source_id,
                fs: fs.to_string(),
            });
            self.sources.insert(source_id, state);
            return;
        }
        if let Err(error) = &self.inotify {
            state
                .health
                .push(WatchHealth::from_error(source_id, error, 0));
            self.sources.insert(source_id, state);
            return;
        }
        state.mode = Mode::Watched(identity);
        self.sources.insert(source_id, state);
        let dirs = match dirs {
            Some(dirs) => dirs,
            None if recursive => self.kept_tree(source_id, &root),
            None => vec![root],
        };
        self.watch_dirs(source_id, &dirs);
    }

    fn unwatch_source(&mut self, source_id: i64) {
        self.unwatch_dirs(&self.dirs_of(source_id));
        self.queue.forget_source(source_id);
        self.sources.remove(&source_id);
    }

    /// The root is gone: drop its watches and pending changes, say so, and
    /// start looking for it.
    fn source_gone(&mut self, source_id: i64, reason: String, identity: Option<RootIdentity>) {
        let Some(state) = self.sources.get_mut(&source_id) else {
            return;
        };
        tracing::warn!(
            "source {source_id} ({}) is gone: {reason}",
            state.root.display()
        );
        state.mode = Mode::Gone {
            identity,
            next_check: Instant::now() + FIRST_GONE_CHECK,
            backoff: FIRST_GONE_CHECK,
        };
        state.health = vec![WatchHealth::SourceGone {
            source_id,
            root: state.root.clone(),
            reason: reason.clone(),
        }];
        self.unwatch_dirs(&self.dirs_of(source_id));
        self.queue.forget_source(source_id);
        self.queue
            .push_now(Change::SourceGone { source_id, reason });
    }

    fn check_gone_sources(&mut self, now: Instant) {
        let mut back = Vec::new();
        for (source_id, state) in &mut self.sources {
            let Mode::Gone {
                identity,
                next_check,
                backoff,
            } = &mut state.mode
            else {
                continue;
            };
            if *next_check > now {
                continue;
            }
            let present = match identity {
                Some(identity) => identity.present_again(&state.root),
                None => RootIdentity::of(&state.root).is_ok(),
            };
            if present {
                back.push(*source_id);
            } else {
                *backoff = (*backoff * 2).min(LONGEST_GONE_CHECK);
                *next_check = now + *backoff;
            }
        }
        for source_id in back {
            let Some(state) = self.sources.get(&source_id) else {
                continue;
            };
            let (root, recursive) = (state.root.clone(), state.recursive);
            tracing::info!("source {source_id} ({}) is back", root.display());
            self.establish(source_id, root, recursive, None);
            if !matches!(self.sources[&source_id].mode, Mode::Gone { .. }) {
                self.queue.push_now(Change::SourceBack { source_id });
            }
        }
    }

    /// Something was mounted or unmounted: look at every watched root, and
    /// look for the gone ones now rather than at their next check.
    fn mounts_changed(&mut self) {
        let now = Instant::now();
        let mut gone = Vec::new();
        let mut replaced = Vec::new();
        for (source_id, state) in &mut self.sources {
            match &mut state.mode {
                Mode::Watched(identity) => match RootIdentity::of(&state.root) {
                    Err(reason) => gone.push((*source_id, reason, *identity)),
                    Ok(current) if identity.is_mount_point && !current.is_mount_point => {
                        gone.push((
                            *source_id,
                            "its file system was unmounted".to_string(),
                            *identity,
                        ))
                    }
                    Ok(current) if current.device != identity.device => replaced.push(*source_id),
                    Ok(_) => {}
                },
                Mode::Gone { next_check, .. } => *next_check = now,
                // Statting a network root can hang; its rescans will notice.
                Mode::Polled => {}
            }
        }
        for (source_id, reason, identity) in gone {
            self.source_gone(source_id, reason, Some(identity));
        }
        for source_id in replaced {
            let state = &self.sources[&source_id];
            let (root, recursive) = (state.root.clone(), state.recursive);
            self.unwatch_dirs(&self.dirs_of(source_id));
            self.establish(source_id, root, recursive, None);
            self.queue.rescan(
                source_id,
                "another file system was mounted over the source",
                now,
            );
        }
    }

    /// Events were lost: every watched source needs a rescan, and its
    /// watches may have missed new or removed directories.
    fn rescan_all(&mut self, reason: &str) {
        tracing::warn!("{reason}; rescanning every watched source");
        let now = Instant::now();
        let watched: Vec<i64> = self
            .sources
            .iter()
            .filter(|(_, state)| matches!(state.mode, Mode::Watched(_)))
            .map(|(id, _)| *id)
            .collect();
        for source_id in watched {
            self.queue.rescan(source_id, reason, now);
            let state = &self.sources[&source_id];
            let root = state.root.clone();
            let wanted = if state.recursive {
                self.kept_tree(source_id, &root)
            } else {
                vec![root]
            };
            let stale: Vec<PathBuf> = self
                .dirs_of(source_id)
                .into_iter()
                .filter(|dir| !wanted.contains(dir))
                .collect();
            self.unwatch_dirs(&stale);
            self.watch_dirs(source_id, &wanted);
        }
    }

    // ----- events --------------------------------------------------------

    fn handle_event(&mut self, event: notify::Result<Event>) {
        let event = match event {
            Ok(event) => event,
            Err(error) => return self.handle_notify_error(error),
        };
        if event.need_rescan() {
            return self.rescan_all("the kernel's inotify queue overflowed and lost events");
        }
        let Some(path) = event.paths.first() else {
            return;
        };
        let now = Instant::now();
        // The kernel's IN_UNMOUNT, sent to every watch on a file system that
        // went away, whatever the mask.
        let unmounted = event.kind == EventKind::Remove(RemoveKind::Other)
            && event.info() == Some(UNMOUNT_INFO);
        let root_moved_or_removed = matches!(
            event.kind,
            EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(RenameMode::From))
        );
        if root_moved_or_removed {
            if let Some((source_id, identity)) = self.watched_root(path) {
                let reason = match event.kind {
                    _ if unmounted => "its file system was unmounted",
                    EventKind::Remove(_) => "the source directory was deleted",
                    _ => "the source directory was moved or renamed",
                };
                return self.source_gone(source_id, reason.to_string(), Some(identity));
            }
        }
        let Some(source_id) = self.source_of(path) else {
            // A late event from a directory no longer watched.
            return;
        };
        if unmounted {
            // A file system mounted inside the source went away, and notify
            // dropped its watches: what is there now (the directory it was
            // mounted on) is new to the engine and must be watched.
            self.forget_dirs_under(path);
            return self.directory_appeared(source_id, path, now);
        }
        match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                self.queue.closed_after_write(source_id, path, now)
            }
            EventKind::Access(_) => {}
            EventKind::Create(CreateKind::Folder) => self.directory_appeared(source_id, path, now),
            EventKind::Create(_) => self.queue.created(source_id, path, now),
            // Without a cookie it is IN_MOVE_SELF of a watched subdirectory:
            // its parent's IN_MOVED_FROM carries the rename.
            EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
                if let Some(cookie) = event.tracker() {
                    // notify drops the watches of a directory moved away.
                    self.forget_dirs_under(path);
                    self.queue.moved_from(source_id, path, cookie, now);
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
                if is_directory(path) {
                    if !self.keeps_dir(source_id, path) {
                        // Renamed to an ignored name: its From half, left
                        // unpaired, becomes a removal.
                        return;
                    }
                    self.watch_tree(source_id, path);
                }
                match event.tracker() {
                    Some(cookie) => self.queue.moved_to(source_id, path, cookie, now),
                    None => self.queue.changed(source_id, path, now),
                }
            }
            // notify's own pairing of From and To: the queue pairs by cookie.
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {}
            EventKind::Modify(ModifyKind::Name(_)) => self.queue.changed(source_id, path, now),
            EventKind::Modify(kind) => {
                // A directory's own metadata does not matter to the index;
                // its content changes arrive through its own watch.
                let is_dir = self.dirs.contains_key(path)
                    || (matches!(kind, ModifyKind::Metadata(_)) && is_directory(path));
                if !is_dir {
                    self.queue.changed(source_id, path, now);
                }
            }
            EventKind::Remove(kind) => {
                if self.dirs.contains_key(path) {
                    // notify drops the watches of a removed directory.
                    self.forget_dirs_under(path);
                } else if matches!(kind, RemoveKind::Folder) && !self.keeps_dir(source_id, path) {
                    return;
                }
                self.queue.removed(source_id, path, now);
            }
            EventKind::Any | EventKind::Other => {}
        }
    }

    fn handle_notify_error(&mut self, error: notify::Error) {
        match error.kind {
            notify::ErrorKind::Io(io) => {
                self.rescan_all(&format!("reading inotify events failed ({io})"))
            }
            _ => tracing::warn!("file watcher error: {error}"),
        }
    }

    /// A directory was created: watch it (and whatever already appeared
    /// inside it) if the source keeps it, and have the engine scan it.
    fn directory_appeared(&mut self, source_id: i64, dir: &Path, now: Instant) {
        if !self.keeps_dir(source_id, dir) {
            return;
        }
        self.watch_tree(source_id, dir);
        // Due at once: the files made before the watch existed are found
        // by scanning it, later ones report themselves (the benchmark saw
        // a file in a new folder take the whole debounce, 0.5 s). And not
        // `created`: the engine may know its contents already (files
        // closed after writing are delivered on their own), so a rename of
        // it must stay a rename, not the mere change of a temp file's
        // target.
        self.queue.directory_watched(source_id, dir, now);
    }

    // ----- watches -------------------------------------------------------

    /// Watches `dir` and every directory under it the source keeps. Each
    /// directory is watched before it is listed: a subdirectory created in
    /// between is then either listed or reported by the new watch, never
    /// missed by both (listing first left such a folder unwatched; a flaky
    /// test under load found it).
    fn watch_tree(&mut self, source_id: i64, dir: &Path) {
        let mut pending = vec![dir.to_path_buf()];
        while let Some(next) = pending.pop() {
            if self.watch_dirs(source_id, std::slice::from_ref(&next)) {
                // The watch limit: record every folder left unwatched.
                let mut rest: Vec<PathBuf> = Vec::new();
                for dir in std::iter::once(next).chain(pending) {
                    rest.extend(self.kept_tree(source_id, &dir));
                }
                self.watch_dirs(source_id, &rest);
                return;
            }
            let Ok(entries) = std::fs::read_dir(&next) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if entry.file_type().is_ok_and(|t| t.is_dir()) && (self.filter)(source_id, &path) {
                    pending.push(path);
                }
            }
        }
    }

    /// `dir` and every directory under it the source keeps, without
    /// following symlinks.
    fn kept_tree(&self, source_id: i64, dir: &Path) -> Vec<PathBuf> {
        let mut kept = vec![dir.to_path_buf()];
        let mut next = 0;
        while next < kept.len() {
            let Ok(entries) = std::fs::read_dir(&kept[next]) else {
                next += 1;
                continue;
            };
            next += 1;
            for entry in entries.flatten() {
                let path = entry.path();
                if entry.file_type().is_ok_and(|t| t.is_dir()) && (self.filter)(source_id, &path) {
                    kept.push(path);
                }
            }
        }
        kept
    }

    /// Watches `dirs`; true when the kernel's watch limit stopped it.
    fn watch_dirs(&mut self, source_id: i64, dirs: &[PathBuf]) -> bool {
        let Ok(inotify) = &mut self.inotify else {
            return false;
        };
        let mut failures = Vec::new();
        for (i, dir) in dirs.iter().enumerate() {
            // A directory of a nested source stays with the source that
            // watched it first.
            if self.dirs.contains_key(dir) {
                continue;
            }
            let Err(error) = inotify.watch(dir, RecursiveMode::NonRecursive) else {
                self.dirs.insert(dir.clone(), source_id);
                continue;
            };
            let n_left = dirs.len() - i;
            match WatchError::from_notify(error, dir, self.dirs.len() + n_left) {
                WatchError::NotFound { .. } => {}
                error @ WatchError::WatchLimitReached { .. } => {
                    // Every further watch would fail the same way.
                    failures.push((error, n_left));
                    break;
                }
                error => failures.push((error, 1)),
            }
        }
        let limited = failures
            .iter()
            .any(|(error, _)| matches!(error, WatchError::WatchLimitReached { .. }));
        for (error, n_dirs) in failures {
            tracing::warn!("source {source_id}: {error}");
            self.record_health(WatchHealth::from_error(source_id, &error, n_dirs));
        }
        limited
    }

    fn unwatch_dirs(&mut self, dirs: &[PathBuf]) {
        for dir in dirs {
            if self.dirs.remove(dir).is_some() {
                if let Ok(inotify) = &mut self.inotify {
                    // Fails only if the kernel already dropped the watch.
                    let _ = inotify.unwatch(dir);
                }
            }
        }
    }

    /// Mirrors notify dropping the watches of `dir` and everything under it.
    fn forget_dirs_under(&mut self, dir: &Path) {
        let under: Vec<PathBuf> = self
            .dirs
            .range::<Path, _>((Bound::Included(dir), Bound::Unbounded))
            .map(|(path, _)| path)
            .take_while(|path| path.starts_with(dir))
            .cloned()
            .collect();
        for path in under {
            self.dirs.remove(&path);
        }
    }

    fn record_health(&mut self, item: WatchHealth) {
        let Some(state) = item.source_id().and_then(|id| self.sources.get_mut(&id)) else {
            return;
        };
        for existing in &mut state.health {
            match (existing, &item) {
                (
                    WatchHealth::WatchLimitReached {
                        n_dirs_unwatched, ..
                    },
                    WatchHealth::WatchLimitReached {
                        n_dirs_unwatched: more,
                        ..
                    },
                ) => {
                    *n_dirs_unwatched += more;
                    return;
                }
                (
                    WatchHealth::WatchFailed { n_dirs, .. },
                    WatchHealth::WatchFailed { n_dirs: more, .. },
                ) => {
                    *n_dirs += more;
                    return;
                }
                _ => {}
            }
        }
        state.health.push(item);
    }

    // ----- lookups -------------------------------------------------------

    fn dirs_of(&self, source_id: i64) -> Vec<PathBuf> {
        self.dirs
            .iter()
            .filter(|(_, owner)| **owner == source_id)
            .map(|(dir, _)| dir.clone())
            .collect()
    }

    /// The source whose watch reported `path`: the one watching its parent
    /// directory, or `path` itself (events about a watched directory).
    fn source_of(&self, path: &Path) -> Option<i64> {
        path.parent()
            .and_then(|parent| self.dirs.get(parent))
            .or_else(|| self.dirs.get(path))
            .copied()
    }

    fn watched_root(&self, path: &Path) -> Option<(i64, RootIdentity)> {
        self.sources
            .iter()
            .find_map(|(source_id, state)| match state.mode {
                Mode::Watched(identity) if state.root == path => Some((*source_id, identity)),
                _ => None,
            })
    }

    fn keeps_dir(&self, source_id: i64, dir: &Path) -> bool {
        self.sources
            .get(&source_id)
            .is_some_and(|state| state.recursive)
            && (self.filter)(source_id, dir)
    }
}

fn is_directory(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.is_dir())
}
