//! `gleaner index [PATH]`: a foreground scan, with a progress bar on a terminal.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Result};
use gleaner_core::engine::control::{Request, Response};
use gleaner_core::lock::EngineLock;
use gleaner_core::scan::{ScanObserver, ScanPhase, ScanProgress};
use gleaner_core::{Error, Index};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::print_json;

/// The JSON printed by `index --json` (the counts are the contract).
#[derive(Debug, Default, Serialize)]
pub(super) struct IndexSummary {
    new: u64,
    modified: u64,
    moved: u64,
    deleted: u64,
    unchanged: u64,
    failed: u64,
    chunks: u64,
    bytes_read: u64,
    seconds: f64,
    jobs: Vec<String>,
    /// Extractor processes started, and the most memory one used (MiB).
    extractors_started: u64,
    extractor_peak_rss_mib: f64,
}

impl IndexSummary {
    fn add(&mut self, c: &gleaner_core::store::JobCounts) {
        self.new += c.new;
        self.modified += c.modified;
        self.moved += c.moved;
        self.deleted += c.deleted;
        self.unchanged += c.unchanged;
        self.failed += c.failed_files;
        self.chunks += c.total_chunks;
        self.bytes_read += c.bytes_processed;
    }
}

pub fn run(index: &mut Index, path: Option<&Path>, json: bool) -> Result<()> {
    let Some(summary) = scan_all(index, path, json)? else {
        return Ok(()); // the running engine did it and reported
    };
    if json {
        print_json(&summary)?;
    } else if summary.failed > 0 {
        println!(
            "{} files could not be read or extracted: see `gleaner status`",
            summary.failed
        );
    }
    Ok(())
}

/// Scans `path`'s source, or every active one, in this process; `None` when
/// a running engine did it instead (and its answer was printed). `quiet`
/// leaves out the per-source lines and the progress bar.
pub(super) fn scan_all(
    index: &mut Index,
    path: Option<&Path>,
    quiet: bool,
) -> Result<Option<IndexSummary>> {
    let json = quiet;
    // One engine per data directory: a foreground index is the engine for
    // as long as it runs.
    // When a daemon runs, it does the scan (racing it would index twice).
    let _lock = match EngineLock::acquire(&index.data_dir().engine_lock()) {
        Ok(lock) => lock,
        Err(Error::EngineBusy { .. }) => return run_in_engine(index, path, json).map(|()| None),
        Err(err) => return Err(err.into()),
    };
    let sources = match path {
        Some(path) => vec![index.source_or_add(path)?],
        None => {
            let active: Vec<_> = index.sources()?.into_iter().filter(|s| s.active).collect();
            if active.is_empty() {
                bail!("no active sources: add one with `gleaner source add PATH` or run `gleaner index PATH`");
            }
            active
        }
    };
    let started = std::time::Instant::now();
    let mut summary = IndexSummary::default();
    let mut errors = Vec::new();
    // This process is the engine while it scans: it also keeps the search
    // index in step, so other processes can search while it runs.
    let indexer = gleaner_core::search::SearchIndexer::start(
        index.data_dir().database(),
        index.search_dir(),
    )?;
    for source in &sources {
        let bar = Bar::new(!json && std::io::stderr().is_terminal(), &source.path);
        match index.scan(source, "manual", &bar) {
            Ok(report) => {
                bar.finish();
                let c = &report.outcome.counts;
                summary.add(c);
                summary.jobs.push(report.job_id);
                for problem in &report.outcome.problems {
                    eprintln!(
                        "gleaner: warning: could not read {}: {}",
                        problem.path.display(),
                        problem.message
                    );
                }
                if let Some(nothing) = report.outcome.nothing_to_index(&source.path) {
                    eprintln!("gleaner: warning: {nothing}");
                }
                if !json {
                    println!(
                        "{}: {} new, {} modified, {} moved, {} deleted, {} unchanged, {} failed",
                        source.path.display(),
                        c.new,
                        c.modified,
                        c.moved,
                        c.deleted,
                        c.unchanged,
                        c.failed_files
                    );
                }
            }
            // A damaged index is not one source's problem: stop at once,
            // keeping the error's kind for the advice `main` adds.
            Err(err) if err.is_corrupt_index() => {
                bar.abandon();
                return Err(err.into());
            }
            Err(err) => {
                bar.abandon();
                errors.push(format!("{}: {err}", source.path.display()));
            }
        }
    }
    indexer.finish()?;
    // The extractor processes end and are reaped before this process
    // exits, so none outlives it and their CPU time counts as its children's.
    gleaner_core::extract::end_idle_processes();
    summary.seconds = started.elapsed().as_secs_f64();
    summary.extractors_started = gleaner_core::extract::processes_started();
    summary.extractor_peak_rss_mib =
        gleaner_core::extract::peak_rss_bytes() as f64 / (1024.0 * 1024.0);
    if !errors.is_empty() {
        bail!("{}", errors.join("; "));
    }
    Ok(Some(summary))
}

/// Asks the running engine to scan and reports its answer like a local scan.
fn run_in_engine(index: &Index, path: Option<&Path>, json: bool) -> Result<()> {
    let started = std::time::Instant::now();
    let path = path.map(gleaner_core::index::lookup_path);
    let response = super::daemon::request(
        index.data_dir(),
        &Request::Scan {
            path,
            background: false,
        },
        None,
    )?;
    let Response::Scanned { scans, errors } = response else {
        bail!("unexpected answer from the engine: {response:?}");
    };
    let mut summary = IndexSummary::default();
    for scan in &scans {
        let c = &scan.counts;
        summary.add(c);
        summary.jobs.push(scan.job_id.clone());
        if let Some(nothing) = c.nothing_to_index(&scan.path) {
            eprintln!("gleaner: warning: {nothing}");
        }
        if !json {
            println!(
                "{}: {} new, {} modified, {} moved, {} deleted, {} unchanged, {} failed (by the running engine)",
                scan.path.display(), c.new, c.modified, c.moved, c.deleted, c.unchanged, c.failed_files
            );
        }
    }
    summary.seconds = started.elapsed().as_secs_f64();
    if json {
        print_json(&summary)?;
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("; "));
    }
    Ok(())
}

/// The progress bar, or nothing when stderr is not a terminal.
struct Bar(Option<ProgressBar>);

impl Bar {
    fn new(enabled: bool, path: &Path) -> Bar {
        if !enabled {
            return Bar(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {wide_bar} {pos}/{len} files {msg}")
                .expect("valid template"),
        );
        bar.set_prefix(path.display().to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(Some(bar))
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }

    fn abandon(&self) {
        if let Some(bar) = &self.0 {
            bar.abandon();
        }
    }
}

impl ScanObserver for Bar {
    fn progress(&self, progress: &ScanProgress<'_>) {
        let Some(bar) = &self.0 else { return };
        let counts = progress.counts;
        match progress.phase {
            ScanPhase::Walking => bar.set_message("listing files…"),
            ScanPhase::Indexing | ScanPhase::Finished => {
                bar.set_length(counts.total_files);
                bar.set_position(counts.indexed_files);
                let name = counts
                    .last_indexed_file
                    .as_deref()
                    .and_then(|p| Path::new(p).file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                bar.set_message(name);
            }
        }
    }
}
