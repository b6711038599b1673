//! The engine's control channel: JSON lines over a Unix socket in the data
//! directory, mode 0600.
//! One file because the client, the listener and starting an engine share the one socket protocol.
//!
//! Only the process holding the engine lock listens, so a client that can
//! connect is talking to the one engine of that data directory. Each
//! connection carries one request line and one response line; requests that
//! take long (a full scan) answer when done.
//!
//! While a request waits for its answer, the engine writes an empty line
//! every [`KEEPALIVE_INTERVAL`], which clients skip. A client therefore
//! tells a busy engine (a scan that takes an hour keeps talking) from one
//! that is not running at all (stopped with SIGSTOP, swapped out, wedged in
//! the kernel): after [`SILENCE_LIMIT`] without a line it gives up with
//! [`Error::EngineNotAnswering`], whatever its own deadline.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::JobCounts;

use crate::wire_path;

/// A request to the running engine.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Request {
    /// Is an engine there? Answers with its pid.
    Ping,
    /// Finish the current batch, close the index and exit.
    Stop,
    /// Sources were added, changed or removed: watch and scan accordingly.
    Reload,
    /// The engine's own part of the health report.
    Health,
    /// A full scan of one source (added if new) or of all active sources,
    /// answered when done.
    Scan {
        /// The folder; all active sources when absent.
        #[serde(default, with = "wire_path::optional")]
        path: Option<PathBuf>,
        /// Answer at once with the job ids instead of when the jobs end.
        #[serde(default)]
        background: bool,
    },
    /// Pause one job, or all indexing (persisted) when `job` is absent.
    Pause {
        /// The job id.
        job: Option<String>,
    },
    /// Resume one job, or all indexing when `job` is absent.
    Resume {
        /// The job id.
        job: Option<String>,
    },
    /// Cancel one job.
    Cancel {
        /// The job id.
        job: String,
    },
    /// Throw the search index away and build it again from the store
    /// (answered at once; the build is a background job of the indexer).
    RebuildSearch,
    /// Index these files now, as a live change from the watcher would be.
    /// Every path must lie inside an active source; answered once they are
    /// indexed, or deferred.
    Index {
        /// Absolute, canonical paths (the client resolves symbolic links
        /// and `..` before asking).
        #[serde(with = "wire_path::many")]
        paths: Vec<PathBuf>,
    },
}

/// The engine's answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "result", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Response {
    /// Done, nothing to report.
    Ok,
    /// The engine's process id.
    Pong {
        /// Process id of the engine.
        pid: u32,
    },
    /// The engine's health.
    Health {
        /// What the engine knows about itself.
        status: crate::health::EngineStatus,
    },
    /// Jobs were queued.
    Jobs {
        /// Their ids, one per source.
        ids: Vec<String>,
        /// Things worth telling (e.g. a job for that folder already runs).
        warnings: Vec<String>,
    },
    /// A scan's result, one entry per source.
    Scanned {
        /// Per source: its path, the job id and the counts.
        scans: Vec<ScanSummary>,
        /// Sources that could not be scanned, with the reason.
        errors: Vec<String>,
    },
    /// The files of a [`Request::Index`] were taken.
    Indexed {
        /// Paths indexed before the answer.
        indexed: u64,
        /// Paths left for later: a job for their source is running (they are
        /// indexed when it ends), or all indexing is paused (the rescan on
        /// resume takes them).
        deferred: u64,
    },
    /// The request failed.
    Error {
        /// Why, in plain words.
        message: String,
    },
}

/// One source's scan, as reported over the channel.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScanSummary {
    /// The source folder.
    #[serde(with = "wire_path::one")]
    pub path: PathBuf,
    /// The job that recorded the scan.
    pub job_id: String,
    /// What the scan did.
    pub counts: JobCounts,
}

/// The socket's file name in the data directory.
pub const SOCKET_FILE: &str = "engine.sock";

/// How often a connection whose request is still being worked on tells
/// the client so (an empty line).
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(2);

/// How long a client waits without hearing a line from the engine before it
/// says the engine is not answering. Several keep-alive intervals, so that a
/// loaded machine is not taken for a stopped engine.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(15);

/// Sends one request to the engine listening at `socket` and waits for the
/// answer: up to `timeout` in all (`None`: as long as the engine keeps
/// working on it), and never longer than [`SILENCE_LIMIT`] without a word
/// from the engine.
pub fn send(socket: &Path, request: &Request, timeout: Option<Duration>) -> Result<Response> {
    let io = |e| Error::io("talking to the engine at", socket, e);
    let started = Instant::now();
    let deadline = timeout.map(|timeout| started + timeout);
    let stream = UnixStream::connect(socket).map_err(io)?;
    stream.set_write_timeout(Some(SILENCE_LIMIT)).map_err(io)?;
    let mut line = serde_json::to_string(request).expect("requests serialize");
    line.push('\n');
    let mut reader = BufReader::new(stream);
    if let Err(err) = reader.get_ref().write_all(line.as_bytes()) {
        return Err(match err.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                not_answering(socket, "it did not take the request", started)
            }
            _ => io(err),
        });
    }
    let mut heard_from = false;
    loop {
        let now = Instant::now();
        let wait = match deadline {
            Some(deadline) => deadline.saturating_duration_since(now).min(SILENCE_LIMIT),
            None => SILENCE_LIMIT,
        };
        if wait.is_zero() {
            return Err(not_answering(
                socket,
                "it is working but did not finish in time",
                started,
            ));
        }
        reader.get_ref().set_read_timeout(Some(wait)).map_err(io)?;
        let mut answer = String::new();
        match reader.read_line(&mut answer) {
            Ok(0) => {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the engine closed the connection without answering",
                )))
            }
            Ok(_) if answer.trim().is_empty() => heard_from = true, // keep-alive
            Ok(_) => {
                return serde_json::from_str(&answer).map_err(|e| {
                    io(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("bad answer {answer:?}: {e}"),
                    ))
                })
            }
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                let what = if heard_from && deadline.is_some_and(|d| Instant::now() >= d) {
                    "it is working but did not finish in time"
                } else {
                    "no answer"
                };
                return Err(not_answering(socket, what, started));
            }
            Err(err) => return Err(io(err)),
        }
    }
}

/// [`Error::EngineNotAnswering`] for the engine behind `socket`, saying what
/// its process is doing when the system tells (a stopped process is the
/// usual case: `kill -STOP`, a debugger, a suspended terminal job).
fn not_answering(socket: &Path, what: &str, started: Instant) -> Error {
    let lock = socket.with_file_name("engine.lock");
    let pid = crate::lock::EngineLock::holder(&lock);
    let waited = started.elapsed().as_secs_f64();
    let state = pid.and_then(process_state);
    let detail = match (state, pid) {
        (Some('T' | 't'), Some(pid)) => format!(
            "{what} after {waited:.0} s: the process is stopped (SIGSTOP or a debugger); `kill -CONT {pid}` resumes it"
        ),
        (Some('D'), _) => format!(
            "{what} after {waited:.0} s: the process is waiting on a disk or network file system"
        ),
        (Some('Z'), _) | (None, None) => {
            format!("{what} after {waited:.0} s: the process has ended")
        }
        _ => format!(
            "{what} after {waited:.0} s; if it stays so, stop it (`gleaner stop`, or kill it) and start it again"
        ),
    };
    Error::EngineNotAnswering { pid, detail }
}

/// The one-letter state of a process (`R`, `S`, `D`, `T`, `Z`…) from
/// `/proc/PID/stat`, where there is such a file.
fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (COMMAND) STATE …": the command may itself hold parentheses.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// A request waiting for the engine's answer.
pub struct Incoming {
    /// What was asked.
    pub request: Request,
    reply: crossbeam_channel::Sender<Response>,
    /// Closed by the connection's thread once the answer is written.
    written: crossbeam_channel::Receiver<()>,
}

impl Incoming {
    /// Answers the client.
    pub fn reply(self, response: Response) {
        let _ = self.reply.send(response);
    }

    /// Answers the client and waits (up to `limit`) until the answer is
    /// written to its socket: for the last answer of a process that exits
    /// next, whose connection thread would otherwise die with it and leave
    /// the client reading nothing (`gleaner stop` saw that on a loaded
    /// machine).
    /// Returns whether the connection's thread got that far in time.
    pub fn reply_and_flush(self, response: Response, limit: Duration) -> bool {
        self.reply.send(response).is_ok()
            && matches!(
                self.written.recv_timeout(limit),
                Err(crossbeam_channel::RecvTimeoutError::Disconnected)
            )
    }
}

/// Listens on `socket` on a thread of its own and hands requests over the
/// returned channel. The socket file is replaced: the caller holds the engine
/// lock, so any file there is a dead engine's.
pub fn listen(socket: &Path) -> Result<crossbeam_channel::Receiver<Incoming>> {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::remove_file(socket);
    let listener = UnixListener::bind(socket).map_err(|e| Error::io("listening on", socket, e))?;
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::io("restricting", socket, e))?;
    let (sender, receiver) = crossbeam_channel::unbounded();
    std::thread::Builder::new()
        .name("gleaner-control".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let sender = sender.clone();
                // One thread per connection: a slow client (or a long scan
                // it waits for) must not hold up the others.
                let _ = std::thread::Builder::new()
                    .name("gleaner-client".into())
                    .spawn(move || serve(stream, sender));
            }
        })
        .map_err(|e| Error::io("starting the control thread for", socket, e))?;
    Ok(receiver)
}

fn serve(stream: UnixStream, sender: crossbeam_channel::Sender<Incoming>) {
    let mut line = String::new();
    let mut reader = BufReader::new(&stream);
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Its sender is dropped when this function returns, after the answer
    // is written, which ends `reply_and_flush`'s wait.
    let (_written_tx, written) = crossbeam_channel::bounded::<()>(0);
    let response = match serde_json::from_str::<Request>(&line) {
        // A client that gave up waiting (the engine was stopped) is told
        // nothing, so its request is not carried out behind its back.
        Ok(_) if peer_hung_up(&stream) => {
            tracing::info!("a client gave up before its request was read; ignoring it");
            return;
        }
        Ok(request) => {
            let (reply, answer) = crossbeam_channel::bounded(1);
            if sender
                .send(Incoming {
                    request,
                    reply,
                    written,
                })
                .is_err()
            {
                Response::Error {
                    message: "the engine is shutting down".into(),
                }
            } else {
                match wait_for_answer(&stream, &answer) {
                    Some(response) => response,
                    None => return, // the client is gone
                }
            }
        }
        Err(e) => Response::Error {
            message: format!("bad request: {e}"),
        },
    };
    let mut text = serde_json::to_string(&response).expect("responses serialize");
    text.push('\n');
    let _ = (&stream).write_all(text.as_bytes());
}

/// Whether the other end of `stream` has closed, without blocking. Only
/// a full close counts (`POLLHUP`): a client that shut down its writing
/// side after the request still waits for the answer.
fn peer_hung_up(stream: &UnixStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut poll = libc::pollfd {
        fd: stream.as_raw_fd(),
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    let ready = unsafe { libc::poll(&mut poll, 1, 0) };
    ready > 0 && poll.revents & libc::POLLHUP != 0
}

/// Waits for the engine's answer, telling the client every
/// [`KEEPALIVE_INTERVAL`] that the request is still being worked on.
/// `None` when the client went away meanwhile.
fn wait_for_answer(
    stream: &UnixStream,
    answer: &crossbeam_channel::Receiver<Response>,
) -> Option<Response> {
    loop {
        match answer.recv_timeout(KEEPALIVE_INTERVAL) {
            Ok(response) => return Some(response),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                return Some(Response::Error {
                    message: "the engine stopped".into(),
                })
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                if (&*stream).write_all(b"\n").is_err() {
                    return None;
                }
            }
        }
    }
}

/// Whether an engine answers on `socket`.
pub fn ping(socket: &Path) -> bool {
    matches!(
        send(socket, &Request::Ping, Some(Duration::from_secs(2))),
        Ok(Response::Pong { .. })
    )
}

/// Makes sure an engine runs for `data_dir`: when none answers, starts
/// `PROGRAM --data-dir DIR daemon` detached (its own session, no terminal,
/// so it outlives the caller) and waits until it answers. It waits as long
/// as the new engine is alive and starting (after a crash it first checks
/// the whole index, which takes seconds per gigabyte, and a loaded machine
/// is slow), up to [`ENGINE_START_LIMIT`]; an engine that exits instead is
/// reported at once. `program` is the `gleaner` executable.
pub fn ensure_engine(data_dir: &crate::DataDir, program: &Path) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let socket = data_dir.path().join(SOCKET_FILE);
    if crate::lock::EngineLock::holder(&data_dir.engine_lock()).is_some() {
        match send(&socket, &Request::Ping, Some(Duration::from_secs(5))) {
            Ok(Response::Pong { .. }) => return Ok(()),
            // A second engine would only find the lock taken: say why.
            Err(err @ Error::EngineNotAnswering { .. }) => return Err(err),
            // Not listening yet (still checking the index): wait below.
            _ => {}
        }
    }
    data_dir.create()?;
    // What the engine prints before its log file is open (a refusal at
    // start) goes to a file, so a start that fails can say why.
    let stderr_path = data_dir.logs().join(ENGINE_STDERR_FILE);
    let stderr = std::fs::create_dir_all(data_dir.logs())
        .and_then(|()| std::fs::File::create(&stderr_path))
        .map(std::process::Stdio::from)
        .unwrap_or_else(|_| std::process::Stdio::null());
    let mut command = std::process::Command::new(program);
    command
        .arg("--data-dir")
        .arg(data_dir.path())
        .arg("daemon")
        .env(DETACHED_ENV, "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(stderr);
    // SAFETY: setsid is async-signal-safe and touches no memory.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let spawn = |command: &mut std::process::Command| {
        command
            .spawn()
            .map_err(|e| Error::io("starting the engine", program, e))
    };
    let mut child = spawn(&mut command)?;
    let mut attempts = 1;
    let started = std::time::Instant::now();
    let waiting = |reason: String| {
        Error::io(
            "waiting for the engine at",
            &socket,
            std::io::Error::new(std::io::ErrorKind::TimedOut, reason),
        )
    };
    loop {
        if ping(&socket) {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            // It may have lost a race to another engine (which holds the
            // lock and answers once it has started): wait for that one.
            if crate::lock::EngineLock::holder(&data_dir.engine_lock()).is_none() && !ping(&socket)
            {
                // It lost to an engine that was still exiting (killed an
                // instant ago: the kernel drops its lock only once the
                // process is gone, which a loaded machine makes slow), and
                // that one is gone now: start again.
                if status.code() == Some(i32::from(ENGINE_BUSY_EXIT))
                    && attempts < ENGINE_START_ATTEMPTS
                {
                    attempts += 1;
                    child = spawn(&mut command)?;
                    continue;
                }
                let said = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                let said: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
                let said = said[said.len().saturating_sub(3)..].join(" / ");
                return Err(waiting(if said.is_empty() {
                    format!("it exited at start ({status}); see the logs folder")
                } else {
                    format!("it exited at start ({status}): {said}")
                }));
            }
        }
        if started.elapsed() > ENGINE_START_LIMIT {
            return Err(waiting(format!(
                "it did not answer within {} s; see the logs folder",
                ENGINE_START_LIMIT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The exit status of an engine that found another holding the lock.
pub const ENGINE_BUSY_EXIT: u8 = 75;

/// How many engines [`ensure_engine`] starts, one after the other, while
/// each finds the lock held by an engine that then turns out to be gone.
const ENGINE_START_ATTEMPTS: u32 = 5;

/// Set in the environment of an engine started by [`ensure_engine`]: it
/// then logs to its log file only, not to its standard error.
pub const DETACHED_ENV: &str = "GLEANER_DETACHED";

/// Where a started engine's standard error goes, in the logs folder.
const ENGINE_STDERR_FILE: &str = "engine-stderr.log";

/// How long a starting engine may take to answer.
pub const ENGINE_START_LIMIT: Duration = Duration::from_secs(180);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flushed_answer_is_on_the_socket_when_reply_returns() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("engine.sock");
        let requests = listen(&socket).unwrap();
        let (sent_tx, sent_rx) = crossbeam_channel::bounded::<()>(1);
        let client = {
            let socket = socket.clone();
            std::thread::spawn(move || {
                let mut stream = UnixStream::connect(&socket).unwrap();
                let request = serde_json::to_string(&Request::Stop).unwrap() + "\n";
                stream.write_all(request.as_bytes()).unwrap();
                sent_tx.send(()).unwrap();
                let mut answer = String::new();
                BufReader::new(&stream).read_line(&mut answer).unwrap();
                answer
            })
        };
        sent_rx.recv().unwrap();
        let incoming = requests.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(incoming.request, Request::Stop);
        // Once this returns the engine may exit: the answer must be written.
        assert!(incoming.reply_and_flush(Response::Ok, Duration::from_secs(10)));
        let answer = client.join().unwrap();
        assert_eq!(
            serde_json::from_str::<Response>(&answer).unwrap(),
            Response::Ok
        );
    }
}
