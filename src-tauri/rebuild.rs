//! "Rebuild index": the window's way out of a damaged or foreign index,
//! doing what `gleaner rebuild` does (`gleaner_core::rebuild`): the old file
//! is set aside as `gleaner.db.corrupt-TIME` (kept, never deleted), a new
//! index gets the sources that could still be read from it, and the engine
//! is hosted again, whose start-up scan indexes them.
//!
//! Only when the hosted engine refused the index
//! ([`EngineHost::restart_after_repair`](crate::engine_host::EngineHost::restart_after_repair)):
//! while an engine runs the file is in use, and a sound index is never set
//! aside.

use std::path::Path;

use gleaner_core::rebuild::Rebuilt;
use gleaner_core::Index;
use serde::Serialize;

use crate::error::CommandResult;
use crate::state::Desktop;

/// What the rebuild did, as the window tells it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RebuildReport {
    /// Where the old file was kept.
    pub kept_at: Option<String>,
    /// The folders added to the new index; the engine indexes them again.
    pub sources: Vec<String>,
    /// Folders read from the old file that could not be added again.
    pub sources_missing: Vec<MissingSource>,
    /// Why no folder could be read from the old file, if none could: the
    /// user must add them again.
    pub sources_lost: Option<String>,
}

/// A folder of the old index that is not in the new one.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MissingSource {
    /// The folder.
    pub path: String,
    /// Why it could not be added (it is gone, say).
    pub reason: String,
}

impl From<Rebuilt> for RebuildReport {
    fn from(rebuilt: Rebuilt) -> RebuildReport {
        let text = |path: &Path| path.display().to_string();
        RebuildReport {
            kept_at: rebuilt.kept_at.as_deref().map(text),
            sources: rebuilt.sources.iter().map(|p| text(p)).collect(),
            sources_missing: rebuilt
                .sources_missing
                .iter()
                .map(|(path, reason)| MissingSource {
                    path: text(path),
                    reason: reason.to_string(),
                })
                .collect(),
            sources_lost: rebuilt.sources_lost.map(|reason| reason.to_string()),
        }
    }
}

/// Rebuilds the index and hosts the engine again. Blocks: call it off the
/// main thread.
pub fn rebuild_index(desktop: &Desktop) -> CommandResult<RebuildReport> {
    desktop.host.restart_after_repair(|data_dir| {
        // The app's own connection is closed before the file is moved and
        // reopened on the new file, before the engine starts again.
        desktop.replace_index(|| {
            let rebuilt = gleaner_core::rebuild::rebuild(data_dir)?;
            tracing::info!(kept_at = ?rebuilt.kept_at, sources = rebuilt.sources.len(), "index rebuilt");
            let index = Index::open(data_dir.clone())?;
            Ok((index, RebuildReport::from(rebuilt)))
        })
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use gleaner_core::DataDir;

    use super::*;
    use crate::engine_host::{EngineHost, EngineMode};
    use crate::error::CommandError;

    fn wait_for_mode(host: &EngineHost, what: impl Fn(&EngineMode) -> bool) -> EngineMode {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mode = host.mode();
            if what(&mode) || Instant::now() > deadline {
                return mode;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_refused_index_is_rebuilt_and_hosted_again_and_a_sound_one_never() {
        // The package has no dev-dependencies (no tempfile): a folder of its own.
        let dir = std::env::temp_dir().join(format!("gleaner-rebuild-{}", std::process::id()));
        let data_dir = DataDir::resolve(Some(&dir)).unwrap();
        data_dir.create().unwrap();
        std::fs::write(data_dir.database(), [0x5Au8; 4096]).unwrap();
        assert!(Index::open(data_dir.clone())
            .unwrap_err()
            .is_corrupt_index());

        let host = Arc::new(EngineHost::start(data_dir.clone()));
        let desktop = Desktop::new(None, host.clone());
        let failed = wait_for_mode(&host, |mode| matches!(mode, EngineMode::Failed { .. }));
        assert!(
            matches!(
                failed,
                EngineMode::Failed {
                    corrupt_index: true,
                    ..
                }
            ),
            "{failed:?}"
        );
        assert!(matches!(
            desktop.with_index_blocking(|_| Ok(())),
            Err(CommandError::IndexDamaged)
        ));

        let report = rebuild_index(&desktop).unwrap();
        let kept = report.kept_at.expect("the old file is kept");
        assert!(kept.contains("gleaner.db.corrupt-"), "{kept}");
        assert_eq!(std::fs::read(&kept).unwrap(), [0x5Au8; 4096]);
        assert!(report.sources_lost.is_some(), "garbage has no sources");
        assert_eq!(host.generation(), 1);
        let sources = desktop
            .with_index_blocking(|index| Ok(index.sources()?))
            .unwrap();
        assert!(sources.is_empty());
        let hosted = wait_for_mode(&host, |_| {
            gleaner_core::lock::EngineLock::holder(&data_dir.engine_lock()).is_some()
        });
        assert_eq!(hosted, EngineMode::Hosted);

        // Now an engine runs on a sound index: nothing is set aside.
        assert!(matches!(
            rebuild_index(&desktop),
            Err(CommandError::EngineInUse)
        ));
        assert_eq!(host.generation(), 1);
        host.stop(Duration::from_secs(10));
        let kept_files = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("gleaner.db.corrupt-")
            })
            .count();
        assert_eq!(kept_files, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
