//! Noticing mounts and unmounts without a timer.
//!
//! inotify tells a watch that its file system was unmounted (`IN_UNMOUNT`),
//! but nothing tells a watch that a file system was mounted: over a watched
//! source (whose watches then see only the covered directory), or back on a
//! gone source's root (found otherwise only at its next check). The kernel
//! marks `/proc/self/mountinfo` with `POLLPRI` whenever the mount table of
//! this mount namespace changes; a thread blocked in `poll` on it costs
//! nothing until then. A pipe stops the thread: dropping
//! [`MountWatcher`] closes the write end, which wakes `poll` with `POLLHUP`.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::thread::JoinHandle;

const MOUNTINFO: &str = "/proc/self/mountinfo";

/// A thread that calls back whenever the mount table changes.
#[derive(Debug)]
pub(crate) struct MountWatcher {
    stop: Option<OwnedFd>,
    thread: Option<JoinHandle<()>>,
}

impl MountWatcher {
    /// Starts watching; `on_change` runs on the watcher's own thread and
    /// returns false to stop it.
    pub(crate) fn start(on_change: impl Fn() -> bool + Send + 'static) -> io::Result<MountWatcher> {
        let mountinfo = File::open(MOUNTINFO)?;
        let (stop_read, stop_write) = pipe()?;
        let thread = std::thread::Builder::new()
            .name("gleaner-watch-mounts".to_string())
            .spawn(move || wait_for_changes(&mountinfo, &stop_read, on_change))?;
        Ok(MountWatcher {
            stop: Some(stop_write),
            thread: Some(thread),
        })
    }
}

impl Drop for MountWatcher {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn wait_for_changes(mountinfo: &File, stop: &OwnedFd, on_change: impl Fn() -> bool) {
    let mut fds = [
        libc::pollfd {
            fd: mountinfo.as_raw_fd(),
            events: libc::POLLPRI,
            revents: 0,
        },
        libc::pollfd {
            fd: stop.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    loop {
        // SAFETY: `fds` is a valid array of two pollfd for the whole call.
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
        if rc < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            tracing::warn!(
                "watching {MOUNTINFO} failed: {}; unmounted sources will not be noticed",
                io::Error::last_os_error()
            );
            return;
        }
        if fds[1].revents != 0 {
            return;
        }
        let changed = fds[0].revents & (libc::POLLPRI | libc::POLLERR) != 0;
        if fds[0].revents & libc::POLLNVAL != 0 || (changed && !on_change()) {
            return;
        }
    }
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and ours alone.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn starts_idle_and_stops_when_dropped() {
        if !std::path::Path::new(MOUNTINFO).exists() {
            return;
        }
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let watcher = MountWatcher::start(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            true
        })
        .unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        drop(watcher);
        assert!(started.elapsed() < Duration::from_secs(1));
        // No mount changed (barring a coincidence on the host), so no call.
        assert!(calls.load(Ordering::SeqCst) <= 1);
    }
}
