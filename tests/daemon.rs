//! End-to-end tests of `gleaner daemon`: the real engine watching real temp
//! directories with inotify, checked by searching, as a user would.

mod common;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::World;

/// A running `gleaner daemon`, stopped (SIGTERM) when dropped.
struct Daemon {
    child: Child,
}

impl Daemon {
    fn start(w: &World) -> Daemon {
        let child = w
            .cmd()
            .arg("daemon")
            .env("GLEANER_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start daemon");
        let daemon = Daemon { child };
        // Ready when it answers on its socket (after the start-up scan).
        wait_until("the engine answers", || {
            w.cmd().args(["status", "--json"]).output().is_ok()
                && w.data().join("engine.sock").exists()
        });
        daemon
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// Polls `condition` for up to 20 s (the machine may be loaded; the
/// freshness figures come from the benchmark, not from here).
fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if condition() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting until {what}");
}

fn wait_for_names(w: &World, query: &str, expected: &[&str]) {
    let mut last = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        last = w.search_names(query);
        if last == expected {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("search {query:?}: expected {expected:?}, still {last:?}");
}

fn added(w: &World) {
    std::fs::create_dir_all(w.docs()).unwrap();
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
}

#[test]
fn live_changes_are_indexed() {
    let w = World::new();
    w.write("start.txt", "aardvark at start-up");
    added(&w);
    let daemon = Daemon::start(&w);
    wait_for_names(&w, "aardvark", &["start.txt"]);

    // create
    w.write("new.txt", "badger created");
    wait_for_names(&w, "badger", &["new.txt"]);
    // modify
    std::fs::write(w.path("new.txt"), "cheetah modified").unwrap();
    wait_for_names(&w, "cheetah", &["new.txt"]);
    wait_for_names(&w, "badger", &[]);
    // rename
    std::fs::rename(w.path("new.txt"), w.path("renamed.txt")).unwrap();
    wait_for_names(&w, "cheetah", &["renamed.txt"]);
    // a new folder and a file inside it; later another file inside it
    w.write("dir/one.txt", "dingo in a new folder");
    wait_for_names(&w, "dingo", &["dir/one.txt"]);
    w.write("dir/two.txt", "dingo again");
    wait_for_names(&w, "dingo", &["dir/one.txt", "dir/two.txt"]);
    // move a whole folder
    std::fs::rename(w.path("dir"), w.path("moved-dir")).unwrap();
    wait_for_names(&w, "dingo", &["moved-dir/one.txt", "moved-dir/two.txt"]);
    // delete
    std::fs::remove_file(w.path("start.txt")).unwrap();
    wait_for_names(&w, "aardvark", &[]);
    // rapid rewrites: the last version wins
    for i in 0..50 {
        std::fs::write(w.path("rapid.txt"), format!("elephant version{i}")).unwrap();
    }
    wait_for_names(&w, "version49", &["rapid.txt"]);
    wait_for_names(&w, "elephant", &["rapid.txt"]);
    // an editor-style atomic save: write a temp file, rename it over
    w.write(".renamed.txt.swp", "ferret saved atomically");
    std::fs::rename(w.path(".renamed.txt.swp"), w.path("renamed.txt")).unwrap();
    wait_for_names(&w, "ferret", &["renamed.txt"]);
    wait_for_names(&w, "cheetah", &[]);
    // ignored places stay out
    w.write(".hidden/secret.txt", "gecko hidden");
    w.write("visible.txt", "gecko visible");
    wait_for_names(&w, "gecko", &["visible.txt"]);

    let status = daemon.terminate();
    assert!(status.success(), "SIGTERM is a clean exit: {status}");
    assert!(
        !w.data().join("engine.sock").exists(),
        "the socket is removed"
    );
    let check = w.json(&["check"]);
    assert_eq!(check["ok"], true, "{check}");
}

#[test]
fn changes_while_stopped_are_caught_at_start_up() {
    let w = World::new();
    w.write("a.txt", "hippo before");
    added(&w);
    w.ok(&["index"]);
    std::fs::write(w.path("a.txt"), "ibis after, while no engine ran").unwrap();
    w.write("b.txt", "ibis new");
    let _daemon = Daemon::start(&w);
    wait_for_names(&w, "ibis", &["a.txt", "b.txt"]);
    wait_for_names(&w, "hippo", &[]);
}

#[test]
fn one_engine_per_data_directory_and_clients_ask_it() {
    let w = World::new();
    w.write("a.txt", "jackal");
    added(&w);
    let daemon = Daemon::start(&w);
    let out = w.cmd().arg("daemon").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("pid {}", daemon.child.id())), "{err}");
    // A foreground index asks the running engine instead of racing it.
    w.write("b.txt", "jackal two");
    let run = w.index();
    assert_eq!(run["jobs"].as_array().unwrap().len(), 1, "{run}");
    wait_for_names(&w, "jackal", &["a.txt", "b.txt"]);
    // A source added while the engine runs is watched at once.
    let other = w.dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    w.ok(&["source", "add", other.to_str().unwrap()]);
    std::fs::write(other.join("c.txt"), "kestrel elsewhere").unwrap();
    wait_until("the new source is watched", || {
        !w.search("kestrel").is_empty()
    });
    // `gleaner stop` ends it cleanly.
    w.ok(&["stop"]);
    let mut daemon = daemon;
    let status = daemon.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn a_vanished_source_recovers_when_it_returns() {
    let w = World::new();
    w.write("a.txt", "llama");
    added(&w);
    let _daemon = Daemon::start(&w);
    wait_for_names(&w, "llama", &["a.txt"]);
    let parked = w.dir.path().join("parked");
    std::fs::rename(w.docs(), &parked).unwrap();
    wait_until("the source shows as in error", || {
        w.json(&["status"])[0]["last_scan_status"] == "error"
    });
    assert_eq!(
        w.search_names("llama"),
        ["a.txt"],
        "documents are kept while the folder is away"
    );
    std::fs::write(parked.join("b.txt"), "llama returns").unwrap();
    std::fs::rename(&parked, w.docs()).unwrap();
    wait_for_names(&w, "llama", &["a.txt", "b.txt"]);
    wait_until("the source is healthy again", || {
        w.json(&["status"])[0]["last_scan_status"] == "success"
    });
}

#[test]
fn a_changed_debounce_applies_without_a_restart() {
    let w = World::new();
    added(&w);
    // Long enough that the test's 20 s wait fails if the engine kept it.
    w.ok(&["config", "set", "watch.debounce_ms", "60000"]);
    let _daemon = Daemon::start(&w);
    // `config set` tells the running engine to reload its settings.
    w.ok(&["config", "set", "watch.debounce_ms", "100"]);
    // A writer that never closes the file: only the debounce settles it.
    let mut open = std::fs::File::create(w.path("held.txt")).unwrap();
    std::io::Write::write_all(&mut open, b"pangolin still open").unwrap();
    wait_for_names(&w, "pangolin", &["held.txt"]);
    drop(open);
}
