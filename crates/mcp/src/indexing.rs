//! The indexing tools: start a background job, watch it, pause, resume or
//! cancel it. The same calls as `gleaner index --background`, `gleaner
//! status JOB`, `gleaner jobs` and `gleaner pause|resume|cancel JOB`.

use std::time::{Duration, Instant};

use gleaner_core::engine::control::{Request, Response};
use gleaner_core::engine::PAUSED_BY_USER;
use gleaner_core::health::HealthReport;
use gleaner_core::index::lookup_path;
use gleaner_core::source::{NewSource, SourceUpdate};
use gleaner_core::store::{JobRecord, JobStatus};
use serde_json::{json, Value};

use crate::context::{absolute_path, job_id, Context, ToolError, ToolResult};
use crate::folder_policy::lexical;
use crate::params::{IndexingStatus, JobStatusFilter, ListJobs, StartIndexing};
use crate::permissions::allowed_folder;
use crate::views::JobView;

/// How many failed files one job's status lists; the rest are counted.
const FAILED_FILES_SHOWN: usize = 20;

/// How long a pause or cancel of a running job is waited for: the job stops
/// at its next file boundary, which is usually a moment away.
const STOP_WAIT: Duration = Duration::from_secs(3);

/// `start_background_indexing`: adds the folder as a source if new (or
/// updates the rules given), then queues a scan in the engine. The caller
/// has checked that the user allows changes; a new source or new rules also
/// need the folder to be inside a root the user allowed (`permissions`),
/// while re-indexing a source the user already has needs nothing more.
pub fn start(ctx: &Context, args: StartIndexing) -> ToolResult {
    let path = absolute_path(&args.directory, "directory")?;
    let (directory, source_added, rules_changed) = {
        let index = ctx.index();
        let settings = index.settings()?;
        // Only a source's presence is learned from the disk here, and the
        // sources are no secret (list_sources shows them): a folder that is
        // none gets its answer from the policy, on the path's text alone.
        let existing = index
            .store()
            .source_by_path(&lookup_path(&lexical(&path)))?;
        match existing {
            Some(source) => {
                let update = SourceUpdate {
                    include: args.include.filter(|globs| *globs != source.include),
                    exclude: args.exclude.filter(|globs| *globs != source.exclude),
                    recursive: args.recursive.filter(|r| *r != source.recursive),
                    scan_interval_s: None,
                };
                let changed = update.include.is_some()
                    || update.exclude.is_some()
                    || update.recursive.is_some();
                // A disabled source is as good as none: the user took it
                // out of reach, so only an allowed root brings it back.
                if changed || !source.active {
                    allowed_folder(&settings, &source.path)?;
                }
                if changed {
                    index.update_source(&source.path, &update)?;
                }
                (source.path, false, changed)
            }
            None => {
                let folder = allowed_folder(&settings, &path)?;
                let source = index.add_source(NewSource {
                    path: folder,
                    include: args.include.unwrap_or_default(),
                    exclude: args.exclude.unwrap_or_default(),
                    recursive: args.recursive.unwrap_or(true),
                })?;
                (source.path, true, false)
            }
        }
    };
    ctx.ensure_engine()?;
    // No Reload for new or changed rules: the scan request itself makes the
    // engine re-read the source and re-watch it when its rules changed, and a
    // Reload would queue a second scan of the same folder.
    let response = ctx.request(&Request::Scan {
        path: Some(directory.clone()),
        background: true,
    })?;
    let Response::Jobs { ids, warnings } = response else {
        return Err(ToolError(format!(
            "unexpected answer from the engine: {response:?}"
        )));
    };
    let Some(id) = ids.first() else {
        return Err(ToolError(format!(
            "no job was queued for {}: {}",
            directory.display(),
            warnings.join("; ")
        )));
    };
    Ok(json!({
        "job_id": id,
        "job_ids": ids,
        "directory": directory,
        "source_added": source_added,
        "rules_changed": rules_changed,
        "warnings": warnings,
        "next": "poll get_indexing_status with this job_id until its status is completed; search_documents works meanwhile on what is indexed so far",
    }))
}

/// `get_indexing_status`: one job in detail, or the recent jobs and health.
pub fn status(ctx: &Context, args: IndexingStatus) -> ToolResult {
    match args.job_id {
        Some(id) => one_job(ctx, &job_id(&id)?),
        None => overview(ctx),
    }
}

fn one_job(ctx: &Context, id: &str) -> ToolResult {
    let index = ctx.index();
    let job = index.store().job(id)?;
    let failed = index.store().failed_documents(job.source_id)?;
    let mut value = serde_json::to_value(JobView::new(&job)).map_err(internal)?;
    // `failed_files` is the job's count; `failed` lists the source's files
    // whose last attempt failed, as `gleaner status JOB --json` does.
    value["failed"] = json!(&failed[..failed.len().min(FAILED_FILES_SHOWN)]);
    value["failed_total"] = json!(failed.len());
    value["indexing_paused"] = json!(index.settings()?.boolean("indexing.paused"));
    Ok(value)
}

fn overview(ctx: &Context) -> ToolResult {
    // Ask the engine before taking the index: its answer may take a moment.
    let engine = ctx.engine_status();
    let index = ctx.index();
    let jobs = index.store().jobs(None, 20)?;
    let health = HealthReport::build(index.store(), engine)?;
    Ok(json!({
        "jobs": job_views(&jobs),
        "indexing_paused": index.settings()?.boolean("indexing.paused"),
        "health": health,
    }))
}

/// `list_indexing_jobs`: recent jobs, newest first.
pub fn list(ctx: &Context, args: ListJobs) -> ToolResult {
    let status = args.status.map(|status| match status {
        JobStatusFilter::Queued => JobStatus::Queued,
        JobStatusFilter::Running => JobStatus::Running,
        JobStatusFilter::Paused => JobStatus::Paused,
        JobStatusFilter::Completed => JobStatus::Completed,
        JobStatusFilter::Failed => JobStatus::Failed,
        JobStatusFilter::Cancelled => JobStatus::Cancelled,
    });
    let limit = args.limit.unwrap_or(20).clamp(1, 200) as usize;
    let jobs = ctx.index().store().jobs(status, limit)?;
    Ok(json!({ "count": jobs.len(), "jobs": job_views(&jobs) }))
}

/// What to do with one job.
#[derive(Debug, Clone, Copy)]
pub enum JobAction {
    /// Stop at the next file boundary, keep for later.
    Pause,
    /// Queue a paused job again.
    Resume,
    /// Stop for good.
    Cancel,
}

/// `pause_indexing`, `resume_indexing`, `cancel_indexing`: through the engine
/// when one runs, else in the database (as `gleaner pause JOB` does). Resuming
/// starts an engine, since a resumed job needs one to run.
pub fn control(ctx: &Context, id: &str, action: JobAction) -> ToolResult {
    let id = job_id(id)?;
    ctx.index().store().job(&id)?; // an unknown id fails here, plainly
    let engine_running = match action {
        JobAction::Resume => {
            ctx.ensure_engine()?;
            true
        }
        JobAction::Pause | JobAction::Cancel => ctx.engine_runs(),
    };
    if engine_running {
        ctx.request(&match action {
            JobAction::Pause => Request::Pause {
                job: Some(id.clone()),
            },
            JobAction::Resume => Request::Resume {
                job: Some(id.clone()),
            },
            JobAction::Cancel => Request::Cancel { job: id.clone() },
        })?;
    } else {
        let index = ctx.index();
        let (next, reason) = match action {
            JobAction::Pause => (JobStatus::Paused, Some(PAUSED_BY_USER)),
            JobAction::Cancel => (JobStatus::Cancelled, None),
            JobAction::Resume => unreachable!("resuming starts an engine"),
        };
        index.store().transition_job(&id, next, reason)?;
    }
    let job = match action {
        JobAction::Pause | JobAction::Cancel => wait_while_running(ctx, &id)?,
        JobAction::Resume => ctx.index().store().job(&id)?,
    };
    let paused_globally = ctx.index().settings()?.boolean("indexing.paused");
    let note = match (action, job.status) {
        (JobAction::Pause | JobAction::Cancel, JobStatus::Running) => {
            "the job stops at its next file boundary".to_string()
        }
        (JobAction::Resume, _) if paused_globally => {
            "the job is queued, but all indexing is paused: it runs after `gleaner resume`"
                .to_string()
        }
        (_, status) => format!("the job is {}", status.as_str()),
    };
    Ok(json!({
        "job_id": id,
        "status": job.status,
        "engine_running": engine_running,
        "indexing_paused": paused_globally,
        "note": note,
        "job": JobView::new(&job),
    }))
}

/// The job once it has left `running`, or as it is after [`STOP_WAIT`].
fn wait_while_running(ctx: &Context, id: &str) -> Result<JobRecord, ToolError> {
    let deadline = Instant::now() + STOP_WAIT;
    loop {
        let job = ctx.index().store().job(id)?;
        if job.status != JobStatus::Running || Instant::now() >= deadline {
            return Ok(job);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn job_views(jobs: &[JobRecord]) -> Vec<Value> {
    jobs.iter()
        .filter_map(|job| serde_json::to_value(JobView::new(job)).ok())
        .collect()
}

/// A failure that is the server's, not the caller's.
pub fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError(format!("internal error: {err}"))
}
