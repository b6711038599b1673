//! The best `k` units of a query, one score per unit: its best chunk's.
//!
//! Chunks are the documents tantivy ranks; a unit (a content, whatever
//! number of files share it) is one hit, scored by its best chunk. Taking
//! the maximum keeps block-max WAND exact: the threshold handed back to
//! the scorer is the k-th best *unit* score so far, and a chunk scoring
//! below it cannot lift any unit into the top k, so skipping it changes
//! nothing. Every match is therefore ranked (no window, no cap on how many
//! matches are looked at), and only the work that cannot matter is skipped.
//!
//! Filters that a unit must pass are checked here, on the units the
//! scorer offers, before they can raise the threshold: the top k are the
//! best k units *that pass*, never a top k trimmed afterwards.

use std::collections::{BTreeSet, HashMap, HashSet};

use tantivy::query::Weight;
use tantivy::{DocId, Score, Searcher};

use crate::error::Result;

/// Where a unit's best chunk is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Best {
    /// Its score.
    pub score: Score,
    /// The segment.
    pub segment: u32,
    /// The document in the segment.
    pub doc: DocId,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Ranked(Score);

impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The top `k` units seen so far.
pub(super) struct GroupTopK {
    k: usize,
    best: HashMap<u64, Best>,
    ranked: BTreeSet<(Ranked, u64)>,
}

impl GroupTopK {
    pub fn new(k: usize) -> GroupTopK {
        GroupTopK {
            k: k.max(1),
            best: HashMap::new(),
            ranked: BTreeSet::new(),
        }
    }

    /// The score a chunk must beat to matter.
    pub fn threshold(&self) -> Score {
        if self.ranked.len() < self.k {
            Score::MIN
        } else {
            self.ranked.first().map_or(Score::MIN, |(s, _)| s.0)
        }
    }

    /// Offers a chunk of `unit`.
    pub fn offer(&mut self, unit: u64, best: Best) {
        if let Some(current) = self.best.get(&unit) {
            if current.score >= best.score {
                return;
            }
            self.ranked.remove(&(Ranked(current.score), unit));
        } else if self.ranked.len() >= self.k && best.score <= self.threshold() {
            return;
        }
        self.best.insert(unit, best);
        self.ranked.insert((Ranked(best.score), unit));
        while self.ranked.len() > self.k {
            if let Some((_, dropped)) = self.ranked.pop_first() {
                self.best.remove(&dropped);
            }
        }
    }

    /// The units, best first (ties by unit, for a stable order).
    pub fn into_ranked(self) -> Vec<(u64, Best)> {
        let mut out: Vec<(u64, Best)> = self.best.into_iter().collect();
        out.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
        out
    }

    /// How many units it holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.best.len()
    }
}

/// Runs `weight` over every segment and keeps the best `k` units that
/// `allowed` lets through (all when `None`). `unit_field` names the fast
/// field holding each document's unit.
pub(super) fn top_units(
    searcher: &Searcher,
    weight: &dyn Weight,
    unit_field: &str,
    k: usize,
    allowed: Option<&HashSet<u64>>,
) -> Result<GroupTopK> {
    let mut top = GroupTopK::new(k);
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let units = segment.fast_fields().u64(unit_field)?;
        let alive = segment.alive_bitset();
        weight.for_each_pruning(top.threshold(), segment, &mut |doc, score| {
            let deleted = alive.is_some_and(|bits| bits.is_deleted(doc));
            if !deleted {
                if let Some(unit) = units.first(doc) {
                    if allowed.is_none_or(|set| set.contains(&unit)) {
                        top.offer(
                            unit,
                            Best {
                                score,
                                segment: ord as u32,
                                doc,
                            },
                        );
                    }
                }
            }
            top.threshold()
        })?;
    }
    Ok(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(score: Score) -> Best {
        Best {
            score,
            segment: 0,
            doc: 0,
        }
    }

    #[test]
    fn keeps_each_units_best_chunk_and_the_best_k_units() {
        let mut top = GroupTopK::new(2);
        assert_eq!(top.threshold(), Score::MIN);
        top.offer(1, best(1.0));
        top.offer(1, best(3.0)); // a better chunk of unit 1
        top.offer(1, best(2.0)); // a worse one changes nothing
        top.offer(2, best(2.5));
        assert_eq!(top.threshold(), 2.5);
        top.offer(3, best(2.0)); // below the threshold
        top.offer(4, best(4.0));
        let ranked: Vec<(u64, Score)> = top
            .into_ranked()
            .into_iter()
            .map(|(u, b)| (u, b.score))
            .collect();
        assert_eq!(ranked, [(4, 4.0), (1, 3.0)]);
    }

    #[test]
    fn a_unit_in_the_top_that_improves_moves_up() {
        let mut top = GroupTopK::new(2);
        top.offer(1, best(1.0));
        top.offer(2, best(2.0));
        top.offer(1, best(5.0));
        assert_eq!(top.threshold(), 2.0);
        assert_eq!(top.len(), 2);
        assert_eq!(top.into_ranked()[0].0, 1);
    }
}
