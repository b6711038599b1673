//! Where the index and the engine's other files live.
//!
//! Every Gleaner process — desktop app, daemon, CLI, MCP server — must agree on
//! one directory, so the rule is in one place: an explicit path (from
//! `--data-dir`) wins, then `GLEANER_DATA_DIR`, then the per-user data
//! directory plus the app identifier (also the Tauri identifier, so the desktop
//! app and the CLI share the index without configuration).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The application identifier: the data directory's name and Tauri's identifier.
pub const APP_IDENTIFIER: &str = "org.gleaner.Gleaner";

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "GLEANER_DATA_DIR";

/// The index database's file name inside the data directory.
pub const DATABASE_FILE: &str = "gleaner.db";

/// The engine's data directory, created on demand with mode 0700.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Resolves the data directory: `explicit`, else `$GLEANER_DATA_DIR`, else
    /// the platform's per-user data directory joined with [`APP_IDENTIFIER`].
    pub fn resolve(explicit: Option<&Path>) -> Result<DataDir> {
        let root = match explicit {
            Some(path) => path.to_path_buf(),
            None => match std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
                Some(path) => PathBuf::from(path),
                None => dirs::data_dir()
                    .ok_or_else(|| {
                        Error::io(
                            "finding the per-user data directory for",
                            APP_IDENTIFIER,
                            std::io::Error::new(std::io::ErrorKind::NotFound, "no home directory"),
                        )
                    })?
                    .join(APP_IDENTIFIER),
            },
        };
        Ok(DataDir { root })
    }

    /// Creates the directory if needed. It holds the whole index and the HTTP
    /// token, so only its owner may enter it.
    pub fn create(&self) -> Result<()> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !self.root.is_dir() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.root)
                .map_err(|e| Error::io("creating data directory", &self.root, e))?;
            std::fs::set_permissions(&self.root, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io("restricting data directory", &self.root, e))?;
        }
        Ok(())
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The index database file.
    pub fn database(&self) -> PathBuf {
        self.root.join(DATABASE_FILE)
    }

    /// The engine lock file (see [`crate::lock`]).
    pub fn engine_lock(&self) -> PathBuf {
        self.root.join("engine.lock")
    }

    /// The folder of rolling log files.
    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }
}
