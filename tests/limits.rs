//! The kernel's inotify limits, hit for real: the watch limit (lowered in a
//! user namespace of the daemon's own, so the machine's limit is untouched)
//! and the per-instance event queue (overflowed on purpose). Either way the
//! index must still follow the disk, and the watch limit must be reported
//! with its fix.
//!
//! Skipped, with a message, where the kernel does not let the test set
//! the limit (no unprivileged user namespaces; not root for the queue).

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{wait_until, World};

/// The tests run one at a time: a daemon started while the other test has
/// the event queue lowered would get the tiny queue too, and its rescans
/// would then find what this test means to be found by polling.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running daemon, stopped (SIGTERM) when dropped.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        let _ = self.0.wait();
    }
}

fn engine_answers(w: &World) -> bool {
    w.data().join("engine.sock").exists()
        && w.cmd()
            .args(["health", "--json"])
            .output()
            .is_ok_and(|o| o.status.success())
}

/// Starts `gleaner daemon` through `wrapper` (a shell snippet that ends by
/// running "$@").
fn start_daemon(w: &World, wrapper: &str) -> Daemon {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(wrapper)
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_gleaner"))
        .arg("--data-dir")
        .arg(w.data())
        .arg("daemon")
        .env_remove("GLEANER_DATA_DIR")
        .env("GLEANER_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let daemon = Daemon(cmd.spawn().expect("start daemon"));
    wait_until("the engine answers", Duration::from_secs(30), || {
        engine_answers(w)
    });
    daemon
}

fn hits(w: &World, query: &str) -> usize {
    w.json(&["search", query, "--limit", "1000"])
        .as_array()
        .unwrap()
        .len()
}

/// `levels` folders nested in one another, each holding a file.
fn nested(w: &World, levels: usize) -> PathBuf {
    let mut rel = String::new();
    for level in 0..levels {
        rel.push_str(&format!("level{level}/"));
        w.write(&format!("{rel}file{level}.txt"), format!("walrus {level}"));
    }
    w.path(&rel)
}

#[test]
fn past_the_watch_limit_the_fix_is_reported_and_the_rest_is_polled() {
    let _serial = one_at_a_time();
    let probe = Command::new("unshare")
        .args([
            "-Ur",
            "sh",
            "-c",
            "echo 5 > /proc/sys/user/max_inotify_watches",
        ])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no user namespace with a lowered inotify watch limit here");
        return;
    }
    let w = World::new();
    let deepest = nested(&w, 12);
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
    w.ok(&["config", "set", "watch.poll_interval_s", "10"]);
    // 13 folders, 5 watches.
    let _daemon = start_daemon(
        &w,
        r#"exec unshare -Ur sh -c 'echo 5 > /proc/sys/user/max_inotify_watches && exec "$@"' sh "$@""#,
    );
    wait_until("all 12 files are indexed", Duration::from_secs(30), || {
        hits(&w, "walrus") == 12
    });
    let health = w.json(&["health"]);
    let said = health.to_string();
    assert_eq!(health["healthy"], false, "{health:#}");
    assert!(said.contains("max_user_watches"), "{health:#}");

    // A file in a folder no watch covers still arrives, by polling.
    std::fs::write(deepest.join("late.txt"), "narwhal deep down").unwrap();
    wait_until(
        "the file in an unwatched folder is found",
        Duration::from_secs(60),
        || hits(&w, "narwhal") == 1,
    );
}

/// Sets `/proc/sys/fs/inotify/max_queued_events` and puts the old value
/// back when dropped (even when the test fails).
struct QueueLimit {
    old: String,
}

const QUEUE_LIMIT: &str = "/proc/sys/fs/inotify/max_queued_events";

impl QueueLimit {
    fn set(value: u32) -> Option<QueueLimit> {
        let old = std::fs::read_to_string(QUEUE_LIMIT).ok()?;
        std::fs::write(QUEUE_LIMIT, value.to_string()).ok()?;
        Some(QueueLimit { old })
    }
}

impl Drop for QueueLimit {
    fn drop(&mut self) {
        let _ = std::fs::write(QUEUE_LIMIT, self.old.trim());
    }
}

#[test]
fn an_overflowing_event_queue_becomes_a_rescan() {
    let _serial = one_at_a_time();
    let w = World::new();
    w.write("seed.txt", "seed");
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
    // The kernel reads the limit when an inotify instance is made: only the
    // daemon started while it is low gets the tiny queue.
    let Some(limit) = QueueLimit::set(8) else {
        eprintln!("skipped: cannot set {QUEUE_LIMIT} (not root?)");
        return;
    };
    let _daemon = start_daemon(&w, r#"exec "$@""#);
    drop(limit);
    // The burst goes into a folder that is already watched: files written
    // into a brand-new folder are found by listing it, with few events.
    w.write("burst/first.txt", "okapi first");
    wait_until(
        "the burst folder is watched",
        Duration::from_secs(60),
        || hits(&w, "okapi") == 1,
    );
    // Far more events than 8 at once: the kernel drops them and says so.
    for i in 0..300 {
        w.write(&format!("burst/f{i:03}.txt"), format!("okapi {i}"));
    }
    wait_until("all 301 files are indexed", Duration::from_secs(60), || {
        hits(&w, "okapi") == 301
    });
    let jobs = w.json(&["jobs"]);
    let triggers: Vec<&str> = jobs
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|job| job["trigger"].as_str())
        .collect();
    assert!(triggers.contains(&"rescan"), "{jobs:#}");
}
