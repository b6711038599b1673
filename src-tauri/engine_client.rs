//! Requests to the engine of the data directory, hosted here or in a
//! `gleaner daemon`: the same control-socket calls the CLI makes
//! (`crates/cli/src/commands/daemon.rs`), so the tray, the window and the
//! command line do exactly the same things.
//!
//! Every function here may block (a reload walks the new folders before the
//! engine answers): call them off the main thread.

use std::time::Duration;

use gleaner_core::engine::control::{self, Request, Response, SOCKET_FILE};
use gleaner_core::engine::PAUSED_BY_USER;
use gleaner_core::lock::EngineLock;
use gleaner_core::store::JobStatus;
use gleaner_core::{DataDir, Index};

use crate::error::{CommandError, CommandResult};

/// How long a quick request (pause, resume, cancel, scan in background) may take.
const QUICK: Duration = Duration::from_secs(30);
/// A reload walks new or changed sources before the engine answers.
const RELOAD: Duration = Duration::from_secs(600);

/// What to do with one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAction {
    /// Stop it at the next file boundary, to be resumed.
    Pause,
    /// Queue a paused job again.
    Resume,
    /// Stop it for good.
    Cancel,
}

/// Whether some process (this one included) runs the engine.
pub fn engine_runs(data_dir: &DataDir) -> bool {
    EngineLock::holder(&data_dir.engine_lock()).is_some()
}

/// Sends one request; an error answer becomes [`CommandError::EngineRefused`].
pub fn request(
    data_dir: &DataDir,
    request: &Request,
    timeout: Duration,
) -> CommandResult<Response> {
    let socket = data_dir.path().join(SOCKET_FILE);
    match control::send(&socket, request, Some(timeout))? {
        Response::Error { message } => Err(CommandError::EngineRefused(message)),
        other => Ok(other),
    }
}

/// Pauses or resumes all indexing. Without an engine the flag is stored,
/// and the next engine honours it (as `gleaner pause` does).
pub fn set_indexing_paused(index: &Index, paused: bool) -> CommandResult<()> {
    let data_dir = index.data_dir();
    if engine_runs(data_dir) {
        let what = if paused {
            Request::Pause { job: None }
        } else {
            Request::Resume { job: None }
        };
        request(data_dir, &what, QUICK)?;
    } else {
        index
            .store()
            .set_setting("indexing.paused", if paused { "true" } else { "false" })?;
    }
    Ok(())
}

/// Pauses, resumes or cancels one job: through the engine when one runs,
/// otherwise in the database (a queued or paused job's state).
pub fn control_job(index: &Index, action: JobAction, id: &str) -> CommandResult<()> {
    let data_dir = index.data_dir();
    index.store().job(id)?; // an unknown id fails here, plainly
    if engine_runs(data_dir) {
        let job = id.to_string();
        let what = match action {
            JobAction::Pause => Request::Pause { job: Some(job) },
            JobAction::Resume => Request::Resume { job: Some(job) },
            JobAction::Cancel => Request::Cancel { job },
        };
        request(data_dir, &what, QUICK)?;
        return Ok(());
    }
    let store = index.store();
    match action {
        JobAction::Pause => {
            drop(store.transition_job(id, JobStatus::Paused, Some(PAUSED_BY_USER))?)
        }
        JobAction::Resume => drop(store.transition_job(id, JobStatus::Queued, None)?),
        JobAction::Cancel => drop(store.transition_job(id, JobStatus::Cancelled, None)?),
    }
    Ok(())
}

/// Queues a full scan of every active source ("Scan now") and returns the
/// job ids and the engine's warnings.
pub fn scan_all(data_dir: &DataDir) -> CommandResult<(Vec<String>, Vec<String>)> {
    if !engine_runs(data_dir) {
        return Err(CommandError::NoEngine);
    }
    let what = Request::Scan {
        path: None,
        background: true,
    };
    match request(data_dir, &what, QUICK)? {
        Response::Jobs { ids, warnings } => Ok((ids, warnings)),
        other => Err(CommandError::UnexpectedAnswer(format!("{other:?}"))),
    }
}

/// Tells the engine (if one runs) that sources were added, changed or
/// removed: it watches and scans them accordingly.
pub fn sources_changed(data_dir: &DataDir) -> CommandResult<()> {
    if engine_runs(data_dir) {
        request(data_dir, &Request::Reload, RELOAD)?;
    }
    Ok(())
}

/// Tells the engine (if one runs) that settings changed. The engine reads
/// most settings where it uses them (scan intervals, workers, job limits), so
/// the reload is what makes it look again now rather than at its next scan.
pub fn settings_changed(data_dir: &DataDir) -> CommandResult<()> {
    if engine_runs(data_dir) {
        request(data_dir, &Request::Reload, RELOAD)?;
    }
    Ok(())
}

/// The running engine's own health facts, if an engine answers.
pub fn engine_status(data_dir: &DataDir) -> Option<gleaner_core::health::EngineStatus> {
    if !engine_runs(data_dir) {
        return None;
    }
    match request(data_dir, &Request::Health, Duration::from_secs(10)) {
        Ok(Response::Health { status }) => Some(status),
        _ => None,
    }
}
