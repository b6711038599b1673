//! A prefix (`inter*`): the words of the index it starts, and how a chunk
//! that has some of them is scored.
//!
//! **Which words.** All the words of the field that start with the prefix,
//! or, when there are more than [`PREFIX_WORDS`], the most frequent of
//! them; the answer then says so (a deliberate limit, reported).
//!
//! **Scoring.** A chunk scores its best word: BM25 of that one word, where
//! every word of the prefix counts with the same document frequency (the
//! most frequent word's). Scored as independent terms, a rare word (a typo,
//! an identifier seen once) would outrank every common word by its idf
//! alone; with one frequency the ranking is by how much of the chunk the
//! word makes up, as it is for a single word. The best word rather than the
//! sum, because the sum of a few hundred common words is what block-max
//! WAND cannot prune (every chunk holds several of them: `a*` took 0.3 s),
//! while the best word can be found word by word (see [`WordByWord`]).

use std::collections::HashMap;

use tantivy::query::{
    Bm25StatisticsProvider, BooleanWeight, DisjunctionMaxCombiner, EnableScoring, Occur, Query,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, SegmentReader, Term};

use super::own_top_k::{OwnTopK, TopK};
use crate::error::Result;

/// A prefix is looked up as at most this many of its words (the most
/// frequent); the answer says when there were more.
pub const PREFIX_WORDS: usize = 256;

/// How many terms of the index a prefix may walk through while counting
/// them, per segment.
const PREFIX_SCAN: usize = 50_000;

/// The words a prefix starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Expansion {
    /// The words, most frequent first.
    pub words: Vec<String>,
    /// The largest document frequency among them.
    pub top_doc_freq: u64,
    /// Some words were left out (more than [`PREFIX_WORDS`], or more terms
    /// than [`PREFIX_SCAN`] in a segment).
    pub cut: bool,
}

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

/// The words of `field` starting with `start`: all of them, or the
/// [`PREFIX_WORDS`] most frequent.
pub(super) fn expand(searcher: &tantivy::Searcher, field: Field, start: &str) -> Result<Expansion> {
    // SipHash was a third of the walk; foldhash is several times faster and
    // still seeded per process, so a file full of chosen words cannot make
    // every key collide.
    let mut freq: HashMap<Vec<u8>, u64, foldhash::fast::RandomState> = HashMap::default();
    let mut cut = false;
    let upper = upper_bound(start.as_bytes());
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let dict = inverted.terms();
        let mut builder = dict.range().ge(start.as_bytes());
        if let Some(upper) = &upper {
            builder = builder.lt(upper);
        }
        let mut stream = builder.into_stream().map_err(tantivy::TantivyError::from)?;
        let mut seen = 0usize;
        while let Some((key, info)) = stream.next() {
            seen += 1;
            if seen > PREFIX_SCAN {
                cut = true;
                break;
            }
            // Most words are in several segments: a key is copied once.
            match freq.get_mut(key) {
                Some(count) => *count += u64::from(info.doc_freq),
                None => {
                    freq.insert(key.to_vec(), u64::from(info.doc_freq));
                }
            }
        }
    }
    let mut words: Vec<(Vec<u8>, u64)> = freq.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if words.len() > PREFIX_WORDS {
        cut = true;
        words.truncate(PREFIX_WORDS);
    }
    Ok(Expansion {
        top_doc_freq: words.first().map_or(0, |(_, n)| *n),
        words: words
            .into_iter()
            .filter_map(|(w, _)| String::from_utf8(w).ok())
            .collect(),
        cut,
    })
}

/// The smallest byte string greater than every string starting with
/// `prefix` (`None`: no such bound, the prefix is all 0xFF).
fn upper_bound(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut upper = prefix.to_vec();
    while let Some(last) = upper.pop() {
        if last < 0xFF {
            upper.push(last + 1);
            return Some(upper);
        }
    }
    None
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
        let word = |term: &Term| {
            TermQuery::new(term.clone(), IndexRecordOption::WithFreqs).weight(scoring)
        };
        let words = self
            .terms
            .iter()
            .map(word)
            .collect::<tantivy::Result<Vec<_>>>()?;
        let union = BooleanWeight::with_minimum_number_should_match(
            self.terms
                .iter()
                .map(|t| Ok((Occur::Should, word(t)?)))
                .collect::<tantivy::Result<Vec<_>>>()?,
            1,
            scoring.is_scoring_enabled(),
            Box::new(|| DisjunctionMaxCombiner::with_tie_breaker(0.0)),
        );
        Ok(Box::new(OwnTopK {
            stock: Box::new(union),
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
    words: Vec<Box<dyn Weight>>,
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

#[cfg(test)]
mod tests {
    use super::*;

    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    /// An index of one text field, one segment per slice of documents.
    fn index(segments: &[&[&str]]) -> (Index, Field) {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for docs in segments {
            for text in *docs {
                writer.add_document(doc!(field => *text)).unwrap();
            }
            writer.commit().unwrap();
        }
        (index, field)
    }

    #[test]
    fn a_prefix_is_its_words_most_frequent_first_counted_over_every_segment() {
        let (index, field) = index(&[&["inter internal", "internal"], &["interface internal"]]);
        let searcher = index.reader().unwrap().searcher();
        let expansion = expand(&searcher, field, "inter").unwrap();
        assert_eq!(expansion.words, ["internal", "inter", "interface"]);
        assert_eq!(expansion.top_doc_freq, 3);
        assert!(!expansion.cut);
        assert!(expand(&searcher, field, "zzz").unwrap().words.is_empty());
    }

    #[test]
    fn past_the_limit_only_the_most_frequent_words_are_kept_and_the_cut_is_said() {
        let many: Vec<String> = (0..PREFIX_WORDS + 10).map(|i| format!("w{i}")).collect();
        let mut docs: Vec<&str> = many.iter().map(String::as_str).collect();
        docs.push("w7 w9");
        let (index, field) = index(&[&docs]);
        let searcher = index.reader().unwrap().searcher();
        let expansion = expand(&searcher, field, "w").unwrap();
        assert!(expansion.cut);
        assert_eq!(expansion.words.len(), PREFIX_WORDS);
        assert_eq!(expansion.words[..2], ["w7", "w9"]);
        assert_eq!(expansion.top_doc_freq, 2);
    }

    #[test]
    fn upper_bounds() {
        assert_eq!(upper_bound(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(upper_bound(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(upper_bound(b"\xff\xff"), None);
    }
}
