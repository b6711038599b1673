//! Which folders an assistant may make a source of.
//!
//! An assistant that can index a folder can then read its files back with
//! `get_document`, and an assistant can be steered by any text it reads
//! (a prompt injected into an indexed file). So a folder becomes a source
//! through the MCP server only inside a root the user listed in
//! `mcp.allowed_roots`; anything else the user adds themselves, and their
//! adding it is the confirmation.
//!
//! Some folders are never added by an assistant even inside an allowed
//! root: `/` itself, the system folders (`/proc`, `/sys`, `/dev`, `/run`,
//! `/boot`, `/etc`) and the home folder's dot-folders (`~/.ssh`, `~/.gnupg`,
//! `~/.config`, any `~/.X`), and everything under them. Allowing `~` does
//! not allow `~/.ssh`: the user must name the protected folder itself (or a
//! folder inside it) as a root.
//!
//! [`FolderPolicy::decide`] is pure: paths are normalised lexically (`.`
//! dropped, `..` taken off the path text, never followed), so `~/notes/../.ssh`
//! is judged as `~/.ssh` without asking the disk. The caller then resolves
//! symbolic links with `canonicalize` and asks again, so a link inside an
//! allowed root that points at `~/.ssh` is refused as well. Because the
//! first decision never touches the disk, a refused path gets the same
//! answer whether it exists or not.

use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// System folders an assistant never adds, nor anything under them, unless
/// the user named one of them (or a folder inside it) as an allowed root.
const SYSTEM_FOLDERS: [&str; 6] = ["/proc", "/sys", "/dev", "/run", "/boot", "/etc"];

/// Why a folder may or may not be made a source by an assistant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderDecision {
    /// Inside `root`, a folder the user allowed.
    Allowed {
        /// The allowed root the folder is in (the innermost one).
        root: PathBuf,
    },
    /// Not inside any folder the user allowed.
    OutsideAllowedRoots,
    /// `/`, a system folder, a dot-folder of the home folder, or inside
    /// one, and no allowed root names it.
    Protected {
        /// The protected folder the path is, or is in.
        folder: PathBuf,
    },
    /// Not an absolute path: nothing to judge.
    NotAbsolute,
}

/// The allowed roots and the home folder, as the policy compares them.
#[derive(Debug, Clone, Default)]
pub struct FolderPolicy {
    roots: Vec<PathBuf>,
    homes: Vec<PathBuf>,
}

impl FolderPolicy {
    /// A policy over `roots` (the setting `mcp.allowed_roots`) with `home`
    /// as the home folder whose dot-folders are protected. Relative roots
    /// are ignored (the setting refuses them anyway).
    pub fn new(roots: &[PathBuf], home: Option<&Path>) -> FolderPolicy {
        FolderPolicy {
            roots: roots
                .iter()
                .filter(|root| root.is_absolute())
                .map(|root| lexical(root))
                .collect(),
            homes: home
                .filter(|home| home.is_absolute())
                .map(lexical)
                .into_iter()
                .collect(),
        }
    }

    /// The same policy with the roots and the home folder also in their
    /// canonical form (symbolic links resolved), for judging a canonical
    /// path: a home folder reached through a link (`/home` → `/var/home`)
    /// still has its dot-folders protected.
    pub fn with_canonical_forms(mut self) -> FolderPolicy {
        let canonical = |paths: &[PathBuf]| -> Vec<PathBuf> {
            paths
                .iter()
                .filter_map(|path| std::fs::canonicalize(path).ok())
                .filter(|path| !paths.contains(path))
                .collect()
        };
        let roots = canonical(&self.roots);
        let homes = canonical(&self.homes);
        self.roots.extend(roots);
        self.homes.extend(homes);
        self
    }

    /// Whether an assistant may make `path` a source, judged on the path's
    /// text alone (see the module's documentation).
    pub fn decide(&self, path: &Path) -> FolderDecision {
        if !path.is_absolute() {
            return FolderDecision::NotAbsolute;
        }
        let path = lexical(path);
        let containing = || self.roots.iter().filter(|root| path.starts_with(root));
        if let Some(folder) = self.protected_folder(&path) {
            // Only a root at or below the protected folder itself lifts the
            // protection: allowing `~` says nothing about `~/.ssh`.
            return match containing()
                .filter(|root| root.starts_with(&folder))
                .max_by_key(|root| root.as_os_str().len())
            {
                Some(root) => FolderDecision::Allowed { root: root.clone() },
                None => FolderDecision::Protected { folder },
            };
        }
        match containing().max_by_key(|root| root.as_os_str().len()) {
            Some(root) => FolderDecision::Allowed { root: root.clone() },
            None => FolderDecision::OutsideAllowedRoots,
        }
    }

    /// The protected folder `path` (lexically normal) is or is inside.
    fn protected_folder(&self, path: &Path) -> Option<PathBuf> {
        if path == Path::new("/") {
            return Some(PathBuf::from("/"));
        }
        if let Some(system) = SYSTEM_FOLDERS.iter().find(|f| path.starts_with(f)) {
            return Some(PathBuf::from(system));
        }
        self.homes.iter().find_map(|home| {
            let first = path.strip_prefix(home).ok()?.components().next()?;
            match first {
                Component::Normal(name) if name.as_bytes().starts_with(b".") => {
                    Some(home.join(name))
                }
                _ => None,
            }
        })
    }
}

/// `path` with `.` dropped and each `..` taking off the component before
/// it, on the text alone (a `..` above `/` stays at `/`). Symbolic links
/// are not followed: that is `canonicalize`'s job, done after.
pub fn lexical(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}

/// `path` as a shell word the user can paste after `gleaner source add`:
/// as it is when it has only safe characters, else in single quotes.
pub fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%~".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(roots: &[&str]) -> FolderPolicy {
        let roots: Vec<PathBuf> = roots.iter().map(PathBuf::from).collect();
        FolderPolicy::new(&roots, Some(Path::new("/home/ada")))
    }

    fn allowed(root: &str) -> FolderDecision {
        FolderDecision::Allowed { root: root.into() }
    }

    fn protected(folder: &str) -> FolderDecision {
        FolderDecision::Protected {
            folder: folder.into(),
        }
    }

    /// Each case: allowed roots, the path, the decision.
    #[track_caller]
    fn check(roots: &[&str], path: &str, expected: FolderDecision) {
        assert_eq!(
            policy(roots).decide(Path::new(path)),
            expected,
            "roots {roots:?}, path {path}"
        );
    }

    #[test]
    fn nothing_is_allowed_without_roots() {
        check(&[], "/home/ada/notes", FolderDecision::OutsideAllowedRoots);
        check(&[], "/srv/docs", FolderDecision::OutsideAllowedRoots);
        check(&[], "notes", FolderDecision::NotAbsolute);
    }

    #[test]
    fn a_folder_inside_a_root_is_allowed() {
        let roots = ["/home/ada", "/home/ada/work", "/srv/docs"];
        check(&roots, "/home/ada", allowed("/home/ada"));
        check(&roots, "/home/ada/notes", allowed("/home/ada"));
        check(&roots, "/home/ada/work/x", allowed("/home/ada/work"));
        check(&roots, "/srv/docs/a/b/", allowed("/srv/docs"));
        check(&roots, "/srv", FolderDecision::OutsideAllowedRoots);
        // Components, not text: /home/adam is not inside /home/ada.
        check(&roots, "/home/adam", FolderDecision::OutsideAllowedRoots);
        check(&roots, "/srv/docs2", FolderDecision::OutsideAllowedRoots);
    }

    #[test]
    fn dot_folders_of_home_are_protected_inside_an_allowed_home() {
        let roots = ["/home/ada"];
        check(&roots, "/home/ada/.ssh", protected("/home/ada/.ssh"));
        check(&roots, "/home/ada/.ssh/keys", protected("/home/ada/.ssh"));
        check(&roots, "/home/ada/.gnupg", protected("/home/ada/.gnupg"));
        check(
            &roots,
            "/home/ada/.config/app",
            protected("/home/ada/.config"),
        );
        check(&roots, "/home/ada/.local", protected("/home/ada/.local"));
        // A dot-folder deeper down is the user's business, not a home one.
        check(&roots, "/home/ada/code/.github", allowed("/home/ada"));
        // Protected even with no root at all: the protection is the reason.
        check(&[], "/home/ada/.ssh", protected("/home/ada/.ssh"));
    }

    #[test]
    fn a_protected_folder_named_as_a_root_is_allowed() {
        check(
            &["/home/ada/.config"],
            "/home/ada/.config",
            allowed("/home/ada/.config"),
        );
        check(
            &["/home/ada/.config"],
            "/home/ada/.config/notes",
            allowed("/home/ada/.config"),
        );
        check(
            &["/home/ada/.config/notes"],
            "/home/ada/.config/notes/a",
            allowed("/home/ada/.config/notes"),
        );
        // Naming a folder inside it does not open the rest of it.
        check(
            &["/home/ada/.config/notes"],
            "/home/ada/.config",
            protected("/home/ada/.config"),
        );
        check(
            &["/home/ada/.config/notes", "/home/ada"],
            "/home/ada/.config/other",
            protected("/home/ada/.config"),
        );
        check(&["/etc/docs"], "/etc/docs", allowed("/etc/docs"));
        check(&["/etc/docs"], "/etc", protected("/etc"));
    }

    #[test]
    fn the_root_and_system_folders_are_protected() {
        let everything = ["/"];
        for system in SYSTEM_FOLDERS {
            check(&everything, system, protected(system));
        }
        check(&everything, "/proc/self", protected("/proc"));
        check(&everything, "/etc/ssh", protected("/etc"));
        check(&everything, "/home/ada/.ssh", protected("/home/ada/.ssh"));
        // `/` named as a root allows `/` itself and what is not protected.
        check(&everything, "/srv", allowed("/"));
        // Look-alikes are not the system folders.
        check(&everything, "/etcetera", allowed("/"));
        check(&everything, "/devices", allowed("/"));
        // `/` itself only when `/` is the root named.
        check(&["/srv"], "/", protected("/"));
        check(&[], "/", protected("/"));
        check(&everything, "/", allowed("/"));
    }

    #[test]
    fn dot_dot_cannot_climb_out_of_a_root() {
        let roots = ["/home/ada/notes"];
        check(
            &roots,
            "/home/ada/notes/../.ssh",
            protected("/home/ada/.ssh"),
        );
        check(&roots, "/home/ada/notes/a/../b", allowed("/home/ada/notes"));
        check(
            &roots,
            "/home/ada/notes/..",
            FolderDecision::OutsideAllowedRoots,
        );
        check(&roots, "/home/ada/notes/./x/.", allowed("/home/ada/notes"));
        check(&roots, "/../../etc", protected("/etc"));
        check(&roots, "/home/ada/notes/../../../", protected("/"));
        // A root written with `..` is normalised too.
        check(
            &["/home/ada/x/../notes"],
            "/home/ada/notes/a",
            allowed("/home/ada/notes"),
        );
    }

    #[test]
    fn a_home_reached_through_a_link_is_protected_in_both_forms() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("var-home");
        std::fs::create_dir_all(real.join(".ssh")).unwrap();
        let link = tmp.path().join("home");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let policy =
            FolderPolicy::new(std::slice::from_ref(&link), Some(&link)).with_canonical_forms();
        let canonical = std::fs::canonicalize(link.join(".ssh")).unwrap();
        assert_eq!(
            policy.decide(&canonical),
            FolderDecision::Protected {
                folder: std::fs::canonicalize(&real).unwrap().join(".ssh")
            }
        );
        assert!(matches!(
            policy.decide(&std::fs::canonicalize(&real).unwrap().join("notes")),
            FolderDecision::Allowed { .. }
        ));
    }

    #[test]
    fn paths_are_quoted_for_the_shell_when_needed() {
        assert_eq!(shell_word(Path::new("/home/ada/notes")), "/home/ada/notes");
        assert_eq!(
            shell_word(Path::new("/home/ada/my notes")),
            "'/home/ada/my notes'"
        );
        assert_eq!(shell_word(Path::new("/a/it's")), r"'/a/it'\''s'");
    }
}
