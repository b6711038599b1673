//! What the engine announces: the mapping from job rows to events, the
//! milestones, and the real engine loop scanning real folders with a
//! recording sink.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;
use crate::engine::{run, EngineEvents};
use crate::notify::{Notification, NotifyError, SinkKind};
use crate::source::NewSource;
use crate::store::JobCounts;
use crate::{DataDir, Index};

type Seen = Arc<Mutex<Vec<Event>>>;

/// A log-kind sink: it gets every event at once, whatever the throttle says.
struct Recorder(Seen);

impl Sink for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }
    fn kind(&self) -> SinkKind {
        SinkKind::Log
    }
    fn deliver(&mut self, n: &Notification) -> Result<(), NotifyError> {
        self.0.lock().unwrap().extend(n.events.iter().cloned());
        Ok(())
    }
}

fn recording_announcer() -> (Announcer, Seen) {
    let seen = Seen::default();
    let announcer = Announcer::with_sinks(
        &Settings::defaults(),
        vec![Box::new(Recorder(seen.clone()))],
    );
    (announcer, seen)
}

/// The events `announcer` published, once its notifier has stopped.
fn events_of(announcer: Announcer, seen: &Seen) -> Vec<Event> {
    announcer.shutdown();
    std::mem::take(&mut *seen.lock().unwrap())
}

fn job(status: JobStatus) -> JobRecord {
    JobRecord {
        id: "j1".into(),
        source_id: Some(1),
        directory: "/home/ada/notes".into(),
        recursive: true,
        trigger: "manual".into(),
        status,
        created_at: 1_000,
        started_at: Some(1_000),
        completed_at: Some(5_200),
        counts: JobCounts {
            new: 12,
            failed_files: 1,
            ..JobCounts::default()
        },
        error: None,
        pause_reason: None,
    }
}

#[test]
fn job_rows_become_the_right_events() {
    let (announcer, seen) = recording_announcer();
    announcer.job_ended(&job(JobStatus::Completed), None);
    announcer.job_ended(
        &JobRecord {
            error: Some("/home/ada/notes: disk I/O error".into()),
            ..job(JobStatus::Failed)
        },
        Some("whatever the thread said"),
    );
    announcer.job_ended(
        &JobRecord {
            pause_reason: Some("/home/ada/notes: No such file or directory".into()),
            ..job(JobStatus::Paused)
        },
        Some("/home/ada/notes: No such file or directory"),
    );
    // Not news: the user's own pause, a cancel, a shutdown's requeue.
    announcer.job_ended(
        &JobRecord {
            pause_reason: Some(PAUSED_BY_USER.into()),
            ..job(JobStatus::Paused)
        },
        None,
    );
    announcer.job_ended(&job(JobStatus::Cancelled), None);
    announcer.job_ended(&job(JobStatus::Queued), None);
    // A thread that died before recording the failure is still a failure.
    announcer.job_ended(&job(JobStatus::Running), Some("database is locked"));

    let events = events_of(announcer, &seen);
    assert_eq!(events.len(), 4, "{events:#?}");
    let Event::JobCompleted { job: summary } = &events[0] else {
        panic!("{:?}", events[0]);
    };
    assert_eq!(summary.changes.new, 12);
    assert_eq!(summary.changes.failed, 1);
    assert_eq!(summary.duration, Duration::from_millis(4_200));
    assert_eq!(
        events[1],
        Event::JobFailed {
            id: "j1".into(),
            directory: "/home/ada/notes".into(),
            reason: "disk I/O error".into(),
        }
    );
    assert_eq!(
        events[2],
        Event::SourceError {
            path: "/home/ada/notes".into(),
            reason: "No such file or directory".into(),
        }
    );
    assert!(
        matches!(&events[3], Event::JobFailed { reason, .. } if reason == "database is locked"),
        "{:?}",
        events[3]
    );
}

#[test]
fn milestones_are_told_once_each_and_only_forward() {
    let (announcer, seen) = recording_announcer();
    let tracker = MilestoneTracker::new("j1", "/d".into(), announcer.publisher());
    for done in [0, 10, 24, 25, 26, 40, 80, 60, 99, 100] {
        tracker.observe(done, 100);
    }
    tracker.observe(5, 0);
    let percents: Vec<u8> = events_of(announcer, &seen)
        .into_iter()
        .map(|event| match event {
            Event::JobMilestone { percent, .. } => percent,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(percents, [25, 75]);
}

#[test]
fn settings_changes_reach_the_policy() {
    let (mut announcer, _seen) = recording_announcer();
    let settings = Settings::from_stored([
        ("notify.dnd".to_string(), "true".to_string()),
        ("notify.max_per_minute".to_string(), "10".to_string()),
        (MUTED_SOURCES.to_string(), r#"["/media/usb"]"#.to_string()),
    ]);
    announcer.refresh(&settings);
    assert!(announcer.policy.do_not_disturb);
    assert_eq!(announcer.policy.max_per_minute, 10);
    assert!(announcer.policy.is_muted(Path::new("/media/usb/a")));
    announcer.shutdown();
}

/// Hosts the engine with a recorder among its sinks.
struct Host(Option<Box<dyn Sink>>);

impl EngineEvents for Host {
    fn notification_sinks(&mut self) -> Vec<Box<dyn Sink>> {
        self.0.take().into_iter().collect()
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Polls `seen` until `done` holds for what it has, for at most a minute.
fn wait_for(seen: &Seen, done: impl Fn(&[Event]) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let events = seen.lock().unwrap().clone();
        if done(&events) || Instant::now() > deadline {
            return events;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_engine_announces_its_jobs_and_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
    let notes = tmp.path().join("notes");
    for name in ["a.txt", "b.md", "sub/c.txt"] {
        write(&notes.join(name), "the quick brown fox");
    }
    let usb = tmp.path().join("usb");
    let removed = tmp.path().join("removed");
    write(&usb.join("x.txt"), "x");
    write(&removed.join("y.txt"), "y");
    {
        data_dir.create().unwrap();
        let index = Index::open(data_dir.clone()).unwrap();
        // No pop-ups from a test on a developer's desktop.
        index
            .store()
            .set_setting("notify.desktop", "false")
            .unwrap();
        for folder in [&notes, &usb, &removed] {
            index
                .add_source(NewSource {
                    path: folder.clone(),
                    recursive: true,
                    ..NewSource::default()
                })
                .unwrap();
        }
        // A job whose source is removed before it runs fails ("its source
        // was removed"); a folder gone before the engine starts is a source
        // in error.
        let source = index.source(&removed).unwrap();
        index.create_job(&source, "background").unwrap();
        index.remove_source(&removed).unwrap();
        std::fs::remove_dir_all(&usb).unwrap();
    }
    let notes = notes.canonicalize().unwrap();

    let seen = Seen::default();
    let (stop, shutdown) = crossbeam_channel::bounded(1);
    let engine = {
        let host = Host(Some(Box::new(Recorder(seen.clone()))));
        let data_dir = data_dir.clone();
        std::thread::spawn(move || run(data_dir, shutdown, host))
    };
    let events = wait_for(&seen, |events| {
        let completed = events
            .iter()
            .any(|e| matches!(e, Event::JobCompleted { job } if job.directory == notes));
        let failed = events.iter().any(|e| matches!(e, Event::JobFailed { .. }));
        let source_error = events
            .iter()
            .any(|e| matches!(e, Event::SourceError { path, .. } if path.ends_with("usb")));
        completed && failed && source_error
    });
    stop.send(()).unwrap();
    engine.join().unwrap().unwrap();

    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::JobStarted { directory, .. } if *directory == notes)),
        "{events:#?}"
    );
    let completed: Vec<&JobSummary> = events
        .iter()
        .filter_map(|e| match e {
            Event::JobCompleted { job } if job.directory == notes => Some(job),
            _ => None,
        })
        .collect();
    assert_eq!(completed.len(), 1, "{events:#?}");
    assert_eq!(completed[0].changes.new, 3);
    assert_eq!(completed[0].trigger, "startup");
    let failed: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::JobFailed { .. }))
        .collect();
    assert!(
        matches!(failed.as_slice(), [Event::JobFailed { directory, reason, .. }]
            if directory.ends_with("removed") && reason == "its source was removed"),
        "{events:#?}"
    );
    // Job-level facts only: never one event per file.
    assert!(events.len() <= 8, "{} events: {events:#?}", events.len());
}
