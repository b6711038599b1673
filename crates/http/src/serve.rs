//! The accept loop and the life of each connection, on hyper directly.
//!
//! `axum::serve` installs no timer in hyper, so hyper's header-read timeout
//! never fires under it, and it accepts every connection it is offered: one
//! client holding a thousand half-sent requests held the API down and used
//! up the file descriptors of the engine's process. Here each connection
//! gets [`HEADER_READ_TIMEOUT`] to send its request's headers (which hyper
//! also applies while a kept-alive connection waits for its next request,
//! so it is the idle timeout too), a place in the [`ConnectionTable`] (at
//! most [`MAX_CONNECTIONS`] open), and HTTP/1.1 only: the API's clients
//! are scripts and local tools, and HTTP/2's streams would be one more
//! thing to bound.
//!
//! Per-connection events are never logged one by one (under attack that is
//! a flood); the first of each kind is, and the counts when the API stops.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::connections::{ConnectionTable, Slot};
use crate::error::ApiError;
use crate::limits::{HEADER_READ_TIMEOUT, MAX_CONNECTIONS, MAX_HEAD_BYTES};

/// How long requests still under way may finish once a stop is asked for.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// How long accepting pauses after an error such as "too many open files",
/// which would otherwise come back at once, in a busy loop.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The limits on connections; the tests make them small.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// At most this many open at once.
    pub max_connections: usize,
    /// The time to send a request's headers, and to send the next request
    /// on a kept-alive connection.
    pub header_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            max_connections: MAX_CONNECTIONS,
            header_read_timeout: HEADER_READ_TIMEOUT,
        }
    }
}

/// Serves `app` on `listener` until the stop sender is dropped, then gives
/// requests under way [`STOP_GRACE`] to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<()>,
) {
    let table = ConnectionTable::new(limits.max_connections);
    let events = Arc::new(Events::new(limits.header_read_timeout));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(err) => {
                    events.accept_failed(&err);
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
            // Only ever an error: the sender never sends, it is dropped.
            _ = stop.changed() => break,
        };
        let slot = tokio::select! {
            slot = table.admit() => slot,
            _ = stop.changed() => break,
        };
        tokio::spawn(serve_connection(
            stream,
            app.clone(),
            limits,
            slot,
            stop.clone(),
            events.clone(),
        ));
    }
    drop(listener);
    // Each connection saw the stop too and is finishing its request.
    if !table.wait_all_closed(STOP_GRACE).await {
        tracing::debug!(
            open = table.open_count(),
            "HTTP connections still open at stop"
        );
    }
    events.summary(table.evictions());
}

/// Serves one connection until the client closes it, its header timeout
/// passes, the table needs its place, or the server stops.
async fn serve_connection(
    stream: TcpStream,
    app: Router,
    limits: ConnectionLimits,
    slot: Slot,
    mut stop: watch::Receiver<()>,
    events: Arc<Events>,
) {
    let slot = Arc::new(slot);
    let service = {
        let slot = slot.clone();
        service_fn(move |request: Request<Incoming>| {
            let under_way = slot.begin_request();
            let app = app.clone();
            async move {
                // Kept until the answer is made: the connection is busy.
                let Some(_under_way) = under_way else {
                    return Ok::<_, Infallible>(
                        ApiError::unavailable(
                            "this connection was closed to make room for another; connect again",
                        )
                        .into_response(),
                    );
                };
                app.oneshot(request).await
            }
        })
    };
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(MAX_HEAD_BYTES)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(err) = result {
                    events.connection_failed(&err);
                }
                break;
            }
            // Dropping the connection closes its socket.
            _ = slot.evicted() => break,
            _ = stop.changed(), if !stopping => {
                connection.as_mut().graceful_shutdown();
                stopping = true;
            }
        }
    }
}

/// What happened to connections, counted and logged once per kind.
struct Events {
    header_read_timeout: Duration,
    header_timeouts: AtomicU64,
    header_timeout_logged: AtomicBool,
    accept_errors: AtomicU64,
    accept_error_logged: AtomicBool,
}

impl Events {
    fn new(header_read_timeout: Duration) -> Events {
        Events {
            header_read_timeout,
            header_timeouts: AtomicU64::new(0),
            header_timeout_logged: AtomicBool::new(false),
            accept_errors: AtomicU64::new(0),
            accept_error_logged: AtomicBool::new(false),
        }
    }

    fn connection_failed(&self, err: &hyper::Error) {
        if !err.is_timeout() {
            // A client that hung up or sent something that is not HTTP:
            // its own business.
            tracing::trace!(%err, "HTTP connection ended with an error");
            return;
        }
        self.header_timeouts.fetch_add(1, Ordering::Relaxed);
        if !self.header_timeout_logged.swap(true, Ordering::Relaxed) {
            tracing::info!(
                timeout_s = self.header_read_timeout.as_secs_f64(),
                "an HTTP client sent no complete request in time and was disconnected \
                 (logged once; the count is logged when the API stops)"
            );
        }
    }

    fn accept_failed(&self, err: &std::io::Error) {
        self.accept_errors.fetch_add(1, Ordering::Relaxed);
        if !self.accept_error_logged.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                %err,
                "the HTTP API could not accept a connection (logged once; the count is \
                 logged when the API stops)"
            );
        }
    }

    fn summary(&self, evictions: u64) {
        let header_timeouts = self.header_timeouts.load(Ordering::Relaxed);
        let accept_errors = self.accept_errors.load(Ordering::Relaxed);
        if header_timeouts + accept_errors + evictions > 0 {
            tracing::info!(
                closed_for_newer = evictions,
                header_timeouts,
                accept_errors,
                "HTTP API connections closed by the limits"
            );
        }
    }
}

#[cfg(test)]
mod tests;
