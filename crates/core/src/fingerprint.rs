//! Change detection: what a file's stat says, and reading a file's bytes with
//! the proof that they did not change while being read.
//!
//! Two stages: if size, mtime and inode are what the index recorded, the file
//! is unchanged and never read. Otherwise it is read once, whole, and the
//! bytes are both hashed (MD5) and handed to the extractor, so a changed file
//! costs one read. The file is stat-ed before and after the read; if the two
//! differ the read is rejected as torn ([`ReadError::ChangedWhileReading`]) and
//! the caller retries later instead of indexing a half-written file.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use md5::{Digest, Md5 as Md5Hasher};
use serde::Serialize;

/// An MD5 digest.
pub type Md5 = [u8; 16];

/// The stat fields that decide whether a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FileStat {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Inode number.
    pub inode: u64,
    /// Device number.
    pub dev: u64,
}

impl FileStat {
    /// The stat of a file's metadata.
    pub fn from_metadata(meta: &std::fs::Metadata) -> FileStat {
        FileStat {
            size: meta.size(),
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            inode: meta.ino(),
            dev: meta.dev(),
        }
    }

    /// Whether the file is the same one, unchanged: the cheap first stage.
    /// The device is left out: it can change across reboots for the same disk
    /// (e.g. removable drives, btrfs subvolumes), which must not re-index all.
    pub fn same_file_unchanged(&self, other: &FileStat) -> bool {
        self.size == other.size && self.mtime_ns == other.mtime_ns && self.inode == other.inode
    }
}

/// Why a file's bytes could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The OS refused or failed the read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file changed between the stat before and the stat after the read.
    #[error("file changed while it was being read")]
    ChangedWhileReading,
    /// The file is no longer a regular file.
    #[error("not a regular file")]
    NotAFile,
}

/// A file's bytes, their hash and the stat they are valid for.
#[derive(Debug)]
pub struct FileBytes {
    /// The whole content.
    pub bytes: Vec<u8>,
    /// MD5 of `bytes`.
    pub md5: Md5,
    /// The stat taken before (and confirmed after) the read.
    pub stat: FileStat,
}

/// Reads a whole regular file and hashes it, rejecting torn reads.
pub fn read_stable(path: &Path) -> Result<FileBytes, ReadError> {
    let mut file = File::open(path)?;
    let before = file.metadata()?;
    if !before.is_file() {
        return Err(ReadError::NotAFile);
    }
    let stat = FileStat::from_metadata(&before);
    let mut bytes = Vec::with_capacity(stat.size as usize + 1);
    file.read_to_end(&mut bytes)?;
    let after = FileStat::from_metadata(&std::fs::metadata(path)?);
    if after != stat || bytes.len() as u64 != stat.size {
        return Err(ReadError::ChangedWhileReading);
    }
    let md5 = md5_of(&bytes);
    Ok(FileBytes { bytes, md5, stat })
}

/// MD5 of a byte slice.
pub fn md5_of(bytes: &[u8]) -> Md5 {
    let mut hasher = Md5Hasher::new();
    hasher.update(bytes);
    hasher.finalize().into()
}

/// Lower-case hex of a digest.
pub fn md5_hex(md5: &Md5) -> String {
    md5.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hash_and_stat() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"hello").unwrap();
        let read = read_stable(&path).unwrap();
        assert_eq!(read.bytes, b"hello");
        assert_eq!(md5_hex(&read.md5), "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(read.stat.size, 5);
        let again = FileStat::from_metadata(&std::fs::metadata(&path).unwrap());
        assert!(again.same_file_unchanged(&read.stat));
    }

    #[test]
    fn a_rewrite_changes_the_stat() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"hello").unwrap();
        let first = read_stable(&path).unwrap().stat;
        std::fs::write(&path, b"hello, world").unwrap();
        let second = read_stable(&path).unwrap().stat;
        assert!(!first.same_file_unchanged(&second));
    }

    #[test]
    fn directories_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_stable(dir.path()),
            Err(ReadError::NotAFile) | Err(ReadError::Io(_))
        ));
        assert!(matches!(
            read_stable(&dir.path().join("missing")),
            Err(ReadError::Io(_))
        ));
    }
}
