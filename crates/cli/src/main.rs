//! `gleaner`: the command line of the Gleaner indexer.
//!
//! Every command is a thin adapter over `gleaner_core::Index`: anything the
//! desktop app can do, this can do, through the same engine calls. Errors
//! become one line on stderr here, and nowhere else.

mod args;
mod commands;
mod output;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Started by the engine as an extractor process: serve and exit before
    // anything else (no arguments to parse, no logging, no threads).
    gleaner_core::extract::serve_if_asked();
    // Large buffers freed go back to the system (see the module).
    gleaner_core::allocator::return_large_blocks();
    // Die quietly on a closed pipe (`gleaner jobs | head`), as Unix tools do,
    // instead of panicking in println!.
    // SAFETY: setting a signal disposition before any thread exists.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let args = args::Args::parse();
    // The daemon turns SIGINT/SIGTERM into a clean stop. Signals must be
    // blocked before any thread starts (the logger starts one), as every
    // thread inherits the mask and an unblocked one would take the signal.
    let shutdown = match args.command {
        args::Command::Daemon { .. } => match commands::shutdown_on_signals() {
            Ok(receiver) => Some(receiver),
            Err(err) => {
                eprintln!("gleaner: {err}");
                return ExitCode::FAILURE;
            }
        },
        _ => None,
    };
    let _log_guard = init_logging(&args);
    match commands::run(args, shutdown) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One clear line: the error and its causes, outermost first.
            let mut message = err.to_string();
            for cause in err.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(": ");
                    message.push_str(&cause);
                }
            }
            let corrupt = err.chain().any(|cause| {
                cause
                    .downcast_ref::<gleaner_core::Error>()
                    .is_some_and(gleaner_core::Error::is_corrupt_index)
            });
            if corrupt {
                message.push_str(
                    " — run `gleaner rebuild` to set it aside (it is kept, not deleted) \
                     and index your folders again",
                );
            }
            eprintln!("gleaner: {message}");
            if err
                .downcast_ref::<commands::EngineAlreadyRunning>()
                .is_some()
            {
                return ExitCode::from(gleaner_core::engine::control::ENGINE_BUSY_EXIT);
            }
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; the daemon also writes a daily log file in the data
/// directory's logs/ folder, keeping the last 7 (so logs never fill a disk).
/// The returned guard flushes the file when dropped.
fn init_logging(args: &args::Args) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;

    let is_daemon = matches!(args.command, args::Command::Daemon { .. });
    let default = match (args.verbose, is_daemon) {
        (0, false) => "warn",
        (0, true) | (1, _) => "info",
        _ => "debug",
    };
    let default = format!("{default},{}", gleaner_core::QUIET_DEPENDENCIES);
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("GLEANER_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&default))
    };
    // An engine another command started in the background writes its log
    // to the file alone: its stderr is a file kept for what it says when it
    // cannot start (`engine::control::ensure_engine`), which must not grow
    // with the log.
    let detached = std::env::var_os(gleaner_core::engine::DETACHED_ENV).is_some();
    let stderr = (!(is_daemon && detached)).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(false)
            // Colours only on a terminal, never in a redirected file.
            .with_ansi(std::io::stderr().is_terminal())
            .with_filter(filter())
    });
    let mut guard = None;
    let file = is_daemon
        .then(|| gleaner_core::DataDir::resolve(args.data_dir.as_deref()).ok())
        .flatten()
        .and_then(|data_dir| {
            data_dir.create().ok()?;
            std::fs::create_dir_all(data_dir.logs()).ok()?;
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("gleaner")
                .filename_suffix("log")
                .max_log_files(7)
                .build(data_dir.logs())
                .ok()?;
            let (writer, flush_guard) = tracing_appender::non_blocking(appender);
            guard = Some(flush_guard);
            Some(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(false)
                    .with_target(false)
                    .with_filter(filter()),
            )
        });
    tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .init();
    guard
}
