//! Whether this desktop shows tray icons at all.
//!
//! On Linux a tray icon is a StatusNotifierItem, shown only if something on
//! the session bus owns `org.kde.StatusNotifierWatcher` (KDE, XFCE, Cinnamon,
//! MATE, or GNOME with the AppIndicator extension). Stock GNOME has none:
//! the icon is registered and never drawn, and a window hidden "to the tray"
//! could only be brought back by launching the app again. Without a tray,
//! the app therefore opens its window at start, and closing the window
//! minimizes it instead of hiding it; the window says how to get a tray.

/// The bus name a tray host owns.
pub const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// Whether a tray host is on the session bus now (asked each time: a user
/// may enable the extension while the app runs). Elsewhere than Linux the
/// platform always has a tray.
pub fn present() -> bool {
    #[cfg(target_os = "linux")]
    {
        match watcher_has_owner() {
            Ok(present) => present,
            Err(error) => {
                tracing::warn!(%error, "cannot ask the session bus for a tray host");
                false
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

#[cfg(target_os = "linux")]
fn watcher_has_owner() -> zbus::Result<bool> {
    let connection = zbus::blocking::Connection::session()?;
    let bus = zbus::blocking::fdo::DBusProxy::new(&connection)?;
    let name = zbus::names::BusName::try_from(WATCHER)?;
    Ok(bus.name_has_owner(name)?)
}

/// What closing the settings window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnClose {
    /// Hide it: the tray icon brings it back.
    Hide,
    /// Minimize it: with no tray, the window list or dock is the way back.
    Minimize,
}

impl OnClose {
    pub fn with_tray(tray: bool) -> OnClose {
        if tray {
            OnClose::Hide
        } else {
            OnClose::Minimize
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_tray_a_closed_window_stays_reachable() {
        assert_eq!(OnClose::with_tray(true), OnClose::Hide);
        assert_eq!(OnClose::with_tray(false), OnClose::Minimize);
    }
}
