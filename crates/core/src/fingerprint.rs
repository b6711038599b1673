//! Change detection: what a file's stat says, and reading a file's bytes with
//! the proof that they did not change while being read.
//!
//! Two stages: if size, mtime and inode are what the index recorded, the file
//! is unchanged and never read. Otherwise it is read once, whole, and the
//! bytes are both hashed (MD5) and handed to the extractor, so a changed file
//! costs one read. The file is stat-ed before and after the read; if the two
//! differ the read is rejected as torn ([`ReadError::ChangedWhileReading`]) and
//! the caller retries later instead of indexing a half-written file.
//!
//! The file is opened with `O_NONBLOCK`: a path that became a FIFO between
//! the walk and the read must not block the reader forever (opening a FIFO
//! for reading waits for a writer). Regular files ignore the flag. The read is
//! also capped: a file that grew past the size cap after the walk is not read
//! whole into memory.

use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
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
    /// The file is larger than the size cap it was read with.
    #[error("larger than the size cap ({size} bytes)")]
    TooLarge {
        /// Its size when the read gave up.
        size: u64,
    },
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

/// Reads a whole regular file of at most `max_bytes` and hashes it,
/// rejecting torn reads.
pub fn read_stable(path: &Path, max_bytes: u64) -> Result<FileBytes, ReadError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let before = file.metadata()?;
    if !before.is_file() {
        return Err(ReadError::NotAFile);
    }
    let stat = FileStat::from_metadata(&before);
    if stat.size > max_bytes {
        return Err(ReadError::TooLarge { size: stat.size });
    }
    let mut bytes = Vec::with_capacity(stat.size as usize + 1);
    // One byte past the cap is enough to know the file grew over it.
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
        });
    }
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
    use std::fs::File;

    #[test]
    fn reads_hash_and_stat() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"hello").unwrap();
        let read = read_stable(&path, u64::MAX).unwrap();
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
        let first = read_stable(&path, u64::MAX).unwrap().stat;
        std::fs::write(&path, b"hello, world").unwrap();
        let second = read_stable(&path, u64::MAX).unwrap().stat;
        assert!(!first.same_file_unchanged(&second));
    }

    #[test]
    fn directories_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_stable(dir.path(), u64::MAX),
            Err(ReadError::NotAFile) | Err(ReadError::Io(_))
        ));
        assert!(matches!(
            read_stable(&dir.path().join("missing"), u64::MAX),
            Err(ReadError::Io(_))
        ));
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe");
        let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo on a NUL-terminated path in our own temp dir.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        // Without O_NONBLOCK this open would wait for a writer forever.
        assert!(matches!(
            read_stable(&path, u64::MAX),
            Err(ReadError::NotAFile)
        ));
    }

    #[test]
    fn a_file_over_the_cap_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sparse.bin");
        let file = File::create(&path).unwrap();
        file.set_len(1 << 40).unwrap(); // 1 TiB, sparse
        assert!(matches!(
            read_stable(&path, 1024),
            Err(ReadError::TooLarge { size }) if size == 1 << 40
        ));
        std::fs::write(&path, b"0123456789").unwrap();
        assert!(read_stable(&path, 10).is_ok());
        assert!(matches!(
            read_stable(&path, 9),
            Err(ReadError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_file_growing_while_read_is_torn() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.txt");
        std::fs::write(&path, vec![b'x'; 4 << 20]).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (path, stop) = (path.clone(), stop.clone());
            std::thread::spawn(move || {
                use std::io::Write;
                let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    file.write_all(b"more\n").unwrap();
                }
            })
        };
        // Every read either fails as torn or returns bytes that match the
        // stat they are reported with: never a half-written file taken whole.
        let mut torn = 0;
        for _ in 0..20 {
            match read_stable(&path, u64::MAX) {
                Ok(read) => assert_eq!(read.bytes.len() as u64, read.stat.size),
                Err(ReadError::ChangedWhileReading) => torn += 1,
                Err(other) => panic!("{other}"),
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        writer.join().unwrap();
        assert!(torn > 0, "a constantly growing file was never seen torn");
    }
}
