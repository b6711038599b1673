//! Documents and contents: the scan's write path and the reads it plans from.
//! One file because the write path's statements belong to one transaction shape.
//!
//! A batch of [`WriteOp`]s is applied in one transaction. New text is written
//! before a path is switched to it; a content that no document (active or
//! inactive) points at any more is dropped in the same transaction.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::stored_text::{LoadText, StoreText};
use super::{now_ms, JobCounts, Store};
use crate::error::Result;
use crate::fingerprint::{FileStat, Md5};

/// What the store knows of one path, for change detection.
#[derive(Debug, Clone)]
pub struct DocumentState {
    /// Row id.
    pub id: i64,
    /// Content the path points at, if any.
    pub content_id: Option<i64>,
    /// Stat recorded when the path was last indexed.
    pub stat: FileStat,
    /// Whether the path is live (not deleted).
    pub active: bool,
    /// Last failure, if the path failed.
    pub error: Option<String>,
    /// Unix ms after which a failed path is retried.
    pub retry_at: Option<i64>,
    /// Extractor that made the content's text.
    pub extractor: Option<String>,
    /// The format the path was indexed as.
    pub format: String,
}

/// A chunk of extracted text with its place in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChunk {
    /// Byte offset of the chunk in the extracted text.
    pub byte_start: usize,
    /// Byte offset one past its end.
    pub byte_end: usize,
    /// First line (1-based).
    pub line_start: usize,
    /// Last line (1-based, inclusive).
    pub line_end: usize,
    /// The chunk's text.
    pub text: String,
}

/// The extracted, chunked text of one content, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewContent {
    /// MD5 of the file's bytes.
    pub md5: Md5,
    /// Size of the file's bytes.
    pub size: u64,
    /// Format name (see `extract::Format::as_str`).
    pub format: &'static str,
    /// Extractor id and version.
    pub extractor: String,
    /// Length of the extracted text.
    pub text_bytes: usize,
    /// The chunks, in order, covering the whole text.
    pub chunks: Vec<StoredChunk>,
    /// The document's title, when its extractor found one.
    pub title: Option<String>,
}

/// Identifies a file's place: which source, which path.
#[derive(Debug, Clone)]
pub struct DocumentRow {
    /// Source row id.
    pub source_id: i64,
    /// Absolute path.
    pub path: String,
    /// Path relative to the source root.
    pub rel_path: String,
    /// File name.
    pub name: String,
    /// Lower-case extension without the dot ("" when none).
    pub ext: String,
    /// Format name.
    pub format: &'static str,
    /// Stat at the time the file was read.
    pub stat: FileStat,
}

/// What a path's content is after this write.
#[derive(Debug, Clone)]
pub enum ContentChange {
    /// A content already stored (a duplicate, a move detected by hash, an unchanged hash).
    Existing(i64),
    /// Freshly extracted text.
    New(NewContent),
    /// No text: the file is listed by name only.
    NameOnly,
}

/// One change to the index.
#[derive(Debug, Clone)]
pub enum WriteOp {
    /// A path's content is (re)set; creates the document if needed and revives an inactive one.
    Index {
        /// The path.
        row: DocumentRow,
        /// Its content.
        content: ContentChange,
    },
    /// The document `doc_id` now lives at `row.path` (rename or move): no text changes.
    Move {
        /// The moved document.
        doc_id: i64,
        /// Its new place.
        row: DocumentRow,
    },
    /// Only the stat changed (e.g. touched, same bytes).
    Restat {
        /// The document.
        doc_id: i64,
        /// The new stat.
        stat: FileStat,
    },
    /// Reading or extracting the path failed. The old content, if any, is kept.
    Fail {
        /// The path.
        row: DocumentRow,
        /// What went wrong, in plain words.
        error: String,
        /// When to try again (unix ms); `None`: not until the file changes
        /// (it crashed or stalled its parser).
        retry_at: Option<i64>,
    },
    /// The path is gone from disk (or from the rules): it leaves search at once.
    Delete {
        /// The document.
        doc_id: i64,
    },
}

/// A batch of changes, applied atomically.
pub type WriteBatch = Vec<WriteOp>;

/// A document whose last read or extraction failed.
#[derive(Debug, Clone, Serialize)]
pub struct FailedDocument {
    /// Absolute path.
    pub path: String,
    /// The failure.
    pub error: String,
    /// Consecutive failures.
    pub error_count: i64,
    /// When it is tried again (unix ms).
    pub retry_at: Option<i64>,
}

impl Store {
    /// Everything the store knows about the paths of one source, keyed by path.
    pub fn document_states(&self, source_id: i64) -> Result<HashMap<String, DocumentState>> {
        self.document_states_where(source_id, None)
    }

    /// What the store knows about the paths of one source at or below any of
    /// `paths` (a file, or a folder and everything in it).
    pub fn document_states_under(
        &self,
        source_id: i64,
        paths: &[String],
    ) -> Result<HashMap<String, DocumentState>> {
        let mut states = HashMap::new();
        for path in paths {
            states.extend(self.document_states_where(source_id, Some(path))?);
        }
        Ok(states)
    }

    fn document_states_where(
        &self,
        source_id: i64,
        under: Option<&str>,
    ) -> Result<HashMap<String, DocumentState>> {
        // Paths below a folder sort between "folder/" and "folder0" ('0' is
        // the byte after '/'), which lets the primary key index do the range.
        let (exact, low, high) = match under {
            Some(path) => {
                let path = path.trim_end_matches('/');
                (
                    Some(path.to_string()),
                    Some(format!("{path}/")),
                    Some(format!("{path}0")),
                )
            }
            None => (None, None, None),
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.path, d.id, d.content_id, d.size, d.mtime_ns, d.inode, d.dev, d.active,
                    d.error, d.retry_at, c.extractor, d.format
             FROM documents d LEFT JOIN contents c ON c.id = d.content_id
             WHERE d.source_id = ?1
               AND (?2 IS NULL OR d.path = ?2 OR (d.path >= ?3 AND d.path < ?4))",
        )?;
        let rows = stmt.query_map(params![source_id, exact, low, high], |row| {
            Ok((
                row.get::<_, String>(0)?,
                DocumentState {
                    id: row.get(1)?,
                    content_id: row.get(2)?,
                    stat: FileStat {
                        size: row.get::<_, i64>(3)? as u64,
                        mtime_ns: row.get(4)?,
                        inode: row.get::<_, i64>(5)? as u64,
                        dev: row.get::<_, i64>(6)? as u64,
                    },
                    active: row.get(7)?,
                    error: row.get(8)?,
                    retry_at: row.get(9)?,
                    extractor: row.get(10)?,
                    format: row.get(11)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The active document of a source with exactly this inode, size and
    /// mtime (the same file, perhaps under another name), with its path.
    pub fn document_by_stat(
        &self,
        source_id: i64,
        stat: &FileStat,
        format: &str,
    ) -> Result<Option<(String, i64)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT path, id FROM documents
                 WHERE inode = ?2 AND source_id = ?1 AND size = ?3 AND mtime_ns = ?4 AND active = 1
                   AND error IS NULL AND format = ?5",
            )?
            .query_row(
                params![
                    source_id,
                    stat.inode as i64,
                    stat.size as i64,
                    stat.mtime_ns,
                    format
                ],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// The stored content with this hash and the extractor that made it.
    pub fn content_by_md5(&self, md5: &Md5) -> Result<Option<(i64, String)>> {
        let lookup = || -> Result<Option<(i64, String)>> {
            Ok(self
                .conn
                .prepare_cached("SELECT id, extractor FROM contents WHERE md5 = ?1")?
                .query_row([&md5[..]], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?)
        };
        // Its callers may go on without an answer; damage must not be lost.
        self.noting_corruption(lookup())
    }

    /// Applies a batch in one transaction, with the progress of the job it
    /// belongs to, so the job row never runs ahead of (or behind) the
    /// documents it counts. Returns the number of chunks written.
    pub fn apply(&mut self, batch: &[WriteOp], job: Option<(&str, &JobCounts)>) -> Result<u64> {
        // IMMEDIATE: take the write lock at BEGIN. A deferred transaction
        // that reads first and then writes fails at once with "database is
        // locked" when another writer committed in between (SQLite cannot
        // wait there without risking a deadlock).
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut chunks_written = 0u64;
        for op in batch {
            chunks_written += apply_one(&tx, op)?;
        }
        if let Some((id, counts)) = job {
            let mut counts = counts.clone();
            counts.total_chunks += chunks_written;
            super::jobs::write_job_counts(&tx, id, &counts)?;
        }
        tx.commit()?;
        super::commit_signal::announce();
        Ok(chunks_written)
    }

    /// Deletes the contents (and their text) that no document points at.
    /// Only safe when no scan is reading: the CLI calls it at the end of its
    /// own scan, the engine during maintenance, when no job runs.
    pub fn collect_orphans(&mut self) -> Result<u64> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM chunks WHERE content_id IN
                 (SELECT id FROM contents c WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.content_id = c.id))",
            [],
        )?;
        let n = tx.execute(
            "DELETE FROM contents WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.content_id = contents.id)",
            [],
        )? as u64;
        tx.commit()?;
        Ok(n)
    }

    /// Like [`collect_orphans`](Self::collect_orphans), but looks only at
    /// the contents `ids` (those a live update may have displaced), so its
    /// cost follows the change, not the size of the index.
    pub fn collect_orphans_among(&mut self, ids: &[i64]) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut n = 0;
        {
            let orphan = "NOT EXISTS (SELECT 1 FROM documents d WHERE d.content_id = ?1)";
            let mut chunks = tx.prepare_cached(&format!(
                "DELETE FROM chunks WHERE content_id = ?1 AND {orphan}"
            ))?;
            let mut contents =
                tx.prepare_cached(&format!("DELETE FROM contents WHERE id = ?1 AND {orphan}"))?;
            for id in ids {
                chunks.execute([id])?;
                n += contents.execute([id])? as u64;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Active documents of a source (or of all sources) whose last attempt failed.
    pub fn failed_documents(&self, source_id: Option<i64>) -> Result<Vec<FailedDocument>> {
        let mut stmt = self.conn.prepare(
            "SELECT path, error, error_count, retry_at FROM documents
             WHERE error IS NOT NULL AND active = 1 AND (?1 IS NULL OR source_id = ?1)
             ORDER BY path",
        )?;
        let rows = stmt.query_map([source_id], |row| {
            Ok(FailedDocument {
                path: row.get(0)?,
                error: row.get(1)?,
                error_count: row.get(2)?,
                retry_at: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The extracted text of the active document at `path` in an active
    /// source, if it has any. A disabled source keeps its documents (to be
    /// enabled again without a rescan), but their text is no longer served:
    /// disabling a folder is how a user takes it out of reach.
    pub fn document_text(&self, path: &str) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.text FROM documents d
             JOIN sources s ON s.id = d.source_id AND s.active = 1
             JOIN chunks c ON c.content_id = d.content_id
             WHERE d.path = ?1 AND d.active = 1 ORDER BY c.seq",
        )?;
        let mut rows = stmt.query([path])?;
        let mut text: Option<String> = None;
        while let Some(row) = rows.next()? {
            text.get_or_insert_with(String::new)
                .push_str(&row.get::<_, LoadText>(0)?.0);
        }
        Ok(text)
    }
}

fn apply_one(tx: &Transaction<'_>, op: &WriteOp) -> Result<u64> {
    match op {
        WriteOp::Index { row, content } => {
            let (content_id, chunks) = match content {
                ContentChange::Existing(id) => (
                    Some(*id).filter(|id| content_exists(tx, *id).unwrap_or(false)),
                    0,
                ),
                ContentChange::New(new) => {
                    let (id, chunks) = store_content(tx, new)?;
                    (Some(id), chunks)
                }
                ContentChange::NameOnly => (None, 0),
            };
            let old = previous_content(tx, &row.path)?;
            tx.prepare_cached(
                "INSERT INTO documents (source_id, path, rel_path, name, ext, format, content_id,
                     size, mtime_ns, inode, dev, active, deleted_at, first_seen_at, indexed_at,
                     error, error_count, retry_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, NULL, ?12, ?12, NULL, 0, NULL)
                 ON CONFLICT(path) DO UPDATE SET
                     source_id = excluded.source_id, rel_path = excluded.rel_path,
                     name = excluded.name, ext = excluded.ext, format = excluded.format,
                     content_id = excluded.content_id, size = excluded.size,
                     mtime_ns = excluded.mtime_ns, inode = excluded.inode, dev = excluded.dev,
                     active = 1, deleted_at = NULL, indexed_at = excluded.indexed_at,
                     error = NULL, error_count = 0, retry_at = NULL",
            )?
            .execute(params![
                row.source_id,
                row.path,
                row.rel_path,
                row.name,
                row.ext,
                row.format,
                content_id,
                row.stat.size as i64,
                row.stat.mtime_ns,
                row.stat.inode as i64,
                row.stat.dev as i64,
                now_ms(),
            ])?;
            // The old content, if nobody points at it any more, is left for
            // maintenance (`Store::collect_orphans`): a reader thread may
            // have just looked it up by hash for another file, and deleting
            // it here would break that file's write.
            let _ = old;
            Ok(chunks)
        }
        WriteOp::Move { doc_id, row } => {
            // A stale, inactive row may still hold the destination path.
            let displaced: Option<(i64, Option<i64>)> = tx
                .query_row(
                    "SELECT id, content_id FROM documents WHERE path = ?1 AND id != ?2",
                    params![row.path, doc_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((displaced_id, _)) = displaced {
                tx.execute("DELETE FROM documents WHERE id = ?1", [displaced_id])?;
            }
            tx.prepare_cached(
                "UPDATE documents SET source_id = ?2, path = ?3, rel_path = ?4, name = ?5, ext = ?6,
                     size = ?7, mtime_ns = ?8, inode = ?9, dev = ?10, active = 1, deleted_at = NULL
                 WHERE id = ?1",
            )?
            .execute(params![
                doc_id,
                row.source_id,
                row.path,
                row.rel_path,
                row.name,
                row.ext,
                row.stat.size as i64,
                row.stat.mtime_ns,
                row.stat.inode as i64,
                row.stat.dev as i64,
            ])?;
            Ok(0)
        }
        WriteOp::Restat { doc_id, stat } => {
            tx.prepare_cached(
                "UPDATE documents SET size = ?2, mtime_ns = ?3, inode = ?4, dev = ?5,
                     active = 1, deleted_at = NULL, error = NULL, error_count = 0, retry_at = NULL
                 WHERE id = ?1",
            )?
            .execute(params![
                doc_id,
                stat.size as i64,
                stat.mtime_ns,
                stat.inode as i64,
                stat.dev as i64
            ])?;
            Ok(0)
        }
        WriteOp::Fail {
            row,
            error,
            retry_at,
        } => {
            tx.prepare_cached(
                "INSERT INTO documents (source_id, path, rel_path, name, ext, format, content_id,
                     size, mtime_ns, inode, dev, active, first_seen_at, indexed_at,
                     error, error_count, retry_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, ?10, 1, ?11, ?11, ?12, 1, ?13)
                 ON CONFLICT(path) DO UPDATE SET
                     size = excluded.size, mtime_ns = excluded.mtime_ns, inode = excluded.inode,
                     dev = excluded.dev, active = 1, deleted_at = NULL,
                     error = excluded.error, error_count = documents.error_count + 1,
                     retry_at = excluded.retry_at",
            )?
            .execute(params![
                row.source_id,
                row.path,
                row.rel_path,
                row.name,
                row.ext,
                row.format,
                row.stat.size as i64,
                row.stat.mtime_ns,
                row.stat.inode as i64,
                row.stat.dev as i64,
                now_ms(),
                error,
                retry_at,
            ])?;
            Ok(0)
        }
        WriteOp::Delete { doc_id } => {
            tx.prepare_cached(
                "UPDATE documents SET active = 0, deleted_at = ?2 WHERE id = ?1 AND active = 1",
            )?
            .execute(params![doc_id, now_ms()])?;
            Ok(0)
        }
    }
}

fn content_exists(tx: &Transaction<'_>, id: i64) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM contents WHERE id = ?1)")?
        .query_row([id], |row| row.get(0))?)
}

fn previous_content(tx: &Transaction<'_>, path: &str) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT content_id FROM documents WHERE path = ?1")?
        .query_row([path], |row| row.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

/// Stores a content (or refreshes one made by an older extractor) and returns
/// its id and the number of chunks written.
fn store_content(tx: &Transaction<'_>, new: &NewContent) -> Result<(i64, u64)> {
    let existing: Option<(i64, String)> = tx
        .prepare_cached("SELECT id, extractor FROM contents WHERE md5 = ?1")?
        .query_row([&new.md5[..]], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let id = match existing {
        // Another worker stored the same bytes first (duplicates in one batch).
        Some((id, extractor)) if extractor == new.extractor => return Ok((id, 0)),
        // Re-extraction by a newer extractor: replace the text in place, so
        // every document sharing the content sees the new text at once.
        Some((id, _)) => {
            tx.execute("DELETE FROM chunks WHERE content_id = ?1", [id])?;
            tx.execute(
                "UPDATE contents SET format = ?2, extractor = ?3, text_bytes = ?4, n_chunks = ?5,
                     title = ?6
                 WHERE id = ?1",
                params![
                    id,
                    new.format,
                    new.extractor,
                    new.text_bytes as i64,
                    new.chunks.len() as i64,
                    new.title
                ],
            )?;
            id
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO contents (md5, size, format, extractor, text_bytes, n_chunks, created_at,
                     title)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                &new.md5[..],
                new.size as i64,
                new.format,
                new.extractor,
                new.text_bytes as i64,
                new.chunks.len() as i64,
                now_ms(),
                new.title
            ])?;
            tx.last_insert_rowid()
        }
    };
    let mut insert = tx.prepare_cached(
        "INSERT INTO chunks (content_id, seq, byte_start, byte_end, line_start, line_end, text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (seq, chunk) in new.chunks.iter().enumerate() {
        insert.execute(params![
            id,
            seq as i64,
            chunk.byte_start as i64,
            chunk.byte_end as i64,
            chunk.line_start as i64,
            chunk.line_end as i64,
            StoreText(&chunk.text)
        ])?;
    }
    Ok((id, new.chunks.len() as u64))
}
