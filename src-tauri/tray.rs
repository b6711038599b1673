//! The system-tray icon and its menu: how Gleaner is present on the desktop
//! while it works in the background.
//!
//! The menu is a disabled status line (first "Gleaner — starting"; the status
//! task in `status.rs` updates it through [`set_status`]), "Pause indexing" /
//! "Resume indexing" (all indexing, remembered across restarts), "Scan now"
//! (a full scan of every active source), "Search…" and "Settings…" (the
//! window, on its Search or Sources tab), "Start at login" (a check item that
//! shows the platform's real state, see `autostart/`), "Open logs folder" and
//! "Quit". The icon has
//! one picture per [`TrayState`], embedded at compile time from `icons/`
//! (regenerate them with `icons/build.sh`).
//!
//! Pause, resume and scan go to the engine over its control socket, exactly
//! as `gleaner pause`, `gleaner resume` and `gleaner index --background` do,
//! on a thread of their own: the menu never waits for the engine.
//!
//! On Linux the tray goes through libayatana-appindicator (StatusNotifierItem):
//! the menu opens on any click and there are no click events, so everything
//! the user can do must be in the menu. The library must be installed at run
//! time, or creating the tray fails. The indicator shows its icon from a PNG
//! file, written to a per-user folder of Gleaner's (see `icon_file_dir`).

use tauri::image::Image;
use tauri::menu::{
    CheckMenuItem, CheckMenuItemBuilder, MenuBuilder, MenuEvent, MenuItem, MenuItemBuilder,
};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Id of the tray icon.
pub const TRAY_ID: &str = "gleaner";

const MENU_STATUS: &str = "status";
const MENU_PAUSE: &str = "pause";
const MENU_SCAN: &str = "scan";
const MENU_SEARCH: &str = "search";
const MENU_SETTINGS: &str = "settings";
const MENU_START_AT_LOGIN: &str = "start-at-login";
const MENU_LOGS: &str = "logs";
const MENU_QUIT: &str = "quit";

/// Event telling the window which tab to show (its payload: the tab's name).
pub const SHOW_TAB_EVENT: &str = "show-tab";

/// Text of the status line until the engine reports.
pub const STARTING_STATUS: &str = "Gleaner — starting";

/// The pause item's text while indexing runs.
pub const PAUSE_TEXT: &str = "Pause indexing";
/// The pause item's text while indexing is paused.
pub const RESUME_TEXT: &str = "Resume indexing";

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
    pause: MenuItem<R>,
    start_at_login: CheckMenuItem<R>,
    /// What the pause item does when clicked: pause (false) or resume (true).
    paused: std::sync::atomic::AtomicBool,
}

/// Creates the tray icon and its menu. Called once, from the app's setup.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let status = MenuItemBuilder::with_id(MENU_STATUS, STARTING_STATUS)
        .enabled(false)
        .build(app)?;
    let pause = MenuItemBuilder::with_id(MENU_PAUSE, PAUSE_TEXT).build(app)?;
    let start_at_login = CheckMenuItemBuilder::with_id(MENU_START_AT_LOGIN, "Start at login")
        .checked(crate::autostart::is_enabled(app).unwrap_or(false))
        .build(app)?;
    let menu = MenuBuilder::new(app)
        .item(&status)
        .separator()
        .item(&pause)
        .text(MENU_SCAN, "Scan now")
        .separator()
        .text(MENU_SEARCH, "Search…")
        .text(MENU_SETTINGS, "Settings…")
        .separator()
        .item(&start_at_login)
        .text(MENU_LOGS, "Open logs folder")
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

    app.manage(TrayHandles {
        icon,
        status,
        pause,
        start_at_login,
        paused: std::sync::atomic::AtomicBool::new(false),
    });
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
        MENU_PAUSE => {
            let paused = app
                .try_state::<TrayHandles<R>>()
                .is_some_and(|tray| tray.paused.load(std::sync::atomic::Ordering::Relaxed));
            in_background(app, "pause", move |desktop| {
                desktop.with_index_blocking(|index| {
                    crate::engine_client::set_indexing_paused(index, !paused)
                })
            });
        }
        MENU_SCAN => in_background(app, "scan", |desktop| {
            let (_ids, warnings) = crate::engine_client::scan_all(desktop.host.data_dir())?;
            for warning in warnings {
                tracing::info!(%warning, "scan now");
            }
            Ok(())
        }),
        MENU_SEARCH => {
            crate::show_settings_window(app);
            if let Err(error) = app.emit_to(crate::SETTINGS_WINDOW, SHOW_TAB_EVENT, "search") {
                tracing::warn!(%error, "cannot switch the window to Search");
            }
        }
        MENU_SETTINGS => crate::show_settings_window(app),
        MENU_START_AT_LOGIN => toggle_start_at_login(app),
        MENU_LOGS => open_logs_folder(app),
        MENU_QUIT => crate::quit(app),
        _ => {}
    }
}

/// Flips start at login. The check item toggled itself when clicked; it is
/// set again from the platform's state read back, so it never lies.
fn toggle_start_at_login<R: Runtime>(app: &AppHandle<R>) {
    let result = crate::autostart::is_enabled(app)
        .and_then(|enabled| crate::autostart::set_enabled(app, !enabled));
    let shown = match result {
        Ok(enabled) => enabled,
        Err(error) => {
            tracing::warn!(%error, "tray: start at login");
            crate::autostart::is_enabled(app).unwrap_or(false)
        }
    };
    if let Err(error) = set_start_at_login(app, shown) {
        tracing::warn!(%error, "cannot update the tray's start-at-login item");
    }
}

/// Opens the data directory's `logs` folder in the file manager.
fn open_logs_folder<R: Runtime>(app: &AppHandle<R>) {
    use tauri_plugin_opener::OpenerExt;
    let Some(desktop) = app.try_state::<crate::state::Desktop>() else {
        return;
    };
    let logs = desktop.host.data_dir().logs();
    // The hosted engine logs to stderr only: the folder may not exist yet.
    if let Err(error) = std::fs::create_dir_all(&logs) {
        tracing::warn!(%error, folder = %logs.display(), "cannot create the logs folder");
    }
    if let Err(error) = app.opener().open_path(logs.to_string_lossy(), None::<&str>) {
        tracing::warn!(%error, folder = %logs.display(), "cannot open the logs folder");
    }
}

/// Shows the start-at-login check item as `enabled`.
pub fn set_start_at_login<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> tauri::Result<()> {
    let Some(tray) = app.try_state::<TrayHandles<R>>() else {
        return Ok(());
    };
    tray.start_at_login.set_checked(enabled)
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

/// Runs a menu action that talks to the engine on a thread of its own, and
/// logs its failure (the status line shows its effect).
fn in_background<R: Runtime>(
    app: &AppHandle<R>,
    what: &'static str,
    action: impl FnOnce(&crate::state::Desktop) -> crate::error::CommandResult<()> + Send + 'static,
) {
    let Some(desktop) = app
        .try_state::<crate::state::Desktop>()
        .map(|d| d.inner().clone())
    else {
        return;
    };
    let spawned = std::thread::Builder::new()
        .name(format!("gleaner-tray-{what}"))
        .spawn(move || {
            if let Err(error) = action(&desktop) {
                tracing::warn!(%error, "tray action {what} failed");
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the tray action {what}");
    }
}

/// Shows "Resume indexing" while `paused`, else "Pause indexing".
pub fn set_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) -> tauri::Result<()> {
    let Some(tray) = app.try_state::<TrayHandles<R>>() else {
        return Ok(());
    };
    tray.paused
        .store(paused, std::sync::atomic::Ordering::Relaxed);
    tray.pause
        .set_text(if paused { RESUME_TEXT } else { PAUSE_TEXT })
}
