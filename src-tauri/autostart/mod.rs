//! Start at login: whether the desktop session launches Gleaner when the
//! user logs in, through tauri-plugin-autostart (an XDG autostart entry,
//! `~/.config/autostart/Gleaner.desktop`, on Linux; a launch agent on macOS;
//! the `Run` registry key on Windows).
//!
//! The state is never cached: [`is_enabled`] asks the platform each time, so
//! the tray's check item and the window's toggle show the truth even when the
//! user changed it elsewhere (a session manager, a deleted file).
//!
//! On Linux the plugin writes under `$HOME/.config` whatever
//! `XDG_CONFIG_HOME` says (its backend, auto-launch, does so), which is
//! where desktops look by default.

pub mod plugin;

use tauri::{AppHandle, Runtime};

use crate::error::CommandResult;

/// Whether the session starts Gleaner at login.
pub fn is_enabled<R: Runtime>(app: &AppHandle<R>) -> CommandResult<bool> {
    plugin::is_enabled(app)
}

/// Makes the session start Gleaner at login, or stop doing so. Returns the
/// state read back afterwards.
pub fn set_enabled<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> CommandResult<bool> {
    plugin::set_enabled(app, enabled)?;
    tracing::info!(enabled, "start at login changed");
    is_enabled(app)
}

/// Registers the plugin with the app builder.
pub fn init<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.plugin(plugin::init())
}
