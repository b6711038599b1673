//! Does the search index say what the store says? Every visible unit must
//! have exactly one label with the right stamps and exactly its chunks,
//! and nothing else may be there. `gleaner check` reports it, and the crash
//! and convergence tests require it after every kill.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use tantivy::ReloadPolicy;

use super::index::SearchIndex;
use super::{unit_id, unit_of};
use crate::error::Result;
use crate::store::{Store, UnitKey};

/// What a comparison of the search index with the store found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SearchCheck {
    /// Whether the index has applied every change of the store (otherwise
    /// differences are expected: the engine is still catching up).
    pub caught_up: bool,
    /// Store changes not applied yet.
    pub behind: i64,
    /// Visible units the index lacks.
    pub missing: Vec<UnitKey>,
    /// Units whose label or chunks differ from the store.
    pub stale: Vec<UnitKey>,
    /// Units held more than once.
    pub duplicated: Vec<UnitKey>,
    /// Units the index holds that the store does not show.
    pub extra: Vec<UnitKey>,
}

impl SearchCheck {
    /// Whether the index equals the store.
    pub fn is_consistent(&self) -> bool {
        self.missing.is_empty()
            && self.stale.is_empty()
            && self.duplicated.is_empty()
            && self.extra.is_empty()
    }
}

/// Compares the index in `dir` with `store`; `None` when there is no index.
pub fn verify(store: &Store, dir: &Path) -> Result<Option<SearchCheck>> {
    let Some(index) = SearchIndex::open_for_reading(dir, &store.store_id()?)? else {
        return Ok(None);
    };
    let mark = index.mark()?;
    let high_water = store.search_outbox_high_water()?;
    let mut check = SearchCheck {
        caught_up: mark.complete && mark.seq >= high_water,
        behind: (high_water - mark.seq).max(0),
        ..SearchCheck::default()
    };
    let labels = collect(&index.labels, &["stamp", "label_stamp"])?;
    let chunks = collect(&index.chunks, &["seq"])?;
    let mut expected: BTreeSet<u64> = BTreeSet::new();
    for unit in store.visible_units()? {
        let id = unit_id(unit);
        expected.insert(id);
        let Some(label) = store.unit_label(unit)? else {
            continue;
        };
        match labels.get(&id).map(Vec::as_slice) {
            None | Some([]) => check.missing.push(unit),
            Some([one]) => {
                if one[0] != label.chunks_stamp || one[1] != label.label_stamp() {
                    check.stale.push(unit);
                    continue;
                }
                let mut seqs: Vec<u64> = chunks
                    .get(&id)
                    .map(|rows| rows.iter().map(|r| r[0]).collect())
                    .unwrap_or_default();
                seqs.sort_unstable();
                let n = seqs.len();
                seqs.dedup();
                if seqs.len() != n {
                    check.duplicated.push(unit);
                } else if seqs != (0..label.n_chunks).collect::<Vec<_>>() {
                    check.stale.push(unit);
                }
            }
            Some(_) => check.duplicated.push(unit),
        }
    }
    let held: BTreeSet<u64> = labels.keys().chain(chunks.keys()).copied().collect();
    check.extra = held.difference(&expected).map(|id| unit_of(*id)).collect();
    Ok(Some(check))
}

/// Every live document's unit and the given fast fields, by unit.
fn collect(index: &tantivy::Index, fields: &[&str]) -> Result<BTreeMap<u64, Vec<Vec<u64>>>> {
    let reader: tantivy::IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let mut by_unit: BTreeMap<u64, Vec<Vec<u64>>> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let units = segment.fast_fields().u64("unit")?;
        let columns = fields
            .iter()
            .map(|f| segment.fast_fields().u64(f))
            .collect::<tantivy::Result<Vec<_>>>()?;
        for doc in segment.doc_ids_alive() {
            let Some(unit) = units.first(doc) else {
                continue;
            };
            let values = columns
                .iter()
                .map(|c| c.first(doc).unwrap_or(u64::MAX))
                .collect();
            by_unit.entry(unit).or_default().push(values);
        }
    }
    Ok(by_unit)
}
