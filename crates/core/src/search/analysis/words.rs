//! Splitting text into words and CJK runs, in one pass over its bytes.
//!
//! A word is a run of Unicode letters and digits; everything else
//! separates (spaces, punctuation, `_`, `-`, `.`, symbols, emoji, NUL).
//! A word is lowercased and folded as it is read ([`super::fold`]), so no
//! second pass over it is needed. A combining mark continues the word it
//! follows, and a few invisible format characters (soft hyphen, zero-width
//! joiners) are skipped without ending it.
//!
//! CJK characters never join a word: a maximal run of them is handed on as
//! a slice of the original text, to be bigrammed ([`super::cjk`]).
//!
//! A word longer than [`MAX_WORD_CHARS`] characters is dropped: such runs
//! are base64, long hashes and minified code, nobody types them, and each
//! one would be a term of its own in the index. The cap counts characters,
//! not bytes, so a long Russian or Hindi word (2 or 3 bytes a letter) is
//! held to the same length as an English one. It is 64 rather than
//! tantivy's 40: measured on Debian's documentation and C headers, words
//! of 41 to 64 characters are 0.02–0.09 % of all words, and they are what
//! people do search for — SHA-256 checksums, long API names
//! (`PFNEGLCREATESTREAMFROMFILEDESCRIPTORKHRPROC`), long German compounds
//! (`Donaudampfschifffahrtsgesellschaftskapitän`, 42) — while no word
//! there was longer than 64.
//!
//! ASCII, the bulk of most text and all of most code, takes a path that
//! looks at one byte and decodes nothing.

use std::ops::Range;

use super::{cjk, fold};

/// Words longer than this many characters are dropped (tantivy's
/// `RemoveLongFilter` and its default analyzer use 40 bytes). A SHA-256
/// checksum in hex still fits.
pub const MAX_WORD_CHARS: usize = 64;

/// What the scanner finds, in text order.
pub(crate) enum Piece<'text, 'word> {
    /// A word, lowercased and folded, and its byte range in the text.
    Word {
        folded: &'word str,
        span: Range<usize>,
    },
    /// A maximal run of CJK characters, as a slice of the text starting at
    /// byte `start`.
    CjkRun { run: &'text str, start: usize },
}

/// Splits text into [`Piece`]s; keeps its word buffer between calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct WordScanner {
    word: String,
}

/// Where the scanner is between characters.
#[derive(Clone, Copy)]
enum State {
    Between,
    /// In a word that started at this byte and has this many characters.
    InWord {
        start: usize,
        n_chars: usize,
    },
    /// In a CJK run that started at this byte.
    InCjk {
        start: usize,
    },
}

impl WordScanner {
    /// Calls `emit` with each word and CJK run of `text`, in order.
    pub(crate) fn scan<'text>(&mut self, text: &'text str, mut emit: impl FnMut(Piece<'text, '_>)) {
        let bytes = text.as_bytes();
        let word = &mut self.word;
        let mut state = State::Between;
        let mut at = 0;
        // Ends whatever is open before byte `end`.
        let mut close = |state: &mut State, end: usize, word: &mut String| {
            match *state {
                State::Between => {}
                State::InWord { start, n_chars } => {
                    if n_chars <= MAX_WORD_CHARS {
                        emit(Piece::Word {
                            folded: word.as_str(),
                            span: start..end,
                        });
                    }
                    word.clear();
                }
                State::InCjk { start } => emit(Piece::CjkRun {
                    run: &text[start..end],
                    start,
                }),
            }
            *state = State::Between;
        };
        while at < bytes.len() {
            let byte = bytes[at];
            if byte.is_ascii() {
                if byte.is_ascii_alphanumeric() {
                    match &mut state {
                        State::InWord { n_chars, .. } => *n_chars += 1,
                        _ => {
                            close(&mut state, at, word);
                            state = State::InWord {
                                start: at,
                                n_chars: 1,
                            };
                        }
                    }
                    word.push(byte.to_ascii_lowercase() as char);
                } else {
                    close(&mut state, at, word);
                }
                at += 1;
                continue;
            }
            let c = text[at..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            let len = c.len_utf8();
            if cjk::is_cjk(c) {
                if !matches!(state, State::InCjk { .. }) {
                    close(&mut state, at, word);
                    state = State::InCjk { start: at };
                }
            } else if c.is_alphanumeric() {
                match &mut state {
                    State::InWord { n_chars, .. } => *n_chars += 1,
                    _ => {
                        close(&mut state, at, word);
                        state = State::InWord {
                            start: at,
                            n_chars: 1,
                        };
                    }
                }
                fold::push_folded_lowercase(c, word);
            } else if let State::InWord { n_chars, .. } = &mut state {
                if fold::is_combining_mark(c) {
                    if !fold::drops_combining_mark(word) {
                        word.push(c);
                        *n_chars += 1;
                    }
                } else if !fold::is_ignorable_in_word(c) {
                    close(&mut state, at, word);
                }
            } else {
                close(&mut state, at, word);
            }
            at += len;
        }
        close(&mut state, bytes.len(), word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces of `text`: words as they are, CJK runs in brackets.
    fn pieces(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        WordScanner::default().scan(text, |piece| match piece {
            Piece::Word { folded, span } => {
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                out.push(folded.to_string());
            }
            Piece::CjkRun { run, start } => {
                assert_eq!(&text[start..start + run.len()], run);
                out.push(format!("[{run}]"));
            }
        });
        out
    }

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        assert_eq!(
            pieces("Hello, World! x86_64 GPL-3 foo.bar lru_cache fooBar"),
            ["hello", "world", "x86", "64", "gpl", "3", "foo", "bar", "lru", "cache", "foobar"]
        );
    }

    #[test]
    fn cjk_runs_never_join_latin_words() {
        assert_eq!(
            pieces("使用Linux系统，2024年3月"),
            ["[使用]", "linux", "[系统]", "2024", "[年]", "3", "[月]"]
        );
    }

    #[test]
    fn spans_cover_the_original_bytes() {
        let text = "Ça va? café";
        let mut spans = Vec::new();
        WordScanner::default().scan(text, |piece| {
            if let Piece::Word { span, .. } = piece {
                spans.push(&text[span]);
            }
        });
        assert_eq!(spans, ["Ça", "va", "café"]);
    }

    #[test]
    fn long_words_are_dropped() {
        let hash = "a".repeat(MAX_WORD_CHARS);
        let too_long = "b".repeat(MAX_WORD_CHARS + 1);
        let long_russian = "ж".repeat(MAX_WORD_CHARS);
        let text = format!("keep {hash} drop {too_long} {long_russian} end");
        assert_eq!(
            pieces(&text),
            [
                "keep".to_string(),
                hash,
                "drop".into(),
                long_russian,
                "end".into()
            ]
        );
    }

    #[test]
    fn soft_hyphens_and_joiners_do_not_split_a_word() {
        assert_eq!(pieces("hy\u{AD}phen\u{200D}ated"), ["hyphenated"]);
        // A zero-width space does.
        assert_eq!(pieces("two\u{200B}words"), ["two", "words"]);
    }

    #[test]
    fn emoji_symbols_and_odd_code_points_separate() {
        assert_eq!(
            pieces("a🙂b\u{0}c\u{FFFD}d\u{FFFF}e\u{10FFFF}f\u{E000}g 👍🏽 ∑"),
            ["a", "b", "c", "d", "e", "f", "g"]
        );
    }

    #[test]
    fn empty_and_blank_text_has_no_pieces() {
        assert!(pieces("").is_empty());
        assert!(pieces(" \t\r\n\u{3000}\u{A0} ").is_empty());
    }

    #[test]
    fn a_mark_at_the_start_of_a_word_is_not_a_word() {
        assert_eq!(pieces("\u{301}abc \u{301}"), ["abc"]);
    }

    #[test]
    fn mixed_scripts_stay_one_word() {
        assert_eq!(pieces("Москва2024 αβγ"), ["москва2024", "αβγ"]);
    }
}
