//! The reading tools: search, a document's text, the sources, health. They
//! read the database directly, as `gleaner search`, `gleaner source list` and
//! `gleaner health` do; only health asks the engine (for its watches).

use std::collections::HashSet;

use gleaner_core::health::HealthReport;
use gleaner_core::index::lookup_path;
use gleaner_core::source::Source;
use gleaner_core::store::{JobRecord, JobStatus, SearchFilter};
use gleaner_core::Index;
use serde_json::{json, Value};

use crate::context::{absolute_path, Context, ToolError, ToolResult};
use crate::indexing::internal;
use crate::params::{GetDocument, SearchDocuments};
use crate::views::{age_s, iso_time, SourceView};

/// Characters of a document returned when the caller names no bound.
const DEFAULT_DOCUMENT_CHARS: u32 = 20_000;
/// The most characters one `get_document` call returns.
const MAX_DOCUMENT_CHARS: u32 = 200_000;

/// Jobs that are not finished: the index may still change under them.
const UNFINISHED: [JobStatus; 3] = [JobStatus::Queued, JobStatus::Running, JobStatus::Paused];

/// `search_documents`: ranked hits and how fresh the index behind them is.
pub fn search(ctx: &Context, args: SearchDocuments) -> ToolResult {
    let limit = args.limit.unwrap_or(10).clamp(1, 100) as usize;
    let source_path = args
        .source
        .as_deref()
        .map(|source| absolute_path(source, "source"))
        .transpose()?;
    let engine_running = ctx.engine_runs();
    let index = ctx.index();
    let source = source_path.map(|path| index.source(&path)).transpose()?;
    let filter = SearchFilter {
        source_id: source.as_ref().map(|s| s.id),
        ext: args
            .ext
            .map(|ext| ext.trim().trim_start_matches('.').to_ascii_lowercase())
            .filter(|ext| !ext.is_empty()),
    };
    let hits = index.search(&args.query, &filter, limit)?;
    Ok(json!({
        "query": args.query,
        "count": hits.len(),
        "hits": hits,
        "freshness": freshness(&index, engine_running, source.as_ref())?,
    }))
}

/// How far the index can be trusted: jobs still under way, the last scans,
/// whether an engine watches for changes.
fn freshness(index: &Index, engine_running: bool, only: Option<&Source>) -> ToolResult {
    let store = index.store();
    let in_scope = |source_id: Option<i64>| only.is_none_or(|s| source_id == Some(s.id));
    let unfinished: Vec<JobRecord> = store
        .jobs_in(&UNFINISHED)?
        .into_iter()
        .filter(|job| in_scope(job.source_id))
        .collect();
    let sources: Vec<Value> = index
        .source_statuses()?
        .iter()
        .filter(|row| in_scope(Some(row.source.id)))
        .map(|row| {
            json!({
                "path": row.source.path,
                "active": row.source.active,
                "last_scan_status": row.source.last_scan_status,
                "last_full_scan": row.source.last_full_scan.map(iso_time),
                "last_full_scan_age_s": row.source.last_full_scan.map(age_s),
            })
        })
        .collect();
    let last_scan = store.last_completed_job()?.map(|scan| {
        json!({
            "job_id": scan.job_id,
            "directory": scan.directory,
            "finished": iso_time(scan.finished_at),
            "age_s": age_s(scan.finished_at),
        })
    });
    let paused = index.settings()?.boolean("indexing.paused");
    let running = unfinished
        .iter()
        .filter(|job| job.status != JobStatus::Paused)
        .count();
    let note = if sources.is_empty() {
        "nothing is indexed yet: start_background_indexing adds a folder".to_string()
    } else if running > 0 && !paused {
        format!("indexing is under way ({running} jobs): results may be incomplete; get_indexing_status shows progress")
    } else if !unfinished.is_empty() {
        "indexing is paused with jobs unfinished: results may be incomplete".to_string()
    } else if !engine_running {
        "no engine is running: changes made since the last scan are not indexed (start_background_indexing starts one)".to_string()
    } else {
        "up to date: the engine watches the sources and indexes changes within about a second"
            .to_string()
    };
    Ok(json!({
        "up_to_date": engine_running && unfinished.is_empty() && !sources.is_empty(),
        "engine_running": engine_running,
        "indexing_paused": paused,
        "jobs_unfinished": unfinished.iter().map(|job| json!({
            "job_id": job.id,
            "directory": job.directory,
            "status": job.status,
            "indexed_files": job.counts.indexed_files,
            "total_files": job.counts.total_files,
        })).collect::<Vec<_>>(),
        "last_successful_scan": last_scan,
        "sources": sources,
        "note": note,
    }))
}

/// `get_document`: the extracted text of one indexed file, a bounded part
/// at a time.
pub fn document(ctx: &Context, args: GetDocument) -> ToolResult {
    let path = absolute_path(&args.path, "path")?;
    let index = ctx.index();
    let store = index.store();
    let mut text = store.document_text(&path.to_string_lossy())?;
    if text.is_none() {
        let canonical = lookup_path(&path);
        if canonical != path {
            text = store.document_text(&canonical.to_string_lossy())?;
        }
    }
    let Some(text) = text else {
        return Err(ToolError(if path.exists() {
            format!(
                "{} has no indexed text: it is not in an indexed folder, not indexed yet, or listed by name only (too big, or a format without text); search_documents gives indexed paths",
                path.display()
            )
        } else {
            format!("{} does not exist", path.display())
        }));
    };
    let total_chars = text.chars().count();
    let offset = usize::try_from(args.offset.unwrap_or(0)).map_err(internal)?;
    let max_chars = args
        .max_chars
        .unwrap_or(DEFAULT_DOCUMENT_CHARS)
        .clamp(1, MAX_DOCUMENT_CHARS) as usize;
    let part: String = text.chars().skip(offset).take(max_chars).collect();
    let end = offset.min(total_chars) + part.chars().count();
    Ok(json!({
        "path": path,
        "total_chars": total_chars,
        "offset": offset,
        "returned_chars": end - offset.min(total_chars),
        "truncated": end < total_chars,
        "next_offset": (end < total_chars).then_some(end),
        "text": part,
    }))
}

/// `list_sources`: every source with its counts and scan state.
pub fn sources(ctx: &Context) -> ToolResult {
    let index = ctx.index();
    let busy: HashSet<i64> = index
        .store()
        .jobs_in(&UNFINISHED)?
        .into_iter()
        .filter_map(|job| job.source_id)
        .collect();
    let rows = index.source_statuses()?;
    let views: Vec<SourceView> = rows
        .iter()
        .map(|row| SourceView {
            row,
            last_full_scan_time: row.source.last_full_scan.map(iso_time),
            indexing_now: busy.contains(&row.source.id),
        })
        .collect();
    Ok(json!({ "count": views.len(), "sources": views }))
}

/// `get_health`: `gleaner health --json`, plus the global pause and the
/// unfinished jobs.
pub fn health(ctx: &Context) -> ToolResult {
    // Ask the engine before taking the index: its answer may take a moment.
    let engine = ctx.engine_status();
    let index = ctx.index();
    let report = HealthReport::build(index.store(), engine)?;
    let mut value = serde_json::to_value(&report).map_err(internal)?;
    value["indexing_paused"] = json!(index.settings()?.boolean("indexing.paused"));
    value["jobs_unfinished"] = json!(index.store().jobs_in(&UNFINISHED)?.len());
    Ok(value)
}
