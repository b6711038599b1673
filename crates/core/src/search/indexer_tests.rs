//! The indexer's merge of the small segments once it is idle.

use super::*;

/// Segments made while the indexer was busy (a big one, then five of a
/// document each) are merged into one once it falls idle, without
/// waiting for another commit.
#[test]
fn the_small_tail_is_merged_when_the_indexer_falls_idle() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("gleaner.db")).unwrap();
    let dir = tmp.path().join("search");
    let (index, _) = open_or_rebuild(&dir, &store.store_id().unwrap()).unwrap();
    let mut worker = Worker::new(dir.clone(), index.clone(), store).unwrap();
    for n in [400, 1, 1, 1, 1, 1] {
        for _ in 0..n {
            worker
                .chunks
                .add_document(tantivy::TantivyDocument::new())
                .unwrap();
        }
        worker.chunks.commit().unwrap();
    }
    let segments = || index.chunks.searchable_segment_metas().unwrap().len();
    assert_eq!(segments(), 6, "busy: the log policy merges nothing");
    worker.idle.set(true);
    worker.merge_small_tails();
    worker.wait_for_merges();
    assert_eq!(segments(), 2, "the big segment and the merged tail");
}
