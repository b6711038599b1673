//! Notification texts, written for people: "Indexing finished: ~/notes" /
//! "1,204 new, 3 modified, 2 failed in 4.2 s".
//!
//! Numbers get thousands separators, the home folder is shown as `~`, only
//! counts that are not zero are named, and a digest says in one line what a
//! burst of events amounted to. The home folder is passed in so that tests do
//! not depend on the machine.

use std::path::Path;
use std::time::Duration;

use super::event::{Event, EventKind, JobChanges, Notification, Urgency};

/// At most this many failure lines in a digest's body; the rest are counted.
const MAX_DIGEST_LINES: usize = 4;

/// `1204` → `"1,204"`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A path as people know it: under the home folder it starts with `~`.
pub fn display_path(path: &Path, home: Option<&Path>) -> String {
    if let Some(rest) = home.and_then(|home| path.strip_prefix(home).ok()) {
        if rest.as_os_str().is_empty() {
            return "~".to_string();
        }
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}

/// `4.2 s`, `3 min 5 s`, `1 h 12 min`; under a tenth of a second, in ms.
pub fn format_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms < 100 {
        return format!("{ms} ms");
    }
    let seconds = duration.as_secs();
    if seconds < 60 {
        return format!("{:.1} s", duration.as_secs_f64());
    }
    if seconds < 3600 {
        return format!("{} min {} s", seconds / 60, seconds % 60);
    }
    format!("{} h {} min", seconds / 3600, (seconds % 3600) / 60)
}

/// "1 job", "3 jobs".
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", group_thousands(n as u64))
    }
}

/// "1,204 new, 3 modified, 2 failed", or "no changes (1,204 unchanged)".
fn describe_changes(changes: &JobChanges) -> String {
    let parts: Vec<String> = [
        (changes.new, "new"),
        (changes.modified, "modified"),
        (changes.moved, "moved"),
        (changes.deleted, "removed"),
        (changes.failed, "failed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{} {what}", group_thousands(*n)))
    .collect();
    if parts.is_empty() {
        return format!(
            "No changes ({} unchanged)",
            group_thousands(changes.unchanged)
        );
    }
    parts.join(", ")
}

/// The notification for one event.
pub(crate) fn render(event: &Event, home: Option<&Path>) -> Notification {
    let path = |p: &Path| display_path(p, home);
    let (summary, body, urgency) = match event {
        Event::JobStarted { directory, .. } => (
            format!("Indexing started: {}", path(directory)),
            "Looking for new and changed files".to_string(),
            Urgency::Low,
        ),
        Event::JobMilestone {
            directory,
            percent,
            done,
            total,
            ..
        } => (
            format!("Indexing {}: {percent}%", path(directory)),
            format!(
                "{} of {} files",
                group_thousands(*done),
                group_thousands(*total)
            ),
            Urgency::Low,
        ),
        Event::JobCompleted { job } => (
            format!("Indexing finished: {}", path(&job.directory)),
            format!(
                "{} in {}",
                describe_changes(&job.changes),
                format_duration(job.duration)
            ),
            if job.changes.is_empty() {
                Urgency::Low
            } else {
                Urgency::Normal
            },
        ),
        Event::JobFailed {
            directory, reason, ..
        } => (
            format!("Indexing failed: {}", path(directory)),
            reason.clone(),
            Urgency::Critical,
        ),
        Event::SourceError {
            path: source,
            reason,
        } => (
            format!("Cannot index {}", path(source)),
            reason.clone(),
            Urgency::Critical,
        ),
        Event::SourceRecovered { path: source } => (
            format!("Indexing again: {}", path(source)),
            "The folder is back; changes made meanwhile are being indexed".to_string(),
            Urgency::Normal,
        ),
        Event::HealthDegraded { message, .. } => (
            "Gleaner needs attention".to_string(),
            message.clone(),
            Urgency::Normal,
        ),
        Event::IndexLost { reason, .. } => (
            "Gleaner stopped: its index is gone".to_string(),
            format!(
                "{reason}. Start Gleaner again to make a new index, then add your folders again."
            ),
            Urgency::Critical,
        ),
    };
    Notification {
        summary,
        body,
        urgency,
        kind: event.kind(),
        source_path: event.path().map(Path::to_path_buf),
        events: vec![event.clone()],
    }
}

/// One notification for several events held back by the throttle:
/// "3 jobs completed" / "1,204 files indexed, 2 failed". Failures come
/// first, in the headline and in the body. One event alone is rendered as
/// itself.
pub(crate) fn render_digest(mut events: Vec<Event>, home: Option<&Path>) -> Notification {
    if events.len() == 1 {
        return render(&events[0], home);
    }
    // Alerts first, in arrival order otherwise (the sort is stable).
    events.sort_by_key(|event| match event.kind() {
        EventKind::JobFailed => 0,
        EventKind::SourceError => 1,
        EventKind::HealthDegraded => 2,
        _ => 3,
    });
    let mut n_completed = 0;
    let mut n_failed = 0;
    let mut n_source_errors = 0;
    let mut n_health = 0;
    let mut n_recovered = 0;
    let mut totals = JobChanges::default();
    let mut duration = Duration::ZERO;
    let mut alert_lines = Vec::new();
    for event in &events {
        match event {
            Event::JobCompleted { job } => {
                n_completed += 1;
                totals.new += job.changes.new;
                totals.modified += job.changes.modified;
                totals.moved += job.changes.moved;
                totals.deleted += job.changes.deleted;
                totals.unchanged += job.changes.unchanged;
                totals.failed += job.changes.failed;
                duration += job.duration;
            }
            Event::JobFailed {
                directory, reason, ..
            } => {
                n_failed += 1;
                alert_lines.push(format!(
                    "{} failed: {reason}",
                    display_path(directory, home)
                ));
            }
            Event::SourceError { path, reason } => {
                n_source_errors += 1;
                alert_lines.push(format!("{}: {reason}", display_path(path, home)));
            }
            Event::HealthDegraded { message, .. } => {
                n_health += 1;
                alert_lines.push(message.clone());
            }
            Event::IndexLost { reason, .. } => {
                n_health += 1;
                alert_lines.push(reason.clone());
            }
            Event::SourceRecovered { path } => {
                n_recovered += 1;
                alert_lines.push(format!("{} is back", display_path(path, home)));
            }
            // Progress is never held back for a digest (it is dropped instead).
            Event::JobStarted { .. } | Event::JobMilestone { .. } => {}
        }
    }

    let mut headline = Vec::new();
    if n_failed > 0 {
        headline.push(format!("{} failed", plural(n_failed, "job", "jobs")));
    }
    if n_source_errors > 0 {
        headline.push(format!(
            "{} in error",
            plural(n_source_errors, "source", "sources")
        ));
    }
    if n_health > 0 {
        headline.push(plural(n_health, "health warning", "health warnings"));
    }
    if n_recovered > 0 {
        headline.push(format!("{} back", plural(n_recovered, "source", "sources")));
    }
    if n_completed > 0 {
        headline.push(format!("{} completed", plural(n_completed, "job", "jobs")));
    }

    let mut body = Vec::new();
    let n_alert_lines = alert_lines.len();
    body.extend(alert_lines.into_iter().take(MAX_DIGEST_LINES));
    if n_alert_lines > MAX_DIGEST_LINES {
        body.push(format!(
            "and {} more",
            group_thousands((n_alert_lines - MAX_DIGEST_LINES) as u64)
        ));
    }
    if n_completed > 0 {
        body.push(describe_digest_changes(&totals));
    }

    let urgency = events
        .iter()
        .map(|e| render(e, home).urgency)
        .max()
        .unwrap_or(Urgency::Normal);
    let mut paths = events.iter().filter_map(Event::path);
    let first_path = paths.next().map(Path::to_path_buf);
    let one_path = first_path.filter(|first| paths.all(|p| p == first));
    Notification {
        summary: headline.join(", "),
        body: body.join("\n"),
        urgency,
        kind: EventKind::Digest,
        source_path: one_path,
        events,
    }
}

/// "1,204 files indexed, 2 failed": what several completed jobs did.
fn describe_digest_changes(totals: &JobChanges) -> String {
    let parts: Vec<String> = [
        (totals.indexed(), "indexed"),
        (totals.moved, "moved"),
        (totals.deleted, "removed"),
        (totals.failed, "failed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .enumerate()
    .map(|(i, (n, what))| {
        // Only the first count names the unit: "1,204 files indexed, 2 failed".
        let unit = if i == 0 {
            if *n == 1 {
                " file"
            } else {
                " files"
            }
        } else {
            ""
        };
        format!("{}{unit} {what}", group_thousands(*n))
    })
    .collect();
    if parts.is_empty() {
        return "no changes".to_string();
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::notify::event::JobSummary;

    fn home() -> Option<&'static Path> {
        Some(Path::new("/home/ada"))
    }

    fn completed(dir: &str, changes: JobChanges, ms: u64) -> Event {
        Event::JobCompleted {
            job: JobSummary {
                id: format!("job-{dir}"),
                directory: PathBuf::from(dir),
                trigger: "manual".into(),
                changes,
                duration: Duration::from_millis(ms),
            },
        }
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_204), "1,204");
        assert_eq!(group_thousands(12_345_678), "12,345,678");
    }

    #[test]
    fn home_is_shown_as_tilde() {
        assert_eq!(
            display_path(Path::new("/home/ada/notes"), home()),
            "~/notes"
        );
        assert_eq!(display_path(Path::new("/home/ada"), home()), "~");
        assert_eq!(
            display_path(Path::new("/home/adam/x"), home()),
            "/home/adam/x"
        );
        assert_eq!(display_path(Path::new("/srv/docs"), None), "/srv/docs");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(42)), "42 ms");
        assert_eq!(format_duration(Duration::from_millis(4_200)), "4.2 s");
        assert_eq!(format_duration(Duration::from_secs(185)), "3 min 5 s");
        assert_eq!(format_duration(Duration::from_secs(4_320)), "1 h 12 min");
    }

    #[test]
    fn completed_job_names_only_what_happened() {
        let changes = JobChanges {
            new: 1_204,
            modified: 3,
            failed: 2,
            unchanged: 50,
            ..Default::default()
        };
        let n = render(&completed("/home/ada/notes", changes, 4_200), home());
        assert_eq!(n.summary, "Indexing finished: ~/notes");
        assert_eq!(n.body, "1,204 new, 3 modified, 2 failed in 4.2 s");
        assert_eq!(n.urgency, Urgency::Normal);
        assert_eq!(
            n.one_line(),
            "Indexing finished: ~/notes — 1,204 new, 3 modified, 2 failed in 4.2 s"
        );

        let quiet = render(
            &completed(
                "/srv/docs",
                JobChanges {
                    unchanged: 7,
                    ..Default::default()
                },
                900,
            ),
            home(),
        );
        assert_eq!(quiet.body, "No changes (7 unchanged) in 0.9 s");
        assert_eq!(quiet.urgency, Urgency::Low);
    }

    #[test]
    fn failures_are_critical() {
        let failed = Event::JobFailed {
            id: "j".into(),
            directory: PathBuf::from("/home/ada/usb"),
            reason: "the folder is gone".into(),
        };
        let n = render(&failed, home());
        assert_eq!(
            (n.summary.as_str(), n.body.as_str()),
            ("Indexing failed: ~/usb", "the folder is gone")
        );
        assert_eq!(n.urgency, Urgency::Critical);
        assert_eq!(n.source_path.as_deref(), Some(Path::new("/home/ada/usb")));
    }

    #[test]
    fn digest_of_completions() {
        let events = vec![
            completed(
                "/home/ada/a",
                JobChanges {
                    new: 1_000,
                    failed: 2,
                    ..Default::default()
                },
                1_000,
            ),
            completed(
                "/home/ada/b",
                JobChanges {
                    modified: 200,
                    ..Default::default()
                },
                1_000,
            ),
            completed(
                "/home/ada/c",
                JobChanges {
                    new: 4,
                    ..Default::default()
                },
                1_000,
            ),
        ];
        let n = render_digest(events, home());
        assert_eq!(n.kind, EventKind::Digest);
        assert_eq!(
            n.one_line(),
            "3 jobs completed — 1,204 files indexed, 2 failed"
        );
        assert_eq!(n.events.len(), 3);
        assert_eq!(n.source_path, None);
    }

    #[test]
    fn digest_puts_failures_first_and_caps_lines() {
        let mut events = vec![completed(
            "/home/ada/a",
            JobChanges {
                new: 1,
                ..Default::default()
            },
            10,
        )];
        for i in 0..6 {
            events.push(Event::SourceError {
                path: PathBuf::from(format!("/mnt/d{i}")),
                reason: "unreachable".into(),
            });
        }
        events.push(Event::JobFailed {
            id: "x".into(),
            directory: PathBuf::from("/home/ada/x"),
            reason: "disk full".into(),
        });
        let n = render_digest(events, home());
        assert_eq!(
            n.summary,
            "1 job failed, 6 sources in error, 1 job completed"
        );
        assert_eq!(
            n.body,
            "~/x failed: disk full\n/mnt/d0: unreachable\n/mnt/d1: unreachable\n/mnt/d2: unreachable\n\
             and 3 more\n1 file indexed"
        );
        assert_eq!(n.urgency, Urgency::Critical);
        assert_eq!(n.events[0].kind(), EventKind::JobFailed);
    }

    #[test]
    fn digest_of_one_is_the_event_itself() {
        let event = completed(
            "/home/ada/a",
            JobChanges {
                new: 3,
                ..Default::default()
            },
            2_000,
        );
        assert_eq!(
            render_digest(vec![event.clone()], home()),
            render(&event, home())
        );
    }
}
