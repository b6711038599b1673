//! Ranked full-text search over chunk text and file names.
//!
//! One hit per document: the document's best chunk gives its score, snippet
//! and line range. Documents sharing one content are separate hits, each with
//! its own path. A file-name match adds to a document's score (or makes a hit
//! of its own), so typing a file's name finds it even when its text does not
//! say it. Scores are bm25 (see [`super::rank`]), negated so that higher is
//! better.
//!
//! The query's expression is evaluated once, to rank the newest matches;
//! snippets are made from the shown chunks' text (see [`super::snippet`]).
//! A common `prefix*` is first replaced by its most frequent words (see
//! [`super::prefix`]): FTS5 would otherwise merge the lists of every term
//! with the prefix before returning a row.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::snippet::Highlighter;
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

/// At most this many matching chunks are ranked, the most recently
/// indexed ones. FTS5 computes bm25 for every match before it can sort, so
/// a common word (`the`, `use`) over a large index cost seconds; past this
/// many matches such a word says little about relevance anyway, and the
/// newest chunks are the likeliest to be wanted. A rarer query matches
/// fewer chunks and is ranked whole.
const RANKING_WINDOW: usize = 4_000;

/// Text hits: document id → its best chunk's hit (snippet not yet made),
/// the ids in rank order, and each document's best chunk.
type TextHits = (HashMap<i64, SearchHit>, Vec<i64>, HashMap<i64, i64>);

/// How long each stage of one search took, for the debug log: where a slow
/// query spends its time is the first thing to know about it.
struct Stages {
    last: std::time::Instant,
    spent: Vec<(&'static str, std::time::Duration)>,
}

impl Stages {
    fn start() -> Stages {
        Stages {
            last: std::time::Instant::now(),
            spent: Vec::new(),
        }
    }

    /// Ends the stage called `name` (a stage run several times adds up).
    fn mark(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        let took = now - self.last;
        self.last = now;
        match self.spent.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += took,
            None => self.spent.push((name, took)),
        }
    }
}

impl std::fmt::Display for Stages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (name, took)) in self.spent.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{name} {:.1} ms", took.as_secs_f64() * 1e3)?;
        }
        Ok(())
    }
}

impl Store {
    /// Runs a parsed query and returns the best `limit` documents.
    pub fn search(
        &self,
        query: &FtsQuery,
        filter: &SearchFilter,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        let limit = limit.max(1);
        let mut stages = Stages::start();
        self.register_rank_once()?;
        let expression = self.expression_for(query)?;
        stages.mark("expression");
        let (mut by_doc, mut order, best_chunk) =
            self.text_hits(&expression, filter, limit, RANKING_WINDOW, &mut stages)?;
        // File names keep the prefix query as typed: their index is small,
        // so FTS5's merge of a prefix's terms is cheap there. Like chunks,
        // only the newest matches are ranked, so that a name token found in
        // tens of thousands of names (`c` of every `.c` file) costs little.
        let fetch = limit * 4 + 16;
        let (lowest_doc, highest_doc) = self.row_id_range("documents")?;
        let ranked_names = self.rank_window(
            "names_fts",
            &query.expression,
            RANKING_WINDOW,
            (lowest_doc, highest_doc),
        )?;
        let mut document = self.conn.prepare_cached(
            "SELECT d.path, d.name, d.format, d.size, d.mtime_ns, d.source_id
             FROM documents d
             WHERE d.id = ?1 AND d.active = 1
               AND (?2 IS NULL OR d.source_id = ?2)
               AND (?3 IS NULL OR d.ext = ?3)",
        )?;
        let mut name_hits: Vec<(i64, SearchHit)> = Vec::new();
        for (doc_id, score) in ranked_names {
            if name_hits.len() >= fetch {
                break;
            }
            let hit = document
                .query_row(params![doc_id, filter.source_id, filter.ext], |row| {
                    Ok(SearchHit {
                        path: row.get(0)?,
                        score,
                        snippet: String::new(),
                        line_start: None,
                        line_end: None,
                        name: row.get(1)?,
                        format: row.get(2)?,
                        size: row.get(3)?,
                        modified_ms: row.get::<_, i64>(4)? / 1_000_000,
                        name_matched: true,
                        source_id: row.get(5)?,
                    })
                })
                .optional()?;
            if let Some(hit) = hit {
                name_hits.push((doc_id, hit));
            }
        }
        stages.mark("names");
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
        let mut hits: Vec<(i64, SearchHit)> = order
            .into_iter()
            .filter_map(|id| by_doc.remove(&id).map(|hit| (id, hit)))
            .collect();
        hits.sort_by(|(_, a), (_, b)| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.path.cmp(&b.path))
        });
        hits.truncate(limit);
        // Snippets cost a read and a tokenization of the chunk: only for the
        // hits shown. They are made from the chunk's text (see
        // `super::snippet`); FTS5's snippet() remains for a chunk in which
        // the query's terms are not found that way.
        let highlighter = Highlighter::new(&self.conn, query)?;
        let mut chunk_text = self
            .conn
            .prepare_cached("SELECT text FROM chunks WHERE id = ?1")?;
        let mut fts5_snippet = self.conn.prepare_cached(
            "SELECT snippet(chunks_fts, 0, '**', '**', '…', 24) FROM chunks_fts
             WHERE chunks_fts MATCH ?1 AND rowid = ?2",
        )?;
        let mut name_snippet = self.conn.prepare_cached(
            "SELECT highlight(names_fts, 0, '**', '**') FROM names_fts
             WHERE names_fts MATCH ?1 AND rowid = ?2",
        )?;
        for (doc_id, hit) in &mut hits {
            let Some(chunk_id) = best_chunk.get(doc_id) else {
                // A file-name match: its snippet is the name.
                hit.snippet = name_snippet
                    .query_row(params![query.expression, *doc_id], |r| r.get(0))
                    .optional()?
                    .unwrap_or_else(|| hit.name.clone());
                continue;
            };
            let text: Option<String> = chunk_text
                .query_row(params![chunk_id], |r| r.get(0))
                .optional()?;
            let mut made = match text {
                Some(text) => highlighter.snippet(&text)?,
                None => None,
            };
            if made.is_none() {
                made = fts5_snippet
                    .query_row(params![expression, chunk_id], |r| r.get(0))
                    .optional()?;
            }
            if let Some(text) = made {
                hit.snippet = text;
            }
        }
        stages.mark("snippets");
        tracing::debug!(query = %query.expression, hits = hits.len(), "search stages: {stages}");
        Ok(hits.into_iter().map(|(_, hit)| hit).collect())
    }

    /// The best `limit` documents by their best chunk, ranking at most
    /// `window` matching chunks (see [`RANKING_WINDOW`]).
    ///
    /// Ranking runs on the FTS table alone, and only the chunks it returns
    /// are joined with their documents, best first: a chunk of a deleted or
    /// filtered-out document is skipped.
    fn text_hits(
        &self,
        expression: &str,
        filter: &SearchFilter,
        limit: usize,
        window: usize,
        stages: &mut Stages,
    ) -> Result<TextHits> {
        self.register_rank_once()?;
        let bounds = self.row_id_range("chunks")?;
        let ranked = self.rank_window("chunks_fts", expression, window, bounds)?;
        stages.mark("rank");
        let mut documents = self.conn.prepare_cached(
            "SELECT d.id, d.path, c.line_start, c.line_end, d.name, d.format, d.size,
                    d.mtime_ns, d.source_id
             FROM chunks c JOIN documents d ON d.content_id = c.content_id AND d.active = 1
             WHERE c.id = ?1
               AND (?2 IS NULL OR d.source_id = ?2)
               AND (?3 IS NULL OR d.ext = ?3)",
        )?;
        let mut by_doc: HashMap<i64, SearchHit> = HashMap::new();
        let mut order: Vec<i64> = Vec::new();
        let mut best_chunk: HashMap<i64, i64> = HashMap::new();
        // Past the `limit`-th document no chunk can enter the top `limit` on
        // its text; a few more candidates let a file-name match lift a
        // document that ranked just below.
        let candidates = limit * 4 + 16;
        for (seen, (chunk_id, score)) in ranked.into_iter().enumerate() {
            if by_doc.len() >= limit && seen >= candidates {
                break;
            }
            let rows =
                documents.query_map(params![chunk_id, filter.source_id, filter.ext], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        SearchHit {
                            path: row.get(1)?,
                            score,
                            snippet: String::new(),
                            line_start: row.get(2)?,
                            line_end: row.get(3)?,
                            name: row.get(4)?,
                            format: row.get(5)?,
                            size: row.get(6)?,
                            modified_ms: row.get::<_, i64>(7)? / 1_000_000,
                            name_matched: false,
                            source_id: row.get(8)?,
                        },
                    ))
                })?;
            for row in rows {
                let (doc_id, hit) = row?;
                if let std::collections::hash_map::Entry::Vacant(slot) = by_doc.entry(doc_id) {
                    slot.insert(hit);
                    order.push(doc_id);
                    best_chunk.insert(doc_id, chunk_id);
                }
            }
        }
        stages.mark("documents");
        Ok((by_doc, order, best_chunk))
    }

    /// The `window` newest matches of `expression` in `table` (an FTS5
    /// table of ours, whose row ids span `bounds`), best first, with their
    /// scores (higher is better).
    ///
    /// One pass, newest first: FTS5 walks its doclists backwards without a
    /// sort, and the score is computed on the way, so the window costs one
    /// evaluation of the expression instead of two (a probe for the
    /// window's lowest row id, then a ranking above it: phrases paid twice
    /// for their position lists). The top-k sort is ours.
    fn rank_window(
        &self,
        table: &str,
        expression: &str,
        window: usize,
        bounds: (i64, i64),
    ) -> Result<Vec<(i64, f64)>> {
        let mut ranked: Vec<(i64, f64)> = self
            .conn
            .prepare_cached(&format!(
                "SELECT rowid, -gleaner_bm25({table}, ?2, ?3) FROM {table}
                 WHERE {table} MATCH ?1 ORDER BY rowid DESC LIMIT ?4"
            ))?
            .query_map(
                params![expression, bounds.0, bounds.1, window as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<rusqlite::Result<_>>()?;
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
        Ok(ranked)
    }

    /// Adds `gleaner_bm25` to the connection, the first time only.
    fn register_rank_once(&self) -> Result<()> {
        if !self.rank_registered.get() {
            super::rank::register(&self.conn)?;
            self.rank_registered.set(true);
        }
        Ok(())
    }

    /// The lowest and highest row ids of `table` (one of ours), which
    /// `gleaner_bm25` needs; `(0, 0)` when it is empty. (Two subqueries:
    /// SQLite reads `min()` and `max()` from the ends of the table only
    /// when each is alone in its query, else it scans every row.)
    pub(crate) fn row_id_range(&self, table: &str) -> Result<(i64, i64)> {
        let range: (Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached(&format!(
                "SELECT (SELECT min(rowid) FROM {table}), (SELECT max(rowid) FROM {table})"
            ))?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok((range.0.unwrap_or(0), range.1.unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use crate::query::parse_query;
    use crate::scan::Unobserved;
    use crate::source::NewSource;
    use crate::{DataDir, Index};

    use super::*;

    /// An index of `files` (name → text) in a temp folder.
    fn index_of(files: &[(&str, &str)]) -> (tempfile::TempDir, Index) {
        let tmp = tempfile::tempdir().unwrap();
        let docs = tmp.path().join("docs");
        std::fs::create_dir(&docs).unwrap();
        for (name, text) in files {
            std::fs::write(docs.join(name), text).unwrap();
        }
        let data_dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
        data_dir.create().unwrap();
        let mut index = Index::open(data_dir).unwrap();
        let source = index
            .add_source(NewSource {
                path: docs,
                recursive: true,
                ..NewSource::default()
            })
            .unwrap();
        index.scan(&source, "test", &Unobserved).unwrap();
        (tmp, index)
    }

    fn names(hits: &[SearchHit]) -> Vec<&str> {
        hits.iter().map(|h| h.name.as_str()).collect()
    }

    fn text_hit_names(index: &Index, query: &str, limit: usize, window: usize) -> Vec<String> {
        let query = parse_query(query).unwrap();
        let expression = index.store().expression_for(&query).unwrap();
        let (mut by_doc, order, _) = index
            .store()
            .text_hits(
                &expression,
                &SearchFilter::default(),
                limit,
                window,
                &mut Stages::start(),
            )
            .unwrap();
        order
            .iter()
            .map(|id| by_doc.remove(id).unwrap().name)
            .collect()
    }

    #[test]
    fn the_best_chunk_ranks_and_only_shown_hits_get_snippets() {
        let (_tmp, index) = index_of(&[
            (
                "once.txt",
                "a fox and many other words to dilute the match here",
            ),
            ("twice.txt", "fox fox"),
            ("none.txt", "nothing to see"),
        ]);
        let query = parse_query("fox").unwrap();
        let hits = index
            .store()
            .search(&query, &SearchFilter::default(), 10)
            .unwrap();
        assert_eq!(names(&hits), ["twice.txt", "once.txt"]);
        assert!(
            hits.iter().all(|h| h.snippet.contains("**fox**")),
            "{hits:#?}"
        );
        let one = index
            .store()
            .search(&query, &SearchFilter::default(), 1)
            .unwrap();
        assert_eq!(names(&one), ["twice.txt"]);
    }

    #[test]
    fn a_query_matching_more_than_the_window_ranks_the_newest_matches() {
        // Indexed in name order here (one folder, one reader at a time is
        // not promised, so look at chunk ids rather than assume an order).
        let (_tmp, index) = index_of(&[
            ("a.txt", "fox fox fox fox"),
            ("b.txt", "fox bee"),
            ("c.txt", "fox sea"),
        ]);
        let newest: String = index
            .store()
            .conn
            .query_row(
                "SELECT d.name FROM chunks c JOIN documents d ON d.content_id = c.content_id
                 ORDER BY c.id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        // The whole index: the best match first.
        assert_eq!(text_hit_names(&index, "fox", 10, 100)[0], "a.txt");
        // A window of one: only the newest matching chunk is ranked.
        assert_eq!(text_hit_names(&index, "fox", 10, 1), [newest]);
    }

    #[test]
    fn chunks_of_deleted_documents_do_not_crowd_out_live_ones() {
        let many: Vec<(String, String)> = (0..40)
            .map(|i| (format!("gone{i:02}.txt"), format!("zebra zebra zebra {i}")))
            .collect();
        let mut files: Vec<(&str, &str)> =
            many.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        files.push(("kept.txt", "zebra and a lot of other words in here"));
        let (tmp, mut index) = index_of(&files);
        for (name, _) in &many {
            std::fs::remove_file(tmp.path().join("docs").join(name)).unwrap();
        }
        let source = index.sources().unwrap().remove(0);
        index.scan(&source, "test", &Unobserved).unwrap();
        // The deleted documents' text is kept (retention) and outranks the
        // live one, in more than the first batch fetched.
        assert_eq!(text_hit_names(&index, "zebra", 1, 4_000), ["kept.txt"]);
    }

    #[test]
    fn a_common_prefix_is_searched_as_its_words_and_they_are_highlighted() {
        let (_tmp, index) = index_of(&[
            ("calls.txt", "the system calls"),
            ("mounts.txt", "sysfs is mounted"),
            ("other.txt", "nothing to see"),
        ]);
        let store = index.store();
        let query = parse_query("sys*").unwrap();
        assert_eq!(
            store.expression_for(&query).unwrap(),
            r#"("sysfs" OR "system")"#
        );
        // A prefix the sample lacks stays a prefix query.
        let rare = parse_query("zeb*").unwrap();
        assert_eq!(store.expression_for(&rare).unwrap(), r#""zeb"*"#);
        let mut hits = store.search(&query, &SearchFilter::default(), 10).unwrap();
        hits.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(names(&hits), ["calls.txt", "mounts.txt"]);
        assert!(hits[0].snippet.contains("**system**"), "{hits:#?}");
        assert!(hits[1].snippet.contains("**sysfs**"), "{hits:#?}");
    }

    /// FTS5's `bm25()` and `gleaner_bm25` of every row matching
    /// `expression`, best first by bm25.
    fn bm25_and_ours(store: &Store, expression: &str) -> Vec<(f64, f64)> {
        store.register_rank_once().unwrap();
        let (lowest, highest) = store.row_id_range("chunks").unwrap();
        store
            .conn
            .prepare(
                "SELECT bm25(chunks_fts), gleaner_bm25(chunks_fts, ?2, ?3) FROM chunks_fts
                 WHERE chunks_fts MATCH ?1 ORDER BY bm25(chunks_fts)",
            )
            .unwrap()
            .query_map(params![expression, lowest, highest], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn one_phrase_is_ranked_as_bm25_ranks_it_without_its_weight() {
        let (_tmp, index) = index_of(&[
            ("one.txt", "the return value and more words around it"),
            ("two.txt", "return value, return value"),
            ("three.txt", "a value to return and then the return value"),
            ("four.txt", "return nothing"),
        ]);
        let scores = bm25_and_ours(index.store(), "\"return value\"");
        assert_eq!(scores.len(), 3);
        // The same order, each score bm25's divided by one weight.
        let weight = scores[0].0 / scores[0].1;
        for (fts5, ours) in &scores {
            assert!((fts5 / ours - weight).abs() < 1e-9, "{scores:?}");
        }
    }

    #[test]
    fn gleaner_bm25_equals_bm25_below_its_count_cap() {
        let (_tmp, index) = index_of(&[
            ("one.txt", "fox and hound"),
            ("two.txt", "fox fox hound hound hound and many more words"),
            ("three.txt", "a hound alone"),
        ]);
        let scores = bm25_and_ours(index.store(), "fox OR hound");
        assert_eq!(scores.len(), 3);
        for (fts5, ours) in scores {
            assert!((fts5 - ours).abs() < 1e-9, "{fts5} vs {ours}");
        }
    }
}
