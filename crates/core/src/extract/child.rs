//! The extractor process: the same executable as the engine, started with
//! [`EXTRACTOR_ARG`], serving one file at a time over its pipes.
//!
//! Every binary that can host the engine (`gleaner`, the desktop app) calls
//! [`serve_if_asked`] first thing in `main`; that both turns the process
//! into an extractor when it was started as one, and tells the pool that
//! this executable can be started as one.
//!
//! Before it reads its first request the process closes every descriptor
//! but its three pipes, drops the ability to gain privileges and installs
//! its system-call filter ([`super::seccomp`]): from then on it can parse
//! bytes and write text, nothing else. Its memory, stack and core-dump
//! limits were set by the engine before `exec` ([`super::process`]), so
//! they hold from the first instruction. It sets its own CPU-time limit
//! before each file (the budget of that file on top of what it has used),
//! so a parser that spins is stopped by the kernel even if the engine that
//! should have killed it is gone. It exits when the engine closes its
//! stdin.

use std::io::BufWriter;
use std::sync::atomic::{AtomicBool, Ordering};

use super::protocol;

/// The first argument that makes a Gleaner binary an extractor process.
pub const EXTRACTOR_ARG: &str = "__gleaner-extractor";

/// Exit status of an extractor that could not set itself up (its filter
/// refused, say): the engine reports it rather than parsing unconfined.
pub(super) const SETUP_FAILED: i32 = 3;

static SELF_SERVES: AtomicBool = AtomicBool::new(false);

/// Serves as an extractor and exits if this process was started as one;
/// otherwise notes that this executable can be started as one and returns.
/// Call it first in `main`, before any thread starts.
pub fn serve_if_asked() {
    let mut args = std::env::args_os();
    if args.nth(1).is_some_and(|arg| arg == EXTRACTOR_ARG) {
        std::process::exit(serve());
    }
    SELF_SERVES.store(true, Ordering::Relaxed);
}

/// Whether this executable answered [`serve_if_asked`].
pub(super) fn self_serves() -> bool {
    SELF_SERVES.load(Ordering::Relaxed)
}

/// The extractor's life: confine itself, then one answer per request until
/// the engine closes the pipe.
pub fn serve() -> i32 {
    // A parser's panic is caught and sent back as the file's error; the
    // default hook would also print it, filling the pipe nobody reads.
    std::panic::set_hook(Box::new(|_| {}));
    if let Err(reason) = confine() {
        eprintln!("gleaner extractor: cannot confine itself: {reason}");
        return SETUP_FAILED;
    }
    let max_request = memory_limit().unwrap_or(u64::MAX);
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut output = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    loop {
        let request = match protocol::read_request(&mut input, max_request) {
            Ok(Some(request)) => request,
            Ok(None) => return 0,
            Err(err) => {
                eprintln!("gleaner extractor: bad request: {err}");
                return 2;
            }
        };
        limit_cpu_for_next_file(request.cpu_budget_s);
        let answer = super::extract_in_process(request.format, request.bytes);
        if protocol::write_answer(&mut output, &answer).is_err() {
            // The engine went away.
            return 0;
        }
    }
}

/// Closes inherited descriptors and installs the system-call filter.
fn confine() -> Result<(), String> {
    // SAFETY: close_range on descriptors this process does not use: only
    // 0, 1 and 2 are its own. Best effort: older kernels lack close_range,
    // and Rust opens every descriptor close-on-exec anyway.
    unsafe {
        libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
    }
    #[cfg(target_os = "linux")]
    {
        super::seccomp::install().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The address-space limit the engine gave this process.
fn memory_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit fills the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// Sets the soft CPU-time limit to what was used so far plus `budget_s`
/// (and a second of slack): the kernel sends SIGXCPU when a parser spins
/// past it.
fn limit_cpu_for_next_file(budget_s: u32) {
    // SAFETY: getrusage and getrlimit/setrlimit on this process's own
    // values, with structs that outlive the calls.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return;
        }
        let used = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) as u64 + 1;
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_CPU, &mut limit) != 0 {
            return;
        }
        let wanted = used + u64::from(budget_s.max(1)) + 1;
        limit.rlim_cur = wanted.min(limit.rlim_max);
        libc::setrlimit(libc::RLIMIT_CPU, &limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_limit_is_what_was_used_plus_the_budget() {
        // Sets the test process's own soft limit to "used + an hour":
        // harmless, and the arithmetic is what matters.
        limit_cpu_for_next_file(3600);
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CPU, &mut limit) }, 0);
        assert!(limit.rlim_cur >= 3600, "{}", limit.rlim_cur);
    }
}
