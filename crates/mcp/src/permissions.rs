//! What the user lets an assistant change through this server.
//!
//! Two settings, read afresh on every call so `gleaner config set` and the
//! settings window apply to a server already running:
//!
//! - `mcp.allow_changes` (off by default): without it the server is
//!   read-only. The tools that change something are not listed, and a call
//!   to one anyway is a tool error that says how the user allows it.
//! - `mcp.allowed_roots` (empty by default): even with changes allowed, a
//!   folder becomes a source, or a source's rules change, only inside one
//!   of these roots and never in a protected folder (`folder_policy`).
//!   Re-indexing a source the user already has needs no root.

use std::path::{Path, PathBuf};

use gleaner_core::settings::{Settings, MCP_ALLOWED_ROOTS, MCP_ALLOW_CHANGES};

use crate::context::ToolError;
use crate::folder_policy::{lexical, shell_word, FolderDecision, FolderPolicy};

/// The tools that change something: hidden and refused unless the user
/// allowed changes.
pub const CHANGE_TOOLS: [&str; 4] = [
    "start_background_indexing",
    "pause_indexing",
    "resume_indexing",
    "cancel_indexing",
];

/// Whether `tool` is one of [`CHANGE_TOOLS`].
pub fn changes_anything(tool: &str) -> bool {
    CHANGE_TOOLS.contains(&tool)
}

/// Whether the user allows an assistant to change anything.
pub fn changes_allowed(settings: &Settings) -> bool {
    settings.boolean(MCP_ALLOW_CHANGES)
}

/// Ok when the user allowed changes, else the refusal for `tool`.
pub fn require_changes(settings: &Settings, tool: &str) -> Result<(), ToolError> {
    if changes_allowed(settings) {
        return Ok(());
    }
    Err(ToolError(format!(
        "{tool} is not available: the user has not allowed AI assistants to change Gleaner's \
index, so this server is read-only. The user can allow it with \
`gleaner config set {MCP_ALLOW_CHANGES} true` (or in the Gleaner window: Settings → Preferences \
→ AI assistants), or add a folder themselves with `gleaner source add PATH`. \
search_documents, get_document, list_sources, get_health, get_indexing_status and \
list_indexing_jobs work meanwhile."
    )))
}

/// The home folder, whose dot-folders are protected.
fn home_folder() -> Option<PathBuf> {
    std::env::home_dir().filter(|home| home.is_absolute())
}

/// The folder `path` (absolute, as the assistant gave it) in canonical form
/// when an assistant may make it a source or change its rules; else the
/// refusal. The first decision is on the path's text alone, so a refused
/// path gets the same answer whether it exists or not; a path that passes
/// is then resolved (links followed) and judged again.
pub fn allowed_folder(settings: &Settings, path: &Path) -> Result<PathBuf, ToolError> {
    let policy = FolderPolicy::new(&settings.paths(MCP_ALLOWED_ROOTS), home_folder().as_deref());
    let shown = lexical(path);
    refuse_unless_allowed(policy.decide(&shown), &shown)?;
    let canonical = std::fs::canonicalize(&shown).map_err(|err| {
        ToolError(match err.kind() {
            std::io::ErrorKind::NotFound => format!("no such directory: {}", shown.display()),
            _ => format!("cannot open {}: {err}", shown.display()),
        })
    })?;
    if !canonical.is_dir() {
        return Err(ToolError(format!(
            "{} is not a directory: give a folder",
            shown.display()
        )));
    }
    refuse_unless_allowed(policy.with_canonical_forms().decide(&canonical), &shown)?;
    Ok(canonical)
}

fn refuse_unless_allowed(decision: FolderDecision, shown: &Path) -> Result<(), ToolError> {
    let yourself = format!(
        "The user can add it themselves with `gleaner source add {}` or in the Gleaner window \
(Settings → Sources); once it is a source, start_background_indexing can index it again.",
        shell_word(shown)
    );
    match decision {
        FolderDecision::Allowed { .. } => Ok(()),
        FolderDecision::OutsideAllowedRoots => Err(ToolError(format!(
            "{} is not a source, and AI assistants may only add folders inside the folders the \
user allowed for them. {yourself}",
            shown.display()
        ))),
        FolderDecision::Protected { folder } => Err(ToolError(format!(
            "{} is in {}, a protected folder (the file system's root, system folders and the \
home folder's dot-folders such as ~/.ssh hold keys and settings), which AI assistants never \
add. {yourself}",
            shown.display(),
            folder.display()
        ))),
        FolderDecision::NotAbsolute => Err(ToolError(format!(
            "{} is relative: give an absolute path",
            shown.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(allow: bool, roots: &str) -> Settings {
        Settings::from_stored([
            (MCP_ALLOW_CHANGES.to_string(), allow.to_string()),
            (MCP_ALLOWED_ROOTS.to_string(), roots.to_string()),
        ])
    }

    #[test]
    fn changes_are_refused_by_default_with_the_command_that_allows_them() {
        let err = require_changes(&Settings::defaults(), "pause_indexing").unwrap_err();
        assert!(
            err.0.contains("gleaner config set mcp.allow_changes true"),
            "{}",
            err.0
        );
        assert!(require_changes(&settings(true, "[]"), "pause_indexing").is_ok());
        assert!(changes_anything("cancel_indexing"));
        assert!(!changes_anything("get_document"));
    }

    #[test]
    fn a_refused_folder_gets_one_answer_whether_it_exists_or_not() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let none = settings(true, "[]");
        let existing = allowed_folder(&none, &real).unwrap_err().0;
        let missing = allowed_folder(&none, &tmp.path().join("nothing"))
            .unwrap_err()
            .0;
        assert_eq!(
            existing.replace("real", "X"),
            missing.replace("nothing", "X"),
            "the same sentence for both"
        );
        assert!(existing.contains("gleaner source add"), "{existing}");
    }

    #[test]
    fn a_link_inside_a_root_to_a_folder_outside_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("link")).unwrap();
        let allowed = settings(true, &format!("[{:?}]", root.display().to_string()));
        let sub = allowed_folder(&allowed, &root.join("sub")).unwrap();
        assert_eq!(sub, std::fs::canonicalize(root.join("sub")).unwrap());
        let err = allowed_folder(&allowed, &root.join("link")).unwrap_err().0;
        assert!(err.contains("not a source"), "{err}");
        let err = allowed_folder(&allowed, &root.join("missing"))
            .unwrap_err()
            .0;
        assert!(err.contains("no such directory"), "{err}");
    }
}
