//! The FTS5 tables of an index made before the search index moved to
//! tantivy (schema 4 and older).
//!
//! They answer searches while the new search index is built from the
//! stored chunks after an upgrade (no file is read again), so an upgraded
//! Gleaner is searchable at once; then they are dropped. Schema 5 removed
//! the triggers that kept them in step, so what they answer is the index
//! as it was before the upgrade.

use rusqlite::params;

use super::Store;
use crate::error::Result;

impl Store {
    /// Whether the old FTS5 tables are still there.
    pub fn has_legacy_fulltext(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'chunks_fts')",
            [],
            |r| r.get(0),
        )?)
    }

    /// The best chunk of each of the best `k` contents for an FTS5
    /// `expression`: (content id, chunk seq, score; higher is better).
    pub fn legacy_fulltext(&self, expression: &str, k: usize) -> Result<Vec<(i64, i64, f64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.content_id, c.seq, bm25(chunks_fts) AS rank
             FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
             WHERE chunks_fts MATCH ?1 ORDER BY rank LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![expression, (k * 8) as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, f64>(2)?,
            ))
        })?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for row in rows {
            let (content, seq, rank) = row?;
            if seen.insert(content) {
                out.push((content, seq, -rank));
            }
            if out.len() >= k {
                break;
            }
        }
        Ok(out)
    }

    /// Drops the old FTS5 tables (the search index holds everything).
    pub fn drop_legacy_fulltext(&self) -> Result<()> {
        self.conn.execute_batch(
            "DROP TABLE IF EXISTS chunks_fts;
             DROP TABLE IF EXISTS names_fts;",
        )?;
        Ok(())
    }
}
