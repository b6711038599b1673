//! The ranking is exact: for common words (thousands of matching chunks,
//! more than the 4,000-row window FTS5 once needed), the top 10 equal a
//! brute-force BM25 over every match, computed here from the stored chunk
//! text with the same analyzer, up to ties.
//!
//! The brute force knows nothing of tantivy: it counts each term in each
//! chunk itself, takes the document frequencies and the average length
//! over all chunks, and scores every chunk that has every word (BM25,
//! k1 = 1.2, b = 0.75, as tantivy). A unit (a content) scores its best
//! chunk. tantivy stores a chunk's length in one byte (exact up to 40
//! tokens, then within a few percent), so two scores are a tie when they
//! differ by less than that.

use std::collections::HashMap;
use std::path::Path;

use gleaner_core::scan::Unobserved;
use gleaner_core::search::analysis::{Analyzed, Analyzer};
use gleaner_core::search::{SearchFilter, SearchHit};
use gleaner_core::source::NewSource;
use gleaner_core::store::UnitKey;
use gleaner_core::{DataDir, Index};

/// Scores closer than this (relative) are ties: the length quantization.
const TIE: f64 = 0.03;

const K1: f64 = 1.2;
const B: f64 = 0.75;

fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// A vocabulary with a few very common words and a long tail.
fn vocabulary() -> Vec<String> {
    let common = [
        "the", "data", "system", "value", "kernel", "memory", "file", "return", "error", "device",
        "driver", "buffer", "page", "user", "process", "network", "thread", "lock", "time",
        "queue", "table", "index", "search", "engine", "query",
    ];
    let mut words: Vec<String> = common.iter().map(|w| w.to_string()).collect();
    for i in 0..3000 {
        words.push(format!("term{i}"));
    }
    words
}

/// Writes `n_files` files of Zipf-like text into `dir`.
fn write_corpus(dir: &Path, n_files: usize) {
    let words = vocabulary();
    let mut rng = xorshift(0x9e37_79b9_7f4a_7c15);
    for f in 0..n_files {
        let sub = dir.join(format!("d{}", f % 20));
        std::fs::create_dir_all(&sub).unwrap();
        let n_lines = 5 + (rng() % 60) as usize;
        let mut text = String::new();
        for _ in 0..n_lines {
            let n_words = 4 + (rng() % 14) as usize;
            for _ in 0..n_words {
                // Zipf-ish: rank = floor(len^u), heavily favouring the start.
                let u = (rng() % 10_000) as f64 / 10_000.0;
                let rank = ((words.len() as f64).powf(u * u) as usize - 1).min(words.len() - 1);
                text.push_str(&words[rank]);
                text.push(' ');
            }
            text.push('\n');
        }
        std::fs::write(sub.join(format!("f{f}.txt")), text).unwrap();
    }
}

struct BruteForce {
    /// Per chunk: its unit, and its stem terms with their frequency.
    chunks: Vec<(i64, HashMap<String, u32>, u32)>,
    doc_freq: HashMap<String, u32>,
    avg_len: f64,
    /// Per chunk, as `chunks`: the words as typed (what a prefix matches).
    exact: Vec<HashMap<String, u32>>,
    /// Per chunk: the words as typed, in order (what a phrase matches).
    sequences: Vec<Vec<String>>,
    exact_doc_freq: HashMap<String, u32>,
}

impl BruteForce {
    fn new(index: &Index) -> BruteForce {
        let store = index.store();
        let mut analyzer = Analyzer::new();
        let mut analyzed = Analyzed::new();
        let mut chunks = Vec::new();
        let mut doc_freq: HashMap<String, u32> = HashMap::new();
        let mut exact = Vec::new();
        let mut sequences = Vec::new();
        let mut exact_doc_freq: HashMap<String, u32> = HashMap::new();
        let mut total_len = 0u64;
        for unit in store.visible_units().unwrap() {
            let UnitKey::Content(content) = unit else {
                continue;
            };
            store
                .for_each_chunk(content, |chunk| {
                    analyzer.analyze(&chunk.text, &mut analyzed);
                    let mut tf: HashMap<String, u32> = HashMap::new();
                    for token in analyzed.stem.iter() {
                        *tf.entry(token.term.to_string()).or_default() += 1;
                    }
                    for term in tf.keys() {
                        *doc_freq.entry(term.clone()).or_default() += 1;
                    }
                    let mut typed: HashMap<String, u32> = HashMap::new();
                    for token in analyzed.exact.iter() {
                        *typed.entry(token.term.to_string()).or_default() += 1;
                    }
                    for term in typed.keys() {
                        *exact_doc_freq.entry(term.clone()).or_default() += 1;
                    }
                    exact.push(typed);
                    sequences.push(analyzed.exact.iter().map(|t| t.term.to_string()).collect());
                    assert_eq!(analyzed.exact.len(), analyzed.stem.len());
                    let len = analyzed.stem.len() as u32;
                    total_len += u64::from(len);
                    chunks.push((content, tf, len));
                    Ok(())
                })
                .unwrap();
        }
        let avg_len = total_len as f64 / chunks.len() as f64;
        BruteForce {
            chunks,
            doc_freq,
            avg_len,
            exact,
            exact_doc_freq,
            sequences,
        }
    }

    /// Every unit with a chunk holding the phrase `words` (as typed): BM25
    /// of the phrase's count, weighed by the sum of its words' idf, as
    /// tantivy scores a phrase; a unit its best chunk. Best first.
    fn phrase_scores(&self, words: &[&str]) -> Vec<(i64, f64)> {
        let idf: f64 = words
            .iter()
            .map(|w| self.idf(*self.exact_doc_freq.get(*w).unwrap_or(&0)))
            .sum();
        let mut best: HashMap<i64, f64> = HashMap::new();
        for ((unit, _, len), sequence) in self.chunks.iter().zip(&self.sequences) {
            let count = sequence
                .windows(words.len())
                .filter(|window| window.iter().zip(words).all(|(a, b)| a == b))
                .count() as u32;
            if count == 0 {
                continue;
            }
            let score = idf * self.tf_part(count, *len);
            let entry = best.entry(*unit).or_insert(f64::MIN);
            *entry = entry.max(score);
        }
        let mut ranked: Vec<(i64, f64)> = best.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked
    }

    fn idf(&self, df: u32) -> f64 {
        let n = self.chunks.len() as f64;
        let df = f64::from(df);
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// BM25's term-frequency part for `f` occurrences in a chunk of `len`.
    fn tf_part(&self, f: u32, len: u32) -> f64 {
        let norm = K1 * (1.0 - B + B * f64::from(len) / self.avg_len);
        f64::from(f) * (K1 + 1.0) / (f64::from(f) + norm)
    }

    /// The words a prefix is searched as: all the words as typed starting
    /// with it, the `PREFIX_WORDS` most frequent when there are more.
    fn prefix_words(&self, prefix: &str) -> Vec<(String, u32)> {
        let mut words: Vec<(String, u32)> = self
            .exact_doc_freq
            .iter()
            .filter(|(w, _)| w.starts_with(prefix))
            .map(|(w, n)| (w.clone(), *n))
            .collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        words.truncate(gleaner_core::search::PREFIX_WORDS);
        words
    }

    /// Every unit matching `prefix` (and `word`, a stem, when given): a
    /// chunk scores its best word of the prefix, each weighed with the
    /// most frequent one's idf, plus the word's BM25; a unit its best
    /// chunk. Best first.
    fn prefix_scores(&self, prefix: &str, word: Option<&str>) -> Vec<(i64, f64)> {
        let words = self.prefix_words(prefix);
        let Some((_, top_df)) = words.first() else {
            return Vec::new();
        };
        let idf = self.idf(*top_df);
        let mut best: HashMap<i64, f64> = HashMap::new();
        for ((unit, stems, len), typed) in self.chunks.iter().zip(&self.exact) {
            let Some(part) = words
                .iter()
                .filter_map(|(w, _)| typed.get(w))
                .map(|f| self.tf_part(*f, *len))
                .reduce(f64::max)
            else {
                continue;
            };
            let mut score = idf * part;
            if let Some(word) = word {
                let Some(f) = stems.get(word) else {
                    continue;
                };
                score += self.idf(self.doc_freq[word]) * self.tf_part(*f, *len);
            }
            let entry = best.entry(*unit).or_insert(f64::MIN);
            *entry = entry.max(score);
        }
        let mut ranked: Vec<(i64, f64)> = best.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked
    }

    /// The best `k` units for a chunk that holds every term: (content,
    /// score), best first.
    fn top(&self, terms: &[String], k: usize) -> Vec<(i64, f64)> {
        let n = self.chunks.len() as f64;
        let idf = |term: &str| {
            let df = f64::from(*self.doc_freq.get(term).unwrap_or(&0));
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        };
        let mut best: HashMap<i64, f64> = HashMap::new();
        for (unit, tf, len) in &self.chunks {
            if !terms.iter().all(|t| tf.contains_key(t)) {
                continue;
            }
            let norm = K1 * (1.0 - B + B * f64::from(*len) / self.avg_len);
            let score: f64 = terms
                .iter()
                .map(|t| {
                    let f = f64::from(tf[t]);
                    idf(t) * f * (K1 + 1.0) / (f + norm)
                })
                .sum();
            let entry = best.entry(*unit).or_insert(f64::MIN);
            *entry = entry.max(score);
        }
        let mut ranked: Vec<(i64, f64)> = best.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked.truncate(k);
        ranked
    }

    fn matches(&self, terms: &[String]) -> usize {
        self.chunks
            .iter()
            .filter(|(_, tf, _)| terms.iter().all(|t| tf.contains_key(t)))
            .count()
    }
}

/// An index of 2,500 files of Zipf-like text, its search index caught up.
fn indexed_corpus(dir: &Path) -> Index {
    write_corpus(&dir.join("docs"), 2500);
    indexed(dir)
}

/// The index of `dir/docs` in `dir/data`, its search index caught up.
fn indexed(dir: &Path) -> Index {
    let docs = dir.join("docs");
    let data_dir = DataDir::resolve(Some(&dir.join("data"))).unwrap();
    let mut index = Index::open(data_dir).unwrap();
    let source = index
        .add_source(NewSource {
            path: docs.clone(),
            recursive: true,
            ..NewSource::default()
        })
        .unwrap();
    index.scan(&source, "manual", &Unobserved).unwrap();
    index.sync_search().unwrap();
    index
}

/// Each hit of `hits` scores, by the brute force (`scores`: every matching
/// unit, best first), what the brute force's own hit at that rank does,
/// up to ties; and there are as many as the brute force has, up to 10.
fn assert_ranked_as(index: &Index, query: &str, hits: &[SearchHit], scores: &[(i64, f64)]) {
    assert_eq!(hits.len(), scores.len().min(10), "{query:?}");
    let score_of: HashMap<i64, f64> = scores.iter().copied().collect();
    for (rank, (hit, (_, want))) in hits.iter().zip(scores).enumerate() {
        let content = index
            .store()
            .document_content(&hit.path)
            .unwrap()
            .expect("an indexed document");
        let got = score_of[&content];
        assert!(
            (got - want).abs() <= TIE * want.abs(),
            "{query:?} rank {rank}: {} scores {got:.4} by brute force, the brute force's own rank {rank} scores {want:.4} ({} matching units)",
            hit.path,
            scores.len()
        );
    }
}

#[test]
fn the_top_ten_of_common_words_equal_a_brute_force_bm25() {
    let tmp = tempfile::tempdir().unwrap();
    let index = indexed_corpus(tmp.path());
    let brute = BruteForce::new(&index);

    // 25 single words and 25 pairs of the most common ones.
    let words = vocabulary();
    let mut queries: Vec<Vec<String>> = words[..25].iter().map(|w| vec![w.clone()]).collect();
    for i in 0..25 {
        queries.push(vec![words[i].clone(), words[(i * 7 + 3) % 25].clone()]);
    }
    let mut analyzer = Analyzer::new();
    let mut big = 0;
    for query in &queries {
        let stems: Vec<String> = query
            .iter()
            .map(|w| analyzer.word_terms(w).unwrap().terms[0].clone())
            .collect();
        let expected = brute.top(&stems, usize::MAX);
        if brute.matches(&stems) > 4000 {
            big += 1;
        }
        let answer = index
            .search(&query.join(" "), &SearchFilter::new(), 10)
            .unwrap();
        if expected.is_empty() {
            // No chunk has every word: the answer relaxes to any word and
            // says so.
            assert!(
                answer.fallback.is_some() || answer.hits.is_empty(),
                "{query:?}"
            );
            continue;
        }
        assert_ranked_as(&index, &query.join(" "), &answer.hits, &expected);
    }
    assert!(
        big >= 10,
        "only {big} queries matched more than 4,000 chunks"
    );
}

/// A prefix ranks every chunk by its best word of the prefix (each word
/// weighed as the most frequent one), exactly, whether the prefix has a
/// few words or more than the limit, alone or beside a word.
#[test]
fn the_top_ten_of_prefixes_equal_a_brute_force_best_word_bm25() {
    let tmp = tempfile::tempdir().unwrap();
    let index = indexed_corpus(tmp.path());
    let brute = BruteForce::new(&index);
    let cases: [(&str, &str, Option<&str>); 7] = [
        ("term299*", "term299", None),
        ("term29*", "term29", None),
        ("term1*", "term1", None),
        ("term*", "term", None),
        ("th*", "th", None),
        ("kernel term29*", "term29", Some("kernel")),
        ("data th*", "th", Some("data")),
    ];
    for (query, prefix, word) in cases {
        let expected = brute.prefix_scores(prefix, word);
        assert!(!expected.is_empty(), "{query:?} matches nothing");
        let answer = index.search(query, &SearchFilter::new(), 10).unwrap();
        assert_ranked_as(&index, query, &answer.hits, &expected);
        let cut = brute
            .exact_doc_freq
            .keys()
            .filter(|w| w.starts_with(prefix))
            .count()
            > gleaner_core::search::PREFIX_WORDS;
        assert_eq!(
            answer.notes.iter().any(|n| n.contains("most frequent")),
            cut,
            "{query:?}: {:?}",
            answer.notes
        );
    }
}

/// A phrase ranks by its own count (tantivy's phrase BM25), exactly, though
/// blocks that cannot rank are passed over unread: phrases of common words
/// (thousands of matching chunks), of a common and a rare word, of one word
/// twice, and of three words.
#[test]
fn the_top_ten_of_phrases_equal_a_brute_force_phrase_bm25() {
    let tmp = tempfile::tempdir().unwrap();
    let index = indexed_corpus(tmp.path());
    let brute = BruteForce::new(&index);
    let phrases: [&[&str]; 6] = [
        &["the", "data"],
        &["data", "the"],
        &["the", "the"],
        &["kernel", "memory"],
        &["the", "term7"],
        &["the", "data", "system"],
    ];
    let mut big = 0;
    for words in phrases {
        let query = format!("\"{}\"", words.join(" "));
        let expected = brute.phrase_scores(words);
        assert!(!expected.is_empty(), "{query} matches nothing");
        if expected.len() > 1000 {
            big += 1;
        }
        let answer = index.search(&query, &SearchFilter::new(), 10).unwrap();
        assert_ranked_as(&index, &query, &answer.hits, &expected);
    }
    assert!(big >= 2, "only {big} phrases matched more than 1,000 units");
}

/// A phrase at the very start of a chunk counts like anywhere else (its
/// first word is at position 0), and a phrase whose second word comes
/// first does not match.
#[test]
fn a_phrase_at_the_start_of_a_text_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("start.txt"), "okapi zebu and nothing else").unwrap();
    std::fs::write(docs.join("middle.txt"), "here an okapi zebu stands").unwrap();
    std::fs::write(docs.join("reversed.txt"), "zebu okapi").unwrap();
    let index = indexed(tmp.path());
    let answer = index
        .search("\"okapi zebu\"", &SearchFilter::new(), 10)
        .unwrap();
    let mut names: Vec<&str> = answer.hits.iter().map(|h| h.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["middle.txt", "start.txt"]);
}
