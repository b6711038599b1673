//! Text analysis for the search index: which terms a text and a query
//! become.
//!
//! One pass over a text yields three term streams ([`Analyzed`]):
//!
//! - **exact**: words, lowercased and folded to ASCII where a folding
//!   exists (`Café` → `cafe`), and CJK bigrams, with positions. Phrases are
//!   matched here, as typed: `"package pinning"` does not match
//!   `Package: * Pin:`.
//! - **stem**: the English stem of each exact word (`running` → `run`);
//!   CJK bigrams pass through. Plain word queries are matched here.
//! - **cjk_unigrams**: every CJK character alone, so that a one-character
//!   query finds it (a bigram index alone cannot).
//!
//! **Words** are runs of Unicode letters and digits; everything else
//! separates, `_` and `-` included, so `lru_cache` is `lru cache` and is
//! found by the phrase its query becomes ([`Analyzer::word_terms`]).
//! `fooBar` is one word, `foobar`. Words over 64 characters are dropped.
//! German compounds are found as typed (no decompounding).
//!
//! **CJK** text (Han, kana, Hangul) has no spaces between words: each run
//! of it becomes overlapping bigrams at consecutive positions (`网络软件` →
//! `网络 络软 软件`), and a query run becomes the phrase of its bigrams, so
//! any word of two or more characters is found wherever it stands. See
//! [`cjk`] for why bigrams rather than a dictionary.
//!
//! **Cost**: one pass decides words, folds and bigrams; only the stem
//! stream needs the stemmer, and a per-analyzer cache ([`stem`]) makes the
//! repeated words of a text cost a hash lookup. Keep one [`Analyzer`] and
//! one [`Analyzed`] per thread and reuse them.
//!
//! **Feeding the index**: give the three fields the chunk's plain text and
//! let tantivy call the registered tokenizers ([`tokenizer`]); they share
//! one analysis per text. `PreTokenizedString` values ([`TermStream::to_pre_tokenized`])
//! give the same terms but cost far more with tantivy's own document type
//! (it stores them as JSON and parses them back).
//!
//! **Index and query must agree**: both go through the same [`Analyzer`].
//! The analysis is identified by [`analysis_fingerprint`], stored with the
//! index: a change of analysis changes it and the index is rebuilt.
//!
//! [`highlight`] maps a query's terms back to byte ranges of a stored text,
//! for snippets.

mod cjk;
pub(crate) use cjk::is_cjk;
mod fingerprint;
mod fold;
pub mod highlight;
pub mod query;
mod stem;
mod streams;
pub mod tokenizer;
mod words;

#[cfg(test)]
mod end_to_end;

pub use fingerprint::{analysis_fingerprint, ANALYSIS_VERSION};
pub use query::TermsToFind;
pub use stem::STEM_CACHE_CAPACITY;
pub use streams::{Analyzed, AnalyzedToken, StreamKind, TermStream};
pub use tokenizer::{
    register_tokenizers, GleanerTokenizer, CJK_UNIGRAM_TOKENIZER, EXACT_TOKENIZER, STEM_TOKENIZER,
};
pub use words::MAX_WORD_CHARS;

use stem::StemCache;
use words::{Piece, WordScanner};

/// Turns texts into term streams. Holds reusable buffers and the stem
/// cache: keep one per thread and reuse it.
#[derive(Debug, Clone)]
pub struct Analyzer {
    scanner: WordScanner,
    stems: StemCache,
    /// The characters of the current CJK run and their byte offsets.
    run_chars: Vec<(usize, char)>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

/// Which streams an analysis fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wanted {
    All,
    Only(StreamKind),
}

impl Wanted {
    fn wants(self, kind: StreamKind) -> bool {
        match self {
            Wanted::All => true,
            Wanted::Only(only) => only == kind,
        }
    }
}

impl Analyzer {
    /// An analyzer with a stem cache of [`STEM_CACHE_CAPACITY`] words.
    pub fn new() -> Analyzer {
        Analyzer::with_stem_cache_capacity(STEM_CACHE_CAPACITY)
    }

    /// An analyzer whose stem cache holds up to `capacity` words; 0 turns
    /// the cache off (for measurements: the output is the same).
    pub fn with_stem_cache_capacity(capacity: usize) -> Analyzer {
        Analyzer {
            scanner: WordScanner::default(),
            stems: StemCache::with_capacity(capacity),
            run_chars: Vec::new(),
        }
    }

    /// Analyses `text` into `out`'s three streams (replacing what was there).
    pub fn analyze(&mut self, text: &str, out: &mut Analyzed) {
        self.analyze_streams(text, Wanted::All, out);
    }

    /// How many stem cache look-ups were made and how many missed.
    pub fn stem_cache_lookups_and_misses(&self) -> (u64, u64) {
        self.stems.lookups_and_misses()
    }

    /// Analyses `text`, filling only the streams `wanted` asks for.
    pub(crate) fn analyze_streams(&mut self, text: &str, wanted: Wanted, out: &mut Analyzed) {
        out.clear();
        if wanted == Wanted::Only(StreamKind::CjkUnigrams) {
            push_cjk_unigrams(text, &mut out.cjk_unigrams);
            return;
        }
        let Analyzer {
            scanner,
            stems,
            run_chars,
        } = self;
        let want_exact = wanted.wants(StreamKind::Exact);
        let want_stem = wanted.wants(StreamKind::Stem);
        let want_unigrams = wanted.wants(StreamKind::CjkUnigrams);
        let mut position = 0;
        let mut unigram_position = 0;
        scanner.scan(text, |piece| match piece {
            Piece::Word { folded, span } => {
                if want_exact {
                    out.exact.push(folded, span.clone(), position);
                }
                if want_stem {
                    out.stem
                        .push_with(span, position, |terms| stems.push_stem(folded, terms));
                }
                position += 1;
            }
            Piece::CjkRun { run, start } => {
                run_chars.clear();
                run_chars.extend(run.char_indices().map(|(at, c)| (start + at, c)));
                if want_unigrams {
                    for &(at, c) in run_chars.iter() {
                        let end = at + c.len_utf8();
                        out.cjk_unigrams
                            .push(&text[at..end], at..end, unigram_position);
                        unigram_position += 1;
                    }
                }
                if !(want_exact || want_stem) {
                    return;
                }
                // A lone character is its own term; a longer run is its
                // overlapping bigrams. Both are slices of the text: CJK
                // characters are neither folded nor lowercased.
                let mut push = |span: std::ops::Range<usize>| {
                    let term = &text[span.clone()];
                    if want_exact {
                        out.exact.push(term, span.clone(), position);
                    }
                    if want_stem {
                        out.stem.push(term, span, position);
                    }
                    position += 1;
                };
                if let [(at, c)] = run_chars.as_slice() {
                    push(*at..at + c.len_utf8());
                } else {
                    for pair in run_chars.windows(2) {
                        let (first, _) = pair[0];
                        let (second, c) = pair[1];
                        push(first..second + c.len_utf8());
                    }
                }
            }
        });
    }
}

/// The CJK unigram stream alone: a scan for CJK characters, which skips
/// ASCII text (most text) at memory speed.
fn push_cjk_unigrams(text: &str, out: &mut TermStream) {
    if text.is_ascii() {
        return;
    }
    let mut position = 0;
    for (at, c) in text.char_indices() {
        if cjk::is_cjk(c) {
            let end = at + c.len_utf8();
            out.push(&text[at..end], at..end, position);
            position += 1;
        }
    }
}

#[cfg(test)]
mod tests;
