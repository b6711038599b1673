//! What the index is doing, for the tray and the settings window.
//!
//! One task ([`spawn_status_task`]) looks at the database once a second and
//! pushes what changed: the tray's status line, picture and Pause/Resume
//! item, and a `status` event with the whole [`Snapshot`] for the window,
//! which therefore never polls. The look is cheap: the recent jobs (a small
//! table, pruned by maintenance) and the settings; the per-source document
//! counts, which read every document row, are recounted only when jobs
//! moved, when the hosted engine indexed live changes, or every
//! [`RECOUNT_EVERY`] (changes indexed by another process's engine).
//!
//! The status line itself is a pure function of the snapshot
//! ([`summarize`]), tested below.

/// 12431 → "12,431" (the engine's formatter, shared with notifications).
pub use gleaner_core::notify::text::group_thousands as thousands;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gleaner_core::source::ScanStatus;
use gleaner_core::store::{JobRates, JobRecord, JobStatus, SourceStatusRow, Store};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

use crate::engine_host::{EngineHost, EngineMode};
#[cfg(desktop)]
use crate::tray::{self, TrayState};

/// Name of the event that carries a [`Snapshot`] to the window.
pub const STATUS_EVENT: &str = "status";

/// How often the database is looked at.
const TICK: Duration = Duration::from_secs(1);
/// How often document counts are recounted when nothing else says they changed.
const RECOUNT_EVERY: Duration = Duration::from_secs(15);
/// How often document counts are recounted while jobs run.
const ACTIVE_RECOUNT_EVERY: Duration = Duration::from_secs(2);
/// Jobs shown in the window.
pub const RECENT_JOBS: usize = 30;

/// A job as the window shows it: the record and its rates.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    /// The job row.
    #[serde(flatten)]
    pub job: JobRecord,
    /// Files per second, bytes per second, ETA.
    #[serde(flatten)]
    pub rates: JobRates,
}

impl JobView {
    /// The job with its rates at `now_ms`.
    pub fn new(job: JobRecord, now_ms: i64) -> JobView {
        let rates = job.rates(now_ms);
        JobView { job, rates }
    }
}

/// Everything the tray and the window show about the index.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// The tray's status line, e.g. "Up to date · 12,431 documents".
    pub line: String,
    /// Which tray picture (idle, indexing, paused, error).
    pub state: &'static str,
    /// All indexing paused by the user.
    pub paused: bool,
    /// Where the engine runs: "hosted", "attached", "failed", "stopped".
    pub engine: &'static str,
    /// Why the engine failed, when it did.
    pub engine_error: Option<String>,
    /// The engine failed because the index file is damaged or not
    /// Gleaner's: the window offers to rebuild it.
    pub corrupt_index: bool,
    /// Active documents in all sources.
    pub documents: i64,
    /// The sources and their counts.
    pub sources: Vec<SourceStatusRow>,
    /// Recent jobs, newest first, with rates.
    pub jobs: Vec<JobView>,
    /// Whether the session starts Gleaner at login (read from the platform
    /// each time, so a change made elsewhere shows up too).
    pub start_at_login: bool,
}

/// The facts a status line is made of.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Whether an engine runs (hosted or attached).
    pub engine_ok: bool,
    /// Why the hosted engine failed.
    pub engine_error: Option<String>,
    /// It failed because the index file is damaged or not Gleaner's.
    pub corrupt_index: bool,
    /// Global pause.
    pub paused: bool,
    /// Active documents.
    pub documents: i64,
    /// Number of sources.
    pub n_sources: usize,
    /// Active sources whose last scan failed or whose folder is gone.
    pub n_sources_in_error: usize,
    /// Running jobs: (done, total) files each.
    pub running: Vec<(u64, u64)>,
    /// Queued jobs.
    pub n_queued: usize,
}

/// The tray's status line and picture for `facts`. Worst news first: a dead
/// engine, then sources in error, then pause, then indexing, then idle.
pub fn summarize(facts: &Facts) -> (String, TrayPicture) {
    if facts.corrupt_index {
        return (
            "Not indexing: the index is damaged; rebuild it in Settings".into(),
            TrayPicture::Error,
        );
    }
    if let Some(reason) = &facts.engine_error {
        return (format!("Not indexing: {reason}"), TrayPicture::Error);
    }
    if !facts.engine_ok {
        return (
            "Not indexing: no engine is running".into(),
            TrayPicture::Error,
        );
    }
    if facts.n_sources_in_error > 0 {
        let line = match facts.n_sources_in_error {
            1 => "1 source needs attention".to_string(),
            n => format!("{} sources need attention", thousands(n as u64)),
        };
        return (line, TrayPicture::Error);
    }
    if facts.paused {
        return (
            format!("Indexing paused · {}", documents(facts.documents)),
            TrayPicture::Paused,
        );
    }
    if !facts.running.is_empty() {
        let done: u64 = facts.running.iter().map(|(done, _)| done).sum();
        let total: u64 = facts.running.iter().map(|(_, total)| total).sum();
        let line = if total == 0 {
            "Indexing: listing files…".to_string()
        } else {
            format!("Indexing {} / {}", thousands(done), thousands(total))
        };
        return (line, TrayPicture::Indexing);
    }
    if facts.n_queued > 0 {
        return ("Indexing: waiting to start".into(), TrayPicture::Indexing);
    }
    if facts.n_sources == 0 {
        return (
            "No folders yet: add one in Settings".into(),
            TrayPicture::Idle,
        );
    }
    (
        format!("Up to date · {}", documents(facts.documents)),
        TrayPicture::Idle,
    )
}

/// The tray pictures, independent of the tray module so [`summarize`] is
/// testable without a display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayPicture {
    /// Up to date.
    Idle,
    /// Working.
    Indexing,
    /// Paused by the user.
    Paused,
    /// Needs attention.
    Error,
}

impl TrayPicture {
    fn name(self) -> &'static str {
        match self {
            TrayPicture::Idle => "idle",
            TrayPicture::Indexing => "indexing",
            TrayPicture::Paused => "paused",
            TrayPicture::Error => "error",
        }
    }

    #[cfg(desktop)]
    fn tray_state(self) -> TrayState {
        match self {
            TrayPicture::Idle => TrayState::Idle,
            TrayPicture::Indexing => TrayState::Indexing,
            TrayPicture::Paused => TrayState::Paused,
            TrayPicture::Error => TrayState::Error,
        }
    }
}

fn documents(n: i64) -> String {
    let n = n.max(0) as u64;
    format!(
        "{} {}",
        thousands(n),
        if n == 1 { "document" } else { "documents" }
    )
}

fn engine_name(mode: &EngineMode) -> &'static str {
    match mode {
        EngineMode::Hosted => "hosted",
        EngineMode::Attached { .. } => "attached",
        EngineMode::Failed { .. } => "failed",
        EngineMode::Stopped => "stopped",
    }
}

/// The snapshot while the index file cannot be used: nothing is read from
/// it, so no sources, jobs or counts.
pub fn damaged_index_snapshot(reason: &str, start_at_login: bool) -> Snapshot {
    let facts = Facts {
        engine_error: Some(reason.to_string()),
        corrupt_index: true,
        ..Facts::default()
    };
    let (line, picture) = summarize(&facts);
    Snapshot {
        line,
        state: picture.name(),
        paused: false,
        engine: "failed",
        engine_error: facts.engine_error,
        corrupt_index: true,
        documents: 0,
        sources: Vec::new(),
        jobs: Vec::new(),
        start_at_login,
    }
}

/// Reads the database and builds a snapshot; `sources` are the last counted
/// ones, unless `recount`.
fn read_snapshot(
    store: &Store,
    host: &EngineHost,
    mode: &EngineMode,
    start_at_login: bool,
    recount: bool,
    sources: &mut Vec<SourceStatusRow>,
) -> gleaner_core::Result<Snapshot> {
    let now = gleaner_core::store::now_ms();
    let jobs: Vec<JobView> = store
        .jobs(None, RECENT_JOBS)?
        .into_iter()
        .map(|job| JobView::new(job, now))
        .collect();
    if recount {
        *sources = store.source_statuses()?;
    }
    let paused = store.settings()?.boolean("indexing.paused");
    let engine_ok = crate::engine_client::engine_runs(host.data_dir());
    let (engine_error, corrupt_index) = match mode {
        EngineMode::Failed {
            reason,
            corrupt_index,
        } => (Some(reason.clone()), *corrupt_index),
        _ => (None, false),
    };
    let facts = Facts {
        engine_ok,
        engine_error: engine_error.clone(),
        corrupt_index,
        paused,
        documents: sources.iter().map(|row| row.documents).sum(),
        n_sources: sources.len(),
        n_sources_in_error: sources
            .iter()
            .filter(|row| row.source.active && row.source.last_scan_status == ScanStatus::Error)
            .count(),
        running: jobs
            .iter()
            .filter(|view| view.job.status == JobStatus::Running)
            .map(|view| (view.job.counts.indexed_files, view.job.counts.total_files))
            .collect(),
        n_queued: jobs
            .iter()
            .filter(|view| view.job.status == JobStatus::Queued)
            .count(),
    };
    let (line, picture) = summarize(&facts);
    Ok(Snapshot {
        line,
        state: picture.name(),
        paused,
        engine: engine_name(mode),
        engine_error,
        corrupt_index,
        documents: facts.documents,
        sources: sources.clone(),
        jobs,
        start_at_login,
    })
}

/// The last snapshot sent, for commands that want it at once.
#[derive(Default)]
pub struct LastSnapshot(pub std::sync::Mutex<Option<Snapshot>>);

/// Starts the thread that keeps the tray and the window up to date.
pub fn spawn_status_task<R: Runtime>(app: AppHandle<R>, host: Arc<EngineHost>) {
    let spawned = std::thread::Builder::new()
        .name("gleaner-status".into())
        .spawn(move || status_loop(app, host));
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start the status thread");
    }
}

fn status_loop<R: Runtime>(app: AppHandle<R>, host: Arc<EngineHost>) {
    use tauri::Manager;
    let database = host.data_dir().database();
    // The store, and the host's generation of the index file it was opened on.
    let mut store: Option<(Store, u64)> = None;
    let mut sources = Vec::new();
    let mut last: Option<Snapshot> = None;
    // Snapshots are compared in their serialized form: that is what the
    // window would receive.
    let mut last_sent: Option<serde_json::Value> = None;
    let mut last_recount: Option<Instant> = None;
    loop {
        host.take_over_if_free();
        let mode = host.mode();
        let generation = host.generation();
        // A rebuilt index is a new file: a connection to the old one would
        // go on reading the file set aside.
        if store
            .as_ref()
            .is_some_and(|(_, opened)| *opened != generation)
        {
            store = None;
            sources.clear();
            last_recount = None;
        }
        let snapshot = if let EngineMode::Failed {
            reason,
            corrupt_index: true,
        } = &mode
        {
            // Nothing can be read from the file: the window offers the rebuild.
            store = None;
            let start_at_login = crate::autostart::is_enabled(&app).unwrap_or(false);
            Some(damaged_index_snapshot(reason, start_at_login))
        } else {
            if store.is_none() && database.exists() {
                match Store::open_read_only(&database) {
                    Ok(opened) => store = Some((opened, generation)),
                    Err(error) => {
                        tracing::warn!(%error, "cannot open the index to show its status")
                    }
                }
            }
            store.as_ref().and_then(|(store, _)| {
                // Running jobs change document counts as they go.
                let jobs_active = last.as_ref().is_some_and(|last| {
                    last.jobs.iter().any(|view| !view.job.status.is_finished())
                });
                let since_recount = last_recount.map_or(Duration::MAX, |at| at.elapsed());
                let recount = host.take_changes_seen()
                    || (jobs_active && since_recount >= ACTIVE_RECOUNT_EVERY)
                    || since_recount >= RECOUNT_EVERY;
                if recount {
                    last_recount = Some(Instant::now());
                }
                let start_at_login = crate::autostart::is_enabled(&app).unwrap_or(false);
                read_snapshot(store, &host, &mode, start_at_login, recount, &mut sources)
                    .inspect_err(|error| tracing::warn!(%error, "cannot read the index status"))
                    .ok()
            })
        };
        if let Some(snapshot) = snapshot {
            let sent = serde_json::to_value(&snapshot).ok();
            if sent != last_sent {
                publish(&app, &snapshot, last.as_ref());
                // Indexing has stopped: the user is shown why, and the way out.
                if snapshot.corrupt_index && last.as_ref().is_none_or(|last| !last.corrupt_index) {
                    crate::show_settings_window(&app);
                }
                if let Some(state) = app.try_state::<LastSnapshot>() {
                    *state.0.lock().expect("snapshot lock") = Some(snapshot.clone());
                }
                last = Some(snapshot);
                last_sent = sent;
            }
        }
        std::thread::sleep(TICK);
    }
}

fn publish<R: Runtime>(app: &AppHandle<R>, snapshot: &Snapshot, previous: Option<&Snapshot>) {
    #[cfg(desktop)]
    {
        let changed_line = previous.is_none_or(|p| p.line != snapshot.line);
        let changed_state = previous.is_none_or(|p| p.state != snapshot.state);
        let changed_pause = previous.is_none_or(|p| p.paused != snapshot.paused);
        if changed_line {
            if let Err(error) = tray::set_status(app, &snapshot.line) {
                tracing::warn!(%error, "cannot update the tray status");
            }
        }
        if changed_state {
            let picture = match snapshot.state {
                "indexing" => TrayPicture::Indexing,
                "paused" => TrayPicture::Paused,
                "error" => TrayPicture::Error,
                _ => TrayPicture::Idle,
            };
            if let Err(error) = tray::set_state(app, picture.tray_state()) {
                tracing::warn!(%error, "cannot update the tray icon");
            }
        }
        if changed_pause {
            if let Err(error) = tray::set_paused(app, snapshot.paused) {
                tracing::warn!(%error, "cannot update the tray's pause item");
            }
        }
        if previous.is_none_or(|p| p.start_at_login != snapshot.start_at_login) {
            if let Err(error) = tray::set_start_at_login(app, snapshot.start_at_login) {
                tracing::warn!(%error, "cannot update the tray's start-at-login item");
            }
        }
    }
    if let Err(error) = app.emit(STATUS_EVENT, snapshot) {
        tracing::warn!(%error, "cannot send the status to the window");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            engine_ok: true,
            n_sources: 2,
            documents: 12_431,
            ..Facts::default()
        }
    }

    #[test]
    fn idle_counts_documents() {
        assert_eq!(
            summarize(&facts()),
            ("Up to date · 12,431 documents".into(), TrayPicture::Idle)
        );
        let one = Facts {
            documents: 1,
            ..facts()
        };
        assert_eq!(summarize(&one).0, "Up to date · 1 document");
    }

    #[test]
    fn indexing_sums_running_jobs() {
        let f = Facts {
            running: vec![(1_000, 4_000), (204, 1_000)],
            ..facts()
        };
        assert_eq!(
            summarize(&f),
            ("Indexing 1,204 / 5,000".into(), TrayPicture::Indexing)
        );
        let listing = Facts {
            running: vec![(0, 0)],
            ..facts()
        };
        assert_eq!(summarize(&listing).0, "Indexing: listing files…");
        let queued = Facts {
            n_queued: 1,
            ..facts()
        };
        assert_eq!(summarize(&queued).1, TrayPicture::Indexing);
    }

    #[test]
    fn worst_news_first() {
        let f = Facts {
            n_sources_in_error: 2,
            paused: true,
            running: vec![(1, 2)],
            ..facts()
        };
        assert_eq!(
            summarize(&f),
            ("2 sources need attention".into(), TrayPicture::Error)
        );
        let paused = Facts {
            paused: true,
            running: vec![(1, 2)],
            ..facts()
        };
        assert_eq!(
            summarize(&paused),
            (
                "Indexing paused · 12,431 documents".into(),
                TrayPicture::Paused
            )
        );
        let dead = Facts {
            engine_ok: false,
            paused: true,
            ..facts()
        };
        assert_eq!(summarize(&dead).1, TrayPicture::Error);
    }

    #[test]
    fn a_damaged_index_says_where_to_rebuild_it() {
        let snapshot =
            damaged_index_snapshot("/d/gleaner.db is not a usable Gleaner index: x", false);
        assert!(snapshot.corrupt_index);
        assert_eq!(snapshot.engine, "failed");
        assert_eq!(snapshot.state, "error");
        assert_eq!(
            snapshot.line,
            "Not indexing: the index is damaged; rebuild it in Settings"
        );
        // Another failure of the engine is shown as it is, with no rebuild offered.
        let other = Facts {
            engine_error: Some("disk on fire".into()),
            ..facts()
        };
        assert_eq!(summarize(&other).0, "Not indexing: disk on fire");
    }

    #[test]
    fn no_sources_says_what_to_do() {
        let f = Facts {
            n_sources: 0,
            documents: 0,
            ..facts()
        };
        assert_eq!(summarize(&f).0, "No folders yet: add one in Settings");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
