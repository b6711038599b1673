//! What can go wrong with watching, typed, each with the fix a user can apply.
//!
//! Raw OS errors are mapped to named cases (as watchexec does): `ENOSPC` from
//! `inotify_add_watch` is the per-user watch limit, not a full disk; `EMFILE`
//! from `inotify_init1` is the per-user instance limit or the process's
//! open-file limit. A [`WatchHealth`] item stays in [`Watcher::health`] for as
//! long as the problem lasts; the watcher never silently stops watching.
//!
//! [`Watcher::health`]: super::Watcher::health

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

const MAX_USER_WATCHES: &str = "/proc/sys/fs/inotify/max_user_watches";
const MAX_USER_INSTANCES: &str = "/proc/sys/fs/inotify/max_user_instances";

/// The per-user inotify watch limit (`fs.inotify.max_user_watches`), if the
/// system exposes it.
pub fn inotify_watch_limit() -> Option<u64> {
    read_proc_number(MAX_USER_WATCHES)
}

fn inotify_instance_limit() -> Option<u64> {
    read_proc_number(MAX_USER_INSTANCES)
}

fn read_proc_number(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// A watch limit worth suggesting: at least double the current one and the
/// number of directories needed, rounded up to a power of two, and never
/// below 524288 (the value IDEs commonly recommend; each watch costs about
/// 1 KiB of kernel memory only while it exists).
pub(crate) fn suggested_watch_limit(current: Option<u64>, n_dirs_needed: usize) -> u64 {
    let wanted = current
        .unwrap_or(8_192)
        .max(n_dirs_needed as u64)
        .saturating_mul(2);
    wanted
        .checked_next_power_of_two()
        .unwrap_or(wanted)
        .max(524_288)
}

fn watch_limit_fix(suggested: u64) -> String {
    format!(
        "sudo sysctl fs.inotify.max_user_watches={suggested}; to keep it after a reboot: \
         echo fs.inotify.max_user_watches={suggested} | sudo tee /etc/sysctl.d/60-gleaner-inotify.conf"
    )
}

fn instance_limit_fix(current: Option<u64>) -> String {
    let suggested = current.unwrap_or(128).saturating_mul(2).max(512);
    format!(
        "sudo sysctl fs.inotify.max_user_instances={suggested} (now {}); if that is not it, \
         raise the open-file limit (ulimit -n)",
        describe_limit(current)
    )
}

fn describe_limit(limit: Option<u64>) -> String {
    limit.map_or_else(|| "unknown".to_string(), |limit| limit.to_string())
}

/// Why the watcher could not start or could not watch a directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatchError {
    /// The per-user inotify watch limit is reached.
    #[error(
        "the inotify watch limit is reached (fs.inotify.max_user_watches = {}); \
         fix: {fix}",
        describe_limit(*current_limit)
    )]
    WatchLimitReached {
        /// The limit now in force, if readable.
        current_limit: Option<u64>,
        /// A limit that would do.
        suggested: u64,
        /// The command that raises it.
        fix: String,
    },
    /// No inotify instance could be created (too many instances for this
    /// user, or too many open files in this process).
    #[error("cannot start inotify: {source}; fix: {fix}")]
    InotifyUnavailable {
        /// The OS error.
        source: io::Error,
        /// What to raise.
        fix: String,
    },
    /// The directory vanished before it could be watched.
    #[error("{} disappeared before it could be watched", path.display())]
    NotFound {
        /// The directory.
        path: PathBuf,
    },
    /// Any other failure to watch a directory (permission denied, ...).
    #[error("cannot watch {}: {source}", path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The watcher's thread could not be started.
    #[error("cannot start the file watcher thread: {0}")]
    Spawn(#[source] io::Error),
}

impl WatchError {
    /// Names a notify error about `path`, recognizing the limits behind raw
    /// OS errors.
    pub(crate) fn from_notify(error: notify::Error, path: &Path, n_dirs_needed: usize) -> Self {
        match error.kind {
            notify::ErrorKind::MaxFilesWatch => Self::watch_limit(n_dirs_needed),
            notify::ErrorKind::PathNotFound => WatchError::NotFound {
                path: path.to_path_buf(),
            },
            notify::ErrorKind::Io(source) => Self::from_io(source, path, n_dirs_needed),
            notify::ErrorKind::Generic(message) => WatchError::Io {
                path: path.to_path_buf(),
                source: io::Error::other(message),
            },
            other => WatchError::Io {
                path: path.to_path_buf(),
                source: io::Error::other(format!("{other:?}")),
            },
        }
    }

    fn from_io(source: io::Error, path: &Path, n_dirs_needed: usize) -> Self {
        match source.raw_os_error() {
            Some(libc::ENOSPC) => Self::watch_limit(n_dirs_needed),
            Some(libc::EMFILE | libc::ENFILE) => Self::inotify_unavailable(source),
            _ if source.kind() == io::ErrorKind::NotFound => WatchError::NotFound {
                path: path.to_path_buf(),
            },
            _ => WatchError::Io {
                path: path.to_path_buf(),
                source,
            },
        }
    }

    pub(crate) fn watch_limit(n_dirs_needed: usize) -> Self {
        let current_limit = inotify_watch_limit();
        let suggested = suggested_watch_limit(current_limit, n_dirs_needed);
        WatchError::WatchLimitReached {
            current_limit,
            suggested,
            fix: watch_limit_fix(suggested),
        }
    }

    /// Names a failure to create the inotify instance.
    pub(crate) fn inotify_unavailable(source: io::Error) -> Self {
        WatchError::InotifyUnavailable {
            source,
            fix: instance_limit_fix(inotify_instance_limit()),
        }
    }

    /// Names a notify error from creating the watcher.
    pub(crate) fn from_notify_init(error: notify::Error) -> Self {
        let source = match error.kind {
            notify::ErrorKind::Io(source) => source,
            other => io::Error::other(format!("{other:?}")),
        };
        Self::inotify_unavailable(source)
    }
}

/// A current problem with watching. Every item about a source that
/// [`needs_polling`](WatchHealth::needs_polling) means the engine must rescan
/// that source every `watch.poll_interval_s`, because changes to it can go
/// unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WatchHealth {
    /// The inotify watch limit was reached: part of the source is not
    /// watched.
    WatchLimitReached {
        /// The source.
        source_id: i64,
        /// `fs.inotify.max_user_watches` now, if readable.
        current_limit: Option<u64>,
        /// A limit that would do.
        suggested: u64,
        /// How many of the source's directories are not watched.
        n_dirs_unwatched: usize,
        /// The command that raises the limit.
        fix: String,
    },
    /// inotify could not be started at all; nothing is watched.
    InotifyUnavailable {
        /// The source.
        source_id: i64,
        /// The OS error, in words.
        reason: String,
        /// What to raise.
        fix: String,
    },
    /// The source is on a network or FUSE file system, where inotify does not
    /// see changes made elsewhere: it is not watched.
    Polled {
        /// The source.
        source_id: i64,
        /// The file system, e.g. `nfs`, `cifs`, `fuse`.
        fs: String,
    },
    /// Some directories of the source could not be watched (permission
    /// denied, ...).
    WatchFailed {
        /// The source.
        source_id: i64,
        /// The first directory that failed.
        path: PathBuf,
        /// How many failed.
        n_dirs: usize,
        /// The first failure, in words.
        reason: String,
    },
    /// The source's root is gone; the watcher is looking for it.
    SourceGone {
        /// The source.
        source_id: i64,
        /// The root directory.
        root: PathBuf,
        /// What happened.
        reason: String,
    },
    /// The watcher's thread stopped (it panicked); nothing is watched.
    WatcherStopped {
        /// What happened.
        reason: String,
    },
}

impl WatchHealth {
    /// The source concerned, if the item is about one source.
    pub fn source_id(&self) -> Option<i64> {
        match self {
            WatchHealth::WatchLimitReached { source_id, .. }
            | WatchHealth::InotifyUnavailable { source_id, .. }
            | WatchHealth::Polled { source_id, .. }
            | WatchHealth::WatchFailed { source_id, .. }
            | WatchHealth::SourceGone { source_id, .. } => Some(*source_id),
            WatchHealth::WatcherStopped { .. } => None,
        }
    }

    /// Whether the engine must rescan the source periodically because the
    /// watcher cannot see (all of) it. A gone source is not polled: the
    /// watcher reports [`Change::SourceBack`](super::Change::SourceBack).
    pub fn needs_polling(&self) -> bool {
        !matches!(self, WatchHealth::SourceGone { .. })
    }

    /// The command or action that fixes the problem, if there is one.
    pub fn fix(&self) -> Option<&str> {
        match self {
            WatchHealth::WatchLimitReached { fix, .. }
            | WatchHealth::InotifyUnavailable { fix, .. } => Some(fix),
            _ => None,
        }
    }

    pub(crate) fn from_error(source_id: i64, error: &WatchError, n_dirs_unwatched: usize) -> Self {
        match error {
            WatchError::WatchLimitReached {
                current_limit,
                suggested,
                fix,
            } => WatchHealth::WatchLimitReached {
                source_id,
                current_limit: *current_limit,
                suggested: *suggested,
                n_dirs_unwatched,
                fix: fix.clone(),
            },
            WatchError::InotifyUnavailable { source, fix } => WatchHealth::InotifyUnavailable {
                source_id,
                reason: source.to_string(),
                fix: fix.clone(),
            },
            WatchError::NotFound { path } | WatchError::Io { path, .. } => {
                WatchHealth::WatchFailed {
                    source_id,
                    path: path.clone(),
                    n_dirs: n_dirs_unwatched,
                    reason: error.to_string(),
                }
            }
            WatchError::Spawn(source) => WatchHealth::WatcherStopped {
                reason: source.to_string(),
            },
        }
    }
}

impl fmt::Display for WatchHealth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WatchHealth::WatchLimitReached {
                source_id,
                current_limit,
                n_dirs_unwatched,
                fix,
                ..
            } => write!(
                f,
                "source {source_id}: the inotify watch limit (fs.inotify.max_user_watches = {}) \
                 is reached; {n_dirs_unwatched} directories are not watched and the source is \
                 rescanned periodically instead; fix: {fix}",
                describe_limit(*current_limit)
            ),
            WatchHealth::InotifyUnavailable {
                source_id,
                reason,
                fix,
            } => write!(
                f,
                "source {source_id}: file watching is unavailable ({reason}); the source is \
                 rescanned periodically instead; fix: {fix}"
            ),
            WatchHealth::Polled { source_id, fs } => write!(
                f,
                "source {source_id} is on a {fs} file system, where changes made elsewhere \
                 cannot be watched; it is rescanned periodically"
            ),
            WatchHealth::WatchFailed {
                source_id,
                n_dirs,
                reason,
                ..
            } => write!(
                f,
                "source {source_id}: {n_dirs} directories cannot be watched ({reason}); the \
                 source is rescanned periodically"
            ),
            WatchHealth::SourceGone {
                source_id,
                root,
                reason,
            } => write!(
                f,
                "source {source_id} ({}) is gone: {reason}",
                root.display()
            ),
            WatchHealth::WatcherStopped { reason } => {
                write!(f, "the file watcher stopped: {reason}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_limit_is_generous_and_a_power_of_two() {
        assert_eq!(suggested_watch_limit(Some(8_192), 100), 524_288);
        assert_eq!(suggested_watch_limit(Some(524_288), 10), 1_048_576);
        assert_eq!(suggested_watch_limit(Some(65_536), 700_000), 2_097_152);
        assert_eq!(suggested_watch_limit(None, 0), 524_288);
    }

    #[test]
    fn the_watch_limit_error_names_the_exact_fix() {
        let error = WatchError::from_notify(
            notify::Error::new(notify::ErrorKind::MaxFilesWatch),
            Path::new("/s/d"),
            10,
        );
        let text = error.to_string();
        assert!(
            text.contains("sudo sysctl fs.inotify.max_user_watches="),
            "{text}"
        );
        let health = WatchHealth::from_error(4, &error, 3);
        assert!(health.needs_polling());
        assert_eq!(health.source_id(), Some(4));
        let WatchHealth::WatchLimitReached {
            current_limit,
            suggested,
            fix,
            ..
        } = &health
        else {
            panic!("{health:?}");
        };
        assert_eq!(*current_limit, inotify_watch_limit());
        assert!(fix.starts_with(&format!(
            "sudo sysctl fs.inotify.max_user_watches={suggested}"
        )));
        assert!(health.to_string().contains("3 directories are not watched"));
    }

    #[test]
    fn raw_os_errors_are_named() {
        let enospc = notify::Error::io(io::Error::from_raw_os_error(libc::ENOSPC));
        assert!(matches!(
            WatchError::from_notify(enospc, Path::new("/d"), 1),
            WatchError::WatchLimitReached { .. }
        ));
        let emfile = notify::Error::io(io::Error::from_raw_os_error(libc::EMFILE));
        let error = WatchError::from_notify(emfile, Path::new("/d"), 1);
        assert!(
            error
                .to_string()
                .contains("sudo sysctl fs.inotify.max_user_instances="),
            "{error}"
        );
        let eacces = notify::Error::io(io::Error::from_raw_os_error(libc::EACCES));
        assert!(matches!(
            WatchError::from_notify(eacces, Path::new("/d"), 1),
            WatchError::Io { .. }
        ));
    }

    #[test]
    fn the_watch_limit_is_read_from_proc() {
        if Path::new(MAX_USER_WATCHES).exists() {
            assert!(inotify_watch_limit().is_some_and(|limit| limit > 0));
        }
    }
}
