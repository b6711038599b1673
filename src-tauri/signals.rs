//! Unix termination signals end the app the same way the tray's Quit does.
//!
//! Without this, SIGTERM (a logout, `systemctl --user stop`, a test harness)
//! or Ctrl+C (SIGINT) would kill the process on the spot, with status
//! 128+signal and no chance for the engine to close the index cleanly. Here
//! the first one goes through [`crate::quit`], so the process exits with code
//! 0 after tauri's normal shutdown. Once tokio handles a signal its default
//! action never comes back, so a second signal, or a shutdown still running
//! after [`SHUTDOWN_GRACE`], ends the process at once with code 1: the app can
//! always be stopped.

use std::time::Duration;

use tauri::{AppHandle, Runtime};
use tokio::signal::unix::{signal, Signal, SignalKind};

/// How long a signalled shutdown may take before the process is ended anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Spawns a task on tauri's tokio runtime that waits for SIGTERM, SIGINT or
/// SIGHUP and then quits the app.
pub fn exit_on_termination_signals<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut signals = match TerminationSignals::new() {
            Ok(signals) => signals,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for termination signals");
                return;
            }
        };
        let name = signals.recv().await;
        tracing::info!(signal = name, "termination signal received");
        crate::quit(&app);

        tokio::select! {
            name = signals.recv() => tracing::warn!(signal = name, "second signal: exiting now"),
            _ = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("shutdown stalled: exiting now"),
        }
        std::process::exit(1);
    });
}

struct TerminationSignals {
    term: Signal,
    int: Signal,
    hup: Signal,
}

impl TerminationSignals {
    fn new() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// Waits for the next termination signal and returns its name.
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
            _ = self.hup.recv() => "SIGHUP",
        }
    }
}
