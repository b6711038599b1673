//! The three term streams one analysis produces, kept in reusable buffers.
//!
//! A stream stores its terms end to end in one `String` and one small
//! record per token, so analysing chunk after chunk with the same
//! [`Analyzed`] allocates nothing once the buffers have grown. Turning a
//! stream into tantivy tokens ([`TermStream::to_pre_tokenized`]) allocates
//! a `String` per token, because that is what tantivy's `Token` holds; the
//! index is better fed through the tokenizers ([`super::tokenizer`]),
//! which allocate nothing per token.

use std::ops::Range;

use tantivy::tokenizer::{PreTokenizedString, Token};

/// Which of the three streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// Folded, lowercased words and CJK bigrams, with positions: phrases as
    /// typed, identifiers, CJK words.
    Exact,
    /// The English stem of each word (CJK bigrams unchanged), at the same
    /// positions as [`StreamKind::Exact`]: plain word queries.
    Stem,
    /// Every CJK character on its own: one-character queries.
    CjkUnigrams,
}

impl StreamKind {
    /// All three, in a fixed order.
    pub const ALL: [StreamKind; 3] = [StreamKind::Exact, StreamKind::Stem, StreamKind::CjkUnigrams];
}

/// One token of a stream, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyzedToken<'a> {
    /// The term, as it goes into the index.
    pub term: &'a str,
    /// Where it came from: byte range in the analysed text.
    pub offset_from: usize,
    /// End of that byte range (exclusive).
    pub offset_to: usize,
    /// Its position; consecutive tokens of a stream have consecutive
    /// positions.
    pub position: usize,
}

impl AnalyzedToken<'_> {
    /// The token's byte range in the analysed text.
    pub fn offsets(&self) -> Range<usize> {
        self.offset_from..self.offset_to
    }
}

#[derive(Debug, Clone, Copy)]
struct TokenRecord {
    term_end: usize,
    offset_from: usize,
    offset_to: usize,
    position: usize,
}

/// The tokens of one stream.
#[derive(Debug, Clone, Default)]
pub struct TermStream {
    terms: String,
    records: Vec<TokenRecord>,
}

impl TermStream {
    /// How many tokens.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The `index`th token.
    pub fn get(&self, index: usize) -> Option<AnalyzedToken<'_>> {
        let record = self.records.get(index)?;
        let term_start = match index {
            0 => 0,
            _ => self.records[index - 1].term_end,
        };
        Some(AnalyzedToken {
            term: &self.terms[term_start..record.term_end],
            offset_from: record.offset_from,
            offset_to: record.offset_to,
            position: record.position,
        })
    }

    /// The tokens in order.
    pub fn iter(&self) -> impl Iterator<Item = AnalyzedToken<'_>> + '_ {
        let mut term_start = 0;
        self.records.iter().map(move |record| {
            let term = &self.terms[term_start..record.term_end];
            term_start = record.term_end;
            AnalyzedToken {
                term,
                offset_from: record.offset_from,
                offset_to: record.offset_to,
                position: record.position,
            }
        })
    }

    /// The terms in order (tests and queries).
    pub fn terms(&self) -> Vec<&str> {
        self.iter().map(|token| token.term).collect()
    }

    /// The stream as tantivy tokens.
    pub fn to_tantivy_tokens(&self) -> Vec<Token> {
        self.iter()
            .map(|token| Token {
                offset_from: token.offset_from,
                offset_to: token.offset_to,
                position: token.position,
                text: token.term.to_string(),
                position_length: 1,
            })
            .collect()
    }

    /// The stream as a value for a tantivy text field that tantivy should
    /// not tokenize again. `text` is what tantivy keeps as the value's text
    /// (it is stored only if the field is stored).
    pub fn to_pre_tokenized(&self, text: String) -> PreTokenizedString {
        PreTokenizedString {
            text,
            tokens: self.to_tantivy_tokens(),
        }
    }

    pub(crate) fn clear(&mut self) {
        self.terms.clear();
        self.records.clear();
    }

    /// Makes this stream a copy of `other`, reusing its buffers.
    pub(crate) fn copy_from(&mut self, other: &TermStream) {
        self.terms.clear();
        self.terms.push_str(&other.terms);
        self.records.clear();
        self.records.extend_from_slice(&other.records);
    }

    /// Appends a token whose term `write_term` appends to the term buffer.
    pub(crate) fn push_with(
        &mut self,
        offsets: Range<usize>,
        position: usize,
        write_term: impl FnOnce(&mut String),
    ) {
        write_term(&mut self.terms);
        self.records.push(TokenRecord {
            term_end: self.terms.len(),
            offset_from: offsets.start,
            offset_to: offsets.end,
            position,
        });
    }

    pub(crate) fn push(&mut self, term: &str, offsets: Range<usize>, position: usize) {
        self.push_with(offsets, position, |terms| terms.push_str(term));
    }
}

/// The result of analysing one text: its three streams.
#[derive(Debug, Clone, Default)]
pub struct Analyzed {
    /// Words and CJK bigrams as typed (folded, lowercased), with positions.
    pub exact: TermStream,
    /// Stems of the words, CJK bigrams unchanged, same positions as `exact`.
    pub stem: TermStream,
    /// CJK characters one by one.
    pub cjk_unigrams: TermStream,
}

impl Analyzed {
    /// Empty streams (buffers are allocated as analysis needs them).
    pub fn new() -> Analyzed {
        Analyzed::default()
    }

    /// The stream of `kind`.
    pub fn stream(&self, kind: StreamKind) -> &TermStream {
        match kind {
            StreamKind::Exact => &self.exact,
            StreamKind::Stem => &self.stem,
            StreamKind::CjkUnigrams => &self.cjk_unigrams,
        }
    }

    /// How many tokens in all three streams.
    pub fn n_tokens(&self) -> usize {
        self.exact.len() + self.stem.len() + self.cjk_unigrams.len()
    }

    pub(crate) fn clear(&mut self) {
        self.exact.clear();
        self.stem.clear();
        self.cjk_unigrams.clear();
    }
}
