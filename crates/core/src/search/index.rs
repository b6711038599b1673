//! Opening the search index: two tantivy indexes in `search/` of the data
//! directory, the version file that says how they were built, and the
//! high-water mark each commit carries.
//!
//! `search/VERSION` holds the schema version and the analysis fingerprint.
//! An index built otherwise (an older Gleaner, a changed analyzer) is not
//! searched: the engine throws it away and builds a new one from the store,
//! as a job the user sees. Each tantivy commit carries a [`Mark`]: the last
//! store outbox row it contains, and whether the index was complete at
//! that point. A new engine replays the outbox after the mark, so a crash
//! at any moment costs a replay, never a wrong answer.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::Index;

use super::analysis::{analysis_fingerprint, register_tokenizers};
use super::read_directory::WriterDirectory;
use super::schema::{self, ChunkFields, LabelFields, SCHEMA_VERSION};
use crate::error::{Error, Result};

/// The folder of the search index, inside the data directory.
pub const SEARCH_DIR: &str = "search";

const VERSION_FILE: &str = "VERSION";

/// What a commit of the search index contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mark {
    /// Every store change up to this outbox row is in the index.
    pub seq: i64,
    /// The index holds every unit (the first build has finished).
    pub complete: bool,
}

/// The two tantivy indexes.
#[derive(Clone)]
pub struct SearchIndex {
    pub(super) chunks: Index,
    pub(super) chunk_fields: ChunkFields,
    pub(super) labels: Index,
    pub(super) label_fields: LabelFields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

/// What `VERSION` says for an index of this build made from the store
/// `store_id`.
fn version_line(store_id: &str) -> String {
    format!(
        "schema {SCHEMA_VERSION}\nanalysis {}\nstore {store_id}\n",
        analysis_fingerprint()
    )
}

impl SearchIndex {
    /// Opens the index in `dir` for writing, creating it if needed. An
    /// index of another version is deleted first; the flag says whether
    /// that happened (the caller announces the rebuild).
    pub fn open_for_writing(dir: &Path, store_id: &str) -> Result<(SearchIndex, bool)> {
        let version = dir.join(VERSION_FILE);
        let current = std::fs::read_to_string(&version).ok();
        let replaced = match &current {
            Some(line) if *line == version_line(store_id) => false,
            Some(_) => true,
            None => dir.exists(),
        };
        if replaced || current.is_none() {
            if dir.exists() {
                std::fs::remove_dir_all(dir)
                    .map_err(|e| Error::io("removing the old search index", dir, e))?;
            }
            for part in ["chunks", "labels"] {
                let path = dir.join(part);
                std::fs::create_dir_all(&path)
                    .map_err(|e| Error::io("creating the search index", &path, e))?;
            }
            std::fs::write(&version, version_line(store_id))
                .map_err(|e| Error::io("writing the search index version", &version, e))?;
        }
        Ok((SearchIndex::open_parts(dir, true)?, replaced))
    }

    /// Opens an index for searching; `None` when there is none, or it was
    /// built by another version or from another store (the engine
    /// rebuilds it).
    pub fn open_for_reading(dir: &Path, store_id: &str) -> Result<Option<SearchIndex>> {
        match std::fs::read_to_string(dir.join(VERSION_FILE)) {
            Ok(line) if line == version_line(store_id) => {
                Ok(Some(SearchIndex::open_parts(dir, false)?))
            }
            _ => Ok(None),
        }
    }

    fn open_parts(dir: &Path, create: bool) -> Result<SearchIndex> {
        let (chunk_schema, chunk_fields) = schema::chunks();
        let (label_schema, label_fields) = schema::labels();
        let chunks = open_one(&dir.join("chunks"), chunk_schema, create)?;
        let labels = open_one(&dir.join("labels"), label_schema, create)?;
        Ok(SearchIndex {
            chunks,
            chunk_fields,
            labels,
            label_fields,
        })
    }

    /// What the last commits contain: the older of the two marks (the
    /// writer commits labels, then chunks).
    pub fn mark(&self) -> Result<Mark> {
        let chunks = mark_of(&self.chunks)?;
        let labels = mark_of(&self.labels)?;
        Ok(Mark {
            seq: chunks.seq.min(labels.seq),
            complete: chunks.complete && labels.complete,
        })
    }
}

/// Opens one of the two indexes; `create` is the writer's side, which reads
/// what it merges without mapping it (see `read_directory`).
fn open_one(path: &PathBuf, schema: tantivy::schema::Schema, create: bool) -> Result<Index> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::SearchIndex(tantivy::TantivyError::SystemError(format!(
            "{}: {e}",
            path.display()
        )))
    };
    let index = if create {
        let directory = WriterDirectory::open(path).map_err(|e| unreadable(&e))?;
        Index::open_or_create(directory, schema)?
    } else {
        let directory = MmapDirectory::open(path).map_err(|e| unreadable(&e))?;
        Index::open(directory)?
    };
    register_tokenizers(index.tokenizers());
    Ok(index)
}

fn mark_of(index: &Index) -> Result<Mark> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default())
}
