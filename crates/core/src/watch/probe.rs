//! A test's view of the raw events: everything notify hands the watcher,
//! recorded on notify's own thread before the actor sees it, the lowest
//! level the watcher controls. The kernel's mask decides what reaches it.
//!
//! A test can also hold notify's thread in its callback ([`hold`]): inotify
//! events are then left in the kernel's queue, so what a piece of work puts
//! there can be counted once the hold is released, without lowering the
//! machine-wide `max_queued_events` (which every other process on the
//! machine would share for as long as it is low).
//!
//! [`hold`]: RawEventProbe::hold

use std::sync::{Condvar, Mutex, MutexGuard};

/// The raw events seen so far and the state of a hold.
#[derive(Debug, Default)]
pub(crate) struct RawEventProbe {
    state: Mutex<ProbeState>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct ProbeState {
    events: Vec<notify::Event>,
    n_errors: usize,
    held: bool,
    /// notify's thread is waiting in the callback.
    parked: bool,
}

/// Holds notify's thread from the first event after [`RawEventProbe::hold`]
/// until dropped.
pub(crate) struct Hold<'a> {
    probe: &'a RawEventProbe,
}

impl RawEventProbe {
    /// Called by notify's thread with every event, before the actor gets it.
    pub(crate) fn record(&self, event: &notify::Result<notify::Event>) {
        let mut state = self.lock();
        match event {
            Ok(event) => state.events.push(event.clone()),
            Err(_) => state.n_errors += 1,
        }
        while state.held {
            state.parked = true;
            self.changed.notify_all();
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        state.parked = false;
    }

    /// Every event recorded so far.
    pub(crate) fn events(&self) -> Vec<notify::Event> {
        self.lock().events.clone()
    }

    /// Makes notify's thread wait in its callback from the next event on,
    /// until the returned guard is dropped.
    pub(crate) fn hold(&self) -> Hold<'_> {
        self.lock().held = true;
        Hold { probe: self }
    }

    /// Blocks until notify's thread waits in its callback (an event must
    /// arrive after [`hold`](Self::hold) for that), or `timeout` passes.
    pub(crate) fn wait_parked(&self, timeout: std::time::Duration) -> bool {
        let state = self.lock();
        let (state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |state| !state.parked)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.parked
    }

    fn lock(&self) -> MutexGuard<'_, ProbeState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        self.probe.lock().held = false;
        self.probe.changed.notify_all();
    }
}
