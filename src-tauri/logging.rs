//! Where the app's log goes: stderr, and a daily file in the data
//! directory's `logs/` folder (the tray's "Open logs folder" opens it), the
//! last 7 kept, as the daemon does. The files are named `desktop.DATE.log`,
//! apart from the daemon's `gleaner.DATE.log`, so neither prunes the other's.
//!
//! Writes are plain blocking writes: the app exits through
//! `std::process::exit`, which would drop the lines still queued in a
//! background writer, and it logs little.

use gleaner_core::DataDir;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Days of log files kept.
const KEPT_FILES: usize = 7;

/// Starts logging; `RUST_LOG` overrides the default filter (this crate's
/// info, others' warnings). Without a usable data directory only stderr is used.
pub fn init(data_dir: Option<&DataDir>) {
    let filter = || {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| {
            EnvFilter::new(format!(
                "warn,gleaner_desktop=info,{}",
                gleaner_core::QUIET_DEPENDENCIES
            ))
        })
    };
    // Colours only on a terminal: a launcher or service manager writing
    // stderr to a file would keep the escape codes.
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(filter());
    let file = data_dir.and_then(|data_dir| {
        std::fs::create_dir_all(data_dir.logs()).ok()?;
        let appender = tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("desktop")
            .filename_suffix("log")
            .max_log_files(KEPT_FILES)
            .build(data_dir.logs())
            .ok()?;
        Some(
            tracing_subscriber::fmt::layer()
                .with_writer(appender)
                .with_ansi(false)
                .with_filter(filter()),
        )
    });
    // Fails only if a subscriber is already set (e.g. by an embedding test).
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
}
