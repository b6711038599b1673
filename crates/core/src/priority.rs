//! Background work yields to the desktop: lower CPU and I/O priority.
//!
//! Linux applies `nice` and the I/O priority per thread, so the engine
//! lowers each of its own working threads rather than the whole process (a
//! desktop app hosting the engine keeps its UI thread at normal priority).

/// Lowers the calling thread to nice 10 and the idle I/O class, so indexing
/// never makes the desktop sluggish. Best effort: failures are ignored (a
/// container may forbid it), since a slower desktop is better than no index.
pub fn lower_current_thread() {
    // SAFETY: plain syscalls on the calling thread's own id.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
        // ioprio_set(IOPRIO_WHO_PROCESS, tid, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0))
        const IOPRIO_WHO_PROCESS: libc::c_long = 1;
        const IOPRIO_CLASS_IDLE: libc::c_long = 3;
        const IOPRIO_CLASS_SHIFT: libc::c_long = 13;
        libc::syscall(
            libc::SYS_ioprio_set,
            IOPRIO_WHO_PROCESS,
            tid as libc::c_long,
            IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT,
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lowers_the_thread_only() {
        let main_nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let lowered = std::thread::spawn(|| {
            super::lower_current_thread();
            unsafe {
                libc::getpriority(
                    libc::PRIO_PROCESS,
                    libc::syscall(libc::SYS_gettid) as libc::id_t,
                )
            }
        })
        .join()
        .unwrap();
        assert_eq!(lowered, 10, "thread nice");
        assert_eq!(
            unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) },
            main_nice
        );
    }
}
