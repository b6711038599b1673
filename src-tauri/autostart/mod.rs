//! Start at login: whether the desktop session launches Gleaner when the
//! user logs in, read from and written to the place the platform keeps it.
//!
//! The state is never cached: [`is_enabled`] asks the platform each time, so
//! the tray's check item and the window's toggle show the truth even when the
//! user changed it elsewhere (a session manager, a deleted file).
//!
//! - Linux (and the BSDs): an XDG autostart entry, `$XDG_CONFIG_HOME/autostart/Gleaner.desktop`
//!   (`~/.config/autostart/` when `XDG_CONFIG_HOME` is unset), written by
//!   [`xdg`]. Not through tauri-plugin-autostart, whose Linux backend
//!   (auto-launch) always writes under `$HOME/.config` whatever
//!   `XDG_CONFIG_HOME` says and does not quote the `Exec` line; the file name
//!   is the one that plugin would use, so either finds the other's entry.
//! - macOS and Windows: tauri-plugin-autostart (a launch agent; the `Run`
//!   registry key), see [`plugin`].

#[cfg(any(target_os = "macos", target_os = "windows"))]
pub mod plugin;
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
pub mod xdg;

use tauri::{AppHandle, Runtime};

use crate::error::{CommandError, CommandResult};

/// Whether the session starts Gleaner at login.
pub fn is_enabled<R: Runtime>(app: &AppHandle<R>) -> CommandResult<bool> {
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    {
        let _ = app;
        let entry = xdg::AutostartEntry::for_this_app().map_err(CommandError::Autostart)?;
        Ok(entry.is_enabled())
    }
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    {
        plugin::is_enabled(app)
    }
}

/// Makes the session start Gleaner at login, or stop doing so. Returns the
/// state read back afterwards.
pub fn set_enabled<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> CommandResult<bool> {
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    {
        let entry = xdg::AutostartEntry::for_this_app().map_err(CommandError::Autostart)?;
        let changed = if enabled {
            entry.enable()
        } else {
            entry.disable()
        };
        changed.map_err(CommandError::Autostart)?;
    }
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    plugin::set_enabled(app, enabled)?;
    tracing::info!(enabled, "start at login changed");
    is_enabled(app)
}

/// Registers what the platform's backend needs with the app builder.
pub fn init<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    {
        builder
    }
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    {
        builder.plugin(plugin::init())
    }
}
