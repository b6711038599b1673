//! The words a `prefix*` term stands for.
//!
//! FTS5 answers a prefix term by merging the lists of every indexed term
//! with that prefix, whole, before it returns a row: about 50 ms for `sys*`
//! and a second for `a*` over two million chunks, at every evaluation. So a
//! prefix that is common in the index is replaced by its most frequent
//! words, at most [`WORDS_PER_PREFIX`] of them, each an ordinary term that
//! FTS5 reads lazily. Frequencies come from a sample of the indexed text
//! (spans of chunks spread over the whole index), not from the index's
//! term list, because counting the rows of every term with the prefix costs
//! as much as the merge, and because the list holds stems, which FTS5
//! would stem again. A prefix absent from the sample is rare, so FTS5's
//! own merge is cheap for it and it stays a prefix query, exact.
//!
//! The cost of the shortcut: a common prefix finds only its most frequent
//! words (`pyth*` finds `python`, not a rare `pythonic`).

use std::collections::HashMap;

use rusqlite::params;

use super::Store;
use crate::error::Result;
use crate::query::FtsQuery;

/// A common prefix stands for at most this many words.
pub(crate) const WORDS_PER_PREFIX: usize = 12;

/// The sample: this many spans of consecutive chunks, spread evenly over
/// the chunk ids, of [`SPAN_CHUNKS`] chunks each.
const SAMPLE_SPANS: i64 = 32;
const SPAN_CHUNKS: i64 = 16;

impl Store {
    /// The FTS5 expression to run for `query`: its expression with each
    /// common prefix replaced by its most frequent words.
    pub(crate) fn expression_for(&self, query: &FtsQuery) -> Result<String> {
        let expandable: Vec<String> = query
            .prefixes
            .iter()
            .map(|prefix| prefix.to_lowercase())
            .filter(|prefix| prefix.chars().all(char::is_alphanumeric))
            .collect();
        if expandable.is_empty() {
            return Ok(query.expression.clone());
        }
        let sample = self.sample_text()?;
        let words: HashMap<String, Vec<String>> = expandable
            .into_iter()
            .map(|prefix| {
                let words = frequent_words(&sample, &prefix, WORDS_PER_PREFIX);
                (prefix, words)
            })
            .collect();
        Ok(query.expression_with(|prefix| words.get(&prefix.to_lowercase()).cloned()))
    }

    /// Text of [`SAMPLE_SPANS`] spans of chunks spread over the chunk ids.
    fn sample_text(&self) -> Result<Vec<String>> {
        let (lowest, highest) = self.row_id_range("chunks")?;
        if highest == 0 {
            return Ok(Vec::new());
        }
        let mut span = self.conn.prepare_cached(
            "SELECT text FROM chunks WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3",
        )?;
        // Spans never overlap, so that no chunk counts twice.
        let step = ((highest - lowest + 1) / SAMPLE_SPANS).max(SPAN_CHUNKS);
        let mut texts = Vec::new();
        let mut start = lowest;
        while start <= highest && texts.len() < (SAMPLE_SPANS * SPAN_CHUNKS) as usize {
            let rows = span.query_map(params![start, start + step, SPAN_CHUNKS], |r| {
                r.get::<_, String>(0)
            })?;
            for text in rows {
                texts.push(text?);
            }
            start += step;
        }
        Ok(texts)
    }
}

/// The `limit` words of `texts` starting with `prefix` (lower case) found
/// in the most texts, most frequent first, ties in word order.
fn frequent_words(texts: &[String], prefix: &str, limit: usize) -> Vec<String> {
    let mut texts_with: HashMap<String, usize> = HashMap::new();
    for text in texts {
        let mut seen: Vec<String> = Vec::new();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if !starts_with_folded(word, prefix) {
                continue;
            }
            let word = word.to_lowercase();
            if word.starts_with(prefix) && !seen.contains(&word) {
                seen.push(word);
            }
        }
        for word in seen {
            *texts_with.entry(word).or_default() += 1;
        }
    }
    let mut words: Vec<(String, usize)> = texts_with.into_iter().collect();
    words.sort_by(|(a, n), (b, m)| m.cmp(n).then_with(|| a.cmp(b)));
    words.truncate(limit);
    words.into_iter().map(|(word, _)| word).collect()
}

/// Whether `word` may start with `prefix` (lower case) once lowercased: a
/// cheap test that spares lowercasing every word of the sample.
fn starts_with_folded(word: &str, prefix: &str) -> bool {
    if !prefix.is_ascii() {
        return true;
    }
    word.len() >= prefix.len()
        && word.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_found_in_most_texts_come_first() {
        let texts: Vec<String> = [
            "System calls: the system, Systemd and sysfs.",
            "sysfs again, and a system",
            "syscall",
            "nothing here but a sys",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            frequent_words(&texts, "sys", 10),
            ["sysfs", "system", "sys", "syscall", "systemd"]
        );
        assert_eq!(frequent_words(&texts, "sys", 2), ["sysfs", "system"]);
        assert!(frequent_words(&texts, "zebra", 10).is_empty());
    }
}
