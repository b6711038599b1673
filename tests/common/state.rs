//! The state the convergence checks compare: an index database's documents
//! (path, content hash, stat, error) and the visible files on disk. Shared
//! by the live-convergence test and the crash tests, so that "the index
//! converged" means the same thing in both: equal to a from-scratch index
//! of the same tree and to the disk itself.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// One document row, as far as convergence is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub active: bool,
    /// The content's MD5; `None` for a name-only document.
    pub md5: Option<Vec<u8>>,
    /// The row points at a content that does not exist.
    pub dangling: bool,
    pub size: i64,
    pub mtime_ns: i64,
    pub inode: i64,
    pub error: Option<String>,
}

pub struct IndexState {
    /// By path relative to the docs folder.
    pub rows: BTreeMap<String, Row>,
    /// Contents no document points at.
    pub orphan_contents: i64,
}

pub fn read_index(db: &Path, prefix: &str) -> IndexState {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| panic!("open {}: {e}", db.display()));
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT d.path, d.active, c.md5, d.content_id IS NOT NULL AND c.id IS NULL,
                    d.size, d.mtime_ns, d.inode, d.error
             FROM documents d LEFT JOIN contents c ON c.id = d.content_id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            let path: String = r.get(0)?;
            let rel = path
                .strip_prefix(prefix)
                .map(str::to_string)
                .unwrap_or(path);
            Ok((
                rel,
                Row {
                    active: r.get::<_, i64>(1)? != 0,
                    md5: r.get(2)?,
                    dangling: r.get(3)?,
                    size: r.get(4)?,
                    mtime_ns: r.get(5)?,
                    inode: r.get(6)?,
                    error: r.get(7)?,
                },
            ))
        })
        .unwrap()
        .collect::<Result<BTreeMap<_, _>, _>>()
        .unwrap();
    let orphan_contents = conn
        .query_row(
            "SELECT count(*) FROM contents WHERE id NOT IN
                 (SELECT content_id FROM documents WHERE content_id IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    IndexState {
        rows,
        orphan_contents,
    }
}

pub fn job_triggers(db: &Path) -> BTreeMap<String, i64> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn
        .prepare("SELECT trigger, count(*) FROM indexing_jobs GROUP BY trigger")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The stat of a file on disk, as the index stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskStat {
    pub size: i64,
    pub mtime_ns: i64,
    pub inode: i64,
}

/// Every regular file with no hidden component, by relative path.
pub fn disk_state(docs: &Path) -> BTreeMap<String, DiskStat> {
    fn visit(dir: &Path, rel: &str, out: &mut BTreeMap<String, DiskStat>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let child_rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let Ok(meta) = fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if meta.is_dir() {
                visit(&entry.path(), &child_rel, out);
            } else if meta.is_file() {
                out.insert(
                    child_rel,
                    DiskStat {
                        size: meta.size() as i64,
                        mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
                        inode: meta.ino() as i64,
                    },
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    visit(docs, "", &mut out);
    out
}

pub fn active(state: &IndexState) -> BTreeMap<&String, &Row> {
    state.rows.iter().filter(|(_, r)| r.active).collect()
}

pub fn hex(md5: &Option<Vec<u8>>) -> String {
    match md5 {
        Some(bytes) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        None => "NULL (name only)".to_string(),
    }
}

/// Every way the live index differs from the fresh one and from the disk.
pub fn compare(
    live: &IndexState,
    scratch: &IndexState,
    disk: &BTreeMap<String, DiskStat>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let live_active = active(live);
    let scratch_active = active(scratch);
    for (path, row) in &live_active {
        let Some(expected) = scratch_active.get(path) else {
            let why = if disk.contains_key(*path) {
                "the fresh index does not have it"
            } else {
                "not on disk"
            };
            problems.push(format!("{path}: active in the live index, but {why}"));
            continue;
        };
        if row.md5 != expected.md5 {
            problems.push(format!(
                "{path}: live content {} != fresh content {}",
                hex(&row.md5),
                hex(&expected.md5)
            ));
        }
        if row.error != expected.error {
            problems.push(format!(
                "{path}: live error {:?} != fresh error {:?}",
                row.error, expected.error
            ));
        }
        if row.dangling {
            problems.push(format!(
                "{path}: the live row points at a content that does not exist"
            ));
        }
        if let Some(stat) = disk.get(*path) {
            let held = DiskStat {
                size: row.size,
                mtime_ns: row.mtime_ns,
                inode: row.inode,
            };
            if held != *stat {
                problems.push(format!("{path}: live stat {held:?} != disk stat {stat:?}"));
            }
        }
    }
    for path in scratch_active.keys() {
        if !live_active.contains_key(path) {
            let state = match live.rows.get(*path) {
                Some(_) => "inactive",
                None => "absent",
            };
            problems.push(format!(
                "{path}: in the fresh index, {state} in the live index"
            ));
        }
    }
    for path in disk.keys() {
        if !live_active.contains_key(path) && !scratch_active.contains_key(path) {
            problems.push(format!("{path}: on disk, in neither index"));
        }
    }
    for path in scratch_active.keys() {
        if !disk.contains_key(*path) {
            problems.push(format!(
                "{path}: in the fresh index but not a visible file on disk (test harness?)"
            ));
        }
    }
    if live.orphan_contents != 0 {
        problems.push(format!(
            "the live index holds {} contents no document points at",
            live.orphan_contents
        ));
    }
    problems
}

pub fn differing_paths(
    live: &IndexState,
    scratch: &IndexState,
    disk: &BTreeMap<String, DiskStat>,
) -> Vec<String> {
    let live_active = active(live);
    let scratch_active = active(scratch);
    let all: BTreeSet<&String> = live_active
        .keys()
        .chain(scratch_active.keys())
        .copied()
        .chain(disk.keys())
        .collect();
    all.into_iter()
        .filter(|p| {
            let l = live_active.get(*p);
            let s = scratch_active.get(*p);
            let d = disk.get(*p);
            match (l, s) {
                (Some(l), Some(s)) => {
                    l.md5 != s.md5
                        || l.error != s.error
                        || d.is_some_and(|d| {
                            *d != DiskStat {
                                size: l.size,
                                mtime_ns: l.mtime_ns,
                                inode: l.inode,
                            }
                        })
                }
                _ => true,
            }
        })
        .cloned()
        .collect()
}

/// Indexes `docs` from scratch into `data` with the `gleaner` binary at
/// `binary` and reads the result: the expected state of a live index.
pub fn scratch_index(binary: &Path, data: &Path, docs: &Path) -> IndexState {
    let out = Command::new(binary)
        .arg("--data-dir")
        .arg(data)
        .args(["index", docs.to_str().unwrap(), "--json"])
        .env_remove("GLEANER_DATA_DIR")
        .output()
        .expect("run gleaner index");
    super::assert_success(&out, &["--data-dir", "SCRATCH", "index", "DOCS", "--json"]);
    read_index(&data.join("gleaner.db"), &prefix_of(docs))
}

/// The prefix stripped from indexed paths to make them relative to `docs`.
pub fn prefix_of(docs: &Path) -> String {
    format!("{}/", docs.display())
}
