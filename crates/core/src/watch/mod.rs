//! Live freshness: the file watcher and its debounce queue.
//!
//! A [`Watcher`] is a handle to an actor thread that owns every inotify
//! watch. The engine tells it which directories each source keeps
//! ([`Watcher::watch`]) and receives batches of [`Change`]s on a channel. The
//! watcher does no indexing and knows nothing of the store; the engine stats
//! what it is told about. The models are rust-analyzer's `vfs-notify` (an
//! actor behind a small handle, a private `Message` enum, one `select!` loop)
//! and watchexec's fs worker (typed errors with fix-it help, a stated reason
//! wherever an event is dropped).
//!
//! # The watcher is lossy; rescans are the truth
//!
//! Every way events can be lost ends in a [`Change::Rescan`] of the source
//! (or of all sources, when the loss cannot be pinned on one): the kernel's
//! inotify queue overflowing (notify's `Rescan` flag), our own change queue
//! reaching its capacity, or the channel between notify and the actor filling
//! up. Problems that need the user (the inotify watch limit, a source on a
//! network file system, a source that vanished) are reported by
//! [`Watcher::health`], each naming its fix; a source a [`WatchHealth`] marks
//! [`needs_polling`](WatchHealth::needs_polling) must be rescanned by the
//! engine every `watch.poll_interval_s`.
//!
//! # Why raw notify and not notify-debouncer-full
//!
//! notify-debouncer-full 0.6 was measured here and left out, for three
//! reasons. Its timer thread wakes every `timeout / 4` for as long as it
//! lives, events or not (a 50 ms timeout meant about 80 wake-ups a second on
//! an idle tree), and this watcher must cost nothing when idle. It forwards
//! close-after-write (`Access(Close(Write))`) only after its timeout, about
//! 60 ms at 50 ms, while close-after-write is our "writer is done, index now"
//! signal. And on Linux its file-id cache is a no-op, so its rename pairing is
//! the same inotify cookie notify already puts in each event's tracker; worse,
//! it pairs a rename of a path it had seen created into a plain `Create` of the
//! new name, so `tmp → a; a → b` came out as `Create(b)` with no word that `a`
//! is gone. So the actor takes notify's raw events and [`queue`] pairs
//! `From`/`To` by cookie itself, dedupes, and debounces; close-after-write makes
//! an entry ready at once (measured: about 1 ms from `close()` to the batch
//! arriving, see the `close_after_write_bypasses_the_debounce` test).
//!
//! # Watches
//!
//! One non-recursive watch per directory the source's walk kept, so ignored
//! trees (`node_modules`) never spend the per-user watch budget. A directory
//! created (or moved in) at runtime is offered to the engine's [`DirFilter`];
//! if kept, it and its kept subdirectories are watched and the directory is
//! reported as [`Change::Changed`], because files may have appeared in it
//! before its watch existed. notify itself drops the watches of a directory
//! that is removed or renamed (and would otherwise report events inside a
//! renamed directory under its old path); the actor mirrors that and re-adds
//! watches under the new name.
//!
//! Reading a file is no event at all: the kernel is asked only for the
//! events the actor acts on (notify 9's event kinds become each watch's
//! inotify mask: `IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
//! IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF`),
//! never `IN_OPEN`, `IN_ACCESS` or `IN_CLOSE_NOWRITE`. So the indexer reading
//! every file of a watched tree wakes no thread and puts nothing in the
//! kernel's event queue, which it used to overflow (notify 8 always asked for
//! `IN_OPEN`), forcing a rescan of every source. Directory metadata changes
//! are dropped in the actor: a directory's content changes arrive through its
//! own watch.
//!
//! Sources on network or FUSE file systems (NFS, SMB/CIFS, sshfs, Ceph, 9p,
//! ...) get no events for changes made elsewhere, so they are not watched:
//! they are reported as [`WatchHealth::Polled`]. A source root that is
//! deleted, moved or unmounted is reported as [`Change::SourceGone`]; the actor
//! then checks for it with a backoff (0.5 s doubling to 10 s) and reports
//! [`Change::SourceBack`] when it returns. Unmounts are noticed twice: by
//! inotify's `IN_UNMOUNT` on the watches, and through
//! `/proc/self/mountinfo`, which the kernel marks readable-priority whenever
//! the mount table changes (this also sees a file system mounted over a
//! source), so that costs a blocked thread and no timer. A file system
//! unmounted inside a source has the directory beneath it watched and
//! scanned.
//!
//! Idle cost: the notify thread, the actor and the mount thread all block in
//! the kernel with no timeout; the actor only arms a timer while the queue
//! holds something or a source is gone.

mod actor;
mod filesystem;
mod health;
mod mounts;
#[cfg(test)]
mod probe;
mod queue;
mod watcher;

#[cfg(test)]
mod read_tests;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use health::{inotify_watch_limit, WatchError, WatchHealth};
pub use watcher::Watcher;

/// One source as the watcher needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedSource {
    /// The source's id in the store.
    pub source_id: i64,
    /// The source's root directory (absolute).
    pub root: PathBuf,
    /// Whether subdirectories belong to the source. When false only `root`
    /// is watched and directories created in it are ignored.
    pub recursive: bool,
    /// Every directory the walk kept, root included; each gets one
    /// non-recursive watch.
    pub dirs: Vec<PathBuf>,
}

/// Decides whether a directory discovered at runtime is watched: the engine
/// passes a closure applying the source's ignore rules and globs. Called on
/// the watcher's thread with the source id and the directory's path; it must
/// not block for long.
pub type DirFilter = Arc<dyn Fn(i64, &Path) -> bool + Send + Sync>;

/// Timing and size limits of the watcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatcherConfig {
    /// How long a path must be quiet before its change is delivered
    /// (setting `watch.debounce_ms`). A file closed after writing does not
    /// wait for it.
    pub debounce: Duration,
    /// The longest a path that keeps changing is held back, counted from its
    /// first event (setting `watch.max_delay_ms`).
    pub max_delay: Duration,
    /// Most pending paths held at once; past it the queue drops the pending
    /// paths of the busiest source and asks for a rescan of it instead.
    pub queue_capacity: usize,
}

impl Default for WatcherConfig {
    fn default() -> Self {
        WatcherConfig {
            debounce: Duration::from_millis(500),
            max_delay: Duration::from_secs(120),
            queue_capacity: 10_000,
        }
    }
}

/// One thing the engine must act on. Within a batch, apply changes in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file or directory may have been created or modified (or removed:
    /// the engine stats it, and a missing path means removal). For a
    /// directory: scan its subtree.
    Changed {
        /// The source the path belongs to.
        source_id: i64,
        /// The path.
        path: PathBuf,
    },
    /// A path was removed; if it was a directory, everything under it went
    /// with it.
    Removed {
        /// The source the path belonged to.
        source_id: i64,
        /// The path.
        path: PathBuf,
    },
    /// A file or directory was renamed within the source. The documents at
    /// `from` (and under it) now live at `to`: move them without
    /// re-extracting, then treat `to` as [`Change::Changed`] (stat it; for a
    /// directory scan its subtree, since events inside it were not watched
    /// for a moment). If nothing is known at `from`, this is just a change
    /// of `to`.
    Renamed {
        /// The source both paths belong to.
        source_id: i64,
        /// The old path.
        from: PathBuf,
        /// The new path.
        to: PathBuf,
    },
    /// Events of this source were lost: rescan all of it.
    Rescan {
        /// The source.
        source_id: i64,
        /// Why, in plain words.
        reason: String,
    },
    /// The source's root is gone (deleted, moved away or unmounted). Its
    /// watches are dropped; the watcher looks for it with a backoff.
    SourceGone {
        /// The source.
        source_id: i64,
        /// What happened, in plain words.
        reason: String,
    },
    /// The source's root is back and watched again: rescan it.
    SourceBack {
        /// The source.
        source_id: i64,
    },
}

impl Change {
    /// The source this change belongs to.
    pub fn source_id(&self) -> i64 {
        match self {
            Change::Changed { source_id, .. }
            | Change::Removed { source_id, .. }
            | Change::Renamed { source_id, .. }
            | Change::Rescan { source_id, .. }
            | Change::SourceGone { source_id, .. }
            | Change::SourceBack { source_id } => *source_id,
        }
    }
}
