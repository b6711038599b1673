//! Hosting the engine inside the desktop app, or attaching to one that runs.
//!
//! One engine runs per data directory (it holds the `flock` on
//! `engine.lock`). At start the app runs `gleaner_core::engine::run` on a
//! thread of its own; when a `gleaner daemon` already holds the directory,
//! that call fails at once with `EngineBusy` and the app is simply one more
//! client of that engine. The rest of the app never needs to know which case
//! it is in: every action goes through the control socket
//! ([`crate::engine_client`]) and every read through the database.
//!
//! When the daemon the app attached to goes away, [`EngineHost::take_over_if_free`]
//! (called by the status task once a second) starts hosting in its place, so
//! the index keeps being watched as long as the app runs.
//!
//! When the hosted engine refused the index because the file is damaged or
//! not Gleaner's, [`EngineHost::restart_after_repair`] lets the "Rebuild
//! index" command replace the file and host the engine again.
//!
//! Stopping: [`EngineHost::stop`] sends on the engine's shutdown channel and
//! joins its thread; the engine lets running jobs stop at their next file
//! boundary (they continue in the next engine) and releases the lock.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use gleaner_core::engine::EngineEvents;
use gleaner_core::lock::EngineLock;
use gleaner_core::{DataDir, Error};

use crate::error::{CommandError, CommandResult};

/// Where the engine of this data directory runs, as far as the app knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineMode {
    /// The engine thread is starting or running in this process.
    Hosted,
    /// Another process (pid) holds the data directory; this app is its client.
    Attached {
        /// The other engine's process id (0 if unknown).
        pid: u32,
    },
    /// The hosted engine ended with an error and none runs.
    Failed {
        /// Why, in plain words.
        reason: String,
        /// Whether the index file itself is damaged or not Gleaner's
        /// ([`Error::is_corrupt_index`]): rebuilding it is the cure.
        corrupt_index: bool,
    },
    /// The engine was stopped (the app is quitting).
    Stopped,
}

/// The engine thread and how to stop it.
pub struct EngineHost {
    data_dir: DataDir,
    inner: Mutex<HostState>,
    /// Set by the hosted engine whenever it indexed live changes, cleared by
    /// the status task: document counts changed without any job.
    changes_seen: Arc<AtomicBool>,
    /// Counts the times the index file was replaced, so readers know to
    /// open it again (a connection would keep reading the old file).
    generation: AtomicU64,
}

struct HostState {
    mode: Arc<Mutex<EngineMode>>,
    running: Option<RunningEngine>,
    stopping: bool,
}

struct RunningEngine {
    shutdown: crossbeam_channel::Sender<()>,
    thread: JoinHandle<()>,
}

/// Forwards the engine's events to the app.
struct HostEvents {
    changes_seen: Arc<AtomicBool>,
}

impl EngineEvents for HostEvents {
    fn changes_indexed(&mut self, n_paths: usize) {
        if n_paths > 0 {
            self.changes_seen.store(true, Ordering::Relaxed);
        }
    }
}

/// Starts the loopback HTTP API when the setting `http.enabled` is on and no
/// other engine holds the data directory (that one serves its own API).
fn start_http_api(data_dir: &DataDir) -> Option<gleaner_http::HttpServer> {
    if EngineLock::holder(&data_dir.engine_lock()).is_some() {
        return None;
    }
    gleaner_http::start_if_enabled(data_dir).unwrap_or_else(|error| {
        tracing::error!(%error, "the HTTP API could not start");
        None
    })
}

impl EngineHost {
    /// Starts hosting the engine for `data_dir` (or finds that another
    /// process does).
    pub fn start(data_dir: DataDir) -> EngineHost {
        let host = EngineHost {
            data_dir,
            inner: Mutex::new(HostState {
                mode: Arc::new(Mutex::new(EngineMode::Hosted)),
                running: None,
                stopping: false,
            }),
            changes_seen: Arc::new(AtomicBool::new(false)),
            generation: AtomicU64::new(0),
        };
        host.spawn(&mut host.inner.lock().expect("engine host lock"));
        host
    }

    fn spawn(&self, state: &mut HostState) {
        let (shutdown, shutdown_rx) = crossbeam_channel::bounded(1);
        let mode = Arc::new(Mutex::new(EngineMode::Hosted));
        state.mode = mode.clone();
        let data_dir = self.data_dir.clone();
        let events = HostEvents {
            changes_seen: self.changes_seen.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name("gleaner-engine".into())
            .spawn(move || {
                // The HTTP API (when enabled) lives and dies with the engine
                // this app hosts.
                let http = start_http_api(&data_dir);
                let ended = match gleaner_core::engine::run(data_dir, shutdown_rx, events) {
                    Ok(()) => EngineMode::Stopped,
                    Err(Error::EngineBusy { pid }) => {
                        tracing::info!(
                            pid,
                            "another engine runs for this data directory: attaching to it"
                        );
                        EngineMode::Attached { pid }
                    }
                    Err(error) => {
                        tracing::error!(%error, "the engine stopped");
                        EngineMode::Failed {
                            reason: error.to_string(),
                            corrupt_index: error.is_corrupt_index(),
                        }
                    }
                };
                drop(http);
                *mode.lock().expect("engine mode lock") = ended;
            });
        match spawned {
            Ok(thread) => state.running = Some(RunningEngine { shutdown, thread }),
            Err(error) => {
                *state.mode.lock().expect("engine mode lock") = EngineMode::Failed {
                    reason: format!("cannot start the engine thread: {error}"),
                    corrupt_index: false,
                }
            }
        }
    }

    /// The data directory the engine works on.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// Where the engine runs now.
    pub fn mode(&self) -> EngineMode {
        let state = self.inner.lock().expect("engine host lock");
        let mode = state.mode.lock().expect("engine mode lock").clone();
        mode
    }

    /// How many times the index file was replaced while the app ran.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Runs `repair` when the hosted engine refused a damaged or foreign
    /// index and no engine runs, then hosts the engine again (its start-up
    /// scan indexes whatever sources the new index has). Refused while an
    /// engine runs, here or in another process (it has the file open), and
    /// when the engine failed for another reason: a sound index is never
    /// set aside. When `repair` fails, nothing is restarted.
    pub fn restart_after_repair<T>(
        &self,
        repair: impl FnOnce(&DataDir) -> CommandResult<T>,
    ) -> CommandResult<T> {
        let mut state = self.inner.lock().expect("engine host lock");
        let mode = state.mode.lock().expect("engine mode lock").clone();
        match mode {
            // Quitting: the engine is being stopped, not repaired.
            _ if state.stopping => return Err(CommandError::EngineInUse),
            EngineMode::Failed {
                corrupt_index: true,
                ..
            } => {}
            EngineMode::Failed { .. } => return Err(CommandError::IndexNotDamaged),
            _ => return Err(CommandError::EngineInUse),
        }
        if let Some(old) = state.running.take() {
            let _ = old.thread.join(); // it already returned its error
        }
        let repaired = repair(&self.data_dir)?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        tracing::info!("the index was rebuilt: hosting the engine again");
        self.spawn(&mut state);
        Ok(repaired)
    }

    /// Whether the hosted engine indexed live changes since the last call.
    pub fn take_changes_seen(&self) -> bool {
        self.changes_seen.swap(false, Ordering::Relaxed)
    }

    /// When this app is a client and the other engine has gone, hosts the
    /// engine again. Returns whether it did.
    pub fn take_over_if_free(&self) -> bool {
        let mut state = self.inner.lock().expect("engine host lock");
        let attached = matches!(
            *state.mode.lock().expect("engine mode lock"),
            EngineMode::Attached { .. }
        );
        if state.stopping || !attached || EngineLock::holder(&self.data_dir.engine_lock()).is_some()
        {
            return false;
        }
        if let Some(old) = state.running.take() {
            let _ = old.thread.join(); // it already returned EngineBusy
        }
        tracing::info!("the other engine has gone: hosting the engine again");
        self.spawn(&mut state);
        true
    }

    /// Stops the hosted engine and waits for it, up to `grace`. Idempotent.
    pub fn stop(&self, grace: Duration) {
        let running = {
            let mut state = self.inner.lock().expect("engine host lock");
            state.stopping = true;
            state.running.take()
        };
        let Some(RunningEngine { shutdown, thread }) = running else {
            return;
        };
        let _ = shutdown.send(());
        let deadline = std::time::Instant::now() + grace;
        while !thread.is_finished() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if thread.is_finished() {
            let _ = thread.join();
            tracing::info!("engine stopped");
        } else {
            tracing::warn!("the engine did not stop within {grace:?}; exiting anyway");
        }
    }
}
