//! Where notifications go: the [`Sink`] trait, and the two sinks that need
//! nothing outside the process (console and log).

use std::io::Write;

use super::error::NotifyError;
use super::event::{Notification, Urgency};

/// What a sink is, as far as the policy goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SinkKind {
    /// Pop-ups: silenced by do-not-disturb and `desktop_enabled: false`.
    Desktop,
    /// A terminal: gets the throttled stream.
    Console,
    /// An HTTP endpoint: gets the throttled stream.
    Webhook,
    /// A record: gets every event at once, unthrottled, muted or not.
    Log,
}

/// One way of telling. Sinks are called from the notifier's own thread, one
/// notification at a time, so a slow sink delays other sinks but never the
/// engine; a sink that may take long (the webhook) hands its work to a
/// thread of its own.
pub trait Sink: Send {
    /// A short name for logs: "desktop", "webhook".
    fn name(&self) -> &'static str;
    /// Which policy rules apply to it.
    fn kind(&self) -> SinkKind;
    /// Tells `notification`.
    fn deliver(&mut self, notification: &Notification) -> Result<(), NotifyError>;
}

/// One line per notification on standard error (or any writer).
pub struct ConsoleSink {
    out: Box<dyn Write + Send>,
}

impl std::fmt::Debug for ConsoleSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleSink").finish_non_exhaustive()
    }
}

impl ConsoleSink {
    /// Writes to standard error, where a daemon's or a CLI's messages go.
    pub fn stderr() -> ConsoleSink {
        ConsoleSink {
            out: Box::new(std::io::stderr()),
        }
    }

    /// Writes to `out` (a file, a buffer in a test).
    pub fn to_writer(out: Box<dyn Write + Send>) -> ConsoleSink {
        ConsoleSink { out }
    }
}

impl Sink for ConsoleSink {
    fn name(&self) -> &'static str {
        "console"
    }

    fn kind(&self) -> SinkKind {
        SinkKind::Console
    }

    fn deliver(&mut self, notification: &Notification) -> Result<(), NotifyError> {
        let marker = match notification.urgency {
            Urgency::Critical => "gleaner: error: ",
            Urgency::Normal | Urgency::Low => "gleaner: ",
        };
        writeln!(self.out, "{marker}{}", notification.one_line())
            .and_then(|()| self.out.flush())
            .map_err(NotifyError::Console)
    }
}

/// Every event into the `tracing` log (target `gleaner::notify`): critical
/// ones as warnings, outcomes as info, progress as debug.
#[derive(Debug, Default)]
pub struct LogSink;

impl LogSink {
    /// A log sink.
    pub fn new() -> LogSink {
        LogSink
    }
}

impl Sink for LogSink {
    fn name(&self) -> &'static str {
        "log"
    }

    fn kind(&self) -> SinkKind {
        SinkKind::Log
    }

    fn deliver(&mut self, n: &Notification) -> Result<(), NotifyError> {
        let kind = n.kind.as_str();
        let path = n
            .source_path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let (summary, body) = (n.summary.as_str(), n.body.as_str());
        match n.urgency {
            Urgency::Critical => {
                tracing::warn!(target: "gleaner::notify", kind, path, body, "{summary}")
            }
            Urgency::Normal => {
                tracing::info!(target: "gleaner::notify", kind, path, body, "{summary}")
            }
            Urgency::Low => {
                tracing::debug!(target: "gleaner::notify", kind, path, body, "{summary}")
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::notify::event::EventKind;

    /// A writer whose bytes the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn notification(summary: &str, body: &str, urgency: Urgency) -> Notification {
        Notification {
            summary: summary.into(),
            body: body.into(),
            urgency,
            kind: EventKind::JobCompleted,
            source_path: Some(PathBuf::from("/home/ada/notes")),
            events: Vec::new(),
        }
    }

    #[test]
    fn console_writes_one_line_each() {
        let buffer = Shared::default();
        let mut sink = ConsoleSink::to_writer(Box::new(buffer.clone()));
        sink.deliver(&notification(
            "Indexing finished: ~/notes",
            "1,204 new in 4.2 s",
            Urgency::Normal,
        ))
        .unwrap();
        sink.deliver(&notification(
            "2 jobs failed",
            "~/a failed: x\n~/b failed: y",
            Urgency::Critical,
        ))
        .unwrap();
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "gleaner: Indexing finished: ~/notes — 1,204 new in 4.2 s\n\
             gleaner: error: 2 jobs failed — ~/a failed: x; ~/b failed: y\n"
        );
    }

    #[test]
    fn log_sink_never_fails() {
        let mut sink = LogSink::new();
        for urgency in [Urgency::Low, Urgency::Normal, Urgency::Critical] {
            sink.deliver(&notification("s", "b", urgency)).unwrap();
        }
    }
}
