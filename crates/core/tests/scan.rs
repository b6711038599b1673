//! Scans through the facade (`Index`) on real folders: what each kind of
//! file becomes, what a second scan finds (unchanged, moved, modified,
//! deleted, retried, re-extracted), scans that stop and resume, scans of a
//! source that went away, live (path-scoped) scans, and the source rules and
//! sources management the surfaces rely on.

use std::path::{Path, PathBuf};

use gleaner_core::health::{HealthReport, Severity};
use gleaner_core::index::{lookup_path, PAUSED_DISK_FULL};
use gleaner_core::scan::{Flow, ScanObserver, ScanPhase, ScanProgress, Unobserved};
use gleaner_core::search::SearchFilter;
use gleaner_core::source::{preview_rules, NewSource, ScanStatus, SourceUpdate};
use gleaner_core::store::JobStatus;
use gleaner_core::{DataDir, Error, Index};

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    index: Index,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let index = Index::open(DataDir::resolve(Some(&root.join("data"))).unwrap()).unwrap();
        World {
            _tmp: tmp,
            root,
            index,
        }
    }

    fn folder(&self, name: &str) -> PathBuf {
        let path = self.root.join(name);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    fn add(&self, path: &Path) -> gleaner_core::source::Source {
        self.index
            .add_source(NewSource {
                path: path.to_path_buf(),
                recursive: true,
                ..NewSource::default()
            })
            .unwrap()
    }

    fn scan(&mut self, path: &Path) -> gleaner_core::store::JobCounts {
        let source = self.index.source(path).unwrap();
        let report = self.index.scan(&source, "test", &Unobserved).unwrap();
        assert!(!report.outcome.stopped);
        let job = self.index.store().job(&report.job_id).unwrap();
        assert_eq!(job.status, JobStatus::Completed);
        assert_eq!(job.counts, report.outcome.counts);
        report.outcome.counts
    }

    fn hits(&self, query: &str) -> Vec<String> {
        // No engine runs here: bring the search index up to date first, as
        // a foreground `gleaner index` does before it ends.
        self.index.sync_search().unwrap();
        let mut paths: Vec<String> = self
            .index
            .search(query, &SearchFilter::default(), 50)
            .unwrap()
            .hits
            .into_iter()
            .flat_map(|hit| std::iter::once(hit.path).chain(hit.other_paths))
            .collect();
        paths.sort();
        paths
    }

    /// Direct SQL on the index, for states a test cannot reach in time
    /// (a retry that is due, an extractor that was improved).
    fn sql(&self, sql: &str) {
        let db = rusqlite::Connection::open(self.index.data_dir().database()).unwrap();
        db.execute_batch(sql).unwrap();
    }
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn each_kind_of_file_becomes_the_right_document() {
    let mut w = World::new();
    let docs = w.folder("docs");
    write(&docs.join("a.txt"), "alpha aardvark");
    write(&docs.join("same1.txt"), "twin content here");
    write(&docs.join("same2.txt"), "twin content here");
    write(&docs.join("README"), "sniffed plain text");
    write(&docs.join("blob.dat"), b"\0\x01\x02binary\0stuff");
    write(&docs.join("photo.png"), b"\x89PNG not read at all");
    write(&docs.join("broken.pdf"), "this is not a PDF");
    write(&docs.join("huge.txt"), "x".repeat(1024 * 1024 + 10));
    w.index
        .store()
        .set_setting("index.max_file_mb", "1")
        .unwrap();
    let source = w.add(&docs);

    let counts = w.scan(&docs);
    assert_eq!(counts.new, 7, "{counts:?}");
    assert_eq!(counts.failed_files, 1, "{counts:?}");
    assert_eq!(counts.total_files, 8);
    assert_eq!(counts.indexed_files, 8);
    assert!(counts.bytes_processed > 0);
    assert!(counts.total_chunks >= 3, "{counts:?}");

    assert_eq!(w.hits("aardvark"), vec![text(&docs.join("a.txt"))]);
    assert_eq!(
        w.hits("twin"),
        vec![text(&docs.join("same1.txt")), text(&docs.join("same2.txt"))]
    );
    assert_eq!(w.hits("sniffed"), vec![text(&docs.join("README"))]);
    // Binary and unread files are findable by name only.
    assert_eq!(w.hits("photo"), vec![text(&docs.join("photo.png"))]);
    assert_eq!(w.hits("blob"), vec![text(&docs.join("blob.dat"))]);
    assert_eq!(w.hits("huge"), vec![text(&docs.join("huge.txt"))]);
    let store = w.index.store();
    assert_eq!(
        store.document_text(&text(&docs.join("a.txt"))).unwrap(),
        Some("alpha aardvark".to_string())
    );
    assert_eq!(
        store.document_text(&text(&docs.join("photo.png"))).unwrap(),
        None
    );
    assert_eq!(store.document_text("/no/such/file").unwrap(), None);

    // The failure is kept with a retry time, and counted in the health.
    let failed = store.failed_documents(Some(source.id)).unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].path, text(&docs.join("broken.pdf")));
    assert_eq!(failed[0].error_count, 1);
    assert!(failed[0].retry_at.is_some());
    assert_eq!(store.failed_documents(None).unwrap().len(), 1);
    let statuses = w.index.source_statuses().unwrap();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].documents, 8);
    assert_eq!(statuses[0].failed_documents, 1);
    assert_eq!(statuses[0].source.last_scan_status, ScanStatus::Success);
    let report = HealthReport::build(store, None).unwrap();
    assert!(report.healthy, "{report:?}");
    assert!(report.engine.is_none());
    assert_eq!(report.documents, 8);
    assert_eq!(report.documents_failed, 1);
    assert!(report
        .issues
        .iter()
        .all(|issue| issue.severity == Severity::Info));
    assert!(
        report.issues.iter().any(|i| i.message.contains("1 files")),
        "{report:?}"
    );
    assert!(
        report
            .issues
            .iter()
            .any(|i| i.message.contains("no engine is running")),
        "{report:?}"
    );

    // Nothing changed: nothing is read again, the failure waits its turn.
    let counts = w.scan(&docs);
    assert_eq!(counts.unchanged, 8, "{counts:?}");
    assert_eq!(counts.total_files, 0);

    // Its retry is due: read again, failed again, the wait grows.
    w.sql("UPDATE documents SET retry_at = 0 WHERE error IS NOT NULL");
    let counts = w.scan(&docs);
    assert_eq!(counts.failed_files, 1, "{counts:?}");
    let failed = w.index.store().failed_documents(None).unwrap();
    assert_eq!(failed[0].error_count, 2);

    // An improved extractor re-extracts what it made, counted unchanged.
    w.sql("UPDATE contents SET extractor = 'text/0' WHERE format = 'text'");
    let counts = w.scan(&docs);
    assert_eq!(counts.total_files, 3, "{counts:?}");
    assert_eq!(counts.unchanged, 8, "{counts:?}");
    assert_eq!(counts.new + counts.modified, 0, "{counts:?}");
    assert_eq!(w.hits("aardvark"), vec![text(&docs.join("a.txt"))]);
}

#[test]
fn a_rescan_finds_moves_changes_and_deletions() {
    let mut w = World::new();
    let docs = w.folder("docs");
    write(&docs.join("a.txt"), "alpha aardvark");
    // Sizes differ, so no file can pass for another by its stat.
    write(&docs.join("b.txt"), "beta badger!");
    write(&docs.join("c.txt"), "gamma gecko!!");
    write(&docs.join("d.txt"), "delta dingo!!!");
    w.add(&docs);
    assert_eq!(w.scan(&docs).new, 4);

    // A rename keeps the inode: a move, found from the stat alone.
    std::fs::rename(docs.join("a.txt"), docs.join("sub-a.txt")).unwrap();
    // A copy and a delete: a new inode with a vanished document's content,
    // a move found after hashing.
    let b = std::fs::read(docs.join("b.txt")).unwrap();
    std::fs::remove_file(docs.join("b.txt")).unwrap();
    write(&docs.join("moved/b.txt"), b);
    // A different size: modified.
    write(&docs.join("c.txt"), "gamma gecko grows longer");
    std::fs::remove_file(docs.join("d.txt")).unwrap();

    let counts = w.scan(&docs);
    assert_eq!(counts.moved, 2, "{counts:?}");
    assert_eq!(counts.modified, 1, "{counts:?}");
    assert_eq!(counts.deleted, 1, "{counts:?}");
    assert_eq!(counts.new, 0, "{counts:?}");
    assert_eq!(w.hits("aardvark"), vec![text(&docs.join("sub-a.txt"))]);
    assert_eq!(w.hits("badger"), vec![text(&docs.join("moved/b.txt"))]);
    assert_eq!(w.hits("longer"), vec![text(&docs.join("c.txt"))]);
    assert!(w.hits("dingo").is_empty());

    // Only the time changed: read, found the same, counted unchanged.
    let touched = std::fs::File::options()
        .write(true)
        .open(docs.join("c.txt"))
        .unwrap();
    touched
        .set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
        .unwrap();
    drop(touched);
    let counts = w.scan(&docs);
    assert_eq!(counts.total_files, 1, "{counts:?}");
    assert_eq!(counts.modified + counts.new, 0, "{counts:?}");
    assert_eq!(counts.unchanged, 3, "{counts:?}");
    assert_eq!(w.hits("longer"), vec![text(&docs.join("c.txt"))]);

    // The deleted file comes back: it is new again.
    write(&docs.join("d.txt"), "delta dingo!!!");
    let counts = w.scan(&docs);
    assert_eq!(counts.new, 1, "{counts:?}");
    assert_eq!(w.hits("dingo"), vec![text(&docs.join("d.txt"))]);

    // Rules exclude a file: it leaves the index.
    w.index
        .update_source(
            &docs,
            &SourceUpdate {
                exclude: Some(vec!["moved/**".into()]),
                ..SourceUpdate::default()
            },
        )
        .unwrap();
    assert_eq!(w.scan(&docs).deleted, 1);
    assert!(w.hits("badger").is_empty());
    // Housekeeping forgets nothing recent.
    let report = w.index.maintain().unwrap();
    assert_eq!(report.purged_documents, 0, "{report:?}");
}

/// Stops the scan at its first file boundary.
struct StopAtOnce;
impl ScanObserver for StopAtOnce {
    fn checkpoint(&self) -> Flow {
        Flow::Stop
    }
}

/// Records the phases it is told about.
#[derive(Default)]
struct Phases(std::sync::Mutex<Vec<ScanPhase>>);
impl ScanObserver for Phases {
    fn progress(&self, progress: &ScanProgress<'_>) {
        self.0.lock().unwrap().push(progress.phase);
    }
}

#[test]
fn a_stopped_job_resumes_where_it_stopped() {
    let mut w = World::new();
    let docs = w.folder("docs");
    for i in 0..12 {
        write(&docs.join(format!("f{i:02}.txt")), format!("walrus {i}"));
    }
    let source = w.add(&docs);
    let job = w.index.create_job(&source, "manual").unwrap();
    let report = w.index.run_job(&job, false, &StopAtOnce).unwrap();
    assert!(report.outcome.stopped);
    assert!(report.outcome.counts.indexed_files < 12);
    // The caller decides what a stopped job becomes; until then it runs.
    let record = w.index.store().job(&job).unwrap();
    assert_eq!(record.status, JobStatus::Running);
    assert_eq!(report.source.last_scan_status, ScanStatus::Pending);
    let done_before = w.hits("walrus").len();
    assert_eq!(done_before as u64, report.outcome.counts.indexed_files);

    // Run again: it continues from its counts, the finished files are
    // found unchanged, and every file ends up indexed once.
    let phases = Phases::default();
    let report = w.index.run_job(&job, false, &phases).unwrap();
    assert!(!report.outcome.stopped);
    assert_eq!(report.outcome.counts.new, 12, "{:?}", report.outcome.counts);
    assert_eq!(report.outcome.counts.indexed_files, 12);
    assert_eq!(w.hits("walrus").len(), 12);
    let record = w.index.store().job(&job).unwrap();
    assert_eq!(record.status, JobStatus::Completed);
    let seen = phases.0.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&ScanPhase::Walking));
    assert_eq!(seen.last(), Some(&ScanPhase::Finished));
    assert!(seen.contains(&ScanPhase::Indexing));
    let last = w.index.store().last_completed_job().unwrap().unwrap();
    assert_eq!(last.job_id, job);

    // A finished job's rates cover its whole run.
    let rates = record.rates(gleaner_core::store::now_ms());
    assert_eq!(rates.eta_s, None);
    assert!(rates.files_per_s > 0.0);
    let views = gleaner_core::view::job_views(std::slice::from_ref(&record));
    assert_eq!(views[0].percent_done, Some(100.0));
    assert!(views[0].finished.is_some());

    // A rescan that finds nothing changed reads nothing, yet checked every
    // file and is done: "0 of 0" would say otherwise.
    let rescan = w.index.create_job(&source, "rescan").unwrap();
    w.index.run_job(&rescan, false, &Unobserved).unwrap();
    let record = w.index.store().job(&rescan).unwrap();
    assert_eq!(record.counts.total_files, 0, "{:?}", record.counts);
    let views = gleaner_core::view::job_views(std::slice::from_ref(&record));
    assert_eq!(views[0].checked_files, 12);
    assert_eq!(views[0].percent_done, Some(100.0));
}

#[test]
fn a_source_that_cannot_be_read_fails_or_pauses_its_job() {
    let mut w = World::new();
    let usb = w.folder("usb");
    write(&usb.join("x.txt"), "xylophone");
    let source = w.add(&usb);
    w.scan(&usb);
    std::fs::remove_dir_all(&usb).unwrap();

    // The foreground `gleaner index`: the job fails, the documents stay.
    let job = w.index.create_job(&source, "manual").unwrap();
    let err = w.index.run_job(&job, false, &Unobserved).unwrap_err();
    assert!(matches!(err, Error::SourceUnavailable { .. }), "{err}");
    let record = w.index.store().job(&job).unwrap();
    assert_eq!(record.status, JobStatus::Failed);
    assert!(
        record.error.as_deref().unwrap().contains("does not exist"),
        "{record:?}"
    );
    let stored = w.index.source(&usb).unwrap();
    assert_eq!(stored.last_scan_status, ScanStatus::Error);
    assert_eq!(w.hits("xylophone").len(), 1);
    let report = HealthReport::build(w.index.store(), None).unwrap();
    assert!(!report.healthy);
    assert_eq!(report.sources_in_error, vec![text(&usb)]);
    assert_eq!(report.issues[0].severity, Severity::Error);

    // The engine's job pauses instead, for the engine to resume.
    let job = w.index.create_job(&source, "background").unwrap();
    w.index.run_job(&job, true, &Unobserved).unwrap_err();
    let record = w.index.store().job(&job).unwrap();
    assert_eq!(record.status, JobStatus::Paused);
    assert_ne!(record.pause_reason.as_deref(), Some(PAUSED_DISK_FULL));

    // A file where the folder was is no folder either.
    write(&usb, "a file now");
    let job = w.index.create_job(&source, "manual").unwrap();
    let err = w.index.run_job(&job, false, &Unobserved).unwrap_err();
    assert!(err.to_string().contains("not a directory"), "{err}");

    // A job whose source is removed fails when it runs.
    let job = w.index.create_job(&source, "manual").unwrap();
    w.index.remove_source(&usb).unwrap();
    let err = w.index.run_job(&job, false, &Unobserved).unwrap_err();
    assert!(matches!(err, Error::UnknownSource(_)), "{err}");
    let record = w.index.store().job(&job).unwrap();
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.error.as_deref(), Some("its source was removed"));
    assert!(w.hits("xylophone").is_empty());
}

#[test]
fn live_scans_cover_only_the_named_paths() {
    let mut w = World::new();
    let docs = w.folder("docs");
    write(&docs.join("keep.txt"), "kiwi");
    write(&docs.join("old/place.txt"), "platypus platypus");
    let source = w.add(&docs);
    w.scan(&docs);

    // A new folder with a file, named by the folder.
    write(&docs.join("new/n.txt"), "narwhal");
    let outcome = w.index.scan_paths(&source, vec![docs.join("new")]).unwrap();
    assert_eq!(outcome.counts.new, 1, "{:?}", outcome.counts);
    assert_eq!(w.hits("narwhal"), vec![text(&docs.join("new/n.txt"))]);

    // A file changed, named alone; the others are not looked at.
    write(&docs.join("keep.txt"), "kiwi and more kiwi");
    let displaced = w
        .index
        .contents_under(source.id, &[docs.join("keep.txt")])
        .unwrap();
    assert_eq!(displaced.len(), 1);
    let outcome = w
        .index
        .scan_paths(&source, vec![docs.join("keep.txt")])
        .unwrap();
    assert_eq!(outcome.counts.modified, 1);
    assert_eq!(outcome.counts.unchanged, 0);
    assert_eq!(w.index.collect_orphans(Some(&displaced)).unwrap(), 1);
    assert_eq!(w.index.collect_orphans(Some(&[])).unwrap(), 0);

    // Only the new name of a moved file is named (its old folder's events
    // were missed): the stat identifies the document, no read needed.
    std::fs::create_dir_all(docs.join("elsewhere")).unwrap();
    std::fs::rename(docs.join("old/place.txt"), docs.join("elsewhere/place.txt")).unwrap();
    let outcome = w
        .index
        .scan_paths(&source, vec![docs.join("elsewhere/place.txt")])
        .unwrap();
    assert_eq!(outcome.counts.moved, 1, "{:?}", outcome.counts);
    assert_eq!(
        w.hits("platypus"),
        vec![text(&docs.join("elsewhere/place.txt"))]
    );

    // A removed folder, named: everything below it is deleted.
    std::fs::remove_dir_all(docs.join("new")).unwrap();
    let outcome = w.index.scan_paths(&source, vec![docs.join("new")]).unwrap();
    assert_eq!(outcome.counts.deleted, 1);
    assert!(w.hits("narwhal").is_empty());
    // A live scan is no job and leaves the source's scan status alone.
    assert_eq!(w.index.store().jobs(None, 10).unwrap().len(), 1);
    assert_eq!(
        w.index.source(&docs).unwrap().last_scan_status,
        ScanStatus::Success
    );
    // A deleted document keeps its content until maintenance purges it.
    assert_eq!(w.index.collect_orphans(None).unwrap(), 0);
}

#[test]
fn sources_are_managed_through_the_facade() {
    let w = World::new();
    let notes = w.folder("notes");
    let inner = w.folder("notes/inner");
    let other = w.folder("other");
    let source = w.add(&notes);
    assert_eq!(source.path, notes);
    assert!(source.active);
    assert_eq!(
        w.index.data_dir().database(),
        w.root.join("data/gleaner.db")
    );

    // Two sources may not share files, and globs must parse.
    for (path, reason) in [
        (&notes, "already a source"),
        (&inner, "inside another source"),
        (&w.root, "contains another source"),
    ] {
        let err = w
            .index
            .add_source(NewSource {
                path: path.clone(),
                recursive: true,
                ..NewSource::default()
            })
            .unwrap_err();
        assert!(err.to_string().contains(reason), "{err}");
    }
    let err = w
        .index
        .add_source(NewSource {
            path: other.clone(),
            include: vec!["a[".into()],
            ..NewSource::default()
        })
        .unwrap_err();
    assert!(matches!(err, Error::BadGlob { .. }), "{err}");
    let err = w
        .index
        .add_source(NewSource {
            path: w.root.join("missing"),
            ..NewSource::default()
        })
        .unwrap_err();
    assert!(matches!(err, Error::SourceUnavailable { .. }), "{err}");

    // Found or added by path, as typed.
    assert_eq!(w.index.source_or_add(&notes).unwrap().id, source.id);
    let added = w.index.source_or_add(&other.join("../other")).unwrap();
    assert_eq!(added.path, other);
    assert!(added.recursive);
    assert_eq!(w.index.sources().unwrap().len(), 2);

    // Rules and schedule change; bad globs are refused before anything.
    let err = w
        .index
        .update_source(
            &other,
            &SourceUpdate {
                exclude: Some(vec!["{".into()]),
                ..SourceUpdate::default()
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::BadGlob { .. }), "{err}");
    let err = w
        .index
        .update_source(
            &other,
            &SourceUpdate {
                include: Some(vec!["[".into()]),
                ..SourceUpdate::default()
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::BadGlob { .. }), "{err}");
    let updated = w
        .index
        .update_source(
            &other,
            &SourceUpdate {
                include: Some(vec!["*.md".into()]),
                exclude: Some(vec!["draft*".into()]),
                recursive: Some(false),
                scan_interval_s: Some(Some(3600)),
            },
        )
        .unwrap();
    assert_eq!(updated.include, vec!["*.md".to_string()]);
    assert_eq!(updated.exclude, vec!["draft*".to_string()]);
    assert!(!updated.recursive);
    assert_eq!(updated.scan_interval_s, Some(3600));
    let cleared = w
        .index
        .update_source(
            &other,
            &SourceUpdate {
                scan_interval_s: Some(None),
                ..SourceUpdate::default()
            },
        )
        .unwrap();
    assert_eq!(cleared.scan_interval_s, None);
    assert_eq!(cleared.include, vec!["*.md".to_string()]);

    // Disabled and enabled again.
    assert!(!w.index.set_source_active(&other, false).unwrap().active);
    assert!(w.index.set_source_active(&other, true).unwrap().active);

    // Muted and unmuted: kept in the notify.muted setting.
    w.index.set_source_muted(&notes, true).unwrap();
    w.index.set_source_muted(&other, true).unwrap();
    w.index.set_source_muted(&notes, true).unwrap();
    let muted = w.index.settings().unwrap().paths("notify.muted");
    assert_eq!(muted, vec![other.clone(), notes.clone()]);
    w.index.set_source_muted(&notes, false).unwrap();
    let muted = w.index.settings().unwrap().paths("notify.muted");
    assert_eq!(muted, vec![other.clone()]);

    // A folder that is gone can still be named, `..` and all, to remove it.
    std::fs::remove_dir_all(&other).unwrap();
    let typed = other.join("sub/../.");
    assert_eq!(lookup_path(&typed), other);
    assert_eq!(w.index.remove_source(&typed).unwrap().id, added.id);
    let err = w.index.source(&other).unwrap_err();
    assert!(matches!(err, Error::UnknownSource(_)), "{err}");
    // A relative name is taken from the current directory.
    let relative = lookup_path(Path::new("no-such-dir/x/../y"));
    assert_eq!(
        relative,
        std::env::current_dir().unwrap().join("no-such-dir/y")
    );

    // A query the parser refuses is an error, not an empty answer.
    assert!(w.index.search("   ", &SearchFilter::default(), 10).is_err());
}

#[test]
fn rules_can_be_previewed_before_a_source_is_added() {
    let w = World::new();
    let docs = w.folder("docs");
    for name in ["a.md", "b.md", "c.txt", "drafts/d.md", "drafts/e.md"] {
        write(&docs.join(name), "x");
    }
    let preview = preview_rules(
        &docs,
        &["*.md".to_string()],
        &["drafts/**".to_string()],
        true,
        10,
    )
    .unwrap();
    assert_eq!(preview.n_matching, 2, "{preview:?}");
    assert_eq!(
        preview.samples,
        vec!["a.md".to_string(), "b.md".to_string()]
    );
    assert!(preview.n_excluded >= 1, "{preview:?}");
    assert!(preview.problems.is_empty());
    let preview = preview_rules(&docs, &[], &[], false, 1).unwrap();
    assert_eq!(preview.n_matching, 3);
    assert_eq!(preview.samples.len(), 1);
    assert!(preview_rules(&docs, &["[".to_string()], &[], true, 1).is_err());
    assert!(preview_rules(&docs.join("a.md"), &[], &[], true, 1).is_err());
}

#[test]
fn statuses_round_trip_through_their_stored_spelling() {
    for status in [
        ScanStatus::Pending,
        ScanStatus::Running,
        ScanStatus::Success,
        ScanStatus::Error,
    ] {
        assert_eq!(ScanStatus::parse(status.as_str()), status);
    }
    for status in JobStatus::ALL {
        assert_eq!(JobStatus::parse(status.as_str()), Some(status));
        assert_eq!(status.is_finished(), status.next_states().is_empty());
    }
    assert_eq!(JobStatus::parse("exploded"), None);
}
