//! The pool of extractor processes.
//!
//! A scan's reader thread that needs a PDF, office document or HTML page
//! extracted takes an idle extractor process from the pool (or starts one),
//! hands it the bytes, and gives it back when the answer came. A process
//! that crashed, hit a limit or ran out of time is dropped (killed and
//! reaped) and the next file gets a fresh one, so a hostile file costs one
//! process start, never the engine. There are never more processes than
//! files being extracted at once (the engine's reader threads).
//!
//! Idle processes are kept for [`IDLE_LIFETIME`] so consecutive files do
//! not each pay a process start, then a reaper thread ends them: an engine
//! that has nothing to index holds no extractor memory. The reaper sleeps
//! on a condition variable while no process is idle (no timer ticks).

use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use super::process::ExtractorProcess;
use super::{ExtractError, ExtractLimits, Extracted, Format};

/// How long an idle extractor process is kept.
#[cfg(not(test))]
const IDLE_LIFETIME: Duration = Duration::from_secs(30);
#[cfg(test)]
const IDLE_LIFETIME: Duration = Duration::from_secs(1);

/// More idle processes than this are ended at once.
const MAX_IDLE: usize = 8;

/// Names the program started as an extractor, overriding the search in
/// [`program`] (tests, or an installation that keeps it elsewhere).
pub const EXTRACTOR_ENV: &str = "GLEANER_EXTRACTOR";

struct Pool {
    idle: Mutex<Vec<ExtractorProcess>>,
    became_idle: Condvar,
    reaper: OnceLock<()>,
}

static POOL: Pool = Pool {
    idle: Mutex::new(Vec::new()),
    became_idle: Condvar::new(),
    reaper: OnceLock::new(),
};

/// Counts for tests and the health report.
static STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many extractor processes this process has started so far.
pub fn processes_started() -> u64 {
    STARTED.load(std::sync::atomic::Ordering::Relaxed)
}

/// The largest resident memory an extractor process of this process has
/// reached after a file (its `VmHWM`), in bytes.
pub fn peak_rss_bytes() -> u64 {
    PEAK_RSS.load(std::sync::atomic::Ordering::Relaxed)
}

static PEAK_RSS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many extractor processes are idle right now.
pub fn idle_processes() -> usize {
    lock(&POOL.idle).len()
}

/// Extracts `bytes` as `format` in an extractor process.
pub(super) fn extract(
    format: Format,
    bytes: &[u8],
    limits: &ExtractLimits,
) -> Result<Extracted, ExtractError> {
    // The bytes alone would not fit: no process needs to die to say so.
    if bytes.len() as u64 >= limits.memory_bytes {
        return Err(ExtractError::Crashed {
            format,
            cause: super::CrashCause::MemoryLimit {
                limit_bytes: limits.memory_bytes,
            },
        });
    }
    let mut process = checkout(limits)?;
    match process.extract(format, bytes, limits.timeout) {
        Ok(answer) => {
            give_back(process);
            answer
        }
        Err(death) => {
            drop(process);
            tracing::warn!(format = format.as_str(), reason = %death, "an extractor process ended");
            Err(death)
        }
    }
}

fn checkout(limits: &ExtractLimits) -> Result<ExtractorProcess, ExtractError> {
    {
        let mut idle = lock(&POOL.idle);
        while let Some(mut process) = idle.pop() {
            if process.memory_bytes == limits.memory_bytes && process.is_running() {
                return Ok(process);
            }
            // Started under another limit (the setting changed) or gone:
            // dropping it ends it.
        }
    }
    let program = program().map_err(|reason| ExtractError::Unavailable {
        reason: reason.clone(),
    })?;
    let process = ExtractorProcess::spawn(program, limits.memory_bytes).map_err(|err| {
        ExtractError::Unavailable {
            reason: format!("cannot start {}: {err}", program.display()),
        }
    })?;
    STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(process)
}

fn give_back(process: ExtractorProcess) {
    if let Some(peak) = process.peak_rss_bytes() {
        PEAK_RSS.fetch_max(peak, std::sync::atomic::Ordering::Relaxed);
    }
    let surplus = {
        let mut idle = lock(&POOL.idle);
        idle.push(process);
        let surplus = idle.len().saturating_sub(MAX_IDLE);
        idle.drain(..surplus).collect::<Vec<_>>()
    };
    drop(surplus);
    POOL.reaper.get_or_init(start_reaper);
    POOL.became_idle.notify_one();
}

/// Ends every idle process now (the engine stopping, or tests).
pub fn end_idle_processes() {
    let ended: Vec<ExtractorProcess> = std::mem::take(&mut *lock(&POOL.idle));
    drop(ended);
}

fn start_reaper() {
    let spawned = std::thread::Builder::new()
        .name("gleaner-extractor-reaper".into())
        .spawn(|| loop {
            let mut idle = lock(&POOL.idle);
            let oldest = idle.iter().map(|p| p.idle_since).min();
            let Some(oldest) = oldest else {
                drop(POOL.became_idle.wait(idle));
                continue;
            };
            let due = oldest + IDLE_LIFETIME;
            let now = Instant::now();
            if due > now {
                drop(POOL.became_idle.wait_timeout(idle, due - now));
                continue;
            }
            let (expired, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut *idle)
                .into_iter()
                .partition(|p| p.idle_since + IDLE_LIFETIME <= now);
            *idle = kept;
            drop(idle);
            drop(expired);
        });
    if let Err(err) = spawned {
        // Idle processes then live until they are used again or the
        // engine ends; nothing is lost.
        tracing::warn!(%err, "could not start the extractor reaper");
    }
}

fn lock(idle: &Mutex<Vec<ExtractorProcess>>) -> MutexGuard<'_, Vec<ExtractorProcess>> {
    // A panic while holding the lock cannot leave the list inconsistent
    // (pushes and pops only).
    idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The program started as an extractor, found once per process:
/// [`EXTRACTOR_ENV`] if set; this very executable if it serves as one (see
/// [`super::serve_if_asked`]), through `/proc/self/exe` so an upgrade that
/// replaced the file on disk still starts the matching version; otherwise
/// a `gleaner-extractor` or `gleaner` beside this executable or one folder
/// up (test binaries live in `target/debug/deps`).
fn program() -> Result<&'static PathBuf, &'static String> {
    PROGRAM.get_or_init(find_program).as_ref()
}

static PROGRAM: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// Makes `program` the extractor of this process, before the first
/// extraction (tests name the binary cargo built for them). Returns false
/// if a program was already chosen.
pub fn set_extractor_program(program: PathBuf) -> bool {
    PROGRAM.set(Ok(program)).is_ok()
}

fn find_program() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(EXTRACTOR_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    if super::child::self_serves() {
        let proc_self = PathBuf::from("/proc/self/exe");
        if proc_self.exists() {
            return Ok(proc_self);
        }
        return std::env::current_exe().map_err(|e| e.to_string());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dirs = exe
        .parent()
        .into_iter()
        .chain(exe.parent().and_then(|d| d.parent()));
    for dir in dirs {
        for name in ["gleaner-extractor", "gleaner"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(format!(
        "no extractor program: {} is not a Gleaner binary and no gleaner-extractor was found beside it (set {EXTRACTOR_ENV})",
        exe.display()
    ))
}

#[cfg(test)]
mod tests;
