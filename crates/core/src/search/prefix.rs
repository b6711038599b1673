//! How a prefix (`inter*`) is scored, once `prefix_words.rs` has said which
//! words it stands for.
//!
//! A chunk scores its best word: BM25 of that one word, where every word of
//! the prefix counts with the same document frequency (the most frequent
//! word's). Scored as independent terms, a rare word (a typo, an
//! identifier seen once) would outrank every common word by its idf alone;
//! with one frequency the ranking is by how much of the chunk the word
//! makes up, as it is for a single word. The best word rather than the
//! sum, because the sum of a few hundred common words is what block-max
//! WAND cannot prune (every chunk holds several of them: `a*` took 0.3 s),
//! while the best word can be found word by word (see [`WordByWord`]).

use std::sync::Arc;

use tantivy::query::{
    Bm25StatisticsProvider, BooleanWeight, DisjunctionMaxCombiner, EnableScoring, Occur, Query,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, SegmentReader, Term};

use super::own_top_k::{OwnTopK, TopK};
use super::prefix_words::Expansion;

impl Expansion {
    /// The query finding these words in `field`; `None` when there is none.
    pub fn query(&self, field: Field) -> Option<Box<dyn Query>> {
        if self.words.is_empty() {
            return None;
        }
        Some(Box::new(PrefixQuery {
            terms: self
                .words
                .iter()
                .map(|w| Term::from_field_text(field, w))
                .collect(),
            doc_freq: self.top_doc_freq,
        }))
    }
}

/// The words of a prefix in one field, a chunk scoring its best word.
#[derive(Debug, Clone)]
struct PrefixQuery {
    terms: Vec<Term>,
    /// The document frequency every word is scored with.
    doc_freq: u64,
}

impl Query for PrefixQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // Every word with the same document frequency: the statistics the
        // words are weighed with say so.
        // The totals are the same for every word: looked up once, not once
        // per word over every segment.
        let blended = match scoring {
            EnableScoring::Enabled {
                statistics_provider: of,
                ..
            } => Some(OneFrequency {
                tokens: match self.terms.first() {
                    Some(term) => of.total_num_tokens(term.field())?,
                    None => 0,
                },
                docs: of.total_num_docs()?,
                doc_freq: self.doc_freq,
            }),
            EnableScoring::Disabled { .. } => None,
        };
        let scoring = match (scoring, &blended) {
            (EnableScoring::Enabled { searcher, .. }, Some(blended)) => EnableScoring::Enabled {
                searcher,
                statistics_provider: blended,
            },
            (disabled, _) => disabled,
        };
        // Each word's weight serves both the word-by-word top k and the
        // union (a few hundred words: building them twice was a tenth of
        // `a*`).
        let words = self
            .terms
            .iter()
            .map(|term| {
                TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)
                    .weight(scoring)
                    .map(Arc::<dyn Weight>::from)
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let union = BooleanWeight::with_minimum_number_should_match(
            words
                .iter()
                .map(|word| {
                    (
                        Occur::Should,
                        Box::new(OwnTopK::shared(word.clone())) as Box<dyn Weight>,
                    )
                })
                .collect(),
            1,
            scoring.is_scoring_enabled(),
            Box::new(|| DisjunctionMaxCombiner::with_tie_breaker(0.0)),
        );
        Ok(Box::new(OwnTopK {
            stock: Arc::new(union),
            top_k: WordByWord { words },
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.terms {
            visitor(term, false);
        }
    }
}

/// The index's statistics for the prefix's field, but one document
/// frequency for every term.
struct OneFrequency {
    tokens: u64,
    docs: u64,
    doc_freq: u64,
}

impl Bm25StatisticsProvider for OneFrequency {
    fn total_num_tokens(&self, _field: Field) -> tantivy::Result<u64> {
        Ok(self.tokens)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs)
    }

    fn doc_freq(&self, _term: &Term) -> tantivy::Result<u64> {
        Ok(self.doc_freq)
    }
}

/// How a [`PrefixQuery`] finds its top k. Inside another query (`kernel
/// inter*`) a prefix is the union of its words, each chunk scoring its
/// best; asked for the top k directly, it goes word by word: each word's
/// postings are walked with block-max pruning against the threshold the
/// words before it raised, so most blocks of the common words are skipped
/// unread. A chunk may be offered once per word it holds; the collector
/// keeps each unit's best, which is the best word's score, so the top k are
/// exact.
struct WordByWord {
    words: Vec<Arc<dyn Weight>>,
}

impl TopK for WordByWord {
    fn for_each_pruning(
        &self,
        _union: &dyn Weight,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut threshold = threshold;
        for word in &self.words {
            word.for_each_pruning(threshold, reader, &mut |doc, score| {
                threshold = callback(doc, score);
                threshold
            })?;
        }
        Ok(())
    }
}
