//! Randomized convergence test of live freshness: thousands of random file
//! operations against a tree that `gleaner daemon` watches; once the engine
//! has gone quiet, its index must equal a from-scratch index of the same tree
//! (active paths and content hashes) and the disk itself (every visible
//! regular file is an active document, with the stat on disk, and nothing
//! else is).
//!
//! Seeded and reproducible: `GLEANER_CONVERGENCE_SEED` picks the seed (the
//! failure message names it), `GLEANER_CONVERGENCE_OPS` the number of
//! operations (default 2000; use 20000 for a long run). The operation
//! sequence depends only on the seed; the timing against the engine does
//! not, so a failure names the operations that touched each differing path.
//! On failure the temp directory (tree, both data directories, the daemon's
//! log, the operation log) is kept and its path printed; `GLEANER_LOG=debug`
//! makes the daemon's log detailed.
//!
//! Left out on purpose: hard links (a write through one name changes the
//! other with no event for it, an inotify limitation) and symbolic links
//! (never followed).

mod common;

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::state::{
    compare, differing_paths, disk_state, job_triggers, read_index, scratch_index,
};
use common::World;

const DEFAULT_SEED: u64 = 0x5EED_2024_C0DE;
const DEFAULT_OPS: usize = 2000;
/// Upper bounds on the visible tree.
const MAX_FILES: usize = 200;
const MAX_DIRS: usize = 20;
const MAX_DEPTH: usize = 4;
const MAX_HIDDEN: usize = 30;
/// The index must be unchanged for this long to count as quiet.
const QUIET: Duration = Duration::from_millis(1500);
/// A quiet index that still disagrees with the disk is given this long
/// before it is taken as final (the engine may still be busy elsewhere).
const QUIET_BUT_WRONG: Duration = Duration::from_secs(6);
const QUIESCENCE_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_REPORTED: usize = 20;

#[test]
fn live_index_converges_to_a_fresh_index() {
    let seed = env_number("GLEANER_CONVERGENCE_SEED").unwrap_or(DEFAULT_SEED);
    let n_ops = env_number("GLEANER_CONVERGENCE_OPS").map_or(DEFAULT_OPS, |n| n as usize);
    eprintln!(
        "convergence: seed {seed} ({n_ops} operations); rerun with GLEANER_CONVERGENCE_SEED={seed}"
    );
    let started = Instant::now();

    let w = World::new();
    fs::create_dir_all(w.docs()).unwrap();
    let mut sim = Sim::new(w.docs(), seed);
    sim.seed_tree(40);
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
    let log_path = w.dir.path().join("daemon.log");
    let mut daemon = Daemon::start(&w, &log_path);

    for _ in 0..n_ops {
        sim.step();
        daemon.assert_alive(&log_path, seed);
    }
    let ops_done = started.elapsed();

    let docs_prefix = format!("{}/", w.docs().display());
    let live_db = w.data().join("gleaner.db");
    let quiet = wait_for_quiescence(
        &live_db,
        &w.docs(),
        &docs_prefix,
        &mut daemon,
        &log_path,
        seed,
    );
    let quiet_after = started.elapsed();

    let status = daemon.terminate();
    let live = read_index(&live_db, &docs_prefix);
    let disk = disk_state(&w.docs());

    // The expected state, from scratch, in a data directory of its own.
    let scratch = scratch_index(
        Path::new(env!("CARGO_BIN_EXE_gleaner")),
        &w.dir.path().join("scratch-data"),
        &w.docs(),
    );

    let mut problems = compare(&live, &scratch, &disk);
    if !status.success() {
        problems.insert(
            0,
            format!("the daemon did not exit cleanly on SIGTERM: {status}"),
        );
    }
    if quiet.is_none() {
        problems.insert(
            0,
            format!("the live index never went quiet within {QUIESCENCE_TIMEOUT:?}"),
        );
    }
    let check = w.json(&["check"]);
    if check["ok"] != true {
        problems.insert(
            0,
            format!("`gleaner check` after stopping the daemon: {check}"),
        );
    }

    let jobs = job_triggers(&live_db);
    eprintln!(
        "convergence: seed {seed}: {n_ops} operations in {:.1} s, quiet after {:.1} s, {} files and {} folders on disk, \
         {} rows in the live index; jobs by trigger: {jobs:?}; total {:.1} s",
        ops_done.as_secs_f64(),
        quiet_after.as_secs_f64(),
        disk.len(),
        sim.scan().dirs.len() - 1,
        live.rows.len(),
        started.elapsed().as_secs_f64(),
    );
    if problems.is_empty() {
        return;
    }

    // Failure: keep everything for a post-mortem and name what touched each
    // differing path.
    let ops_log = w.dir.path().join("ops.log");
    fs::write(&ops_log, sim.log.join("\n") + "\n").unwrap();
    let mut report = format!(
        "the live index did not converge (seed {seed}, {n_ops} operations; rerun with GLEANER_CONVERGENCE_SEED={seed} \
         GLEANER_CONVERGENCE_OPS={n_ops}); {} differences, the first {}:\n",
        problems.len(),
        problems.len().min(MAX_REPORTED)
    );
    for p in problems.iter().take(MAX_REPORTED) {
        report += &format!("  - {p}\n");
    }
    report += &format!("jobs by trigger: {jobs:?}\n");
    for rel in differing_paths(&live, &scratch, &disk).iter().take(5) {
        // The file's own name and its folders' (a folder may have been renamed).
        let names: Vec<String> = Path::new(rel)
            .iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        let touched: Vec<&String> = sim
            .log
            .iter()
            .filter(|line| names.iter().any(|name| mentions(line, name)))
            .collect();
        report += &format!(
            "operations naming a part of {rel:?} ({} in all, the last 12):\n",
            touched.len()
        );
        for line in touched.iter().rev().take(12).rev() {
            report += &format!("    {line}\n");
        }
    }
    let kept = w.dir.keep();
    report += &format!(
        "kept {} (docs/, data/, scratch-data/, daemon.log, ops.log)\n",
        kept.display()
    );
    panic!("{report}");
}

fn env_number(key: &str) -> Option<u64> {
    let text = std::env::var(key).ok()?;
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{key}={text:?} is not a number")))
}

/// Whether an operation-log line names `name` as a whole path component.
fn mentions(line: &str, name: &str) -> bool {
    line.split([' ', '/', ',']).any(|word| word == name)
}

// ---------------------------------------------------------------------------
// The daemon

/// A running `gleaner daemon` logging to a file, stopped (SIGTERM) when
/// dropped.
struct Daemon {
    child: Child,
}

impl Daemon {
    fn start(w: &World, log: &Path) -> Daemon {
        let log_file = fs::File::create(log).unwrap();
        let mut cmd = w.cmd();
        cmd.arg("daemon").stdout(Stdio::null()).stderr(log_file);
        if std::env::var_os("GLEANER_LOG").is_none() {
            cmd.env("GLEANER_LOG", "info");
        }
        let child = cmd.spawn().expect("start daemon");
        let mut daemon = Daemon { child };
        // Ready when it answers on its socket (after the start-up scan).
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if w.data().join("engine.sock").exists()
                && w.cmd()
                    .args(["status", "--json"])
                    .output()
                    .is_ok_and(|o| o.status.success())
            {
                break;
            }
            if let Ok(Some(status)) = daemon.child.try_wait() {
                panic!(
                    "the daemon exited at start-up ({status}):\n{}",
                    tail(log, 40)
                );
            }
            assert!(
                Instant::now() < deadline,
                "the daemon did not answer within 30 s:\n{}",
                tail(log, 40)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        daemon
    }

    fn assert_alive(&mut self, log: &Path, seed: u64) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "the daemon died ({status}; seed {seed}):\n{}",
                tail(log, 60)
            );
        }
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

fn tail(path: &Path, n: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

// ---------------------------------------------------------------------------
// Waiting for the engine

/// Polls the live index until it has not changed for [`QUIET`] and its
/// active paths are the files on disk (or it has not changed for
/// [`QUIET_BUT_WRONG`]: it will not get better). Returns how long it took,
/// or `None` on timeout.
fn wait_for_quiescence(
    db: &Path,
    docs: &Path,
    prefix: &str,
    daemon: &mut Daemon,
    log: &Path,
    seed: u64,
) -> Option<Duration> {
    let started = Instant::now();
    let mut last = read_index(db, prefix).rows;
    let mut unchanged_since = Instant::now();
    while started.elapsed() < QUIESCENCE_TIMEOUT {
        std::thread::sleep(Duration::from_millis(250));
        daemon.assert_alive(log, seed);
        let now = read_index(db, prefix).rows;
        if now != last {
            last = now;
            unchanged_since = Instant::now();
            continue;
        }
        let quiet_for = unchanged_since.elapsed();
        if quiet_for >= QUIET {
            let active: BTreeSet<&String> = last
                .iter()
                .filter(|(_, r)| r.active)
                .map(|(p, _)| p)
                .collect();
            let disk = disk_state(docs);
            if active.len() == disk.len() && disk.keys().all(|p| active.contains(p)) {
                return Some(started.elapsed());
            }
            if quiet_for >= QUIET_BUT_WRONG {
                return Some(started.elapsed());
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------
// The random operations

/// splitmix64: tiny, fast, and good enough to drive a test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.below(items.len())].clone())
        }
    }
}

const WORDS: &[&str] = &[
    "alpha", "bramble", "cobalt", "drizzle", "ember", "fjord", "granite", "harbor", "indigo",
    "juniper", "kelp", "lantern", "meadow", "nectar", "orchid", "pebble", "quartz", "raven",
    "saffron", "thistle", "umber", "velvet", "willow", "xylem", "yarrow", "zephyr", "acorn",
    "birch", "cedar", "dune", "estuary", "fern", "glacier", "heron", "iris", "jasper", "kestrel",
    "lichen", "moss", "nettle", "otter", "poppy", "quill", "reed", "sorrel", "tundra", "upland",
    "vale", "wren", "yew", "zinnia", "amber", "basalt", "canyon", "delta", "egret", "flint",
    "grove",
];

/// The visible and hidden parts of the tree, relative to the docs folder,
/// sorted (so the operations depend on the seed alone).
#[derive(Default)]
struct Tree {
    /// Visible folders, the root (`""`) first.
    dirs: Vec<PathBuf>,
    /// Visible regular files.
    files: Vec<PathBuf>,
    /// Hidden folders (their own name starts with a dot) in visible folders.
    hidden_dirs: Vec<PathBuf>,
    /// Files at or below a hidden name.
    hidden_files: Vec<PathBuf>,
}

impl Tree {
    fn depth(dir: &Path) -> usize {
        dir.components().count()
    }
}

struct Sim {
    root: PathBuf,
    rng: Rng,
    /// Makes every new name unique.
    counter: u64,
    /// One line per operation (and pause), for failure reports: its number,
    /// milliseconds since the start, and what it did.
    log: Vec<String>,
    started: Instant,
}

impl Sim {
    fn new(root: PathBuf, seed: u64) -> Sim {
        Sim {
            root,
            rng: Rng(seed),
            counter: 0,
            log: Vec::new(),
            started: Instant::now(),
        }
    }

    fn abs(&self, rel: &Path) -> PathBuf {
        self.root.join(rel)
    }

    fn scan(&self) -> Tree {
        fn visit(root: &Path, rel: &Path, hidden: bool, tree: &mut Tree) {
            let mut entries: Vec<_> = fs::read_dir(root.join(rel))
                .unwrap()
                .map(|e| e.unwrap())
                .collect();
            entries.sort_by_key(|e| e.file_name());
            for entry in entries {
                let name = entry.file_name();
                let child = rel.join(&name);
                let child_hidden = hidden || name.to_string_lossy().starts_with('.');
                let file_type = entry.file_type().unwrap();
                if file_type.is_dir() {
                    if child_hidden {
                        if !hidden {
                            tree.hidden_dirs.push(child.clone());
                        }
                    } else {
                        tree.dirs.push(child.clone());
                    }
                    visit(root, &child, child_hidden, tree);
                } else if file_type.is_file() {
                    if child_hidden {
                        tree.hidden_files.push(child);
                    } else {
                        tree.files.push(child);
                    }
                }
            }
        }
        let mut tree = Tree {
            dirs: vec![PathBuf::new()],
            ..Tree::default()
        };
        visit(&self.root, Path::new(""), false, &mut tree);
        tree
    }

    fn note(&mut self, what: String) {
        let n = self.log.len();
        let ms = self.started.elapsed().as_millis();
        self.log.push(format!("{n:6} {ms:7}ms {what}"));
    }

    fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn file_name(&mut self) -> String {
        let id = self.next_id();
        let ext = match self.rng.below(20) {
            0..=9 => ".txt",
            10..=13 => ".md",
            14..=15 => "",
            16 => ".png",
            17 => ".html",
            _ => ".log",
        };
        format!("f{id}{ext}")
    }

    fn dir_name(&mut self) -> String {
        format!("d{}", self.next_id())
    }

    fn words(&mut self, n: usize) -> String {
        let mut text = String::new();
        for i in 0..n {
            text += WORDS[self.rng.below(WORDS.len())];
            text.push(if i % 12 == 11 { '\n' } else { ' ' });
        }
        // A unique tag so that two random texts never collide by chance.
        text += &format!("tag{}\n", self.next_id());
        text
    }

    /// Bytes for a new or rewritten file: usually fresh words; sometimes a
    /// copy of another file (shared contents), empty, binary or large.
    fn content(&mut self, tree: &Tree) -> (Vec<u8>, &'static str) {
        match self.rng.below(100) {
            0..=9 => {
                if let Some(other) = self.rng.pick(&tree.files) {
                    if let Ok(bytes) = fs::read(self.abs(&other)) {
                        return (bytes, "same as another file");
                    }
                }
                (self.words(8).into_bytes(), "words")
            }
            10..=14 => (Vec::new(), "empty"),
            15..=16 => {
                let mut bytes = vec![0u8; self.rng.range(16, 512)];
                for b in bytes.iter_mut() {
                    *b = self.rng.next() as u8;
                }
                bytes[0] = 0;
                (bytes, "binary")
            }
            17 => {
                let n = self.rng.range(10_000, 40_000);
                (self.words(n).into_bytes(), "large")
            }
            _ => {
                let n = self.rng.range(3, 200);
                (self.words(n).into_bytes(), "words")
            }
        }
    }

    /// A fresh path for a new file in a random visible folder.
    fn new_file_path(&mut self, tree: &Tree) -> PathBuf {
        let dir = self.rng.pick(&tree.dirs).unwrap();
        dir.join(self.file_name())
    }

    /// A few files and folders before the daemon starts (its start-up scan
    /// indexes them).
    fn seed_tree(&mut self, n_files: usize) {
        for _ in 0..4 {
            let tree = self.scan();
            self.create_dir(&tree, false);
        }
        for _ in 0..n_files {
            let tree = self.scan();
            self.create_file(&tree);
        }
        self.note("-- daemon starts".into());
    }

    /// One random operation, and sometimes a pause after it.
    fn step(&mut self) {
        let tree = self.scan();
        let files_full = tree.files.len() >= MAX_FILES;
        let dirs_full = tree.dirs.len() > MAX_DIRS;
        let hidden_full = tree.hidden_files.len() + tree.hidden_dirs.len() >= MAX_HIDDEN;
        let done = match self.rng.below(1000) {
            0..=129 if !files_full => self.create_file(&tree),
            0..=129 => self.delete_file(&tree),
            130..=229 => self.overwrite(&tree),
            230..=299 => self.append(&tree),
            300..=339 => self.truncate(&tree),
            340..=409 => self.delete_file(&tree),
            410..=469 => self.rename_in_dir(&tree),
            470..=529 => self.move_across(&tree),
            530..=559 if !dirs_full => self.create_dir(&tree, !files_full),
            530..=559 => self.delete_dir(&tree),
            560..=584 => self.rename_dir(&tree),
            585..=599 => self.delete_dir(&tree),
            600..=669 => self.atomic_save(&tree),
            670..=719 if !files_full => self.copy(&tree),
            670..=719 => self.delete_file(&tree),
            720..=769 => self.touch(&tree),
            770..=819 => self.rapid_writes(&tree),
            820..=839 => self.slow_write(&tree),
            840..=859 => self.swap(&tree),
            860..=929 if !hidden_full => self.hidden_create(&tree),
            860..=929 => self.hidden_delete(&tree),
            930..=949 => self.hide_file(&tree),
            950..=969 => self.unhide_file(&tree),
            970..=979 if !dirs_full => self.hide_dir(&tree),
            970..=979 => self.delete_dir(&tree),
            980..=989 => self.unhide_dir(&tree),
            990..=994 => self.file_becomes_dir(&tree),
            _ => self.dir_becomes_file(&tree),
        };
        if !done && !files_full {
            let tree = self.scan();
            self.create_file(&tree);
        }
        if self.rng.chance(0.005) {
            let ms = self.rng.range(200, 800);
            self.note(format!("pause {ms} ms"));
            std::thread::sleep(Duration::from_millis(ms as u64));
        } else if self.rng.chance(0.3) {
            let ms = self.rng.range(0, 20);
            self.note(format!("sleep {ms} ms"));
            std::thread::sleep(Duration::from_millis(ms as u64));
        }
    }

    fn create_file(&mut self, tree: &Tree) -> bool {
        let path = self.new_file_path(tree);
        let (bytes, kind) = self.content(tree);
        fs::write(self.abs(&path), &bytes).unwrap();
        self.note(format!(
            "create {} ({kind}, {} bytes)",
            path.display(),
            bytes.len()
        ));
        true
    }

    fn overwrite(&mut self, tree: &Tree) -> bool {
        let Some(path) = self.rng.pick(&tree.files) else {
            return false;
        };
        let abs = self.abs(&path);
        if self.rng.chance(0.2) {
            // Same size, different bytes: only the mtime tells.
            let mut bytes = fs::read(&abs).unwrap();
            if bytes.is_empty() {
                return false;
            }
            let i = self.rng.below(bytes.len());
            bytes[i] = if bytes[i] == b'x' { b'y' } else { b'x' };
            fs::write(&abs, &bytes).unwrap();
            self.note(format!(
                "overwrite {} (same size, byte {i} changed)",
                path.display()
            ));
        } else {
            let (bytes, kind) = self.content(tree);
            fs::write(&abs, &bytes).unwrap();
            self.note(format!(
                "overwrite {} ({kind}, {} bytes)",
                path.display(),
                bytes.len()
            ));
        }
        true
    }

    fn append(&mut self, tree: &Tree) -> bool {
        let Some(path) = self.rng.pick(&tree.files) else {
            return false;
        };
        let n = self.rng.range(1, 30);
        let text = self.words(n);
        let mut file = OpenOptions::new()
            .append(true)
            .open(self.abs(&path))
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
        drop(file);
        self.note(format!("append {} ({} bytes)", path.display(), text.len()));
        true
    }

    fn truncate(&mut self, tree: &Tree) -> bool {
        let Some(path) = self.rng.pick(&tree.files) else {
            return false;
        };
        let abs = self.abs(&path);
        let len = fs::metadata(&abs).unwrap().len();
        let new_len = if len == 0 || self.rng.chance(0.3) {
            0
        } else {
            self.rng.next() % len
        };
        let file = OpenOptions::new().write(true).open(&abs).unwrap();
        file.set_len(new_len).unwrap();
        drop(file);
        self.note(format!("truncate {} to {new_len} bytes", path.display()));
        true
    }

    fn delete_file(&mut self, tree: &Tree) -> bool {
        let Some(path) = self.rng.pick(&tree.files) else {
            return false;
        };
        fs::remove_file(self.abs(&path)).unwrap();
        self.note(format!("delete {}", path.display()));
        true
    }

    /// Renames a file in its folder, sometimes over another file.
    fn rename_in_dir(&mut self, tree: &Tree) -> bool {
        let Some(from) = self.rng.pick(&tree.files) else {
            return false;
        };
        let parent = from.parent().unwrap().to_path_buf();
        let siblings: Vec<PathBuf> = tree
            .files
            .iter()
            .filter(|f| f.parent() == Some(&parent) && **f != from)
            .cloned()
            .collect();
        let to = match self.rng.pick(&siblings) {
            Some(existing) if self.rng.chance(0.2) => existing,
            _ => parent.join(self.file_name()),
        };
        fs::rename(self.abs(&from), self.abs(&to)).unwrap();
        self.note(format!("rename {} -> {}", from.display(), to.display()));
        true
    }

    /// Moves a file to another folder, sometimes over a file there.
    fn move_across(&mut self, tree: &Tree) -> bool {
        let Some(from) = self.rng.pick(&tree.files) else {
            return false;
        };
        let Some(dir) = self.rng.pick(&tree.dirs) else {
            return false;
        };
        if from.parent() == Some(&dir) {
            return false;
        }
        let there: Vec<PathBuf> = tree
            .files
            .iter()
            .filter(|f| f.parent() == Some(&dir))
            .cloned()
            .collect();
        let to = match self.rng.pick(&there) {
            Some(existing) if self.rng.chance(0.15) => existing,
            _ if self.rng.chance(0.5) => dir.join(from.file_name().unwrap()),
            _ => dir.join(self.file_name()),
        };
        if self.abs(&to).is_dir() {
            return false;
        }
        fs::rename(self.abs(&from), self.abs(&to)).unwrap();
        self.note(format!("move {} -> {}", from.display(), to.display()));
        true
    }

    /// A new folder, sometimes nested, sometimes filled at once (before its
    /// watch can exist).
    fn create_dir(&mut self, tree: &Tree, fill: bool) -> bool {
        let parents: Vec<PathBuf> = tree
            .dirs
            .iter()
            .filter(|d| Tree::depth(d) < MAX_DEPTH)
            .cloned()
            .collect();
        let Some(parent) = self.rng.pick(&parents) else {
            return false;
        };
        let dir = parent.join(self.dir_name());
        fs::create_dir(self.abs(&dir)).unwrap();
        self.note(format!("mkdir {}", dir.display()));
        if fill {
            let n = self.rng.range(0, 4);
            let mut inner = dir.clone();
            for i in 0..n {
                if i == 2 && self.rng.chance(0.5) {
                    inner = inner.join(self.dir_name());
                    fs::create_dir(self.abs(&inner)).unwrap();
                    self.note(format!("mkdir {}", inner.display()));
                }
                let path = inner.join(self.file_name());
                let (bytes, kind) = self.content(tree);
                fs::write(self.abs(&path), &bytes).unwrap();
                self.note(format!(
                    "create {} ({kind}, {} bytes)",
                    path.display(),
                    bytes.len()
                ));
            }
        }
        true
    }

    /// Renames a folder (with its contents), in place or to another parent.
    fn rename_dir(&mut self, tree: &Tree) -> bool {
        let Some(from) = self.rng.pick(&tree.dirs[1..]) else {
            return false;
        };
        let subtree_depth = tree
            .dirs
            .iter()
            .filter(|d| d.starts_with(&from))
            .map(|d| Tree::depth(d) - Tree::depth(&from))
            .max()
            .unwrap_or(0);
        let parents: Vec<PathBuf> = tree
            .dirs
            .iter()
            .filter(|d| !d.starts_with(&from) && Tree::depth(d) + 1 + subtree_depth <= MAX_DEPTH)
            .cloned()
            .collect();
        let parent = if self.rng.chance(0.5) {
            from.parent().unwrap().to_path_buf()
        } else {
            match self.rng.pick(&parents) {
                Some(p) => p,
                None => return false,
            }
        };
        let to = parent.join(self.dir_name());
        fs::rename(self.abs(&from), self.abs(&to)).unwrap();
        self.note(format!("rename-dir {} -> {}", from.display(), to.display()));
        true
    }

    fn delete_dir(&mut self, tree: &Tree) -> bool {
        let Some(dir) = self.rng.pick(&tree.dirs[1..]) else {
            return false;
        };
        fs::remove_dir_all(self.abs(&dir)).unwrap();
        self.note(format!("rm -r {}", dir.display()));
        true
    }

    /// An editor's save: write `.name.tmp` beside the file, rename it over.
    fn atomic_save(&mut self, tree: &Tree) -> bool {
        let target = match self.rng.pick(&tree.files) {
            Some(existing) if self.rng.chance(0.85) => existing,
            _ => self.new_file_path(tree),
        };
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = target.with_file_name(format!(".{name}.tmp"));
        let (bytes, kind) = if self.rng.chance(0.15) && self.abs(&target).exists() {
            (fs::read(self.abs(&target)).unwrap(), "unchanged bytes")
        } else {
            self.content(tree)
        };
        fs::write(self.abs(&tmp), &bytes).unwrap();
        fs::rename(self.abs(&tmp), self.abs(&target)).unwrap();
        self.note(format!(
            "atomic-save {} via {} ({kind}, {} bytes)",
            target.display(),
            tmp.display(),
            bytes.len()
        ));
        true
    }

    fn copy(&mut self, tree: &Tree) -> bool {
        let Some(from) = self.rng.pick(&tree.files) else {
            return false;
        };
        let to = self.new_file_path(tree);
        fs::copy(self.abs(&from), self.abs(&to)).unwrap();
        self.note(format!("copy {} -> {}", from.display(), to.display()));
        true
    }

    /// Changes the mtime only (no write, no close-after-write).
    fn touch(&mut self, tree: &Tree) -> bool {
        let Some(path) = self.rng.pick(&tree.files) else {
            return false;
        };
        let (when, how) = if self.rng.chance(0.5) {
            (SystemTime::now(), "now".to_string())
        } else {
            let secs = self.rng.range(1, 1_000_000) as u64;
            (
                SystemTime::now() - Duration::from_secs(secs),
                format!("{secs} s ago"),
            )
        };
        let file = fs::File::open(self.abs(&path)).unwrap();
        file.set_modified(when).unwrap();
        drop(file);
        self.note(format!("touch {} ({how})", path.display()));
        true
    }

    /// Several writes of one file in a row, each closing it.
    fn rapid_writes(&mut self, tree: &Tree) -> bool {
        let path = match self.rng.pick(&tree.files) {
            Some(existing) if self.rng.chance(0.8) => existing,
            _ => self.new_file_path(tree),
        };
        let n = self.rng.range(2, 20);
        for _ in 0..n {
            let words = self.rng.range(1, 40);
            let text = self.words(words);
            if self.rng.chance(0.3) {
                let mut file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.abs(&path))
                    .unwrap();
                file.write_all(text.as_bytes()).unwrap();
            } else {
                fs::write(self.abs(&path), text.as_bytes()).unwrap();
            }
        }
        self.note(format!("rapid-writes {} ({n} writes)", path.display()));
        true
    }

    /// One open file written in pieces with short pauses, then closed.
    fn slow_write(&mut self, tree: &Tree) -> bool {
        let path = match self.rng.pick(&tree.files) {
            Some(existing) if self.rng.chance(0.5) => existing,
            _ => self.new_file_path(tree),
        };
        let n = self.rng.range(2, 6);
        let mut file = fs::File::create(self.abs(&path)).unwrap();
        for _ in 0..n {
            let words = self.rng.range(5, 60);
            file.write_all(self.words(words).as_bytes()).unwrap();
            file.flush().unwrap();
            std::thread::sleep(Duration::from_millis(self.rng.range(0, 15) as u64));
        }
        drop(file);
        self.note(format!("slow-write {} ({n} pieces)", path.display()));
        true
    }

    /// Exchanges two files through a temporary name.
    fn swap(&mut self, tree: &Tree) -> bool {
        if tree.files.len() < 2 {
            return false;
        }
        let a = self.rng.pick(&tree.files).unwrap();
        let b = self.rng.pick(&tree.files).unwrap();
        if a == b {
            return false;
        }
        let tmp = a.with_file_name(format!("swap{}.tmp", self.next_id()));
        fs::rename(self.abs(&a), self.abs(&tmp)).unwrap();
        fs::rename(self.abs(&b), self.abs(&a)).unwrap();
        fs::rename(self.abs(&tmp), self.abs(&b)).unwrap();
        self.note(format!(
            "swap {}, {} via {}",
            a.display(),
            b.display(),
            tmp.display()
        ));
        true
    }

    /// A hidden file, or a hidden folder with files, that must stay out.
    fn hidden_create(&mut self, tree: &Tree) -> bool {
        let dir = self.rng.pick(&tree.dirs).unwrap();
        let id = self.next_id();
        if self.rng.chance(0.6) {
            let path = dir.join(format!(".h{id}.txt"));
            let (bytes, kind) = self.content(tree);
            fs::write(self.abs(&path), &bytes).unwrap();
            self.note(format!("create {} ({kind}, hidden)", path.display()));
        } else {
            let hidden = dir.join(format!(".hd{id}"));
            let inner = if self.rng.chance(0.5) {
                hidden.join(self.dir_name())
            } else {
                hidden.clone()
            };
            fs::create_dir_all(self.abs(&inner)).unwrap();
            let n = self.rng.range(1, 3);
            for _ in 0..n {
                let path = inner.join(self.file_name());
                let (bytes, _) = self.content(tree);
                fs::write(self.abs(&path), &bytes).unwrap();
            }
            self.note(format!(
                "mkdir {} with {n} files in {} (hidden)",
                hidden.display(),
                inner.display()
            ));
        }
        true
    }

    fn hidden_delete(&mut self, tree: &Tree) -> bool {
        if let Some(dir) = self.rng.pick(&tree.hidden_dirs) {
            if self.rng.chance(0.5) {
                fs::remove_dir_all(self.abs(&dir)).unwrap();
                self.note(format!("rm -r {} (hidden)", dir.display()));
                return true;
            }
        }
        let Some(file) = self.rng.pick(&tree.hidden_files) else {
            return false;
        };
        fs::remove_file(self.abs(&file)).unwrap();
        self.note(format!("delete {} (hidden)", file.display()));
        true
    }

    /// Moves a visible file into a hidden folder or to a hidden name: it
    /// leaves the index.
    fn hide_file(&mut self, tree: &Tree) -> bool {
        let Some(from) = self.rng.pick(&tree.files) else {
            return false;
        };
        let to = match self.rng.pick(&tree.hidden_dirs) {
            Some(dir) if self.rng.chance(0.6) => dir.join(from.file_name().unwrap()),
            _ => from.with_file_name(format!(".h{}.txt", self.next_id())),
        };
        if self.abs(&to).exists() {
            return false;
        }
        fs::rename(self.abs(&from), self.abs(&to)).unwrap();
        self.note(format!("hide {} -> {}", from.display(), to.display()));
        true
    }

    /// Moves a hidden file to a visible place: it enters the index.
    fn unhide_file(&mut self, tree: &Tree) -> bool {
        let Some(from) = self.rng.pick(&tree.hidden_files) else {
            return false;
        };
        let to = self.new_file_path(tree);
        fs::rename(self.abs(&from), self.abs(&to)).unwrap();
        self.note(format!("unhide {} -> {}", from.display(), to.display()));
        true
    }

    /// Renames a visible folder to a hidden name: its files leave the index.
    fn hide_dir(&mut self, tree: &Tree) -> bool {
        let Some(from) = self.rng.pick(&tree.dirs[1..]) else {
            return false;
        };
        let to = from.with_file_name(format!(".hd{}", self.next_id()));
        fs::rename(self.abs(&from), self.abs(&to)).unwrap();
        self.note(format!("hide-dir {} -> {}", from.display(), to.display()));
        true
    }

    /// Renames a hidden folder to a visible name: its files enter the index.
    fn unhide_dir(&mut self, tree: &Tree) -> bool {
        let Some(from) = self.rng.pick(&tree.hidden_dirs) else {
            return false;
        };
        if tree.dirs.len() > MAX_DIRS || Tree::depth(&from) >= MAX_DEPTH {
            return false;
        }
        let to = from.with_file_name(self.dir_name());
        fs::rename(self.abs(&from), self.abs(&to)).unwrap();
        self.note(format!("unhide-dir {} -> {}", from.display(), to.display()));
        true
    }

    /// A file is deleted and a folder of the same name takes its place.
    fn file_becomes_dir(&mut self, tree: &Tree) -> bool {
        let Some(path) = self.rng.pick(&tree.files) else {
            return false;
        };
        if tree.dirs.len() > MAX_DIRS || Tree::depth(&path) >= MAX_DEPTH {
            return false;
        }
        fs::remove_file(self.abs(&path)).unwrap();
        fs::create_dir(self.abs(&path)).unwrap();
        let inner = path.join(self.file_name());
        let (bytes, _) = self.content(tree);
        fs::write(self.abs(&inner), &bytes).unwrap();
        self.note(format!(
            "file-becomes-dir {} (with {})",
            path.display(),
            inner.display()
        ));
        true
    }

    /// A folder is deleted and a file of the same name takes its place.
    fn dir_becomes_file(&mut self, tree: &Tree) -> bool {
        let Some(dir) = self.rng.pick(&tree.dirs[1..]) else {
            return false;
        };
        fs::remove_dir_all(self.abs(&dir)).unwrap();
        let (bytes, kind) = self.content(tree);
        fs::write(self.abs(&dir), &bytes).unwrap();
        self.note(format!("dir-becomes-file {} ({kind})", dir.display()));
        true
    }
}
