//! The routes, in one table, and the layer every request passes.
//!
//! The guard is a `layer`, not a `route_layer`: an unknown path or a wrong
//! method is answered only after the Host and token checks, so the API's
//! shape is not visible without the token either.

use axum::http::StatusCode;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

use crate::context::SharedApi;
use crate::error::ApiError;
use crate::{documents, guard, jobs, reading, OPENAPI_JSON};

/// Every route as (method, path), in the spelling of the OpenAPI document;
/// a test checks the two agree.
#[cfg(test)]
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/v1/ingest"),
    ("post", "/v1/documents"),
    ("get", "/v1/status"),
    ("get", "/v1/health"),
    ("get", "/v1/jobs"),
    ("get", "/v1/jobs/{id}"),
    ("post", "/v1/jobs/{id}/pause"),
    ("post", "/v1/jobs/{id}/resume"),
    ("post", "/v1/jobs/{id}/cancel"),
    ("get", "/v1/search"),
    ("get", "/v1/openapi.json"),
];

/// The API's router over `api`.
pub fn router(api: SharedApi) -> Router {
    Router::new()
        .route("/v1/ingest", post(jobs::ingest))
        .route("/v1/documents", post(documents::ingest_one))
        .route("/v1/status", get(reading::status))
        .route("/v1/health", get(reading::health))
        .route("/v1/jobs", get(jobs::list))
        .route("/v1/jobs/{id}", get(jobs::one))
        .route("/v1/jobs/{id}/pause", post(jobs::pause))
        .route("/v1/jobs/{id}/resume", post(jobs::resume))
        .route("/v1/jobs/{id}/cancel", post(jobs::cancel))
        .route("/v1/search", get(reading::search))
        .route("/v1/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(api.clone(), guard::guard))
        .with_state(api)
}

async fn openapi() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI_JSON,
    )
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route: see /v1/openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this route: see /v1/openapi.json",
    )
}

#[cfg(test)]
mod tests;
