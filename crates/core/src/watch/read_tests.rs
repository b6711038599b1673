//! Reading watched files costs the watcher nothing: the kernel is not asked
//! for open, access or close-without-write events, so neither the indexer's
//! own reads nor anyone else's reach notify's thread or the kernel's event
//! queue.
//!
//! Regression for notify 8, whose inotify mask always held `IN_OPEN`: each
//! file read woke notify's thread, and a scan of more files than
//! `fs.inotify.max_queued_events` (16384 by default) could overflow the
//! queue and so force a rescan of every source.

use std::fs;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

use super::actor::EVENT_KINDS;
use super::*;
use crate::scan::Unobserved;
use crate::source::NewSource;
use crate::{DataDir, Index};

/// Only reached when a test fails.
const WAIT: Duration = Duration::from_secs(60);
const SOURCE: i64 = 1;

/// The inotify mask each watched directory must carry: exactly the events
/// the actor acts on.
const WANTED_MASK: u32 = libc::IN_CREATE
    | libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_MODIFY
    | libc::IN_ATTRIB
    | libc::IN_CLOSE_WRITE
    | libc::IN_DELETE_SELF
    | libc::IN_MOVE_SELF;
const READ_EVENTS: u32 = libc::IN_OPEN | libc::IN_ACCESS | libc::IN_CLOSE_NOWRITE;

/// `n_dirs` folders under `root`, each holding `n_files_per_dir` text files.
fn make_tree(root: &Path, n_dirs: usize, n_files_per_dir: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for d in 0..n_dirs {
        let dir = root.join(format!("d{d:02}"));
        fs::create_dir_all(&dir).unwrap();
        for f in 0..n_files_per_dir {
            let file = dir.join(format!("f{f:04}.txt"));
            fs::write(&file, format!("file {f} of folder {d}")).unwrap();
            files.push(file);
        }
    }
    files
}

fn start_watching(root: &Path) -> (Watcher, Receiver<Vec<Change>>) {
    let config = WatcherConfig {
        debounce: Duration::from_millis(100),
        ..WatcherConfig::default()
    };
    let (watcher, changes) = Watcher::start(config, Arc::new(|_, _: &Path| true)).unwrap();
    let mut dirs = vec![root.to_path_buf()];
    for entry in fs::read_dir(root).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            dirs.push(entry.path());
        }
    }
    watcher.watch(WatchedSource {
        source_id: SOURCE,
        root: root.to_path_buf(),
        recursive: true,
        dirs,
    });
    // A round trip: the watches are in place once this returns.
    watcher.watch_count();
    (watcher, changes)
}

/// Everything delivered until `path` is reported changed, or the source is
/// to be rescanned (which stands for every change of it), included.
fn wait_for_change_of(changes: &Receiver<Vec<Change>>, path: &Path) -> Vec<Change> {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(batch) = changes.recv_timeout(left) else {
            panic!("timed out waiting for {}; saw {seen:#?}", path.display());
        };
        let found = batch.iter().any(|change| match change {
            Change::Changed { path: p, .. } => p == path,
            Change::Rescan { .. } => true,
            _ => false,
        });
        seen.extend(batch);
        if found {
            return seen;
        }
    }
}

/// Opens, reads to the end and closes every file, and lists every folder,
/// as a scan does.
fn read_everything(files: &[PathBuf]) {
    let mut listed = std::collections::BTreeSet::new();
    for file in files {
        let mut text = Vec::new();
        fs::File::open(file)
            .unwrap()
            .read_to_end(&mut text)
            .unwrap();
        let dir = file.parent().unwrap();
        if listed.insert(dir.to_path_buf()) {
            assert!(fs::read_dir(dir).unwrap().count() > 0);
        }
    }
}

/// The masks the kernel holds for inotify watches on the inode `inode`, from
/// this process's `/proc/self/fdinfo`.
fn kernel_masks_for_inode(inode: u64) -> Vec<u32> {
    let mut masks = Vec::new();
    for entry in fs::read_dir("/proc/self/fdinfo").unwrap().flatten() {
        let Ok(info) = fs::read_to_string(entry.path()) else {
            continue;
        };
        // inotify wd:1 ino:2a5b sdev:800001 mask:fce ignored_mask:0 ...
        for line in info.lines().filter(|line| line.starts_with("inotify wd:")) {
            let field = |name: &str| {
                line.split_whitespace()
                    .find_map(|field| field.strip_prefix(name))
                    .and_then(|hex| u64::from_str_radix(hex, 16).ok())
            };
            if field("ino:") == Some(inode) {
                masks.extend(field("mask:").map(|mask| mask as u32));
            }
        }
    }
    masks
}

#[test]
fn the_kernel_is_asked_only_for_the_events_the_actor_uses() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    make_tree(&root, 1, 1);
    let (_watcher, _changes) = start_watching(&root);
    for watched in [root.clone(), root.join("d00")] {
        let masks = kernel_masks_for_inode(fs::metadata(&watched).unwrap().ino());
        assert_eq!(masks.len(), 1, "{}: {masks:x?}", watched.display());
        let mask = masks[0];
        eprintln!("inotify mask of {}: {mask:#x}", watched.display());
        assert_eq!(mask & READ_EVENTS, 0, "{mask:#x}");
        assert_eq!(mask & libc::IN_ALL_EVENTS, WANTED_MASK, "{mask:#x}");
    }
}

#[test]
fn reading_many_watched_files_makes_no_raw_event_and_a_write_still_does() {
    const N_FILES: usize = 2_000;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let files = make_tree(&root, 2, N_FILES / 2);
    let (watcher, changes) = start_watching(&root);
    let probe = watcher.raw_event_probe.clone();
    let before = probe.events().len();

    read_everything(&files);
    let written = &files[N_FILES / 3];
    fs::write(written, "written after the reads").unwrap();
    // The kernel queues events in order: once the write is delivered, any
    // event the reads made has been through notify's callback.
    wait_for_change_of(&changes, written);

    let raw = probe.events().split_off(before);
    let about_reads: Vec<&notify::Event> = raw
        .iter()
        .filter(|event| event.paths.iter().any(|path| path != written))
        .collect();
    eprintln!(
        "raw events while reading {N_FILES} files: {}; for the write: {}",
        about_reads.len(),
        raw.len() - about_reads.len()
    );
    assert!(about_reads.is_empty(), "{about_reads:#?}");
    assert!(
        raw.iter().any(|event| event.kind
            == notify::EventKind::Access(notify::event::AccessKind::Close(
                notify::event::AccessMode::Write
            ))),
        "the write's close was not seen: {raw:#?}"
    );
    assert!(
        raw.iter().all(|event| EVENT_KINDS.matches(&event.kind)),
        "{raw:#?}"
    );
}

/// The real indexer reads 20,000 files of a watched tree while notify's
/// thread is held, so every inotify event the scan makes stays in the
/// kernel's queue: none may be there, so no queue size can overflow.
#[test]
fn a_full_scan_of_a_watched_tree_puts_nothing_in_the_kernel_queue() {
    const N_DIRS: usize = 20;
    const N_FILES_PER_DIR: usize = 1_000;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let files = make_tree(&root, N_DIRS, N_FILES_PER_DIR);
    let mut index = Index::open(DataDir::resolve(Some(&dir.path().join("data"))).unwrap()).unwrap();
    let source = index
        .add_source(NewSource {
            path: root.clone(),
            recursive: true,
            ..NewSource::default()
        })
        .unwrap();
    let (watcher, changes) = start_watching(&root);
    let probe = watcher.raw_event_probe.clone();

    let hold = probe.hold();
    let trigger = root.join("hold.txt");
    fs::write(&trigger, "the event that parks notify's thread").unwrap();
    assert!(
        probe.wait_parked(WAIT),
        "notify's thread never got an event"
    );
    let before = probe.events().len();
    let started = Instant::now();
    let report = index.scan(&source, "test", &Unobserved).unwrap();
    eprintln!("scan of {} files took {:?}", files.len(), started.elapsed());
    assert_eq!(report.outcome.counts.new as usize, files.len() + 1);
    assert_eq!(report.outcome.counts.failed_files, 0);
    drop(hold);

    let sentinel = root.join("sentinel.txt");
    fs::write(&sentinel, "after the scan").unwrap();
    let delivered = wait_for_change_of(&changes, &sentinel);
    let raw = probe.events().split_off(before);
    let from_scan: Vec<&notify::Event> = raw
        .iter()
        .filter(|event| {
            event.need_rescan()
                || event
                    .paths
                    .iter()
                    .any(|path| path != &trigger && path != &sentinel)
        })
        .collect();
    eprintln!(
        "raw events queued by a scan of {} files: {}",
        files.len(),
        from_scan.len()
    );
    assert!(
        from_scan.is_empty(),
        "{:#?}",
        &from_scan[..from_scan.len().min(20)]
    );
    assert!(
        !delivered
            .iter()
            .any(|change| matches!(change, Change::Rescan { .. })),
        "{delivered:#?}"
    );
}
