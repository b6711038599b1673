//! The engine loop in this process, driven over its control socket the way
//! the CLI, the desktop app and the HTTP API drive it: scans answered when
//! done or at once, the global pause and one job's pause, resume and
//! cancel, files indexed on request, reloads after sources and settings
//! change, live changes from the watcher, a source folder that goes away and
//! comes back, and the jobs an earlier engine left behind.
//!
//! Every wait polls with a generous deadline; nothing asserts how long
//! anything took.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use gleaner_core::engine::control::{self, Request, Response, SOCKET_FILE};
use gleaner_core::engine::{self, PAUSED_BY_USER};
use gleaner_core::health::HealthReport;
use gleaner_core::search::SearchFilter;
use gleaner_core::source::{NewSource, ScanStatus, SourceUpdate};
use gleaner_core::store::JobStatus;
use gleaner_core::view::job_views;
use gleaner_core::{DataDir, Error, Index};

const DEADLINE: Duration = Duration::from_secs(90);

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Polls `done` until it holds; fails the test with `what` after
/// [`DEADLINE`].
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A data directory whose engine shows no pop-ups and reacts quickly.
fn quiet_data_dir(root: &Path) -> DataDir {
    let data_dir = DataDir::resolve(Some(&root.join("data"))).unwrap();
    let index = Index::open(data_dir.clone()).unwrap();
    index
        .store()
        .set_setting("notify.desktop", "false")
        .unwrap();
    index
        .store()
        .set_setting("watch.debounce_ms", "50")
        .unwrap();
    data_dir
}

fn add_source(data_dir: &DataDir, path: &Path) {
    Index::open(data_dir.clone())
        .unwrap()
        .add_source(NewSource {
            path: path.to_path_buf(),
            recursive: true,
            ..NewSource::default()
        })
        .unwrap();
}

/// The paths of the documents matching `query`, through a connection of
/// the test's own (as the CLI reads while the engine writes).
fn hits(data_dir: &DataDir, query: &str) -> Vec<String> {
    let index = Index::open(data_dir.clone()).unwrap();
    let mut paths: Vec<String> = index
        .search(query, &SearchFilter::default(), 20)
        .unwrap()
        .hits
        .into_iter()
        .flat_map(|hit| std::iter::once(hit.path).chain(hit.other_paths))
        .collect();
    paths.sort();
    paths
}

fn job_status(data_dir: &DataDir, id: &str) -> JobStatus {
    Index::open(data_dir.clone())
        .unwrap()
        .store()
        .job(id)
        .unwrap()
        .status
}

struct Engine {
    data_dir: DataDir,
    socket: PathBuf,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<gleaner_core::Result<()>>>,
}

impl Engine {
    /// Runs the engine on a thread and waits until it answers.
    fn start(data_dir: &DataDir) -> Engine {
        let (stop, shutdown) = crossbeam_channel::bounded(1);
        let thread = {
            let data_dir = data_dir.clone();
            std::thread::spawn(move || engine::run(data_dir, shutdown, ()))
        };
        let socket = data_dir.path().join(SOCKET_FILE);
        wait_until("the engine answers", || {
            assert!(!thread.is_finished(), "the engine stopped at start");
            control::ping(&socket)
        });
        Engine {
            data_dir: data_dir.clone(),
            socket,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn ask(&self, request: Request) -> Response {
        control::send(&self.socket, &request, Some(DEADLINE)).unwrap()
    }

    /// The jobs a background scan request queued.
    fn scan_in_background(&self, path: Option<PathBuf>) -> (Vec<String>, Vec<String>) {
        match self.ask(Request::Scan {
            path,
            background: true,
        }) {
            Response::Jobs { ids, warnings } => (ids, warnings),
            other => panic!("a background scan answered {other:?}"),
        }
    }

    fn engine_status(&self) -> gleaner_core::health::EngineStatus {
        match self.ask(Request::Health) {
            Response::Health { status } => status,
            other => panic!("health answered {other:?}"),
        }
    }

    /// Ends the engine through the shutdown channel and returns its result.
    fn shut_down(mut self) -> gleaner_core::Result<()> {
        drop(self.stop.take());
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // A failed test must not leave the engine thread behind.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn error_message(response: Response) -> String {
    match response {
        Response::Error { message } => message,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn control_requests_drive_the_engine() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes");
    write(&notes.join("a.txt"), "alpha apple");
    write(&notes.join("b.md"), "beta banana");
    write(&notes.join("sub/c.txt"), "gamma grape");
    let data_dir = quiet_data_dir(tmp.path());
    add_source(&data_dir, &notes);
    let notes = notes.canonicalize().unwrap();

    let engine = Engine::start(&data_dir);
    assert_eq!(
        engine.ask(Request::Ping),
        Response::Pong {
            pid: std::process::id()
        }
    );

    // A foreground scan of every source is answered when its job ends: the
    // start-up job when it still runs, else a job of its own.
    match engine.ask(Request::Scan {
        path: None,
        background: false,
    }) {
        Response::Scanned { scans, errors } => {
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(scans.len(), 1, "{scans:?}");
            assert_eq!(scans[0].path, notes);
            let counts = &scans[0].counts;
            assert_eq!(counts.new + counts.unchanged, 3, "{counts:?}");
        }
        other => panic!("a scan answered {other:?}"),
    }
    assert_eq!(
        hits(&data_dir, "apple"),
        vec![notes.join("a.txt").display().to_string()]
    );

    // The engine's part of the health report joins the database's.
    let status = engine.engine_status();
    assert_eq!(status.pid, std::process::id());
    assert!(status.watches_in_use >= 2, "{status:?}");
    {
        let index = Index::open(data_dir.clone()).unwrap();
        let report = HealthReport::build(index.store(), Some(status)).unwrap();
        assert!(report.healthy, "{report:?}");
        assert_eq!(report.documents, 3);
        assert_eq!(report.documents_failed, 0);
        assert!(report.sources_in_error.is_empty());
        let last = report.last_successful_scan.expect("a completed scan");
        assert_eq!(last.directory, notes.display().to_string());
        assert!(last.duration_ms >= 0);
    }

    // Files named by a client are indexed before the answer; a path outside
    // every source refuses the request.
    let outside = tmp.path().join("elsewhere.txt");
    write(&outside, "outside");
    let message = error_message(engine.ask(Request::Index {
        paths: vec![outside.canonicalize().unwrap()],
    }));
    assert!(message.contains("not inside an active source"), "{message}");
    write(&notes.join("d.txt"), "delta date");
    assert_eq!(
        engine.ask(Request::Index {
            paths: vec![notes.join("d.txt")],
        }),
        Response::Indexed {
            indexed: 1,
            deferred: 0
        }
    );
    assert_eq!(hits(&data_dir, "date").len(), 1);

    // The global pause is persisted; while it holds, named files wait and
    // new jobs stay queued.
    assert_eq!(engine.ask(Request::Pause { job: None }), Response::Ok);
    let settings = Index::open(data_dir.clone()).unwrap().settings().unwrap();
    assert!(settings.boolean("indexing.paused"));
    write(&notes.join("e.txt"), "epsilon elderberry");
    assert_eq!(
        engine.ask(Request::Index {
            paths: vec![notes.join("e.txt")],
        }),
        Response::Indexed {
            indexed: 0,
            deferred: 1
        }
    );
    let (ids, warnings) = engine.scan_in_background(None);
    assert_eq!(ids.len(), 1);
    assert!(
        warnings.iter().any(|w| w.contains("indexing is paused")),
        "{warnings:?}"
    );
    let job = ids[0].clone();
    assert_eq!(job_status(&data_dir, &job), JobStatus::Queued);

    // One job: paused, resumed, cancelled; a cancelled job cannot resume.
    assert_eq!(
        engine.ask(Request::Pause {
            job: Some(job.clone())
        }),
        Response::Ok
    );
    {
        let index = Index::open(data_dir.clone()).unwrap();
        let record = index.store().job(&job).unwrap();
        assert_eq!(record.status, JobStatus::Paused);
        assert_eq!(record.pause_reason.as_deref(), Some(PAUSED_BY_USER));
        let views = job_views(std::slice::from_ref(&record));
        assert_eq!(views[0].current_file, None);
        assert_eq!(views[0].finished, None);
    }
    assert_eq!(
        engine.ask(Request::Resume {
            job: Some(job.clone())
        }),
        Response::Ok
    );
    assert_eq!(job_status(&data_dir, &job), JobStatus::Queued);
    assert_eq!(
        engine.ask(Request::Cancel { job: job.clone() }),
        Response::Ok
    );
    assert_eq!(job_status(&data_dir, &job), JobStatus::Cancelled);
    let message = error_message(engine.ask(Request::Resume {
        job: Some(job.clone()),
    }));
    assert!(message.contains("cancelled"), "{message}");
    error_message(engine.ask(Request::Cancel {
        job: "no-such-job".into(),
    }));

    // Resuming all indexing rescans what changed meanwhile.
    assert_eq!(engine.ask(Request::Resume { job: None }), Response::Ok);
    wait_until("the file that changed while paused is indexed", || {
        hits(&data_dir, "elderberry").len() == 1
    });
    let settings = Index::open(data_dir.clone()).unwrap().settings().unwrap();
    assert!(!settings.boolean("indexing.paused"));

    // A scan of a new folder adds it as a source; a missing one is refused.
    let more = tmp.path().join("more");
    write(&more.join("m.txt"), "mango melon");
    let (ids, warnings) = engine.scan_in_background(Some(more.clone()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(ids.len(), 1);
    wait_until("the new source's job completes", || {
        job_status(&data_dir, &ids[0]) == JobStatus::Completed
    });
    assert_eq!(hits(&data_dir, "mango").len(), 1);
    error_message(engine.ask(Request::Scan {
        path: Some(tmp.path().join("missing")),
        background: false,
    }));

    // Sources and settings changed by another process take effect on
    // reload: a removed source is no longer watched, changed rules rescan.
    {
        let index = Index::open(data_dir.clone()).unwrap();
        index.remove_source(&more).unwrap();
        index
            .update_source(
                &notes,
                &SourceUpdate {
                    exclude: Some(vec!["*.md".into()]),
                    ..SourceUpdate::default()
                },
            )
            .unwrap();
        index
            .store()
            .set_setting("watch.debounce_ms", "60")
            .unwrap();
        index
            .store()
            .set_setting("scan.full_interval_s", "60")
            .unwrap();
    }
    assert_eq!(engine.ask(Request::Reload), Response::Ok);
    wait_until("the excluded file leaves the index", || {
        hits(&data_dir, "banana").is_empty()
    });
    assert!(hits(&data_dir, "mango").is_empty());
    let message = error_message(engine.ask(Request::Index {
        paths: vec![more.canonicalize().unwrap().join("m.txt")],
    }));
    assert!(message.contains("not inside an active source"), "{message}");

    // Live changes from the watcher: a new file, a rename, a deletion.
    let live = notes.join("sub/live.txt");
    write(&live, "zeta zucchini");
    wait_until("a new file is indexed", || {
        hits(&data_dir, "zucchini") == vec![live.display().to_string()]
    });
    let renamed = notes.join("sub/renamed.txt");
    std::fs::rename(&live, &renamed).unwrap();
    wait_until("a renamed file is found under its new name", || {
        hits(&data_dir, "zucchini") == vec![renamed.display().to_string()]
    });
    std::fs::remove_file(&renamed).unwrap();
    wait_until("a deleted file leaves the index", || {
        hits(&data_dir, "zucchini").is_empty()
    });
    // A new folder is watched as soon as it appears (the source's rules
    // decide), and what is written in it is indexed.
    let fresh = notes.join("fresh/deeper");
    std::fs::create_dir_all(&fresh).unwrap();
    write(&fresh.join("f.txt"), "fennel fig");
    wait_until("a file in a new folder is indexed", || {
        hits(&data_dir, "fennel") == vec![fresh.join("f.txt").display().to_string()]
    });
    assert!(engine.engine_status().live_paths_indexed >= 3);

    // A line that is not a request gets an error, not a dropped engine.
    let mut stream = UnixStream::connect(&engine.socket).unwrap();
    stream.write_all(b"not json\n").unwrap();
    let mut answer = String::new();
    BufReader::new(&stream).read_line(&mut answer).unwrap();
    assert!(answer.contains("bad request"), "{answer}");

    // Stop: the engine ends cleanly and leaves no socket or marker behind.
    assert_eq!(engine.ask(Request::Stop), Response::Ok);
    let data_dir = engine.data_dir.clone();
    engine.shut_down().unwrap();
    assert!(!data_dir.path().join(SOCKET_FILE).exists());
    assert!(!data_dir.path().join("engine.running").exists());
    assert!(!control::ping(&data_dir.path().join(SOCKET_FILE)));
}

#[test]
fn a_second_engine_on_the_same_data_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = quiet_data_dir(tmp.path());
    let engine = Engine::start(&data_dir);
    let (_stop, shutdown) = crossbeam_channel::bounded(1);
    match engine::run(data_dir.clone(), shutdown, ()) {
        Err(Error::EngineBusy { pid }) => assert_eq!(pid, std::process::id()),
        other => panic!("a second engine got {other:?}"),
    }
    // The first one still answers.
    assert!(matches!(engine.ask(Request::Ping), Response::Pong { .. }));
    engine.shut_down().unwrap();
}

#[test]
fn an_engine_takes_over_the_jobs_an_earlier_one_left() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes");
    for i in 0..5 {
        write(&notes.join(format!("{i}.txt")), &format!("note number {i}"));
    }
    let data_dir = quiet_data_dir(tmp.path());
    add_source(&data_dir, &notes);
    let (running, user_paused, engine_paused, queued) = {
        let index = Index::open(data_dir.clone()).unwrap();
        let store = index.store();
        let source = index.source(&notes).unwrap();
        let job = |trigger| index.create_job(&source, trigger).unwrap();
        let running = job("manual");
        store
            .transition_job(&running, JobStatus::Running, None)
            .unwrap();
        let user_paused = job("manual");
        store
            .transition_job(&user_paused, JobStatus::Paused, Some(PAUSED_BY_USER))
            .unwrap();
        let engine_paused = job("manual");
        store
            .transition_job(&engine_paused, JobStatus::Running, None)
            .unwrap();
        store
            .transition_job(
                &engine_paused,
                JobStatus::Paused,
                Some(gleaner_core::index::PAUSED_DISK_FULL),
            )
            .unwrap();
        let queued = job("background");
        (running, user_paused, engine_paused, queued)
    };
    // The earlier engine did not stop cleanly: the new one checks the
    // index before it starts.
    std::fs::write(data_dir.path().join("engine.running"), "1").unwrap();

    let engine = Engine::start(&data_dir);
    for id in [&running, &engine_paused, &queued] {
        wait_until("a left-over job completes", || {
            job_status(&data_dir, id) == JobStatus::Completed
        });
    }
    // The user's pause outlives the engine.
    assert_eq!(job_status(&data_dir, &user_paused), JobStatus::Paused);
    // The left-over jobs did the start-up scan's work: no second job.
    let index = Index::open(data_dir.clone()).unwrap();
    let jobs = index.store().jobs(None, 100).unwrap();
    assert_eq!(jobs.len(), 4, "{jobs:#?}");
    assert_eq!(hits(&data_dir, "number").len(), 5);
    engine.shut_down().unwrap();
    assert!(!data_dir.path().join("engine.running").exists());
}

#[test]
fn a_source_folder_that_goes_away_is_reported_and_rescanned_when_back() {
    let tmp = tempfile::tempdir().unwrap();
    let usb = tmp.path().join("usb");
    write(&usb.join("x.txt"), "xylophone");
    let data_dir = quiet_data_dir(tmp.path());
    add_source(&data_dir, &usb);
    let usb = usb.canonicalize().unwrap();

    let engine = Engine::start(&data_dir);
    wait_until("the start-up scan indexes the folder", || {
        hits(&data_dir, "xylophone").len() == 1
    });
    // A webhook configured while the engine runs gets what follows.
    let (url, posted) = webhook_receiver();
    {
        let index = Index::open(data_dir.clone()).unwrap();
        index
            .store()
            .set_setting("notify.max_per_minute", "60")
            .unwrap();
        index
            .store()
            .set_setting("notify.webhook_url", &url)
            .unwrap();
    }
    let source_status = || {
        Index::open(data_dir.clone())
            .unwrap()
            .source(&usb)
            .unwrap()
            .last_scan_status
    };
    wait_until("the start-up scan succeeds", || {
        source_status() == ScanStatus::Success
    });

    std::fs::remove_dir_all(&usb).unwrap();
    wait_until("the source is in error", || {
        source_status() == ScanStatus::Error
    });
    let index = Index::open(data_dir.clone()).unwrap();
    let report = HealthReport::build(index.store(), Some(engine.engine_status())).unwrap();
    assert!(!report.healthy);
    assert_eq!(report.sources_in_error, vec![usb.display().to_string()]);

    write(&usb.join("y.txt"), "yodel");
    wait_until("the folder is rescanned when it is back", || {
        hits(&data_dir, "yodel").len() == 1
    });
    wait_until("the source is healthy again", || {
        source_status() == ScanStatus::Success
    });
    // The webhook was told both.
    let mut bodies: Vec<String> = Vec::new();
    wait_until("the webhook gets the source's error and recovery", || {
        bodies.extend(posted.try_iter());
        ["\"source_error\"", "\"source_recovered\""]
            .iter()
            .all(|event| bodies.iter().any(|body| body.contains(event)))
    });
    engine.shut_down().unwrap();
}

/// A local HTTP server that answers every POST with 204 and hands over its
/// body.
fn webhook_receiver() -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hook",
        listener.local_addr().unwrap().port()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let _ = reader
                .into_inner()
                .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
            if tx
                .send(String::from_utf8_lossy(&body).into_owned())
                .is_err()
            {
                return;
            }
        }
    });
    (url, rx)
}

#[test]
fn a_source_with_a_short_interval_is_rescanned_on_schedule() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes");
    write(&notes.join("a.txt"), "anchovy");
    let data_dir = quiet_data_dir(tmp.path());
    add_source(&data_dir, &notes);
    Index::open(data_dir.clone())
        .unwrap()
        .update_source(
            &notes,
            &SourceUpdate {
                scan_interval_s: Some(Some(1)),
                ..SourceUpdate::default()
            },
        )
        .unwrap();
    let engine = Engine::start(&data_dir);
    let scheduled = || {
        Index::open(data_dir.clone())
            .unwrap()
            .store()
            .jobs(Some(JobStatus::Completed), 100)
            .unwrap()
            .into_iter()
            .filter(|job| job.trigger == "scheduled")
            .count()
    };
    wait_until("two scheduled scans complete", || scheduled() >= 2);
    // A scan asked for while a scheduled one is queued or running is
    // answered with that job, or with one of its own once it ended.
    match engine.ask(Request::Scan {
        path: Some(notes.clone()),
        background: false,
    }) {
        Response::Scanned { scans, errors } => {
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(scans.len(), 1);
            assert_eq!(scans[0].counts.unchanged, 1, "{scans:?}");
        }
        other => panic!("a scan answered {other:?}"),
    }
    engine.shut_down().unwrap();
}

#[test]
fn clients_find_the_engine_or_say_why_not() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = quiet_data_dir(tmp.path());
    let socket = data_dir.path().join(SOCKET_FILE);
    let no_program = tmp.path().join("no-such-gleaner");

    // No engine: nothing answers, and one that cannot be started says so.
    assert!(!control::ping(&socket));
    let err = control::send(&socket, &Request::Ping, Some(Duration::from_secs(2))).unwrap_err();
    assert!(err.to_string().contains("talking to the engine"), "{err}");
    let err = control::ensure_engine(&data_dir, &no_program).unwrap_err();
    assert!(err.to_string().contains("starting the engine"), "{err}");

    // A running engine is found: nothing is started.
    let engine = Engine::start(&data_dir);
    control::ensure_engine(&data_dir, &no_program).unwrap();
    engine.shut_down().unwrap();

    // Something that is not an engine: its answer is refused.
    let fake = tmp.path().join("fake.sock");
    let listener = std::os::unix::net::UnixListener::bind(&fake).unwrap();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line).unwrap();
        (&stream)
            .write_all(b"{\"result\":\"no such thing\"}\n")
            .unwrap();
        line
    });
    let err = control::send(&fake, &Request::Reload, Some(DEADLINE)).unwrap_err();
    assert!(err.to_string().contains("bad answer"), "{err}");
    assert_eq!(server.join().unwrap(), "{\"op\":\"reload\"}\n");
}
