//! The notification policy: what reaches people, when, and merged how.
//!
//! The crate-private `Dispatcher` is the whole policy as a plain state
//! machine. It is given the time with every call and returns what to
//! deliver, so the throttle and the digests are tested with made-up
//! instants, deterministically and at once; the notifier's worker thread
//! feeds it real time.
//!
//! The rules, in order:
//! - **Every event is recorded** (the log sinks get it at once, whatever the
//!   throttle, mute or do-not-disturb say).
//! - **Muted sources** reach nobody else: an event about a path under a muted
//!   folder stops at the log.
//! - **Routine completions** (a scan nobody asked for that changed nothing)
//!   stop at the log too: a daily "nothing changed" is not news.
//! - **The throttle** allows at most `max_per_minute` notifications in any
//!   60 seconds. It is a token bucket whose tokens come back one minute after
//!   being spent (a sliding window) rather than one refilling at a steady
//!   rate: a steady refill would let a burst of 4 be followed by 4 more
//!   within the same minute, twice what the setting promises.
//! - **Outcomes and alerts** (completed, failed, source error, health) take a
//!   token when one is free; otherwise they wait, and everything waiting goes
//!   out as ONE digest when the next token frees. Failures are listed first
//!   and make the digest critical.
//! - **Progress** (started, milestones) is only worth it when it is timely:
//!   it needs two free tokens (so it never takes the last one from an
//!   outcome or an alert) and is dropped, not digested, otherwise. A start is
//!   announced only if the job still runs [`START_GRACE`] later, so a scan of
//!   a few seconds shows "finished" and nothing else; milestones of a job
//!   younger than that are dropped likewise.
//! - **Repeats** of the same source error or health message within
//!   [`REPEAT_SILENCE`] are only logged (a source that stays unreachable is
//!   reported once, not at every retry).
//! - **Recoveries** (a source back after an error) are announced only when
//!   that source's error was, and they end the error's silence: the next
//!   time the source fails is news again.
//! - **Do-not-disturb** silences the desktop sink only, and
//!   `desktop_enabled: false` turns it off; the console and the webhook
//!   still get the throttled stream. That choice is the notifier's, at
//!   delivery time; the dispatcher does not know about sinks.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::event::{Event, Notification};
use super::text::{render, render_digest};

/// The throttle's window.
const WINDOW: Duration = Duration::from_secs(60);
/// How long a job must run before its start (and its milestones) are worth a
/// notification.
pub const START_GRACE: Duration = Duration::from_secs(10);
/// How long the same source error or health message stays silent after it
/// was shown.
pub const REPEAT_SILENCE: Duration = Duration::from_secs(3600);
/// The largest budget accepted; more than one a second is a firehose.
const MAX_PER_MINUTE_LIMIT: u32 = 60;

/// What the user chose; can be changed while running
/// ([`super::Notifier::set_policy`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Whether the desktop sink is used at all.
    pub desktop_enabled: bool,
    /// Silences the desktop sink (the log still records everything).
    pub do_not_disturb: bool,
    /// Folders whose events reach only the log.
    pub muted_sources: Vec<PathBuf>,
    /// Notifications allowed in any 60 s, 1–60 (0 counts as 1); bursts
    /// beyond it are merged into a digest.
    pub max_per_minute: u32,
    /// Whether milestones (25/50/75 %) are shown.
    pub milestones: bool,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            desktop_enabled: true,
            do_not_disturb: false,
            muted_sources: Vec::new(),
            max_per_minute: 4,
            milestones: true,
        }
    }
}

impl Policy {
    /// Whether `path` is under a muted folder.
    pub fn is_muted(&self, path: &Path) -> bool {
        self.muted_sources
            .iter()
            .any(|muted| path.starts_with(muted))
    }

    /// The budget actually applied.
    fn budget(&self) -> usize {
        self.max_per_minute.clamp(1, MAX_PER_MINUTE_LIMIT) as usize
    }
}

/// Where a notification goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outgoing {
    /// To the record-keeping sinks (the log): every event, unthrottled.
    Record(Notification),
    /// To the sinks people read (desktop, console, webhook).
    Announce(Notification),
}

/// A job start held back until the job has run [`START_GRACE`].
#[derive(Debug)]
struct HeldStart {
    event: Event,
    due: Instant,
}

/// The policy's state: tokens spent, events waiting for a digest, starts
/// held back, alerts recently shown.
#[derive(Debug)]
pub(crate) struct Dispatcher {
    policy: Policy,
    home: Option<PathBuf>,
    /// When each announcement of the last minute went out, oldest first.
    spent: VecDeque<Instant>,
    /// Outcomes and alerts waiting for a token, in arrival order.
    waiting: Vec<Event>,
    held_starts: HashMap<String, HeldStart>,
    /// When each running job started, for the milestones' grace.
    job_started_at: HashMap<String, Instant>,
    /// When each alert (by its text) was last announced.
    recent_alerts: HashMap<String, Instant>,
    /// Sources whose error was offered to people, so that their recovery
    /// is news.
    sources_in_error: HashSet<PathBuf>,
}

impl Dispatcher {
    /// A dispatcher with nothing spent; `home` is shown as `~` in texts.
    pub(crate) fn new(policy: Policy, home: Option<PathBuf>) -> Dispatcher {
        Dispatcher {
            policy,
            home,
            spent: VecDeque::new(),
            waiting: Vec::new(),
            held_starts: HashMap::new(),
            job_started_at: HashMap::new(),
            recent_alerts: HashMap::new(),
            sources_in_error: HashSet::new(),
        }
    }

    /// The policy in force.
    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Replaces the policy; waiting events of newly muted folders are
    /// dropped.
    pub(crate) fn set_policy(&mut self, policy: Policy) {
        self.waiting
            .retain(|event| !event.path().is_some_and(|p| policy.is_muted(p)));
        self.held_starts
            .retain(|_, held| !held.event.path().is_some_and(|p| policy.is_muted(p)));
        self.policy = policy;
    }

    /// Takes in one event at `now`; returns what to deliver at once.
    pub(crate) fn publish(&mut self, event: Event, now: Instant) -> Vec<Outgoing> {
        let mut out = self.wake(now);
        out.push(Outgoing::Record(render(&event, self.home.as_deref())));
        if event.path().is_some_and(|p| self.policy.is_muted(p)) {
            return out;
        }
        match &event {
            Event::JobStarted { id, .. } => {
                self.forget_old_jobs(now);
                self.job_started_at.insert(id.clone(), now);
                let due = now + START_GRACE;
                self.held_starts
                    .insert(id.clone(), HeldStart { event, due });
            }
            Event::JobMilestone { id, .. } => {
                let young = self
                    .job_started_at
                    .get(id)
                    .is_some_and(|at| now.duration_since(*at) < START_GRACE);
                if self.policy.milestones && !young && self.take_token(now, 2) {
                    out.push(Outgoing::Announce(render(&event, self.home.as_deref())));
                }
            }
            Event::JobCompleted { job } => {
                self.job_ended(&job.id);
                if !job.is_routine() {
                    self.offer(event, now, &mut out);
                }
            }
            Event::JobFailed { id, .. } => {
                self.job_ended(id);
                self.offer(event, now, &mut out);
            }
            Event::IndexLost { .. } => self.offer(event, now, &mut out),
            Event::SourceError { .. } | Event::HealthDegraded { .. } => {
                let key = alert_key(&event);
                self.recent_alerts
                    .retain(|_, at| now.duration_since(*at) < REPEAT_SILENCE);
                if let Entry::Vacant(slot) = self.recent_alerts.entry(key) {
                    slot.insert(now);
                    if let Event::SourceError { path, .. } = &event {
                        self.sources_in_error.insert(path.clone());
                    }
                    self.offer(event, now, &mut out);
                }
            }
            Event::SourceRecovered { path } => {
                let prefix = source_alert_prefix(path);
                self.recent_alerts
                    .retain(|key, _| !key.starts_with(&prefix));
                if self.sources_in_error.remove(path) {
                    self.offer(event, now, &mut out);
                }
            }
        }
        out
    }

    /// Delivers what has become due by `now`: the digest when a token has
    /// freed, starts of jobs still running after their grace.
    pub(crate) fn wake(&mut self, now: Instant) -> Vec<Outgoing> {
        let mut out = Vec::new();
        if !self.waiting.is_empty() && self.take_token(now, 1) {
            let waiting = std::mem::take(&mut self.waiting);
            out.push(Outgoing::Announce(render_digest(
                waiting,
                self.home.as_deref(),
            )));
        }
        let due: Vec<String> = self
            .held_starts
            .iter()
            .filter(|(_, held)| held.due <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in due {
            if let Some(held) = self.held_starts.remove(&id) {
                if self.take_token(now, 2) {
                    out.push(Outgoing::Announce(render(
                        &held.event,
                        self.home.as_deref(),
                    )));
                }
            }
        }
        out
    }

    /// When [`Self::wake`] has something to do next; `None` when nothing
    /// waits, so the worker can sleep until the next event.
    pub(crate) fn next_wake(&self) -> Option<Instant> {
        // The oldest spent token comes back first.
        let token_frees = if self.waiting.is_empty() {
            None
        } else {
            self.spent.front().map(|at| *at + WINDOW)
        };
        let start_due = self.held_starts.values().map(|held| held.due).min();
        token_frees.into_iter().chain(start_due).min()
    }

    /// At shutdown: whatever waits goes out now, as one digest, so a failure
    /// is never lost to the throttle. Held starts are dropped.
    pub(crate) fn flush(&mut self) -> Vec<Outgoing> {
        self.held_starts.clear();
        if self.waiting.is_empty() {
            return Vec::new();
        }
        let waiting = std::mem::take(&mut self.waiting);
        vec![Outgoing::Announce(render_digest(
            waiting,
            self.home.as_deref(),
        ))]
    }

    /// Announces `event` if a token is free, or keeps it for the digest.
    fn offer(&mut self, event: Event, now: Instant, out: &mut Vec<Outgoing>) {
        if self.waiting.is_empty() && self.take_token(now, 1) {
            out.push(Outgoing::Announce(render(&event, self.home.as_deref())));
        } else {
            self.waiting.push(event);
        }
    }

    /// Spends a token if at least `need` are free at `now`.
    fn take_token(&mut self, now: Instant, need: usize) -> bool {
        while self
            .spent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= WINDOW)
        {
            self.spent.pop_front();
        }
        let free = self.policy.budget().saturating_sub(self.spent.len());
        if free < need {
            return false;
        }
        self.spent.push_back(now);
        true
    }

    fn job_ended(&mut self, id: &str) {
        self.held_starts.remove(id);
        self.job_started_at.remove(id);
    }

    /// Jobs that never reported their end (an engine that crashed) must not
    /// pile up.
    fn forget_old_jobs(&mut self, now: Instant) {
        const FORGET_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);
        self.job_started_at
            .retain(|_, at| now.duration_since(*at) < FORGET_AFTER);
    }
}

/// How the repeat keys of one source's errors begin.
fn source_alert_prefix(path: &Path) -> String {
    format!("source\0{}\0", path.display())
}

/// The same alert, as far as repeats go.
fn alert_key(event: &Event) -> String {
    match event {
        Event::SourceError { path, reason } => format!("{}{reason}", source_alert_prefix(path)),
        Event::HealthDegraded { message, path } => {
            format!(
                "health\0{}\0{message}",
                path.as_deref().unwrap_or(Path::new("")).display()
            )
        }
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests;
