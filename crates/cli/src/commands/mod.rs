//! One module per command family; each is a thin adapter over the engine.

mod config;
mod index;
mod search;
mod source;
mod status;

use anyhow::Result;
use gleaner_core::{DataDir, Index};

use crate::args::{Args, Command};

/// Runs one parsed command line.
pub fn run(args: Args) -> Result<()> {
    let data_dir = DataDir::resolve(args.data_dir.as_deref())?;
    let mut index = Index::open(data_dir)?;
    match args.command {
        Command::Source(command) => source::run(&index, command),
        Command::Index { path, json } => index::run(&mut index, path.as_deref(), json),
        Command::Search { query, limit, source, ext, json } => {
            search::run(&index, &query.join(" "), limit, source.as_deref(), ext, json)
        }
        Command::Status { job: Some(job), json } => status::job(&index, &job, json),
        Command::Status { job: None, json } => status::sources(&index, json),
        Command::Jobs { status, limit, json } => status::jobs(&index, status.as_deref(), limit, json),
        Command::Config(command) => config::run(&index, command),
        Command::Check { json } => status::check(&index, json),
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
