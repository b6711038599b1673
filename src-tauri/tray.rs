//! The system-tray icon and its menu: how Gleaner is present on the desktop
//! while it works in the background.
//!
//! The menu is a disabled status line (first "Gleaner — starting"; the engine
//! will update it through [`set_status`]), "Settings…" and "Quit". The icon
//! has one picture per [`TrayState`], embedded at compile time from `icons/`
//! (regenerate them with `icons/build.sh`).
//!
//! On Linux the tray goes through libayatana-appindicator (StatusNotifierItem):
//! the menu opens on any click and there are no click events, so everything
//! the user can do must be in the menu. The library must be installed at run
//! time, or creating the tray fails. The indicator shows its icon from a PNG
//! file, written to a per-user folder of Gleaner's (see `icon_file_dir`).

use tauri::image::Image;
use tauri::menu::{MenuBuilder, MenuEvent, MenuItem, MenuItemBuilder};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

/// Id of the tray icon.
pub const TRAY_ID: &str = "gleaner";

const MENU_STATUS: &str = "status";
const MENU_SETTINGS: &str = "settings";
const MENU_QUIT: &str = "quit";

/// Text of the status line until the engine reports.
pub const STARTING_STATUS: &str = "Gleaner — starting";

/// What the indexer is doing, as the tray icon shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayState {
    /// Index up to date, watching for changes.
    Idle,
    /// Scanning or indexing files.
    Indexing,
    /// Paused by the user.
    Paused,
    /// Something needs the user's attention.
    Error,
}

impl TrayState {
    /// The tray picture for this state (64x64 RGBA, decoded at compile time).
    pub fn icon(self) -> Image<'static> {
        match self {
            TrayState::Idle => tauri::include_image!("icons/tray-idle.png"),
            TrayState::Indexing => tauri::include_image!("icons/tray-indexing.png"),
            TrayState::Paused => tauri::include_image!("icons/tray-paused.png"),
            TrayState::Error => tauri::include_image!("icons/tray-error.png"),
        }
    }
}

/// Handles kept in tauri's state so the status line can change later.
struct TrayHandles<R: Runtime> {
    icon: TrayIcon<R>,
    status: MenuItem<R>,
}

/// Creates the tray icon and its menu. Called once, from the app's setup.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let status = MenuItemBuilder::with_id(MENU_STATUS, STARTING_STATUS)
        .enabled(false)
        .build(app)?;
    let menu = MenuBuilder::new(app)
        .item(&status)
        .separator()
        .text(MENU_SETTINGS, "Settings…")
        .separator()
        .text(MENU_QUIT, "Quit")
        .build()?;

    let builder = TrayIconBuilder::with_id(TRAY_ID)
        .icon(TrayState::Idle.icon())
        .tooltip(STARTING_STATUS)
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event);
    #[cfg(target_os = "linux")]
    let builder = match icon_file_dir(app) {
        Some(dir) => builder.temp_dir_path(dir),
        None => builder,
    };
    let icon = builder.build(app)?;

    app.manage(TrayHandles { icon, status });
    Ok(())
}

/// Where the Linux tray writes its icon files: `$XDG_RUNTIME_DIR/<identifier>/tray`
/// (per user, emptied at logout), else `~/.cache/<identifier>/tray`.
/// tray-icon's own default, `$XDG_RUNTIME_DIR/tray-icon` or else
/// `/tmp/tray-icon`, is shared with every other tray-icon app, and the `/tmp`
/// one with every user, whose folder this user may not be allowed to write.
#[cfg(target_os = "linux")]
fn icon_file_dir<R: Runtime>(app: &AppHandle<R>) -> Option<std::path::PathBuf> {
    let identifier = &app.config().identifier;
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(std::path::PathBuf::from)
        .filter(|dir| dir.is_absolute() && dir.is_dir())
        .map(|dir| dir.join(identifier))
        .or_else(|| app.path().app_cache_dir().ok())
        .map(|dir| dir.join("tray"))
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id().as_ref() {
        MENU_SETTINGS => crate::show_settings_window(app),
        MENU_QUIT => crate::quit(app),
        _ => {}
    }
}

/// Shows `text` as the menu's status line and the icon's tooltip.
pub fn set_status<R: Runtime>(app: &AppHandle<R>, text: &str) -> tauri::Result<()> {
    let Some(tray) = app.try_state::<TrayHandles<R>>() else {
        return Ok(()); // no tray (yet): nothing to update
    };
    tray.status.set_text(text)?;
    tray.icon.set_tooltip(Some(text))
}

/// Switches the tray picture to the one for `state`.
pub fn set_state<R: Runtime>(app: &AppHandle<R>, state: TrayState) -> tauri::Result<()> {
    let Some(tray) = app.try_state::<TrayHandles<R>>() else {
        return Ok(());
    };
    tray.icon.set_icon(Some(state.icon()))
}
