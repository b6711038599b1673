//! The engine's typed errors.
//!
//! Errors stay typed all the way to the edge of the engine: the CLI, the
//! desktop app and the servers decide how to show them. Per-file failures are
//! not errors of a scan: they are recorded on the document and counted, and the
//! scan goes on (see `scan`).

use std::path::PathBuf;

/// Everything that can stop an engine operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The SQLite database failed.
    #[error("index database error: {0}")]
    Database(rusqlite::Error),
    /// The index could not grow: the disk (or the database's page limit) is
    /// full. The transaction was rolled back; nothing committed is lost. It
    /// holds what the database or the search index said.
    #[error("disk full: the index could not grow ({0})")]
    DiskFull(String),
    /// The database file is not a Gleaner index (or is damaged beyond use).
    #[error("{path} is not a usable Gleaner index: {reason}")]
    CorruptDatabase {
        /// The database file.
        path: PathBuf,
        /// What SQLite said about it.
        reason: String,
    },
    /// The database was written by a newer Gleaner.
    #[error("the index at {path} has schema version {found}, newer than this Gleaner understands ({supported})")]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// A file system operation on the engine's own files failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What the engine was doing, e.g. "creating data directory".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A path given as a source does not exist or is not a directory.
    #[error("{path}: {reason}")]
    SourceUnavailable {
        /// The source's root directory.
        path: PathBuf,
        /// Why it cannot be used, in plain words.
        reason: String,
    },
    /// A path was named that is not a configured source.
    #[error("{0} is not a source (see `gleaner source list`)")]
    UnknownSource(PathBuf),
    /// A glob pattern did not parse.
    #[error("bad glob pattern {pattern:?}: {reason}")]
    BadGlob {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting key that is not in the registry.
    #[error("unknown setting {0:?} (see `gleaner config list`)")]
    UnknownSetting(String),
    /// A setting value outside its range or of the wrong type.
    #[error("invalid value {value:?} for {key}: expected {expected}")]
    InvalidSetting {
        /// The setting key.
        key: String,
        /// The rejected value.
        value: String,
        /// The accepted range or values, in words.
        expected: String,
    },
    /// A search query that cannot be run.
    #[error("{0}")]
    BadQuery(String),
    /// Another process runs the engine for this data directory.
    #[error("another Gleaner engine is running for this data directory (pid {pid})")]
    EngineBusy {
        /// The pid written in the lock file, 0 if unknown.
        pid: u32,
    },
    /// The file watcher could not start.
    #[error("file watcher: {0}")]
    Watch(#[from] crate::watch::WatchError),
    /// A job state change the state machine forbids.
    #[error("job {id} is {from}; it cannot become {to}")]
    InvalidJobTransition {
        /// The job.
        id: String,
        /// Its current state.
        from: &'static str,
        /// The refused state.
        to: &'static str,
    },
    /// An indexing job id that does not exist.
    #[error("no indexing job {0}")]
    UnknownJob(String),
    /// The search index (tantivy) failed. It is derived from the database
    /// and can always be rebuilt from it (`gleaner rebuild-search`).
    #[error("search index: {0}")]
    SearchIndex(#[from] tantivy::TantivyError),
    /// A command that only reads found no index: reading never creates one.
    #[error("no index yet at {}: add a folder with `gleaner source add PATH`", data_dir.display())]
    NoIndex {
        /// The data directory that holds no `gleaner.db`.
        data_dir: PathBuf,
    },
    /// The data directory or its database was deleted, moved or replaced
    /// under a running engine, which then stops rather than write into a
    /// file nobody can open again.
    #[error("the index at {} is gone ({reason}): the engine stopped so as not to write into a deleted file; start it again to make a new index, then add your folders with `gleaner source add PATH`", data_dir.display())]
    DataDirGone {
        /// The data directory.
        data_dir: PathBuf,
        /// What happened, in plain words.
        reason: String,
    },
    /// The engine holds its lock but does not answer on its socket.
    #[error("the Gleaner engine ({}) is not answering: {detail}", pid.map_or("pid unknown".to_string(), |pid| format!("pid {pid}")))]
    EngineNotAnswering {
        /// Its process id, from the lock file, if known.
        pid: Option<u32>,
        /// What the client saw, with the fix when one is known.
        detail: String,
    },
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Error {
        match &err {
            rusqlite::Error::SqliteFailure(code, _)
                if code.code == rusqlite::ErrorCode::DiskFull =>
            {
                Error::DiskFull(err.to_string())
            }
            _ => Error::Database(err),
        }
    }
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether the index database itself is damaged or not Gleaner's: the
    /// cure is to set it aside and rebuild (`gleaner rebuild`).
    pub fn is_corrupt_index(&self) -> bool {
        match self {
            Error::CorruptDatabase { .. } => true,
            Error::Database(rusqlite::Error::SqliteFailure(code, _)) => is_corrupt_code(code.code),
            _ => false,
        }
    }

    /// The same error, with a damaged database (SQLite's `SQLITE_CORRUPT`
    /// or `SQLITE_NOTADB`, wherever it surfaced) named as
    /// [`Error::CorruptDatabase`] of the file at `path`.
    pub fn in_database(self, path: &std::path::Path) -> Error {
        match self {
            Error::Database(rusqlite::Error::SqliteFailure(code, message))
                if is_corrupt_code(code.code) =>
            {
                Error::CorruptDatabase {
                    path: path.to_path_buf(),
                    reason: message.unwrap_or_else(|| code.to_string()),
                }
            }
            other => other,
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// SQLite's codes for a file that is damaged or not a database at all.
pub(crate) fn is_corrupt_code(code: rusqlite::ErrorCode) -> bool {
    matches!(
        code,
        rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
    )
}
