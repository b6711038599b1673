//! Rebuilding a damaged or foreign index: keep the bad file aside, start a
//! new one, and carry over what can still be read of the sources.
//!
//! The bad file is never deleted: it is renamed `gleaner.db.corrupt-<time>`
//! (with its `-wal` and `-shm` files) next to where it was, so nothing the
//! user had is lost and a tool can still look at it. The sources (folders and
//! their rules) are the one thing that cannot be found again on disk, so they
//! are read from the bad file first, table by table, ignoring everything else;
//! if even that fails the caller must ask the user to add them again.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::data_dir::DataDir;
use crate::error::{Error, Result};
use crate::source::NewSource;
use crate::store::{now_ms, text_path, Store};

/// A source read back from a damaged index.
#[derive(Debug, Clone)]
pub struct SalvagedSource {
    /// Its folder and rules.
    pub source: NewSource,
    /// Whether it was enabled.
    pub active: bool,
}

/// What [`set_aside_and_recreate`] did.
#[derive(Debug)]
pub struct SetAside {
    /// Where the old file now is (`None` when there was no file).
    pub kept_at: Option<PathBuf>,
    /// The sources read from it, or why they could not be.
    pub salvaged: std::result::Result<Vec<SalvagedSource>, Error>,
    /// The new, empty index.
    pub store: Store,
}

/// Moves the index of `data_dir` aside, reads what it can of its sources and
/// creates a new, empty index in its place. The caller must hold the engine
/// lock: nothing else may have the file open.
pub fn set_aside_and_recreate(data_dir: &DataDir) -> Result<SetAside> {
    data_dir.create()?;
    let database = data_dir.database();
    let (kept_at, salvaged) = if database.exists() {
        let salvaged = salvage_sources(&database);
        let kept_at = aside_name(&database, now_ms());
        for suffix in ["", "-wal", "-shm"] {
            let from = with_suffix(&database, suffix);
            if from.exists() {
                let to = with_suffix(&kept_at, suffix);
                std::fs::rename(&from, &to)
                    .map_err(|e| Error::io("setting aside the damaged index", &from, e))?;
            }
        }
        (Some(kept_at), salvaged)
    } else {
        (None, Ok(Vec::new()))
    };
    let store = Store::open(&database)?;
    Ok(SetAside {
        kept_at,
        salvaged,
        store,
    })
}

/// Reads the sources table of a possibly damaged index, read-only.
pub fn salvage_sources(database: &Path) -> std::result::Result<Vec<SalvagedSource>, Error> {
    let conn = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // A truncated file is refused outright ("malformed") because its header
    // promises more pages than there are; with writable_schema SQLite reads
    // what is there instead, which is enough for the few pages of sources.
    // The connection is read-only, so nothing can be written through it.
    conn.pragma_update(None, "writable_schema", true)?;
    let mut stmt =
        conn.prepare("SELECT path, recursive, include_globs, exclude_globs, active FROM sources")?;
    let globs = |text: String| serde_json::from_str::<Vec<String>>(&text).unwrap_or_default();
    let rows = stmt.query_map([], |row| {
        Ok(SalvagedSource {
            source: NewSource {
                path: text_path(&row.get::<_, String>(0)?),
                recursive: row.get(1)?,
                include: globs(row.get(2)?),
                exclude: globs(row.get(3)?),
            },
            active: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// `gleaner.db.corrupt-20260514T101500Z`, or with `-1`, `-2`… if taken.
fn aside_name(database: &Path, now_ms: i64) -> PathBuf {
    let stamp: String = crate::time::iso_time(now_ms)
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    let base = with_suffix(database, &format!(".corrupt-{stamp}"));
    let mut candidate = base.clone();
    let mut n = 1;
    while candidate.exists() {
        candidate = with_suffix(&base, &format!("-{n}"));
        n += 1;
    }
    candidate
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_file_is_kept_aside_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(dir.path())).unwrap();
        std::fs::write(data_dir.database(), b"this is not a database at all").unwrap();
        assert!(Store::open(&data_dir.database())
            .unwrap_err()
            .is_corrupt_index());
        let aside = set_aside_and_recreate(&data_dir).unwrap();
        let kept = aside.kept_at.unwrap();
        assert!(kept
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("gleaner.db.corrupt-"));
        assert_eq!(
            std::fs::read(&kept).unwrap(),
            b"this is not a database at all"
        );
        assert!(aside.salvaged.is_err());
        assert!(aside.store.sources().unwrap().is_empty());
    }

    #[test]
    fn sources_are_salvaged_from_a_readable_file() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(dir.path())).unwrap();
        let folder = dir.path().join("notes");
        std::fs::create_dir_all(&folder).unwrap();
        {
            let store = Store::open(&data_dir.database()).unwrap();
            store
                .add_source(&NewSource {
                    path: folder.clone(),
                    include: vec!["*.md".into()],
                    exclude: vec![],
                    recursive: false,
                })
                .unwrap();
        }
        let aside = set_aside_and_recreate(&data_dir).unwrap();
        let salvaged = aside.salvaged.unwrap();
        assert_eq!(salvaged.len(), 1);
        assert_eq!(salvaged[0].source.path, folder);
        assert_eq!(salvaged[0].source.include, vec!["*.md".to_string()]);
        assert!(!salvaged[0].source.recursive);
        assert!(salvaged[0].active);
    }
}
