//! What one user word or one quoted phrase becomes: the terms to look up.
//!
//! The query parser (words, `"phrases"`, `-`, `OR`) lives elsewhere; it
//! hands each word or phrase here and builds a term query when
//! [`TermsToFind::terms`] has one term and a phrase query (consecutive
//! positions, no slop) when it has several.
//!
//! - A plain word that is one token is looked up by its **stem**
//!   (`running` finds `run`, `runs`, `running`).
//! - A word that splits into several tokens (`lru_cache`, `GPL-3`,
//!   `foo.bar`, `東京tower`) is the **exact** phrase of its parts: the
//!   index split the text the same way, so the parts stand at consecutive
//!   positions exactly where the identifier was written.
//! - A CJK run of two or more characters is the **exact** phrase of its
//!   bigrams (one bigram: a single term); a single CJK character is looked
//!   up among the **unigrams**.
//! - A quoted phrase is the **exact** sequence of its tokens, unstemmed;
//!   a phrase that is a single CJK character is looked up like the word.
//!
//! Every producer goes through the same [`Analyzer`] as indexing, which is
//! what makes a query term equal to an indexed one.

use super::{Analyzed, Analyzer, StreamKind};

/// The terms one word or phrase is looked up by, in one stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TermsToFind {
    /// The stream (so the field) they are looked up in.
    pub stream: StreamKind,
    /// One term, or a phrase: terms at consecutive positions, in order.
    pub terms: Vec<String>,
}

impl TermsToFind {
    /// Whether this is a phrase (more than one term).
    pub fn is_phrase(&self) -> bool {
        self.terms.len() > 1
    }
}

impl Analyzer {
    /// The terms that find the word `word` as a user typed it (no spaces
    /// inside; quotes already removed). `None` when nothing of it is
    /// searchable (only punctuation, or a dropped over-long token).
    pub fn word_terms(&mut self, word: &str) -> Option<TermsToFind> {
        let mut analyzed = Analyzed::new();
        self.analyze(word, &mut analyzed);
        match analyzed.exact.len() {
            0 => None,
            1 => Some(single_token_terms(&analyzed)),
            _ => Some(exact_phrase(&analyzed)),
        }
    }

    /// The terms that find the quoted phrase `phrase` as typed: its exact
    /// tokens in order. `None` when nothing of it is searchable.
    pub fn phrase_terms(&mut self, phrase: &str) -> Option<TermsToFind> {
        let mut analyzed = Analyzed::new();
        self.analyze(phrase, &mut analyzed);
        match analyzed.exact.len() {
            0 => None,
            1 if is_lone_cjk_character(analyzed.exact.terms()[0]) => {
                Some(single_token_terms(&analyzed))
            }
            _ => Some(exact_phrase(&analyzed)),
        }
    }

    /// The exact term a `prefix*` query starts with: the folded, lowercased
    /// prefix, when it is a single non-CJK word. Prefixes are matched in
    /// the exact stream (a stem is no prefix of anything a user typed).
    pub fn prefix_term(&mut self, prefix: &str) -> Option<String> {
        let mut analyzed = Analyzed::new();
        self.analyze(prefix, &mut analyzed);
        match analyzed.exact.terms().as_slice() {
            [term] if analyzed.cjk_unigrams.is_empty() => Some(term.to_string()),
            _ => None,
        }
    }
}

/// One exact token: a word is looked up by its stem, a CJK bigram as it
/// is, a lone CJK character among the unigrams.
fn single_token_terms(analyzed: &Analyzed) -> TermsToFind {
    let exact = analyzed.exact.terms()[0];
    let (stream, term) = if is_lone_cjk_character(exact) {
        (StreamKind::CjkUnigrams, exact)
    } else if !analyzed.cjk_unigrams.is_empty() {
        (StreamKind::Exact, exact)
    } else {
        (StreamKind::Stem, analyzed.stem.terms()[0])
    };
    TermsToFind {
        stream,
        terms: vec![term.to_string()],
    }
}

fn exact_phrase(analyzed: &Analyzed) -> TermsToFind {
    TermsToFind {
        stream: StreamKind::Exact,
        terms: analyzed.exact.iter().map(|t| t.term.to_string()).collect(),
    }
}

fn is_lone_cjk_character(term: &str) -> bool {
    let mut chars = term.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if super::cjk::is_cjk(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Option<(StreamKind, Vec<String>)> {
        Analyzer::new()
            .word_terms(text)
            .map(|found| (found.stream, found.terms))
    }

    fn phrase(text: &str) -> Option<(StreamKind, Vec<String>)> {
        Analyzer::new()
            .phrase_terms(text)
            .map(|found| (found.stream, found.terms))
    }

    fn terms(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_plain_word_is_its_stem() {
        assert_eq!(word("Running"), Some((StreamKind::Stem, terms(&["run"]))));
        assert_eq!(word("café"), Some((StreamKind::Stem, terms(&["cafe"]))));
        assert_eq!(word("fooBar"), Some((StreamKind::Stem, terms(&["foobar"]))));
    }

    #[test]
    fn an_identifier_is_the_exact_phrase_of_its_parts() {
        let exact = |parts: &[&str]| Some((StreamKind::Exact, terms(parts)));
        assert_eq!(word("lru_cache"), exact(&["lru", "cache"]));
        assert_eq!(word("GPL-3"), exact(&["gpl", "3"]));
        assert_eq!(word("foo.bar"), exact(&["foo", "bar"]));
        assert_eq!(word("running_total"), exact(&["running", "total"]));
    }

    #[test]
    fn cjk_words_are_bigrams_and_single_characters_unigrams() {
        assert_eq!(word("网络"), Some((StreamKind::Exact, terms(&["网络"]))));
        assert_eq!(
            word("東京都"),
            Some((StreamKind::Exact, terms(&["東京", "京都"])))
        );
        assert_eq!(word("图"), Some((StreamKind::CjkUnigrams, terms(&["图"]))));
        assert_eq!(
            phrase("图"),
            Some((StreamKind::CjkUnigrams, terms(&["图"])))
        );
        assert_eq!(
            word("東京tower"),
            Some((StreamKind::Exact, terms(&["東京", "tower"])))
        );
    }

    #[test]
    fn a_phrase_is_exact_and_unstemmed() {
        assert_eq!(
            phrase("Package pinning"),
            Some((StreamKind::Exact, terms(&["package", "pinning"])))
        );
        assert_eq!(
            phrase("running"),
            Some((StreamKind::Exact, terms(&["running"])))
        );
    }

    #[test]
    fn nothing_searchable_is_none() {
        assert_eq!(word("--"), None);
        assert_eq!(phrase("  "), None);
        assert_eq!(word(&"x".repeat(super::super::MAX_WORD_CHARS + 1)), None);
    }

    #[test]
    fn prefixes_are_folded_words() {
        let mut analyzer = Analyzer::new();
        assert_eq!(analyzer.prefix_term("Caf"), Some("caf".to_string()));
        assert_eq!(analyzer.prefix_term("Müll"), Some("mull".to_string()));
        assert_eq!(analyzer.prefix_term("lru_c"), None);
        assert_eq!(analyzer.prefix_term("网"), None);
    }
}
