//! The one error type of the desktop shell's commands and actions.
//!
//! Errors stay typed everywhere in the shell (the engine's own
//! `gleaner_core::Error` included) and become strings in exactly one place:
//! the `Serialize` impl below, which is what the window receives when a
//! command fails. Its text is the error's `Display`, written for people.

use std::path::PathBuf;

use serde::{Serialize, Serializer};

/// Why a command or a tray action failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The engine refused or failed the operation.
    #[error(transparent)]
    Engine(#[from] gleaner_core::Error),
    /// The running engine answered with an error.
    #[error("{0}")]
    EngineRefused(String),
    /// The running engine answered something this app does not expect
    /// (an engine of another version).
    #[error("unexpected answer from the engine: {0}")]
    UnexpectedAnswer(String),
    /// No engine runs for the data directory, so nothing can be scanned.
    #[error("no engine is running for the index; restart Gleaner")]
    NoEngine,
    /// The index file is damaged or not Gleaner's, so this app has no
    /// connection to it.
    #[error(
        "the index cannot be used (damaged, or not Gleaner's): rebuild it from the settings window"
    )]
    IndexDamaged,
    /// A rebuild was asked for while an engine uses the index.
    #[error(
        "an engine is using the index, so it is not rebuilt; only an index the engine refused is"
    )]
    EngineInUse,
    /// A rebuild was asked for, but the engine did not refuse the index.
    #[error("the index is not damaged: there is nothing to rebuild")]
    IndexNotDamaged,
    /// A path outside every source was to be opened.
    #[error("{} is not inside any source", .0.display())]
    NotInSource(PathBuf),
    /// The system could not open a file.
    #[error("cannot open the file: {0}")]
    Open(#[from] tauri_plugin_opener::Error),
    /// The platform refused to change start at login (the entry could not
    /// be written, say).
    #[error("cannot change start at login: {0}")]
    Autostart(#[from] tauri_plugin_autostart::Error),
    /// A blocking task of the command died (a bug).
    #[error("internal error: {0}")]
    Task(#[from] tauri::Error),
}

impl Serialize for CommandError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The result of every command.
pub type CommandResult<T> = Result<T, CommandError>;
