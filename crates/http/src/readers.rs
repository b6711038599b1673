//! Read-only connections to the index, one per read under way.
//!
//! Every read the API makes (search, status, health, jobs, the checks before
//! an engine request) takes a connection of its own from this pool and gives
//! it back after, so a slow search holds its own connection and nothing
//! else: health and status go on answering beside it. The database is in
//! WAL mode, so these readers never wait for the engine's writer either.
//!
//! The pool only keeps idle connections for the next read (a connection
//! caches pages and prepared statements); how many reads run at once is
//! bounded by the lanes in `context.rs`, so the pool never holds more than
//! that many connections, and their file descriptors, at once.

use std::path::PathBuf;
use std::sync::Mutex;

use gleaner_core::store::Store;

use crate::error::{ApiError, ApiResult};

/// Idle read-only connections to one database.
pub struct Readers {
    database: PathBuf,
    idle: Mutex<Vec<Store>>,
    max_idle: usize,
}

impl Readers {
    /// A pool over the index at `database`, keeping at most `max_idle`
    /// connections between reads.
    pub fn new(database: PathBuf, max_idle: usize) -> Readers {
        Readers {
            database,
            idle: Mutex::new(Vec::new()),
            max_idle,
        }
    }

    /// Runs `read` with a connection of its own. A connection is given back
    /// only when `read` returns; one whose read panicked is dropped.
    pub fn with<T>(&self, read: impl FnOnce(&Store) -> ApiResult<T>) -> ApiResult<T> {
        let store = match self.take() {
            Some(store) => store,
            None => Store::open_read_only(&self.database).map_err(|err| {
                ApiError::unavailable(format!("the index cannot be opened for reading: {err}"))
            })?,
        };
        let result = read(&store);
        self.give_back(store);
        result
    }

    /// How many connections wait idle (for the tests).
    #[cfg(test)]
    pub fn idle_count(&self) -> usize {
        self.lock().len()
    }

    fn take(&self) -> Option<Store> {
        self.lock().pop()
    }

    fn give_back(&self, store: Store) {
        let mut idle = self.lock();
        if idle.len() < self.max_idle {
            idle.push(store);
        }
    }

    /// The lock guards a list, never a read: it is held for a push or a pop.
    /// Nothing can be left half-done in the list, so a poisoned lock is
    /// taken over.
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Store>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gleaner_core::{DataDir, Index};

    fn index() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
        let database = data_dir.database();
        // Made, migrated and closed again: readers must not need a writer
        // to be open beside them.
        drop(Index::open(data_dir).unwrap());
        (tmp, database)
    }

    #[test]
    fn reads_run_on_connections_of_their_own() {
        let (_tmp, database) = index();
        let readers = Readers::new(database, 2);
        // A read under way does not keep another from running.
        let count = readers
            .with(|outer| {
                let inner = readers.with(|inner| Ok(inner.sources()?.len()))?;
                Ok(inner + outer.sources()?.len())
            })
            .unwrap();
        assert_eq!(count, 0);
        assert_eq!(readers.idle_count(), 2);
    }

    #[test]
    fn at_most_max_idle_connections_are_kept() {
        let (_tmp, database) = index();
        let readers = Readers::new(database, 1);
        readers
            .with(|_| readers.with(|_| readers.with(|_| Ok(()))))
            .unwrap();
        assert_eq!(readers.idle_count(), 1);
    }

    #[test]
    fn a_read_that_panics_drops_its_connection() {
        let (_tmp, database) = index();
        let readers = Readers::new(database, 4);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            readers.with(|_| -> ApiResult<()> { panic!("a bug in a handler") })
        }));
        assert!(outcome.is_err());
        assert_eq!(readers.idle_count(), 0);
        assert!(readers.with(|store| Ok(store.sources()?.len())).is_ok());
    }

    #[test]
    fn a_missing_index_is_unavailable_not_a_panic() {
        let tmp = tempfile::tempdir().unwrap();
        let readers = Readers::new(tmp.path().join("none.db"), 1);
        let err = readers.with(|_| Ok(())).unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::SERVICE_UNAVAILABLE);
    }
}
