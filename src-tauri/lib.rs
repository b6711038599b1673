//! Gleaner's desktop shell: a tray app that will keep the local document index
//! fresh in the background (the engine, `gleaner-core`, is wired in later).
//!
//! What this crate does today:
//! - puts an icon with a menu in the system tray ([`tray`]);
//! - owns one settings window, labelled [`SETTINGS_WINDOW`], created hidden
//!   from `tauri.conf.json`; the tray's "Settings…" item shows it, and closing
//!   it only hides it again;
//! - keeps running with no window open: the app ends only through
//!   [`quit`] (the tray's Quit item, or SIGTERM/SIGINT/SIGHUP on Unix, see
//!   `signals.rs`), which exits with code 0.
//!
//! Start-up options, mostly for screenshots and end-to-end tests:
//! `--show-settings` or `GLEANER_SHOW_SETTINGS=1` shows the settings window at
//! start. `RUST_LOG` sets the log filter (default: this crate's info, others' warnings).

#[cfg(unix)]
mod signals;
#[cfg(desktop)]
pub mod tray;

use std::ffi::OsStr;

use tauri::{AppHandle, Manager, RunEvent, Runtime, WebviewWindow, WindowEvent};

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
    init_tracing();
    // The name GLib reports for the app; the tray's StatusNotifierItem title
    // (a tooltip on KDE, the entry in tray settings) otherwise shows the
    // binary's name, "gleaner-desktop".
    #[cfg(target_os = "linux")]
    glib::set_application_name(APP_NAME);
    let show_settings = show_settings_at_start(
        std::env::args_os().skip(1),
        std::env::var_os(SHOW_SETTINGS_ENV).as_deref(),
    );

    let app = tauri::Builder::default()
        .setup(move |app| {
            #[cfg(desktop)]
            tray::create(app.handle())?;
            #[cfg(unix)]
            signals::exit_on_termination_signals(app.handle().clone());
            if show_settings {
                show_settings_window(app.handle());
            }
            tracing::info!("Gleaner started");
            Ok(())
        })
        .on_window_event(|window, event| {
            // The settings window is reused for the app's whole life: closing
            // it hides it, so no window close ever ends the app.
            if window.label() == SETTINGS_WINDOW {
                if let WindowEvent::CloseRequested { api, .. } = event {
                    api.prevent_close();
                    if let Err(error) = window.hide() {
                        tracing::warn!(%error, "cannot hide the settings window");
                    }
                }
            }
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|error| {
            tracing::error!(%error, "cannot start Gleaner");
            std::process::exit(1);
        });

    app.run(|_app, event| {
        if let RunEvent::ExitRequested { code, api, .. } = event {
            // `code` is None when the exit comes from the windowing system
            // (e.g. the last window went away), Some(_) when it comes from
            // `AppHandle::exit`, i.e. from `quit`. A tray app only honours the latter.
            if code.is_none() {
                api.prevent_exit();
            }
        }
    });
}

/// Ends the app cleanly with exit code 0. Safe to call from any thread.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    tracing::info!("quitting");
    app.exit(0);
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

/// Logs to stderr; `RUST_LOG` overrides the default filter.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,gleaner_desktop=info"));
    // Fails only if a subscriber is already set (e.g. by an embedding test).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
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
