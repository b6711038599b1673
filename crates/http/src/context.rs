//! What every handler works with: the open index, the token, and the way to
//! the engine.
//!
//! SQLite and the control socket are blocking, so handlers run their work on
//! tokio's blocking pool ([`blocking`]), one at a time over the one read
//! connection, as the MCP server does.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use gleaner_core::engine::control::{self, Request, Response, SOCKET_FILE};
use gleaner_core::health::EngineStatus;
use gleaner_core::lock::EngineLock;
use gleaner_core::{DataDir, Index};

use crate::error::{ApiError, ApiResult};
use crate::token::Token;

/// How long a control request may take; queuing a job, pausing one or
/// indexing one file is quick, so a slower engine is stuck rather than busy.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(60);

/// The server starts beside the engine and may take a request before the
/// engine listens on its socket: that long is waited for it.
const ENGINE_START_WAIT: Duration = Duration::from_secs(10);

/// The state shared by all handlers.
pub type SharedApi = Arc<Api>;

/// The index and the engine of one data directory, and the token.
pub struct Api {
    data_dir: DataDir,
    token: Token,
    index: Mutex<Index>,
}

impl Api {
    /// Serves `index` behind `token`.
    pub fn new(index: Index, token: Token) -> Api {
        Api {
            data_dir: index.data_dir().clone(),
            token,
            index: Mutex::new(index),
        }
    }

    /// The token requests must carry.
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The index. A handler that panicked leaves nothing half-done in it
    /// (every write is a transaction), so a poisoned lock is taken over.
    pub fn index(&self) -> MutexGuard<'_, Index> {
        self.index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether an engine holds the lock of this data directory.
    pub fn engine_runs(&self) -> bool {
        EngineLock::holder(&self.data_dir.engine_lock()).is_some()
    }

    /// Sends a request to the engine and returns its answer, an error answer
    /// included (the caller knows what it means for its route).
    pub fn request(&self, request: &Request) -> ApiResult<Response> {
        let socket = self.data_dir.path().join(SOCKET_FILE);
        let deadline = Instant::now() + ENGINE_START_WAIT;
        while !control::ping(&socket) {
            if Instant::now() >= deadline {
                return Err(ApiError::unavailable(
                    "the Gleaner engine is not running or does not answer",
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        control::send(&socket, request, Some(ENGINE_TIMEOUT))
            .map_err(|err| ApiError::unavailable(format!("the engine did not answer: {err}")))
    }

    /// The engine's own health report, when one runs and answers.
    pub fn engine_status(&self) -> Option<EngineStatus> {
        if !self.engine_runs() {
            return None;
        }
        let socket = self.data_dir.path().join(SOCKET_FILE);
        match control::send(&socket, &Request::Health, Some(Duration::from_secs(10))) {
            Ok(Response::Health { status }) => Some(status),
            _ => None,
        }
    }
}

/// Runs `work` on the blocking pool with the shared state.
pub async fn blocking<T, F>(api: &SharedApi, work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Api) -> ApiResult<T> + Send + 'static,
{
    let api = api.clone();
    tokio::task::spawn_blocking(move || work(&api))
        .await
        .map_err(ApiError::internal)?
}
