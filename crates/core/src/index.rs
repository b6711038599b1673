//! The facade every surface calls: open the index in a data directory, manage
//! sources, scan, search, read settings.
//!
//! It holds the write connection. Long-lived processes (the daemon, the
//! desktop app) keep one; the CLI opens one per command.

use std::path::{Path, PathBuf};

use crate::data_dir::DataDir;
use crate::error::{Error, Result};
use crate::scan::{
    scan_source, JobProgress, ScanObserver, ScanOptions, ScanOutcome, ScanScope, Unobserved,
};
use crate::search::{Applied, SearchAnswer, SearchFilter, Searcher, SEARCH_DIR};
use crate::settings::Settings;
use crate::source::{canonical_source_path, validate_globs, NewSource, Source, SourceUpdate};
use crate::store::{JobStatus, SourceStatusRow, Store};

/// The pause reason of a job the engine paused because the index could not
/// grow; the engine retries it by itself (see `engine::daemon`).
pub const PAUSED_DISK_FULL: &str = "disk full";

/// How long a finished job waits for the search index to hold its files
/// before it is reported completed anyway.
const SEARCHABLE_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// An open index.
#[derive(Debug)]
pub struct Index {
    data_dir: DataDir,
    store: Store,
    background: bool,
    /// Many searches will be served (see [`Index::set_long_lived`]).
    long_lived: bool,
    /// The search index's reader, opened at the first search.
    searcher: std::sync::OnceLock<Searcher>,
}

/// A finished scan and the job that recorded it.
#[derive(Debug, Clone)]
pub struct ScanReport {
    /// The job's id.
    pub job_id: String,
    /// The source scanned.
    pub source: Source,
    /// What the scan did.
    pub outcome: ScanOutcome,
}

impl Index {
    /// Opens (creating if needed) the index in `data_dir`.
    pub fn open(data_dir: DataDir) -> Result<Index> {
        data_dir.create()?;
        let store = Store::open(&data_dir.database())?;
        Ok(Index {
            data_dir,
            store,
            background: false,
            long_lived: false,
            searcher: std::sync::OnceLock::new(),
        })
    }

    /// Opens the index in `data_dir` if there is one: for commands that
    /// read. It never creates the directory or the database; a missing one
    /// is [`Error::NoIndex`] (only commands that write make an index).
    pub fn open_existing(data_dir: DataDir) -> Result<Index> {
        let database = data_dir.database();
        if !database.is_file() {
            return Err(Error::NoIndex {
                data_dir: data_dir.path().to_path_buf(),
            });
        }
        let store = Store::open_existing(&database)?;
        Ok(Index {
            data_dir,
            store,
            background: false,
            long_lived: false,
            searcher: std::sync::OnceLock::new(),
        })
    }

    /// Marks this index as driven by a background engine: scans then read
    /// files at low CPU and I/O priority.
    pub fn set_background(&mut self, background: bool) {
        self.background = background;
    }

    /// Marks this index as read by a process that serves many searches
    /// (the MCP server, the desktop app): its search reader keeps the
    /// frequent words of large segments in memory for prefixes. A one-shot
    /// command would build them for nothing.
    pub fn set_long_lived(&mut self) {
        self.long_lived = true;
        if let Some(searcher) = self.searcher.get() {
            searcher.keep_word_tables();
        }
    }

    fn scan_options(&self) -> Result<ScanOptions> {
        let mut options = ScanOptions::from_settings(&self.store.settings()?);
        options.low_priority = self.background;
        Ok(options)
    }

    /// The data directory.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// The store, for reads the facade does not wrap.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current settings.
    pub fn settings(&self) -> Result<Settings> {
        self.store.settings()
    }

    /// Adds a folder as a source. Fails if it is missing, already a source,
    /// inside another source or containing one (two sources would fight over
    /// the same files), or if a glob is malformed.
    pub fn add_source(&self, new: NewSource) -> Result<Source> {
        let path = canonical_source_path(&new.path)?;
        validate_globs(&new.include)?;
        validate_globs(&new.exclude)?;
        for existing in self.store.sources()? {
            let clash = if existing.path == path {
                Some("it is already a source")
            } else if path.starts_with(&existing.path) {
                Some("it is inside another source")
            } else if existing.path.starts_with(&path) {
                Some("it contains another source")
            } else {
                None
            };
            if let Some(reason) = clash {
                return Err(Error::SourceUnavailable {
                    path,
                    reason: format!("{reason} ({})", existing.path.display()),
                });
            }
        }
        self.store.add_source(&NewSource { path, ..new })
    }

    /// The source stored for `path` (given as the user typed it).
    pub fn source(&self, path: &Path) -> Result<Source> {
        self.store.require_source(&lookup_path(path))
    }

    /// The source for `path`, added with default rules if it is new.
    pub fn source_or_add(&self, path: &Path) -> Result<Source> {
        match self.store.source_by_path(&lookup_path(path))? {
            Some(source) => Ok(source),
            None => self.add_source(NewSource {
                path: path.to_path_buf(),
                recursive: true,
                ..NewSource::default()
            }),
        }
    }

    /// All sources.
    pub fn sources(&self) -> Result<Vec<Source>> {
        self.store.sources()
    }

    /// All sources with document counts.
    pub fn source_statuses(&self) -> Result<Vec<SourceStatusRow>> {
        self.store.source_statuses()
    }

    /// Removes a source and everything indexed from it.
    pub fn remove_source(&self, path: &Path) -> Result<Source> {
        let source = self.source(path)?;
        self.store.remove_source(source.id)?;
        Ok(source)
    }

    /// Enables or disables a source.
    pub fn set_source_active(&self, path: &Path, active: bool) -> Result<Source> {
        let source = self.source(path)?;
        self.store.set_source_active(source.id, active)?;
        self.store.source_by_id(source.id)
    }

    /// Changes a source's rules.
    pub fn update_source(&self, path: &Path, update: &SourceUpdate) -> Result<Source> {
        let source = self.source(path)?;
        if let Some(include) = &update.include {
            validate_globs(include)?;
        }
        if let Some(exclude) = &update.exclude {
            validate_globs(exclude)?;
        }
        self.store.update_source(source.id, update)
    }

    /// Mutes (or unmutes) a source's notifications: its events then reach
    /// only the log. Kept in the `notify.muted` setting, which the engine
    /// reads before each notification.
    pub fn set_source_muted(&self, path: &Path, muted: bool) -> Result<Source> {
        let source = self.source(path)?;
        let key = crate::settings::MUTED_SOURCES;
        let mut list = self.settings()?.paths(key);
        list.retain(|p| *p != source.path);
        if muted {
            list.push(source.path.clone());
        }
        self.store
            .set_setting(key, &crate::settings::format_path_list(&list))?;
        Ok(source)
    }

    /// Scans one source in the calling thread, recording the scan as a job
    /// (the foreground `gleaner index`).
    pub fn scan(
        &mut self,
        source: &Source,
        trigger: &str,
        observer: &dyn ScanObserver,
    ) -> Result<ScanReport> {
        let job_id = self.create_job(source, trigger)?;
        let report = self.run_job(&job_id, false, observer)?;
        // Nobody else writes while the caller holds the index (no engine
        // runs), so the contents this scan displaced can go now.
        self.store.collect_orphans()?;
        Ok(report)
    }

    /// Queues a job that will scan `source` in full.
    pub fn create_job(&self, source: &Source, trigger: &str) -> Result<String> {
        self.store.create_job(
            source.id,
            &source.path.to_string_lossy(),
            source.recursive,
            trigger,
        )
    }

    /// Runs a queued job in the calling thread. A job that ran before (it
    /// was paused, or its engine died) continues from its recorded counts,
    /// and the files it finished are found unchanged, not read again.
    ///
    /// When the observer stops the scan, the job is left `running` for the
    /// caller to mark paused or cancelled. A source folder that cannot be
    /// read fails the job, or, when `engine_managed`, pauses it with the
    /// reason, for the engine to resume when the folder is back.
    pub fn run_job(
        &mut self,
        job_id: &str,
        engine_managed: bool,
        observer: &dyn ScanObserver,
    ) -> Result<ScanReport> {
        let job = self.store.job(job_id)?;
        let resumed_from = job.started_at.is_some().then(|| job.counts.clone());
        let Some(source) = job
            .source_id
            .map(|id| self.store.source_by_id(id))
            .transpose()
            .ok()
            .flatten()
        else {
            let reason = "its source was removed";
            self.store
                .transition_job(job_id, JobStatus::Running, None)?;
            self.store
                .transition_job(job_id, JobStatus::Failed, Some(reason))?;
            return Err(Error::UnknownSource(PathBuf::from(&job.directory)));
        };
        self.store
            .transition_job(job_id, JobStatus::Running, None)?;
        let options = self.scan_options()?;
        let progress = JobProgress {
            id: job_id,
            resumed_from,
        };
        match scan_source(
            &mut self.store,
            &source,
            &ScanScope::Full,
            &options,
            Some(progress),
            observer,
        ) {
            Ok(outcome) => {
                if !outcome.stopped {
                    // "Completed" promises that its files can be found: wait
                    // (bounded) for the search index of this process to hold
                    // what the job wrote.
                    let written = self.store.search_outbox_high_water()?;
                    match crate::search::wait_applied(&self.search_dir(), written, SEARCHABLE_WAIT)
                    {
                        Applied::Yes => {}
                        Applied::TimedOut => {
                            tracing::warn!(job = job_id, "the search index is slow to catch up");
                        }
                        Applied::DiskFull => {
                            // Paused like a database that cannot grow: the
                            // engine retries, and the files already stored
                            // are found unchanged then.
                            let err = Error::DiskFull(
                                "the search index cannot be written: no space left".into(),
                            );
                            let next = if engine_managed {
                                JobStatus::Paused
                            } else {
                                JobStatus::Failed
                            };
                            self.store
                                .transition_job(job_id, next, Some(PAUSED_DISK_FULL))?;
                            return Err(err);
                        }
                    }
                    self.store
                        .finish_job(job_id, JobStatus::Completed, &outcome.counts, None)?;
                }
                Ok(ScanReport {
                    job_id: job_id.to_string(),
                    source: self.store.source_by_id(source.id)?,
                    outcome,
                })
            }
            Err(err) => {
                let mut reason = err.to_string();
                let unreachable = matches!(err, Error::SourceUnavailable { .. });
                let disk_full = matches!(err, Error::DiskFull(_));
                if disk_full {
                    reason = PAUSED_DISK_FULL.to_string();
                }
                let next = if engine_managed && (unreachable || disk_full) {
                    JobStatus::Paused
                } else {
                    JobStatus::Failed
                };
                // With the disk full even this small update may fail; the
                // engine then finds the job still running and requeues it.
                self.store.transition_job(job_id, next, Some(&reason))?;
                Err(err)
            }
        }
    }

    /// Indexes only `paths` of a source (live changes): no job is recorded,
    /// the counts are returned.
    pub fn scan_paths(&mut self, source: &Source, paths: Vec<PathBuf>) -> Result<ScanOutcome> {
        let options = self.scan_options()?;
        scan_source(
            &mut self.store,
            source,
            &ScanScope::Paths(paths),
            &options,
            None,
            &Unobserved,
        )
    }

    /// The contents the documents at or under `paths` point at: after those
    /// paths are indexed again, the only contents that may have lost their
    /// last document.
    pub fn contents_under(&self, source_id: i64, paths: &[PathBuf]) -> Result<Vec<i64>> {
        let keys: Vec<String> = paths.iter().map(|p| crate::store::path_text(p)).collect();
        let states = self.store.document_states_under(source_id, &keys)?;
        Ok(states.values().filter_map(|s| s.content_id).collect())
    }

    /// Deletes the contents (and their text) no document points at; see
    /// [`Store::collect_orphans`] for when that is safe.
    pub fn collect_orphans(&mut self, among: Option<&[i64]>) -> Result<u64> {
        match among {
            Some(ids) => self.store.collect_orphans_among(ids),
            None => self.store.collect_orphans(),
        }
    }

    /// Housekeeping (see [`Store::maintain`]), with the retention setting.
    pub fn maintain(&mut self) -> Result<crate::store::MaintenanceReport> {
        let days = self.store.settings()?.integer("retention.days");
        self.store.maintain(days)
    }

    /// The folder of the search index.
    pub fn search_dir(&self) -> PathBuf {
        self.data_dir.path().join(SEARCH_DIR)
    }

    /// The search index's reader, once there is an index to read.
    pub fn searcher(&self) -> Result<Option<&Searcher>> {
        if let Some(searcher) = self.searcher.get() {
            return Ok(Some(searcher));
        }
        match Searcher::open(&self.search_dir(), &self.store.store_id()?)? {
            Some(searcher) => {
                if self.long_lived {
                    searcher.keep_word_tables();
                }
                let _ = self.searcher.set(searcher);
                Ok(self.searcher.get())
            }
            None => Ok(None),
        }
    }

    /// Searches the index: the best `limit` documents for `query` (see
    /// `search::query` for what may be typed) that pass `filter`.
    ///
    /// While the search index is first built (an upgrade from FTS5, a
    /// rebuild), the answer comes from what is there and says so in its
    /// notes.
    pub fn search(&self, query: &str, filter: &SearchFilter, limit: usize) -> Result<SearchAnswer> {
        crate::search::search(&self.store, self.searcher()?, query, filter, limit)
    }

    /// Brings the search index up to date with the store in this thread
    /// (a foreground `gleaner index` holding the engine lock, before it
    /// ends). Builds the index first if there is none.
    pub fn sync_search(&self) -> Result<()> {
        crate::search::catch_up(self.data_dir.database(), self.search_dir())
    }
}

/// The form a source path is stored in, from what a user typed: canonical
/// when the folder exists, else absolute with `.` and `..` resolved by hand
/// (a removed folder must still be nameable, e.g. to remove its source).
pub fn lookup_path(path: &Path) -> PathBuf {
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return canonical;
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut clean = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}
