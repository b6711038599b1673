//! What every tool works with: the open index, and the way to the engine.
//!
//! Tools run on tokio's blocking pool (SQLite and the control socket are
//! blocking), one at a time over the one connection, as the CLI runs one
//! command at a time.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use gleaner_core::engine::control::{self, Request, Response, SOCKET_FILE};
use gleaner_core::health::EngineStatus;
use gleaner_core::lock::EngineLock;
use gleaner_core::store::text_path;
use gleaner_core::{DataDir, Index};

/// How long a control request may take; queuing a job or pausing one is
/// quick, so a slower engine is stuck rather than busy.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(30);

/// A tool call that could not be done, in words for the caller: it becomes
/// a tool result with `isError`, never a protocol error.
#[derive(Debug)]
pub struct ToolError(pub String);

impl ToolError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> ToolError {
        ToolError(message.into())
    }
}

impl From<gleaner_core::Error> for ToolError {
    fn from(err: gleaner_core::Error) -> ToolError {
        let hint = match &err {
            gleaner_core::Error::UnknownJob(_) => " (list_indexing_jobs shows the recent jobs)",
            gleaner_core::Error::UnknownSource(_) => " (list_sources shows them)",
            _ => "",
        };
        // The engine's own hints name CLI commands; they are still the
        // right advice for the person behind the assistant.
        ToolError(format!("{err}{hint}"))
    }
}

/// A tool's outcome: a JSON value for the caller, or why not.
pub type ToolResult = Result<serde_json::Value, ToolError>;

/// The index and the engine of one data directory.
pub struct Context {
    data_dir: DataDir,
    program: PathBuf,
    index: Mutex<Index>,
}

impl Context {
    /// Serves `index`; `program` is the `gleaner` executable.
    pub fn new(index: Index, program: PathBuf) -> Context {
        Context {
            data_dir: index.data_dir().clone(),
            program,
            index: Mutex::new(index),
        }
    }

    /// The index. A tool that panicked leaves nothing half-done in it (every
    /// write is a transaction), so a poisoned lock is taken over.
    pub fn index(&self) -> MutexGuard<'_, Index> {
        self.index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether an engine holds the lock of this data directory.
    pub fn engine_runs(&self) -> bool {
        EngineLock::holder(&self.data_dir.engine_lock()).is_some()
    }

    /// Makes sure an engine runs, starting `gleaner daemon` detached if none.
    pub fn ensure_engine(&self) -> Result<(), ToolError> {
        control::ensure_engine(&self.data_dir, &self.program).map_err(|err| {
            ToolError(format!(
                "could not start the Gleaner engine ({err}); try `gleaner daemon` in a terminal to see why"
            ))
        })
    }

    /// Sends a request to the running engine; its error answer is an error.
    pub fn request(&self, request: &Request) -> Result<Response, ToolError> {
        let socket = self.data_dir.path().join(SOCKET_FILE);
        match control::send(&socket, request, Some(ENGINE_TIMEOUT)) {
            Ok(Response::Error { message }) => Err(ToolError(message)),
            Ok(response) => Ok(response),
            Err(err) => Err(ToolError(format!("the engine did not answer: {err}"))),
        }
    }

    /// The engine's own health report, when one runs and answers.
    pub fn engine_status(&self) -> Option<EngineStatus> {
        if !self.engine_runs() {
            return None;
        }
        match self.request(&Request::Health) {
            Ok(Response::Health { status }) => Some(status),
            _ => None,
        }
    }
}

/// A path argument as a path: `~/` is the home folder, and it must be
/// absolute, since the server's working folder means nothing to the caller.
pub fn absolute_path(argument: &str, what: &str) -> Result<PathBuf, ToolError> {
    let argument = argument.trim();
    if argument.is_empty() {
        return Err(ToolError(format!(
            "{what} is empty: give the absolute path of a folder or file"
        )));
    }
    let path = match argument.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(rest),
            None => PathBuf::from(argument),
        },
        None if argument == "~" => {
            std::env::var_os("HOME").map_or_else(|| PathBuf::from(argument), PathBuf::from)
        }
        None => PathBuf::from(argument),
    };
    if !path.is_absolute() {
        return Err(ToolError(format!(
            "{what} {argument:?} is relative: give an absolute path (the server's working folder is not yours)"
        )));
    }
    Ok(path)
}

/// A path argument naming something in the index (a document, a source),
/// given as the tools return paths: the index's text form
/// (`gleaner_core::store::path_text`), in which a file name's bytes that
/// are not UTF-8 are written as U+FFFD and two hex digits
/// (`caf\u{FFFD}E9.txt` for the Latin-1 `café.txt`). Decoding it gives the
/// name's real bytes back, so such a file can be asked for by what
/// search_documents returned; any other text is itself.
///
/// Only for paths read from the index: a control request to the engine
/// cannot carry a name that is not UTF-8.
pub fn indexed_path(argument: &str, what: &str) -> Result<PathBuf, ToolError> {
    let path = absolute_path(argument, what)?;
    // Only a `~/` joined to a home folder that is not UTF-8 is not text.
    Ok(match path.to_str() {
        Some(text) => text_path(text),
        None => path,
    })
}

/// A job id argument, trimmed; an empty one is an error.
pub fn job_id(argument: &str) -> Result<String, ToolError> {
    let id = argument.trim();
    if id.is_empty() {
        return Err(ToolError::new(
            "job_id is empty: give the id start_background_indexing returned (list_indexing_jobs shows the recent ones)",
        ));
    }
    Ok(id.to_string())
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    use super::*;

    #[test]
    fn an_indexed_path_comes_back_with_its_bytes() {
        let latin1 = indexed_path(" /d/caf\u{FFFD}E9.txt ", "path").unwrap();
        assert_eq!(latin1.as_os_str(), OsStr::from_bytes(b"/d/caf\xe9.txt"));
        // A real U+FFFD in a name travels as its three bytes.
        let real = indexed_path("/d/\u{FFFD}EF\u{FFFD}BF\u{FFFD}BD.txt", "path").unwrap();
        assert_eq!(real, Path::new("/d/\u{FFFD}.txt"));
        assert_eq!(
            indexed_path("/home/ada/notes.md", "path").unwrap(),
            Path::new("/home/ada/notes.md")
        );
        assert!(indexed_path("notes.md", "path").is_err());
        assert!(indexed_path("  ", "path").is_err());
    }
}
