//! A query that matches and scores as a stock tantivy weight does, but
//! finds its best k its own, cheaper way (prefixes word by word, phrases
//! block by block). Inside another query tantivy only asks for a scorer,
//! which stays the stock one; the collector asks for the top k through
//! `for_each_pruning`, which is what is replaced.

use std::sync::Arc;

use tantivy::query::{Explanation, Scorer, Weight};
use tantivy::{DocId, Score, SegmentReader};

/// How a query finds its top k without the stock scorer's full walk.
pub(super) trait TopK: Send + Sync + 'static {
    /// Calls `callback` with every document of `reader` that may beat
    /// `threshold`, as [`Weight::for_each_pruning`] does; `stock` is the
    /// weight it must agree with.
    fn for_each_pruning(
        &self,
        stock: &dyn Weight,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()>;
}

/// `stock` in everything but the top k, which `top_k` finds.
pub(super) struct OwnTopK<T> {
    pub stock: Arc<dyn Weight>,
    pub top_k: T,
}

/// The stock weight's own top k.
pub(super) struct Stock;

impl TopK for Stock {
    fn for_each_pruning(
        &self,
        stock: &dyn Weight,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        stock.for_each_pruning(threshold, reader, callback)
    }
}

impl OwnTopK<Stock> {
    /// A weight held by more than one query (a prefix's word serves its
    /// union and its word-by-word top k), as a weight of its own.
    pub fn shared(weight: Arc<dyn Weight>) -> OwnTopK<Stock> {
        OwnTopK {
            stock: weight,
            top_k: Stock,
        }
    }
}

impl<T: TopK> Weight for OwnTopK<T> {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.stock.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.stock.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.stock.count(reader)
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.stock.for_each(reader, callback)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.stock.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        self.top_k
            .for_each_pruning(self.stock.as_ref(), threshold, reader, callback)
    }
}
