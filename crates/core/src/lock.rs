//! The engine lock: exactly one process per data directory runs the engine.
//!
//! The lock is an exclusive `flock` on `engine.lock`, with the holder's pid
//! written inside for messages. The kernel drops a `flock` the instant its
//! process dies, however it dies, so a crashed engine is replaced at once:
//! there is no lease to expire and no stale lock to clean up by hand.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// How long a lock found taken is tried again before it counts as held.
const BUSY_PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// A held engine lock; dropping it releases the lock.
#[derive(Debug)]
pub struct EngineLock {
    file: File,
    path: PathBuf,
}

impl EngineLock {
    /// Takes the lock, or fails with [`Error::EngineBusy`] naming the holder.
    pub fn acquire(path: &Path) -> Result<EngineLock> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| Error::io("opening engine lock", path, e))?;
        // A probe ([`EngineLock::holder`], run by every command that asks
        // whether an engine runs) holds a shared lock for microseconds: an
        // engine starting just then must not take it for another engine.
        // Only a lock still held after `BUSY_PATIENCE` is one.
        let patience = std::time::Instant::now() + BUSY_PATIENCE;
        loop {
            // SAFETY: flock on a file descriptor we own; no memory is involved.
            let locked =
                unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
            if locked {
                break;
            }
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(Error::io("locking", path, err));
            }
            if std::time::Instant::now() >= patience {
                return Err(Error::EngineBusy {
                    pid: read_pid(&mut file),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        file.set_len(0)
            .map_err(|e| Error::io("writing engine lock", path, e))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| Error::io("writing engine lock", path, e))?;
        writeln!(file, "{}", std::process::id())
            .map_err(|e| Error::io("writing engine lock", path, e))?;
        Ok(EngineLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether some process holds the lock now, and its pid if so.
    pub fn holder(path: &Path) -> Option<u32> {
        let mut file = File::open(path).ok()?;
        // SAFETY: as above.
        let free = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) } == 0;
        if free {
            // SAFETY: as above; releases the probe's shared lock.
            unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
            return None;
        }
        Some(read_pid(&mut file))
    }
}

impl Drop for EngineLock {
    fn drop(&mut self) {
        // Closing the file releases the flock; unlock explicitly anyway so the
        // release does not wait for another handle to the same description.
        // SAFETY: as above.
        unsafe { libc::flock(self.file.as_raw_fd(), libc::LOCK_UN) };
    }
}

fn read_pid(file: &mut File) -> u32 {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.read_to_string(&mut text);
    text.trim().parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_the_pid_and_release_frees_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("engine.lock");
        let lock = EngineLock::acquire(&path).unwrap();
        assert_eq!(EngineLock::holder(&path), Some(std::process::id()));
        match EngineLock::acquire(&path) {
            Err(Error::EngineBusy { pid }) => assert_eq!(pid, std::process::id()),
            other => panic!("expected EngineBusy, got {other:?}"),
        }
        drop(lock);
        assert_eq!(EngineLock::holder(&path), None);
        EngineLock::acquire(&path).unwrap();
    }

    #[test]
    fn a_probe_during_the_start_does_not_look_like_another_engine() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("engine.lock");
        std::fs::write(&path, "").unwrap();
        // A probe's shared lock, held a little longer than a real probe.
        let probe = File::open(&path).unwrap();
        // SAFETY: flock on a descriptor we own.
        assert_eq!(
            unsafe { libc::flock(probe.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) },
            0
        );
        let released = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            drop(probe);
        });
        EngineLock::acquire(&path).expect("the lock once the probe is gone");
        released.join().unwrap();
    }
}
