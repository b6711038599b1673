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
//!
//! The open cannot be redirected out of the source. The walk never follows
//! symbolic links, but between the walk and the read someone can swap a
//! file, or a folder on its path, for a link to `~/.ssh`. So the file is
//! opened relative to the source's root with `openat2(RESOLVE_BENEATH |
//! RESOLVE_NO_SYMLINKS)`: no component of the path below the root may be a
//! link, and nothing may resolve outside it — the kernel checks this in the
//! same step that opens the file, so there is no window. Whatever regular
//! file that reaches is inside the source by construction, even if it is
//! not the one the walk saw (an editor's atomic save replaces it). On
//! kernels without `openat2` (before 5.6) the file is opened with
//! `O_NOFOLLOW` and must have the device and inode the walk saw, which
//! catches a swapped file or folder unless the swap happened before the
//! walk's own stat.

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
    /// The path now leads through a symbolic link or out of its source, or
    /// to another file than the walk saw: what was listed is not there any
    /// more, and nothing is read.
    #[error("the path was redirected since it was listed")]
    Redirected,
}

/// Where a read must find its file: `rel` below the source folder `root`,
/// which the walk saw as `walked`.
#[derive(Debug, Clone, Copy)]
pub struct ReadTarget<'a> {
    /// The source folder (itself opened as the user named it, links
    /// included).
    pub root: &'a Path,
    /// The file's path relative to `root`.
    pub rel: &'a Path,
    /// The file's stat at walk time.
    pub walked: FileStat,
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
/// rejecting torn reads and reads that would leave the source.
pub fn read_stable(target: &ReadTarget<'_>, max_bytes: u64) -> Result<FileBytes, ReadError> {
    let (file, confined) = open_beneath(target.root, target.rel)?;
    let before = file.metadata()?;
    if !before.is_file() {
        return Err(ReadError::NotAFile);
    }
    let stat = FileStat::from_metadata(&before);
    if !confined && (stat.dev, stat.inode) != (target.walked.dev, target.walked.inode) {
        return Err(ReadError::Redirected);
    }
    if stat.size > max_bytes {
        return Err(ReadError::TooLarge { size: stat.size });
    }
    let mut bytes = Vec::with_capacity(stat.size as usize + 1);
    // One byte past the cap is enough to know the file grew over it.
    (&file)
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    // The same open file, not the path again: a path swapped meanwhile
    // must not pass for the file that was read.
    let after = FileStat::from_metadata(&file.metadata()?);
    if after != stat || bytes.len() as u64 != stat.size {
        return Err(ReadError::ChangedWhileReading);
    }
    let md5 = md5_of(&bytes);
    Ok(FileBytes { bytes, md5, stat })
}

/// Opens `rel` below `root` for reading without following any symbolic
/// link below `root` and without leaving it; the flag says whether the
/// kernel guaranteed that (`openat2`) or only the last component was
/// checked (`O_NOFOLLOW`, older kernels).
fn open_beneath(root: &Path, rel: &Path) -> Result<(std::fs::File, bool), ReadError> {
    let flags = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC;
    match openat2_beneath(root, rel, flags) {
        Ok(file) => return Ok((file, true)),
        Err(err) if err.raw_os_error() == Some(libc::ENOSYS) => {}
        // ELOOP: a link on the way; EXDEV: the path leaves the root.
        Err(err) if matches!(err.raw_os_error(), Some(libc::ELOOP) | Some(libc::EXDEV)) => {
            return Err(ReadError::Redirected)
        }
        Err(err) => return Err(ReadError::Io(err)),
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW)
        .open(root.join(rel))
        .map_err(|err| match err.raw_os_error() {
            Some(libc::ELOOP) => ReadError::Redirected,
            _ => ReadError::Io(err),
        })?;
    Ok((file, false))
}

fn openat2_beneath(root: &Path, rel: &Path, flags: libc::c_int) -> std::io::Result<std::fs::File> {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    let root_c = std::ffi::CString::new(root.as_os_str().as_bytes())?;
    let rel_c = std::ffi::CString::new(rel.as_os_str().as_bytes())?;
    // SAFETY: open of a NUL-terminated path; the descriptor is owned at
    // once.
    let root_fd = unsafe {
        libc::open(
            root_c.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if root_fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: root_fd is a fresh descriptor nobody else owns.
    let root_fd = unsafe { OwnedFd::from_raw_fd(root_fd) };
    // SAFETY: open_how is plain integers; zero is "no flags".
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = flags as u64;
    how.resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS;
    use std::os::fd::AsRawFd;
    // SAFETY: openat2 with a valid directory descriptor, a NUL-terminated
    // path and an open_how of the size passed.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            root_fd.as_raw_fd(),
            rel_c.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor from the kernel, owned from here on.
    Ok(unsafe { std::fs::File::from_raw_fd(fd as libc::c_int) })
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

    /// Reads `path` as a scan would, with the stat it has now as the
    /// walk's.
    fn read(path: &Path, max_bytes: u64) -> Result<FileBytes, ReadError> {
        let walked = std::fs::symlink_metadata(path)
            .map(|m| FileStat::from_metadata(&m))
            .unwrap_or(FileStat {
                size: 0,
                mtime_ns: 0,
                inode: 0,
                dev: 0,
            });
        let target = ReadTarget {
            root: path.parent().unwrap(),
            rel: Path::new(path.file_name().unwrap()),
            walked,
        };
        read_stable(&target, max_bytes)
    }

    #[test]
    fn reads_hash_and_stat() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"hello").unwrap();
        let read = read(&path, u64::MAX).unwrap();
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
        let first = read(&path, u64::MAX).unwrap().stat;
        std::fs::write(&path, b"hello, world").unwrap();
        let second = read(&path, u64::MAX).unwrap().stat;
        assert!(!first.same_file_unchanged(&second));
    }

    #[test]
    fn directories_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read(dir.path(), u64::MAX),
            Err(ReadError::NotAFile) | Err(ReadError::Io(_))
        ));
        assert!(matches!(
            read(&dir.path().join("missing"), u64::MAX),
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
        assert!(matches!(read(&path, u64::MAX), Err(ReadError::NotAFile)));
    }

    #[test]
    fn a_file_over_the_cap_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sparse.bin");
        let file = File::create(&path).unwrap();
        file.set_len(1 << 40).unwrap(); // 1 TiB, sparse
        assert!(matches!(
            read(&path, 1024),
            Err(ReadError::TooLarge { size }) if size == 1 << 40
        ));
        std::fs::write(&path, b"0123456789").unwrap();
        assert!(read(&path, 10).is_ok());
        assert!(matches!(read(&path, 9), Err(ReadError::TooLarge { .. })));
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
            match read(&path, u64::MAX) {
                Ok(read) => assert_eq!(read.bytes.len() as u64, read.stat.size),
                Err(ReadError::ChangedWhileReading) => torn += 1,
                Err(other) => panic!("{other}"),
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        writer.join().unwrap();
        assert!(torn > 0, "a constantly growing file was never seen torn");
    }

    #[test]
    fn a_symlink_swapped_in_for_a_file_is_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("id_ed25519");
        std::fs::write(&secret, b"PRIVATE KEY").unwrap();
        let source = tempfile::tempdir().unwrap();
        let note = source.path().join("note.txt");
        std::fs::write(&note, b"a note").unwrap();
        let walked = FileStat::from_metadata(&std::fs::metadata(&note).unwrap());
        // After the walk, the file becomes a link to the secret.
        std::fs::remove_file(&note).unwrap();
        std::os::unix::fs::symlink(&secret, &note).unwrap();
        let target = ReadTarget {
            root: source.path(),
            rel: Path::new("note.txt"),
            walked,
        };
        assert!(matches!(
            read_stable(&target, u64::MAX),
            Err(ReadError::Redirected)
        ));
    }

    #[test]
    fn a_folder_swapped_for_a_link_is_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("key"), b"PRIVATE KEY").unwrap();
        let source = tempfile::tempdir().unwrap();
        let sub = source.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("key"), b"harmless").unwrap();
        let walked = FileStat::from_metadata(&std::fs::metadata(sub.join("key")).unwrap());
        // After the walk, the folder on the path becomes a link outside.
        std::fs::remove_dir_all(&sub).unwrap();
        std::os::unix::fs::symlink(outside.path(), &sub).unwrap();
        let target = ReadTarget {
            root: source.path(),
            rel: Path::new("sub/key"),
            walked,
        };
        assert!(matches!(
            read_stable(&target, u64::MAX),
            Err(ReadError::Redirected)
        ));
        // Nor may a relative path climb out of the root.
        let climbing = ReadTarget {
            root: &sub.with_file_name("nothing-here"),
            rel: Path::new("../sub/key"),
            walked,
        };
        assert!(read_stable(&climbing, u64::MAX).is_err());
    }

    #[test]
    fn a_source_root_that_is_a_link_is_read_through() {
        // The user named the link as the source: that one is followed.
        let real = tempfile::tempdir().unwrap();
        std::fs::write(real.path().join("a.txt"), b"through the link").unwrap();
        let parent = tempfile::tempdir().unwrap();
        let link = parent.path().join("notes");
        std::os::unix::fs::symlink(real.path(), &link).unwrap();
        let walked = FileStat::from_metadata(&std::fs::metadata(link.join("a.txt")).unwrap());
        let target = ReadTarget {
            root: &link,
            rel: Path::new("a.txt"),
            walked,
        };
        assert_eq!(
            read_stable(&target, u64::MAX).unwrap().bytes,
            b"through the link"
        );
    }
}
