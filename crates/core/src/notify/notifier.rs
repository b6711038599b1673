//! The notifier: a small actor that owns the sinks and the policy's state.
//!
//! `publish` only puts the event on a bounded channel, so the engine never
//! waits for a sink (a D-Bus call, a webhook) and never blocks: when the
//! channel is full the event is dropped and counted. The worker thread sleeps
//! on that channel, with a deadline only while something waits for the
//! throttle (a digest, a held-back start): an idle notifier does not wake up.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError};

use super::error::NotifyError;
use super::event::Event;
use super::policy::{Dispatcher, Outgoing, Policy};
use super::sink::{Sink, SinkKind};

/// Events waiting for the worker beyond this many are dropped; the engine
/// publishes a handful per job, so only a wedged worker fills it.
const CHANNEL_CAPACITY: usize = 1024;

enum Message {
    Publish(Event),
    SetPolicy(Policy),
    /// Replaces (or removes, or adds) the sink of this name.
    ReplaceSink(&'static str, Option<Box<dyn Sink>>),
    Shutdown,
}

/// Publishes events from any thread; cheap to clone. Sending never blocks.
#[derive(Clone, Debug)]
pub struct Publisher {
    sender: Sender<Message>,
    n_dropped: Arc<AtomicU64>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::Publish(event) => write!(f, "Publish({:?})", event.kind()),
            Message::SetPolicy(_) => write!(f, "SetPolicy"),
            Message::ReplaceSink(name, _) => write!(f, "ReplaceSink({name})"),
            Message::Shutdown => write!(f, "Shutdown"),
        }
    }
}

impl Publisher {
    /// Hands `event` to the notifier. Returns at once; if the notifier is
    /// gone or hopelessly behind, the event is dropped (and counted).
    pub fn publish(&self, event: Event) {
        match self.sender.try_send(Message::Publish(event)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                if self.n_dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                    tracing::warn!(target: "gleaner::notify", "the notifier is behind; events are dropped");
                }
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

/// How one sink fared, reported at shutdown.
#[derive(Debug)]
pub struct SinkReport {
    /// The sink's name.
    pub name: &'static str,
    /// Notifications delivered.
    pub n_delivered: u64,
    /// Notifications that failed.
    pub n_failed: u64,
    /// The last failure, if any.
    pub last_error: Option<NotifyError>,
}

/// What the notifier did, reported by [`Notifier::shutdown`].
#[derive(Debug)]
pub struct NotifierReport {
    /// Per sink, in the order given.
    pub sinks: Vec<SinkReport>,
    /// Events dropped because the notifier was behind.
    pub n_events_dropped: u64,
}

/// The notification policy and its sinks, on a thread of their own.
///
/// ```no_run
/// use gleaner_core::notify::{ConsoleSink, DesktopSink, Event, LogSink, Notifier, Policy};
/// let notifier = Notifier::new(
///     Policy::default(),
///     vec![Box::new(DesktopSink::new()), Box::new(ConsoleSink::stderr()), Box::new(LogSink::new())],
/// );
/// notifier.publish(Event::SourceError { path: "/media/usb".into(), reason: "unreachable".into() });
/// let report = notifier.shutdown(); // delivers what waits, then stops
/// ```
#[derive(Debug)]
pub struct Notifier {
    publisher: Publisher,
    worker: Option<JoinHandle<Vec<SinkReport>>>,
}

impl Notifier {
    /// Starts the notifier's thread with `policy` and `sinks`. The home
    /// folder is shown as `~` in texts.
    pub fn new(policy: Policy, sinks: Vec<Box<dyn Sink>>) -> Notifier {
        Notifier::with_home(policy, sinks, dirs::home_dir())
    }

    /// [`Notifier::new`] with another folder shown as `~` (or none).
    pub fn with_home(policy: Policy, sinks: Vec<Box<dyn Sink>>, home: Option<PathBuf>) -> Notifier {
        let (sender, receiver) = crossbeam_channel::bounded(CHANNEL_CAPACITY);
        let dispatcher = Dispatcher::new(policy, home);
        let worker = std::thread::Builder::new()
            .name("gleaner-notifier".into())
            .spawn(move || run(dispatcher, sinks, receiver))
            .expect("cannot start the notifier thread");
        Notifier {
            publisher: Publisher {
                sender,
                n_dropped: Arc::new(AtomicU64::new(0)),
            },
            worker: Some(worker),
        }
    }

    /// Hands `event` to the notifier; never blocks.
    pub fn publish(&self, event: Event) {
        self.publisher.publish(event);
    }

    /// A handle other threads can publish with.
    pub fn publisher(&self) -> Publisher {
        self.publisher.clone()
    }

    /// Changes the policy from the next event on (mute a source, do not
    /// disturb, another budget).
    pub fn set_policy(&self, policy: Policy) {
        // Blocking here is fine: this is a user's action, and the worker
        // drains the channel quickly.
        let _ = self.publisher.sender.send(Message::SetPolicy(policy));
    }

    /// Replaces the sink named `name` with `sink` (a webhook whose URL
    /// changed), removes it (`None`), or adds `sink` when none has that
    /// name. The old sink is dropped on the notifier's thread, so one that
    /// finishes its deliveries as it goes (the webhook) never holds up the
    /// caller.
    pub fn replace_sink(&self, name: &'static str, sink: Option<Box<dyn Sink>>) {
        let _ = self.publisher.sender.send(Message::ReplaceSink(name, sink));
    }

    /// Delivers what waits for the throttle (as one digest), stops the
    /// thread and reports how each sink fared.
    pub fn shutdown(mut self) -> NotifierReport {
        let sinks = self.stop();
        NotifierReport {
            sinks,
            n_events_dropped: self.publisher.n_dropped.load(Ordering::Relaxed),
        }
    }

    fn stop(&mut self) -> Vec<SinkReport> {
        let Some(worker) = self.worker.take() else {
            return Vec::new();
        };
        let _ = self.publisher.sender.send(Message::Shutdown);
        worker.join().unwrap_or_default()
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A sink and its tally.
struct Outlet {
    sink: Box<dyn Sink>,
    report: SinkReport,
}

impl Outlet {
    fn new(sink: Box<dyn Sink>) -> Outlet {
        let report = SinkReport {
            name: sink.name(),
            n_delivered: 0,
            n_failed: 0,
            last_error: None,
        };
        Outlet { sink, report }
    }

    fn deliver(&mut self, notification: &super::event::Notification) {
        match self.sink.deliver(notification) {
            Ok(()) => {
                if self.report.n_failed > 0 && self.report.last_error.is_some() {
                    tracing::info!(target: "gleaner::notify", sink = self.report.name, "notifications work again");
                    self.report.last_error = None;
                }
                self.report.n_delivered += 1;
            }
            Err(err) => {
                // Say it once, not at every notification, until it works again.
                if self.report.last_error.is_none() {
                    tracing::warn!(target: "gleaner::notify", sink = self.report.name, %err, "cannot notify");
                } else {
                    tracing::debug!(target: "gleaner::notify", sink = self.report.name, %err, "cannot notify");
                }
                self.report.n_failed += 1;
                self.report.last_error = Some(err);
            }
        }
    }
}

/// The worker: waits for a message, or for the next thing the throttle
/// lets through, whichever comes first.
fn run(
    mut dispatcher: Dispatcher,
    sinks: Vec<Box<dyn Sink>>,
    receiver: Receiver<Message>,
) -> Vec<SinkReport> {
    let mut outlets: Vec<Outlet> = sinks.into_iter().map(Outlet::new).collect();
    loop {
        let message = match dispatcher.next_wake() {
            None => receiver.recv().ok(),
            Some(at) => match receiver.recv_deadline(at) {
                Ok(message) => Some(message),
                Err(RecvTimeoutError::Timeout) => {
                    let due = dispatcher.wake(Instant::now());
                    fan_out(&dispatcher, &mut outlets, due);
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => None,
            },
        };
        match message {
            Some(Message::Publish(event)) => {
                let out = dispatcher.publish(event, Instant::now());
                fan_out(&dispatcher, &mut outlets, out);
            }
            Some(Message::SetPolicy(policy)) => {
                dispatcher.set_policy(policy);
                let due = dispatcher.wake(Instant::now());
                fan_out(&dispatcher, &mut outlets, due);
            }
            Some(Message::ReplaceSink(name, sink)) => {
                let at = outlets.iter().position(|o| o.report.name == name);
                match (at, sink) {
                    (Some(at), Some(sink)) => outlets[at] = Outlet::new(sink),
                    (Some(at), None) => drop(outlets.remove(at)),
                    (None, Some(sink)) => outlets.push(Outlet::new(sink)),
                    (None, None) => {}
                }
            }
            Some(Message::Shutdown) | None => break,
        }
    }
    let last = dispatcher.flush();
    fan_out(&dispatcher, &mut outlets, last);
    // Dropping the sinks lets them finish (the webhook posts what it holds).
    outlets
        .into_iter()
        .map(|outlet| {
            drop(outlet.sink);
            outlet.report
        })
        .collect()
}

/// Hands each notification to the sinks the policy allows.
fn fan_out(dispatcher: &Dispatcher, outlets: &mut [Outlet], outgoing: Vec<Outgoing>) {
    let policy = dispatcher.policy();
    for item in outgoing {
        for outlet in outlets.iter_mut() {
            let kind = outlet.sink.kind();
            let wanted = match &item {
                Outgoing::Record(_) => kind == SinkKind::Log,
                Outgoing::Announce(_) => match kind {
                    SinkKind::Log => false,
                    SinkKind::Desktop => policy.desktop_enabled && !policy.do_not_disturb,
                    _ => true,
                },
            };
            if wanted {
                let (Outgoing::Record(n) | Outgoing::Announce(n)) = &item;
                outlet.deliver(n);
            }
        }
    }
}

#[cfg(test)]
mod tests;
