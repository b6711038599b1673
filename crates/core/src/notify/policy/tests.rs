//! The policy with made-up instants: deterministic, and no test waits.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::*;
use crate::notify::event::{EventKind, JobChanges, JobSummary, Urgency};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn dispatcher(policy: Policy) -> Dispatcher {
    Dispatcher::new(policy, Some(PathBuf::from("/home/ada")))
}

fn completed(dir: &str, new: u64) -> Event {
    Event::JobCompleted {
        job: JobSummary {
            id: format!("job{dir}"),
            directory: PathBuf::from(dir),
            trigger: "manual".into(),
            changes: JobChanges {
                new,
                ..Default::default()
            },
            duration: Duration::from_millis(1_500),
        },
    }
}

fn started(id: &str, dir: &str) -> Event {
    Event::JobStarted {
        id: id.into(),
        directory: PathBuf::from(dir),
    }
}

fn milestone(id: &str, dir: &str, percent: u8) -> Event {
    Event::JobMilestone {
        id: id.into(),
        directory: PathBuf::from(dir),
        percent,
        done: percent as u64,
        total: 100,
    }
}

fn failed(dir: &str) -> Event {
    Event::JobFailed {
        id: format!("job{dir}"),
        directory: PathBuf::from(dir),
        reason: "disk full".into(),
    }
}

/// The announced notifications (what people see), without the records.
fn announced(out: Vec<Outgoing>) -> Vec<Notification> {
    out.into_iter()
        .filter_map(|o| match o {
            Outgoing::Announce(n) => Some(n),
            Outgoing::Record(_) => None,
        })
        .collect()
}

fn recorded(out: &[Outgoing]) -> usize {
    out.iter()
        .filter(|o| matches!(o, Outgoing::Record(_)))
        .count()
}

#[test]
fn burst_of_five_completions_gives_four_then_the_fifth_a_minute_later() {
    let mut d = dispatcher(Policy::default());
    let t0 = Instant::now();
    let mut shown = Vec::new();
    for i in 0..5 {
        let out = d.publish(
            completed(&format!("/home/ada/d{i}"), 10),
            t0 + Duration::from_millis(i * 100),
        );
        assert_eq!(recorded(&out), 1, "every event is recorded at once");
        shown.extend(announced(out));
    }
    assert_eq!(shown.len(), 4);
    assert_eq!(shown[3].summary, "Indexing finished: ~/d3");
    // The first token comes back 60 s after it was spent, not before.
    assert_eq!(d.next_wake(), Some(t0 + secs(60)));
    assert!(d.wake(t0 + secs(59)).is_empty());
    let later = announced(d.wake(t0 + secs(60)));
    assert_eq!(later.len(), 1);
    // A digest of one is the event itself.
    assert_eq!(later[0].summary, "Indexing finished: ~/d4");
    assert_eq!(d.next_wake(), None, "nothing waits: the worker sleeps");
}

#[test]
fn throttled_events_become_one_digest_with_failures_first() {
    let mut d = dispatcher(Policy::default());
    let t0 = Instant::now();
    for i in 0..4 {
        assert_eq!(
            announced(d.publish(completed(&format!("/home/ada/a{i}"), 1), t0)).len(),
            1
        );
    }
    let mut held = Vec::new();
    held.extend(announced(
        d.publish(completed("/home/ada/b", 1_000), t0 + secs(5)),
    ));
    held.extend(announced(d.publish(failed("/home/ada/usb"), t0 + secs(6))));
    held.extend(announced(
        d.publish(completed("/home/ada/c", 204), t0 + secs(7)),
    ));
    held.extend(announced(
        d.publish(completed("/home/ada/e", 0), t0 + secs(8)),
    ));
    assert!(held.is_empty(), "nothing beyond the budget: {held:?}");
    let digest = announced(d.wake(t0 + secs(60)));
    assert_eq!(digest.len(), 1, "one notification for the whole burst");
    let digest = &digest[0];
    assert_eq!(digest.kind, EventKind::Digest);
    assert_eq!(digest.urgency, Urgency::Critical);
    assert_eq!(digest.summary, "1 job failed, 3 jobs completed");
    assert_eq!(digest.body, "~/usb failed: disk full\n1,204 files indexed");
    assert_eq!(digest.events.len(), 4);
}

#[test]
fn at_most_max_per_minute_in_any_minute() {
    let mut d = dispatcher(Policy {
        max_per_minute: 3,
        ..Policy::default()
    });
    let t0 = Instant::now();
    let mut times = Vec::new();
    // One completion every 5 s for 5 minutes, waking whenever asked to.
    for i in 0..60u64 {
        let now = t0 + secs(i * 5);
        while let Some(at) = d.next_wake().filter(|at| *at <= now) {
            times.extend(announced(d.wake(at)).iter().map(|_| at));
        }
        times.extend(
            announced(d.publish(completed(&format!("/d{i}"), 1), now))
                .iter()
                .map(|_| now),
        );
    }
    for (i, at) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .take_while(|t| t.duration_since(*at) < secs(60))
            .count();
        assert!(
            in_window <= 3,
            "{in_window} notifications in the minute from {:?}",
            at.duration_since(t0)
        );
    }
    // Everything was told, merged: 3 a minute for 5 minutes.
    assert!(times.len() >= 14, "{} notifications", times.len());
}

#[test]
fn milestones_are_dropped_when_throttled_not_digested() {
    let mut d = dispatcher(Policy::default());
    let t0 = Instant::now();
    d.publish(started("long", "/home/ada/big"), t0);
    // The start is announced at the end of its grace (1 token), two
    // completions take 2 more.
    let mut shown = 0;
    for i in 0..2 {
        shown +=
            announced(d.publish(completed(&format!("/home/ada/x{i}"), 1), t0 + secs(11))).len();
    }
    assert_eq!(shown, 3);
    // One token left: a milestone may not take it.
    assert!(announced(d.publish(milestone("long", "/home/ada/big", 50), t0 + secs(12))).is_empty());
    assert_eq!(
        d.next_wake(),
        None,
        "a dropped milestone leaves nothing waiting"
    );
    // The last token still serves an outcome.
    let shown = announced(d.publish(failed("/home/ada/y"), t0 + secs(13)));
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].urgency, Urgency::Critical);
}

#[test]
fn milestones_show_for_long_jobs_only_and_can_be_turned_off() {
    let mut d = dispatcher(Policy::default());
    let t0 = Instant::now();
    d.publish(started("j", "/home/ada/big"), t0);
    assert!(
        announced(d.publish(milestone("j", "/home/ada/big", 25), t0 + secs(3))).is_empty(),
        "too young"
    );
    let start = announced(d.wake(t0 + START_GRACE));
    assert_eq!(start[0].summary, "Indexing started: ~/big");
    let shown = announced(d.publish(milestone("j", "/home/ada/big", 50), t0 + secs(30)));
    assert_eq!(shown[0].summary, "Indexing ~/big: 50%");
    assert_eq!(shown[0].body, "50 of 100 files");

    d.set_policy(Policy {
        milestones: false,
        ..Policy::default()
    });
    let out = d.publish(milestone("j", "/home/ada/big", 75), t0 + secs(40));
    assert_eq!(recorded(&out), 1, "still logged");
    assert!(announced(out).is_empty());
}

#[test]
fn a_short_job_shows_only_its_end() {
    let mut d = dispatcher(Policy::default());
    let t0 = Instant::now();
    assert!(announced(d.publish(started("job/home/ada/notes", "/home/ada/notes"), t0)).is_empty());
    assert_eq!(d.next_wake(), Some(t0 + START_GRACE));
    let shown = announced(d.publish(completed("/home/ada/notes", 3), t0 + secs(2)));
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].kind, EventKind::JobCompleted);
    assert_eq!(d.next_wake(), None, "the held start is gone with its job");
    assert!(d.wake(t0 + secs(30)).is_empty());
}

#[test]
fn muted_sources_reach_only_the_log() {
    let policy = Policy {
        muted_sources: vec![PathBuf::from("/home/ada/scratch")],
        ..Policy::default()
    };
    let mut d = dispatcher(policy);
    let t0 = Instant::now();
    let out = d.publish(failed("/home/ada/scratch/sub"), t0);
    assert_eq!(recorded(&out), 1);
    assert!(announced(out).is_empty());
    let out = d.publish(
        Event::SourceError {
            path: "/home/ada/scratch".into(),
            reason: "gone".into(),
        },
        t0,
    );
    assert!(announced(out).is_empty());
    // A sibling whose name merely starts the same is not muted.
    assert_eq!(
        announced(d.publish(failed("/home/ada/scratchpad"), t0)).len(),
        1
    );
}

#[test]
fn muting_later_drops_what_waits() {
    let mut d = dispatcher(Policy {
        max_per_minute: 1,
        ..Policy::default()
    });
    let t0 = Instant::now();
    d.publish(completed("/home/ada/a", 1), t0);
    d.publish(completed("/home/ada/noisy", 1), t0 + secs(1));
    d.set_policy(Policy {
        max_per_minute: 1,
        muted_sources: vec![PathBuf::from("/home/ada/noisy")],
        ..Policy::default()
    });
    assert_eq!(d.next_wake(), None);
    assert!(d.wake(t0 + secs(60)).is_empty());
}

#[test]
fn routine_rescans_are_only_logged() {
    let mut d = dispatcher(Policy::default());
    let routine = Event::JobCompleted {
        job: JobSummary {
            id: "r".into(),
            directory: "/home/ada/notes".into(),
            trigger: "scheduled".into(),
            changes: JobChanges {
                unchanged: 1_000,
                ..Default::default()
            },
            duration: secs(2),
        },
    };
    let out = d.publish(routine.clone(), Instant::now());
    assert_eq!(recorded(&out), 1);
    assert!(announced(out).is_empty());
    // Asked for by the user, the same outcome is news.
    let Event::JobCompleted { mut job } = routine else {
        unreachable!()
    };
    job.trigger = "manual".into();
    let shown = announced(d.publish(Event::JobCompleted { job }, Instant::now()));
    assert_eq!(shown[0].body, "No changes (1,000 unchanged) in 2.0 s");
}

#[test]
fn the_same_alert_is_shown_once_an_hour() {
    let mut d = dispatcher(Policy {
        max_per_minute: 60,
        ..Policy::default()
    });
    let t0 = Instant::now();
    let gone = || Event::SourceError {
        path: "/media/usb".into(),
        reason: "unreachable".into(),
    };
    assert_eq!(announced(d.publish(gone(), t0)).len(), 1);
    assert!(announced(d.publish(gone(), t0 + secs(600))).is_empty());
    let other = Event::SourceError {
        path: "/media/usb".into(),
        reason: "permission denied".into(),
    };
    assert_eq!(announced(d.publish(other, t0 + secs(601))).len(), 1);
    assert_eq!(announced(d.publish(gone(), t0 + REPEAT_SILENCE)).len(), 1);
}

#[test]
fn shutdown_flushes_what_waits() {
    let mut d = dispatcher(Policy {
        max_per_minute: 1,
        ..Policy::default()
    });
    let t0 = Instant::now();
    d.publish(completed("/home/ada/a", 1), t0);
    d.publish(failed("/home/ada/b"), t0);
    d.publish(started("c", "/home/ada/c"), t0);
    let flushed = announced(d.flush());
    assert_eq!(flushed.len(), 1);
    assert_eq!(flushed[0].kind, EventKind::JobFailed);
    assert_eq!(d.next_wake(), None);
}

#[test]
fn a_raised_budget_frees_the_digest_at_the_next_wake() {
    let mut d = dispatcher(Policy {
        max_per_minute: 1,
        ..Policy::default()
    });
    let t0 = Instant::now();
    d.publish(completed("/home/ada/a", 1), t0);
    d.publish(completed("/home/ada/b", 1), t0);
    d.publish(completed("/home/ada/c", 1), t0);
    d.set_policy(Policy::default());
    let shown = announced(d.wake(t0 + secs(1)));
    assert_eq!(shown[0].summary, "2 jobs completed");
}

#[test]
fn a_recovery_is_news_only_after_its_error_and_ends_the_silence() {
    let mut d = dispatcher(Policy {
        max_per_minute: 60,
        ..Policy::default()
    });
    let t0 = Instant::now();
    let gone = || Event::SourceError {
        path: "/media/usb".into(),
        reason: "unreachable".into(),
    };
    let back = || Event::SourceRecovered {
        path: "/media/usb".into(),
    };
    // A source that comes back without having been reported is not news.
    let out = d.publish(back(), t0);
    assert_eq!(recorded(&out), 1);
    assert!(announced(out).is_empty());

    assert_eq!(announced(d.publish(gone(), t0 + secs(1))).len(), 1);
    let shown = announced(d.publish(back(), t0 + secs(2)));
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].summary, "Indexing again: /media/usb");
    assert_eq!(shown[0].kind, EventKind::SourceRecovered);
    // Unplugged again within the hour: shown again, since it came back.
    assert_eq!(announced(d.publish(gone(), t0 + secs(3))).len(), 1);
    // A second recovery of the same error episode is said once.
    assert_eq!(announced(d.publish(back(), t0 + secs(4))).len(), 1);
    assert!(announced(d.publish(back(), t0 + secs(5))).is_empty());
}
