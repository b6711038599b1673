//! Rebuilding a damaged or foreign index: keep the bad file aside, start a
//! new one, and carry over what can still be read of the sources.
//!
//! The bad file is never deleted: it is renamed `gleaner.db.corrupt-<time>`
//! (with its `-wal` and `-shm` files) next to where it was, so nothing the
//! user had is lost and a tool can still look at it. The sources (folders and
//! their rules) are the one thing that cannot be found again on disk, so they
//! are read from the bad file first, table by table, ignoring everything else;
//! if even that fails the caller must ask the user to add them again.
//!
//! [`rebuild`] is the whole of it for every surface (the CLI's `gleaner
//! rebuild`, the desktop app's "Rebuild index"): they then only have to scan.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::data_dir::DataDir;
use crate::error::{Error, Result};
use crate::index::Index;
use crate::lock::EngineLock;
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

/// What [`rebuild`] did.
#[derive(Debug)]
pub struct Rebuilt {
    /// Where the old file now is (`None` when there was no file).
    pub kept_at: Option<PathBuf>,
    /// The sources added to the new index, as they were stored in the old one.
    pub sources: Vec<PathBuf>,
    /// Salvaged sources that could not be added again (a folder gone since),
    /// with why.
    pub sources_missing: Vec<(PathBuf, Error)>,
    /// Why the old file's sources could not be read at all, if they could
    /// not: the user must add the folders again.
    pub sources_lost: Option<Error>,
}

/// Sets the index of `data_dir` aside and starts a new one holding the
/// sources that could be read from it (disabled ones stay disabled). Nothing
/// is indexed yet: the caller scans, or starts an engine, whose start-up scan
/// does it.
///
/// Takes the engine lock for the time it works, so it fails with
/// [`Error::EngineBusy`] while an engine runs for the directory: that engine
/// has the file open.
pub fn rebuild(data_dir: &DataDir) -> Result<Rebuilt> {
    data_dir.create()?;
    let _lock = EngineLock::acquire(&data_dir.engine_lock())?;
    let aside = set_aside_and_recreate(data_dir)?;
    // One connection to the new file at a time: the facade takes over.
    drop(aside.store);
    let index = Index::open(data_dir.clone())?;
    let mut rebuilt = Rebuilt {
        kept_at: aside.kept_at,
        sources: Vec::new(),
        sources_missing: Vec::new(),
        sources_lost: None,
    };
    match aside.salvaged {
        Ok(salvaged) => {
            for salvaged in salvaged {
                let path = salvaged.source.path.clone();
                match index.add_source(salvaged.source) {
                    Ok(_) => {
                        if !salvaged.active {
                            index.set_source_active(&path, false)?;
                        }
                        rebuilt.sources.push(path);
                    }
                    // A folder gone since: the others are still worth having.
                    Err(err) => rebuilt.sources_missing.push((path, err)),
                }
            }
        }
        Err(err) => rebuilt.sources_lost = Some(err),
    }
    Ok(rebuilt)
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

    fn add(store: &Store, folder: &Path) {
        std::fs::create_dir_all(folder).unwrap();
        store
            .add_source(&NewSource {
                path: folder.canonicalize().unwrap(),
                include: vec![],
                exclude: vec!["drafts/".into()],
                recursive: true,
            })
            .unwrap();
    }

    #[test]
    fn rebuild_adds_back_the_sources_it_can() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(&dir.path().join("data"))).unwrap();
        data_dir.create().unwrap();
        let (kept, disabled, gone) = (
            dir.path().join("kept"),
            dir.path().join("disabled"),
            dir.path().join("gone"),
        );
        {
            let store = Store::open(&data_dir.database()).unwrap();
            for folder in [&kept, &disabled, &gone] {
                add(&store, folder);
            }
            let id = store.sources().unwrap()[1].id;
            store.set_source_active(id, false).unwrap();
        }
        std::fs::remove_dir(&gone).unwrap();

        let rebuilt = rebuild(&data_dir).unwrap();
        assert!(rebuilt.sources_lost.is_none());
        assert!(rebuilt.kept_at.unwrap().exists());
        assert_eq!(rebuilt.sources_missing.len(), 1);
        assert!(rebuilt.sources_missing[0].0.ends_with("gone"));
        assert!(matches!(
            rebuilt.sources_missing[0].1,
            Error::SourceUnavailable { .. }
        ));
        assert_eq!(rebuilt.sources.len(), 2);

        let index = Index::open(data_dir).unwrap();
        let mut state: Vec<(PathBuf, bool, Vec<String>)> = index
            .sources()
            .unwrap()
            .into_iter()
            .map(|s| (s.path, s.active, s.exclude))
            .collect();
        state.sort();
        let drafts = vec!["drafts/".to_string()];
        assert_eq!(
            state,
            vec![
                (disabled.canonicalize().unwrap(), false, drafts.clone()),
                (kept.canonicalize().unwrap(), true, drafts),
            ]
        );
    }

    #[test]
    fn rebuild_of_garbage_says_the_sources_are_lost() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(dir.path())).unwrap();
        std::fs::write(data_dir.database(), [0xA5u8; 8192]).unwrap();
        let rebuilt = rebuild(&data_dir).unwrap();
        assert!(rebuilt.sources_lost.is_some());
        assert!(rebuilt.sources.is_empty() && rebuilt.sources_missing.is_empty());
        assert_eq!(
            std::fs::read(rebuilt.kept_at.unwrap()).unwrap(),
            [0xA5u8; 8192]
        );
        assert!(Index::open(data_dir).unwrap().sources().unwrap().is_empty());
    }

    #[test]
    fn rebuild_refuses_while_an_engine_holds_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(dir.path())).unwrap();
        data_dir.create().unwrap();
        std::fs::write(data_dir.database(), b"garbage").unwrap();
        let _engine = EngineLock::acquire(&data_dir.engine_lock()).unwrap();
        assert!(matches!(rebuild(&data_dir), Err(Error::EngineBusy { .. })));
        assert_eq!(std::fs::read(data_dir.database()).unwrap(), b"garbage");
    }
}
