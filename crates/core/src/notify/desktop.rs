//! Desktop pop-ups through the freedesktop notification service (D-Bus, via
//! notify-rust), from the daemon as from the tray app.
//!
//! A machine without a session bus (a server, a service started outside the
//! desktop session) must not make the notifier hang or panic: the bus is
//! looked for before each call and its absence named plainly, and each call
//! runs on a short-lived thread the sink waits for at most
//! [`DesktopSink::timeout`]. A call still stuck after that is left to finish
//! on its own, and while it is stuck further calls fail at once rather than
//! pile up threads.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::time::Duration;

use super::error::NotifyError;
use super::event::Notification;
use super::sink::{Sink, SinkKind};

/// How long a call may take by default. D-Bus answers within milliseconds;
/// only a missing or wedged service takes longer (D-Bus itself gives up
/// after 25 s).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Pop-ups on the desktop.
#[derive(Debug)]
pub struct DesktopSink {
    app_name: String,
    icon: String,
    timeout: Duration,
    /// The answer to a call that outlived its timeout.
    stuck: Option<Receiver<Result<(), NotifyError>>>,
}

impl Default for DesktopSink {
    fn default() -> DesktopSink {
        DesktopSink::new()
    }
}

impl DesktopSink {
    /// Notifications from "Gleaner" with the icon named "gleaner".
    pub fn new() -> DesktopSink {
        DesktopSink {
            app_name: "Gleaner".into(),
            icon: "gleaner".into(),
            timeout: DEFAULT_TIMEOUT,
            stuck: None,
        }
    }

    /// The application name shown with each notification.
    pub fn app_name(mut self, app_name: impl Into<String>) -> DesktopSink {
        self.app_name = app_name.into();
        self
    }

    /// An icon name from the icon theme, or the path of an image file.
    pub fn icon(mut self, icon: impl Into<String>) -> DesktopSink {
        self.icon = icon.into();
        self
    }

    /// How long to wait for the notification service (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> DesktopSink {
        self.timeout = timeout;
        self
    }

    /// Whether a session bus is there to talk to: `Err` names what is
    /// missing. A daemon on a headless machine leaves the desktop sink out
    /// rather than failing at every notification.
    pub fn find_session_bus() -> Result<(), NotifyError> {
        find_session_bus()
    }

    fn build(&self, n: &Notification) -> notify_rust::Notification {
        let mut desktop = notify_rust::Notification::new();
        desktop
            .appname(&self.app_name)
            .summary(&n.summary)
            .body(&escape_markup(&n.body))
            .icon(&self.icon);
        #[cfg(all(unix, not(target_os = "macos")))]
        add_xdg_hints(&mut desktop, n);
        desktop
    }
}

/// Urgency, category and transience: freedesktop hints (other platforms
/// have no such thing).
#[cfg(all(unix, not(target_os = "macos")))]
fn add_xdg_hints(desktop: &mut notify_rust::Notification, n: &Notification) {
    use super::event::{EventKind, Urgency};
    desktop.urgency(match n.urgency {
        Urgency::Low => notify_rust::Urgency::Low,
        Urgency::Normal => notify_rust::Urgency::Normal,
        Urgency::Critical => notify_rust::Urgency::Critical,
    });
    // Standard categories let the notification server group and style them.
    let category = match n.kind {
        EventKind::JobCompleted => Some("transfer.complete"),
        EventKind::JobFailed => Some("transfer.error"),
        EventKind::SourceError => Some("device.error"),
        EventKind::SourceRecovered => Some("device.added"),
        _ => None,
    };
    if let Some(category) = category {
        desktop.hint(notify_rust::Hint::Category(category.into()));
    }
    if n.urgency == Urgency::Low {
        // Progress need not stay in the notification history.
        desktop.hint(notify_rust::Hint::Transient(true));
    }
}

impl Sink for DesktopSink {
    fn name(&self) -> &'static str {
        "desktop"
    }

    fn kind(&self) -> SinkKind {
        SinkKind::Desktop
    }

    fn deliver(&mut self, n: &Notification) -> Result<(), NotifyError> {
        if let Some(stuck) = &self.stuck {
            match stuck.try_recv() {
                Err(TryRecvError::Empty) => {
                    return Err(NotifyError::DesktopTimeout {
                        timeout: self.timeout,
                    })
                }
                Ok(_) | Err(TryRecvError::Disconnected) => self.stuck = None,
            }
        }
        find_session_bus()?;
        let desktop = self.build(n);
        let (answer, answered) = mpsc::channel();
        std::thread::Builder::new()
            .name("gleaner-desktop-notify".into())
            .spawn(move || {
                let result = desktop
                    .show()
                    .map(drop)
                    .map_err(|err| describe_failure(&err.to_string()));
                let _ = answer.send(result);
            })
            .map_err(|err| NotifyError::Desktop {
                reason: format!("cannot start a thread: {err}"),
            })?;
        match answered.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                self.stuck = Some(answered);
                Err(NotifyError::DesktopTimeout {
                    timeout: self.timeout,
                })
            }
            Err(RecvTimeoutError::Disconnected) => Err(NotifyError::Desktop {
                reason: "the D-Bus call panicked".into(),
            }),
        }
    }
}

/// Looks for the session bus the way D-Bus clients do, so that its absence
/// gets a clear error before any connection is tried.
#[cfg(all(unix, not(target_os = "macos")))]
fn find_session_bus() -> Result<(), NotifyError> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty()) {
        return Ok(());
    }
    use std::path::PathBuf;
    let runtime_dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        // SAFETY: geteuid cannot fail.
        .unwrap_or_else(|| PathBuf::from(format!("/run/user/{}", unsafe { libc::geteuid() })));
    let socket = runtime_dir.join("bus");
    if socket.exists() {
        return Ok(());
    }
    Err(NotifyError::NoSessionBus {
        reason: format!(
            "DBUS_SESSION_BUS_ADDRESS is not set and {} does not exist",
            socket.display()
        ),
    })
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn find_session_bus() -> Result<(), NotifyError> {
    Ok(())
}

/// Names the usual failures in words a user can act on.
fn describe_failure(message: &str) -> NotifyError {
    if message.contains("ServiceUnknown") || message.contains("NameHasNoOwner") {
        return NotifyError::NoNotificationService {
            detail: "nobody owns org.freedesktop.Notifications".into(),
        };
    }
    if message.contains("org.freedesktop.DBus.Error.Spawn.") {
        // D-Bus knows a service for the name but could not start it.
        return NotifyError::NoNotificationService {
            detail: format!("starting it failed: {message}"),
        };
    }
    if message.contains("I/O error") || message.contains("os error") {
        let address = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
        return NotifyError::NoSessionBus {
            reason: format!("cannot connect to {address:?}: {message}"),
        };
    }
    NotifyError::Desktop {
        reason: message.to_string(),
    }
}

/// Notification servers may read the body as markup: a path with `<` or `&`
/// must not vanish or break it.
fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::event::{EventKind, Urgency};

    #[test]
    fn bus_failures_are_named() {
        let err = describe_failure(
            "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.Notifications was not \
             provided by any .service files",
        );
        assert!(
            matches!(err, NotifyError::NoNotificationService { .. }),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("no notification service runs on the session bus"),
            "{err}"
        );
        let err = describe_failure(
            "org.freedesktop.DBus.Error.Spawn.ChildSignaled: Process org.freedesktop.Notifications received \
             signal 5",
        );
        assert!(err.to_string().contains("starting it failed"), "{err}");
        let err = describe_failure("I/O error: No such file or directory (os error 2)");
        assert!(matches!(err, NotifyError::NoSessionBus { .. }), "{err:?}");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape_markup("~/a&b/<x>"), "~/a&amp;b/&lt;x&gt;");
    }

    fn notification(kind: EventKind, urgency: Urgency) -> Notification {
        Notification {
            summary: "Indexing finished: ~/notes".into(),
            body: "3 new & <1> failed".into(),
            urgency,
            kind,
            source_path: None,
            events: Vec::new(),
        }
    }

    // What is handed to D-Bus is built without sending anything.
    #[test]
    fn pop_ups_carry_the_app_icon_category_and_urgency() {
        use notify_rust::Hint;
        let sink = DesktopSink::default()
            .app_name("Gleaner (test)")
            .icon("/usr/share/icons/gleaner.png");
        let built = sink.build(&notification(EventKind::JobCompleted, Urgency::Normal));
        assert_eq!(built.appname, "Gleaner (test)");
        assert_eq!(built.icon, "/usr/share/icons/gleaner.png");
        assert_eq!(built.summary, "Indexing finished: ~/notes");
        assert_eq!(built.body, "3 new &amp; &lt;1&gt; failed");
        assert!(built
            .hints
            .contains(&Hint::Category("transfer.complete".into())));
        assert!(built
            .hints
            .contains(&Hint::Urgency(notify_rust::Urgency::Normal)));
        assert!(!built.hints.contains(&Hint::Transient(true)));

        for (kind, category) in [
            (EventKind::JobFailed, Some("transfer.error")),
            (EventKind::SourceError, Some("device.error")),
            (EventKind::SourceRecovered, Some("device.added")),
            (EventKind::HealthDegraded, None),
            (EventKind::IndexLost, None),
            (EventKind::Digest, None),
        ] {
            let built = sink.build(&notification(kind, Urgency::Critical));
            let categories: Vec<&Hint> = built
                .hints
                .iter()
                .filter(|hint| matches!(hint, Hint::Category(_)))
                .collect();
            match category {
                Some(category) => assert_eq!(categories, [&Hint::Category(category.into())]),
                None => assert!(categories.is_empty(), "{kind:?}: {categories:?}"),
            }
            assert!(built
                .hints
                .contains(&Hint::Urgency(notify_rust::Urgency::Critical)));
        }
        // Progress is low urgency and transient: it does not stay in the
        // notification history.
        let built = sink.build(&notification(EventKind::JobMilestone, Urgency::Low));
        assert!(built
            .hints
            .contains(&Hint::Urgency(notify_rust::Urgency::Low)));
        assert!(built.hints.contains(&Hint::Transient(true)));
    }

    #[test]
    fn a_call_still_stuck_fails_the_next_one_at_once() {
        let (_still_running, answer) = mpsc::channel();
        let mut sink = DesktopSink::new().timeout(Duration::from_millis(20));
        sink.stuck = Some(answer);
        let err = sink
            .deliver(&notification(EventKind::JobCompleted, Urgency::Normal))
            .unwrap_err();
        assert!(matches!(err, NotifyError::DesktopTimeout { .. }), "{err:?}");
        assert!(sink.stuck.is_some());
        assert_eq!(sink.name(), "desktop");
        assert_eq!(sink.kind(), SinkKind::Desktop);
    }
}
