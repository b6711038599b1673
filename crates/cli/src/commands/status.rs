//! `gleaner status`, `gleaner status JOB`, `gleaner jobs`, `gleaner check`.

use anyhow::{bail, Result};
use gleaner_core::store::{FailedDocument, JobRates, JobRecord, JobStatus};
use gleaner_core::Index;
use serde::Serialize;

use super::print_json;
use crate::output::{human_bytes, iso_time, job_progress, local_time, maybe_time};

#[derive(Serialize)]
struct SourceStatus {
    path: String,
    active: bool,
    documents: i64,
    failed_documents: i64,
    last_full_scan: Option<String>,
    /// The same, for people (in the local zone).
    #[serde(skip)]
    last_full_scan_ms: Option<i64>,
    last_scan_status: &'static str,
    last_error: Option<String>,
    failed_files: Vec<FailedDocument>,
}

pub fn sources(index: &Index, json: bool) -> Result<()> {
    let mut rows = Vec::new();
    for row in index.source_statuses()? {
        let failed_files = index.store().failed_documents(Some(row.source.id))?;
        rows.push(SourceStatus {
            path: row.source.path.display().to_string(),
            active: row.source.active,
            documents: row.documents,
            failed_documents: row.failed_documents,
            last_full_scan: row.source.last_full_scan.map(iso_time),
            last_full_scan_ms: row.source.last_full_scan,
            last_scan_status: row.source.last_scan_status.as_str(),
            last_error: row.source.last_error.clone(),
            failed_files,
        });
    }
    if json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        println!("no sources yet: add one with `gleaner source add PATH`");
    }
    for row in rows {
        println!(
            "{}{}: {} documents, last full scan {}, {}",
            row.path,
            if row.active { "" } else { " (disabled)" },
            row.documents,
            maybe_time(row.last_full_scan_ms),
            row.last_scan_status
        );
        if let Some(error) = &row.last_error {
            println!("  error: {error}");
        }
        for failed in &row.failed_files {
            println!("  failed: {}: {}", failed.path, failed.error);
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JobStatusJson<'a> {
    #[serde(flatten)]
    job: &'a JobRecord,
    #[serde(flatten)]
    rates: JobRates,
    current_file: Option<&'a str>,
    failed: Vec<FailedDocument>,
}

pub fn job(index: &Index, id: &str, json: bool) -> Result<()> {
    let job = index.store().job(id)?;
    let failed = index.store().failed_documents(job.source_id)?;
    let rates = job.rates(gleaner_core::store::now_ms());
    if json {
        let current_file = (job.status == JobStatus::Running)
            .then_some(job.counts.last_indexed_file.as_deref())
            .flatten();
        return print_json(&JobStatusJson {
            job: &job,
            rates,
            current_file,
            failed,
        });
    }
    let c = &job.counts;
    println!("job {} ({}): {}", job.id, job.trigger, job.status.as_str());
    println!("  directory: {}", job.directory);
    println!(
        "  {}, {} failed, {} chunks written, {} read",
        job_progress(c),
        c.failed_files,
        c.total_chunks,
        human_bytes(c.bytes_processed)
    );
    println!(
        "  new {}, modified {}, moved {}, deleted {}, unchanged {}",
        c.new, c.modified, c.moved, c.deleted, c.unchanged
    );
    println!(
        "  {:.0} files/s, {}/s over {:.1} s{}",
        rates.files_per_s,
        human_bytes(rates.bytes_per_s as u64),
        rates.elapsed_s,
        rates
            .eta_s
            .map_or(String::new(), |eta| format!(", about {eta:.0} s left"))
    );
    if job.status == JobStatus::Running {
        if let Some(current) = &c.last_indexed_file {
            println!("  at {current}");
        }
    }
    if let Some(reason) = &job.pause_reason {
        println!("  paused: {reason}");
    }
    if job.status == JobStatus::Completed {
        if let Some(nothing) = c.nothing_to_index(std::path::Path::new(&job.directory)) {
            println!("  {nothing}");
        }
    }
    println!(
        "  created {}, finished {}",
        local_time(job.created_at),
        maybe_time(job.completed_at)
    );
    if let Some(error) = &job.error {
        println!("  error: {error}");
    }
    for f in failed {
        println!("  failed: {}: {}", f.path, f.error);
    }
    Ok(())
}

pub fn jobs(index: &Index, status: Option<&str>, limit: usize, json: bool) -> Result<()> {
    let status = match status {
        Some(text) => match JobStatus::parse(text) {
            Some(status) => Some(status),
            None => bail!("unknown job status {text:?}: expected queued, running, paused, completed, failed or cancelled"),
        },
        None => None,
    };
    let jobs = index.store().jobs(status, limit)?;
    if json {
        return print_json(&jobs);
    }
    for job in jobs {
        println!(
            "{}  {:<9}  {}  {}  {}",
            job.id,
            job.status.as_str(),
            local_time(job.created_at),
            job_progress(&job.counts),
            job.directory
        );
    }
    Ok(())
}

pub fn check(index: &Index, json: bool) -> Result<()> {
    let mut problems = index.store().integrity_problems()?;
    // The search index against the store. With no engine running, this
    // process may bring it up to date first, so any difference left is a
    // real one; a running engine may still be applying changes.
    let lock = gleaner_core::lock::EngineLock::acquire(&index.data_dir().engine_lock()).ok();
    if lock.is_some() {
        index.sync_search()?;
    }
    let search = gleaner_core::search::verify(index.store(), &index.search_dir())?;
    drop(lock);
    let mut notes = Vec::new();
    match &search {
        None => notes.push("there is no search index yet: an engine builds it".to_string()),
        Some(check) if !check.caught_up => notes.push(format!(
            "the search index is {} changes behind the store: the engine is applying them",
            check.behind
        )),
        Some(check) if !check.is_consistent() => problems.push(format!(
            "the search index differs from the store: {} missing, {} stale, {} duplicated, {} extra (run `gleaner rebuild-search`)",
            check.missing.len(),
            check.stale.len(),
            check.duplicated.len(),
            check.extra.len()
        )),
        Some(_) => {}
    }
    if json {
        print_json(&serde_json::json!({
            "ok": problems.is_empty(),
            "problems": problems,
            "notes": notes,
            "search": search,
        }))?;
    } else {
        if problems.is_empty() {
            println!("index is sound: the SQLite integrity check passed and the search index equals the store");
        }
        for problem in &problems {
            println!("problem: {problem}");
        }
        for note in &notes {
            println!("note: {note}");
        }
    }
    if !problems.is_empty() {
        bail!("the index failed its integrity checks");
    }
    Ok(())
}

/// `gleaner rebuild-search`: through the running engine (in the background,
/// progress in `gleaner health`), or here, waiting for the build.
pub fn rebuild_search(index: &Index) -> Result<()> {
    let data_dir = index.data_dir();
    match gleaner_core::lock::EngineLock::acquire(&data_dir.engine_lock()) {
        Ok(_lock) => {
            let started = std::time::Instant::now();
            gleaner_core::search::remove_index(&index.search_dir())?;
            index.sync_search()?;
            let units = index.store().visible_units()?.len();
            println!(
                "search index rebuilt from the store: {units} documents in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        Err(gleaner_core::Error::EngineBusy { .. }) => {
            super::daemon::request(
                data_dir,
                &gleaner_core::engine::control::Request::RebuildSearch,
                Some(std::time::Duration::from_secs(60)),
            )?;
            println!(
                "the engine is rebuilding the search index: `gleaner health` shows how far it is"
            );
        }
        Err(err) => return Err(err.into()),
    }
    Ok(())
}
