//! Ranked full-text search over chunk text and file names.
//!
//! One hit per document: the document's best chunk gives its score, snippet
//! and line range. Documents sharing one content are separate hits, each with
//! its own path. A file-name match adds to a document's score (or makes a hit
//! of its own), so typing a file's name finds it even when its text does not
//! say it. Scores are bm25, negated so that higher is better.

use std::collections::HashMap;

use rusqlite::params;
use serde::Serialize;

use super::Store;
use crate::error::Result;
use crate::query::FtsQuery;

/// Restrictions on a search.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Only this source.
    pub source_id: Option<i64>,
    /// Only files with this extension (lower case, no dot).
    pub ext: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// Absolute path of the document.
    pub path: String,
    /// Relevance: higher is better.
    pub score: f64,
    /// A piece of the text with the matched words between `**`.
    pub snippet: String,
    /// First line of the matching chunk (1-based), if the text matched.
    pub line_start: Option<i64>,
    /// Last line of the matching chunk, if the text matched.
    pub line_end: Option<i64>,
    /// The document's file name.
    pub name: String,
    /// Its format (text, html, pdf, …).
    pub format: String,
    /// Size in bytes.
    pub size: i64,
    /// Modification time, unix ms.
    pub modified_ms: i64,
    /// Whether the file name matched the query.
    pub name_matched: bool,
    /// Source row id.
    pub source_id: i64,
}

/// What the best file-name match is worth, as a share of the best text match.
const NAME_MATCH_WEIGHT: f64 = 0.5;

impl Store {
    /// Runs a parsed query and returns the best `limit` documents.
    pub fn search(
        &self,
        query: &FtsQuery,
        filter: &SearchFilter,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        let limit = limit.max(1);
        // Over-fetch chunks: several of a document's chunks may rank high.
        let fetch = (limit * 4 + 16) as i64;
        let mut by_doc: HashMap<i64, SearchHit> = HashMap::new();
        let mut order: Vec<i64> = Vec::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT d.id, d.path, -bm25(chunks_fts), snippet(chunks_fts, 0, '**', '**', '…', 24),
                        c.line_start, c.line_end, d.name, d.format, d.size, d.mtime_ns, d.source_id
                 FROM chunks_fts
                 JOIN chunks c ON c.id = chunks_fts.rowid
                 JOIN documents d ON d.content_id = c.content_id AND d.active = 1
                 WHERE chunks_fts MATCH ?1
                   AND (?2 IS NULL OR d.source_id = ?2)
                   AND (?3 IS NULL OR d.ext = ?3)
                 ORDER BY bm25(chunks_fts)
                 LIMIT ?4",
            )?;
            let rows = stmt.query_map(
                params![query.expression, filter.source_id, filter.ext, fetch],
                |row| {
                    Ok(SearchHit {
                        path: row.get(1)?,
                        score: row.get(2)?,
                        snippet: row.get(3)?,
                        line_start: row.get(4)?,
                        line_end: row.get(5)?,
                        name: row.get(6)?,
                        format: row.get(7)?,
                        size: row.get(8)?,
                        modified_ms: row.get::<_, i64>(9)? / 1_000_000,
                        name_matched: false,
                        source_id: row.get(10)?,
                    })
                    .map(|hit| (row.get::<_, i64>(0).unwrap_or_default(), hit))
                },
            )?;
            for row in rows {
                let (id, hit) = row?;
                if let std::collections::hash_map::Entry::Vacant(slot) = by_doc.entry(id) {
                    slot.insert(hit);
                    order.push(id);
                }
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.path, -bm25(names_fts), highlight(names_fts, 0, '**', '**'),
                    d.name, d.format, d.size, d.mtime_ns, d.source_id
             FROM names_fts JOIN documents d ON d.id = names_fts.rowid AND d.active = 1
             WHERE names_fts MATCH ?1
               AND (?2 IS NULL OR d.source_id = ?2)
               AND (?3 IS NULL OR d.ext = ?3)
             ORDER BY bm25(names_fts)
             LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![query.expression, filter.source_id, filter.ext, fetch],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    SearchHit {
                        path: row.get(1)?,
                        score: row.get(2)?,
                        snippet: row.get(3)?,
                        line_start: None,
                        line_end: None,
                        name: row.get(4)?,
                        format: row.get(5)?,
                        size: row.get(6)?,
                        modified_ms: row.get::<_, i64>(7)? / 1_000_000,
                        name_matched: true,
                        source_id: row.get(8)?,
                    },
                ))
            },
        )?;
        let name_hits: Vec<(i64, SearchHit)> = rows.collect::<rusqlite::Result<_>>()?;
        // bm25 of a file name and of a chunk are not on one scale (names are
        // short, and their statistics differ), so a name match is scaled to
        // the text matches: the best name match is worth NAME_MATCH_WEIGHT of
        // the best text match.
        let best_name = name_hits
            .iter()
            .map(|(_, h)| h.score)
            .fold(f64::MIN, f64::max);
        let best_text = by_doc.values().map(|h| h.score).fold(f64::MIN, f64::max);
        let scale = if best_text > 0.0 && best_name > 0.0 {
            best_text / best_name
        } else {
            1.0
        };
        for (id, name_hit) in name_hits {
            let bonus = NAME_MATCH_WEIGHT * name_hit.score * scale;
            match by_doc.get_mut(&id) {
                Some(hit) => {
                    hit.name_matched = true;
                    hit.score += bonus;
                }
                None => {
                    let mut hit = name_hit;
                    hit.score = bonus;
                    by_doc.insert(id, hit);
                    order.push(id);
                }
            }
        }
        let mut hits: Vec<SearchHit> = order
            .into_iter()
            .filter_map(|id| by_doc.remove(&id))
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.path.cmp(&b.path))
        });
        hits.truncate(limit);
        Ok(hits)
    }
}
