//! Where a query's terms stand in a stored text: byte ranges for snippets.
//!
//! The text is analysed again with the same [`Analyzer`] the index used, so
//! exactly what matched in the index is marked: `cafe` marks `Café`,
//! `run` marks `running`, `网络` marks the two characters inside
//! `网络软件`. Each token carries its byte range in the original text, so a
//! folded or stemmed term maps back to what was written, and a phrase maps
//! to the span from its first token's start to its last token's end.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::{Analyzed, Analyzer, StreamKind, TermsToFind};

impl Analyzer {
    /// The byte ranges of `text` where any of `queries` matches, sorted
    /// and with overlapping ranges merged (overlapping CJK bigrams, a word
    /// found by two queries). Every range starts and ends on a character
    /// boundary of `text`.
    pub fn matching_ranges(&mut self, text: &str, queries: &[TermsToFind]) -> Vec<Range<usize>> {
        let mut analyzed = Analyzed::new();
        self.analyze(text, &mut analyzed);
        let mut ranges = Vec::new();
        // Single words (a prefix brings up to 256 of them) are looked up in
        // a set, one pass over each stream; phrases are matched window by
        // window.
        let mut words: HashMap<StreamKind, HashSet<&str>> = HashMap::new();
        for query in queries {
            let n_terms = query.terms.len();
            if n_terms == 1 {
                words
                    .entry(query.stream)
                    .or_default()
                    .insert(query.terms[0].as_str());
                continue;
            }
            let tokens: Vec<_> = analyzed.stream(query.stream).iter().collect();
            if n_terms == 0 || tokens.len() < n_terms {
                continue;
            }
            for window in tokens.windows(n_terms) {
                // Positions of a stream are consecutive, so consecutive
                // tokens are a phrase; the check keeps that assumption
                // honest.
                let consecutive = window
                    .windows(2)
                    .all(|pair| pair[1].position == pair[0].position + 1);
                let same_terms = window
                    .iter()
                    .zip(&query.terms)
                    .all(|(token, term)| token.term == term);
                if consecutive && same_terms {
                    ranges.push(window[0].offset_from..window[n_terms - 1].offset_to);
                }
            }
        }
        for (stream, words) in &words {
            for token in analyzed.stream(*stream).iter() {
                if words.contains(token.term) {
                    ranges.push(token.offset_from..token.offset_to);
                }
            }
        }
        merge_overlapping(ranges)
    }
}

fn merge_overlapping(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|range| (range.start, range.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start < last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The marked pieces of `text` for the words and "phrases" in `query`.
    fn marked<'t>(text: &'t str, query: &[&str]) -> Vec<&'t str> {
        let mut analyzer = Analyzer::new();
        let queries: Vec<TermsToFind> = query
            .iter()
            .filter_map(
                |q| match q.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                    Some(phrase) => analyzer.phrase_terms(phrase),
                    None => analyzer.word_terms(q),
                },
            )
            .collect();
        analyzer
            .matching_ranges(text, &queries)
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn folded_and_stemmed_words_map_back_to_what_was_written() {
        assert_eq!(
            marked("Le Café runs; RUNNING cafe", &["cafe", "run"]),
            ["Café", "runs", "RUNNING", "cafe"]
        );
        assert_eq!(marked("Mu\u{308}ller", &["müller"]), ["Mu\u{308}ller"]);
    }

    #[test]
    fn phrases_mark_their_whole_span() {
        assert_eq!(
            marked(
                "Use package pinning, not package pins.",
                &["\"package pinning\""]
            ),
            ["package pinning"]
        );
        assert_eq!(marked("see lru_cache()", &["lru_cache"]), ["lru_cache"]);
    }

    #[test]
    fn cjk_words_and_characters_are_marked_inside_runs() {
        assert_eq!(marked("安装网络软件包", &["网络软件"]), ["网络软件"]);
        // Overlapping matches merge.
        assert_eq!(marked("网络软件", &["网络", "络软"]), ["网络软"]);
        assert_eq!(marked("图形界面", &["形"]), ["形"]);
    }

    #[test]
    fn no_match_no_range() {
        assert!(marked("nothing here", &["absent"]).is_empty());
        assert!(marked("", &["absent"]).is_empty());
    }
}
