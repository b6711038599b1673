//! The router in process, through `tower::ServiceExt::oneshot`: the guard
//! (Host, token), the confinement of paths, JSON errors, and the routes
//! against the OpenAPI document. No engine runs here; the end-to-end tests
//! in tests/http drive a real one.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use gleaner_core::source::NewSource;
use gleaner_core::{DataDir, Index};
use serde_json::Value;
use tower::ServiceExt;

use super::{router, ROUTES};
use crate::context::Api;
use crate::token::Token;

const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct World {
    tmp: tempfile::TempDir,
    app: Router,
    api: Arc<Api>,
}

fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("note.md"), "hello").unwrap();
    std::fs::create_dir_all(tmp.path().join("outside")).unwrap();
    std::fs::write(tmp.path().join("outside/secret.txt"), "secret").unwrap();
    let data_dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
    let index = Index::open(data_dir).unwrap();
    index
        .add_source(NewSource {
            path: docs,
            recursive: true,
            ..NewSource::default()
        })
        .unwrap();
    let api = Arc::new(Api::new(index.data_dir().clone(), Token::for_tests(SECRET)));
    // Closed, as the server closes it once the index is made: the handlers
    // read through connections of their own.
    drop(index);
    let app = router(api.clone());
    World { tmp, app, api }
}

/// A request with the right Host and token, changed by `edit`.
fn request(method: Method, uri: &str, body: &str) -> axum::http::request::Builder {
    let builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:7878")
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"));
    if body.is_empty() {
        builder
    } else {
        builder.header(header::CONTENT_TYPE, "application/json")
    }
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    assert_eq!(
        content_type.as_deref(),
        Some("application/json"),
        "{status}: {}",
        String::from_utf8_lossy(&bytes)
    );
    (status, serde_json::from_slice(&bytes).unwrap())
}

async fn get(app: &Router, uri: &str) -> (StatusCode, Value) {
    send(
        app,
        request(Method::GET, uri, "").body(Body::empty()).unwrap(),
    )
    .await
}

async fn post(app: &Router, uri: &str, body: &str) -> (StatusCode, Value) {
    let request = request(Method::POST, uri, body)
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, request).await
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_401_on_every_route() {
    let w = world();
    for (method, path) in ROUTES {
        let uri = path.replace("{id}", "x");
        let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
        for auth in [None, Some("Bearer wrong"), Some("Bearer ")] {
            let mut builder = Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header(header::HOST, "localhost:7878");
            if let Some(auth) = auth {
                builder = builder.header(header::AUTHORIZATION, auth);
            }
            let response = w
                .app
                .clone()
                .oneshot(builder.body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {uri} {auth:?}"
            );
            assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        }
    }
    // An unknown route does not reveal itself without the token either.
    let response = w
        .app
        .clone()
        .oneshot(
            Request::get("/nope")
                .header(header::HOST, "localhost")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_foreign_host_is_refused_even_with_the_token() {
    let w = world();
    for host in [
        "attacker.example",
        "attacker.example:7878",
        "192.168.1.10:7878",
    ] {
        let request = Request::get("/v1/status")
            .header(header::HOST, host)
            .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
            .body(Body::empty())
            .unwrap();
        let (status, body) = send(&w.app, request).await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert!(
            body["error"].as_str().unwrap().contains("loopback"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn status_jobs_and_health_answer_without_an_engine() {
    let w = world();
    let (status, body) = get(&w.app, "/v1/status").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["engine_running"], false);
    assert_eq!(body["sources"].as_array().unwrap().len(), 1);
    let (status, body) = get(&w.app, "/v1/jobs?limit=5").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 0);
    let (status, body) = get(&w.app, "/v1/health").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["engine"].is_null());
}

#[tokio::test]
async fn a_path_outside_the_sources_is_403_before_the_engine_is_asked() {
    let w = world();
    let outside = w.tmp.path().join("outside/secret.txt");
    let escape = w.tmp.path().join("docs/../outside/secret.txt");
    for path in [outside, escape, "/etc/passwd".into()] {
        let body = serde_json::json!({ "path": path }).to_string();
        let (status, answer) = post(&w.app, "/v1/documents", &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path:?}: {answer}");
        assert!(answer["error"].as_str().unwrap().contains("outside"));
    }
    let body = serde_json::json!({ "source": w.tmp.path().join("outside") }).to_string();
    let (status, answer) = post(&w.app, "/v1/ingest", &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}

#[tokio::test]
async fn bad_requests_are_json_errors() {
    let w = world();
    let cases = [
        (get(&w.app, "/v1/search").await, StatusCode::BAD_REQUEST),
        (
            get(&w.app, "/v1/search?q=%20").await,
            StatusCode::BAD_REQUEST,
        ),
        (
            get(&w.app, "/v1/search?q=x&limit=many").await,
            StatusCode::BAD_REQUEST,
        ),
        (
            get(&w.app, "/v1/jobs?status=sleeping").await,
            StatusCode::BAD_REQUEST,
        ),
        (
            get(&w.app, "/v1/jobs/no-such-job").await,
            StatusCode::NOT_FOUND,
        ),
        (
            post(&w.app, "/v1/jobs/no-such-job/pause", "").await,
            StatusCode::NOT_FOUND,
        ),
        (
            post(&w.app, "/v1/documents", "").await,
            StatusCode::BAD_REQUEST,
        ),
        (
            post(&w.app, "/v1/documents", "{").await,
            StatusCode::BAD_REQUEST,
        ),
        (
            post(&w.app, "/v1/documents", r#"{"path": "docs/note.md"}"#).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            post(&w.app, "/v1/documents", r#"{"file": "/x"}"#).await,
            StatusCode::BAD_REQUEST,
        ),
        (get(&w.app, "/v1/nope").await, StatusCode::NOT_FOUND),
        (
            post(&w.app, "/v1/status", "").await,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ];
    for ((status, body), expected) in cases {
        assert_eq!(status, expected, "{body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_name_that_is_not_utf8_travels_in_its_text_form() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("docs")).unwrap();
    let docs = tmp.path().join("docs").canonicalize().unwrap();
    std::fs::write(docs.join(OsStr::from_bytes(b"caf\xe9.txt")), "a heron").unwrap();
    std::fs::write(docs.join(OsStr::from_bytes(b"caf\xe8.txt")), "an egret").unwrap();
    let data_dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
    let mut index = Index::open(data_dir).unwrap();
    let source = index
        .add_source(NewSource {
            path: docs.clone(),
            recursive: true,
            ..NewSource::default()
        })
        .unwrap();
    index
        .scan(&source, "test", &gleaner_core::scan::Unobserved)
        .unwrap();
    // What the engine's search indexer would do beside the API.
    index.sync_search().unwrap();
    let app = router(Arc::new(Api::new(
        index.data_dir().clone(),
        Token::for_tests(SECRET),
    )));

    let (status, found) = get(&app, "/v1/search?q=heron").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let hit = found["hits"][0]["path"].as_str().unwrap().to_string();
    assert_eq!(hit, format!("{}/caf\u{FFFD}E9.txt", docs.display()));
    // Its neighbour's spelling names no file. (Sending the hit back indexes
    // that very file: tests/http drives it against a real engine.)
    let missing = serde_json::json!({ "path": hit.replace("E9", "E7") });
    let (status, answer) = post(&app, "/v1/documents", &missing.to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
}

#[tokio::test]
async fn search_finds_nothing_in_an_empty_index() {
    let w = world();
    let (status, body) = get(&w.app, "/v1/search?q=hello&limit=3").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 0);
    assert_eq!(body["query"], "hello");
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes() {
    let w = world();
    let (status, doc) = get(&w.app, "/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.0.3");
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|key| *key != "parameters")
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let mut served: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    documented.sort();
    served.sort();
    assert_eq!(documented, served);
}

#[tokio::test]
async fn every_listed_route_is_served() {
    let w = world();
    for (method, path) in ROUTES {
        let uri = path.replace("{id}", "no-such-job");
        // Bodies and queries that fail before the engine would be asked.
        let (status, body) = match *method {
            "get" if uri == "/v1/search" => get(&w.app, "/v1/search?q=x").await,
            "get" => get(&w.app, &uri).await,
            _ => {
                post(
                    &w.app,
                    &uri,
                    r#"{"source": "relative", "path": "relative"}"#,
                )
                .await
            }
        };
        let message = body["error"].as_str().unwrap_or_default();
        assert!(
            status != StatusCode::METHOD_NOT_ALLOWED && !message.contains("no such route"),
            "{method} {uri}: {status} {body}"
        );
    }
}

mod abuse;
