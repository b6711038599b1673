//! Publishes one job's end through a [`Notifier`] with the desktop sink, as
//! the engine does when a job finishes or fails:
//!
//! ```text
//! cargo run -p gleaner-core --example notify_demo -- completed|failed [FOLDER]
//! ```
//!
//! FOLDER defaults to `~/notes`. The texts are those of a job that indexed
//! 1,204 new and 3 modified files with 2 failures in 4.2 s, or that failed
//! because its folder is unreachable. Exits with status 1, naming the
//! problem, when the desktop sink could not deliver (no session bus, no
//! notification service). `tests/desktop/notifications.sh` drives it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use gleaner_core::notify::{
    ConsoleSink, DesktopSink, Event, JobChanges, JobSummary, Notifier, Policy,
};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_default();
    let directory = args
        .next()
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|home| home.join("notes")))
        .unwrap_or_else(|| PathBuf::from("/notes"));
    let event = match what.as_str() {
        "completed" => Event::JobCompleted {
            job: JobSummary {
                id: "demo-completed".into(),
                directory,
                trigger: "manual".into(),
                changes: JobChanges {
                    new: 1_204,
                    modified: 3,
                    failed: 2,
                    unchanged: 10_000,
                    ..Default::default()
                },
                duration: Duration::from_millis(4_200),
            },
        },
        "failed" => Event::JobFailed {
            id: "demo-failed".into(),
            directory,
            reason: "the folder is unreachable: No such file or directory (os error 2)".into(),
        },
        _ => {
            eprintln!("usage: notify_demo completed|failed [FOLDER]");
            return ExitCode::from(2);
        }
    };

    let notifier = Notifier::new(
        Policy::default(),
        vec![
            Box::new(DesktopSink::new()),
            Box::new(ConsoleSink::stderr()),
        ],
    );
    notifier.publish(event);
    let report = notifier.shutdown();
    let desktop = &report.sinks[0];
    match &desktop.last_error {
        Some(err) => {
            eprintln!("notify_demo: the desktop notification failed: {err}");
            ExitCode::FAILURE
        }
        None if desktop.n_delivered == 1 => ExitCode::SUCCESS,
        None => {
            eprintln!(
                "notify_demo: the desktop sink got {} notifications, expected 1",
                desktop.n_delivered
            );
            ExitCode::FAILURE
        }
    }
}
