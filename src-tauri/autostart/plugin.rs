//! Start at login through tauri-plugin-autostart: an XDG autostart entry
//! on Linux, a launch agent plist in `~/Library/LaunchAgents` on macOS, the
//! app's value under the `Run` registry key on Windows.

use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::{MacosLauncher, ManagerExt};

use crate::error::CommandResult;

/// The plugin, registering Gleaner under its product name. The window gets
/// none of the plugin's commands: it goes through the app's own.
pub fn init<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_autostart::init(MacosLauncher::LaunchAgent, None)
}

/// Whether the platform starts Gleaner at login.
pub fn is_enabled<R: Runtime>(app: &AppHandle<R>) -> CommandResult<bool> {
    Ok(app.autolaunch().is_enabled()?)
}

/// Registers or unregisters Gleaner to start at login.
pub fn set_enabled<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> CommandResult<()> {
    let manager = app.autolaunch();
    if enabled {
        manager.enable()?;
    } else {
        manager.disable()?;
    }
    Ok(())
}
