//! The notifier's thread with recording sinks: who gets what.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;
use crate::notify::event::{EventKind, JobChanges, JobSummary, Notification};

type Seen = Arc<Mutex<Vec<Notification>>>;

/// A sink that keeps what it gets, optionally slowly or failing.
struct Recorder {
    name: &'static str,
    kind: SinkKind,
    seen: Seen,
    delay: Duration,
    fail: bool,
}

impl Sink for Recorder {
    fn name(&self) -> &'static str {
        self.name
    }
    fn kind(&self) -> SinkKind {
        self.kind
    }
    fn deliver(&mut self, n: &Notification) -> Result<(), NotifyError> {
        std::thread::sleep(self.delay);
        if self.fail {
            return Err(NotifyError::Desktop {
                reason: "no".into(),
            });
        }
        self.seen.lock().unwrap().push(n.clone());
        Ok(())
    }
}

fn recorder(kind: SinkKind) -> (Box<dyn Sink>, Seen) {
    named_recorder("recorder", kind)
}

fn named_recorder(name: &'static str, kind: SinkKind) -> (Box<dyn Sink>, Seen) {
    let seen = Seen::default();
    (
        Box::new(Recorder {
            name,
            kind,
            seen: seen.clone(),
            delay: Duration::ZERO,
            fail: false,
        }),
        seen,
    )
}

/// A notifier with a desktop, a console and a log recorder.
fn notifier(policy: Policy) -> (Notifier, Seen, Seen, Seen) {
    let (desktop, desktop_seen) = recorder(SinkKind::Desktop);
    let (console, console_seen) = recorder(SinkKind::Console);
    let (log, log_seen) = recorder(SinkKind::Log);
    let notifier = Notifier::with_home(
        policy,
        vec![desktop, console, log],
        Some(PathBuf::from("/home/ada")),
    );
    (notifier, desktop_seen, console_seen, log_seen)
}

fn completed(dir: &str) -> Event {
    Event::JobCompleted {
        job: JobSummary {
            id: format!("job{dir}"),
            directory: PathBuf::from(dir),
            trigger: "manual".into(),
            changes: JobChanges {
                new: 2,
                ..Default::default()
            },
            duration: Duration::from_secs(1),
        },
    }
}

fn failed(dir: &str) -> Event {
    Event::JobFailed {
        id: format!("job{dir}"),
        directory: PathBuf::from(dir),
        reason: "disk full".into(),
    }
}

fn summaries(seen: &Seen) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|n| n.summary.clone())
        .collect()
}

#[test]
fn every_sink_gets_its_share() {
    let (notifier, desktop, console, log) = notifier(Policy::default());
    notifier.publish(completed("/home/ada/notes"));
    notifier.publish(failed("/home/ada/usb"));
    let report = notifier.shutdown();
    let expected = ["Indexing finished: ~/notes", "Indexing failed: ~/usb"];
    assert_eq!(summaries(&desktop), expected);
    assert_eq!(summaries(&console), expected);
    assert_eq!(summaries(&log), expected);
    assert_eq!(
        report
            .sinks
            .iter()
            .map(|s| s.n_delivered)
            .collect::<Vec<_>>(),
        [2, 2, 2]
    );
    assert_eq!(report.n_events_dropped, 0);
}

#[test]
fn do_not_disturb_silences_the_desktop_only() {
    let (notifier, desktop, console, log) = notifier(Policy {
        do_not_disturb: true,
        ..Policy::default()
    });
    notifier.publish(failed("/home/ada/usb"));
    notifier.shutdown();
    assert!(summaries(&desktop).is_empty());
    assert_eq!(summaries(&console), ["Indexing failed: ~/usb"]);
    assert_eq!(summaries(&log), ["Indexing failed: ~/usb"]);
}

#[test]
fn desktop_can_be_turned_off_and_on_while_running() {
    let (notifier, desktop, console, _) = notifier(Policy {
        desktop_enabled: false,
        ..Policy::default()
    });
    notifier.publish(completed("/home/ada/a"));
    notifier.set_policy(Policy::default());
    notifier.publish(completed("/home/ada/b"));
    notifier.set_policy(Policy {
        do_not_disturb: true,
        ..Policy::default()
    });
    notifier.publish(completed("/home/ada/c"));
    notifier.shutdown();
    assert_eq!(summaries(&desktop), ["Indexing finished: ~/b"]);
    assert_eq!(summaries(&console).len(), 3);
}

#[test]
fn a_muted_source_is_only_logged() {
    let policy = Policy {
        muted_sources: vec![PathBuf::from("/home/ada/scratch")],
        ..Policy::default()
    };
    let (notifier, desktop, console, log) = notifier(policy);
    notifier.publish(failed("/home/ada/scratch"));
    notifier.publish(completed("/home/ada/notes"));
    notifier.shutdown();
    assert_eq!(summaries(&desktop), ["Indexing finished: ~/notes"]);
    assert_eq!(summaries(&console), ["Indexing finished: ~/notes"]);
    assert_eq!(
        summaries(&log),
        ["Indexing failed: ~/scratch", "Indexing finished: ~/notes"]
    );
}

#[test]
fn a_burst_is_digested_and_flushed_at_shutdown() {
    let (notifier, desktop, _, log) = notifier(Policy {
        max_per_minute: 2,
        ..Policy::default()
    });
    for i in 0..5 {
        notifier.publish(completed(&format!("/home/ada/d{i}")));
    }
    notifier.publish(failed("/home/ada/usb"));
    notifier.shutdown();
    let desktop = desktop.lock().unwrap();
    assert_eq!(desktop.len(), 3, "{desktop:#?}");
    assert_eq!(desktop[2].kind, EventKind::Digest);
    assert_eq!(desktop[2].summary, "1 job failed, 3 jobs completed");
    assert_eq!(
        log.lock().unwrap().len(),
        6,
        "the log has every event, and no digest"
    );
}

#[test]
fn publishing_never_waits_for_slow_sinks() {
    let seen = Seen::default();
    let slow = Recorder {
        name: "slow",
        kind: SinkKind::Console,
        seen: seen.clone(),
        delay: Duration::from_millis(200),
        fail: false,
    };
    let notifier = Notifier::with_home(Policy::default(), vec![Box::new(slow)], None);
    let started = Instant::now();
    for i in 0..20 {
        notifier.publish(failed(&format!("/d{i}")));
    }
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );
    drop(notifier);
}

#[test]
fn failures_are_reported_not_fatal() {
    let seen = Seen::default();
    let broken = Recorder {
        name: "broken",
        kind: SinkKind::Desktop,
        seen,
        delay: Duration::ZERO,
        fail: true,
    };
    let (console, console_seen) = recorder(SinkKind::Console);
    let notifier = Notifier::with_home(Policy::default(), vec![Box::new(broken), console], None);
    notifier.publish(failed("/a"));
    notifier.publish(failed("/b"));
    let report = notifier.shutdown();
    assert_eq!(
        (report.sinks[0].n_delivered, report.sinks[0].n_failed),
        (0, 2)
    );
    assert!(matches!(
        report.sinks[0].last_error,
        Some(NotifyError::Desktop { .. })
    ));
    assert_eq!(summaries(&console_seen).len(), 2);
}

#[test]
fn publishers_outliving_the_notifier_are_harmless() {
    let (notifier, _, console, _) = notifier(Policy::default());
    let publisher = notifier.publisher();
    let from_thread = {
        let publisher = publisher.clone();
        std::thread::spawn(move || publisher.publish(completed("/home/ada/t")))
    };
    from_thread.join().unwrap();
    notifier.shutdown();
    publisher.publish(completed("/home/ada/late"));
    assert_eq!(summaries(&console), ["Indexing finished: ~/t"]);
}

#[test]
fn sinks_can_be_added_replaced_and_removed_while_running() {
    let (notifier, desktop, _console, _log) = notifier(Policy {
        max_per_minute: 60,
        ..Policy::default()
    });
    let (first, first_seen) = named_recorder("webhook", SinkKind::Webhook);
    notifier.replace_sink("webhook", Some(first));
    notifier.publish(completed("/home/ada/a"));
    let (second, second_seen) = named_recorder("webhook", SinkKind::Webhook);
    notifier.replace_sink("webhook", Some(second));
    notifier.publish(completed("/home/ada/b"));
    notifier.replace_sink("webhook", None);
    notifier.publish(completed("/home/ada/c"));
    let report = notifier.shutdown();
    assert_eq!(summaries(&first_seen), ["Indexing finished: ~/a"]);
    assert_eq!(summaries(&second_seen), ["Indexing finished: ~/b"]);
    assert_eq!(summaries(&desktop).len(), 3);
    assert!(report.sinks.iter().all(|s| s.name != "webhook"));
}
