//! Gleaner's desktop shell: a tray app that hosts the engine and keeps the
//! local document index fresh in the background.
//!
//! What this crate does:
//! - hosts the engine (`gleaner-core`) on a thread of its own, or attaches to
//!   the `gleaner daemon` that already runs for the data directory
//!   ([`engine_host`]); every action goes through the engine's control socket
//!   ([`engine_client`]), exactly as the CLI's do;
//! - puts an icon with a menu in the system tray ([`tray`]), whose status
//!   line and picture follow the index ([`status`]);
//! - owns one settings window, labelled [`SETTINGS_WINDOW`], created hidden
//!   from `tauri.conf.json`; the tray's "Settings…" item, a second launch of
//!   the app and a first run (no sources yet) show it, and closing it only
//!   hides it again (minimizes it on a desktop with no tray, see
//!   [`tray_host`]); the window calls the [`commands`];
//! - keeps running with no window open: the app ends only through
//!   [`quit`] (the tray's Quit item, or SIGTERM/SIGINT/SIGHUP on Unix, see
//!   `signals.rs`), which stops the hosted engine cleanly and exits with code 0.
//!
//! Start-up options, mostly for screenshots and end-to-end tests:
//! `--show-settings` or `GLEANER_SHOW_SETTINGS=1` shows the settings window at
//! start. `GLEANER_DATA_DIR` puts the index elsewhere (as for the CLI).
//! `RUST_LOG` sets the log filter (default: this crate's info, others' warnings).

pub mod autostart;
pub mod commands;
pub mod engine_client;
pub mod engine_host;
pub mod error;
mod logging;
pub mod rebuild;
#[cfg(unix)]
mod signals;
pub mod state;
pub mod status;
#[cfg(desktop)]
pub mod tray;
pub mod tray_host;

use std::ffi::OsStr;
use std::sync::Arc;
use std::time::Duration;

use gleaner_core::{DataDir, Index};
use tauri::{AppHandle, Manager, RunEvent, Runtime, WebviewWindow, WindowEvent};

use crate::engine_host::EngineHost;
use crate::state::Desktop;
use crate::status::LastSnapshot;

/// How long quitting waits for the hosted engine to finish its batch.
const ENGINE_STOP_GRACE: Duration = Duration::from_secs(8);

/// The app's name as people see it; `productName` in `tauri.conf.json`.
pub const APP_NAME: &str = "Gleaner";

/// Label of the settings window declared in `tauri.conf.json`; the capability
/// in `src-tauri/capabilities/default.json` is scoped to it.
pub const SETTINGS_WINDOW: &str = "settings";

/// Command-line flag that shows the settings window at start.
pub const SHOW_SETTINGS_FLAG: &str = "--show-settings";

/// Environment variable that, set to a true value, shows the settings window at start.
pub const SHOW_SETTINGS_ENV: &str = "GLEANER_SHOW_SETTINGS";

/// Builds and runs the app. Never returns: the process exits with the code
/// given to [`quit`] (0), or 1 if the app failed to start.
pub fn run() {
    logging::init(DataDir::resolve(None).ok().as_ref());
    // The name GLib reports for the app; the tray's StatusNotifierItem title
    // (a tooltip on KDE, the entry in tray settings) otherwise shows the
    // binary's name, "gleaner-desktop".
    #[cfg(target_os = "linux")]
    glib::set_application_name(APP_NAME);
    let show_settings = show_settings_at_start(
        std::env::args_os().skip(1),
        std::env::var_os(SHOW_SETTINGS_ENV).as_deref(),
    );

    let builder = tauri::Builder::default()
        // First: a second launch must not get as far as starting an engine.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("Gleaner was launched again: showing the settings window");
            show_settings_window(app);
        }));
    let app = autostart::init(builder)
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(tauri::generate_handler![
            commands::get_status,
            commands::list_sources,
            commands::add_source,
            commands::update_source,
            commands::remove_source,
            commands::set_source_active,
            commands::preview_rules,
            commands::pick_folder,
            commands::list_jobs,
            commands::pause_job,
            commands::resume_job,
            commands::cancel_job,
            commands::set_indexing_paused,
            commands::scan_now,
            commands::search,
            commands::health,
            commands::get_settings,
            commands::set_setting,
            commands::get_start_at_login,
            commands::set_start_at_login,
            commands::failed_files,
            commands::open_path,
            commands::rebuild_index,
            commands::tray_available,
        ])
        .setup(move |app| {
            let data_dir = DataDir::resolve(None)?;
            // Opened (and migrated) before the engine starts, so the two
            // never race to create the schema.
            let (index, first_run) = open_index(&data_dir)?;
            let host = Arc::new(EngineHost::start(data_dir.clone()));
            app.manage(Desktop::new(index, host.clone()));
            app.manage(LastSnapshot::default());
            #[cfg(desktop)]
            tray::create(app.handle())?;
            status::spawn_status_task(app.handle().clone(), host);
            #[cfg(unix)]
            signals::exit_on_termination_signals(app.handle().clone());
            // Without a tray host the icon is never drawn: the window is
            // the app's only face, so it opens at start.
            let tray = tray_host::present();
            if !tray {
                tracing::warn!(
                    "this desktop shows no tray icons ({} has no owner): the window stays open, and closing it minimizes it",
                    tray_host::WATCHER
                );
            }
            if show_settings || first_run || !tray {
                show_settings_window(app.handle());
            }
            tracing::info!(data_dir = %data_dir.path().display(), "Gleaner started");
            Ok(())
        })
        .on_window_event(|window, event| {
            // The settings window is reused for the app's whole life: closing
            // it hides it (the tray brings it back) or, on a desktop without
            // a tray, minimizes it, so no window close ever ends the app.
            if window.label() == SETTINGS_WINDOW {
                if let WindowEvent::CloseRequested { api, .. } = event {
                    api.prevent_close();
                    let on_close = tray_host::OnClose::with_tray(tray_host::present());
                    let closed = match on_close {
                        tray_host::OnClose::Hide => window.hide(),
                        tray_host::OnClose::Minimize => window.minimize(),
                    };
                    match closed {
                        Ok(()) => tracing::info!(?on_close, "the settings window was closed"),
                        Err(error) => {
                            tracing::warn!(%error, "cannot put the settings window away")
                        }
                    }
                }
            }
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|error| {
            tracing::error!(%error, "cannot start Gleaner");
            std::process::exit(1);
        });

    app.run(|app, event| match event {
        // `code` is None when the exit comes from the windowing system
        // (e.g. the last window went away), Some(_) when it comes from
        // `AppHandle::exit`, i.e. from `quit`. A tray app only honours the latter.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        // Whatever ended the app, the engine stops cleanly (a no-op after `quit`).
        RunEvent::Exit => stop_engine(app),
        _ => {}
    });
}

/// Opens the index, and tells whether it has no sources yet (a first run).
/// A damaged or foreign index file does not stop the app: the engine
/// refuses it too, and the window then offers to rebuild it.
fn open_index(data_dir: &DataDir) -> gleaner_core::Result<(Option<Index>, bool)> {
    let opened = Index::open(data_dir.clone()).and_then(|mut index| {
        // The window searches as the user types: prefixes get the
        // frequent-word tables.
        index.set_long_lived();
        index.sources().map(|sources| (index, sources.is_empty()))
    });
    match opened {
        Ok((index, first_run)) => Ok((Some(index), first_run)),
        Err(error) if error.is_corrupt_index() => {
            tracing::error!(%error, "the index cannot be used until it is rebuilt");
            Ok((None, false))
        }
        Err(error) => Err(error),
    }
}

/// Ends the app cleanly with exit code 0: stops the hosted engine (it
/// finishes its batch; running jobs continue in the next engine), then exits.
/// Safe to call from any thread; returns at once.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    tracing::info!("quitting");
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("gleaner-quit".into())
        .spawn({
            let app = app.clone();
            move || {
                stop_engine(&app);
                app.exit(0);
            }
        });
    if spawned.is_err() {
        stop_engine(&app);
        app.exit(0);
    }
}

fn stop_engine<R: Runtime>(app: &AppHandle<R>) {
    if let Some(desktop) = app.try_state::<Desktop>() {
        desktop.host.stop(ENGINE_STOP_GRACE);
    }
}

/// Shows, unminimises and focuses the settings window, recreating it from
/// `tauri.conf.json` if it was destroyed.
pub fn show_settings_window<R: Runtime>(app: &AppHandle<R>) {
    let window = match app.get_webview_window(SETTINGS_WINDOW) {
        Some(window) => Ok(window),
        None => recreate_settings_window(app),
    };
    let shown = window.and_then(|window| {
        window.show()?;
        window.unminimize()?;
        window.set_focus()
    });
    if let Err(error) = shown {
        tracing::warn!(%error, "cannot show the settings window");
    }
}

fn recreate_settings_window<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == SETTINGS_WINDOW)
        .cloned()
        // Only if tauri.conf.json lost the window: a packaging bug.
        .ok_or(tauri::Error::WindowNotFound)?;
    tauri::WebviewWindowBuilder::from_config(app, &config)?.build()
}

/// Whether the settings window should be shown at start: the `--show-settings`
/// flag among `args` (program name excluded), or `GLEANER_SHOW_SETTINGS` set to
/// anything but empty, `0`, `false`, `no` or `off`.
fn show_settings_at_start<I, S>(args: I, env: Option<&OsStr>) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let flag = args
        .into_iter()
        .any(|arg| arg.as_ref() == SHOW_SETTINGS_FLAG);
    let env = env.is_some_and(|value| {
        let value = value.to_string_lossy();
        let value = value.trim();
        !(value.is_empty()
            || value == "0"
            || value.eq_ignore_ascii_case("false")
            || value.eq_ignore_ascii_case("no")
            || value.eq_ignore_ascii_case("off"))
    });
    flag || env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shows(args: &[&str], env: Option<&str>) -> bool {
        show_settings_at_start(args.iter().copied(), env.map(OsStr::new))
    }

    #[test]
    fn hidden_by_default() {
        assert!(!shows(&[], None));
        assert!(!shows(&["--other"], None));
    }

    #[test]
    fn flag_shows_settings() {
        assert!(shows(&["--show-settings"], None));
        assert!(shows(&["-v", "--show-settings"], Some("0")));
    }

    #[test]
    fn env_values() {
        for yes in ["1", "true", "yes", "on", "TRUE"] {
            assert!(shows(&[], Some(yes)), "{yes}");
        }
        for no in ["", " ", "0", "false", "No", "OFF"] {
            assert!(!shows(&[], Some(no)), "{no:?}");
        }
    }
}
