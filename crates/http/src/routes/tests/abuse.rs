//! Requests meant to hurt: malformed bodies, oversized bodies and queries,
//! and reads that take long. No engine runs here, so a request that got past
//! its checks would wait for one and answer 503: a 400 proves the check
//! came first.

use std::time::Duration;

use super::*;
use crate::context::Lane;
use crate::limits::{MAX_BODY_BYTES, MAX_QUERY_TERMS};

/// Generous: a busy machine can be slow, but a request that waits for
/// something it should not wait for waits forever.
const CEILING: Duration = Duration::from_secs(60);

async fn within_ceiling<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(CEILING, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not answer within {CEILING:?}"))
}

/// Regression: `POST /v1/ingest` with `[null]` queued a scan of every
/// source, because serde reads a struct from an array.
#[tokio::test]
async fn malformed_bodies_are_400_and_never_reach_the_engine() {
    let w = world();
    let cases: &[(&str, &str, &str)] = &[
        ("/v1/ingest", "[null]", "is an array"),
        ("/v1/ingest", "[]", "is an array"),
        ("/v1/ingest", r#"["/tmp"]"#, "is an array"),
        ("/v1/ingest", "null", "is null"),
        ("/v1/ingest", "5", "is a number"),
        ("/v1/ingest", r#""/tmp""#, "is a string"),
        (
            "/v1/ingest",
            r#"{"paths": [null]}"#,
            "unknown field `paths`",
        ),
        ("/v1/ingest", r#"{"source": 5}"#, "invalid type"),
        ("/v1/ingest", r#"{"source": [null]}"#, "invalid type"),
        ("/v1/ingest", "{not json", "not valid JSON"),
        ("/v1/documents", "[null]", "is an array"),
        ("/v1/documents", r#"["/tmp/x"]"#, "is an array"),
        ("/v1/documents", "{}", "missing field `path`"),
        ("/v1/documents", r#"{"path": null}"#, "invalid type"),
        (
            "/v1/documents",
            r#"{"paths": ["/tmp/x"]}"#,
            "unknown field `paths`",
        ),
        ("/v1/documents", "", "empty"),
        ("/v1/documents", "{not json", "not valid JSON"),
    ];
    for (route, body, named) in cases {
        let (status, answer) = within_ceiling(route, post(&w.app, route, body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{route} {body}: {answer}");
        let message = answer["error"].as_str().unwrap();
        assert!(message.contains(named), "{route} {body}: {message}");
    }
    let (_, jobs) = get(&w.app, "/v1/jobs").await;
    assert_eq!(jobs["count"], 0, "no job was queued: {jobs}");
}

#[tokio::test]
async fn a_body_over_the_cap_is_413() {
    let w = world();
    let padding = " ".repeat(MAX_BODY_BYTES);
    let body = format!(r#"{{"source": "/tmp"}}{padding}"#);
    for route in ["/v1/ingest", "/v1/documents"] {
        let (status, answer) = post(&w.app, route, &body).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{route}: {answer}");
        assert!(answer["error"].as_str().unwrap().contains("65536 bytes"));
    }
}

#[tokio::test]
async fn an_oversized_query_is_400_naming_the_limits() {
    let w = world();
    let words = |n: usize| {
        (0..n)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join("+")
    };
    let (status, answer) = get(&w.app, &format!("/v1/search?q={}", words(10_000))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let message = answer["error"].as_str().unwrap();
    assert!(message.contains("10000 terms"), "{message}");
    assert!(
        message.contains("at most 4096 bytes and 64 terms"),
        "{message}"
    );

    let (status, answer) = get(
        &w.app,
        &format!("/v1/search?q={}", words(MAX_QUERY_TERMS + 1)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");

    let (status, answer) = get(&w.app, &format!("/v1/search?q={}", words(MAX_QUERY_TERMS))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Regression: every handler took one `Mutex<Index>`, so a slow search held
/// up health and status for as long as it ran.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_read_holds_only_its_own_connection() {
    let w = world();
    let (started, started_rx) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel::<()>();
    let api = w.api.clone();
    let slow = tokio::task::spawn_blocking(move || {
        api.read(|store| {
            started.send(()).unwrap();
            // A search that takes as long as the test wants.
            release_rx.recv().unwrap();
            Ok(store.sources()?.len())
        })
    });
    started_rx.recv().unwrap();
    for uri in ["/v1/health", "/v1/status", "/v1/jobs", "/v1/search?q=hello"] {
        let (status, answer) = within_ceiling(uri, get(&w.app, uri)).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {answer}");
    }
    release.send(()).unwrap();
    assert_eq!(slow.await.unwrap().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_status_never_queue_behind_searches() {
    let w = world();
    let every_search_place = w.api.fill_lane(Lane::Search);
    for uri in ["/v1/health", "/v1/status", "/v1/jobs"] {
        let (status, answer) = within_ceiling(uri, get(&w.app, uri)).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {answer}");
    }
    // A search waits for its lane...
    let app = w.app.clone();
    let mut search = tokio::spawn(async move { get(&app, "/v1/search?q=hello").await });
    assert!(
        tokio::time::timeout(Duration::from_millis(200), &mut search)
            .await
            .is_err(),
        "a search ran although every search place was taken"
    );
    // ...and runs once there is room.
    drop(every_search_place);
    let (status, answer) = within_ceiling("the search", search).await.unwrap();
    assert_eq!(status, StatusCode::OK, "{answer}");
}
