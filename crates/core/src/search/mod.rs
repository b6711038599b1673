//! The search index: tantivy, an inverted index derived from the store.
//!
//! SQLite stays the source of truth (sources, documents, contents, chunks
//! and their text); everything here can be rebuilt from it. The store's
//! outbox says what changed (`store::search_feed`), the [`indexer`] is the
//! one writer that follows it, and searches (`searcher`) read the last
//! commit from any process.
//!
//! ```text
//! store commit ── outbox rows (same transaction) ──► indexer thread ──► tantivy commit
//!                                                      (mark = last row)     │
//! CLI · MCP · HTTP · desktop ──► Searcher (reader, any process) ◄────────────┘
//! ```

pub mod analysis;
mod applied;
mod collector;
#[cfg(test)]
mod crash_tests;
mod filter;
mod hits;
mod index;
pub mod indexer;
pub mod legacy;
mod merge_policy;
mod own_top_k;
mod phrase;
mod prefix;
mod prefix_words;
pub mod query;
mod read_directory;
mod schema;
mod searcher;
mod snippet;
#[cfg(test)]
mod upgrade_tests;
mod verify;
mod word_tables;

pub use applied::{wait_applied, Applied};
pub use filter::SearchFilter;
pub use index::{Mark, SearchIndex, SEARCH_DIR};
pub use indexer::{catch_up, IndexerStatus, SearchIndexer};
pub use prefix_words::PREFIX_WORDS;
pub use query::{parse, ParsedQuery};
pub use searcher::{Fallback, SearchAnswer, SearchHit, Searcher};
pub use verify::{verify, SearchCheck};

use crate::store::UnitKey;

/// Marks a name-only unit's id, so the two kinds of unit never share one.
const NAME_ONLY_BIT: u64 = 1 << 62;

/// The unit's id in the search index.
pub fn unit_id(unit: UnitKey) -> u64 {
    match unit {
        UnitKey::Content(id) => id as u64,
        UnitKey::NameOnly(id) => NAME_ONLY_BIT | id as u64,
    }
}

/// The unit of an id from the search index.
pub fn unit_of(id: u64) -> UnitKey {
    if id & NAME_ONLY_BIT != 0 {
        UnitKey::NameOnly((id & !NAME_ONLY_BIT) as i64)
    } else {
        UnitKey::Content(id as i64)
    }
}

/// Searches with `store` read for the hits and `searcher` (when there is a
/// search index) for the ranking: the best `limit` documents for `query`
/// (see [`query`] for what may be typed) that pass `filter`.
///
/// While the search index is first built (an upgrade from FTS5, a rebuild)
/// the answer comes from what there is, and its notes say so.
pub fn search(
    store: &crate::store::Store,
    searcher: Option<&Searcher>,
    query: &str,
    filter: &SearchFilter,
    limit: usize,
) -> crate::Result<SearchAnswer> {
    let parsed = parse(query)?;
    let complete = match searcher {
        Some(searcher) => searcher.is_complete()?,
        None => false,
    };
    if let (true, Some(searcher)) = (complete, searcher) {
        return searcher.search(store, &parsed, filter, limit);
    }
    let mut analyzer = analysis::Analyzer::new();
    if let Some(answer) = legacy::search(store, &mut analyzer, &parsed, filter, limit)? {
        return Ok(answer);
    }
    let mut answer = match searcher {
        Some(searcher) => searcher.search(store, &parsed, filter, limit)?,
        None => SearchAnswer::default(),
    };
    answer
        .notes
        .push("the search index is still being built: some documents may be missing".into());
    Ok(answer)
}

/// Removes the search index in `dir` (no writer may have it open): the
/// next indexer builds it again from the store.
pub fn remove_index(dir: &std::path::Path) -> crate::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(crate::Error::io("removing the search index", dir, err)),
    }
}
