//! Gleaner tells the truth about its state after a failure: one test per
//! lie found by trying what an unlucky user (or an attacker) would do.
//!
//! - A source is never left `running` once its scan is over, whatever
//!   ended it; an engine that finds one so left says what happened.
//! - The data directory deleted under a running daemon: the engine notices,
//!   says so and stops; commands that only read never make a new, empty
//!   index (they say there is none).
//! - A database with damaged pages in the middle: `gleaner index` stops
//!   with the rebuild advice and exit 1, instead of writing on.
//! - A stopped engine (SIGSTOP): every command that talks to it gives up
//!   with a clear message instead of hanging, and works again after
//!   SIGCONT.

mod common;

use std::io::{Seek, SeekFrom, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::{wait_until, StopEngine, World};
use serde_json::Value;

/// The one source's row as `gleaner status --json` shows it.
fn source_status(w: &World) -> Value {
    w.json(&["status"])[0].clone()
}

fn engine_pid(w: &World) -> i32 {
    std::fs::read_to_string(w.data().join("engine.lock"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn signal(pid: i32, signal: i32) {
    // SAFETY: kill(2) on the daemon this test started.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

/// Runs a command to its end, or fails the test if it is still running
/// after `ceiling` (it hangs: the bug this file is about).
fn run_bounded(mut command: Command, what: &str, ceiling: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gleaner");
    let deadline = std::time::Instant::now() + ceiling;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still hangs after {ceiling:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `gleaner daemon` with its stderr in a file, for the tests that
/// read what it said before it stopped.
fn daemon_logging_to(w: &World, log: &std::path::Path) -> Child {
    let daemon = w
        .cmd()
        .arg("daemon")
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("start gleaner daemon");
    wait_until("the engine listens", Duration::from_secs(30), || {
        w.data().join("engine.sock").exists()
    });
    daemon
}

// ---- 1. A source is never left "running" ----

/// Regression: a scan that failed after marking its source running (here,
/// on a stored rule that no longer parses) returned early and left the
/// source `running` for good.
#[test]
fn a_scan_that_fails_midway_leaves_its_source_in_error_not_running() {
    let w = World::new();
    w.write("a.txt", "alpha");
    w.index();
    w.db()
        .execute("UPDATE sources SET include_globs = '[\"[\"]'", [])
        .unwrap();
    let err = w.fails(&["index"]);
    assert!(err.contains("bad glob"), "{err}");
    let status = source_status(&w);
    assert_eq!(status["last_scan_status"], "error", "{status}");
    assert!(
        status["last_error"].as_str().unwrap().contains("bad glob"),
        "{status}"
    );
}

/// Regression: a source left `running` by an engine that died stayed so
/// while indexing was paused (and until its next scan ended).
#[test]
fn an_engine_settles_a_source_its_dead_predecessor_left_running() {
    let w = World::new();
    let _stop = StopEngine(&w);
    w.write("a.txt", "alpha");
    w.index();
    w.ok(&["pause"]); // no scan may run and hide the fix
    w.db()
        .execute("UPDATE sources SET last_scan_status = 'running'", [])
        .unwrap();
    let mut daemon = w.start_daemon(&[]);
    wait_until(
        "the engine settles the stale status",
        Duration::from_secs(60),
        || source_status(&w)["last_scan_status"] == "pending",
    );
    let status = source_status(&w);
    assert!(
        status["last_error"]
            .as_str()
            .unwrap()
            .contains("did not finish"),
        "{status}"
    );
    w.ok(&["stop"]);
    daemon.wait().unwrap();
}

/// A job the engine paused on a full disk leaves its source saying so.
#[test]
fn a_full_disk_leaves_the_source_pending_with_the_reason() {
    let w = World::new();
    let _stop = StopEngine(&w);
    for i in 0..50 {
        w.write(&format!("early/e{i}.txt"), format!("gecko early {i}"));
    }
    w.index();
    let limit_file = w.dir.path().join("page-limit");
    let pages: i64 = w
        .db()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    std::fs::write(&limit_file, (pages + 8).to_string()).unwrap();
    for i in 0..600 {
        w.write(
            &format!("late/l{i}.txt"),
            format!("newt{i} {}", "filler words for the pages ".repeat(40)),
        );
    }
    let mut daemon = w.start_daemon(&[("GLEANER_TEST_MAX_PAGE_COUNT_FILE", &limit_file)]);
    let id = w.background_job();
    wait_until(
        "the job is paused by the full disk",
        Duration::from_secs(60),
        || w.json(&["status", &id])["pause_reason"] == "disk full",
    );
    wait_until(
        "the source says the disk is full",
        Duration::from_secs(60),
        || {
            let status = source_status(&w);
            status["last_scan_status"] == "pending"
                && status["last_error"]
                    .as_str()
                    .is_some_and(|e| e.contains("disk full"))
        },
    );
    let health = w.json(&["health"]);
    assert_eq!(health["healthy"], false, "{health}");
    assert!(health
        .to_string()
        .contains("disk holding the index is full"));
    std::fs::remove_file(&limit_file).unwrap();
    wait_until(
        "the job completes after space returns",
        Duration::from_secs(120),
        || w.json(&["status", &id])["status"] == "completed",
    );
    assert_eq!(source_status(&w)["last_scan_status"], "success");
    w.ok(&["stop"]);
    daemon.wait().unwrap();
}

// ---- 2. The data directory deleted under a running daemon ----

#[test]
fn a_deleted_data_directory_stops_the_engine_and_reading_never_recreates_it() {
    let w = World::new();
    let _stop = StopEngine(&w);
    w.write("a.txt", "alpha heron");
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
    w.index();
    let log = w.dir.path().join("daemon.log");
    let mut daemon = daemon_logging_to(&w, &log);
    std::fs::remove_dir_all(w.data()).unwrap();
    // A new file now would go into a deleted index: the engine must stop.
    w.write("b.txt", "beta heron");
    let mut exited = None;
    wait_until("the engine stops", Duration::from_secs(60), || {
        exited = daemon.try_wait().unwrap();
        exited.is_some()
    });
    assert!(!exited.unwrap().success(), "it stops with an error");
    let said = std::fs::read_to_string(&log).unwrap();
    assert!(said.contains("the index is gone"), "logged: {said}");
    assert!(
        said.contains("Gleaner stopped: its index is gone"),
        "notified: {said}"
    );
    assert!(said.contains("was deleted or moved"), "{said}");

    // Reading says there is no index, and makes none.
    for args in [
        &["status"][..],
        &["search", "heron"],
        &["jobs"],
        &["source", "list"],
        &["config", "list"],
        &["check"],
    ] {
        let err = w.fails(args);
        assert!(err.contains("no index yet at"), "{args:?}: {err}");
        assert!(err.contains("gleaner source add"), "{args:?}: {err}");
        assert!(!w.data().exists(), "{args:?} made the data directory");
    }
    let health = w.cmd().arg("health").output().unwrap();
    let text = String::from_utf8_lossy(&health.stdout);
    assert!(text.contains("needs attention"), "{text}");
    assert!(text.contains("there is no index at"), "{text}");
    assert!(text.contains("gleaner source add"), "{text}");
    assert!(!w.data().exists(), "health made the data directory");

    // Writing makes a new index.
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
    w.index();
    assert_eq!(w.search("heron").len(), 2);
}

// ---- 3. Damaged pages in the middle of the database ----

/// Regression: a damaged page met by a content lookup was taken as "not
/// found" and the scan wrote on, exiting 0; one met by a write lost its
/// kind on the way and with it the rebuild advice.
#[test]
fn index_on_damaged_pages_stops_with_the_rebuild_advice() {
    let w = World::new();
    // Words that do not repeat, so the stored (compressed) text still
    // spreads over many pages.
    let words = |seed: u64| -> String {
        (0..250u64)
            .map(|j| {
                format!(
                    "{:x}",
                    (seed * 7919 + j).wrapping_mul(2_654_435_761) % 1_000_003
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    for i in 0..400 {
        w.write(
            &format!("d{}/f{i}.txt", i % 8),
            format!("osprey{i} {}", words(i)),
        );
    }
    w.index();
    let db = w.data().join("gleaner.db");
    let len = std::fs::metadata(&db).unwrap().len();
    assert!(len > 400 * 1024, "{len}");
    // Garbage over a stretch of pages in the middle, header untouched.
    {
        let mut file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
        let garbage: Vec<u8> = (0..len / 3)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        file.seek(SeekFrom::Start(len / 3)).unwrap();
        file.write_all(&garbage).unwrap();
    }
    // Every file changed: the scan must look up and write contents.
    for i in 0..400 {
        w.write(
            &format!("d{}/f{i}.txt", i % 8),
            format!("kestrel{i} {}", words(i + 1_000)),
        );
    }
    let out = w.cmd().arg("index").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert!(err.contains("gleaner rebuild"), "{err}");
    assert!(err.contains("gleaner.db"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

// ---- 4. A stopped engine ----

#[test]
fn commands_give_up_on_a_stopped_engine_and_work_after_it_continues() {
    let w = World::new();
    let _stop = StopEngine(&w);
    w.write("a.txt", "alpha");
    w.index();
    let mut daemon = w.start_daemon(&[]);
    w.ok(&["health"]); // it answers
    let pid = engine_pid(&w);
    signal(pid, libc::SIGSTOP);
    // Continued even if an assertion fails, so the engine can stop.
    struct Continue(i32);
    impl Drop for Continue {
        fn drop(&mut self) {
            signal(self.0, libc::SIGCONT);
        }
    }
    let resume = Continue(pid);

    let ceiling = Duration::from_secs(120);
    for args in [
        &["pause"][..],
        &["resume"],
        &["stop"],
        &["index", "--background"],
    ] {
        let mut command = w.cmd();
        command.args(args);
        let out = run_bounded(command, &format!("gleaner {args:?}"), ceiling);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(&format!("the Gleaner engine (pid {pid}) is not answering")),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(&format!("kill -CONT {pid}")),
            "{args:?}: {err}"
        );
    }
    // Health reports it as a problem; status still reads the database.
    let mut command = w.cmd();
    command.args(["health", "--json"]);
    let out = run_bounded(command, "gleaner health", ceiling);
    let health: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(health["healthy"], false, "{health}");
    assert!(health.to_string().contains("is not answering"), "{health}");
    let mut command = w.cmd();
    command.arg("status");
    let out = run_bounded(command, "gleaner status", ceiling);
    assert!(out.status.success(), "{out:?}");

    drop(resume);
    w.ok(&["pause"]);
    w.ok(&["resume"]);
    assert_eq!(w.json(&["health"])["engine"]["pid"], pid);
    w.ok(&["stop"]);
    assert!(daemon.wait().unwrap().success());
}

/// A request that takes long (a foreground scan) keeps its client waiting
/// as long as the engine works on it: the keep-alives are what tell it
/// apart from a stopped engine.
#[test]
fn a_foreground_scan_through_the_engine_outlasts_the_silence_limit() {
    let w = World::new();
    let _stop = StopEngine(&w);
    w.write("a.txt", "alpha");
    w.index();
    let mut daemon = w.start_daemon(&[]);
    let pid = engine_pid(&w);
    // The start-up scan ends first: pausing it would end the wait too.
    wait_until("the start-up scan ends", Duration::from_secs(60), || {
        let jobs = w.json(&["jobs"]);
        let jobs = jobs.as_array().unwrap();
        jobs.iter().any(|j| j["trigger"] == "startup")
            && jobs.iter().all(|j| j["status"] == "completed")
    });
    w.ok(&["pause"]); // the scan queues and waits
    let mut scan = w
        .cmd()
        .arg("index")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Longer than a client waits in silence, while the job is queued.
    let quiet = gleaner_core::engine::control::SILENCE_LIMIT + Duration::from_secs(5);
    let until = std::time::Instant::now() + quiet;
    while std::time::Instant::now() < until {
        assert!(scan.try_wait().unwrap().is_none(), "the scan gave up");
        std::thread::sleep(Duration::from_millis(200));
    }
    w.ok(&["resume"]);
    let out = scan.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("by the running engine"));
    assert_eq!(engine_pid(&w), pid);
    w.ok(&["stop"]);
    daemon.wait().unwrap();
}
