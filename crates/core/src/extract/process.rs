//! The engine's side of one extractor process: starting it under its
//! limits, one file in and its text out within a deadline, and what its
//! death means.
//!
//! The limits are set between `fork` and `exec`, so they hold before the
//! extractor runs a single instruction: `RLIMIT_DATA` caps the memory it
//! can allocate (heap and anonymous mappings, not the shared libraries it
//! maps — the desktop app maps hundreds of megabytes of GTK that it never
//! touches in an extractor), `RLIMIT_STACK` gives deeply nested documents
//! room while still ending a runaway recursion with a clean stack-overflow
//! report, and `RLIMIT_CORE` keeps a crash from writing a core file.
//!
//! Both pipes are non-blocking and every read and write waits with `poll`
//! until the file's deadline: an extractor that hangs, loops or stops
//! reading is killed when its time is up, never waited on.

use std::io::{self, BufReader, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use super::child::{EXTRACTOR_ARG, SETUP_FAILED};
use super::{protocol, CrashCause, ExtractError, Extracted, Format};

/// Stack of an extractor's main thread: document parsers recurse on nested
/// structures; untouched stack pages cost nothing.
const STACK_BYTES: u64 = 256 << 20;

/// How much of a dead extractor's stderr is read to learn why it died.
const STDERR_BYTES: usize = 64 << 10;

/// One running extractor process.
pub(super) struct ExtractorProcess {
    child: Child,
    stdin: PipeEnd<ChildStdin>,
    stdout: BufReader<PipeEnd<ChildStdout>>,
    stderr: ChildStderr,
    /// The memory limit it was started with.
    pub memory_bytes: u64,
    /// When it last finished a file.
    pub idle_since: Instant,
}

impl ExtractorProcess {
    /// Starts `program` as an extractor with at most `memory_bytes` of
    /// memory.
    pub fn spawn(program: &Path, memory_bytes: u64) -> io::Result<ExtractorProcess> {
        let mut command = Command::new(program);
        command
            .arg(EXTRACTOR_ARG)
            .env_clear()
            .current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: only setrlimit runs between fork and exec, which is
        // async-signal-safe, on values copied into the closure.
        unsafe {
            command.pre_exec(move || {
                set_limit(libc::RLIMIT_DATA, memory_bytes)?;
                set_limit(libc::RLIMIT_STACK, STACK_BYTES)?;
                set_limit(libc::RLIMIT_CORE, 0)?;
                Ok(())
            });
        }
        let mut child = command.spawn()?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("extractor pipes missing"));
        };
        for fd in [stdin.as_raw_fd(), stdout.as_raw_fd(), stderr.as_raw_fd()] {
            set_nonblocking(fd)?;
        }
        Ok(ExtractorProcess {
            child,
            stdin: PipeEnd::new(stdin),
            stdout: BufReader::with_capacity(1 << 16, PipeEnd::new(stdout)),
            stderr,
            memory_bytes,
            idle_since: Instant::now(),
        })
    }

    /// The most resident memory it has used so far (`VmHWM`), if readable.
    pub fn peak_rss_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib * 1024)
    }

    /// The process id.
    #[cfg(test)]
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running (an idle extractor only exits
    /// if something killed it).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Extracts one file. `Ok` holds the extractor's own answer (text, or
    /// the parser's error such as a malformed file): the process is fine
    /// and can take the next file. `Err` means the process is dead or was
    /// killed (timed out, crashed, hit a limit, answered garbage): the
    /// caller drops it.
    pub fn extract(
        &mut self,
        format: Format,
        bytes: &[u8],
        budget: Duration,
    ) -> Result<Result<Extracted, ExtractError>, ExtractError> {
        let deadline = Instant::now() + budget;
        self.stdin.deadline = deadline;
        self.stdout.get_mut().deadline = deadline;
        let cpu_budget_s = budget.as_secs().clamp(1, u32::MAX as u64) as u32;
        let exchange = protocol::write_request(&mut self.stdin, format, cpu_budget_s, bytes)
            .and_then(|()| protocol::read_answer(&mut self.stdout, format));
        match exchange {
            Ok(answer) => {
                self.idle_since = Instant::now();
                Ok(answer)
            }
            Err(err) if err.kind() == io::ErrorKind::TimedOut => {
                self.kill();
                Err(ExtractError::TimedOut { budget })
            }
            Err(err) => Err(self.why_it_failed(format, err)),
        }
    }

    /// The exchange failed: the pipe broke because the process died, or
    /// the answer made no sense. Waits (briefly) for the process to end and
    /// reads what it said on the way out.
    fn why_it_failed(&mut self, format: Format, err: io::Error) -> ExtractError {
        let broken_pipe = matches!(
            err.kind(),
            io::ErrorKind::BrokenPipe | io::ErrorKind::UnexpectedEof
        );
        if !broken_pipe {
            // Alive but answering nonsense: a parser taken over, or a bug.
            self.kill();
            return ExtractError::Crashed {
                format,
                cause: CrashCause::Protocol {
                    reason: err.to_string(),
                },
            };
        }
        let status = self.wait_at_most(Duration::from_secs(5));
        let stderr = self.read_stderr();
        let cause = match status {
            None => CrashCause::Protocol {
                reason: "closed its pipe without exiting".into(),
            },
            Some(status) => {
                if stderr.contains("has overflowed its stack") {
                    CrashCause::StackOverflow
                } else if stderr.contains("memory allocation of") {
                    CrashCause::MemoryLimit {
                        limit_bytes: self.memory_bytes,
                    }
                } else if let Some(signal) = status.signal() {
                    match signal {
                        libc::SIGXCPU => CrashCause::CpuLimit,
                        libc::SIGKILL => CrashCause::Killed,
                        other => CrashCause::Signal { number: other },
                    }
                } else if status.code() == Some(SETUP_FAILED) {
                    return ExtractError::Unavailable {
                        reason: stderr.trim().to_string(),
                    };
                } else {
                    CrashCause::Exited {
                        code: status.code().unwrap_or(-1),
                    }
                }
            }
        };
        ExtractError::Crashed { format, cause }
    }

    fn wait_at_most(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => {
                    self.kill();
                    return None;
                }
            }
        }
    }

    fn read_stderr(&mut self) -> String {
        let mut said = Vec::new();
        let mut buf = [0u8; 4096];
        while said.len() < STDERR_BYTES {
            match self.stderr.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => said.extend_from_slice(&buf[..n]),
            }
        }
        String::from_utf8_lossy(&said).into_owned()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ExtractorProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A non-blocking pipe end whose reads and writes wait, with `poll`, until
/// a deadline at most.
struct PipeEnd<T> {
    pipe: T,
    deadline: Instant,
}

impl<T: AsRawFd> PipeEnd<T> {
    fn new(pipe: T) -> Self {
        PipeEnd {
            pipe,
            deadline: Instant::now(),
        }
    }

    /// Waits until the pipe is ready for `events`, or fails with
    /// `TimedOut` at the deadline.
    fn wait(&self, events: libc::c_short) -> io::Result<()> {
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            let mut pollfd = libc::pollfd {
                fd: self.pipe.as_raw_fd(),
                events,
                revents: 0,
            };
            let ms = left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
            // SAFETY: one valid pollfd for the duration of the call.
            let n = unsafe { libc::poll(&mut pollfd, 1, ms) };
            match n {
                0 => continue,
                n if n > 0 => return Ok(()),
                _ => {
                    let err = io::Error::last_os_error();
                    if err.kind() != io::ErrorKind::Interrupted {
                        return Err(err);
                    }
                }
            }
        }
    }
}

impl<T: AsRawFd + Read> Read for PipeEnd<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.pipe.read(buf) {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => self.wait(libc::POLLIN)?,
                other => return other,
            }
        }
    }
}

impl<T: AsRawFd + Write> Write for PipeEnd<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match self.pipe.write(buf) {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => self.wait(libc::POLLOUT)?,
                other => return other,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.pipe.flush()
    }
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor this process owns.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Sets both the soft and the hard limit, so the extractor cannot raise
/// it again; a hard limit already lower than `value` is kept (raising it
/// needs privileges).
fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> io::Result<()> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid struct.
    unsafe {
        if libc::getrlimit(resource, &mut limit) != 0 {
            return Err(io::Error::last_os_error());
        }
        let value = value.min(limit.rlim_max);
        limit.rlim_cur = value;
        limit.rlim_max = value;
        if libc::setrlimit(resource, &limit) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}
