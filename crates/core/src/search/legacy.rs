//! Searching an upgraded index's old FTS5 tables while its search index is
//! built (see `store::legacy_fulltext`): plain FTS5 bm25, only until the
//! build ends, so an upgrade never leaves the user without answers.

use super::analysis::Analyzer;
use super::hits::{read_hits, Candidate, HitTerms};
use super::query::{Atom, ParsedQuery};
use super::{SearchAnswer, SearchFilter};
use crate::error::Result;
use crate::store::{Store, UnitKey};

/// The note such an answer carries.
pub const LEGACY_NOTE: &str =
    "the search index is being built after an upgrade: these answers come from the index as it was before it";

/// Searches the old FTS5 tables; `None` when there are none.
pub fn search(
    store: &Store,
    analyzer: &mut Analyzer,
    query: &ParsedQuery,
    filter: &SearchFilter,
    limit: usize,
) -> Result<Option<SearchAnswer>> {
    if !store.has_legacy_fulltext()? {
        return Ok(None);
    }
    let Some(expression) = expression(query) else {
        return Ok(Some(empty()));
    };
    let filter = filter.with_query(&query.filters);
    let rows = store.legacy_fulltext(&expression, limit * 2 + 8)?;
    let candidates: Vec<Candidate> = rows
        .into_iter()
        .map(|(content, seq, score)| Candidate {
            unit: UnitKey::Content(content),
            score: score as f32,
            text_seq: Some(seq),
            by_label: false,
        })
        .collect();
    let highlight: Vec<_> = query
        .atoms()
        .filter_map(|atom| match atom {
            Atom::Word(w) => analyzer.word_terms(w),
            Atom::Phrase(p) => analyzer.phrase_terms(p),
            _ => None,
        })
        .collect();
    let terms = HitTerms {
        text: &highlight,
        names: &[],
    };
    let (hits, _) = read_hits(store, analyzer, &candidates, &filter, &terms, limit)?;
    let mut answer = empty();
    answer.hits = hits;
    answer.notes.push(LEGACY_NOTE.to_string());
    Ok(Some(answer))
}

fn empty() -> SearchAnswer {
    SearchAnswer {
        hits: Vec::new(),
        fallback: None,
        notes: Vec::new(),
        took_ms: 0.0,
    }
}

/// The query as an FTS5 expression: every user text quoted, so nothing
/// typed is parsed as FTS5 syntax. `None` when nothing is left to search.
pub fn expression(query: &ParsedQuery) -> Option<String> {
    let quote = |atom: &Atom| -> Option<String> {
        match atom {
            Atom::Word(t) | Atom::Phrase(t) => Some(format!("\"{}\"", t.replace('"', "\"\""))),
            Atom::Prefix(t) => Some(format!("\"{}\"*", t.replace('"', "\"\""))),
            Atom::Name(_) => None,
        }
    };
    let groups: Vec<String> = query
        .groups
        .iter()
        .filter_map(|group| {
            let any: Vec<String> = group.iter().filter_map(quote).collect();
            match any.len() {
                0 => None,
                1 => any.into_iter().next(),
                _ => Some(format!("({})", any.join(" OR "))),
            }
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    let mut expression = groups.join(" AND ");
    let excluded: Vec<String> = query.excluded.iter().filter_map(quote).collect();
    if !excluded.is_empty() {
        expression = format!("({expression}) NOT ({})", excluded.join(" OR "));
    }
    Some(expression)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_typed_text_is_quoted() {
        let query = super::super::parse(r#"a OR "b c" d* -e name:f"#).unwrap();
        assert_eq!(
            expression(&query).unwrap(),
            r#"(("a" OR "b c") AND "d"*) NOT ("e")"#
        );
        let query = super::super::parse(r#"x" OR 1=1 --"#);
        assert!(query.is_err(), "an unclosed quote is refused");
    }
}
