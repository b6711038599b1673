//! The reading routes: search, status, health. They read the database
//! directly, as `gleaner search`, `gleaner status` and `gleaner health` do;
//! only health asks the engine (for its watches). Each read has a connection
//! of its own, and searches a lane of their own (`context.rs`), so a slow
//! search never holds up status or health.

use std::collections::HashSet;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use gleaner_core::health::HealthReport;
use gleaner_core::index::lookup_path;
use gleaner_core::search::SearchFilter;
use gleaner_core::store::text_path;
use gleaner_core::time::iso_time;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::context::{blocking, Lane, SharedApi};
use crate::error::{ApiError, ApiResult};
use crate::limits::check_search_query;
use crate::views::{job_views, UNFINISHED};

/// Hits returned when the client names no limit.
const DEFAULT_LIMIT: usize = 10;
/// The most hits one search returns.
const MAX_LIMIT: usize = 100;

/// The query of `GET /v1/search`.
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    /// The search: words, "phrases", prefix*, -excluded, a OR b.
    pub q: Option<String>,
    /// Most hits (1 to 100, default 10).
    pub limit: Option<usize>,
    /// Only documents of this source folder.
    pub source: Option<String>,
    /// Only files with this extension.
    pub ext: Option<String>,
}

/// `GET /v1/search?q=&limit=`: ranked hits. A query over the limits is
/// refused before it is parsed, and before it waits for the search lane.
pub async fn search(
    State(api): State<SharedApi>,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(query) = query?;
    let text = query.q.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(
            "the query is empty: pass words to search for as ?q=",
        ));
    }
    check_search_query(&text)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    blocking(&api, Lane::Search, move |api| {
        api.read(|store| {
            let searcher = api.searcher(store)?;
            let mut filter = SearchFilter::new();
            if let Some(path) = query.source.as_deref() {
                // In the index's text form, as the other paths (documents.rs).
                let source = store.require_source(&lookup_path(&text_path(path.trim())))?;
                filter = filter.source(source.id);
            }
            if let Some(ext) = &query.ext {
                filter = filter.extension(ext);
            }
            let answer = gleaner_core::search::search(store, searcher, &text, &filter, limit)?;
            Ok(Json(json!({
                "query": text,
                "count": answer.hits.len(),
                "hits": answer.hits,
                "fallback": answer.fallback,
                "notes": answer.notes,
                "took_ms": answer.took_ms,
            })))
        })
    })
    .await
}

/// `GET /v1/status`: the engine, the global pause, every source with its
/// counts, and the jobs not yet finished.
pub async fn status(State(api): State<SharedApi>) -> ApiResult<Json<Value>> {
    blocking(&api, Lane::Read, |api| {
        let engine_running = api.engine_runs();
        api.read(|store| {
            let unfinished = store.jobs_in(&UNFINISHED)?;
            let busy: HashSet<i64> = unfinished.iter().filter_map(|job| job.source_id).collect();
            let sources: Vec<Value> = store
                .source_statuses()?
                .iter()
                .map(|row| {
                    let mut value = serde_json::to_value(row).unwrap_or_default();
                    value["last_full_scan_time"] = json!(row.source.last_full_scan.map(iso_time));
                    value["indexing_now"] = json!(busy.contains(&row.source.id));
                    value
                })
                .collect();
            Ok(Json(json!({
                "engine_running": engine_running,
                "indexing_paused": store.settings()?.boolean("indexing.paused"),
                "sources": sources,
                "jobs_unfinished": job_views(&unfinished),
            })))
        })
    })
    .await
}

/// `GET /v1/health`: `gleaner health --json`, plus the global pause and the
/// number of unfinished jobs.
pub async fn health(State(api): State<SharedApi>) -> ApiResult<Json<Value>> {
    blocking(&api, Lane::Read, |api| {
        // Ask the engine before taking a connection: its answer may take a
        // moment.
        let engine = api.engine_status();
        api.read(|store| {
            let report = HealthReport::build(store, engine)?;
            let mut value = serde_json::to_value(&report).map_err(ApiError::internal)?;
            value["indexing_paused"] = json!(store.settings()?.boolean("indexing.paused"));
            value["jobs_unfinished"] = json!(store.jobs_in(&UNFINISHED)?.len());
            Ok(Json(value))
        })
    })
    .await
}
