//! When the search index merges its segments: tantivy's log merge policy,
//! and, once the indexer has nothing left to do, the tail of small
//! segments merged into one.
//!
//! The log policy merges segments of about the same size, eight at a time,
//! which keeps a first index's merging cheap but leaves up to seven
//! segments on each size level: the Linux tree's chunks index ended with
//! 20 segments, 14 of them small. Every search pays per segment (a prefix
//! walks each segment's terms and opens each word's postings in each), so
//! once the indexer is idle the small ones (under an eighth of the largest)
//! are merged together. Doing it only when idle keeps the first index's CPU
//! as it was (the tail is merged once, at the end, a few percent of the
//! index) and keeps a daemon's live commits, one tiny segment each, from
//! piling up. The policy is only asked at a commit, and the last commit of
//! a burst is made while the indexer is still busy: so the indexer also
//! asks for the tail's merge itself when it falls idle (see
//! [`small_tail`]).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy};

/// A segment with fewer documents than the largest's share this is small.
const SMALL_SHARE: u32 = 8;

/// Small segments are merged once there are this many.
const SMALL_TAIL: usize = 4;

/// The indexer's merge policy; [`IdleFlag`] says when the tail may be merged.
#[derive(Debug, Default)]
pub(super) struct IndexerMergePolicy {
    log: LogMergePolicy,
    idle: IdleFlag,
}

/// Set by the indexer while it has nothing left to apply.
#[derive(Debug, Default, Clone)]
pub(super) struct IdleFlag(Arc<AtomicBool>);

impl IdleFlag {
    pub(super) fn set(&self, idle: bool) {
        self.0.store(idle, Ordering::Relaxed);
    }

    pub(super) fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl IndexerMergePolicy {
    pub(super) fn new(idle: IdleFlag) -> IndexerMergePolicy {
        IndexerMergePolicy {
            log: LogMergePolicy::default(),
            idle,
        }
    }
}

impl MergePolicy for IndexerMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let mut candidates = self.log.compute_merge_candidates(segments);
        if !self.idle.get() {
            return candidates;
        }
        let merging: HashSet<SegmentId> = candidates
            .iter()
            .flat_map(|c| c.0.iter().copied())
            .collect();
        if let Some(tail) = small_tail(segments, &merging) {
            candidates.push(MergeCandidate(tail));
        }
        candidates
    }
}

/// The small segments of `segments` (leaving out `merging`), when there
/// are enough of them to be merged into one.
pub(super) fn small_tail(
    segments: &[SegmentMeta],
    merging: &HashSet<SegmentId>,
) -> Option<Vec<SegmentId>> {
    let largest = segments
        .iter()
        .map(SegmentMeta::num_docs)
        .max()
        .unwrap_or(0);
    let small: Vec<SegmentId> = segments
        .iter()
        .filter(|s| !merging.contains(&s.id()) && s.num_docs() < largest / SMALL_SHARE)
        .map(SegmentMeta::id)
        .collect();
    (small.len() >= SMALL_TAIL).then_some(small)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::index::Index;
    use tantivy::schema::Schema;

    fn segments(sizes: &[u32]) -> Vec<SegmentMeta> {
        let index = Index::create_in_ram(Schema::builder().build());
        sizes
            .iter()
            .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
            .collect()
    }

    fn tail_merges(policy: &IndexerMergePolicy, metas: &[SegmentMeta]) -> Vec<usize> {
        policy
            .compute_merge_candidates(metas)
            .iter()
            .map(|c| c.0.len())
            .collect()
    }

    #[test]
    fn the_small_tail_is_merged_only_when_idle() {
        let idle = IdleFlag::default();
        let policy = IndexerMergePolicy::new(idle.clone());
        // Three large segments of different levels and five small ones:
        // nothing for the log policy (fewer than eight on any level).
        let metas = segments(&[900_000, 400_000, 150_000, 9_000, 3_000, 1_000, 300, 20]);
        assert!(tail_merges(&policy, &metas).is_empty());
        idle.set(true);
        assert_eq!(tail_merges(&policy, &metas), [5]);
    }

    #[test]
    fn a_short_tail_is_left_alone() {
        let idle = IdleFlag::default();
        idle.set(true);
        let policy = IndexerMergePolicy::new(idle);
        let metas = segments(&[900_000, 400_000, 9_000, 3_000, 1_000]);
        assert!(tail_merges(&policy, &metas).is_empty());
    }
}
