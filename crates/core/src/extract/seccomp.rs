//! The system calls an extractor process may make once it serves.
//!
//! An extractor parses bytes that arrive on its stdin and writes text to its
//! stdout. It never needs to open a file, a socket or a program, so the
//! filter allows only memory management, reading and writing its already
//! open pipes, time, and what `abort` and the stack-overflow handler use to
//! end the process. Anything else fails with `EPERM` instead of killing the
//! process: a parser that probes for something optional (a locale file, a
//! terminal) sees an ordinary error and goes on, and a parser taken over by
//! a hostile file still cannot open `~/.ssh/id_ed25519`, connect anywhere or
//! start a shell.
//!
//! Signals may be sent only to the process itself (`abort`), and resource
//! limits changed only for itself (the per-file CPU budget).

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule,
};

/// Why the filter could not be installed.
#[derive(Debug, thiserror::Error)]
pub(super) enum FilterError {
    /// This architecture has no filter (only x86_64 and aarch64 do).
    #[error("no system-call filter for {0}")]
    Architecture(&'static str),
    /// seccompiler refused the rules or the kernel refused the program.
    #[error("system-call filter: {0}")]
    Seccomp(#[from] seccompiler::Error),
    /// Compiling the filter failed.
    #[error("system-call filter: {0}")]
    Backend(#[from] seccompiler::BackendError),
}

/// Installs the filter on the calling thread (the extractor process is
/// single-threaded), after `PR_SET_NO_NEW_PRIVS`.
pub(super) fn install() -> Result<(), FilterError> {
    let arch = std::env::consts::ARCH;
    let target = arch
        .try_into()
        .map_err(|_| FilterError::Architecture(arch))?;
    let filter = SeccompFilter::new(
        rules()?,
        SeccompAction::Errno(libc::EPERM as u32),
        SeccompAction::Allow,
        target,
    )?;
    let program: BpfProgram = filter.try_into()?;
    seccompiler::apply_filter(&program)?;
    Ok(())
}

fn rules() -> Result<BTreeMap<i64, Vec<SeccompRule>>, FilterError> {
    // Syscall numbers are `c_long`, the i64 seccompiler wants on the
    // 64-bit targets it supports.
    let always: &[i64] = &[
        // The pipes (fds 0, 1, 2; every other descriptor was closed).
        libc::SYS_read,
        libc::SYS_write,
        libc::SYS_readv,
        libc::SYS_writev,
        libc::SYS_close,
        // Memory.
        libc::SYS_brk,
        libc::SYS_mmap,
        libc::SYS_munmap,
        libc::SYS_mremap,
        libc::SYS_mprotect,
        libc::SYS_madvise,
        // Locks, time, randomness (HashMap seeds), the CPU-time reading.
        libc::SYS_futex,
        libc::SYS_clock_gettime,
        libc::SYS_clock_getres,
        libc::SYS_gettimeofday,
        libc::SYS_getrandom,
        libc::SYS_getrusage,
        libc::SYS_sched_yield,
        libc::SYS_sched_getaffinity,
        // Ending: exit, abort (signal mask, handler, raise) and the
        // stack-overflow handler's alternate stack.
        libc::SYS_exit,
        libc::SYS_exit_group,
        libc::SYS_rt_sigreturn,
        libc::SYS_rt_sigprocmask,
        libc::SYS_rt_sigaction,
        libc::SYS_sigaltstack,
        libc::SYS_getpid,
        libc::SYS_gettid,
    ];
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        always.iter().map(|&nr| (nr, Vec::new())).collect();
    let pid = std::process::id() as u64;
    // abort() raises SIGABRT with tgkill(own pid, own tid, SIGABRT).
    rules.insert(
        libc::SYS_tgkill,
        vec![SeccompRule::new(vec![SeccompCondition::new(
            0,
            SeccompCmpArgLen::Dword,
            SeccompCmpOp::Eq,
            pid,
        )?])?],
    );
    // prlimit64(0 = this process, ...): the CPU budget of the next file.
    rules.insert(
        libc::SYS_prlimit64,
        vec![SeccompRule::new(vec![SeccompCondition::new(
            0,
            SeccompCmpArgLen::Dword,
            SeccompCmpOp::Eq,
            0,
        )?])?],
    );
    Ok(rules)
}
