//! The reading tools: search, a document's text, the sources, health. They
//! read the database directly, as `gleaner search`, `gleaner source list` and
//! `gleaner health` do; only health asks the engine (for its watches).

use std::collections::HashSet;

use gleaner_core::health::HealthReport;
use gleaner_core::search::SearchFilter;
use gleaner_core::source::Source;
use gleaner_core::store::{path_text, JobRecord, JobStatus};
use gleaner_core::Index;
use serde_json::{json, Value};

use crate::context::{indexed_path, Context, ToolError, ToolResult};
use crate::folder_policy::lexical;
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
        .map(|source| indexed_path(source, "source"))
        .transpose()?;
    let engine_running = ctx.engine_runs();
    let index = ctx.index();
    let source = source_path.map(|path| index.source(&path)).transpose()?;
    let mut filter = SearchFilter::new();
    if let Some(source) = &source {
        filter = filter.source(source.id);
    }
    if let Some(ext) = &args.ext {
        filter = filter.extension(ext);
    }
    let answer = index.search(&args.query, &filter, limit)?;
    Ok(json!({
        "query": args.query,
        "count": answer.hits.len(),
        "hits": answer.hits,
        "fallback": answer.fallback,
        "notes": answer.notes,
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
        "nothing is indexed yet: the user adds folders with `gleaner source add PATH` (or, if they allowed it, start_background_indexing does)".to_string()
    } else if running > 0 && !paused {
        format!("indexing is under way ({running} jobs): results may be incomplete; get_indexing_status shows progress")
    } else if !unfinished.is_empty() {
        "indexing is paused with jobs unfinished: results may be incomplete".to_string()
    } else if !engine_running {
        "no engine is running: changes made since the last scan are not indexed (`gleaner daemon` or the Gleaner app starts one)".to_string()
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
/// at a time. The path is taken, and answered, in the index's text form
/// (see [`indexed_path`]), so a name that is not UTF-8 works both ways.
///
/// Only the index is read: the text comes from the stored chunks of an
/// active document of an active source, never from the file on disk. The
/// path is tried as given, with `.` and `..` taken off its text, and with
/// links resolved (a link to an indexed file names that file); anything
/// else gets one answer, whether or not such a file exists, so the tool
/// cannot be used to learn what is on disk outside the sources.
pub fn document(ctx: &Context, args: GetDocument) -> ToolResult {
    let path = indexed_path(&args.path, "path")?;
    let mut candidates = vec![path.clone(), lexical(&path)];
    if let Ok(canonical) = std::fs::canonicalize(&path) {
        candidates.push(canonical);
    }
    candidates.dedup();
    let index = ctx.index();
    let store = index.store();
    let mut found = None;
    for candidate in &candidates {
        let stored = path_text(candidate);
        if let Some(text) = store.document_text(&stored)? {
            found = Some((stored, text));
            break;
        }
    }
    let Some((stored, text)) = found else {
        return Err(ToolError(format!(
            "{} is not in the index: get_document reads only the text of files indexed in the \
user's active sources (a file listed by name only, too big or without text, has none). Pass a \
path exactly as search_documents returned it.",
            path_text(&path)
        )));
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
        "path": stored,
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

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::path::PathBuf;

    use gleaner_core::scan::Unobserved;
    use gleaner_core::source::NewSource;
    use gleaner_core::DataDir;

    use super::*;

    /// An index of a folder holding two files whose names differ only in a
    /// byte that is not UTF-8 (Latin-1 é and è).
    fn latin1_world() -> (tempfile::TempDir, Context, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("docs")).unwrap();
        let docs = tmp.path().join("docs").canonicalize().unwrap();
        for (byte, word) in [(0xe9u8, "heron"), (0xe8u8, "egret")] {
            let mut name = b"caf".to_vec();
            name.extend([byte, b'.', b't', b'x', b't']);
            std::fs::write(
                docs.join(OsStr::from_bytes(&name)),
                format!("a {word} by the water"),
            )
            .unwrap();
        }
        let data_dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
        let mut index = Index::open(data_dir).unwrap();
        let source = index
            .add_source(NewSource {
                path: docs.clone(),
                recursive: true,
                ..NewSource::default()
            })
            .unwrap();
        index.scan(&source, "test", &Unobserved).unwrap();
        // What the engine's search indexer would do beside the server.
        index.sync_search().unwrap();
        (tmp, Context::new(index, PathBuf::from("gleaner")), docs)
    }

    fn get(ctx: &Context, path: &str) -> ToolResult {
        document(
            ctx,
            GetDocument {
                path: path.to_string(),
                offset: None,
                max_chars: None,
            },
        )
    }

    #[test]
    fn a_name_that_is_not_utf8_is_read_by_what_search_returned() {
        let (_tmp, ctx, docs) = latin1_world();
        let hits = search(
            &ctx,
            SearchDocuments {
                query: "heron".into(),
                limit: None,
                source: Some(docs.display().to_string()),
                ext: None,
            },
        )
        .unwrap();
        let hit = hits["hits"][0]["path"].as_str().unwrap().to_string();
        assert_eq!(hit, format!("{}/caf\u{FFFD}E9.txt", docs.display()));
        let doc = get(&ctx, &hit).unwrap();
        assert_eq!(doc["text"], "a heron by the water");
        assert_eq!(doc["path"], hit.as_str(), "answered in the same form");
        // The other byte is the other file, not the same one.
        let other = get(&ctx, &hit.replace("E9", "E8")).unwrap();
        assert_eq!(other["text"], "a egret by the water");
        // The lossy spelling names no file.
        let lossy = get(&ctx, &format!("{}/caf\u{FFFD}.txt", docs.display())).unwrap_err();
        assert!(lossy.0.contains("is not in the index"), "{}", lossy.0);
    }

    #[test]
    fn a_name_that_is_not_utf8_is_found_on_disk_too() {
        let (tmp, ctx, docs) = latin1_world();
        // Through a link to the folder: the real bytes are made canonical.
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&docs, &link).unwrap();
        let linked = get(&ctx, &format!("{}/caf\u{FFFD}E9.txt", link.display())).unwrap();
        assert_eq!(linked["text"], "a heron by the water");
        assert_eq!(
            linked["path"],
            format!("{}/caf\u{FFFD}E9.txt", docs.display()),
            "the indexed path"
        );
        // A file that exists but was not indexed gets the answer a file
        // that does not exist gets: the disk is not described.
        std::fs::write(docs.join(OsStr::from_bytes(b"new\xe9.txt")), "later").unwrap();
        let unindexed = get(&ctx, &format!("{}/new\u{FFFD}E9.txt", docs.display())).unwrap_err();
        let missing = get(&ctx, &format!("{}/old\u{FFFD}E9.txt", docs.display())).unwrap_err();
        assert_eq!(
            unindexed.0.replace("new", "X"),
            missing.0.replace("old", "X")
        );
        assert!(
            unindexed.0.contains("is not in the index"),
            "{}",
            unindexed.0
        );
    }

    #[test]
    fn only_indexed_text_of_active_sources_is_served() {
        let (tmp, ctx, docs) = latin1_world();
        let indexed = format!("{}/caf\u{FFFD}E9.txt", docs.display());
        // A file beside the source, existing or not, and `..` out of it.
        let secret = tmp.path().join("secret.txt");
        std::fs::write(&secret, "private key").unwrap();
        let answers: Vec<String> = [
            secret.display().to_string(),
            tmp.path().join("nothing.txt").display().to_string(),
            format!("{}/../secret.txt", docs.display()),
            format!("{}/../nothing.txt", docs.display()),
        ]
        .iter()
        .map(|path| {
            let err = get(&ctx, path).unwrap_err().0;
            assert!(!err.contains("private key"));
            err.replace(path.as_str(), "PATH")
        })
        .collect();
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:#?}");
        // `..` inside the source still names an indexed file.
        let dotted = format!("{}/../docs/caf\u{FFFD}E9.txt", docs.display());
        assert_eq!(get(&ctx, &dotted).unwrap()["path"], indexed.as_str());
        // A disabled source's text is out of reach until it is enabled.
        ctx.index().set_source_active(&docs, false).unwrap();
        let err = get(&ctx, &indexed).unwrap_err().0;
        assert!(err.contains("is not in the index"), "{err}");
        ctx.index().set_source_active(&docs, true).unwrap();
        assert_eq!(get(&ctx, &indexed).unwrap()["text"], "a heron by the water");
    }
}
