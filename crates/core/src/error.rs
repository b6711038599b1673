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
    /// full. The transaction was rolled back; nothing committed is lost.
    #[error("disk full: the index could not grow ({0})")]
    DiskFull(rusqlite::Error),
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
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Error {
        match &err {
            rusqlite::Error::SqliteFailure(code, _)
                if code.code == rusqlite::ErrorCode::DiskFull =>
            {
                Error::DiskFull(err)
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
            Error::Database(rusqlite::Error::SqliteFailure(code, _)) => matches!(
                code.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ),
            _ => false,
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
