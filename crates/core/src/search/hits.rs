//! Turning ranked units into hits: paths, snippet and lines, read from the
//! store (the truth), for the search index and for the FTS5 tables an
//! upgraded index answers from until its new search index is built.

use serde::Serialize;

use super::analysis::{Analyzer, TermsToFind};
use super::snippet::snippet;
use super::SearchFilter;
use crate::error::Result;
use crate::store::{Store, UnitDocument, UnitKey};

/// One search result: a document (and the other paths with the same
/// content).
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
    /// Whether the file name or title matched the query.
    pub name_matched: bool,
    /// Source row id.
    pub source_id: i64,
    /// The document's title, when its extractor found one.
    pub title: Option<String>,
    /// Other files with exactly the same content (that the filters let
    /// through): one hit, not one per copy.
    pub other_paths: Vec<String>,
}

/// A unit in rank order, before the store is read.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub unit: UnitKey,
    pub score: f32,
    /// The best chunk, when the text matched.
    pub text_seq: Option<i64>,
    /// Whether a name or the title matched.
    pub by_label: bool,
}

/// What to mark: in the text, in names.
pub(super) struct HitTerms<'a> {
    pub text: &'a [TermsToFind],
    pub names: &'a [TermsToFind],
}

/// Reads up to `limit` hits from the store in rank order, skipping units
/// it no longer shows (or whose every document the filter refuses); how
/// many were skipped.
pub(super) fn read_hits(
    store: &Store,
    analyzer: &mut Analyzer,
    candidates: &[Candidate],
    filter: &SearchFilter,
    terms: &HitTerms<'_>,
    limit: usize,
) -> Result<(Vec<SearchHit>, usize)> {
    let mut hits = Vec::new();
    let mut skipped = 0;
    for candidate in candidates {
        if hits.len() >= limit {
            break;
        }
        let Some(label) = store.unit_label(candidate.unit)? else {
            skipped += 1;
            continue;
        };
        let documents: Vec<&UnitDocument> = label
            .documents
            .iter()
            .filter(|d| filter.allows(d))
            .collect();
        if documents.is_empty() {
            skipped += 1;
            continue;
        }
        // The copy whose name matched leads; otherwise the first path.
        let lead = documents
            .iter()
            .position(|d| {
                candidate.by_label && !analyzer.matching_ranges(&d.name, terms.names).is_empty()
            })
            .unwrap_or(0);
        let main = documents[lead];
        let chunk = match candidate.unit {
            UnitKey::Content(content_id) => {
                store.chunk(content_id, candidate.text_seq.unwrap_or(0))?
            }
            UnitKey::NameOnly(_) => None,
        };
        let (snippet_text, lines) = match &chunk {
            Some(chunk) => {
                let ranges = analyzer.matching_ranges(&chunk.text, terms.text);
                (
                    snippet(&chunk.text, &ranges),
                    candidate
                        .text_seq
                        .map(|_| (chunk.line_start, chunk.line_end)),
                )
            }
            None => (String::new(), None),
        };
        hits.push(SearchHit {
            path: main.path.clone(),
            score: f64::from(candidate.score),
            snippet: snippet_text,
            line_start: lines.map(|l| l.0),
            line_end: lines.map(|l| l.1),
            name: main.name.clone(),
            format: main.format.clone(),
            size: main.size,
            modified_ms: main.mtime_ns / 1_000_000,
            name_matched: candidate.by_label,
            source_id: main.source_id,
            title: label.title.clone(),
            other_paths: documents
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != lead)
                .map(|(_, d)| d.path.clone())
                .collect(),
        });
    }
    Ok((hits, skipped))
}
