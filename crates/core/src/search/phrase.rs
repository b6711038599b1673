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
//! k-th best so far are passed over without reading a position. Inside the
//! other blocks the same bound is taken chunk by chunk, first with the
//! rarest word's count, then with the smallest count of all the words:
//! only a chunk that could still rank has its positions read. The phrase
//! is then counted and scored as tantivy does (the starts where every word
//! follows in order; BM25 of that count), so the top k are the same.

use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings};
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
            stock: self.phrase.weight(scoring)?.into(),
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
    /// Which of the phrase's words is the rarest in this segment, and its
    /// postings block by block; `None` when a word is not in the segment.
    fn rarest(
        &self,
        reader: &SegmentReader,
    ) -> tantivy::Result<Option<(usize, BlockSegmentPostings)>> {
        let mut rarest: Option<(u32, usize)> = None;
        for (i, term) in self.terms.iter().enumerate() {
            let inverted = reader.inverted_index(term.field())?;
            let Some(info) = inverted.get_term_info(term)? else {
                return Ok(None);
            };
            if rarest.is_none_or(|(n, _)| info.doc_freq < n) {
                rarest = Some((info.doc_freq, i));
            }
        }
        let Some((_, i)) = rarest else {
            return Ok(None);
        };
        let term = &self.terms[i];
        Ok(reader
            .inverted_index(term.field())?
            .read_block_postings(term, IndexRecordOption::WithFreqs)?
            .map(|blocks| (i, blocks)))
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
        let Some((rarest, mut blocks)) = self.rarest(reader)? else {
            return Ok(());
        };
        // Every word's postings with positions, the rarest first: it leads.
        let mut words: Vec<(u32, SegmentPostings)> = Vec::with_capacity(self.terms.len());
        for (offset, term) in self.terms.iter().enumerate() {
            let inverted = reader.inverted_index(term.field())?;
            let Some(postings) =
                inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
            else {
                return Ok(());
            };
            words.push((offset as u32, postings));
        }
        words.swap(0, rarest);
        let norms = reader.get_fieldnorms_reader(self.terms[0].field())?;
        let mut positions: Vec<Vec<u32>> = vec![Vec::new(); words.len()];
        let mut threshold = threshold;
        while let (Some(&first), Some(&last)) = (blocks.docs().first(), blocks.docs().last()) {
            if blocks.block_max_score(&norms, bm25) > threshold {
                let (_, lead) = &mut words[0];
                let mut doc = if lead.doc() < first {
                    lead.seek(first)
                } else {
                    lead.doc()
                };
                while doc <= last {
                    let norm = norms.fieldnorm_id(doc);
                    if let Some(count) = phrase_count(
                        &mut words,
                        doc,
                        |tf| bm25.score(norm, tf) > threshold,
                        &mut positions,
                    ) {
                        let score = bm25.score(norm, count);
                        if score > threshold {
                            threshold = callback(doc, score);
                        }
                    }
                    doc = words[0].1.advance();
                }
                if doc == TERMINATED {
                    break;
                }
            }
            blocks.advance();
        }
        Ok(())
    }
}

/// How often the phrase occurs in `doc`, where `words[0]` stands: the
/// number of positions where each word (at its offset) follows the first.
/// `None` when a word is missing, the phrase does not occur, or `can_rank`
/// says a chunk with this count of the words could not rank, so no
/// position is read.
fn phrase_count(
    words: &mut [(u32, SegmentPostings)],
    doc: DocId,
    can_rank: impl Fn(u32) -> bool,
    positions: &mut [Vec<u32>],
) -> Option<u32> {
    // The phrase occurs at most as often as its least frequent word here.
    let mut fewest = words[0].1.term_freq();
    if !can_rank(fewest) {
        return None;
    }
    for (_, postings) in words[1..].iter_mut() {
        let at = if postings.doc() < doc {
            postings.seek(doc)
        } else {
            postings.doc()
        };
        if at != doc {
            return None;
        }
        fewest = fewest.min(postings.term_freq());
    }
    if !can_rank(fewest) {
        return None;
    }
    // Each word's positions moved back by its offset: the phrase starts
    // where all of them hold the same number.
    // (A word at offset 2 seen at position 1 cannot be part of a phrase
    // starting in the field: dropped, which keeps the lists sorted.)
    for ((offset, postings), out) in words.iter_mut().zip(positions.iter_mut()) {
        out.clear();
        postings.positions(out);
        out.retain(|&position| position >= *offset);
        for position in out.iter_mut() {
            *position -= *offset;
        }
    }
    let (starts, rest) = positions.split_first_mut()?;
    for other in rest.iter() {
        retain_common(starts, other);
        if starts.is_empty() {
            return None;
        }
    }
    Some(starts.len() as u32)
}

/// Keeps in `left` the values also in `right` (both sorted).
fn retain_common(left: &mut Vec<u32>, right: &[u32]) {
    let mut j = 0;
    left.retain(|&value| {
        while j < right.len() && right[j] < value {
            j += 1;
        }
        j < right.len() && right[j] == value
    });
}

#[cfg(test)]
mod tests {
    use super::retain_common;

    #[test]
    fn common_values_of_sorted_lists() {
        let mut left = vec![1, 3, 5, 7, 9];
        retain_common(&mut left, &[0, 3, 4, 9, 12]);
        assert_eq!(left, [3, 9]);
        let mut left = vec![2, 4];
        retain_common(&mut left, &[]);
        assert!(left.is_empty());
    }
}
