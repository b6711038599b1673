//! A phrase (`"the file"`, `GPL-2.0`) whose top k skips what cannot rank.
//!
//! tantivy checks the positions of every chunk holding all the words of a
//! phrase before it can score it; for a phrase of common words (`GPL-2.0`
//! is in the licence header of most files of the Linux tree) reading those
//! positions is nearly all of the search. Yet a chunk's phrase score is
//! bounded by its rarest word: the phrase occurs at most as often as that
//! word, and BM25 grows with the count, so the phrase's BM25 weight applied
//! to the word's block maximum (the best count and length of each block of
//! 128 chunks, kept in the index for block-max WAND) bounds the phrase
//! score of every chunk of the block. Blocks whose bound cannot beat the
//! k-th best so far are passed over without reading a position; the others
//! are scored exactly as tantivy scores the phrase, so the top k are the
//! same.

use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{Bm25Weight, EnableScoring, PhraseQuery, Query, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use super::own_top_k::{OwnTopK, TopK};

/// A phrase of at least two words, in one field.
#[derive(Debug, Clone)]
pub(super) struct PrunedPhrase {
    phrase: PhraseQuery,
}

impl PrunedPhrase {
    pub fn new(terms: Vec<Term>) -> PrunedPhrase {
        PrunedPhrase {
            phrase: PhraseQuery::new(terms),
        }
    }
}

impl Query for PrunedPhrase {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let terms = self.phrase.phrase_terms();
        // The weight tantivy gives the phrase (see PhraseQuery::weight).
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &terms)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(OwnTopK {
            stock: self.phrase.weight(scoring)?,
            top_k: PhraseBlocks { terms, bm25 },
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.phrase.query_terms(visitor);
    }
}

/// How a [`PrunedPhrase`] finds its top k: block by block of its rarest
/// word (see the module's comment).
struct PhraseBlocks {
    terms: Vec<Term>,
    bm25: Option<Bm25Weight>,
}

impl PhraseBlocks {
    /// The postings of the phrase's rarest word in this segment, block by
    /// block; `None` when a word is not in the segment.
    fn rarest(&self, reader: &SegmentReader) -> tantivy::Result<Option<BlockSegmentPostings>> {
        let mut rarest: Option<(u32, &Term)> = None;
        for term in &self.terms {
            let inverted = reader.inverted_index(term.field())?;
            let Some(info) = inverted.get_term_info(term)? else {
                return Ok(None);
            };
            if rarest.is_none_or(|(n, _)| info.doc_freq < n) {
                rarest = Some((info.doc_freq, term));
            }
        }
        let Some((_, term)) = rarest else {
            return Ok(None);
        };
        Ok(reader
            .inverted_index(term.field())?
            .read_block_postings(term, IndexRecordOption::WithFreqs)?)
    }
}

impl TopK for PhraseBlocks {
    fn for_each_pruning(
        &self,
        stock: &dyn Weight,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let Some(bm25) = &self.bm25 else {
            return stock.for_each_pruning(threshold, reader, callback);
        };
        let Some(mut blocks) = self.rarest(reader)? else {
            return Ok(());
        };
        let norms = reader.get_fieldnorms_reader(self.terms[0].field())?;
        let mut phrase = stock.scorer(reader, 1.0)?;
        let mut threshold = threshold;
        while let (Some(&first), Some(&last)) = (blocks.docs().first(), blocks.docs().last()) {
            if blocks.block_max_score(&norms, bm25) > threshold {
                let mut matched = if phrase.doc() < first {
                    phrase.seek(first)
                } else {
                    phrase.doc()
                };
                while matched <= last {
                    let score = phrase.score();
                    if score > threshold {
                        threshold = callback(matched, score);
                    }
                    matched = phrase.advance();
                }
                if matched == TERMINATED {
                    break;
                }
            }
            blocks.advance();
        }
        Ok(())
    }
}
