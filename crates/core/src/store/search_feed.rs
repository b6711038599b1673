//! What the search index is built from: the outbox of changed documents,
//! and the searchable state of a unit (a content with its visible
//! documents, or a document known by name only).
//!
//! The store knows nothing of the search index itself (`crate::search`);
//! it only says what changed, in order, and what is true now. A unit is
//! *visible* when at least one of its documents is active in an active
//! source; an invisible unit has no place in the search index.

use std::collections::BTreeSet;

use rusqlite::{params, OptionalExtension};

use super::stored_text::LoadText;
use super::Store;
use crate::error::Result;

/// One thing the search index holds: the text of a content (shared by
/// every document with those bytes) with its documents' names, or one
/// document that has no text (its name alone is searchable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum UnitKey {
    /// A content (`contents.id`).
    Content(i64),
    /// A document without a content (`documents.id`).
    NameOnly(i64),
}

/// The documents of a unit as search shows and filters them.
#[derive(Debug, Clone, Default)]
pub struct UnitLabel {
    /// The visible documents, ordered by path.
    pub documents: Vec<UnitDocument>,
    /// The content's title, if its extractor found one.
    pub title: Option<String>,
    /// Changes whenever the content's chunks change (re-extraction): the
    /// search index re-reads the chunks only then.
    pub chunks_stamp: u64,
    /// How many chunks the content has.
    pub n_chunks: u64,
}

/// One visible document of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDocument {
    /// Row id.
    pub id: i64,
    /// Its source.
    pub source_id: i64,
    /// Absolute path, in the store's text form.
    pub path: String,
    /// File name.
    pub name: String,
    /// Extension, lower case.
    pub ext: String,
    /// Format name.
    pub format: String,
    /// Size in bytes.
    pub size: i64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
}

/// One chunk of a content's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkText {
    /// Position in the content.
    pub seq: i64,
    /// First line (1-based).
    pub line_start: i64,
    /// Last line.
    pub line_end: i64,
    /// The text.
    pub text: String,
}

impl Store {
    /// The changed units after outbox row `after`, up to `limit` rows: the
    /// last row read (`after` when none) and the units, each once.
    pub fn search_outbox_after(&self, after: i64, limit: usize) -> Result<(i64, Vec<UnitKey>)> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, content_id, document_id FROM search_outbox
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![after, limit as i64])?;
        let mut last = after;
        let mut units = BTreeSet::new();
        while let Some(row) = rows.next()? {
            last = row.get(0)?;
            if let Some(content) = row.get::<_, Option<i64>>(1)? {
                units.insert(UnitKey::Content(content));
            }
            // The document may have lost or gained its content: its
            // name-only unit is checked either way.
            units.insert(UnitKey::NameOnly(row.get(2)?));
        }
        Ok((last, units.into_iter().collect()))
    }

    /// This store's id (made once, at schema 5): what a search index
    /// built from it records.
    pub fn store_id(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT id FROM store_identity LIMIT 1", [], |r| r.get(0))?)
    }

    /// The newest outbox row (0 when empty).
    pub fn search_outbox_last(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM search_outbox", [], |r| {
                r.get(0)
            })?)
    }

    /// The sequence number the next outbox row will get, minus one: unlike
    /// [`Store::search_outbox_last`] it stays right when every row was
    /// pruned.
    pub fn search_outbox_high_water(&self) -> Result<i64> {
        let seq: Option<i64> = self
            .conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'search_outbox'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(seq.unwrap_or(0))
    }

    /// Forgets outbox rows up to `seq` (the search index has them).
    pub fn prune_search_outbox(&self, seq: i64) -> Result<u64> {
        Ok(self
            .conn
            .execute("DELETE FROM search_outbox WHERE seq <= ?1", [seq])? as u64)
    }

    /// Every visible unit, in key order (building the search index from
    /// scratch).
    pub fn visible_units(&self) -> Result<Vec<UnitKey>> {
        let mut units = Vec::new();
        let mut contents = self.conn.prepare(
            "SELECT DISTINCT d.content_id FROM documents d JOIN sources s ON s.id = d.source_id
             WHERE d.active = 1 AND s.active = 1 AND d.content_id IS NOT NULL
             ORDER BY d.content_id",
        )?;
        for id in contents.query_map([], |r| r.get(0))? {
            units.push(UnitKey::Content(id?));
        }
        let mut names = self.conn.prepare(
            "SELECT d.id FROM documents d JOIN sources s ON s.id = d.source_id
             WHERE d.active = 1 AND s.active = 1 AND d.content_id IS NULL ORDER BY d.id",
        )?;
        for id in names.query_map([], |r| r.get(0))? {
            units.push(UnitKey::NameOnly(id?));
        }
        Ok(units)
    }

    /// The unit as search should show it now; `None` when it is not visible.
    pub fn unit_label(&self, unit: UnitKey) -> Result<Option<UnitLabel>> {
        const COLUMNS: &str =
            "d.id, d.source_id, d.path, d.name, d.ext, d.format, d.size, d.mtime_ns";
        let documents: Vec<UnitDocument> = match unit {
            UnitKey::Content(id) => self
                .conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM documents d JOIN sources s ON s.id = d.source_id
                     WHERE d.content_id = ?1 AND d.active = 1 AND s.active = 1 ORDER BY d.path"
                ))?
                .query_map([id], unit_document)?
                .collect::<rusqlite::Result<_>>()?,
            UnitKey::NameOnly(id) => self
                .conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM documents d JOIN sources s ON s.id = d.source_id
                     WHERE d.id = ?1 AND d.content_id IS NULL AND d.active = 1 AND s.active = 1"
                ))?
                .query_map([id], unit_document)?
                .collect::<rusqlite::Result<_>>()?,
        };
        if documents.is_empty() {
            return Ok(None);
        }
        let mut label = UnitLabel {
            documents,
            ..UnitLabel::default()
        };
        if let UnitKey::Content(id) = unit {
            let row: Option<(Vec<u8>, String, i64, Option<String>)> = self
                .conn
                .prepare_cached(
                    "SELECT md5, extractor, n_chunks, title FROM contents WHERE id = ?1",
                )?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let Some((md5, extractor, n_chunks, title)) = row else {
                return Ok(None);
            };
            label.chunks_stamp = chunks_stamp(&md5, &extractor, n_chunks);
            label.n_chunks = n_chunks.max(0) as u64;
            label.title = title;
        }
        Ok(Some(label))
    }

    /// Calls `each` with every chunk of a content, in order.
    pub fn for_each_chunk(
        &self,
        content_id: i64,
        mut each: impl FnMut(ChunkText) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, line_start, line_end, text FROM chunks WHERE content_id = ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query([content_id])?;
        while let Some(row) = rows.next()? {
            each(ChunkText {
                seq: row.get(0)?,
                line_start: row.get(1)?,
                line_end: row.get(2)?,
                text: row.get::<_, LoadText>(3)?.0,
            })?;
        }
        Ok(())
    }

    /// One chunk of a content.
    pub fn chunk(&self, content_id: i64, seq: i64) -> Result<Option<ChunkText>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT seq, line_start, line_end, text FROM chunks
                 WHERE content_id = ?1 AND seq = ?2",
            )?
            .query_row(params![content_id, seq], |row| {
                Ok(ChunkText {
                    seq: row.get(0)?,
                    line_start: row.get(1)?,
                    line_end: row.get(2)?,
                    text: row.get::<_, LoadText>(3)?.0,
                })
            })
            .optional()?)
    }

    /// The content an active document points at.
    pub fn document_content(&self, path: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT content_id FROM documents WHERE path = ?1 AND active = 1")?
            .query_row([path], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten())
    }

    /// The first chunk of a content that holds none of the query's words
    /// (a hit found by its name alone shows the start of its text).
    pub fn first_chunk(&self, content_id: i64) -> Result<Option<ChunkText>> {
        self.chunk(content_id, 0)
    }
}

impl UnitLabel {
    /// A fingerprint of everything the label shows and filters on (paths,
    /// names, sources, extensions, formats, times, title): two labels with
    /// the same stamp say the same.
    pub fn label_stamp(&self) -> u64 {
        let mut hash = Fnv::new();
        for d in &self.documents {
            hash.eat(&d.id.to_le_bytes());
            hash.eat(&d.source_id.to_le_bytes());
            hash.eat(d.path.as_bytes());
            hash.eat(&[0]);
            hash.eat(d.name.as_bytes());
            hash.eat(&[0]);
            hash.eat(d.ext.as_bytes());
            hash.eat(&[0]);
            hash.eat(d.format.as_bytes());
            hash.eat(&[0]);
            hash.eat(&d.mtime_ns.to_le_bytes());
        }
        hash.eat(self.title.as_deref().unwrap_or("").as_bytes());
        hash.eat(&self.chunks_stamp.to_le_bytes());
        hash.0
    }
}

/// FNV-1a: stable across builds, which a stamp stored in the search index
/// must be.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn eat(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn unit_document(row: &rusqlite::Row<'_>) -> rusqlite::Result<UnitDocument> {
    Ok(UnitDocument {
        id: row.get(0)?,
        source_id: row.get(1)?,
        path: row.get(2)?,
        name: row.get(3)?,
        ext: row.get(4)?,
        format: row.get(5)?,
        size: row.get(6)?,
        mtime_ns: row.get(7)?,
    })
}

/// A fingerprint of a content's chunks: the bytes they came from, the
/// extractor that made them and how many there are.
fn chunks_stamp(md5: &[u8], extractor: &str, n_chunks: i64) -> u64 {
    let mut hash = Fnv::new();
    hash.eat(md5);
    hash.eat(extractor.as_bytes());
    hash.eat(&n_chunks.to_le_bytes());
    hash.0
}
