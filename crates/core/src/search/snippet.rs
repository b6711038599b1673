//! A snippet: a few lines' worth of a chunk around what matched, with the
//! matches between `**`.
//!
//! The matches come from the analyzer (`analysis::highlight`), which reads
//! the stored text with the same analysis the index used, so `cafe` marks
//! `Café` and a phrase is marked whole. Of the windows of
//! [`SNIPPET_WORDS`] words that begin at a match, the one with the most
//! matches is shown, with its matches centred; `…` marks where the chunk
//! goes on.

use std::ops::Range;

/// Words shown in a snippet.
pub const SNIPPET_WORDS: usize = 24;

/// Longest snippet, in bytes: text without spaces (CJK, minified code) has
/// no words to count.
const SNIPPET_MAX_BYTES: usize = 360;

/// The snippet of `text` with `matches` (sorted, not overlapping, on
/// character boundaries) marked.
pub fn snippet(text: &str, matches: &[Range<usize>]) -> String {
    let words: Vec<Range<usize>> = word_spans(text);
    if words.is_empty() {
        return String::new();
    }
    // The word each match starts in.
    let word_of = |byte: usize| {
        words
            .partition_point(|w| w.end <= byte)
            .min(words.len() - 1)
    };
    let hits: Vec<(usize, &Range<usize>)> = matches.iter().map(|m| (word_of(m.start), m)).collect();
    let (start, end) = match hits.first() {
        None => (0, SNIPPET_WORDS.min(words.len())),
        Some(_) => {
            let in_window = |first: usize| {
                hits.iter()
                    .filter(|(w, _)| *w >= first && *w < first + SNIPPET_WORDS)
                    .count()
            };
            let best = hits
                .iter()
                .map(|(w, _)| *w)
                .max_by_key(|&w| (in_window(w), std::cmp::Reverse(w)))
                .unwrap_or(0);
            let last = hits
                .iter()
                .map(|(w, _)| *w)
                .filter(|&w| w >= best && w < best + SNIPPET_WORDS)
                .max()
                .unwrap_or(best);
            let span = last + 1 - best;
            let mut start = best.saturating_sub(SNIPPET_WORDS.saturating_sub(span) / 2);
            if start + SNIPPET_WORDS > words.len() {
                start = words.len().saturating_sub(SNIPPET_WORDS);
            }
            (start, (start + SNIPPET_WORDS).min(words.len()))
        }
    };
    let mut begin = if start == 0 { 0 } else { words[start].start };
    let mut finish = if end == words.len() {
        text.len()
    } else {
        words[end - 1].end
    };
    let (mut cut_before, mut cut_after) = (start > 0, end < words.len());
    if finish - begin > SNIPPET_MAX_BYTES {
        // Long words: keep the bytes around the first match in view.
        let anchor = hits
            .iter()
            .map(|(_, r)| r.start)
            .find(|&b| b >= begin && b < finish)
            .unwrap_or(begin);
        let from = floor_char(
            text,
            anchor.saturating_sub(SNIPPET_MAX_BYTES / 3).max(begin),
        );
        let to = floor_char(text, (from + SNIPPET_MAX_BYTES).min(finish));
        cut_before |= from > begin;
        cut_after |= to < finish;
        begin = from;
        finish = to;
    }
    let mut out = String::with_capacity(finish - begin + 16);
    if cut_before {
        out.push('…');
    }
    let mut cursor = begin;
    for (_, range) in &hits {
        if range.start < cursor || range.end > finish {
            continue;
        }
        out.push_str(&text[cursor..range.start]);
        out.push_str("**");
        out.push_str(&text[range.start..range.end]);
        out.push_str("**");
        cursor = range.end;
    }
    out.push_str(&text[cursor..finish.max(cursor)]);
    if cut_after {
        out.push('…');
    }
    out
}

fn floor_char(text: &str, mut byte: usize) -> usize {
    byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// Byte ranges of the whitespace-separated words of `text`.
fn word_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                spans.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push(s..text.len());
    }
    spans
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one match is a list of one range
mod tests {
    use super::*;

    #[test]
    fn a_short_text_is_shown_whole_with_its_matches_marked() {
        let text = "the Café is open";
        assert_eq!(snippet(text, &[4..9]), "the **Café** is open");
        assert_eq!(snippet(text, &[]), "the Café is open");
    }

    #[test]
    fn a_long_text_shows_the_window_with_most_matches_centred() {
        let words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let text = words.join(" ");
        let at = |w: &str| {
            let start = text.find(&format!(" {w} ")).unwrap() + 1;
            start..start + w.len()
        };
        let got = snippet(&text, &[at("w10"), at("w60"), at("w62")]);
        assert!(got.starts_with('…') && got.ends_with('…'), "{got}");
        assert!(got.contains("**w60**") && got.contains("**w62**"), "{got}");
        assert!(!got.contains("w10"), "{got}");
        assert_eq!(got.split_whitespace().count(), SNIPPET_WORDS);
    }

    #[test]
    fn a_long_run_without_spaces_is_cut_around_the_match() {
        let text = "网".repeat(500) + "图形" + &"络".repeat(500);
        let start = text.find("图形").unwrap();
        let got = snippet(&text, &[start..start + "图形".len()]);
        assert!(got.contains("**图形**") && got.starts_with('…') && got.ends_with('…'));
        assert!(got.len() <= SNIPPET_MAX_BYTES + 16, "{}", got.len());
    }

    #[test]
    fn cjk_text_without_spaces_is_cut_by_bytes_safely() {
        let text = "网络软件图形日志";
        let start = text.find("图形").unwrap();
        assert_eq!(
            snippet(text, &[start..start + "图形".len()]),
            "网络软件**图形**日志"
        );
    }
}
