//! The app's shared state: the engine host and the index the commands read.

use std::sync::{Arc, Mutex};

use gleaner_core::Index;

use crate::engine_host::EngineHost;
use crate::error::{CommandError, CommandResult};

/// Kept in tauri's state for the whole life of the app.
#[derive(Clone)]
pub struct Desktop {
    /// The engine, hosted here or attached to.
    pub host: Arc<EngineHost>,
    /// This process's connection to the index (reads, source edits,
    /// settings). The engine has its own. `None` while the index file is
    /// damaged or not Gleaner's: then every command says so, until the
    /// index is rebuilt ([`Desktop::replace_index`]).
    index: Arc<Mutex<Option<Index>>>,
}

impl Desktop {
    /// Wraps the index (if it could be opened) and the engine host.
    pub fn new(index: Option<Index>, host: Arc<EngineHost>) -> Desktop {
        Desktop {
            host,
            index: Arc::new(Mutex::new(index)),
        }
    }

    /// Runs `work` with the index on a blocking thread: database reads,
    /// walks and control-socket requests never stall the window or the tray.
    pub async fn with_index<T, F>(&self, work: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Index) -> CommandResult<T> + Send + 'static,
    {
        let index = self.index.clone();
        tauri::async_runtime::spawn_blocking(move || {
            // A panic in another command poisons the lock; the connection
            // itself is still sound, so keep using it.
            let index = index
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            work(index.as_ref().ok_or(CommandError::IndexDamaged)?)
        })
        .await
        .map_err(CommandError::Task)?
    }

    /// Like [`Desktop::with_index`], from a thread that may block.
    pub fn with_index_blocking<T>(
        &self,
        work: impl FnOnce(&Index) -> CommandResult<T>,
    ) -> CommandResult<T> {
        let index = self
            .index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        work(index.as_ref().ok_or(CommandError::IndexDamaged)?)
    }

    /// Closes this app's connection to the index, runs `replace` (which
    /// puts a new file in its place and opens it) and keeps what it opened.
    /// No command reads the index meanwhile; when `replace` fails the app
    /// stays without one.
    pub fn replace_index<T>(
        &self,
        replace: impl FnOnce() -> CommandResult<(Index, T)>,
    ) -> CommandResult<T> {
        let mut slot = self
            .index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = None;
        let (index, value) = replace()?;
        *slot = Some(index);
        Ok(value)
    }
}
