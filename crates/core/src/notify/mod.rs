//! Notifications: one notifier, several sinks, and a policy between them.
//!
//! The engine publishes job- and source-level [`Event`]s (a job started,
//! reached 25/50/75 %, finished, failed; a source is in error; health
//! degraded) to a [`Notifier`]. The notifier turns each into a
//! [`Notification`] written for people ("Indexing finished: ~/notes" /
//! "1,204 new, 3 modified, 2 failed in 4.2 s") and hands it to its
//! [`Sink`]s: the desktop ([`DesktopSink`], D-Bus), a console
//! ([`ConsoleSink`]), a webhook ([`WebhookSink`]) and the log
//! ([`LogSink`]).
//!
//! **Notifications are a policy, not a firehose** (see [`policy`] for the
//! rules): never one per file, at most [`Policy::max_per_minute`] in any
//! minute, bursts merged into one digest, failures first, progress dropped
//! rather than delayed, per-source mute and do-not-disturb. The log records
//! every event whatever the policy says.
//!
//! **Invariants.** Publishing never blocks the engine (a bounded channel to
//! the notifier's thread; a full channel drops the event and counts it). An
//! idle notifier sleeps: its thread wakes only for a message or for a digest
//! or held-back start that is due. A sink that fails is logged and counted,
//! never fatal. This module knows nothing of the store: events are small
//! owned values ([`JobSummary::from_record`] builds one from a job row).

mod desktop;
mod error;
mod event;
mod notifier;
pub mod policy;
mod sink;
pub mod text;
mod webhook;

pub use desktop::DesktopSink;
pub use error::NotifyError;
pub use event::{Event, EventKind, JobChanges, JobSummary, Notification, Urgency};
pub use notifier::{Notifier, NotifierReport, Publisher, SinkReport};
pub use policy::Policy;
pub use sink::{ConsoleSink, LogSink, Sink, SinkKind};
pub use webhook::WebhookSink;
