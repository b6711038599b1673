//! What the engine tells people: its job, source and health facts become
//! [`notify`](crate::notify) events.
//!
//! The engine loop owns one [`Announcer`]; it holds the [`Notifier`] (the
//! policy and the sinks, on a thread of their own), so publishing never
//! blocks the loop, however slow D-Bus or a webhook is. Job threads publish
//! their milestones themselves through a [`MilestoneTracker`].
//!
//! Only job-, source- and health-level facts are published, never one per
//! file: live changes (the watcher's batches) are not jobs and are not
//! announced at all.
//!
//! Settings are read again before each event, so a `gleaner config set
//! notify.…` or the desktop app's settings window (both write the same
//! database) take effect at the next event without a restart. Because the
//! engine loop itself announces, whoever hosts it notifies: `gleaner daemon`,
//! or the tray app when it hosts the engine; an app attached to a running
//! daemon is a client and announces nothing, so nothing is shown twice.

use std::collections::{HashMap, HashSet};
use std::mem::Discriminant;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use super::runner::PAUSED_BY_USER;
use crate::health::{describe_watch_health, Severity};
use crate::notify::text::display_path;
use crate::notify::{
    DesktopSink, Event, JobSummary, LogSink, Notifier, Policy, Publisher, Sink, WebhookSink,
};
use crate::settings::{Settings, MUTED_SOURCES};
use crate::source::Source;
use crate::store::{JobRecord, JobStatus};
use crate::watch::WatchHealth;

/// How long the webhook may take to connect, and for each read or write.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts after a failed webhook delivery (0.5 s, 1 s, 2 s apart).
const WEBHOOK_RETRIES: u32 = 3;
/// The webhook sink's name, as the notifier knows it.
const WEBHOOK: &str = "webhook";
/// The shares of a job's files worth a progress notification.
const MILESTONES: [u8; 3] = [25, 50, 75];

/// The policy the settings describe.
pub(crate) fn policy_from(settings: &Settings) -> Policy {
    Policy {
        desktop_enabled: settings.boolean("notify.desktop"),
        do_not_disturb: settings.boolean("notify.dnd"),
        muted_sources: settings.paths(MUTED_SOURCES),
        max_per_minute: settings.integer("notify.max_per_minute") as u32,
        milestones: settings.boolean("notify.milestones"),
    }
}

/// Turns what the engine sees into notify events.
pub(crate) struct Announcer {
    notifier: Notifier,
    policy: Policy,
    webhook_url: String,
    home: Option<PathBuf>,
    /// Watch problems already told, by source and kind: a problem is told
    /// when it appears, not at every check (and not again when only its
    /// numbers change).
    watch_problems: HashSet<(Option<i64>, Discriminant<WatchHealth>)>,
}

impl Announcer {
    /// Starts the notifier with the sinks the settings and the machine
    /// allow: the log always, the desktop when a session bus exists, the
    /// webhook when a URL is set, and whatever the host adds.
    pub(crate) fn start(settings: &Settings, host_sinks: Vec<Box<dyn Sink>>) -> Announcer {
        let mut sinks: Vec<Box<dyn Sink>> = vec![Box::new(LogSink::new())];
        // Without a session bus (a server, a service outside the desktop
        // session) every pop-up would fail: leave the sink out and say so
        // once.
        match DesktopSink::find_session_bus() {
            Ok(()) => sinks.push(Box::new(DesktopSink::new())),
            Err(err) => {
                tracing::info!(target: "gleaner::notify", %err, "desktop notifications are off")
            }
        }
        sinks.extend(host_sinks);
        Announcer::with_sinks(settings, sinks)
    }

    /// An announcer with exactly these sinks (and the webhook, when the
    /// settings name one).
    pub(crate) fn with_sinks(settings: &Settings, sinks: Vec<Box<dyn Sink>>) -> Announcer {
        let policy = policy_from(settings);
        let mut announcer = Announcer {
            notifier: Notifier::new(policy.clone(), sinks),
            policy,
            webhook_url: String::new(),
            home: dirs::home_dir(),
            watch_problems: HashSet::new(),
        };
        announcer.set_webhook(settings.get("notify.webhook_url"));
        announcer
    }

    /// A handle job threads publish their milestones with.
    pub(crate) fn publisher(&self) -> Publisher {
        self.notifier.publisher()
    }

    /// Applies settings that changed since the last call.
    pub(crate) fn refresh(&mut self, settings: &Settings) {
        let policy = policy_from(settings);
        if policy != self.policy {
            self.notifier.set_policy(policy.clone());
            self.policy = policy;
        }
        let url = settings.get("notify.webhook_url");
        if url != self.webhook_url {
            self.set_webhook(url);
        }
    }

    fn set_webhook(&mut self, url: &str) {
        let had_one = !self.webhook_url.is_empty();
        self.webhook_url = url.to_string();
        let sink: Option<Box<dyn Sink>> = if url.is_empty() {
            None
        } else {
            match WebhookSink::new(url, WEBHOOK_TIMEOUT, WEBHOOK_RETRIES) {
                Ok(sink) => Some(Box::new(sink)),
                Err(err) => {
                    // `config set` refuses such URLs; this is an old or
                    // hand-edited value.
                    tracing::warn!(target: "gleaner::notify", %err, "webhook notifications are off");
                    None
                }
            }
        };
        if sink.is_some() || had_one {
            self.notifier.replace_sink(WEBHOOK, sink);
        }
    }

    /// A job began running.
    pub(crate) fn job_started(&self, job: &JobRecord) {
        self.notifier.publish(Event::JobStarted {
            id: job.id.clone(),
            directory: PathBuf::from(&job.directory),
        });
    }

    /// A job's thread ended; `error` is what it ended with, if anything.
    /// Completed and failed jobs are told; a job the engine paused because
    /// its folder is unreachable is a source error; cancelled jobs, jobs the
    /// user paused and jobs interrupted by a shutdown are not news.
    pub(crate) fn job_ended(&self, job: &JobRecord, error: Option<&str>) {
        let directory = PathBuf::from(&job.directory);
        let event = match job.status {
            JobStatus::Completed => Event::JobCompleted {
                job: JobSummary::from_record(job),
            },
            JobStatus::Failed => Event::JobFailed {
                id: job.id.clone(),
                reason: plain_reason(
                    job.error.as_deref().or(error).unwrap_or("unknown error"),
                    &directory,
                ),
                directory,
            },
            JobStatus::Paused if job.pause_reason.as_deref() != Some(PAUSED_BY_USER) => {
                let Some(reason) = job.pause_reason.as_deref().or(error) else {
                    return;
                };
                Event::SourceError {
                    reason: plain_reason(reason, &directory),
                    path: directory,
                }
            }
            // The job's thread failed before the job could record it.
            _ => match error {
                Some(reason) => Event::JobFailed {
                    id: job.id.clone(),
                    reason: plain_reason(reason, &directory),
                    directory,
                },
                None => return,
            },
        };
        self.notifier.publish(event);
    }

    /// A watched source's folder went away or became unreadable.
    pub(crate) fn source_error(&self, path: &Path, reason: &str) {
        self.notifier.publish(Event::SourceError {
            path: path.to_path_buf(),
            reason: plain_reason(reason, path),
        });
    }

    /// The index was deleted, moved or replaced under the engine.
    pub(crate) fn index_lost(&self, data_dir: &Path, reason: &str) {
        self.notifier.publish(Event::IndexLost {
            data_dir: data_dir.to_path_buf(),
            reason: reason.to_string(),
        });
    }

    /// A source that was unreachable is back.
    pub(crate) fn source_back(&self, path: &Path) {
        self.notifier.publish(Event::SourceRecovered {
            path: path.to_path_buf(),
        });
    }

    /// Tells the watch problems that are new since the last call (the watch
    /// limit reached, a folder that cannot be watched). A source that is
    /// gone is told as a source error instead, and problems of severity
    /// info (a network file system that is polled) are not news.
    pub(crate) fn watch_health(&mut self, health: &[WatchHealth], watched: &HashMap<i64, Source>) {
        let mut current = HashSet::new();
        for problem in health {
            let key = (problem.source_id(), std::mem::discriminant(problem));
            current.insert(key);
            if self.watch_problems.contains(&key)
                || matches!(problem, WatchHealth::SourceGone { .. })
            {
                continue;
            }
            let path = problem
                .source_id()
                .and_then(|id| watched.get(&id))
                .map(|source| source.path.clone());
            let name = path.as_deref().map_or_else(
                || "a source".to_string(),
                |p| display_path(p, self.home.as_deref()),
            );
            let issue = describe_watch_health(problem, &name);
            if issue.severity == Severity::Info {
                continue;
            }
            let message = match issue.fix {
                Some(fix) => format!("{}. Fix: {fix}", issue.message),
                None => issue.message,
            };
            self.notifier
                .publish(Event::HealthDegraded { message, path });
        }
        self.watch_problems = current;
    }

    /// Delivers what the throttle holds back (as one digest) and stops the
    /// notifier.
    pub(crate) fn shutdown(self) {
        let report = self.notifier.shutdown();
        for sink in report.sinks.iter().filter(|s| s.n_failed > 0) {
            tracing::debug!(
                target: "gleaner::notify", sink = sink.name, delivered = sink.n_delivered,
                failed = sink.n_failed, "notifications that could not be delivered"
            );
        }
    }
}

/// Engine errors about a folder start with the folder ("/home/me/usb: No
/// such file or directory"); the notification names the folder already.
fn plain_reason(reason: &str, path: &Path) -> String {
    reason
        .strip_prefix(&format!("{}: ", path.display()))
        .unwrap_or(reason)
        .to_string()
}

/// Tells when a running job crosses 25, 50 and 75 % of the files it has to
/// read. Used from the job's own thread (scan progress), so it only
/// publishes, and each milestone at most once; a resumed job that is
/// already past some starts from there.
pub(crate) struct MilestoneTracker {
    id: String,
    directory: PathBuf,
    publisher: Publisher,
    reached: AtomicU8,
}

impl MilestoneTracker {
    pub(crate) fn new(id: &str, directory: PathBuf, publisher: Publisher) -> MilestoneTracker {
        MilestoneTracker {
            id: id.to_string(),
            directory,
            publisher,
            reached: AtomicU8::new(0),
        }
    }

    /// `done` of `total` files are done.
    pub(crate) fn observe(&self, done: u64, total: u64) {
        if total == 0 {
            return;
        }
        let percent = (done.min(total) * 100 / total) as u8;
        let Some(&milestone) = MILESTONES.iter().rev().find(|m| percent >= **m) else {
            return;
        };
        if self.reached.fetch_max(milestone, Ordering::Relaxed) < milestone {
            self.publisher.publish(Event::JobMilestone {
                id: self.id.clone(),
                directory: self.directory.clone(),
                percent: milestone,
                done,
                total,
            });
        }
    }
}

#[cfg(test)]
mod tests;
