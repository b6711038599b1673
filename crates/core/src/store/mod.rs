//! The store: the one SQLite file that holds sources, documents, extracted
//! text, the full-text index, jobs and settings.
//!
//! **Invariant:** SQL lives in this module and nowhere else. Other modules ask
//! the store for typed values.
//!
//! The database runs in WAL mode so readers (searches, status, other
//! processes) never block the writer and always see the last committed batch.
//! Every change of a document happens in one transaction: the new content is
//! written before the path is switched to it, and a content no document points
//! at any more is dropped in that same transaction, so a crash at any moment
//! leaves either the old or the new version, never neither.

pub mod commit_signal;
mod documents;
mod identity;
mod jobs;
mod legacy_fulltext;
mod maintenance;
mod path_text;
pub(crate) mod schema;
mod search_feed;
mod settings;
mod sources;
mod stored_text;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

pub use documents::{
    ContentChange, DocumentRow, DocumentState, FailedDocument, NewContent, StoredChunk, WriteBatch,
    WriteOp,
};
pub use jobs::{JobCounts, JobRates, JobRecord, JobStatus};
pub use maintenance::MaintenanceReport;
pub use path_text::{path_text, text_path};
pub use search_feed::{ChunkText, UnitDocument, UnitKey, UnitLabel};
pub use sources::SourceStatusRow;

/// A connection to the index database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// SQLite's words about a damaged page a read met (see
    /// [`Store::take_corruption`]).
    corruption: std::cell::RefCell<Option<String>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Milliseconds since the Unix epoch, the unit of every timestamp in the store.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Names a file holding a page limit for the index (`PRAGMA max_page_count`),
/// read whenever a store opens: how the tests fill the "disk" and free it
/// again without root or a tmpfs. Not a user setting.
pub const TEST_PAGE_LIMIT_ENV: &str = "GLEANER_TEST_MAX_PAGE_COUNT_FILE";

fn test_page_limit() -> Option<u64> {
    let file = std::env::var_os(TEST_PAGE_LIMIT_ENV)?;
    std::fs::read_to_string(file).ok()?.trim().parse().ok()
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema
    /// up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens the database at `path` for reading and writing, and brings its
    /// schema up to date, but never creates it: a command that reads must
    /// not leave an empty index behind (see [`crate::Index::open_existing`]).
    pub fn open_existing(path: &Path) -> Result<Store> {
        Store::open_with(path, OpenFlags::empty())
    }

    fn open_with(path: &Path, create: OpenFlags) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | create,
        )?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            corruption: Default::default(),
        };
        // Identity first: switching to WAL would already write to a file
        // that may belong to another application.
        store
            .check_identity()
            .map_err(|e| store.classify_open_error(e))?;
        store
            .configure()
            .map_err(|e| store.classify_open_error(e))?;
        store.migrate().map_err(|e| store.classify_open_error(e))?;
        Ok(store)
    }

    /// Opens an existing database for reading only (searches, status).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            corruption: Default::default(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Caps this connection's page cache at `kib` KiB (the default is
    /// 32 MB), for a connection that reads each page about once, such as
    /// the search indexer's: the operating system caches the file anyway.
    pub fn limit_page_cache(&self, kib: u32) -> Result<()> {
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{kib};"))?;
        Ok(())
    }

    fn configure(&self) -> Result<()> {
        self.conn.busy_timeout(Duration::from_secs(10))?;
        // WAL: readers never block the writer. NORMAL sync is durable across
        // process crashes (the WAL is fsynced at checkpoints); a power cut may
        // lose the last batch, which the next scan redoes.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "could not switch the index to WAL mode");
        }
        self.conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -32000;",
        )?;
        if let Some(limit) = test_page_limit() {
            self.conn
                .query_row(&format!("PRAGMA max_page_count = {limit}"), [], |_| Ok(()))?;
        }
        Ok(())
    }

    fn check_identity(&self) -> Result<()> {
        self.conn.busy_timeout(Duration::from_secs(10))?;
        match identity::identify(&self.conn)? {
            identity::Identity::Empty | identity::Identity::Gleaner => Ok(()),
            identity::Identity::Foreign(reason) => Err(Error::CorruptDatabase {
                path: self.path.clone(),
                reason,
            }),
        }
    }

    /// SQLite's quick consistency check of the whole file: slower than
    /// opening (it reads every page), so the engine runs it once at start.
    /// A damaged file is [`Error::CorruptDatabase`].
    pub fn verify(&self) -> Result<()> {
        let problems = (|| -> Result<Vec<String>> {
            let mut stmt = self.conn.prepare("PRAGMA quick_check")?;
            let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
            Ok(rows
                .collect::<rusqlite::Result<Vec<String>>>()?
                .into_iter()
                .filter(|r| r != "ok")
                .collect())
        })()
        .map_err(|e| self.classify_open_error(e))?;
        match problems.first() {
            None => Ok(()),
            Some(first) => Err(Error::CorruptDatabase {
                path: self.path.clone(),
                reason: format!("the quick check failed: {first}"),
            }),
        }
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let supported = schema::MIGRATIONS.len() as i64;
        if version > supported {
            return Err(Error::SchemaTooNew {
                path: self.path.clone(),
                found: version,
                supported,
            });
        }
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
            tracing::info!(version = index + 1, "migrated index schema");
        }
        Ok(())
    }

    fn classify_open_error(&self, err: Error) -> Error {
        err.in_database(&self.path)
    }

    /// Notes a damaged page met by a read whose caller goes on without its
    /// answer (a content lookup that only saves an extraction), so that
    /// the damage is still reported: see [`Store::take_corruption`].
    fn noting_corruption<T>(&self, result: Result<T>) -> Result<T> {
        if let Err(Error::Database(rusqlite::Error::SqliteFailure(code, message))) = &result {
            if crate::error::is_corrupt_code(code.code) {
                self.corruption
                    .replace(Some(message.clone().unwrap_or_else(|| code.to_string())));
            }
        }
        result
    }

    /// The damage a read met since the last call, as
    /// [`Error::CorruptDatabase`]: a scan's readers ask after every file.
    pub fn take_corruption(&self) -> Option<Error> {
        self.corruption.take().map(|reason| Error::CorruptDatabase {
            path: self.path.clone(),
            reason,
        })
    }

    /// Runs SQLite's own consistency check; returns the problems found
    /// (empty when the file is sound). The search index is checked against
    /// the store by `search::verify`.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        for row in rows {
            let row = row?;
            if row != "ok" {
                problems.push(row);
            }
        }
        Ok(problems)
    }
}
