//! Sources: the folders a user asked Gleaner to keep indexed, and the rules
//! that say which files inside them count.
//!
//! Globs match paths relative to the source root (so `docs/**/*.md` means the
//! same thing wherever the folder lives). An empty include list includes
//! everything; excludes win over includes. A glob without a slash also matches
//! at any depth (`*.log` excludes `a/b/c.log`), as users expect from
//! .gitignore-like rules.

use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::error::{Error, Result};

/// The state of a source's last full scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanStatus {
    /// Never scanned yet.
    Pending,
    /// A scan is under way.
    Running,
    /// The last scan finished.
    Success,
    /// The last scan failed, or the folder is unreachable (see `last_error`).
    Error,
}

impl ScanStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Pending => "pending",
            ScanStatus::Running => "running",
            ScanStatus::Success => "success",
            ScanStatus::Error => "error",
        }
    }

    /// Parses the stored spelling; unknown values read as `Pending`.
    pub fn parse(text: &str) -> ScanStatus {
        match text {
            "running" => ScanStatus::Running,
            "success" => ScanStatus::Success,
            "error" => ScanStatus::Error,
            _ => ScanStatus::Pending,
        }
    }
}

/// A watched folder and its rules, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// Row id.
    pub id: i64,
    /// Absolute, canonical path of the folder.
    #[serde(with = "crate::wire_path::one")]
    pub path: PathBuf,
    /// Whether subfolders are included.
    pub recursive: bool,
    /// Globs a file must match (relative to `path`); empty means all files.
    pub include: Vec<String>,
    /// Globs that exclude a file or a whole folder.
    pub exclude: Vec<String>,
    /// Disabled sources are kept, with their documents, but not scanned or watched.
    pub active: bool,
    /// Full rescan period in seconds; `None` uses `scan.full_interval_s`.
    pub scan_interval_s: Option<i64>,
    /// When the source was added (unix ms).
    pub created_at: i64,
    /// When the last full scan completed (unix ms).
    pub last_full_scan: Option<i64>,
    /// The last scan's outcome.
    pub last_scan_status: ScanStatus,
    /// Why the last scan failed or the folder is unreachable.
    pub last_error: Option<String>,
}

/// Options for a new source.
#[derive(Debug, Clone, Default)]
pub struct NewSource {
    /// The folder (made absolute and canonical before it is stored).
    pub path: PathBuf,
    /// Include globs.
    pub include: Vec<String>,
    /// Exclude globs.
    pub exclude: Vec<String>,
    /// Whether subfolders are included (the CLI's default is true).
    pub recursive: bool,
}

/// A change to a source's rules; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SourceUpdate {
    /// Replaces the include globs.
    pub include: Option<Vec<String>>,
    /// Replaces the exclude globs.
    pub exclude: Option<Vec<String>>,
    /// Sets the recursive flag.
    pub recursive: Option<bool>,
    /// Sets (Some(Some)) or clears (Some(None)) the per-source scan interval.
    pub scan_interval_s: Option<Option<i64>>,
}

/// Resolves a user-given folder to the canonical absolute path a source is
/// stored under, failing with a plain reason when it cannot be a source.
pub fn canonical_source_path(path: &Path) -> Result<PathBuf> {
    let canonical = std::fs::canonicalize(path).map_err(|e| Error::SourceUnavailable {
        path: path.to_path_buf(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => "no such directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        },
    })?;
    if !canonical.is_dir() {
        return Err(Error::SourceUnavailable {
            path: path.to_path_buf(),
            reason: "not a directory".to_string(),
        });
    }
    Ok(canonical)
}

/// What a source's rules would keep, before the source is saved.
#[derive(Debug, Clone, Serialize)]
pub struct RulesPreview {
    /// Files the rules keep.
    pub n_matching: u64,
    /// Files and folders the globs leave out.
    pub n_excluded: u64,
    /// A few kept files, relative to the folder.
    pub samples: Vec<String>,
    /// Folders that could not be read.
    pub problems: Vec<String>,
}

/// Walks `path` with the given rules, as a scan would, and says what they
/// keep ("1,284 files match, 37 excluded") without storing anything.
pub fn preview_rules(
    path: &Path,
    include: &[String],
    exclude: &[String],
    recursive: bool,
    n_samples: usize,
) -> Result<RulesPreview> {
    let root = canonical_source_path(path)?;
    let rules = SourceRules::new(include, exclude)?;
    let walk = crate::walk::walk_source(
        &root,
        &rules,
        &crate::walk::WalkOptions {
            recursive,
            threads: 2,
        },
    );
    let mut samples: Vec<String> = walk
        .files
        .iter()
        .map(|f| f.rel_path.to_string_lossy().into_owned())
        .collect();
    samples.sort();
    samples.truncate(n_samples);
    Ok(RulesPreview {
        n_matching: walk.files.len() as u64,
        n_excluded: walk.n_excluded,
        samples,
        problems: walk
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.path.display(), p.message))
            .collect(),
    })
}

/// Compiled include/exclude rules of one source.
#[derive(Debug, Clone)]
pub struct SourceRules {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl SourceRules {
    /// Compiles the globs; a bad pattern is an error naming it.
    pub fn new(include: &[String], exclude: &[String]) -> Result<SourceRules> {
        let include = if include.is_empty() {
            None
        } else {
            Some(build_set(include)?)
        };
        Ok(SourceRules {
            include,
            exclude: build_set(exclude)?,
        })
    }

    /// Rules of a stored source.
    pub fn for_source(source: &Source) -> Result<SourceRules> {
        SourceRules::new(&source.include, &source.exclude)
    }

    /// Whether a file at `rel_path` (relative to the source root) is indexed.
    pub fn includes_file(&self, rel_path: &Path) -> bool {
        if self.exclude.is_match(rel_path) {
            return false;
        }
        match &self.include {
            Some(include) => include.is_match(rel_path),
            None => true,
        }
    }

    /// Whether the walk should descend into the folder at `rel_path`. Only
    /// excludes prune folders: an include like `*.md` must not hide the
    /// folders that hold markdown files.
    pub fn enters_dir(&self, rel_path: &Path) -> bool {
        !self.exclude.is_match(rel_path)
    }
}

/// Checks that every glob parses (for the CLI, before anything is stored).
pub fn validate_globs(globs: &[String]) -> Result<()> {
    build_set(globs).map(|_| ())
}

fn build_set(globs: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in globs {
        let trimmed = pattern.trim().trim_start_matches("./");
        let bad = |e: globset::Error| Error::BadGlob {
            pattern: pattern.clone(),
            reason: e.kind().to_string(),
        };
        if trimmed.is_empty() {
            return Err(Error::BadGlob {
                pattern: pattern.clone(),
                reason: "empty pattern".to_string(),
            });
        }
        // A trailing slash means "this folder": match the folder itself and
        // everything under it.
        let trimmed = trimmed.trim_end_matches('/');
        let anchored = trimmed.contains('/');
        let variants: Vec<String> = if anchored {
            vec![
                trimmed.trim_start_matches('/').to_string(),
                format!("{}/**", trimmed.trim_start_matches('/')),
            ]
        } else {
            vec![
                trimmed.to_string(),
                format!("**/{trimmed}"),
                format!("{trimmed}/**"),
                format!("**/{trimmed}/**"),
            ]
        };
        for variant in variants {
            let glob = globset::GlobBuilder::new(&variant)
                .literal_separator(true)
                .build()
                .map_err(bad)?;
            builder.add(glob);
        }
    }
    builder.build().map_err(|e| Error::BadGlob {
        pattern: globs.join(", "),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(include: &[&str], exclude: &[&str]) -> SourceRules {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        SourceRules::new(&owned(include), &owned(exclude)).unwrap()
    }

    #[test]
    fn empty_rules_include_everything() {
        let r = rules(&[], &[]);
        assert!(r.includes_file(Path::new("a/b/c.txt")));
        assert!(r.enters_dir(Path::new("a")));
    }

    #[test]
    fn unanchored_globs_match_at_any_depth() {
        let r = rules(&["*.md"], &["*.log", "node_modules"]);
        assert!(r.includes_file(Path::new("notes.md")));
        assert!(r.includes_file(Path::new("deep/down/notes.md")));
        assert!(!r.includes_file(Path::new("deep/notes.txt")));
        assert!(!r.includes_file(Path::new("x/y.log")));
        assert!(!r.enters_dir(Path::new("web/node_modules")));
        assert!(!r.includes_file(Path::new("web/node_modules/pkg/readme.md")));
        assert!(
            r.enters_dir(Path::new("deep")),
            "includes never prune folders"
        );
    }

    #[test]
    fn anchored_globs_are_relative_to_the_source_root() {
        let r = rules(&["docs/**/*.md"], &["docs/drafts/"]);
        assert!(r.includes_file(Path::new("docs/a/b.md")));
        assert!(!r.includes_file(Path::new("other/docs/a/b.md")));
        assert!(!r.enters_dir(Path::new("docs/drafts")));
        assert!(!r.includes_file(Path::new("docs/drafts/x.md")));
        assert!(r.enters_dir(Path::new("other/docs/drafts")));
    }

    #[test]
    fn a_star_does_not_cross_folders_in_anchored_globs() {
        let r = rules(&["src/*.rs"], &[]);
        assert!(r.includes_file(Path::new("src/main.rs")));
        assert!(!r.includes_file(Path::new("src/bin/tool.rs")));
    }

    #[test]
    fn bad_globs_are_named() {
        let err = SourceRules::new(&["a[".to_string()], &[]).unwrap_err();
        assert!(err.to_string().contains("\"a[\""), "{err}");
        assert!(validate_globs(&[" ".to_string()]).is_err());
    }
}
