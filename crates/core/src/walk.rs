//! Listing the files of a source: the ignore rules, the source's globs, and a
//! stat of every file kept.
//!
//! Rules, in the order users expect from ripgrep and fd:
//! - `.gitignore` (and `.git/info/exclude`) only inside git repositories:
//!   Debian's kernel source ships a top-level `.gitignore` of `/*` that would
//!   hide the whole tree outside git.
//! - `.ignore` and `.gleanerignore` everywhere.
//! - Hidden files and folders below the source root are skipped; the root
//!   itself may be hidden (a source under `~/.cache` works).
//! - Symbolic links are never followed, so a walk cannot leave its source or
//!   loop; FIFOs, sockets and devices are skipped (reading them would block).
//!
//! A folder the walk cannot read is reported, not skipped silently: the scan
//! must not take its files for deleted.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use ignore::{WalkBuilder, WalkState};

use crate::fingerprint::FileStat;
use crate::source::SourceRules;

/// The name of Gleaner's own ignore file.
pub const IGNORE_FILE_NAME: &str = ".gleanerignore";

/// A regular file the walk kept.
#[derive(Debug, Clone)]
pub struct WalkedFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Path relative to the source root.
    pub rel_path: PathBuf,
    /// Its stat at walk time.
    pub stat: FileStat,
}

/// A path the walk could not read.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    /// The file or folder (the source root when unknown).
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct WalkOutcome {
    /// The files kept, in no particular order.
    pub files: Vec<WalkedFile>,
    /// Folders and files that could not be read.
    pub problems: Vec<WalkProblem>,
    /// Number of files seen but left out by the rules (for previews).
    pub n_excluded: u64,
    /// Symbolic links met (never followed): a folder of nothing else
    /// indexes to nothing, which the user must be told.
    pub n_links: u64,
    /// Every folder the walk entered, the starting folder included: what a
    /// watcher must watch to see the same files change.
    pub dirs: Vec<PathBuf>,
}

impl WalkOutcome {
    /// Whether `path` lies in a folder the walk could not read: its documents
    /// must be kept, not taken for deleted.
    pub fn is_unreachable(&self, path: &Path) -> bool {
        self.problems.iter().any(|p| path.starts_with(&p.path))
    }
}

/// Options of one walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Descend into subfolders.
    pub recursive: bool,
    /// Worker threads for the walk (1 walks on the calling thread).
    pub threads: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            recursive: true,
            threads: 2,
        }
    }
}

/// Walks `root` and returns the files the ignore files and `rules` keep.
pub fn walk_source(root: &Path, rules: &SourceRules, options: &WalkOptions) -> WalkOutcome {
    let max_depth = if options.recursive { None } else { Some(1) };
    let mut outcome = WalkOutcome::default();
    outcome.dirs.push(root.to_path_buf());
    walk_from(
        root,
        root,
        max_depth,
        rules,
        options.threads,
        None,
        &mut outcome,
    );
    outcome
}

/// Walks only `paths` inside the source at `root`: each folder's subtree, and
/// each file on its own (found by listing its folder, so the ignore files
/// apply exactly as in a full walk). Paths that no longer exist are simply
/// not in the outcome. This is how live changes are indexed: the result goes
/// through the same planning as a full scan, restricted to these paths.
pub fn walk_paths(
    root: &Path,
    paths: &[PathBuf],
    rules: &SourceRules,
    options: &WalkOptions,
) -> WalkOutcome {
    let mut outcome = WalkOutcome::default();
    let mut files_by_dir: std::collections::BTreeMap<PathBuf, HashSet<OsString>> =
        Default::default();
    let mut dirs: Vec<&Path> = Vec::new();
    for path in paths {
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => {
                if rel.as_os_str().is_empty() || (options.recursive && dir_is_walked(rel, rules)) {
                    dirs.push(path);
                }
            }
            Ok(_) => {
                if let (Some(parent), Some(name)) = (path.parent(), path.file_name()) {
                    files_by_dir
                        .entry(parent.to_path_buf())
                        .or_default()
                        .insert(name.to_os_string());
                }
            }
            Err(_) => {} // gone: the caller's plan sees it vanished
        }
    }
    // A folder walked whole covers the files named inside it.
    dirs.sort();
    dirs.dedup_by(|later, earlier| later.starts_with(*earlier));
    files_by_dir.retain(|dir, _| !dirs.iter().any(|walked| dir.starts_with(walked)));
    for dir in dirs {
        let depth = if options.recursive { None } else { Some(1) };
        walk_from(root, dir, depth, rules, options.threads, None, &mut outcome);
    }
    for (dir, names) in files_by_dir {
        let Ok(rel_dir) = dir.strip_prefix(root) else {
            continue;
        };
        let at_root = rel_dir.as_os_str().is_empty();
        if !(at_root || options.recursive && dir_is_walked(rel_dir, rules)) {
            continue;
        }
        walk_from(root, &dir, Some(1), rules, 1, Some(&names), &mut outcome);
    }
    outcome
}

/// Whether a full walk would enter the folder at `rel_dir` (relative to the
/// source root): no hidden component and no excluded ancestor. (Ignore files
/// are not consulted: a watcher asking about a new folder learns of those
/// when the folder's files are walked.)
pub fn dir_is_walked(rel_dir: &Path, rules: &SourceRules) -> bool {
    let mut prefix = PathBuf::new();
    for component in rel_dir.components() {
        if component.as_os_str().to_string_lossy().starts_with('.') {
            return false;
        }
        prefix.push(component);
        if !rules.enters_dir(&prefix) {
            return false;
        }
    }
    true
}

fn walk_from(
    root: &Path,
    start: &Path,
    max_depth: Option<usize>,
    rules: &SourceRules,
    threads: usize,
    only_names: Option<&HashSet<OsString>>,
    outcome: &mut WalkOutcome,
) {
    let mut builder = WalkBuilder::new(start);
    builder
        .hidden(true)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(true)
        .follow_links(false)
        .same_file_system(false)
        .add_custom_ignore_filename(IGNORE_FILE_NAME)
        .max_depth(max_depth)
        .threads(threads.max(1));
    let (sender, receiver) = crossbeam_channel::unbounded::<Item>();
    builder.build_parallel().run(|| {
        let sender = sender.clone();
        let rules = rules.clone();
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let _ = sender.send(Item::Problem(problem_of(start, err)));
                    return WalkState::Continue;
                }
            };
            if entry.depth() == 0 {
                return WalkState::Continue; // the starting folder itself
            }
            let Some(file_type) = entry.file_type() else {
                return WalkState::Continue;
            };
            let Ok(rel) = entry.path().strip_prefix(root) else {
                return WalkState::Continue;
            };
            if file_type.is_dir() {
                if !rules.enters_dir(rel) {
                    let _ = sender.send(Item::Excluded);
                    return WalkState::Skip;
                }
                if only_names.is_none() && max_depth.is_none_or(|depth| entry.depth() < depth) {
                    let _ = sender.send(Item::Dir(entry.path().to_path_buf()));
                }
                return WalkState::Continue;
            }
            if file_type.is_symlink() {
                let _ = sender.send(Item::Link);
                return WalkState::Continue;
            }
            if !file_type.is_file() {
                return WalkState::Continue; // FIFOs, sockets, devices
            }
            if only_names
                .is_some_and(|names| !entry.path().file_name().is_some_and(|n| names.contains(n)))
            {
                return WalkState::Continue;
            }
            if !rules.includes_file(rel) {
                let _ = sender.send(Item::Excluded);
                return WalkState::Continue;
            }
            match entry.metadata() {
                Ok(meta) => {
                    let _ = sender.send(Item::File(WalkedFile {
                        path: entry.path().to_path_buf(),
                        rel_path: rel.to_path_buf(),
                        stat: FileStat::from_metadata(&meta),
                    }));
                }
                // Vanished between listing and stat: simply not there.
                Err(err) if is_not_found(&err) => {}
                Err(err) => {
                    let _ = sender.send(Item::Problem(WalkProblem {
                        path: entry.path().to_path_buf(),
                        message: err.to_string(),
                    }));
                }
            }
            WalkState::Continue
        })
    });
    drop(sender);
    for item in receiver {
        match item {
            Item::File(file) => outcome.files.push(file),
            Item::Problem(problem) => outcome.problems.push(problem),
            Item::Excluded => outcome.n_excluded += 1,
            Item::Link => outcome.n_links += 1,
            Item::Dir(dir) => outcome.dirs.push(dir),
        }
    }
}

enum Item {
    File(WalkedFile),
    Dir(PathBuf),
    Problem(WalkProblem),
    Excluded,
    Link,
}

fn is_not_found(err: &ignore::Error) -> bool {
    err.io_error()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

fn problem_of(root: &Path, err: ignore::Error) -> WalkProblem {
    let path = error_path(&err).unwrap_or_else(|| root.to_path_buf());
    WalkProblem {
        path,
        message: err.to_string(),
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn wfile(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn listed(root: &Path, rules: &SourceRules, recursive: bool) -> Vec<String> {
        let mut names: Vec<String> = walk_source(
            root,
            rules,
            &WalkOptions {
                recursive,
                threads: 2,
            },
        )
        .files
        .into_iter()
        .map(|f| f.rel_path.to_string_lossy().into_owned())
        .collect();
        names.sort();
        names
    }

    fn no_rules() -> SourceRules {
        SourceRules::new(&[], &[]).unwrap()
    }

    #[test]
    fn gitignore_applies_only_inside_git_repositories() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        wfile(&plain, ".gitignore", "/*\n");
        wfile(&plain, "kept.txt", "x");
        assert_eq!(listed(&plain, &no_rules(), true), vec!["kept.txt"]);

        let repo = dir.path().join("repo");
        fs::create_dir_all(repo.join(".git")).unwrap();
        wfile(&repo, ".gitignore", "build/\n*.o\n");
        wfile(&repo, "src/a.c", "x");
        wfile(&repo, "src/a.o", "x");
        wfile(&repo, "build/out.txt", "x");
        assert_eq!(listed(&repo, &no_rules(), true), vec!["src/a.c"]);
    }

    #[test]
    fn ignore_and_gleanerignore_apply_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        wfile(dir.path(), ".ignore", "a.txt\n");
        wfile(dir.path(), "sub/.gleanerignore", "b.txt\n");
        wfile(dir.path(), "a.txt", "x");
        wfile(dir.path(), "sub/b.txt", "x");
        wfile(dir.path(), "sub/c.txt", "x");
        assert_eq!(listed(dir.path(), &no_rules(), true), vec!["sub/c.txt"]);
    }

    #[test]
    fn hidden_entries_below_the_root_are_skipped_but_a_hidden_root_works() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(".cache/notes");
        wfile(&root, "a.md", "x");
        wfile(&root, ".secret.md", "x");
        wfile(&root, ".hidden/b.md", "x");
        assert_eq!(listed(&root, &no_rules(), true), vec!["a.md"]);
    }

    #[test]
    fn globs_and_the_recursive_flag() {
        let dir = tempfile::tempdir().unwrap();
        wfile(dir.path(), "top.md", "x");
        wfile(dir.path(), "top.txt", "x");
        wfile(dir.path(), "deep/down.md", "x");
        wfile(dir.path(), "node_modules/pkg/readme.md", "x");
        let rules = SourceRules::new(&["*.md".into()], &["node_modules".into()]).unwrap();
        assert_eq!(
            listed(dir.path(), &rules, true),
            vec!["deep/down.md", "top.md"]
        );
        assert_eq!(listed(dir.path(), &rules, false), vec!["top.md"]);
    }

    #[test]
    fn walking_some_paths_applies_the_same_rules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        wfile(root, ".ignore", "skip.txt\n");
        wfile(root, "a.txt", "x");
        wfile(root, "skip.txt", "x");
        wfile(root, "sub/b.txt", "x");
        wfile(root, "sub/deeper/c.txt", "x");
        wfile(root, "logs/d.txt", "x");
        wfile(root, ".hidden/e.txt", "x");
        let rules = SourceRules::new(&[], &["logs".into()]).unwrap();
        let paths = [
            root.join("a.txt"),
            root.join("skip.txt"),
            root.join("sub"),
            root.join("sub/b.txt"),
            root.join("logs/d.txt"),
            root.join(".hidden/e.txt"),
            root.join("gone.txt"),
        ];
        let mut names: Vec<String> = walk_paths(root, &paths, &rules, &WalkOptions::default())
            .files
            .into_iter()
            .map(|f| f.rel_path.to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, vec!["a.txt", "sub/b.txt", "sub/deeper/c.txt"]);
    }

    #[test]
    fn symlinks_and_fifos_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        wfile(outside.path(), "secret.txt", "x");
        wfile(dir.path(), "real.txt", "x");
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        let fifo = std::ffi::CString::new(dir.path().join("pipe").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert_eq!(listed(dir.path(), &no_rules(), true), vec!["real.txt"]);
        let options = WalkOptions {
            recursive: true,
            threads: 1,
        };
        let outcome = walk_source(dir.path(), &no_rules(), &options);
        assert_eq!(outcome.n_links, 2, "the links are counted, to be told");
    }
}
