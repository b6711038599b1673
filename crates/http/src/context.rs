//! What every handler works with: read connections to the index, the
//! token, and the way to the engine.
//!
//! SQLite and the control socket are blocking, so handlers run their work on
//! tokio's blocking pool ([`blocking`]), each read on a connection of its own
//! (`readers.rs`): no lock is shared between requests, so a slow search
//! cannot hold up health or status. Each kind of work has a lane, a bound on
//! how much of it runs at once ([`Lane`]): a flood of searches waits in the
//! search lane and leaves the other reads their own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gleaner_core::engine::control::{self, Request, Response, SOCKET_FILE};
use gleaner_core::health::EngineStatus;
use gleaner_core::lock::EngineLock;
use gleaner_core::store::Store;
use gleaner_core::DataDir;
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};
use crate::limits::{CONCURRENT_ENGINE_REQUESTS, CONCURRENT_READS, CONCURRENT_SEARCHES};
use crate::readers::Readers;
use crate::token::Token;
use gleaner_core::search::Searcher;

/// How long a control request may take; queuing a job, pausing one or
/// indexing one file is quick, so a slower engine is stuck rather than busy.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(60);

/// The server starts beside the engine and may take a request before the
/// engine listens on its socket: that long is waited for it.
const ENGINE_START_WAIT: Duration = Duration::from_secs(10);

/// The state shared by all handlers.
pub type SharedApi = Arc<Api>;

/// Which bound a piece of work runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// A search: the one read that can take long.
    Search,
    /// Status, health, jobs: short reads.
    Read,
    /// A request to the engine (and the reads that check it first).
    Engine,
}

/// The index and the engine of one data directory, and the token.
pub struct Api {
    data_dir: DataDir,
    token: Token,
    readers: Readers,
    searches: Arc<Semaphore>,
    reads: Arc<Semaphore>,
    engine_requests: Arc<Semaphore>,
    /// The search index's reader (shared: it is read concurrently), opened
    /// at the first search that finds an index.
    searcher: std::sync::OnceLock<Searcher>,
}

impl Api {
    /// Serves the index of `data_dir` (which must exist: the server opens
    /// it once, to make or migrate it, before it serves) behind `token`.
    pub fn new(data_dir: DataDir, token: Token) -> Api {
        let lanes = CONCURRENT_SEARCHES + CONCURRENT_READS + CONCURRENT_ENGINE_REQUESTS;
        Api {
            readers: Readers::new(data_dir.database(), lanes),
            data_dir,
            token,
            searches: Arc::new(Semaphore::new(CONCURRENT_SEARCHES)),
            reads: Arc::new(Semaphore::new(CONCURRENT_READS)),
            engine_requests: Arc::new(Semaphore::new(CONCURRENT_ENGINE_REQUESTS)),
            searcher: std::sync::OnceLock::new(),
        }
    }

    /// The search index's reader (of the index built from `store`); `None`
    /// until an engine has made one.
    pub fn searcher(&self, store: &Store) -> ApiResult<Option<&Searcher>> {
        if let Some(searcher) = self.searcher.get() {
            return Ok(Some(searcher));
        }
        let dir = self.data_dir.path().join(gleaner_core::search::SEARCH_DIR);
        match Searcher::open(&dir, &store.store_id()?)? {
            Some(searcher) => {
                // The server answers many searches: prefixes get the
                // frequent-word tables.
                searcher.keep_word_tables();
                let _ = self.searcher.set(searcher);
                Ok(self.searcher.get())
            }
            None => Ok(None),
        }
    }

    /// The token requests must carry.
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// Runs `read` on a read-only connection of its own.
    pub fn read<T>(&self, read: impl FnOnce(&Store) -> ApiResult<T>) -> ApiResult<T> {
        self.readers.with(read)
    }

    fn lane(&self, lane: Lane) -> &Arc<Semaphore> {
        match lane {
            Lane::Search => &self.searches,
            Lane::Read => &self.reads,
            Lane::Engine => &self.engine_requests,
        }
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

/// Runs `work` on the blocking pool with the shared state, once its lane
/// has room.
pub async fn blocking<T, F>(api: &SharedApi, lane: Lane, work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Api) -> ApiResult<T> + Send + 'static,
{
    // The semaphores are never closed.
    let permit = api
        .lane(lane)
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    let api = api.clone();
    // The place is held by the work, not by the request: a client that
    // hangs up drops the request, but the work on its thread runs to the
    // end, and must go on counting. So the lanes bound the threads really
    // in use, and the pool (BLOCKING_THREADS, more than all lanes) never
    // makes health queue behind searches whose clients left.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&api)
    })
    .await
    .map_err(ApiError::internal)?
}

#[cfg(test)]
impl Api {
    /// Takes every place in `lane`, as that many slow requests would.
    pub fn fill_lane(&self, lane: Lane) -> tokio::sync::SemaphorePermit<'_> {
        let lane = self.lane(lane);
        lane.try_acquire_many(lane.available_permits() as u32)
            .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client that hangs up drops its request; the work it started still
    /// holds its place until it ends, so the lane bounds the threads in use.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_keeps_its_place_after_the_request_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
        let api: SharedApi = Arc::new(Api::new(data_dir, Token::for_tests("x")));
        let (started, started_rx) = std::sync::mpsc::channel();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let request = tokio::spawn({
            let api = api.clone();
            async move {
                blocking(&api, Lane::Search, move |_| {
                    started.send(()).unwrap();
                    release_rx.recv().unwrap();
                    Ok(())
                })
                .await
            }
        });
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        request.abort();
        assert!(request.await.unwrap_err().is_cancelled());
        assert_eq!(
            api.searches.available_permits(),
            CONCURRENT_SEARCHES - 1,
            "the place went with the request, not with the work"
        );
        release.send(()).unwrap();
        // The work ends on its own thread and gives its place back.
        let deadline = Instant::now() + Duration::from_secs(60);
        while api.searches.available_permits() < CONCURRENT_SEARCHES {
            assert!(Instant::now() < deadline, "the place was never given back");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
