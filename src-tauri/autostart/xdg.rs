//! The XDG autostart entry (freedesktop "Desktop Application Autostart
//! Specification"): a desktop entry in `$XDG_CONFIG_HOME/autostart/` that
//! the session starts at login.
//!
//! Enabled means the file exists and does not say `Hidden=true` (the spec's
//! way for a user to switch off an entry without deleting it). Disabling
//! deletes the file: it is ours, written by [`AutostartEntry::enable`].
//!
//! The folder follows the spec: `$XDG_CONFIG_HOME` when it is an absolute
//! path, else `$HOME/.config`. Both are read when the entry is made, so a
//! test (or a user) that points them elsewhere gets its own entry.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// File name of the entry: the product name, as tauri-plugin-autostart names it.
pub const ENTRY_FILE: &str = "Gleaner.desktop";

/// Gleaner's autostart entry for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutostartEntry {
    /// The entry's full path.
    pub path: PathBuf,
    /// The program the session runs at login.
    pub program: PathBuf,
}

impl AutostartEntry {
    /// The entry for this process: the folder from the environment, the
    /// program this executable (or the AppImage that contains it).
    pub fn for_this_app() -> io::Result<AutostartEntry> {
        let dir = autostart_dir(
            std::env::var_os("XDG_CONFIG_HOME"),
            std::env::var_os("HOME"),
        )?;
        // Inside an AppImage, the executable lives in a mount that is gone
        // after logout; the AppImage file itself is what must be started.
        let program = match std::env::var_os("APPIMAGE") {
            Some(appimage) if !appimage.is_empty() => PathBuf::from(appimage),
            _ => std::env::current_exe()?,
        };
        Ok(AutostartEntry {
            path: dir.join(ENTRY_FILE),
            program,
        })
    }

    /// Whether the session starts Gleaner at login.
    pub fn is_enabled(&self) -> bool {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => !text.lines().any(|line| line.trim() == "Hidden=true"),
            Err(_) => false,
        }
    }

    /// Writes the entry (creating the folder), replacing any previous one.
    pub fn enable(&self) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Written aside and renamed, so the session never reads half a file.
        let partial = self.path.with_extension("desktop.partial");
        std::fs::write(&partial, desktop_entry(&self.program))?;
        std::fs::rename(&partial, &self.path)
    }

    /// Removes the entry; already absent is fine.
    pub fn disable(&self) -> io::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }
}

/// `$XDG_CONFIG_HOME/autostart`, or `$HOME/.config/autostart` when
/// `XDG_CONFIG_HOME` is unset, empty or relative (the spec says to ignore it then).
pub fn autostart_dir(
    xdg_config_home: Option<OsString>,
    home: Option<OsString>,
) -> io::Result<PathBuf> {
    let config = xdg_config_home
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| {
            home.map(PathBuf::from)
                .filter(|home| home.is_absolute())
                .map(|home| home.join(".config"))
        })
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "neither XDG_CONFIG_HOME nor HOME names a folder for the autostart entry",
            )
        })?;
    Ok(config.join("autostart"))
}

/// The entry's text. The session runs `program` with no arguments: Gleaner
/// starts in the tray with its window hidden (unless no folder is set up yet).
pub fn desktop_entry(program: &Path) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Version=1.0\n\
         Name=Gleaner\n\
         Comment=Keeps a local full-text index of your folders fresh\n\
         Exec={}\n\
         Icon=gleaner-desktop\n\
         Terminal=false\n\
         StartupNotify=false\n\
         X-GNOME-Autostart-enabled=true\n",
        exec_argument(&program.to_string_lossy())
    )
}

/// One `Exec` argument, quoted as the desktop entry spec asks: inside double
/// quotes, `"`, `` ` ``, `$` and `\` are escaped with a backslash; `%` (a
/// field code) is doubled. A path with no special character stays as it is.
fn exec_argument(argument: &str) -> String {
    let plain = !argument.is_empty()
        && argument
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c));
    if plain {
        return argument.to_string();
    }
    let mut quoted = String::with_capacity(argument.len() + 2);
    quoted.push('"');
    for c in argument.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(value: &str) -> Option<OsString> {
        Some(OsString::from(value))
    }

    #[test]
    fn folder_follows_xdg_config_home_then_home() {
        assert_eq!(
            autostart_dir(os("/x/conf"), os("/home/a")).unwrap(),
            Path::new("/x/conf/autostart")
        );
        assert_eq!(
            autostart_dir(None, os("/home/a")).unwrap(),
            Path::new("/home/a/.config/autostart")
        );
        // The spec: a relative or empty XDG_CONFIG_HOME is ignored.
        assert_eq!(
            autostart_dir(os("conf"), os("/home/a")).unwrap(),
            Path::new("/home/a/.config/autostart")
        );
        assert_eq!(
            autostart_dir(os(""), os("/home/a")).unwrap(),
            Path::new("/home/a/.config/autostart")
        );
        assert!(autostart_dir(None, None).is_err());
    }

    #[test]
    fn enable_writes_and_disable_removes() {
        let dir = std::env::temp_dir().join(format!("gleaner-autostart-{}", std::process::id()));
        let entry = AutostartEntry {
            path: dir.join("autostart").join(ENTRY_FILE),
            program: PathBuf::from("/usr/bin/gleaner-desktop"),
        };
        assert!(!entry.is_enabled());
        entry.enable().unwrap();
        assert!(entry.is_enabled());
        let text = std::fs::read_to_string(&entry.path).unwrap();
        assert!(text.contains("\nExec=/usr/bin/gleaner-desktop\n"), "{text}");
        entry.enable().unwrap(); // idempotent
        entry.disable().unwrap();
        assert!(!entry.is_enabled());
        assert!(!entry.path.exists());
        entry.disable().unwrap(); // already gone
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hidden_entry_counts_as_disabled() {
        let dir = std::env::temp_dir().join(format!("gleaner-hidden-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let entry = AutostartEntry {
            path: dir.join(ENTRY_FILE),
            program: PathBuf::from("/usr/bin/gleaner-desktop"),
        };
        std::fs::write(&entry.path, "[Desktop Entry]\nHidden=true\n").unwrap();
        assert!(!entry.is_enabled());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn exec_paths_are_quoted_when_needed() {
        assert_eq!(exec_argument("/usr/bin/gleaner"), "/usr/bin/gleaner");
        assert_eq!(
            exec_argument("/home/a/My Apps/gleaner"),
            "\"/home/a/My Apps/gleaner\""
        );
        assert_eq!(exec_argument("/a/$x\"y`z\\w"), "\"/a/\\$x\\\"y\\`z\\\\w\"");
        assert_eq!(exec_argument("/a/100%"), "\"/a/100%%\"");
    }
}
