//! The commands the settings window may call: thin adapters over the engine
//! (`gleaner-core`) and its control socket, doing what the matching CLI
//! command does. `src-tauri/capabilities/default.json` grants the window
//! exactly these (`build.rs` lists them for tauri-build).
//!
//! Each runs on a blocking thread (see [`Desktop::with_index`]); errors
//! stay typed ([`CommandError`]) until tauri serializes them.

use std::path::{Path, PathBuf};

use gleaner_core::health::HealthReport;
use gleaner_core::search::{SearchFilter, SearchHit};
use gleaner_core::settings::{SettingKind, REGISTRY};
use gleaner_core::source::{NewSource, RulesPreview, Source, SourceUpdate};
use gleaner_core::store::{FailedDocument, SourceStatusRow};
use serde::Serialize;
use tauri::{AppHandle, State, WebviewWindow};

use crate::engine_client::{self, JobAction};
use crate::error::{CommandError, CommandResult};
use crate::rebuild::RebuildReport;
use crate::state::Desktop;
use crate::status::{JobView, LastSnapshot, Snapshot, RECENT_JOBS};

/// Sample paths shown under a rules preview.
const PREVIEW_SAMPLES: usize = 8;
/// Most search hits one query returns. The window asks for 50 more at
/// each "Show more", so this bounds one answer's memory, not what a user
/// can reach by paging.
const MAX_HITS: usize = 100_000;
/// Most failed files one list shows (the total is told beside it).
const MAX_FAILED_SHOWN: usize = 500;

/// The latest status snapshot (the same the `status` event carries), so the
/// window can draw at once instead of waiting for the next change.
#[tauri::command]
pub fn get_status(last: State<'_, LastSnapshot>) -> Option<Snapshot> {
    last.0.lock().expect("snapshot lock").clone()
}

/// Every source with its document counts.
#[tauri::command]
pub async fn list_sources(desktop: State<'_, Desktop>) -> CommandResult<Vec<SourceStatusRow>> {
    desktop
        .with_index(|index| Ok(index.source_statuses()?))
        .await
}

/// Adds a folder as a source; the engine then watches and scans it.
#[tauri::command]
pub async fn add_source(
    desktop: State<'_, Desktop>,
    path: PathBuf,
    include: Vec<String>,
    exclude: Vec<String>,
    recursive: bool,
) -> CommandResult<Source> {
    let source = desktop
        .with_index(move |index| {
            Ok(index.add_source(NewSource {
                path,
                include: clean_globs(include),
                exclude: clean_globs(exclude),
                recursive,
            })?)
        })
        .await?;
    tell_engine_sources_changed(&desktop);
    Ok(source)
}

/// Replaces a source's rules; the engine rescans it with them.
#[tauri::command]
pub async fn update_source(
    desktop: State<'_, Desktop>,
    path: PathBuf,
    include: Vec<String>,
    exclude: Vec<String>,
    recursive: bool,
) -> CommandResult<Source> {
    let source = desktop
        .with_index(move |index| {
            let update = SourceUpdate {
                include: Some(clean_globs(include)),
                exclude: Some(clean_globs(exclude)),
                recursive: Some(recursive),
                scan_interval_s: None,
            };
            Ok(index.update_source(&path, &update)?)
        })
        .await?;
    tell_engine_sources_changed(&desktop);
    Ok(source)
}

/// Removes a source and everything indexed from it.
#[tauri::command]
pub async fn remove_source(desktop: State<'_, Desktop>, path: PathBuf) -> CommandResult<Source> {
    let source = desktop
        .with_index(move |index| Ok(index.remove_source(&path)?))
        .await?;
    tell_engine_sources_changed(&desktop);
    Ok(source)
}

/// Enables or disables a source (a disabled one keeps its documents).
#[tauri::command]
pub async fn set_source_active(
    desktop: State<'_, Desktop>,
    path: PathBuf,
    active: bool,
) -> CommandResult<Source> {
    let source = desktop
        .with_index(move |index| Ok(index.set_source_active(&path, active)?))
        .await?;
    tell_engine_sources_changed(&desktop);
    Ok(source)
}

/// What rules would keep in a folder, before they are saved.
#[tauri::command]
pub async fn preview_rules(
    path: PathBuf,
    include: Vec<String>,
    exclude: Vec<String>,
    recursive: bool,
) -> CommandResult<RulesPreview> {
    // Walks the folder: no need for the index, only for a blocking thread.
    tauri::async_runtime::spawn_blocking(move || {
        Ok(gleaner_core::source::preview_rules(
            &path,
            &clean_globs(include),
            &clean_globs(exclude),
            recursive,
            PREVIEW_SAMPLES,
        )?)
    })
    .await?
}

/// The native folder picker, titled `title` (by default for adding a
/// source); `None` when the user cancelled it.
#[tauri::command]
pub async fn pick_folder(
    window: WebviewWindow,
    title: Option<String>,
) -> CommandResult<Option<PathBuf>> {
    use tauri_plugin_dialog::DialogExt;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_title(title.unwrap_or_else(|| "Add a folder to Gleaner".to_string()))
        .set_parent(&window)
        .pick_folder(move |folder| {
            let _ = sender.send(folder.and_then(|folder| folder.into_path().ok()));
        });
    Ok(receiver.await.ok().flatten())
}

/// Recent jobs, newest first, with rates and ETA.
#[tauri::command]
pub async fn list_jobs(desktop: State<'_, Desktop>) -> CommandResult<Vec<JobView>> {
    desktop
        .with_index(|index| {
            let now = gleaner_core::store::now_ms();
            Ok(index
                .store()
                .jobs(None, RECENT_JOBS)?
                .into_iter()
                .map(|job| JobView::new(job, now))
                .collect())
        })
        .await
}

/// Pauses one job at its next file boundary.
#[tauri::command]
pub async fn pause_job(desktop: State<'_, Desktop>, id: String) -> CommandResult<()> {
    desktop
        .with_index(move |index| engine_client::control_job(index, JobAction::Pause, &id))
        .await
}

/// Queues a paused job again.
#[tauri::command]
pub async fn resume_job(desktop: State<'_, Desktop>, id: String) -> CommandResult<()> {
    desktop
        .with_index(move |index| engine_client::control_job(index, JobAction::Resume, &id))
        .await
}

/// Cancels one job.
#[tauri::command]
pub async fn cancel_job(desktop: State<'_, Desktop>, id: String) -> CommandResult<()> {
    desktop
        .with_index(move |index| engine_client::control_job(index, JobAction::Cancel, &id))
        .await
}

/// Pauses or resumes all indexing (the tray's Pause/Resume item).
#[tauri::command]
pub async fn set_indexing_paused(desktop: State<'_, Desktop>, paused: bool) -> CommandResult<()> {
    desktop
        .with_index(move |index| engine_client::set_indexing_paused(index, paused))
        .await
}

/// Queues a full scan of every active source (the tray's "Scan now").
#[tauri::command]
pub async fn scan_now(desktop: State<'_, Desktop>) -> CommandResult<Vec<String>> {
    let data_dir = desktop.host.data_dir().clone();
    tauri::async_runtime::spawn_blocking(move || {
        engine_client::scan_all(&data_dir).map(|(_ids, warnings)| warnings)
    })
    .await?
}

/// Whether the desktop shows tray icons (see `tray_host`): without one the
/// window says how to get a tray.
#[tauri::command]
pub async fn tray_available() -> bool {
    tauri::async_runtime::spawn_blocking(crate::tray_host::present)
        .await
        .unwrap_or(false)
}

/// Ranked search hits; snippets mark the matched words with `**`.
#[tauri::command]
pub async fn search(
    desktop: State<'_, Desktop>,
    query: String,
    limit: usize,
) -> CommandResult<Vec<SearchHit>> {
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let limit = limit.clamp(1, MAX_HITS);
    desktop
        .with_index(move |index| Ok(index.search(&query, &SearchFilter::new(), limit)?.hits))
        .await
}

/// The health report: the database's facts and the running engine's.
#[tauri::command]
pub async fn health(desktop: State<'_, Desktop>) -> CommandResult<HealthReport> {
    desktop
        .with_index(|index| {
            let engine = engine_client::engine_status(index.data_dir());
            Ok(HealthReport::build(index.store(), engine)?)
        })
        .await
}

/// One setting as the window shows it (as `gleaner config list --json`).
#[derive(Debug, Serialize)]
pub struct SettingRow {
    key: &'static str,
    value: String,
    default: &'static str,
    /// "integer", "boolean" or "text".
    kind: &'static str,
    min: Option<i64>,
    max: Option<i64>,
    description: &'static str,
}

/// Every setting with its value, range and description.
#[tauri::command]
pub async fn get_settings(desktop: State<'_, Desktop>) -> CommandResult<Vec<SettingRow>> {
    desktop
        .with_index(|index| {
            let current = index.settings()?;
            Ok(REGISTRY
                .iter()
                .map(|spec| {
                    let (kind, min, max) = match spec.kind {
                        SettingKind::Integer { min, max } => ("integer", Some(min), Some(max)),
                        SettingKind::Boolean => ("boolean", None, None),
                        SettingKind::Text { .. } => ("text", None, None),
                    };
                    SettingRow {
                        key: spec.key,
                        value: current.get(spec.key).to_string(),
                        default: spec.default,
                        kind,
                        min,
                        max,
                        description: spec.description,
                    }
                })
                .collect())
        })
        .await
}

/// Validates and stores one setting (the engine's registry checks the range
/// and its message is what the window shows); returns the stored value and
/// tells the engine to reload. The global pause goes through the engine,
/// which must know at once.
#[tauri::command]
pub async fn set_setting(
    desktop: State<'_, Desktop>,
    key: String,
    value: String,
) -> CommandResult<String> {
    let stored = desktop
        .with_index(move |index| {
            if key == "indexing.paused" {
                let canonical = gleaner_core::settings::spec(&key)?.validate(&value)?;
                engine_client::set_indexing_paused(index, canonical == "true")?;
                return Ok(canonical);
            }
            Ok(index.store().set_setting(&key, &value)?)
        })
        .await?;
    let data_dir = desktop.host.data_dir().clone();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(error) = engine_client::settings_changed(&data_dir) {
            tracing::warn!(%error, "the engine did not take the settings change");
        }
    });
    Ok(stored)
}

/// Whether the session starts Gleaner at login (read from the platform).
#[tauri::command]
pub async fn get_start_at_login(app: AppHandle) -> CommandResult<bool> {
    tauri::async_runtime::spawn_blocking(move || crate::autostart::is_enabled(&app)).await?
}

/// Turns start at login on or off; returns the state read back. The tray's
/// check item follows at once.
#[tauri::command]
pub async fn set_start_at_login(app: AppHandle, enabled: bool) -> CommandResult<bool> {
    tauri::async_runtime::spawn_blocking(move || {
        let enabled = crate::autostart::set_enabled(&app, enabled)?;
        #[cfg(desktop)]
        if let Err(error) = crate::tray::set_start_at_login(&app, enabled) {
            tracing::warn!(%error, "cannot update the tray's start-at-login item");
        }
        Ok(enabled)
    })
    .await?
}

/// A source's files whose last read or extraction failed, with the error.
#[derive(Debug, Serialize)]
pub struct FailedFiles {
    /// How many there are in all.
    total: usize,
    /// The first [`MAX_FAILED_SHOWN`], by path.
    files: Vec<FailedDocument>,
}

/// The failed files of one source (a job's are its source's: the store
/// keeps each file's last error, not one per job, as `gleaner status JOB_ID`).
#[tauri::command]
pub async fn failed_files(
    desktop: State<'_, Desktop>,
    source_id: i64,
) -> CommandResult<FailedFiles> {
    desktop
        .with_index(move |index| {
            let mut files = index.store().failed_documents(Some(source_id))?;
            let total = files.len();
            files.truncate(MAX_FAILED_SHOWN);
            Ok(FailedFiles { total, files })
        })
        .await
}

/// Opens an indexed file with the system's default application. Only files
/// inside a source may be opened: the window cannot launch arbitrary paths.
#[tauri::command]
pub async fn open_path(
    app: AppHandle,
    desktop: State<'_, Desktop>,
    path: PathBuf,
) -> CommandResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let path = desktop
        .with_index(move |index| inside_a_source(&index.sources()?, &path))
        .await?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)?;
    Ok(())
}

/// Sets a damaged or foreign index aside (kept as `gleaner.db.corrupt-TIME`),
/// starts a new one with the sources that could be read from it, and hosts
/// the engine again, whose start-up scan indexes them. Only when the hosted
/// engine refused the index (see [`crate::rebuild`]).
#[tauri::command]
pub async fn rebuild_index(desktop: State<'_, Desktop>) -> CommandResult<RebuildReport> {
    let desktop = desktop.inner().clone();
    tauri::async_runtime::spawn_blocking(move || crate::rebuild::rebuild_index(&desktop)).await?
}

/// `path`, canonical, if it lies inside one of `sources`.
fn inside_a_source(sources: &[Source], path: &Path) -> CommandResult<PathBuf> {
    let canonical =
        std::fs::canonicalize(path).map_err(|_| CommandError::NotInSource(path.to_path_buf()))?;
    if sources
        .iter()
        .any(|source| canonical.starts_with(&source.path))
    {
        Ok(canonical)
    } else {
        Err(CommandError::NotInSource(path.to_path_buf()))
    }
}

/// Globs as typed in the editor: one per line, blanks dropped.
fn clean_globs(globs: Vec<String>) -> Vec<String> {
    globs
        .into_iter()
        .map(|glob| glob.trim().to_string())
        .filter(|glob| !glob.is_empty())
        .collect()
}

/// Sends the engine a reload without making the window wait: the engine
/// walks a new folder before it answers, which can take a while.
fn tell_engine_sources_changed(desktop: &Desktop) {
    let data_dir = desktop.host.data_dir().clone();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(error) = engine_client::sources_changed(&data_dir) {
            tracing::warn!(%error, "the engine did not take the source change");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &Path) -> Source {
        Source {
            id: 1,
            path: path.to_path_buf(),
            recursive: true,
            include: vec![],
            exclude: vec![],
            active: true,
            scan_interval_s: None,
            created_at: 0,
            last_full_scan: None,
            last_scan_status: gleaner_core::source::ScanStatus::Pending,
            last_error: None,
        }
    }

    #[test]
    fn opens_only_files_inside_sources() {
        let dir = std::env::temp_dir().join(format!("gleaner-open-{}", std::process::id()));
        let inside = dir.join("notes");
        std::fs::create_dir_all(&inside).unwrap();
        std::fs::write(inside.join("a.md"), "a").unwrap();
        std::fs::write(dir.join("b.md"), "b").unwrap();
        let sources = [source(&inside.canonicalize().unwrap())];
        assert!(inside_a_source(&sources, &inside.join("a.md")).is_ok());
        // `..` cannot escape: the path is canonicalized first.
        assert!(inside_a_source(&sources, &inside.join("../b.md")).is_err());
        assert!(inside_a_source(&sources, &dir.join("b.md")).is_err());
        assert!(inside_a_source(&sources, Path::new("/nonexistent/x")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn globs_are_trimmed_and_blanks_dropped() {
        let globs = vec![" *.md ".into(), "".into(), "  ".into(), "drafts/".into()];
        assert_eq!(clean_globs(globs), vec!["*.md", "drafts/"]);
    }

    #[test]
    fn errors_serialize_as_their_message() {
        let error = CommandError::NotInSource(PathBuf::from("/x"));
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            "\"/x is not inside any source\""
        );
    }
}
