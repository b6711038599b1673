//! English stemming, made cheap by a cache.
//!
//! The stemmer is Snowball's English (Porter2) algorithm from `frostem`, the
//! crate tantivy's own `Stemmer` wraps. Stemming was the costly part of
//! tantivy's stock analyzer (it made indexing 12–24 % dearer than FTS5), and
//! most of it is repeated work: a text uses the same few thousand words
//! over and over. So each analyzer keeps a bounded cache word → stem, and
//! only words the stemmer can change are looked at: ASCII letters only
//! (after folding), three letters or more (Porter2 leaves shorter words as
//! they are). Words with digits (`utf8`, `x86`) and words of other scripts
//! pass through unchanged; the English algorithm has nothing to say about
//! them, and leaving them alone keeps `mp3s` from meaning `mp3`.
//!
//! The cache changes no result: the same word always gets the same stem,
//! at indexing and at query time.

use rustc_hash::FxHashMap;

/// How many distinct words one analyzer remembers. When the cache is full
/// it is emptied and refills with the words in use; frequent words come
/// back within a few chunks. About 3 MB at most per analyzer.
pub const STEM_CACHE_CAPACITY: usize = 32 * 1024;

/// Words shorter than this are never changed by Porter2.
const MIN_STEMMABLE_BYTES: usize = 3;

/// The English stemmer with its word → stem cache.
#[derive(Clone)]
pub(crate) struct StemCache {
    stemmer: frostem::Stemmer,
    /// Word → its stem, or "" when the stem is the word itself (most words
    /// of a text are not changed, and an empty box costs no allocation).
    cache: FxHashMap<Box<str>, Box<str>>,
    capacity: usize,
    n_lookups: u64,
    n_misses: u64,
}

impl std::fmt::Debug for StemCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StemCache")
            .field("n_cached", &self.cache.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl StemCache {
    /// A stemmer remembering up to `capacity` words (0: no cache).
    pub(crate) fn with_capacity(capacity: usize) -> StemCache {
        StemCache {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            cache: FxHashMap::default(),
            capacity,
            n_lookups: 0,
            n_misses: 0,
        }
    }

    /// Appends the stem of the folded, lowercase `word` to `out`.
    pub(crate) fn push_stem(&mut self, word: &str, out: &mut String) {
        if word.len() < MIN_STEMMABLE_BYTES || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            out.push_str(word);
            return;
        }
        if self.capacity == 0 {
            out.push_str(&self.stemmer.stem(word));
            return;
        }
        self.n_lookups += 1;
        if let Some(stem) = self.cache.get(word) {
            out.push_str(if stem.is_empty() { word } else { stem });
            return;
        }
        self.n_misses += 1;
        let stem = self.stemmer.stem(word);
        out.push_str(&stem);
        if self.cache.len() >= self.capacity {
            self.cache.clear();
        }
        let remembered: Box<str> = if stem == word { "".into() } else { stem.into() };
        self.cache.insert(word.into(), remembered);
    }

    /// How many cache look-ups were made and how many missed.
    pub(crate) fn lookups_and_misses(&self) -> (u64, u64) {
        (self.n_lookups, self.n_misses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(cache: &mut StemCache, word: &str) -> String {
        let mut out = String::new();
        cache.push_stem(word, &mut out);
        out
    }

    #[test]
    fn english_words_are_stemmed() {
        let mut cache = StemCache::with_capacity(STEM_CACHE_CAPACITY);
        assert_eq!(stem(&mut cache, "running"), "run");
        assert_eq!(stem(&mut cache, "runs"), "run");
        assert_eq!(stem(&mut cache, "run"), "run");
        assert_eq!(stem(&mut cache, "packages"), "packag");
        assert_eq!(stem(&mut cache, "package"), "packag");
        assert_eq!(stem(&mut cache, "pinning"), "pin");
        // Porter2 does not know irregular forms.
        assert_eq!(stem(&mut cache, "ran"), "ran");
    }

    #[test]
    fn digits_other_scripts_and_short_words_are_left_alone() {
        let mut cache = StemCache::with_capacity(STEM_CACHE_CAPACITY);
        for word in ["mp3s", "utf8", "x86", "is", "as", "москвы", "αβγ"] {
            assert_eq!(stem(&mut cache, word), word);
        }
    }

    #[test]
    fn the_cache_changes_no_stem() {
        let words = [
            "running",
            "generalization",
            "caresses",
            "ponies",
            "cats",
            "the",
            "sky",
        ];
        let mut cached = StemCache::with_capacity(16);
        let mut uncached = StemCache::with_capacity(0);
        // Three rounds, so that words are both looked up again and evicted.
        for _ in 0..3 {
            for word in words {
                assert_eq!(stem(&mut cached, word), stem(&mut uncached, word));
            }
        }
        let (n_lookups, n_misses) = cached.lookups_and_misses();
        assert!(n_misses < n_lookups);
        assert!(cached.cache.len() <= 16);
        let mut small = StemCache::with_capacity(2);
        for word in words {
            assert_eq!(stem(&mut small, word), stem(&mut uncached, word));
        }
        assert!(small.cache.len() <= 2);
    }
}
