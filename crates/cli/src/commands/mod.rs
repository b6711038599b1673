//! One module per command family; each is a thin adapter over the engine.

mod config;
mod daemon;
mod index;
mod rebuild;
mod search;
mod source;
mod status;

use anyhow::Result;
use gleaner_core::{DataDir, Index};

use crate::args::{Args, Command};

pub use daemon::{shutdown_on_signals, EngineAlreadyRunning};

/// Runs one parsed command line; `shutdown` fires on SIGINT/SIGTERM (daemon only).
pub fn run(args: Args, shutdown: Option<crossbeam_channel::Receiver<()>>) -> Result<()> {
    let data_dir = DataDir::resolve(args.data_dir.as_deref())?;
    match args.command {
        // The engine opens the index itself, after taking the lock.
        Command::Daemon { http } => {
            let shutdown = shutdown.expect("main sets up signals for the daemon");
            return daemon::run(data_dir, shutdown, http.as_deref());
        }
        Command::Stop => return daemon::stop(&data_dir),
        // The index may not open at all: rebuilding is what fixes that.
        Command::Rebuild { json } => return rebuild::run(&data_dir, json),
        // With no index there is still something to report.
        Command::Health { json } if !data_dir.database().is_file() => {
            return daemon::health_without_index(&data_dir, json)
        }
        _ => {}
    }
    // Only commands that write make an index; reading one that is not
    // there says so instead of leaving an empty one behind.
    let mut index = if writes(&args.command) {
        Index::open(data_dir.clone())?
    } else {
        Index::open_existing(data_dir.clone())?
    };
    match args.command {
        Command::Daemon { .. } | Command::Stop | Command::Rebuild { .. } => {
            unreachable!("handled above")
        }
        Command::Source(command) => {
            let changes_sources = !matches!(command, crate::args::SourceCommand::List { .. });
            source::run(&index, command)?;
            if changes_sources {
                daemon::notify_sources_changed(&data_dir);
            }
            Ok(())
        }
        Command::Index {
            path,
            background: true,
            json,
        } => daemon::index_in_background(&index, path.as_deref(), json),
        Command::Index {
            path,
            background: false,
            json,
        } => index::run(&mut index, path.as_deref(), json),
        Command::Pause { job } => daemon::control_job(&index, daemon::JobAction::Pause, job),
        Command::Resume { job } => daemon::control_job(&index, daemon::JobAction::Resume, job),
        Command::Cancel { job } => {
            daemon::control_job(&index, daemon::JobAction::Cancel, Some(job))
        }
        Command::Search {
            query,
            limit,
            source,
            ext,
            json,
        } => search::run(
            &index,
            &query.join(" "),
            limit,
            source.as_deref(),
            ext,
            json,
        ),
        Command::Status {
            job: Some(job),
            json,
        } => status::job(&index, &job, json),
        Command::Status { job: None, json } => status::sources(&index, json),
        Command::Jobs {
            status,
            limit,
            json,
        } => status::jobs(&index, status.as_deref(), limit, json),
        Command::Config(command) => {
            let changes_settings = matches!(command, crate::args::ConfigCommand::Set { .. });
            config::run(&index, command)?;
            // The engine reads most settings when it needs them; a reload
            // applies the rest (the notification policy) at once.
            if changes_settings {
                daemon::notify_sources_changed(&data_dir);
            }
            Ok(())
        }
        Command::Check { json } => status::check(&index, json),
        Command::RebuildSearch => status::rebuild_search(&index),
        Command::Health { json } => daemon::health(&index, json),
        Command::Mcp => Ok(gleaner_mcp::serve_stdio(index, std::env::current_exe()?)?),
    }
}

/// Whether a command makes the index when there is none: adding a
/// folder, indexing, changing a setting, and the MCP server, which is
/// handed an open index to serve.
fn writes(command: &Command) -> bool {
    use crate::args::{ConfigCommand, SourceCommand};
    match command {
        Command::Source(SourceCommand::List { .. }) => false,
        Command::Source(_) | Command::Index { .. } | Command::Mcp => true,
        Command::Config(ConfigCommand::Set { .. }) => true,
        _ => false,
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
