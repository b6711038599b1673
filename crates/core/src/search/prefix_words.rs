//! Which words a prefix (`inter*`) stands for: all the words of the field
//! that start with it, or, when there are more than [`PREFIX_WORDS`], the
//! most frequent of them; the answer then says so (a deliberate limit,
//! reported). How a chunk holding some of them is scored is `prefix.rs`.
//!
//! The words are counted over every segment's term dictionary, or, for
//! the segments that have one, read from their frequent-word tables
//! (`word_tables.rs`) when bounds prove the tables give the same words.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::schema::Field;
use tantivy::SegmentReader;

use super::word_tables::WordTable;
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

/// A word's document frequencies, summed over segments.
type Counts = HashMap<Vec<u8>, u64, foldhash::fast::RandomState>;

/// The words of `field` starting with `start`: all of them, or the
/// [`PREFIX_WORDS`] most frequent. `tables` (one per segment, where ready)
/// spare walking the dictionaries of large segments when they are enough
/// to tell which words are the most frequent; the words are the same
/// either way.
pub(super) fn expand(
    searcher: &tantivy::Searcher,
    field: Field,
    start: &str,
    tables: &[Option<Arc<WordTable>>],
) -> Result<Expansion> {
    if tables.iter().any(Option::is_some) {
        if let Some(expansion) = expand_with_tables(searcher, field, start, tables)? {
            return Ok(expansion);
        }
    }
    let mut counts = Counts::default();
    let mut cut = false;
    for segment in searcher.segment_readers() {
        cut |= walk(segment, field, start, &mut counts)?;
    }
    let mut words: Vec<(Vec<u8>, u64)> = counts.into_iter().collect();
    words.sort_by(most_frequent_first);
    if words.len() > PREFIX_WORDS {
        cut = true;
        words.truncate(PREFIX_WORDS);
    }
    Ok(Expansion::of(words, cut))
}

/// Adds the words of `segment` starting with `start` to `counts`; true when
/// the segment had more than [`PREFIX_SCAN`] of them (the rest are left
/// out).
fn walk(segment: &SegmentReader, field: Field, start: &str, counts: &mut Counts) -> Result<bool> {
    let inverted = segment.inverted_index(field)?;
    let dict = inverted.terms();
    let mut builder = dict.range().ge(start.as_bytes());
    let upper = upper_bound(start.as_bytes());
    if let Some(upper) = &upper {
        builder = builder.lt(upper);
    }
    let mut stream = builder.into_stream().map_err(tantivy::TantivyError::from)?;
    let mut seen = 0usize;
    while let Some((key, info)) = stream.next() {
        seen += 1;
        if seen > PREFIX_SCAN {
            return Ok(true);
        }
        // Most words are in several segments: a key is copied once.
        match counts.get_mut(key) {
            Some(count) => *count += u64::from(info.doc_freq),
            None => {
                counts.insert(key.to_vec(), u64::from(info.doc_freq));
            }
        }
    }
    Ok(false)
}

/// The order of [`Expansion::words`]: by document frequency, then by word.
fn most_frequent_first(a: &(Vec<u8>, u64), b: &(Vec<u8>, u64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then(a.0.cmp(&b.0))
}

/// What is known of a word read from some tables.
#[derive(Default)]
struct Seen {
    /// Its exact count in the walked segments plus its count in the tables
    /// that list it: at least its frequency.
    known: u64,
    /// The tables that list it (bit i: table i).
    listed: u64,
}

/// [`expand`] from the tables where there are some; `None` when the tables
/// cannot prove which words are the most frequent (the prefix starts no
/// more than [`PREFIX_WORDS`] words, or a word left out of the tables could
/// be as frequent as the last one kept): the caller walks instead.
///
/// A word left out of table i occurs at most `left_out_at_most()` times in
/// that segment, which bounds every word from above; the words that could
/// be among the most frequent by that bound are counted exactly (looked up
/// in the segments whose tables leave them out) and the best of them kept
/// if no word the tables never showed could match the last one.
fn expand_with_tables(
    searcher: &tantivy::Searcher,
    field: Field,
    start: &str,
    tables: &[Option<Arc<WordTable>>],
) -> Result<Option<Expansion>> {
    let mut tabled: Vec<(&SegmentReader, &WordTable)> = Vec::new();
    let mut seen: HashMap<Vec<u8>, Seen, foldhash::fast::RandomState> = HashMap::default();
    let mut walked = Counts::default();
    for (segment, table) in searcher.segment_readers().iter().zip(tables) {
        match table {
            // A word's tables are a bit mask: at most 64 of them.
            Some(table) if tabled.len() < 64 => tabled.push((segment, table)),
            // An answer from the tables is cut anyway (more words than
            // are kept), whether or not this walk stopped early.
            _ => {
                walk(segment, field, start, &mut walked)?;
            }
        }
    }
    for (bit, (_, table)) in tabled.iter().enumerate() {
        for (word, doc_freq) in table.starting_with(start.as_bytes()) {
            let entry = match seen.get_mut(word) {
                Some(entry) => entry,
                None => seen.entry(word.to_vec()).or_default(),
            };
            entry.known += u64::from(doc_freq);
            entry.listed |= 1 << bit;
        }
    }
    for (word, count) in walked {
        seen.entry(word).or_default().known += count;
    }
    if seen.len() <= PREFIX_WORDS {
        return Ok(None);
    }
    let all_listed: u64 = if tabled.len() == 64 {
        u64::MAX
    } else {
        (1 << tabled.len()) - 1
    };
    // The most a word can have beyond what is known of it.
    let unknown = |listed: u64| -> u64 {
        tabled
            .iter()
            .enumerate()
            .filter(|(bit, _)| listed & (1 << bit) == 0)
            .map(|(_, (_, table))| table.left_out_at_most())
            .sum()
    };
    // The frequency the kept words reach for sure.
    let mut known: Vec<u64> = seen.values().map(|s| s.known).collect();
    let (_, floor, _) = known.select_nth_unstable_by(PREFIX_WORDS - 1, |a, b| b.cmp(a));
    let floor = *floor;
    let mut contenders: Vec<(Vec<u8>, u64)> = Vec::new();
    for (word, s) in seen {
        if s.known + unknown(s.listed) < floor {
            continue;
        }
        let mut exact = s.known;
        if s.listed != all_listed {
            for (bit, (segment, _)) in tabled.iter().enumerate() {
                if s.listed & (1 << bit) == 0 {
                    let inverted = segment.inverted_index(field)?;
                    if let Some(info) = inverted
                        .terms()
                        .get(&word)
                        .map_err(tantivy::TantivyError::from)?
                    {
                        exact += u64::from(info.doc_freq);
                    }
                }
            }
        }
        contenders.push((word, exact));
    }
    contenders.sort_by(most_frequent_first);
    contenders.truncate(PREFIX_WORDS);
    // A word no table listed and no walk met has at most this much.
    let never_seen = unknown(0);
    match contenders.last() {
        Some((_, last)) if *last > never_seen => Ok(Some(Expansion::of(contenders, true))),
        _ => Ok(None),
    }
}

impl Expansion {
    /// The expansion of `words` (most frequent first, with their counts).
    fn of(words: Vec<(Vec<u8>, u64)>, cut: bool) -> Expansion {
        Expansion {
            top_doc_freq: words.first().map_or(0, |(_, n)| *n),
            words: words
                .into_iter()
                .filter_map(|(w, _)| String::from_utf8(w).ok())
                .collect(),
            cut,
        }
    }
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
        let expansion = expand(&searcher, field, "inter", &[]).unwrap();
        assert_eq!(expansion.words, ["internal", "inter", "interface"]);
        assert_eq!(expansion.top_doc_freq, 3);
        assert!(!expansion.cut);
        assert!(expand(&searcher, field, "zzz", &[])
            .unwrap()
            .words
            .is_empty());
    }

    #[test]
    fn past_the_limit_only_the_most_frequent_words_are_kept_and_the_cut_is_said() {
        let many: Vec<String> = (0..PREFIX_WORDS + 10).map(|i| format!("w{i}")).collect();
        let mut docs: Vec<&str> = many.iter().map(String::as_str).collect();
        docs.push("w7 w9");
        let (index, field) = index(&[&docs]);
        let searcher = index.reader().unwrap().searcher();
        let expansion = expand(&searcher, field, "w", &[]).unwrap();
        assert!(expansion.cut);
        assert_eq!(expansion.words.len(), PREFIX_WORDS);
        assert_eq!(expansion.words[..2], ["w7", "w9"]);
        assert_eq!(expansion.top_doc_freq, 2);
    }

    /// Segments of skewed text: words `<letter><number>`, the small
    /// numbers far more frequent, as in prose; and rare words `c<number>`.
    fn skewed_index() -> (Index, Field) {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let mut segments: Vec<Vec<String>> = Vec::new();
        for _ in 0..4 {
            let mut docs = Vec::new();
            for _ in 0..800 {
                let mut words = Vec::new();
                for _ in 0..24 {
                    let u = next(1_500);
                    let rank = u * u * u / (1_500 * 1_500);
                    let letter = ["a", "b", "ab"][next(3) as usize];
                    words.push(format!("{letter}{rank}"));
                }
                // And one rare word (in a chunk or two of all).
                words.push(format!("c{}", next(2_000)));
                docs.push(words.join(" "));
            }
            segments.push(docs);
        }
        let slices: Vec<Vec<&str>> = segments
            .iter()
            .map(|docs| docs.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = slices.iter().map(Vec::as_slice).collect();
        index(&slices)
    }

    #[test]
    fn the_tables_give_the_words_the_dictionaries_give() {
        let (index, field) = skewed_index();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 4);
        let table = |ord: u32| {
            Some(Arc::new(
                WordTable::build(searcher.segment_reader(ord), field, 4).unwrap(),
            ))
        };
        // Every segment with a table, and some walked beside the others.
        let all: Vec<_> = (0..4).map(table).collect();
        let some = vec![table(0), None, table(2), None];
        let mut from_tables = 0;
        for prefix in [
            "", "a", "b", "ab", "a1", "b2", "a12", "ab3", "c", "c1", "zz",
        ] {
            let walked = expand(&searcher, field, prefix, &[]).unwrap();
            for tables in [&all, &some] {
                let expansion = expand(&searcher, field, prefix, tables).unwrap();
                assert_eq!(expansion, walked, "prefix {prefix:?}");
                if expand_with_tables(&searcher, field, prefix, tables)
                    .unwrap()
                    .is_some()
                {
                    from_tables += 1;
                }
            }
        }
        // The tables answered most of the long expansions themselves.
        assert!(from_tables >= 6, "{from_tables} answers from the tables");
        // A prefix of fewer words than are kept is always walked (the
        // tables do not show the rare ones).
        assert!(expand_with_tables(&searcher, field, "a12", &all)
            .unwrap()
            .is_none());
    }

    #[test]
    fn upper_bounds() {
        assert_eq!(upper_bound(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(upper_bound(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(upper_bound(b"\xff\xff"), None);
    }
}
