//! `gleaner daemon` and `gleaner stop`, and the client side of the engine's
//! control socket used by other commands.

use std::time::Duration;

use anyhow::{bail, Result};
use gleaner_core::engine::control::{self, Request, Response, SOCKET_FILE};
use gleaner_core::health::HealthReport;
use gleaner_core::lock::EngineLock;
use gleaner_core::{DataDir, Error, Index};

use crate::output::local_time;

/// Runs the engine in the foreground until SIGINT, SIGTERM or `gleaner stop`,
/// with the HTTP API beside it on `http` (a loopback address), or where the
/// settings `http.enabled` and `http.addr` say.
pub fn run(
    data_dir: DataDir,
    shutdown: crossbeam_channel::Receiver<()>,
    http: Option<&str>,
) -> Result<()> {
    let busy = |pid| anyhow::Error::new(EngineAlreadyRunning { pid });
    // Before the port is bound: a second daemon should say that it is one,
    // not that the port is taken.
    if let Some(pid) = EngineLock::holder(&data_dir.engine_lock()) {
        return Err(busy(pid));
    }
    let http = match http {
        // Asked for on the command line: no API, no engine.
        Some(addr) => Some(gleaner_http::HttpServer::start(
            &data_dir,
            gleaner_http::loopback_addr(addr)?,
        )?),
        // From the settings: a daemon started in the background by another
        // command must still run when the port is taken, so only log.
        None => gleaner_http::start_if_enabled(&data_dir).unwrap_or_else(|err| {
            tracing::error!(%err, "the HTTP API could not start");
            None
        }),
    };
    let result = gleaner_core::engine::run(data_dir, shutdown, ());
    // The API never outlives the engine it fronts.
    drop(http);
    match result {
        Err(Error::EngineBusy { pid }) => Err(busy(pid)),
        other => Ok(other?),
    }
}

/// Why a daemon did not start: the data directory has its engine. `main`
/// exits with [`control::ENGINE_BUSY_EXIT`] for it, which tells a client
/// that started this daemon that it lost a race, not that it failed.
#[derive(Debug)]
pub struct EngineAlreadyRunning {
    pid: u32,
}

impl std::fmt::Display for EngineAlreadyRunning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "another Gleaner engine (pid {}) is already running for this data directory",
            self.pid
        )
    }
}

impl std::error::Error for EngineAlreadyRunning {}

/// Asks the running engine to stop and waits until it has released the lock.
pub fn stop(data_dir: &DataDir) -> Result<()> {
    let Some(pid) = EngineLock::holder(&data_dir.engine_lock()) else {
        println!("no Gleaner engine is running");
        return Ok(());
    };
    request(data_dir, &Request::Stop, Some(Duration::from_secs(10)))?;
    for _ in 0..200 {
        if EngineLock::holder(&data_dir.engine_lock()).is_none() {
            println!("stopped the engine (pid {pid})");
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("the engine (pid {pid}) did not stop within 10 s")
}

/// `gleaner health`: the database's facts joined with the running engine's.
pub fn health(index: &Index, json: bool) -> Result<()> {
    let data_dir = index.data_dir();
    let mut engine_problem = None;
    let engine = match EngineLock::holder(&data_dir.engine_lock()) {
        Some(_) => match request(data_dir, &Request::Health, Some(Duration::from_secs(10))) {
            Ok(Response::Health { status }) => Some(status),
            Ok(_) => None,
            Err(err) => {
                engine_problem = Some(err);
                None
            }
        },
        None => None,
    };
    let mut report = HealthReport::build(index.store(), engine)?;
    if let Some(err) = engine_problem {
        report = report.with_engine_unreachable(&format!("{err:#}"));
    }
    print_health(&report, json)
}

/// `gleaner health` where there is no index: that is the whole report.
pub fn health_without_index(data_dir: &DataDir, json: bool) -> Result<()> {
    print_health(&HealthReport::without_index(data_dir.path()), json)
}

fn print_health(report: &HealthReport, json: bool) -> Result<()> {
    if json {
        return super::print_json(report);
    }
    println!(
        "{}",
        if report.healthy {
            "healthy"
        } else {
            "needs attention"
        }
    );
    match &report.engine {
        Some(engine) => {
            println!(
            "engine: pid {}, up since {}, {} watches in use (limit {}), {} live changes indexed",
            engine.pid,
            local_time(engine.started_at),
            engine.watches_in_use,
            engine.watch_limit.map_or("unknown".into(), |l| l.to_string()),
            engine.live_paths_indexed
        );
            if let Some(search) = &engine.search {
                if search.building {
                    println!(
                        "search index: being built from the store, {} of {} documents{}",
                        search.built_units,
                        search.total_units,
                        search
                            .rebuild_reason
                            .as_deref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default()
                    );
                }
                if let Some(error) = &search.last_error {
                    println!("search index: {error} (retrying)");
                }
            }
        }
        None => println!("engine: not running"),
    }
    println!(
        "documents: {} ({} failed)",
        report.documents, report.documents_failed
    );
    if let Some(last) = &report.last_successful_scan {
        println!(
            "last successful scan: {} of {} ({:.1} s)",
            local_time(last.finished_at),
            last.directory,
            last.duration_ms as f64 / 1000.0
        );
    }
    for issue in &report.issues {
        println!("{:?}: {}", issue.severity, issue.message);
        if let Some(fix) = &issue.fix {
            println!("  fix: {fix}");
        }
    }
    Ok(())
}

/// `gleaner index --background`: queue jobs in the engine, starting one
/// (detached) when none runs, and print their ids.
pub fn index_in_background(
    index: &Index,
    path: Option<&std::path::Path>,
    json: bool,
) -> Result<()> {
    let data_dir = index.data_dir();
    let path = match path {
        // Check the folder here, so a bad path fails in this process,
        // plainly; the engine adds it as a source and indexes it in the job.
        Some(path) => Some(
            match index
                .store()
                .source_by_path(&gleaner_core::index::lookup_path(path))?
            {
                Some(source) => source.path,
                None => gleaner_core::source::canonical_source_path(path)?,
            },
        ),
        None => None,
    };
    ensure_engine(data_dir)?;
    let response = request(
        data_dir,
        &Request::Scan {
            path,
            background: true,
        },
        Some(Duration::from_secs(60)),
    )?;
    let Response::Jobs { ids, warnings } = response else {
        bail!("unexpected answer from the engine: {response:?}");
    };
    for warning in &warnings {
        eprintln!("gleaner: warning: {warning}");
    }
    if json {
        match ids.as_slice() {
            [one] => super::print_json(
                &serde_json::json!({ "id": one, "ids": ids, "warnings": warnings }),
            )?,
            _ => super::print_json(
                &serde_json::json!({ "id": ids.first(), "ids": ids, "warnings": warnings }),
            )?,
        }
    } else {
        for id in &ids {
            println!("{id}");
        }
    }
    Ok(())
}

/// Starts `gleaner daemon` detached unless an engine runs.
pub fn ensure_engine(data_dir: &DataDir) -> Result<()> {
    Ok(control::ensure_engine(data_dir, &std::env::current_exe()?)?)
}

/// What to do with a job.
#[derive(Debug, Clone, Copy)]
pub enum JobAction {
    Pause,
    Resume,
    Cancel,
}

/// `gleaner pause|resume [JOB]`, `gleaner cancel JOB`: through the engine
/// when one runs; otherwise straight in the database (a queued or paused
/// job's state, or the global pause flag, which the next engine honours).
pub fn control_job(index: &Index, action: JobAction, job: Option<String>) -> Result<()> {
    use gleaner_core::store::JobStatus;
    let data_dir = index.data_dir();
    if let Some(id) = &job {
        let record = index.store().job(id)?; // unknown ids fail here, plainly
                                             // A finished job cannot change: say when it finished rather than
                                             // which state machine edge is missing.
        if record.status.is_finished() && !matches!(action, JobAction::Resume) {
            bail!(
                "job {id} already {}{}: there is nothing to {}",
                record.status.as_str(),
                record
                    .completed_at
                    .map(|at| format!(" {}", ago(at)))
                    .unwrap_or_default(),
                match action {
                    JobAction::Pause => "pause",
                    _ => "cancel",
                }
            );
        }
    }
    let engine_runs = EngineLock::holder(&data_dir.engine_lock()).is_some();
    if engine_runs {
        let request = match action {
            JobAction::Pause => Request::Pause { job: job.clone() },
            JobAction::Resume => Request::Resume { job: job.clone() },
            JobAction::Cancel => Request::Cancel {
                job: job.clone().expect("cancel names a job"),
            },
        };
        request_ok(data_dir, &request)?;
        // A running job stops at the end of the file it is reading, or may
        // finish first: say what happened, not what was asked.
        if let (Some(id), JobAction::Pause | JobAction::Cancel) = (&job, action) {
            let record = settled(index, id)?;
            let wanted = match action {
                JobAction::Pause => JobStatus::Paused,
                _ => JobStatus::Cancelled,
            };
            let counts = &record.counts;
            if record.status == wanted {
                println!(
                    "{} job {id} after {} of {} files",
                    wanted.as_str(),
                    counts.indexed_files,
                    counts.total_files
                );
            } else if record.status == JobStatus::Running {
                println!(
                    "job {id} is stopping ({} of {} files so far): `gleaner status {id}` shows when it has",
                    counts.indexed_files, counts.total_files
                );
            } else {
                println!(
                    "job {id} {} before it could be {}",
                    record.status.as_str(),
                    wanted.as_str()
                );
            }
            return Ok(());
        }
    } else {
        let store = index.store();
        match (action, &job) {
            (JobAction::Pause, None) => drop(store.set_setting("indexing.paused", "true")?),
            (JobAction::Resume, None) => drop(store.set_setting("indexing.paused", "false")?),
            (JobAction::Pause, Some(id)) => drop(store.transition_job(
                id,
                JobStatus::Paused,
                Some(gleaner_core::engine::PAUSED_BY_USER),
            )?),
            (JobAction::Resume, Some(id)) => {
                store.transition_job(id, JobStatus::Queued, None)?;
            }
            (JobAction::Cancel, Some(id)) => {
                drop(store.transition_job(id, JobStatus::Cancelled, None)?)
            }
            (JobAction::Cancel, None) => unreachable!("cancel names a job"),
        }
    }
    let what = job
        .as_deref()
        .map_or("all indexing".to_string(), |id| format!("job {id}"));
    let done = match action {
        JobAction::Pause => "paused",
        JobAction::Resume => "resumed",
        JobAction::Cancel => "cancelled",
    };
    println!(
        "{done} {what}{}",
        if engine_runs {
            ""
        } else {
            " (no engine is running: it applies when one starts)"
        }
    );
    Ok(())
}

/// The job once it is no longer running (it stops at a file boundary), or
/// as it is after [`SETTLE_WAIT`].
fn settled(index: &Index, id: &str) -> Result<gleaner_core::store::JobRecord> {
    let deadline = std::time::Instant::now() + SETTLE_WAIT;
    loop {
        let record = index.store().job(id)?;
        if record.status != gleaner_core::store::JobStatus::Running
            || std::time::Instant::now() >= deadline
        {
            return Ok(record);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How long `pause` and `cancel` wait for a running job to stop: one file
/// (its time budget is seconds) and the batch written before it.
const SETTLE_WAIT: Duration = Duration::from_secs(15);

/// "2 s ago", "3 min ago", "5 h ago", "4 days ago" for a time in
/// milliseconds since the epoch.
fn ago(at_ms: i64) -> String {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let s = (now_ms - at_ms).max(0) / 1000;
    match s {
        0..=119 => format!("{s} s ago"),
        120..=7_199 => format!("{} min ago", s / 60),
        7_200..=172_799 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}

fn request_ok(data_dir: &DataDir, what: &Request) -> Result<()> {
    request(data_dir, what, Some(Duration::from_secs(30))).map(|_| ())
}

/// Sends a request to the running engine; an error answer becomes an error.
pub fn request(
    data_dir: &DataDir,
    request: &Request,
    timeout: Option<Duration>,
) -> Result<Response> {
    match control::send(&data_dir.path().join(SOCKET_FILE), request, timeout)? {
        Response::Error { message } => bail!("{message}"),
        other => Ok(other),
    }
}

/// Tells a running engine (if any) that the sources changed.
pub fn notify_sources_changed(data_dir: &DataDir) {
    if EngineLock::holder(&data_dir.engine_lock()).is_some() {
        if let Err(err) = request(data_dir, &Request::Reload, Some(Duration::from_secs(600))) {
            eprintln!("gleaner: warning: the running engine did not take the change: {err}");
        }
    }
}

/// SIGINT and SIGTERM become a message on the returned channel: they are
/// blocked in every thread (the mask is inherited, so this runs before any
/// thread is started) and one thread waits for them with sigwait, so the
/// engine can finish its batch and release the lock instead of dying mid-way.
pub fn shutdown_on_signals() -> Result<crossbeam_channel::Receiver<()>> {
    // SAFETY: plain libc signal-mask calls on a local, zeroed sigset_t.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            bail!("could not block SIGINT/SIGTERM");
        }
        set
    };
    let (sender, receiver) = crossbeam_channel::bounded(1);
    std::thread::Builder::new()
        .name("gleaner-signals".into())
        .spawn(move || {
            let mut signal = 0;
            // SAFETY: sigwait on the set blocked above.
            unsafe { libc::sigwait(&set, &mut signal) };
            tracing::info!(signal, "shutting down on signal");
            let _ = sender.send(());
        })?;
    Ok(receiver)
}
