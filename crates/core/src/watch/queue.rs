//! The debounce queue: raw file events in, [`Change`]s out when they are due.
//! One file because dedupe, debounce and rename pairing work on one queue; most of its length is tests.
//!
//! Pure logic with the time passed in, so its tests are deterministic and
//! instant. Invariants:
//!
//! - One entry per path. Later events fold into it; nothing about a path is
//!   delivered twice from one window.
//! - An entry is due `debounce` after its last event, but never later than
//!   `max_delay` after its first. A file closed after writing is settled and
//!   due at once; so is a completed rename (a rename is not a write: nothing
//!   more is coming).
//! - Renames are paired by inotify cookie: `moved_from` parks the old path as
//!   `MovedAway` for one debounce; a `moved_to` with the same cookie turns it
//!   into one rename. Unpaired, it is delivered as a removal (moved out of the
//!   watched tree); an unpaired `moved_to` is a change (moved in). A chain
//!   a → b → c is one rename a → c plus a removal of b, since the first
//!   rename may have replaced a file at b.
//! - A path created and then removed or renamed away inside one window was
//!   never seen by the engine, so it is forgotten. That is what makes an
//!   editor's atomic save (write a temp file, rename it over the original)
//!   come out as one change of the original.
//! - When in doubt, say `Changed`: the engine stats the path, and a missing
//!   path is a removal, so a `Changed` is never wrong, only sometimes wasted.
//! - Bounded: past `capacity` entries the busiest source's entries are dropped
//!   and replaced by one pending rescan of that source, which then absorbs
//!   that source's further events until it is delivered.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Change;

/// Pending changes, keyed by path.
#[derive(Debug)]
pub(crate) struct DebounceQueue {
    debounce: Duration,
    max_delay: Duration,
    capacity: usize,
    /// Ordered by path so a directory's subtree is one contiguous range
    /// (`Path`'s ordering compares components).
    entries: BTreeMap<PathBuf, Entry>,
    /// Due time and a sequence number (the tie-breaker keeps arrival order)
    /// of every entry.
    by_due: BTreeMap<(Instant, u64), PathBuf>,
    next_seq: u64,
    n_entries_per_source: HashMap<i64, usize>,
    /// Cookie of each `MovedAway` entry → its path.
    moved_away: HashMap<usize, PathBuf>,
    rescans: HashMap<i64, PendingRescan>,
    /// Source-level changes delivered at the next `take_ready`, in order.
    immediate: Vec<Change>,
}

#[derive(Debug)]
struct Entry {
    source_id: i64,
    state: State,
    first_event: Instant,
    last_event: Instant,
    /// Set when nothing more is expected (closed after writing, renamed):
    /// the entry is due at this time.
    settled_at: Option<Instant>,
    due_key: (Instant, u64),
}

impl Entry {
    fn new(source_id: i64, state: State, now: Instant) -> Entry {
        Entry {
            source_id,
            state,
            first_event: now,
            last_event: now,
            settled_at: None,
            due_key: (now, 0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Created or modified. `is_new`: the first event of this window was
    /// the path's creation, so the engine has never seen it.
    Changed {
        is_new: bool,
    },
    Removed,
    /// Renamed from `from`; the entry is keyed by the new path.
    Renamed {
        from: PathBuf,
    },
    /// Moved away, waiting for the `moved_to` with the same cookie.
    /// `before` is what the queue held for the path before it moved.
    MovedAway {
        cookie: usize,
        before: Option<Box<State>>,
    },
}

#[derive(Debug)]
struct PendingRescan {
    reason: String,
    first_event: Instant,
    last_event: Instant,
}

impl DebounceQueue {
    /// An empty queue.
    pub(crate) fn new(debounce: Duration, max_delay: Duration, capacity: usize) -> Self {
        DebounceQueue {
            debounce,
            max_delay,
            capacity: capacity.max(1),
            entries: BTreeMap::new(),
            by_due: BTreeMap::new(),
            next_seq: 0,
            n_entries_per_source: HashMap::new(),
            moved_away: HashMap::new(),
            rescans: HashMap::new(),
            immediate: Vec::new(),
        }
    }

    /// Changes the timing; pending entries are rescheduled.
    pub(crate) fn set_timing(&mut self, debounce: Duration, max_delay: Duration) {
        self.debounce = debounce;
        self.max_delay = max_delay;
        let paths: Vec<PathBuf> = self.entries.keys().cloned().collect();
        for path in paths {
            if let Some(entry) = self.take_entry(&path) {
                self.put_entry(path, entry);
            }
        }
    }

    /// Number of pending paths.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// A path was modified (data or metadata).
    pub(crate) fn changed(&mut self, source_id: i64, path: &Path, now: Instant) {
        self.record_change(source_id, path, now, false, false);
    }

    /// A path was created.
    pub(crate) fn created(&mut self, source_id: i64, path: &Path, now: Instant) {
        self.record_change(source_id, path, now, true, false);
    }

    /// A file was closed after writing: its writer is done.
    pub(crate) fn closed_after_write(&mut self, source_id: i64, path: &Path, now: Instant) {
        self.record_change(source_id, path, now, false, true);
    }

    /// A directory appeared and is watched now: what is inside it already
    /// is due at once (what comes later arrives through its own watch, so
    /// waiting out the debounce would only delay it).
    pub(crate) fn directory_watched(&mut self, source_id: i64, path: &Path, now: Instant) {
        self.record_change(source_id, path, now, false, true);
    }

    fn record_change(
        &mut self,
        source_id: i64,
        path: &Path,
        now: Instant,
        created: bool,
        settled: bool,
    ) {
        if !self.admit(source_id, path, now) {
            return;
        }
        let old = self.take_entry(path);
        let (state, first_event, settled_at) = match old {
            None => (State::Changed { is_new: created }, now, None),
            Some(old) => {
                let state = match old.state {
                    State::Changed { is_new } => State::Changed { is_new },
                    // A rename is delivered at once; what follows it is
                    // covered by the engine statting `to`.
                    State::Renamed { from } => {
                        let entry = Entry {
                            state: State::Renamed { from },
                            last_event: now,
                            ..old
                        };
                        self.put_entry(path.to_path_buf(), entry);
                        return;
                    }
                    // Removed (or moved away) and back again: the path the
                    // engine knew has new content.
                    State::Removed | State::MovedAway { .. } => State::Changed { is_new: false },
                };
                (state, old.first_event, None)
            }
        };
        let entry = Entry {
            source_id,
            state,
            first_event,
            last_event: now,
            settled_at: if settled { Some(now) } else { settled_at },
            due_key: (now, 0),
        };
        self.put_entry(path.to_path_buf(), entry);
    }

    /// A path was removed. For a directory, its pending subtree goes too.
    pub(crate) fn removed(&mut self, source_id: i64, path: &Path, now: Instant) {
        if !self.admit(source_id, path, now) {
            return;
        }
        self.sweep_subtree(source_id, path, now);
        let old = self.take_entry(path);
        let first_event = old.as_ref().map_or(now, |old| old.first_event);
        match old.map(|old| old.state) {
            // Created and removed within one window. Still reported: for a
            // directory, files inside it may have been delivered already
            // (a close-write is delivered at once), and the engine must drop
            // them; for a path it never indexed the removal costs nothing.
            Some(State::Changed { is_new: true }) => {}
            Some(State::Renamed { from }) => self.removed_elsewhere(source_id, &from, now),
            Some(state @ State::MovedAway { .. }) => {
                // A second removal of a path that already moved away.
                self.put_entry(path.to_path_buf(), Entry::new(source_id, state, now));
                return;
            }
            Some(State::Changed { is_new: false } | State::Removed) | None => {}
        }
        let entry = Entry {
            first_event,
            ..Entry::new(source_id, State::Removed, now)
        };
        self.put_entry(path.to_path_buf(), entry);
    }

    /// The first half of a rename: `path` moved away (cookie `cookie`).
    pub(crate) fn moved_from(&mut self, source_id: i64, path: &Path, cookie: usize, now: Instant) {
        if !self.admit(source_id, path, now) {
            return;
        }
        self.sweep_subtree(source_id, path, now);
        let before = match self.take_entry(path).map(|old| old.state) {
            None | Some(State::Removed) | Some(State::MovedAway { .. }) => None,
            Some(state) => Some(Box::new(state)),
        };
        let state = State::MovedAway { cookie, before };
        self.put_entry(path.to_path_buf(), Entry::new(source_id, state, now));
    }

    /// The second half of a rename: something moved to `path` (cookie
    /// `cookie`). Without a matching [`moved_from`](Self::moved_from) of the
    /// same source, it moved in from outside.
    pub(crate) fn moved_to(&mut self, source_id: i64, path: &Path, cookie: usize, now: Instant) {
        let from = self.moved_away.get(&cookie).cloned().filter(|from| {
            self.entries
                .get(from)
                .is_some_and(|entry| entry.source_id == source_id)
        });
        if !self.admit(source_id, path, now) {
            return;
        }
        // The middle name of a rename chain (a -> b -> c).
        let mut passed_through = None;
        let state = match from {
            Some(from) => {
                let before = match self.take_entry(&from).map(|entry| entry.state) {
                    Some(State::MovedAway { before, .. }) => before.map(|state| *state),
                    _ => None,
                };
                match before {
                    // A temporary file renamed into place: just a change.
                    Some(State::Changed { is_new: true }) => State::Changed { is_new: false },
                    Some(State::Renamed { from: origin }) => {
                        passed_through = Some(from);
                        State::Renamed { from: origin }
                    }
                    _ => State::Renamed { from },
                }
            }
            None => State::Changed { is_new: false },
        };
        // Renamed back to where it started: only a change, if anything.
        let state = match state {
            State::Renamed { from } if from == path => State::Changed { is_new: false },
            state => state,
        };
        self.sweep_subtree(source_id, path, now);
        if let Some(State::Renamed { from: overwritten }) = self.take_entry(path).map(|e| e.state) {
            // `overwritten` had been renamed here and is now replaced.
            self.removed_elsewhere(source_id, &overwritten, now);
        }
        let entry = Entry {
            settled_at: Some(now),
            ..Entry::new(source_id, state, now)
        };
        self.put_entry(path.to_path_buf(), entry);
        if let Some(middle) = passed_through {
            // The first rename may have replaced a file the engine indexed
            // at the middle name; a -> c alone never makes the engine look
            // there again, so that file's document would stay active.
            self.removed_elsewhere(source_id, &middle, now);
        }
    }

    /// Events of a source were lost: drop its entries and ask for a rescan.
    pub(crate) fn rescan(&mut self, source_id: i64, reason: &str, now: Instant) {
        self.drop_source_entries(source_id);
        self.rescans
            .entry(source_id)
            .and_modify(|rescan| rescan.last_event = now)
            .or_insert_with(|| PendingRescan {
                reason: reason.to_string(),
                first_event: now,
                last_event: now,
            });
    }

    /// Queues a change to deliver at the next [`take_ready`](Self::take_ready).
    pub(crate) fn push_now(&mut self, change: Change) {
        self.immediate.push(change);
    }

    /// Drops everything pending for a source (it is unwatched or gone).
    pub(crate) fn forget_source(&mut self, source_id: i64) {
        self.drop_source_entries(source_id);
        self.rescans.remove(&source_id);
        self.immediate
            .retain(|change| change.source_id() != source_id);
    }

    /// When the next entry is due, if any.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        let entries = self.by_due.keys().next().map(|(due, _)| *due);
        let rescans = self.rescans.values().map(|rescan| self.rescan_due(rescan));
        let immediate = (!self.immediate.is_empty()).then(|| {
            // Already due: any instant in the past will do.
            entries.unwrap_or_else(Instant::now)
        });
        entries.into_iter().chain(rescans).chain(immediate).min()
    }

    /// Removes and returns every change due at `now`, in the order to apply
    /// them.
    pub(crate) fn take_ready(&mut self, now: Instant) -> Vec<Change> {
        let mut ready = std::mem::take(&mut self.immediate);
        let mut due_rescans: Vec<i64> = self
            .rescans
            .iter()
            .filter(|(_, rescan)| self.rescan_due(rescan) <= now)
            .map(|(source_id, _)| *source_id)
            .collect();
        due_rescans.sort_unstable();
        for source_id in due_rescans {
            if let Some(rescan) = self.rescans.remove(&source_id) {
                ready.push(Change::Rescan {
                    source_id,
                    reason: rescan.reason,
                });
            }
        }
        while let Some((&key, _)) = self.by_due.first_key_value() {
            if key.0 > now {
                break;
            }
            let path = self.by_due[&key].clone();
            let Some(entry) = self.take_entry(&path) else {
                continue;
            };
            let source_id = entry.source_id;
            match entry.state {
                State::Changed { .. } => ready.push(Change::Changed { source_id, path }),
                State::Removed => ready.push(Change::Removed { source_id, path }),
                State::Renamed { from } => ready.push(Change::Renamed {
                    source_id,
                    from,
                    to: path,
                }),
                State::MovedAway { before, .. } => match before.map(|state| *state) {
                    // New and moved away at once: reported as removed, since
                    // files inside a new directory may already be indexed.
                    Some(State::Changed { is_new: true }) => {
                        ready.push(Change::Removed { source_id, path })
                    }
                    Some(State::Renamed { from }) => {
                        ready.push(Change::Removed {
                            source_id,
                            path: from,
                        });
                        ready.push(Change::Removed { source_id, path });
                    }
                    _ => ready.push(Change::Removed { source_id, path }),
                },
            }
        }
        ready
    }

    fn due(&self, entry: &Entry) -> Instant {
        if let Some(settled_at) = entry.settled_at {
            return settled_at;
        }
        let debounced = entry.last_event + self.debounce;
        match entry.state {
            // The pairing window is not extended by later events.
            State::MovedAway { .. } => entry.first_event + self.debounce,
            _ => debounced.min(entry.first_event + self.max_delay),
        }
    }

    fn rescan_due(&self, rescan: &PendingRescan) -> Instant {
        (rescan.last_event + self.debounce).min(rescan.first_event + self.max_delay)
    }

    /// Whether an event of `source_id` about `path` may add to the queue.
    /// A pending rescan of the source absorbs it; a full queue overflows
    /// into a rescan of its busiest source.
    fn admit(&mut self, source_id: i64, path: &Path, now: Instant) -> bool {
        if let Some(rescan) = self.rescans.get_mut(&source_id) {
            rescan.last_event = now;
            return false;
        }
        if self.entries.contains_key(path) || self.entries.len() < self.capacity {
            return true;
        }
        let busiest = self
            .n_entries_per_source
            .iter()
            .max_by_key(|(id, n)| (**n, **id == source_id))
            .map_or(source_id, |(id, _)| *id);
        let reason = format!(
            "more than {} changes were pending at once; the change queue dropped them",
            self.capacity
        );
        self.rescan(busiest, &reason, now);
        busiest != source_id
    }

    /// Forgets the pending entries strictly under `dir`: a removal or rename
    /// of `dir` covers them (the engine removes or rescans the subtree). An
    /// entry renamed in from outside `dir` leaves its origin to remove.
    fn sweep_subtree(&mut self, source_id: i64, dir: &Path, now: Instant) {
        let under: Vec<PathBuf> = self
            .entries
            .range::<Path, _>((Bound::Excluded(dir), Bound::Unbounded))
            .map(|(path, _)| path)
            .take_while(|path| path.starts_with(dir))
            .cloned()
            .collect();
        for path in under {
            let origin = match self.take_entry(&path).map(|entry| entry.state) {
                Some(State::Renamed { from }) => Some(from),
                Some(State::MovedAway { before, .. }) => match before.map(|state| *state) {
                    Some(State::Renamed { from }) => Some(from),
                    _ => None,
                },
                _ => None,
            };
            if let Some(origin) = origin.filter(|origin| !origin.starts_with(dir)) {
                self.removed_elsewhere(source_id, &origin, now);
            }
        }
    }

    /// Records that `path` is gone as a side effect of another event, unless
    /// something newer is already pending for it.
    fn removed_elsewhere(&mut self, source_id: i64, path: &Path, now: Instant) {
        if self.entries.contains_key(path) || !self.admit(source_id, path, now) {
            return;
        }
        self.put_entry(
            path.to_path_buf(),
            Entry::new(source_id, State::Removed, now),
        );
    }

    fn drop_source_entries(&mut self, source_id: i64) {
        let paths: Vec<PathBuf> = self
            .entries
            .iter()
            .filter(|(_, entry)| entry.source_id == source_id)
            .map(|(path, _)| path.clone())
            .collect();
        for path in paths {
            self.take_entry(&path);
        }
    }

    fn take_entry(&mut self, path: &Path) -> Option<Entry> {
        let entry = self.entries.remove(path)?;
        self.by_due.remove(&entry.due_key);
        if let Some(n) = self.n_entries_per_source.get_mut(&entry.source_id) {
            *n -= 1;
            if *n == 0 {
                self.n_entries_per_source.remove(&entry.source_id);
            }
        }
        if let State::MovedAway { cookie, .. } = entry.state {
            if self.moved_away.get(&cookie).is_some_and(|p| p == path) {
                self.moved_away.remove(&cookie);
            }
        }
        Some(entry)
    }

    fn put_entry(&mut self, path: PathBuf, mut entry: Entry) {
        debug_assert!(!self.entries.contains_key(&path));
        entry.due_key = (self.due(&entry), self.next_seq);
        self.next_seq += 1;
        self.by_due.insert(entry.due_key, path.clone());
        *self
            .n_entries_per_source
            .entry(entry.source_id)
            .or_insert(0) += 1;
        if let State::MovedAway { cookie, .. } = entry.state {
            self.moved_away.insert(cookie, path.clone());
        }
        self.entries.insert(path, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBOUNCE: Duration = Duration::from_millis(500);
    const MAX_DELAY: Duration = Duration::from_millis(2_000);

    fn queue() -> (DebounceQueue, Instant) {
        (
            DebounceQueue::new(DEBOUNCE, MAX_DELAY, 10_000),
            Instant::now(),
        )
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn p(path: &str) -> PathBuf {
        PathBuf::from(path)
    }

    fn changed(path: &str) -> Change {
        Change::Changed {
            source_id: 1,
            path: p(path),
        }
    }

    fn removed(path: &str) -> Change {
        Change::Removed {
            source_id: 1,
            path: p(path),
        }
    }

    fn renamed(from: &str, to: &str) -> Change {
        Change::Renamed {
            source_id: 1,
            from: p(from),
            to: p(to),
        }
    }

    #[test]
    fn a_change_waits_for_the_debounce_after_its_last_event() {
        let (mut q, t0) = queue();
        q.changed(1, &p("/s/a"), t0);
        q.changed(1, &p("/s/a"), t0 + ms(300));
        assert_eq!(q.next_due(), Some(t0 + ms(800)));
        assert!(q.take_ready(t0 + ms(799)).is_empty());
        assert_eq!(q.take_ready(t0 + ms(800)), vec![changed("/s/a")]);
        assert_eq!(q.len(), 0);
        assert_eq!(q.next_due(), None);
    }

    #[test]
    fn a_path_that_keeps_changing_is_delivered_at_the_max_delay() {
        let (mut q, t0) = queue();
        for i in 0..50 {
            q.changed(1, &p("/s/log"), t0 + ms(100 * i));
            let now = t0 + ms(100 * i);
            if now < t0 + MAX_DELAY {
                assert!(q.take_ready(now).is_empty(), "delivered early at {i}");
            } else {
                assert_eq!(q.take_ready(now), vec![changed("/s/log")]);
                return;
            }
        }
        panic!("never delivered");
    }

    #[test]
    fn a_file_closed_after_writing_is_ready_at_once() {
        let (mut q, t0) = queue();
        q.created(1, &p("/s/new"), t0);
        q.changed(1, &p("/s/new"), t0 + ms(1));
        q.closed_after_write(1, &p("/s/new"), t0 + ms(2));
        assert_eq!(q.next_due(), Some(t0 + ms(2)));
        assert_eq!(q.take_ready(t0 + ms(2)), vec![changed("/s/new")]);
    }

    #[test]
    fn writing_again_after_closing_unsettles_the_file() {
        let (mut q, t0) = queue();
        q.closed_after_write(1, &p("/s/a"), t0);
        q.changed(1, &p("/s/a"), t0 + ms(1));
        assert!(q.take_ready(t0 + ms(2)).is_empty());
        assert_eq!(q.take_ready(t0 + ms(501)), vec![changed("/s/a")]);
    }

    #[test]
    fn events_for_one_path_are_deduplicated() {
        let (mut q, t0) = queue();
        for i in 0..100 {
            q.changed(1, &p("/s/a"), t0 + ms(i));
            q.changed(1, &p("/s/b"), t0 + ms(i));
        }
        assert_eq!(q.len(), 2);
        assert_eq!(
            q.take_ready(t0 + ms(1_000)),
            vec![changed("/s/a"), changed("/s/b")]
        );
    }

    #[test]
    fn overflow_drops_the_busiest_source_for_one_rescan() {
        let mut q = DebounceQueue::new(DEBOUNCE, MAX_DELAY, 3);
        let t0 = Instant::now();
        q.changed(2, &p("/t/x"), t0);
        q.changed(1, &p("/s/a"), t0);
        q.changed(1, &p("/s/b"), t0);
        // Full: source 1 holds the most entries and loses them.
        q.changed(1, &p("/s/c"), t0 + ms(10));
        assert_eq!(q.len(), 1);
        // The pending rescan absorbs source 1's later events and is debounced
        // like any entry.
        q.changed(1, &p("/s/d"), t0 + ms(100));
        assert_eq!(q.len(), 1);
        assert_eq!(
            q.take_ready(t0 + ms(500)),
            vec![Change::Changed {
                source_id: 2,
                path: p("/t/x")
            }]
        );
        let ready = q.take_ready(t0 + ms(600));
        assert!(
            matches!(&ready[..], [Change::Rescan { source_id: 1, reason }] if reason.contains("more than 3")),
            "{ready:?}"
        );
        // Afterwards source 1 queues normally again.
        q.changed(1, &p("/s/e"), t0 + ms(700));
        assert_eq!(q.take_ready(t0 + ms(1_200)), vec![changed("/s/e")]);
    }

    #[test]
    fn a_rename_is_one_pair_delivered_at_once() {
        let (mut q, t0) = queue();
        q.moved_from(1, &p("/s/a"), 7, t0);
        assert!(q.take_ready(t0).is_empty(), "the From half alone waits");
        q.moved_to(1, &p("/s/b"), 7, t0 + ms(1));
        assert_eq!(q.take_ready(t0 + ms(1)), vec![renamed("/s/a", "/s/b")]);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn a_modified_file_renamed_keeps_its_origin() {
        let (mut q, t0) = queue();
        q.changed(1, &p("/s/a"), t0);
        q.moved_from(1, &p("/s/a"), 7, t0 + ms(1));
        q.moved_to(1, &p("/s/b"), 7, t0 + ms(1));
        q.moved_from(1, &p("/s/b"), 8, t0 + ms(2));
        q.moved_to(1, &p("/s/c"), 8, t0 + ms(2));
        assert_eq!(q.take_ready(t0 + ms(2)), vec![renamed("/s/a", "/s/c")]);
        // The name passed through is checked too (see the next test).
        assert_eq!(q.take_ready(t0 + ms(502)), vec![removed("/s/b")]);
    }

    #[test]
    fn a_rename_chain_through_an_existing_file_removes_the_file_it_replaced() {
        // Regression (convergence test, seed 104372539539678): `a` renamed
        // over the indexed file `b`, then `b` moved on to `c` before the
        // first rename was delivered (the engine was busy, the change
        // channel full). Coalesced to a -> c alone, the engine never looked
        // at `b` again and kept the replaced file's document active.
        let (mut q, t0) = queue();
        q.moved_from(1, &p("/s/a"), 7, t0);
        q.moved_to(1, &p("/s/b"), 7, t0);
        q.moved_from(1, &p("/s/b"), 8, t0 + ms(139));
        q.moved_to(1, &p("/s/d/c"), 8, t0 + ms(139));
        let mut ready = q.take_ready(t0 + ms(139));
        ready.extend(q.take_ready(t0 + ms(10_000)));
        assert_eq!(ready, vec![renamed("/s/a", "/s/d/c"), removed("/s/b")]);
    }

    #[test]
    fn a_rename_chain_back_to_its_start_still_removes_the_file_it_replaced() {
        let (mut q, t0) = queue();
        q.moved_from(1, &p("/s/a"), 7, t0);
        q.moved_to(1, &p("/s/b"), 7, t0);
        q.moved_from(1, &p("/s/b"), 8, t0 + ms(1));
        q.moved_to(1, &p("/s/a"), 8, t0 + ms(1));
        let mut ready = q.take_ready(t0 + ms(1));
        ready.extend(q.take_ready(t0 + ms(10_000)));
        assert_eq!(ready, vec![changed("/s/a"), removed("/s/b")]);
    }

    #[test]
    fn unpaired_halves_are_a_removal_and_a_change() {
        let (mut q, t0) = queue();
        q.moved_from(1, &p("/s/out"), 7, t0);
        q.moved_to(1, &p("/s/in"), 9, t0);
        assert_eq!(q.take_ready(t0), vec![changed("/s/in")]);
        assert_eq!(q.take_ready(t0 + DEBOUNCE), vec![removed("/s/out")]);
    }

    #[test]
    fn a_rename_across_sources_is_a_removal_and_a_change() {
        let (mut q, t0) = queue();
        q.moved_from(1, &p("/s/a"), 7, t0);
        q.moved_to(2, &p("/t/a"), 7, t0);
        assert_eq!(
            q.take_ready(t0 + DEBOUNCE),
            vec![
                Change::Changed {
                    source_id: 2,
                    path: p("/t/a")
                },
                removed("/s/a")
            ]
        );
    }

    #[test]
    fn an_atomic_save_is_one_change_of_the_original() {
        let (mut q, t0) = queue();
        q.created(1, &p("/s/.doc.txt.swp"), t0);
        q.changed(1, &p("/s/.doc.txt.swp"), t0 + ms(1));
        q.closed_after_write(1, &p("/s/.doc.txt.swp"), t0 + ms(2));
        q.moved_from(1, &p("/s/.doc.txt.swp"), 7, t0 + ms(3));
        q.moved_to(1, &p("/s/doc.txt"), 7, t0 + ms(3));
        assert_eq!(q.take_ready(t0 + ms(3)), vec![changed("/s/doc.txt")]);
        assert_eq!(q.len(), 0);
        assert!(q.take_ready(t0 + ms(10_000)).is_empty());
    }

    #[test]
    fn an_atomic_save_after_the_temp_file_was_delivered_is_a_rename() {
        let (mut q, t0) = queue();
        q.created(1, &p("/s/tmp"), t0);
        q.closed_after_write(1, &p("/s/tmp"), t0 + ms(1));
        assert_eq!(q.take_ready(t0 + ms(1)), vec![changed("/s/tmp")]);
        q.moved_from(1, &p("/s/tmp"), 7, t0 + ms(2));
        q.moved_to(1, &p("/s/doc"), 7, t0 + ms(2));
        assert_eq!(q.take_ready(t0 + ms(2)), vec![renamed("/s/tmp", "/s/doc")]);
    }

    #[test]
    fn a_renamed_target_that_is_renamed_again_still_reports_the_old_name() {
        // notify-debouncer-full turned this into a lone Create(b).
        let (mut q, t0) = queue();
        q.created(1, &p("/s/tmp"), t0);
        q.moved_from(1, &p("/s/tmp"), 7, t0);
        q.moved_to(1, &p("/s/a"), 7, t0);
        q.moved_from(1, &p("/s/a"), 8, t0);
        q.moved_to(1, &p("/s/b"), 8, t0);
        assert_eq!(q.take_ready(t0), vec![renamed("/s/a", "/s/b")]);
    }

    #[test]
    fn a_path_created_and_removed_within_the_window_is_one_removal() {
        // Regression (convergence test): a new folder's files can be
        // delivered before the folder goes away; the removal must follow.
        let (mut q, t0) = queue();
        q.created(1, &p("/s/scratch"), t0);
        q.changed(1, &p("/s/scratch"), t0 + ms(1));
        q.removed(1, &p("/s/scratch"), t0 + ms(2));
        assert_eq!(
            q.take_ready(t0 + ms(10_000)),
            vec![Change::Removed {
                source_id: 1,
                path: p("/s/scratch")
            }]
        );
    }

    #[test]
    fn remove_then_create_is_a_change() {
        let (mut q, t0) = queue();
        q.removed(1, &p("/s/a"), t0);
        q.created(1, &p("/s/a"), t0 + ms(1));
        q.closed_after_write(1, &p("/s/a"), t0 + ms(2));
        assert_eq!(q.take_ready(t0 + ms(2)), vec![changed("/s/a")]);
    }

    #[test]
    fn a_removal_is_debounced_and_covers_the_subtree() {
        let (mut q, t0) = queue();
        q.changed(1, &p("/s/d/x"), t0);
        q.removed(1, &p("/s/d/x"), t0 + ms(1));
        q.removed(1, &p("/s/d/y"), t0 + ms(1));
        q.changed(1, &p("/s/d.txt"), t0 + ms(1));
        q.removed(1, &p("/s/d"), t0 + ms(2));
        assert!(q.take_ready(t0 + ms(2)).is_empty());
        assert_eq!(
            q.take_ready(t0 + ms(502)),
            vec![changed("/s/d.txt"), removed("/s/d")]
        );
    }

    #[test]
    fn removing_a_rename_target_removes_both_names() {
        let (mut q, t0) = queue();
        q.moved_from(1, &p("/s/a"), 7, t0);
        q.moved_to(1, &p("/s/b"), 7, t0);
        q.removed(1, &p("/s/b"), t0 + ms(1));
        assert_eq!(
            q.take_ready(t0 + ms(501)),
            vec![removed("/s/a"), removed("/s/b")]
        );
    }

    #[test]
    fn a_directory_rename_replaces_the_pending_entries_under_it() {
        let (mut q, t0) = queue();
        q.changed(1, &p("/s/d/x"), t0);
        q.moved_from(1, &p("/s/elsewhere"), 3, t0);
        q.moved_to(1, &p("/s/d/y"), 3, t0);
        q.moved_from(1, &p("/s/d"), 7, t0 + ms(1));
        q.moved_to(1, &p("/s/e"), 7, t0 + ms(1));
        // The engine moves d's documents to e and rescans e; the file renamed
        // into d from outside leaves its old name to remove.
        assert_eq!(q.take_ready(t0 + ms(1)), vec![renamed("/s/d", "/s/e")]);
        assert_eq!(q.take_ready(t0 + ms(501)), vec![removed("/s/elsewhere")]);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn set_timing_reschedules_pending_entries() {
        let (mut q, t0) = queue();
        q.changed(1, &p("/s/a"), t0);
        q.set_timing(ms(50), ms(1_000));
        assert_eq!(q.take_ready(t0 + ms(50)), vec![changed("/s/a")]);
    }

    #[test]
    fn source_events_come_first_and_forgetting_a_source_drops_its_entries() {
        let (mut q, t0) = queue();
        q.changed(1, &p("/s/a"), t0);
        q.changed(2, &p("/t/a"), t0);
        q.forget_source(1);
        q.push_now(Change::SourceBack { source_id: 3 });
        assert_eq!(
            q.take_ready(t0 + DEBOUNCE),
            vec![
                Change::SourceBack { source_id: 3 },
                Change::Changed {
                    source_id: 2,
                    path: p("/t/a")
                }
            ]
        );
    }
}
