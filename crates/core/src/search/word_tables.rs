//! The frequent words of each large segment, kept in memory so that a
//! short prefix (`a*`) need not walk tens of thousands of terms.
//!
//! A prefix is looked up as its most frequent words (see `prefix`). To
//! find them, every term of the index that starts with the prefix used to
//! be read from each segment's term dictionary: `a*` walks about 72,000
//! terms of the large corpus, two thirds of its 30-40 ms. Most of those
//! terms are rare (half of a segment's words occur in one chunk) and can
//! never be among the most frequent. A [`WordTable`] holds, per segment,
//! only the words found in at least [`MIN_DOC_FREQ`] of its chunks, sorted,
//! so a prefix is a binary search and a short scan. Whether the words read
//! from the tables are exactly the most frequent is checked by `prefix`
//! (a word left out of a table occurs fewer than [`MIN_DOC_FREQ`] times in
//! that segment); when the check cannot prove it, the prefix walks the
//! dictionaries as before.
//!
//! Segments never change, so a table is right for as long as its segment
//! lives. Tables are built in a background thread (a segment's whole
//! dictionary is read once: 10-45 ms for a large one), never in a search:
//! a search uses the tables that are ready and walks the other segments.
//! Only readers that live long ask for them (the HTTP server, MCP, the
//! desktop); a one-shot `gleaner search` would build them for nothing.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::SegmentReader;

/// A word goes in a segment's table when this many of the segment's chunks
/// hold it.
pub(super) const MIN_DOC_FREQ: u32 = 16;

/// Segments with fewer terms are walked: reading their dictionary costs
/// less than a table's upkeep.
const MIN_SEGMENT_TERMS: usize = 20_000;

/// The frequent words of one segment's field, sorted.
#[derive(Debug, Default)]
pub(super) struct WordTable {
    /// The words, one after the other.
    bytes: Vec<u8>,
    /// Where each word ends in `bytes`.
    ends: Vec<u32>,
    /// How many of the segment's chunks hold each word.
    doc_freqs: Vec<u32>,
    /// Every word held by at least this many chunks is in the table.
    min_doc_freq: u32,
}

impl WordTable {
    /// Reads the dictionary of `field` in `segment`, keeping the words of
    /// at least `min_doc_freq` chunks.
    pub fn build(
        segment: &SegmentReader,
        field: Field,
        min_doc_freq: u32,
    ) -> tantivy::Result<WordTable> {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        let mut table = WordTable {
            min_doc_freq,
            ..WordTable::default()
        };
        while let Some((word, info)) = stream.next() {
            if info.doc_freq >= min_doc_freq {
                table.bytes.extend_from_slice(word);
                table.ends.push(table.bytes.len() as u32);
                table.doc_freqs.push(info.doc_freq);
            }
        }
        table.bytes.shrink_to_fit();
        table.ends.shrink_to_fit();
        table.doc_freqs.shrink_to_fit();
        Ok(table)
    }

    /// A word left out of the table is held by at most this many chunks.
    pub fn left_out_at_most(&self) -> u64 {
        u64::from(self.min_doc_freq.saturating_sub(1))
    }

    fn word(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// The table's words starting with `prefix`, in order, with their
    /// document frequencies.
    pub fn starting_with<'a>(&'a self, prefix: &'a [u8]) -> impl Iterator<Item = (&'a [u8], u32)> {
        let first = partition_point(self.ends.len(), |i| self.word(i) < prefix);
        (first..self.ends.len())
            .map(move |i| (self.word(i), self.doc_freqs[i]))
            .take_while(move |(word, _)| word.starts_with(prefix))
    }

    /// Bytes held.
    fn size(&self) -> usize {
        self.bytes.len() + 8 * self.ends.len()
    }
}

/// The first index in `0..len` for which `below` is false (`below` is true
/// then false along the range).
fn partition_point(len: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, len);
    while low < high {
        let mid = low + (high - low) / 2;
        if below(mid) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

/// The tables of one field, by segment, kept in step with the segments a
/// reader sees.
#[derive(Debug)]
pub(super) struct WordTables {
    field: Field,
    /// Off until a long-lived reader asks for tables.
    enabled: AtomicBool,
    shared: Arc<Mutex<Shared>>,
}

#[derive(Debug, Default)]
struct Shared {
    tables: HashMap<SegmentId, Arc<WordTable>>,
    /// Segments whose table could not be built: walked, not retried.
    failed: HashSet<SegmentId>,
    /// A builder thread runs.
    building: bool,
    /// The searcher generation whose segments all have a table or are
    /// being given one: nothing to do until another comes.
    followed: Option<u64>,
}

impl WordTables {
    pub fn new(field: Field) -> WordTables {
        WordTables {
            field,
            enabled: AtomicBool::new(false),
            shared: Arc::default(),
        }
    }

    /// From now on, build the tables of large segments.
    pub fn enable(&self) {
        self.enabled.store(true, Ordering::Relaxed);
    }

    /// The table of each of `searcher`'s segments, in segment order, where
    /// one is ready.
    pub fn of(&self, searcher: &tantivy::Searcher) -> Vec<Option<Arc<WordTable>>> {
        let shared = self.shared.lock().expect("word tables lock");
        searcher
            .segment_readers()
            .iter()
            .map(|segment| shared.tables.get(&segment.segment_id()).cloned())
            .collect()
    }

    /// Drops the tables of segments `searcher` no longer has and starts
    /// building the missing ones in the background. Called at every search:
    /// a lock and a comparison once the searcher's generation is followed.
    pub fn follow(&self, searcher: &tantivy::Searcher) {
        if !self.enabled.load(Ordering::Relaxed) {
            return;
        }
        let generation = searcher.generation().generation_id();
        let mut shared = self.shared.lock().expect("word tables lock");
        if shared.followed == Some(generation) {
            return;
        }
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        shared.tables.retain(|id, _| live.contains(id));
        shared.failed.retain(|id| live.contains(id));
        if shared.building {
            return;
        }
        let field = self.field;
        let missing: Vec<usize> = searcher
            .segment_readers()
            .iter()
            .enumerate()
            .filter(|(_, segment)| {
                let id = segment.segment_id();
                !shared.tables.contains_key(&id)
                    && !shared.failed.contains(&id)
                    && segment
                        .inverted_index(field)
                        .map(|inverted| inverted.terms().num_terms() >= MIN_SEGMENT_TERMS)
                        .unwrap_or(false)
            })
            .map(|(ord, _)| ord)
            .collect();
        shared.followed = Some(generation);
        if missing.is_empty() {
            return;
        }
        shared.building = true;
        drop(shared);
        let searcher = searcher.clone();
        let shared = self.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("word-tables".into())
            .spawn(move || build_missing(&searcher, field, &missing, &shared));
        if let Err(error) = spawned {
            tracing::warn!(%error, "could not start building the prefix word tables");
            let mut shared = self.shared.lock().expect("word tables lock");
            shared.building = false;
            shared.followed = None;
        }
    }
}

/// Builds the tables of `searcher`'s segments at `ords`.
fn build_missing(
    searcher: &tantivy::Searcher,
    field: Field,
    ords: &[usize],
    shared: &Mutex<Shared>,
) {
    let started = std::time::Instant::now();
    let mut bytes = 0;
    for &ord in ords {
        let segment = searcher.segment_reader(ord as u32);
        let built = WordTable::build(segment, field, MIN_DOC_FREQ);
        let mut shared = shared.lock().expect("word tables lock");
        match built {
            Ok(table) => {
                bytes += table.size();
                shared.tables.insert(segment.segment_id(), Arc::new(table));
            }
            Err(error) => {
                tracing::warn!(%error, segment = %segment.segment_id(), "prefix word table not built: the segment is walked");
                shared.failed.insert(segment.segment_id());
            }
        }
    }
    shared.lock().expect("word tables lock").building = false;
    tracing::debug!(
        segments = ords.len(),
        bytes,
        took_ms = started.elapsed().as_secs_f64() * 1e3,
        "prefix word tables built"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    #[test]
    fn a_table_keeps_the_frequent_words_and_finds_them_by_prefix() {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for text in ["apple apply", "apple apt", "apple apply", "banana"] {
            writer.add_document(doc!(field => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let table = WordTable::build(searcher.segment_reader(0), field, 2).unwrap();
        let found: Vec<(&[u8], u32)> = table.starting_with(b"ap").collect();
        assert_eq!(found, [(&b"apple"[..], 3), (&b"apply"[..], 2)]);
        assert_eq!(
            table.starting_with(b"b").count(),
            0,
            "banana is in one chunk"
        );
        assert_eq!(table.starting_with(b"zz").count(), 0);
        assert_eq!(table.starting_with(b"").count(), 2);
        assert_eq!(table.left_out_at_most(), 1);
    }

    #[test]
    fn partition_points() {
        let words = [1, 3, 3, 5];
        assert_eq!(partition_point(4, |i| words[i] < 3), 1);
        assert_eq!(partition_point(4, |i| words[i] < 9), 4);
        assert_eq!(partition_point(4, |i| words[i] < 0), 0);
        assert_eq!(partition_point(0, |_| true), 0);
    }
}
