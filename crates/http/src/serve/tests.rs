//! The accept loop on a real socket, with small limits: connections that
//! never finish their headers cannot keep a request out, they are closed,
//! and a request under way is never cut off for a newcomer.

use std::time::Duration;

use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{watch, Notify};

use super::*;

/// Generous: the suite must pass on a busy machine.
const CEILING: Duration = Duration::from_secs(60);

const PARTIAL_HEAD: &[u8] = b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

struct Server {
    addr: std::net::SocketAddr,
    _stop: watch::Sender<()>,
}

async fn start(app: Router, limits: ConnectionLimits) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(());
    tokio::spawn(serve(listener, app, limits, stopped));
    Server { addr, _stop: stop }
}

fn ping_app() -> Router {
    Router::new().route("/ping", get(|| async { "pong" }))
}

fn small_limits() -> ConnectionLimits {
    ConnectionLimits {
        max_connections: 4,
        header_read_timeout: Duration::from_millis(500),
    }
}

/// A complete request on a new connection; the whole answer.
async fn request(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// Connections that sent part of a request's head and nothing more.
async fn slowloris(server: &Server, count: usize) -> Vec<TcpStream> {
    let mut held = Vec::new();
    for _ in 0..count {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        // The server may already have closed it for a newer one.
        let _ = stream.write_all(PARTIAL_HEAD).await;
        held.push(stream);
    }
    held
}

/// Waits until the server has closed `stream` (end of file or a reset).
async fn closed_by_server(stream: &mut TcpStream) {
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => return,
            Ok(_) => continue,
        }
    }
}

async fn within_ceiling<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(CEILING, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {CEILING:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_cannot_keep_a_real_one_out_and_are_closed() {
    let server = start(ping_app(), small_limits()).await;
    // Five times the cap, holding their connections open.
    let mut held = slowloris(&server, 20).await;
    let answer = within_ceiling("a request beside them", request(server.addr, "/ping")).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("pong"), "{answer}");
    // Every one of them is closed: the oldest for newer ones, the rest when
    // their header time is up.
    for stream in &mut held {
        within_ceiling(
            "the server closing a half-sent request",
            closed_by_server(stream),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_is_closed_once_idle_past_the_header_timeout() {
    let server = start(ping_app(), small_limits()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    while !answer.ends_with(b"pong") {
        let mut chunk = [0u8; 512];
        let n = within_ceiling("the answer", stream.read(&mut chunk))
            .await
            .unwrap();
        assert!(n > 0, "closed before the answer");
        answer.extend_from_slice(&chunk[..n]);
    }
    // Kept alive (no `Connection: close`), then idle: closed by the server.
    within_ceiling(
        "the idle connection to close",
        closed_by_server(&mut stream),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_under_way_is_never_cut_off_for_newcomers() {
    let entered = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let app = ping_app().route(
        "/slow",
        get({
            let entered = entered.clone();
            let release = release.clone();
            move || async move {
                entered.notify_one();
                release.notified().await;
                "done"
            }
        }),
    );
    let limits = ConnectionLimits {
        max_connections: 2,
        // Long enough that only eviction closes the half-sent ones here.
        header_read_timeout: CEILING,
    };
    let server = start(app, limits).await;
    let slow = tokio::spawn(request(server.addr, "/slow"));
    within_ceiling("the slow request to start", entered.notified()).await;
    // Ten newcomers, each taking the one idle place from the one before.
    let mut held = slowloris(&server, 10).await;
    for stream in held.iter_mut().take(9) {
        within_ceiling(
            "an older half-sent request to close",
            closed_by_server(stream),
        )
        .await;
    }
    release.notify_one();
    let answer = within_ceiling("the slow request", slow).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("done"), "{answer}");
}
