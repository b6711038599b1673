//! Planning a scan: comparing what the walk found with what the index holds.
//!
//! Cheap decisions are made here, without reading any file: unchanged stat →
//! unchanged; a new path with the inode, size and mtime of a vanished one →
//! a move (a rename keeps all three); a vanished path in a folder the walk
//! could not read → kept, not deleted. Everything else becomes work for the
//! readers.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::extract::Format;
use crate::fingerprint::FileStat;
use crate::store::{path_text, text_path, DocumentState};
use crate::walk::{WalkOutcome, WalkedFile};

/// Why a file must be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkReason {
    /// A path the index has never seen (or saw deleted).
    New,
    /// The stat changed.
    Changed,
    /// The last attempt failed and its backoff has passed.
    Retry,
    /// The stored text was made by an older extractor.
    Reextract,
}

/// A file to read, hash and perhaps extract.
#[derive(Debug, Clone)]
pub struct WorkItem {
    /// The file as walked.
    pub file: WalkedFile,
    /// How to extract it.
    pub format: Format,
    /// What the index knows of the path, if anything.
    pub prior: Option<DocumentState>,
    /// Why it is read.
    pub reason: WorkReason,
}

/// A rename or move found from the stat alone.
#[derive(Debug, Clone)]
pub struct StatMove {
    /// The document that moved.
    pub doc_id: i64,
    /// Its new place.
    pub file: WalkedFile,
    /// Its format at the new name.
    pub format: Format,
}

/// What a scan must do.
#[derive(Debug, Default)]
pub struct ScanPlan {
    /// Files to read.
    pub work: Vec<WorkItem>,
    /// Moves recognised by inode.
    pub moves: Vec<StatMove>,
    /// Active documents not found on disk; a read may still show them moved
    /// (same content at a new path) before they are marked deleted.
    pub vanished: Vec<DocumentState>,
    /// Files found unchanged.
    pub n_unchanged: u64,
}

/// Compares a walk with the stored states of the same source.
pub fn plan_scan(
    walk: WalkOutcome,
    mut states: HashMap<String, DocumentState>,
    current_extractor: impl Fn(Format) -> &'static str,
    now_ms: i64,
) -> ScanPlan {
    let mut plan = ScanPlan::default();
    let WalkOutcome {
        files, problems, ..
    } = walk;
    let unreachable = |path: &Path| problems.iter().any(|p| path.starts_with(&p.path));
    let mut fresh: Vec<(WalkedFile, Format)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::with_capacity(files.len());
    for file in &files {
        seen.insert(path_text(&file.path));
    }
    for file in files {
        let key = path_text(&file.path);
        let format = Format::for_path(&file.path);
        let Some(prior) = states.remove(&key) else {
            fresh.push((file, format));
            continue;
        };
        let reason = if !prior.active {
            WorkReason::New
        } else if !prior.stat.same_file_unchanged(&file.stat) {
            WorkReason::Changed
        } else if prior.error.is_some() {
            if prior.retry_at.is_some_and(|at| at <= now_ms) {
                WorkReason::Retry
            } else {
                plan.n_unchanged += 1;
                continue;
            }
        } else if prior
            .extractor
            .as_deref()
            .is_some_and(|made_by| made_by != current_extractor(format))
        {
            WorkReason::Reextract
        } else {
            plan.n_unchanged += 1;
            continue;
        };
        plan.work.push(WorkItem {
            file,
            format,
            prior: Some(prior),
            reason,
        });
    }

    // Whatever is left in `states` was not walked: vanished, unless its
    // folder could not be read or it was already inactive.
    let mut vanished_by_stat: HashMap<(u64, u64, i64, String), usize> = HashMap::new();
    for (path, state) in states {
        if !state.active || seen.contains(&path) || unreachable(&text_path(&path)) {
            continue;
        }
        // A document that failed is not carried to a new name: it must be
        // read there (bug found by the convergence test).
        if state.error.is_none() {
            vanished_by_stat.insert(stat_key(&state.stat, &state.format), plan.vanished.len());
        }
        plan.vanished.push(state);
    }
    let mut moved_away: HashSet<usize> = HashSet::new();
    for (file, format) in fresh {
        // Same inode, size and mtime *and* the same format: a rename that
        // changes the extension (a.png → a.txt) must be extracted anew.
        match vanished_by_stat.remove(&stat_key(&file.stat, format.as_str())) {
            Some(index) if file.stat.size > 0 => {
                moved_away.insert(index);
                plan.moves.push(StatMove {
                    doc_id: plan.vanished[index].id,
                    file,
                    format,
                });
            }
            _ => plan.work.push(WorkItem {
                file,
                format,
                prior: None,
                reason: WorkReason::New,
            }),
        }
    }
    order_by_cost(&mut plan.work);
    if !moved_away.is_empty() {
        let vanished = std::mem::take(&mut plan.vanished);
        plan.vanished = vanished
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !moved_away.contains(i))
            .map(|(_, s)| s)
            .collect();
    }
    plan
}

/// Documents (PDF and office files) of at least this size are read first.
const HEAVY_BYTES: u64 = 1 << 20;

/// Puts the large documents first, largest first, and leaves the rest in
/// walk order. A large PDF costs seconds of one core (8.7 s for a 7.3 MB
/// manual), so one met late in the queue kept a reader busy alone while the
/// other had finished: longest first keeps both busy to the end.
fn order_by_cost(work: &mut [WorkItem]) {
    let cost = |item: &WorkItem| match item.format {
        Format::Pdf | Format::Docx | Format::Odt if item.file.stat.size >= HEAVY_BYTES => {
            item.file.stat.size
        }
        _ => 0,
    };
    // Stable: files of equal cost (every small one) keep their order.
    work.sort_by_key(|item| std::cmp::Reverse(cost(item)));
}

fn stat_key(stat: &FileStat, format: &str) -> (u64, u64, i64, String) {
    (stat.inode, stat.size, stat.mtime_ns, format.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn item(name: &str, size: u64) -> WorkItem {
        let path = PathBuf::from(format!("/d/{name}"));
        WorkItem {
            format: Format::for_path(&path),
            file: WalkedFile {
                rel_path: PathBuf::from(name),
                path,
                stat: FileStat {
                    size,
                    mtime_ns: 0,
                    inode: 0,
                    dev: 0,
                },
            },
            prior: None,
            reason: WorkReason::New,
        }
    }

    #[test]
    fn large_documents_go_first_and_the_rest_keep_their_order() {
        let mut work = vec![
            item("a.txt", 50 << 20),
            item("small.pdf", 1000),
            item("big.pdf", 8 << 20),
            item("b.md", 10),
            item("mid.docx", 2 << 20),
            item("c.html", 3 << 20),
        ];
        order_by_cost(&mut work);
        let names: Vec<_> = work
            .iter()
            .map(|w| w.file.rel_path.to_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "big.pdf",
                "mid.docx",
                "a.txt",
                "small.pdf",
                "b.md",
                "c.html"
            ]
        );
    }
}
