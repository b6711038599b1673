//! The command-line grammar.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Every command's help: what it does, then an example, then the usage.
/// The examples come first because they answer "how do I start" faster
/// than the option list does.
const HELP: &str =
    "{about-with-newline}\n{before-help}{usage-heading} {usage}\n\n{all-args}{after-help}";

/// What `gleaner --help` shows before the commands.
const FIRST_STEPS: &str = "\
First steps:
  gleaner index ~/notes          index a folder (it becomes a source) and wait
  gleaner search borrow checker  the best 10 documents with both words
  gleaner daemon                 keep every source fresh as files change
  gleaner status                 what each source holds, what is running";

/// Keeps a local full-text index of your folders in step with the disk.
#[derive(Debug, Parser)]
#[command(
    name = "gleaner",
    version,
    about,
    propagate_version = true,
    help_template = HELP,
    before_help = FIRST_STEPS
)]
pub struct Args {
    /// Where the index lives (default: the per-user data directory).
    #[arg(long, global = true, env = "GLEANER_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list, change or remove watched folders.
    #[command(subcommand, help_template = HELP, before_help = "Example:\n  gleaner source add ~/notes\n  gleaner source list")]
    Source(SourceCommand),
    /// Index PATH (adding it as a source if new), or every active source.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner index ~/papers            (add and index a folder, then return)\n  gleaner index --background        (queue every source in the engine, print the job ids)")]
    Index {
        /// A folder; all active sources when omitted.
        path: Option<PathBuf>,
        /// Queue the work as a job of the engine (started if none runs) and return at once.
        #[arg(long)]
        background: bool,
        /// Print the counts (or, with --background, the job ids) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Pause a job, or all indexing when no job is given.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner pause 3f2a…               (stop that job after its current file)\n  gleaner pause                     (pause all indexing)")]
    Pause {
        /// The job id.
        job: Option<String>,
    },
    /// Resume a job, or all indexing when no job is given.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner resume 3f2a…\n  gleaner resume                    (resume all indexing)")]
    Resume {
        /// The job id.
        job: Option<String>,
    },
    /// Cancel a job.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner cancel 3f2a…")]
    Cancel {
        /// The job id.
        job: String,
    },
    /// Search the index.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner search borrow checker\n  gleaner search \"exact phrase\" kern* -draft ext:md after:2024-01-01")]
    Search {
        /// Words, "exact phrases", prefix*, -excluded, a OR b (put `--` before a query that starts with -).
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Most results to show.
        #[arg(long, short = 'n', default_value_t = 10)]
        limit: usize,
        /// Only documents of this source.
        #[arg(long, value_name = "PATH")]
        source: Option<PathBuf>,
        /// Only files with this extension.
        #[arg(long, value_name = "EXT")]
        ext: Option<String>,
        /// Print results as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show each source's state, or one job's.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner status\n  gleaner status 3f2a… --json")]
    Status {
        /// A job id (from `gleaner jobs`).
        job: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List recent indexing jobs.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner jobs --status failed")]
    Jobs {
        /// Only jobs in this state (queued, running, paused, completed, failed, cancelled).
        #[arg(long)]
        status: Option<String>,
        /// Most jobs to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read and change settings.
    #[command(subcommand, help_template = HELP, before_help = "Example:\n  gleaner config list\n  gleaner config set watch.debounce_ms 200")]
    Config(ConfigCommand),
    /// Run the engine: watch every active source, index changes as they
    /// happen, rescan on a schedule. Stops on SIGINT/SIGTERM or `gleaner stop`.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner daemon --http 127.0.0.1:7878")]
    Daemon {
        /// Also serve the HTTP API on this loopback address (127.0.0.1:PORT,
        /// [::1]:PORT or localhost:PORT); without it the settings
        /// http.enabled and http.addr decide.
        #[arg(long, value_name = "ADDR")]
        http: Option<String>,
    },
    /// Ask the running engine to finish its batch and exit.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner stop")]
    Stop,
    /// Is the index keeping up? Problems in plain words, with fixes.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner health")]
    Health {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check the index database (SQLite and full-text integrity).
    #[command(help_template = HELP, before_help = "Example:\n  gleaner check")]
    Check {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set a damaged or foreign index aside (renamed gleaner.db.corrupt-TIME,
    /// never deleted), start a new one with the sources that can still be
    /// read from it, and index them again.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner rebuild")]
    Rebuild {
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Throw the search index away and build it again from the stored text
    /// (no file is read again); the running engine does it in the
    /// background, otherwise this command does it and waits.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner rebuild-search")]
    RebuildSearch,
    /// Serve the index to AI assistants over MCP on stdin/stdout (logs on stderr).
    #[command(help_template = HELP, before_help = "Example:\n  gleaner mcp    (in an assistant's MCP settings: command \"gleaner\", args [\"mcp\"])")]
    Mcp,
}

/// `gleaner source …`
#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Add a folder to keep indexed.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner source add ~/notes --exclude '*.tmp' --include '**/*.md'")]
    Add {
        /// The folder.
        path: PathBuf,
        /// Only files matching this glob (relative to the folder); repeatable.
        #[arg(long, value_name = "GLOB")]
        include: Vec<String>,
        /// Leave out files or folders matching this glob; repeatable.
        #[arg(long, value_name = "GLOB")]
        exclude: Vec<String>,
        /// Do not descend into subfolders.
        #[arg(long)]
        no_recursive: bool,
    },
    /// List sources.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner source list")]
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a source and everything indexed from it.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner source remove ~/notes")]
    Remove {
        /// The folder.
        path: PathBuf,
    },
    /// Start scanning and watching a disabled source again.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner source enable ~/notes")]
    Enable {
        /// The folder.
        path: PathBuf,
    },
    /// Keep a source and its documents but stop scanning it.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner source disable ~/notes")]
    Disable {
        /// The folder.
        path: PathBuf,
    },
    /// Change a source's rules (the given lists replace the old ones).
    #[command(help_template = HELP, before_help = "Example:\n  gleaner source set ~/notes --exclude 'drafts/**' --scan-interval-s 3600")]
    Set {
        /// The folder.
        path: PathBuf,
        /// Replaces the include globs; repeatable.
        #[arg(long, value_name = "GLOB")]
        include: Vec<String>,
        /// Replaces the exclude globs; repeatable.
        #[arg(long, value_name = "GLOB")]
        exclude: Vec<String>,
        /// Clear the include globs.
        #[arg(long, conflicts_with = "include")]
        clear_include: bool,
        /// Clear the exclude globs.
        #[arg(long, conflicts_with = "exclude")]
        clear_exclude: bool,
        /// Whether subfolders are included.
        #[arg(long, value_name = "true|false")]
        recursive: Option<bool>,
        /// Full rescan interval for this source, in seconds (0: use the global setting).
        #[arg(long, value_name = "N")]
        scan_interval_s: Option<i64>,
        /// Send this source's notifications to the log only.
        #[arg(long, conflicts_with = "unmute")]
        mute: bool,
        /// Notify about this source again.
        #[arg(long)]
        unmute: bool,
    },
}

/// `gleaner config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every setting with its value, range and meaning.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner config list")]
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// One setting's value.
    #[command(help_template = HELP, before_help = "Example:\n  gleaner config get watch.debounce_ms")]
    Get {
        /// The key, e.g. watch.debounce_ms.
        key: String,
    },
    /// Change a setting (checked against its range).
    #[command(help_template = HELP, before_help = "Example:\n  gleaner config set watch.debounce_ms 200")]
    Set {
        /// The key.
        key: String,
        /// The new value.
        value: String,
    },
}
