//! Snippets: the part of a matching chunk that shows best why it matched,
//! with the query's words between `**`.
//!
//! FTS5's `snippet()` would make them, but it evaluates the query's
//! expression again for every hit it is called on, reading the index: for a
//! common prefix replaced by a dozen words that cost about 1 ms per hit, a
//! third of the slowest searches over the large corpus (11.5 ms of 31 for
//! `a*`). Here the chunk's text is tokenized with the index's own tokenizer
//! (the same case and diacritics folding, the same stems) and the query's
//! terms are looked for among its tokens, without touching the index. The
//! window is chosen the way `snippet()` chooses it: the one that shows the
//! most different terms, with the hits in its middle.

use super::fts5::{Token, TokenizeFor, Tokenizer, CHUNK_TOKENIZER};
use crate::error::Result;
use crate::query::FtsQuery;
use rusqlite::Connection;

/// Tokens shown in a snippet, as `snippet(…, 24)` showed.
pub(crate) const SNIPPET_TOKENS: usize = 24;

/// One positive term of the query as the index sees it: a word is a
/// phrase of one token; the last token of a `prefix*` matches every token
/// that starts with it.
#[derive(Debug)]
struct Phrase {
    tokens: Vec<String>,
    prefix: bool,
}

impl Phrase {
    fn matches_at(&self, tokens: &[Token], at: usize) -> bool {
        let Some(window) = tokens.get(at..at + self.tokens.len()) else {
            return false;
        };
        let last = self.tokens.len() - 1;
        window
            .iter()
            .zip(&self.tokens)
            .enumerate()
            .all(|(i, (token, wanted))| {
                if i == last && self.prefix {
                    token.text.starts_with(wanted.as_str())
                } else {
                    token.text == *wanted
                }
            })
    }
}

/// A phrase found in the text: token indexes `first..=last`.
#[derive(Debug, Clone, Copy)]
struct Found {
    first: usize,
    last: usize,
    phrase: usize,
}

/// Makes the snippets of one query.
pub(crate) struct Highlighter<'conn> {
    tokenizer: Tokenizer<'conn>,
    phrases: Vec<Phrase>,
}

impl<'conn> Highlighter<'conn> {
    pub(crate) fn new(conn: &'conn Connection, query: &FtsQuery) -> Result<Highlighter<'conn>> {
        let tokenizer = Tokenizer::new(conn, CHUNK_TOKENIZER)?;
        let mut phrases = Vec::new();
        for (text, prefix) in query.positive_terms() {
            let purpose = if prefix {
                TokenizeFor::Prefix
            } else {
                TokenizeFor::Query
            };
            let tokens: Vec<String> = tokenizer
                .tokens(text, purpose)?
                .into_iter()
                .map(|t| t.text)
                .collect();
            if !tokens.is_empty() {
                phrases.push(Phrase { tokens, prefix });
            }
        }
        Ok(Highlighter { tokenizer, phrases })
    }

    /// The snippet of `text`, or `None` when none of the query's terms is
    /// in it (the chunk matched in a way this does not model).
    pub(crate) fn snippet(&self, text: &str) -> Result<Option<String>> {
        let tokens = self.tokenizer.tokens(text, TokenizeFor::Document)?;
        let found = self.find(&tokens);
        if found.is_empty() {
            return Ok(None);
        }
        let (start, end) = window(&found, tokens.len(), SNIPPET_TOKENS);
        Ok(render(text, &tokens, &found, start, end))
    }

    fn find(&self, tokens: &[Token]) -> Vec<Found> {
        let mut found = Vec::new();
        for at in 0..tokens.len() {
            for (phrase_index, phrase) in self.phrases.iter().enumerate() {
                if phrase.matches_at(tokens, at) {
                    found.push(Found {
                        first: at,
                        last: at + phrase.tokens.len() - 1,
                        phrase: phrase_index,
                    });
                }
            }
        }
        found
    }
}

/// The tokens `start..end` to show: of the windows of `size` tokens that
/// begin at a hit, the one holding the most different phrases (then the
/// most hits, then the earliest), moved left so its hits sit in the middle.
fn window(found: &[Found], n_tokens: usize, size: usize) -> (usize, usize) {
    let score = |start: usize| -> usize {
        let mut seen: Vec<usize> = Vec::new();
        let mut score = 0;
        for hit in found
            .iter()
            .filter(|h| h.first >= start && h.last < start + size)
        {
            if seen.contains(&hit.phrase) {
                score += 1;
            } else {
                seen.push(hit.phrase);
                score += 1000;
            }
        }
        score
    };
    let mut best = found[0].first;
    let mut best_score = score(best);
    for hit in &found[1..] {
        let candidate = score(hit.first);
        if candidate > best_score {
            best = hit.first;
            best_score = candidate;
        }
    }
    let last_hit = found
        .iter()
        .filter(|h| h.first >= best && h.last < best + size)
        .map(|h| h.last)
        .max()
        .unwrap_or(best);
    let span = last_hit + 1 - best;
    let mut start = best.saturating_sub(size.saturating_sub(span) / 2);
    if start + size > n_tokens {
        start = n_tokens.saturating_sub(size);
    }
    (start, (start + size).min(n_tokens))
}

/// The text of tokens `start..end` with every whole hit among them between
/// `**`, and `…` where the chunk goes on. From the chunk's first byte when
/// the window starts at its first token, to its last byte when it ends at
/// its last, as `snippet()` does.
fn render(
    text: &str,
    tokens: &[Token],
    found: &[Found],
    start: usize,
    end: usize,
) -> Option<String> {
    let begin = if start == 0 { 0 } else { tokens[start].start };
    let finish = if end == tokens.len() {
        text.len()
    } else {
        tokens[end - 1].end
    };
    let mut out = String::with_capacity(finish - begin + 32);
    if start > 0 {
        out.push('…');
    }
    let mut cursor = begin;
    for hit in found.iter().filter(|h| h.first >= start && h.last < end) {
        let (from, to) = (tokens[hit.first].start, tokens[hit.last].end);
        if from < cursor {
            continue; // overlaps the previous hit (a word of two phrases)
        }
        out.push_str(text.get(cursor..from)?);
        out.push_str("**");
        out.push_str(text.get(from..to)?);
        out.push_str("**");
        cursor = to;
    }
    out.push_str(text.get(cursor..finish.max(cursor))?);
    if end < tokens.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_query;

    fn snippet(query: &str, text: &str) -> Option<String> {
        let conn = Connection::open_in_memory().unwrap();
        let query = parse_query(query).unwrap();
        let highlighter = Highlighter::new(&conn, &query).unwrap();
        let snippet = highlighter.snippet(text).unwrap();
        drop(highlighter); // before the connection it borrows
        snippet
    }

    #[test]
    fn words_are_found_by_their_stems_and_folded_forms() {
        assert_eq!(
            snippet("running cafe", "The Café was RUNS of runners").as_deref(),
            Some("The **Café** was **RUNS** of runners")
        );
    }

    #[test]
    fn a_phrase_is_highlighted_only_where_it_is_whole() {
        assert_eq!(
            snippet(
                "\"return value\"",
                "the value to return; the return value is"
            )
            .as_deref(),
            Some("the value to return; the **return value** is")
        );
    }

    #[test]
    fn a_prefix_matches_every_word_it_starts() {
        // The porter tokenizer stems the prefix too (`sys` → `sy`), so FTS5
        // matches `sy` for `sys*`, and so does the snippet.
        assert_eq!(
            snippet("sys*", "the system calls sysfs, not a sy, so").as_deref(),
            Some("the **system** calls **sysfs**, not a **sy**, so")
        );
    }

    #[test]
    fn excluded_words_are_not_highlighted_and_no_term_is_none() {
        assert_eq!(
            snippet("fox -dog", "a fox and a dog").as_deref(),
            Some("a **fox** and a dog")
        );
        assert_eq!(snippet("zebra", "nothing here"), None);
    }

    #[test]
    fn a_long_text_shows_the_window_with_most_terms_centred() {
        let filler: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let mut words = filler.clone();
        words[10] = "alpha".into();
        words[60] = "alpha".into();
        words[64] = "beta".into();
        let text = words.join(" ");
        let got = snippet("alpha beta", &text).unwrap();
        assert!(got.starts_with('…') && got.ends_with('…'), "{got}");
        assert!(got.contains("**alpha** w61 w62 w63 **beta**"), "{got}");
        assert_eq!(got.split_whitespace().count(), SNIPPET_TOKENS, "{got}");
        // The hits are in the middle: as many words before as after.
        let before = got.split("**alpha**").next().unwrap();
        let after = got.rsplit("**beta**").next().unwrap();
        let (b, a) = (
            before.split_whitespace().count(),
            after.split_whitespace().count(),
        );
        assert!(b.abs_diff(a) <= 1, "{got}");
    }
}
