//! Why a notification could not be delivered.
//!
//! A failed delivery never stops the engine: the notifier logs it and goes
//! on. The variants are typed so a surface can say what to fix (start a
//! notification daemon, fix the webhook URL) instead of printing a string.

use std::time::Duration;

/// A sink failed to deliver, or was configured with something unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// There is no D-Bus session bus to talk to (a headless machine, a
    /// service started outside the desktop session).
    #[error("no D-Bus session bus: {reason}; desktop notifications need a desktop session")]
    NoSessionBus {
        /// What is missing, in plain words.
        reason: String,
    },
    /// The session bus works but no notification service is on it (no
    /// desktop, or a minimal one without a notification daemon).
    #[error(
        "no notification service runs on the session bus ({detail}); \
         start the desktop's notification daemon, e.g. dunst"
    )]
    NoNotificationService {
        /// Why: nobody owns `org.freedesktop.Notifications`, or D-Bus failed
        /// to start the service it knows for it.
        detail: String,
    },
    /// The notification service (or the bus) refused or failed the call.
    #[error("desktop notification failed: {reason}")]
    Desktop {
        /// What D-Bus or the notification server said.
        reason: String,
    },
    /// The notification service did not answer in time.
    #[error("the desktop notification service did not answer within {} s", timeout.as_secs_f64())]
    DesktopTimeout {
        /// How long the sink waited.
        timeout: Duration,
    },
    /// A webhook URL that cannot be used.
    #[error("bad webhook URL {url:?}: {reason}")]
    BadWebhookUrl {
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The webhook could not be reached or did not accept the notification,
    /// after every retry.
    #[error("webhook {url}: {reason} (after {attempts} attempts)")]
    Webhook {
        /// The URL posted to.
        url: String,
        /// The last failure.
        reason: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The webhook's delivery queue is full: the endpoint is slower than the
    /// notifications (which are a few per minute at most).
    #[error("webhook {url}: {n_queued} notifications are already waiting; this one is dropped")]
    WebhookBacklog {
        /// The URL posted to.
        url: String,
        /// Notifications waiting.
        n_queued: usize,
    },
    /// Writing to the console failed.
    #[error("console: {0}")]
    Console(#[source] std::io::Error),
}
