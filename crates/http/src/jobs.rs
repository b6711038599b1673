//! Indexing jobs: start scans (`POST /v1/ingest`), list them, follow one,
//! pause, resume or cancel one. The same engine requests as `gleaner index
//! --background`, `gleaner jobs` and `gleaner pause|resume|cancel JOB`,
//! with one difference: the API never adds a source. A folder must already
//! be one, so HTTP cannot widen what is indexed.

use std::time::{Duration, Instant};

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use gleaner_core::engine::control::{Request, Response};
use gleaner_core::index::lookup_path;
use gleaner_core::store::{JobRecord, JobStatus};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::body::{json_object, WhenEmpty};
use crate::context::{blocking, Api, Lane, SharedApi};
use crate::error::{ApiError, ApiResult};
use crate::views::{job_views, JobView};

/// How long a pause or cancel of a running job is waited for: the job stops
/// at its next file boundary, which is usually a moment away.
const STOP_WAIT: Duration = Duration::from_secs(3);

/// The body of `POST /v1/ingest`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestBody {
    /// A configured source's folder; every active source when absent.
    pub source: Option<String>,
}

/// A body `POST /v1/ingest` takes, for error sentences.
const INGEST_EXAMPLE: &str = r#"{"source": "/home/me/notes"}"#;

/// `POST /v1/ingest`: queue a scan of one source or of every active one;
/// answers at once with the job ids (202).
pub async fn ingest(
    State(api): State<SharedApi>,
    request: axum::extract::Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // An empty body (or `{}`) means "every source", as a bare `gleaner
    // index` does; anything that is not a JSON object is a 400.
    let body: IngestBody = json_object(request, WhenEmpty::Default, INGEST_EXAMPLE).await?;
    let value = blocking(&api, Lane::Engine, move |api| {
        queue_scan(api, body.source.as_deref())
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(value)))
}

fn queue_scan(api: &Api, source: Option<&str>) -> ApiResult<Value> {
    let path = match source {
        Some(text) => {
            let path = std::path::Path::new(text.trim());
            if !path.is_absolute() {
                return Err(ApiError::bad_request(format!(
                    "source {text:?} is not an absolute path"
                )));
            }
            let Some(source) = api.read(|store| Ok(store.source_by_path(&lookup_path(path))?))?
            else {
                return Err(ApiError::forbidden(format!(
                    "{text} is not a configured source; add it with `gleaner source add` first"
                )));
            };
            if !source.active {
                return Err(ApiError::conflict(format!(
                    "the source {} is disabled; `gleaner source enable` it first",
                    source.path.display()
                )));
            }
            Some(source.path)
        }
        None => None,
    };
    let all = path.is_none();
    match api.request(&Request::Scan {
        path,
        background: true,
    })? {
        Response::Jobs { ids, warnings } => {
            if ids.is_empty() && !all {
                return Err(ApiError::conflict(format!(
                    "no job was queued: {}",
                    warnings.join("; ")
                )));
            }
            Ok(json!({ "job_ids": ids, "warnings": warnings }))
        }
        Response::Error { message } => Err(ApiError::unprocessable(message)),
        other => Err(ApiError::internal(format!(
            "unexpected answer from the engine: {other:?}"
        ))),
    }
}

/// The query of `GET /v1/jobs`.
#[derive(Debug, Deserialize)]
pub struct JobsQuery {
    /// Only jobs in this state.
    pub status: Option<String>,
    /// Most jobs to list (1 to 200, default 20).
    pub limit: Option<usize>,
}

/// `GET /v1/jobs`: recent jobs, newest first.
pub async fn list(
    State(api): State<SharedApi>,
    query: Result<Query<JobsQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(query) = query?;
    let status = match query.status.as_deref() {
        Some(text) => Some(JobStatus::parse(text).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown job status {text:?}: one of queued, running, paused, completed, failed, cancelled"
            ))
        })?),
        None => None,
    };
    let limit = query.limit.unwrap_or(20).clamp(1, 200);
    blocking(&api, Lane::Read, move |api| {
        let jobs = api.read(|store| Ok(store.jobs(status, limit)?))?;
        Ok(Json(
            json!({ "count": jobs.len(), "jobs": job_views(&jobs) }),
        ))
    })
    .await
}

/// `GET /v1/jobs/{id}`: one job.
pub async fn one(
    State(api): State<SharedApi>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let Path(id) = id?;
    blocking(&api, Lane::Read, move |api| {
        let job = api.read(|store| Ok(store.job(&id)?))?;
        to_json(&JobView::new(&job))
    })
    .await
}

/// What to do with one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAction {
    /// Stop at the next file boundary, keep for later.
    Pause,
    /// Queue a paused job again.
    Resume,
    /// Stop for good.
    Cancel,
}

impl JobAction {
    fn verb(self) -> &'static str {
        match self {
            JobAction::Pause => "paused",
            JobAction::Resume => "resumed",
            JobAction::Cancel => "cancelled",
        }
    }

    /// The states from which the action makes sense.
    fn allowed_from(self, status: JobStatus) -> bool {
        use JobStatus::*;
        match self {
            JobAction::Pause => matches!(status, Queued | Running),
            JobAction::Resume => matches!(status, Paused | Queued),
            JobAction::Cancel => matches!(status, Queued | Running | Paused),
        }
    }
}

/// `POST /v1/jobs/{id}/pause`.
pub async fn pause(
    State(api): State<SharedApi>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    control(api, id?.0, JobAction::Pause).await
}

/// `POST /v1/jobs/{id}/resume`.
pub async fn resume(
    State(api): State<SharedApi>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    control(api, id?.0, JobAction::Resume).await
}

/// `POST /v1/jobs/{id}/cancel`.
pub async fn cancel(
    State(api): State<SharedApi>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<Value>> {
    control(api, id?.0, JobAction::Cancel).await
}

async fn control(api: SharedApi, id: String, action: JobAction) -> ApiResult<Json<Value>> {
    blocking(&api, Lane::Engine, move |api| {
        let job = api.read(|store| Ok(store.job(&id)?))?; // an unknown id is 404 here
        if !action.allowed_from(job.status) {
            return Err(ApiError::conflict(format!(
                "job {id} is {}; it cannot be {}",
                job.status.as_str(),
                action.verb()
            )));
        }
        let request = match action {
            JobAction::Pause => Request::Pause {
                job: Some(id.clone()),
            },
            JobAction::Resume => Request::Resume {
                job: Some(id.clone()),
            },
            JobAction::Cancel => Request::Cancel { job: id.clone() },
        };
        if let Response::Error { message } = api.request(&request)? {
            // The job moved on between the check and the request.
            return Err(ApiError::conflict(message));
        }
        let job = match action {
            JobAction::Pause | JobAction::Cancel => wait_while_running(api, &id)?,
            JobAction::Resume => api.read(|store| Ok(store.job(&id)?))?,
        };
        let paused_globally = api.read(|store| Ok(store.settings()?.boolean("indexing.paused")))?;
        Ok(Json(json!({
            "job_id": id,
            "status": job.status,
            "indexing_paused": paused_globally,
            "job": JobView::new(&job),
        })))
    })
    .await
}

/// The job once it has left `running`, or as it is after [`STOP_WAIT`].
fn wait_while_running(api: &Api, id: &str) -> ApiResult<JobRecord> {
    let deadline = Instant::now() + STOP_WAIT;
    loop {
        let job = api.read(|store| Ok(store.job(id)?))?;
        if job.status != JobStatus::Running || Instant::now() >= deadline {
            return Ok(job);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn to_json(value: &impl serde::Serialize) -> ApiResult<Json<Value>> {
    serde_json::to_value(value)
        .map(Json)
        .map_err(ApiError::internal)
}
