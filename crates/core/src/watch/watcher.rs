//! The handle to the watcher's actor thread.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};

use super::actor::{Actor, Message};
use super::{Change, DirFilter, WatchError, WatchHealth, WatchedSource, WatcherConfig};

/// Batches of changes that may wait for the engine before the watcher holds
/// further ready changes back in its (bounded) queue.
const CHANGE_BATCHES_IN_FLIGHT: usize = 64;

/// Handle to the file watcher. The actor thread owns every watch; this
/// handle only sends it messages. Dropping it stops the thread and joins it.
pub struct Watcher {
    commands: Sender<Message>,
    thread: Option<JoinHandle<()>>,
    /// Set if the actor thread panicked.
    stopped: Arc<Mutex<Option<String>>>,
    #[cfg(test)]
    pub(crate) wakeups: Arc<std::sync::atomic::AtomicU64>,
    #[cfg(test)]
    pub(crate) raw_event_probe: Arc<super::probe::RawEventProbe>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").finish_non_exhaustive()
    }
}

impl Watcher {
    /// Starts the watcher thread. Changes arrive on the returned channel in
    /// batches, as soon as they are ready: a file closed after writing at
    /// once, anything else after the debounce.
    ///
    /// If inotify itself cannot be started (too many instances), the watcher
    /// still starts: every source is then reported by [`health`](Self::health)
    /// as needing polling, with the fix.
    pub fn start(
        config: WatcherConfig,
        filter: DirFilter,
    ) -> Result<(Watcher, Receiver<Vec<Change>>), WatchError> {
        let (commands, command_receiver) = crossbeam_channel::unbounded();
        let (change_sender, changes) = crossbeam_channel::bounded(CHANGE_BATCHES_IN_FLIGHT);
        let actor = Actor::new(
            config,
            filter,
            command_receiver,
            commands.clone(),
            change_sender,
        );
        #[cfg(test)]
        let wakeups = actor.wakeups.clone();
        #[cfg(test)]
        let raw_event_probe = actor.raw_event_probe.clone();
        let stopped = Arc::new(Mutex::new(None));
        let stopped_by_panic = stopped.clone();
        let thread = std::thread::Builder::new()
            .name("gleaner-watch".to_string())
            .spawn(move || {
                // The actor calls the engine's filter; if anything in it
                // panics, say so in health rather than vanish.
                if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(|| actor.run())) {
                    let reason = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "it panicked".to_string());
                    tracing::error!("the file watcher stopped: {reason}");
                    *stopped_by_panic.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason);
                }
            })
            .map_err(WatchError::Spawn)?;
        Ok((
            Watcher {
                commands,
                thread: Some(thread),
                stopped,
                #[cfg(test)]
                wakeups,
                #[cfg(test)]
                raw_event_probe,
            },
            changes,
        ))
    }

    /// Watches one source, replacing its previous watches (directories no
    /// longer listed are unwatched, new ones watched, pending changes kept).
    /// Calling it again also retries what failed (e.g. after the user raised
    /// the watch limit).
    pub fn watch(&self, source: WatchedSource) {
        let _ = self.commands.send(Message::Watch(source));
    }

    /// Stops watching a source and drops its pending changes.
    pub fn unwatch(&self, source_id: i64) {
        let _ = self.commands.send(Message::Unwatch(source_id));
    }

    /// The current problems, each naming its source and fix. Reflects every
    /// [`watch`](Self::watch) sent before the call.
    pub fn health(&self) -> Vec<WatchHealth> {
        let (reply, answer) = crossbeam_channel::bounded(1);
        if self.commands.send(Message::Health(reply)).is_ok() {
            if let Ok(health) = answer.recv() {
                return health;
            }
        }
        vec![WatchHealth::WatcherStopped {
            reason: self.stop_reason(),
        }]
    }

    /// How many inotify watches (directories) the watcher holds.
    pub fn watch_count(&self) -> usize {
        let (reply, answer) = crossbeam_channel::bounded(1);
        if self.commands.send(Message::WatchCount(reply)).is_ok() {
            return answer.recv().unwrap_or(0);
        }
        0
    }

    /// Changes the debounce and the maximum delay; pending changes are
    /// rescheduled.
    pub fn set_timing(&self, debounce: Duration, max_delay: Duration) {
        let _ = self.commands.send(Message::SetTiming {
            debounce,
            max_delay,
        });
    }

    fn stop_reason(&self) -> String {
        self.stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| "it is not running".to_string())
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.commands.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
