//! The tools' arguments. Their doc comments become the descriptions in the
//! JSON schemas the assistant reads, so they are written for it.

use schemars::JsonSchema;
use serde::Deserialize;

/// Arguments of `start_background_indexing`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct StartIndexing {
    /// Absolute path of the folder to index (`~/` means the home folder).
    /// A folder that is not yet a source is added as one.
    pub directory: String,
    /// Whether subfolders are indexed too (default true). Given for an
    /// existing source, it changes the source's setting.
    #[serde(default)]
    pub recursive: Option<bool>,
    /// Only files matching these globs are indexed, relative to the folder
    /// (`*.md`, `docs/**/*.txt`; a glob without `/` matches at any depth).
    /// Replaces the source's include list; omit to keep it.
    #[serde(default)]
    pub include: Option<Vec<String>>,
    /// Files or folders to leave out, relative to the folder (`*.log`,
    /// `drafts/`; a trailing `/` means a folder). Replaces the source's
    /// exclude list; omit to keep it.
    #[serde(default)]
    pub exclude: Option<Vec<String>>,
}

/// Arguments of `get_indexing_status`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct IndexingStatus {
    /// The job id (from start_background_indexing or list_indexing_jobs).
    /// Omit it for all recent jobs plus the index's health.
    #[serde(default)]
    pub job_id: Option<String>,
}

/// A job's life-cycle state, as a filter.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatusFilter {
    /// Waiting to run.
    Queued,
    /// Being worked on.
    Running,
    /// Paused, by the user or because its folder is unreachable.
    Paused,
    /// Finished.
    Completed,
    /// Stopped by an error.
    Failed,
    /// Cancelled by the user.
    Cancelled,
}

/// Arguments of `list_indexing_jobs`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListJobs {
    /// Only jobs in this state.
    #[serde(default)]
    pub status: Option<JobStatusFilter>,
    /// Most jobs to list, newest first (default 20, at most 200).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Arguments of the tools that act on one job.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct JobId {
    /// The job id (from start_background_indexing or list_indexing_jobs).
    pub job_id: String,
}

/// Arguments of `search_documents`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchDocuments {
    /// Words to find (all must match), "exact phrases" in double quotes,
    /// prefix* for word starts, -word to exclude, `a OR b`. English stemming
    /// and accent folding apply; file names are searched too.
    pub query: String,
    /// Most results (default 10, at most 100).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only documents under this source folder (an absolute path, as
    /// list_sources shows it, in the same text form as get_document's path).
    #[serde(default)]
    pub source: Option<String>,
    /// Only files with this extension (`md`, `pdf`, …).
    #[serde(default)]
    pub ext: Option<String>,
}

/// Arguments of `get_document`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetDocument {
    /// Absolute path of an indexed file, exactly as search_documents
    /// returns it. A file name that is not valid UTF-8 comes in the index's
    /// text form: each byte that is not UTF-8 is U+FFFD followed by its two
    /// hex digits (`caf�E9.txt` is the
    /// Latin-1 name `caf\xE9.txt`), and a real U+FFFD in a name is written
    /// as its three bytes that way (`�EF�BF�BD`).
    pub path: String,
    /// Character offset to start from, to read a long text in parts
    /// (default 0; use the previous answer's next_offset).
    #[serde(default)]
    pub offset: Option<u64>,
    /// Most characters to return (default 20000, at most 200000).
    #[serde(default)]
    pub max_chars: Option<u32>,
}
