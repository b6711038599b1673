//! Is the index the engine has open still the one in its data directory?
//!
//! An engine keeps its database open for as long as it runs. When somebody
//! deletes the data directory (`rm -rf`), moves it, or puts another
//! `gleaner.db` in its place, the open file lives on unlinked: every batch
//! would go into a file nobody can open again, and the next client would
//! find no index (or another one) while the engine reports all is well.
//! The lock file goes with the directory too, so a second engine could
//! start beside this one.
//!
//! The check is a `stat` of the directory and of the database, compared
//! with the device and inode they had when the engine opened them: cheap
//! enough to run at every wake-up of the engine loop and on a slow timer
//! while idle.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::data_dir::DataDir;
use crate::error::{Error, Result};

/// The device and inode of the data directory and its database, as opened.
#[derive(Debug, Clone)]
pub(crate) struct IndexIdentity {
    dir: PathBuf,
    database: PathBuf,
    dir_id: (u64, u64),
    database_id: (u64, u64),
}

fn file_id(path: &Path) -> std::io::Result<(u64, u64)> {
    std::fs::metadata(path).map(|meta| (meta.dev(), meta.ino()))
}

impl IndexIdentity {
    /// Takes the identity of `data_dir` and its database as they are now
    /// (right after the engine opened the index).
    pub fn capture(data_dir: &DataDir) -> Result<IndexIdentity> {
        let dir = data_dir.path().to_path_buf();
        let database = data_dir.database();
        Ok(IndexIdentity {
            dir_id: file_id(&dir).map_err(|e| Error::io("reading", &dir, e))?,
            database_id: file_id(&database).map_err(|e| Error::io("reading", &database, e))?,
            dir,
            database,
        })
    }

    /// `None` while the index is where it was; otherwise what happened, in
    /// plain words.
    pub fn lost(&self) -> Option<String> {
        let dir = self.dir.display();
        match file_id(&self.dir) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Some(format!("the data directory {dir} was deleted or moved"))
            }
            Ok(id) if id != self.dir_id => {
                return Some(format!(
                    "the data directory {dir} was replaced by another folder"
                ))
            }
            // Unreadable for a moment (permissions): not proof of anything.
            Err(_) | Ok(_) => {}
        }
        match file_id(&self.database) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Some(format!("{} was deleted or moved", self.database.display()))
            }
            Ok(id) if id != self.database_id => Some(format!(
                "{} was replaced by another file",
                self.database.display()
            )),
            Err(_) | Ok(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data directory with a database held open, as the engine holds
    /// it (so that its inode cannot be reused by a new file).
    fn data_dir_with_database() -> (tempfile::TempDir, DataDir, std::fs::File) {
        let temp = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(&temp.path().join("data"))).unwrap();
        data_dir.create().unwrap();
        std::fs::write(data_dir.database(), b"").unwrap();
        let open = std::fs::File::open(data_dir.database()).unwrap();
        (temp, data_dir, open)
    }

    #[test]
    fn an_untouched_index_is_not_lost() {
        let (_temp, data_dir, _open) = data_dir_with_database();
        let identity = IndexIdentity::capture(&data_dir).unwrap();
        std::fs::write(data_dir.path().join("gleaner.db-wal"), b"x").unwrap();
        assert_eq!(identity.lost(), None);
    }

    #[test]
    fn a_deleted_directory_is_lost() {
        let (_temp, data_dir, _open) = data_dir_with_database();
        let identity = IndexIdentity::capture(&data_dir).unwrap();
        std::fs::remove_dir_all(data_dir.path()).unwrap();
        assert!(identity.lost().unwrap().contains("was deleted"));
        // Made again empty (a client that created it): still not ours.
        data_dir.create().unwrap();
        std::fs::write(data_dir.database(), b"").unwrap();
        assert!(identity.lost().is_some());
    }

    #[test]
    fn a_replaced_database_is_lost() {
        let (_temp, data_dir, _open) = data_dir_with_database();
        let identity = IndexIdentity::capture(&data_dir).unwrap();
        let other = data_dir.path().join("other.db");
        std::fs::write(&other, b"").unwrap();
        std::fs::rename(&other, data_dir.database()).unwrap();
        assert!(identity.lost().unwrap().contains("replaced"));
    }
}
