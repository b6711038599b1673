//! Starting and stopping the server beside the engine.
//!
//! [`HttpServer::start`] does everything that can fail before it returns
//! (the address check, the token, the bind), so `gleaner daemon --http` fails
//! at once with a clear message instead of running an engine without the
//! API it was asked for. The server then runs on a thread of its own with a
//! small tokio runtime, and stops when the [`HttpServer`] is stopped or
//! dropped: its owner drops it when the engine returns, so the API never
//! outlives the engine it fronts. How connections are served, and the
//! limits on them, is `serve.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use gleaner_core::{DataDir, Index};
use tokio::sync::watch;

use crate::address::configured_addr;
use crate::context::Api;
use crate::limits::BLOCKING_THREADS;
use crate::routes::router;
use crate::serve::{serve, ConnectionLimits};
use crate::token::{Token, TOKEN_FILE};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The address does not parse.
    #[error("bad HTTP address {text:?}: expected 127.0.0.1:PORT, [::1]:PORT or localhost:PORT")]
    BadAddress {
        /// The address as given.
        text: String,
    },
    /// The address is not on the loopback interface.
    #[error("refusing to serve the HTTP API on {addr}: it would be reachable from other machines; use a loopback address such as 127.0.0.1:{port}", port = addr.port())]
    NotLoopback {
        /// The refused address.
        addr: SocketAddr,
    },
    /// The token file could not be made or read.
    #[error("HTTP API token {path}: {source}")]
    Token {
        /// The token file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The port could not be bound (in use, or not allowed).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The index could not be opened.
    #[error(transparent)]
    Index(#[from] gleaner_core::Error),
    /// The server's thread or runtime could not start.
    #[error("cannot start the HTTP server: {0}")]
    Runtime(std::io::Error),
}

/// The running server; stopping or dropping it stops it.
pub struct HttpServer {
    addr: SocketAddr,
    stop: Option<watch::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Serves the API of `data_dir` on `addr`, which must be a loopback
    /// address (port 0 picks a free one; see [`HttpServer::addr`]). Makes
    /// the data directory (0700) and the token file (0600) when missing.
    pub fn start(data_dir: &DataDir, addr: SocketAddr) -> Result<HttpServer, HttpError> {
        if !addr.ip().is_loopback() {
            return Err(HttpError::NotLoopback { addr });
        }
        data_dir.create()?;
        let token = Token::load_or_create(data_dir)?;
        // Makes or migrates the index; the handlers then read it through
        // read-only connections of their own.
        drop(Index::open(data_dir.clone())?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(BLOCKING_THREADS)
            .thread_name("gleaner-http")
            .enable_all()
            .build()
            .map_err(HttpError::Runtime)?;
        // tokio's listener asks the kernel for a backlog of 1,024: room for
        // the connections that wait while every open one is busy.
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .map_err(|source| HttpError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| HttpError::Bind { addr, source })?;
        let app = router(Arc::new(Api::new(data_dir.clone(), token)));
        let (stop, stopped) = watch::channel(());
        let thread = std::thread::Builder::new()
            .name("gleaner-http".into())
            .spawn(move || {
                runtime.block_on(serve(listener, app, ConnectionLimits::default(), stopped));
                // A handler still waiting on the engine must not hold up the
                // engine's own shutdown.
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .map_err(HttpError::Runtime)?;
        tracing::info!(
            url = %format!("http://{addr}/v1/"),
            token = %data_dir.path().join(TOKEN_FILE).display(),
            "HTTP API listening"
        );
        Ok(HttpServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address it listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets requests under way finish (a few seconds at
    /// most) and waits for the server's thread.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
            tracing::info!("HTTP API stopped");
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Starts the server when the setting `http.enabled` is true, on `http.addr`
/// (the desktop app's engine host, and `gleaner daemon` without `--http`).
pub fn start_if_enabled(data_dir: &DataDir) -> Result<Option<HttpServer>, HttpError> {
    let settings = Index::open(data_dir.clone())?.settings()?;
    match configured_addr(&settings) {
        Some(addr) => HttpServer::start(data_dir, addr?).map(Some),
        None => Ok(None),
    }
}
