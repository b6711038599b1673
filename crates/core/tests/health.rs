//! How watch problems read to a person: in the health report (with their
//! severity and fix), in logs, and what each one means for polling.

use std::path::PathBuf;

use gleaner_core::health::{describe_watch_health, Severity};
use gleaner_core::watch::{Change, WatchError, WatchHealth};

fn every_problem() -> Vec<WatchHealth> {
    vec![
        WatchHealth::WatchLimitReached {
            source_id: 1,
            current_limit: Some(8192),
            suggested: 524_288,
            n_dirs_unwatched: 40,
            fix: "sudo sysctl fs.inotify.max_user_watches=524288".into(),
        },
        WatchHealth::InotifyUnavailable {
            source_id: 2,
            reason: "Too many open files".into(),
            fix: "raise the open-file limit".into(),
        },
        WatchHealth::Polled {
            source_id: 3,
            fs: "nfs".into(),
        },
        WatchHealth::WatchFailed {
            source_id: 4,
            path: PathBuf::from("/home/ada/notes/secret"),
            n_dirs: 2,
            reason: "permission denied".into(),
        },
        WatchHealth::SourceGone {
            source_id: 5,
            root: PathBuf::from("/media/usb"),
            reason: "its file system was unmounted".into(),
        },
        WatchHealth::WatcherStopped {
            reason: "it panicked".into(),
        },
    ]
}

#[test]
fn watch_problems_are_described_with_severity_and_fix() {
    let described: Vec<_> = every_problem()
        .iter()
        .map(|problem| describe_watch_health(problem, "~/notes"))
        .collect();
    let severities: Vec<Severity> = described.iter().map(|issue| issue.severity).collect();
    assert_eq!(
        severities,
        [
            Severity::Warning,
            Severity::Warning,
            Severity::Info,
            Severity::Warning,
            Severity::Error,
            Severity::Error,
        ]
    );
    assert!(described[0].message.contains("40 folders"));
    assert!(described[0].message.contains("(8192)"));
    assert_eq!(
        described[0].fix.as_deref(),
        Some("sudo sysctl fs.inotify.max_user_watches=524288")
    );
    assert!(described[1].message.contains("Too many open files"));
    assert_eq!(
        described[1].fix.as_deref(),
        Some("raise the open-file limit")
    );
    assert!(described[2].message.contains("nfs file system"));
    assert!(described[3]
        .message
        .contains("2 folders cannot be watched (first: /home/ada/notes/secret"));
    assert_eq!(
        described[4].message,
        "~/notes is unreachable: its file system was unmounted"
    );
    assert!(described[5].message.contains("the file watcher stopped"));
    for issue in &described[2..] {
        assert_eq!(issue.fix, None, "{issue:?}");
    }
    // An unknown limit is said so.
    let unknown = describe_watch_health(
        &WatchHealth::WatchLimitReached {
            source_id: 1,
            current_limit: None,
            suggested: 524_288,
            n_dirs_unwatched: 1,
            fix: "raise it".into(),
        },
        "~/notes",
    );
    assert!(unknown.message.contains("(unknown)"), "{unknown:?}");
}

#[test]
fn watch_problems_read_plainly_in_logs() {
    let lines: Vec<String> = every_problem().iter().map(|p| p.to_string()).collect();
    assert!(lines[0].starts_with("source 1: the inotify watch limit"));
    assert!(lines[0].contains("max_user_watches = 8192"));
    assert!(lines[0].contains("40 directories are not watched"));
    assert!(lines[1].contains("file watching is unavailable (Too many open files)"));
    assert!(lines[2].contains("source 3 is on a nfs file system"));
    assert!(lines[3].contains("2 directories cannot be watched (permission denied)"));
    assert_eq!(
        lines[4],
        "source 5 (/media/usb) is gone: its file system was unmounted"
    );
    assert_eq!(lines[5], "the file watcher stopped: it panicked");
}

#[test]
fn only_a_gone_source_is_not_polled() {
    let problems = every_problem();
    let ids: Vec<Option<i64>> = problems.iter().map(WatchHealth::source_id).collect();
    assert_eq!(ids, [Some(1), Some(2), Some(3), Some(4), Some(5), None]);
    let polled: Vec<bool> = problems.iter().map(WatchHealth::needs_polling).collect();
    assert_eq!(polled, [true, true, true, true, false, true]);
}

#[test]
fn watch_errors_name_the_directory_and_the_fix() {
    let errors = [
        WatchError::WatchLimitReached {
            current_limit: None,
            suggested: 524_288,
            fix: "raise it".into(),
        },
        WatchError::InotifyUnavailable {
            source: std::io::Error::other("Too many open files"),
            fix: "raise the open-file limit".into(),
        },
        WatchError::NotFound {
            path: PathBuf::from("/tmp/gone"),
        },
        WatchError::Io {
            path: PathBuf::from("/tmp/secret"),
            source: std::io::Error::other("permission denied"),
        },
        WatchError::Spawn(std::io::Error::other("no threads left")),
    ];
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "the inotify watch limit is reached (fs.inotify.max_user_watches = unknown); fix: raise it",
            "cannot start inotify: Too many open files; fix: raise the open-file limit",
            "/tmp/gone disappeared before it could be watched",
            "cannot watch /tmp/secret: permission denied",
            "cannot start the file watcher thread: no threads left",
        ]
    );
    // A watch error reaching the engine's callers keeps its words.
    let err = gleaner_core::Error::from(WatchError::NotFound {
        path: PathBuf::from("/tmp/gone"),
    });
    assert_eq!(
        err.to_string(),
        "file watcher: /tmp/gone disappeared before it could be watched"
    );
}

#[test]
fn every_change_names_its_source() {
    let path = PathBuf::from("/notes/a.txt");
    let changes = [
        Change::Changed {
            source_id: 1,
            path: path.clone(),
        },
        Change::Removed {
            source_id: 2,
            path: path.clone(),
        },
        Change::Renamed {
            source_id: 3,
            from: path.clone(),
            to: PathBuf::from("/notes/b.txt"),
        },
        Change::Rescan {
            source_id: 4,
            reason: "events were lost".into(),
        },
        Change::SourceGone {
            source_id: 5,
            reason: "deleted".into(),
        },
        Change::SourceBack { source_id: 6 },
    ];
    let ids: Vec<i64> = changes.iter().map(Change::source_id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
}
