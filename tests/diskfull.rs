//! A disk that is really full: the index lives on a small tmpfs, mounted in
//! a user and mount namespace of the test's own (so the test needs no
//! privileges and leaves no mount behind), and filled up by another file.
//! The engine must roll the batch back, pause the job with the reason
//! "disk full", keep what it had committed, and finish the job by itself
//! once the filler is deleted.
//!
//! `tests/jobs.rs` covers the same with SQLite's page limit, which works
//! where namespaces do not; this one proves the real `ENOSPC` path (the
//! WAL, the database file and the engine's other files on one full
//! filesystem).

mod common;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{wait_until, StopEngine, World};

/// Set when the test runs again inside its namespace.
const INSIDE: &str = "GLEANER_TEST_INSIDE_NAMESPACE";
const TEST_NAME: &str = "a_full_tmpfs_pauses_the_job_which_resumes_by_itself";
/// Room left on the tmpfs when the big batch starts.
const ROOM: u64 = 192 * 1024;

#[test]
fn a_full_tmpfs_pauses_the_job_which_resumes_by_itself() {
    if std::env::var_os(INSIDE).is_some() {
        return inside_the_namespace();
    }
    let probe = Command::new("unshare")
        .args(["-rm", "true"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !probe {
        eprintln!("skipped: no user and mount namespace here (tests/jobs.rs covers disk full with a page limit)");
        return;
    }
    // This test binary again, this one test only, inside the namespace.
    let status = Command::new("unshare")
        .arg("-rm")
        .arg("--")
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .status()
        .expect("run unshare");
    assert!(status.success(), "the test inside the namespace failed");
}

fn inside_the_namespace() {
    let w = World::new();
    std::fs::create_dir_all(w.data()).unwrap();
    mount_tmpfs(&w.data(), "size=8m");
    let _stop = StopEngine(&w);

    // Documents indexed before the disk fills must come through intact.
    for i in 0..50 {
        w.write(&format!("early/e{i}.txt"), format!("gecko early {i}"));
    }
    w.index();
    // Words of their own in every file: the full-text index grows with each.
    for i in 0..600 {
        let words: Vec<String> = (0..120).map(|k| format!("w{i}x{k}")).collect();
        w.write(
            &format!("late/l{i}.txt"),
            format!("newt filler {}", words.join(" ")),
        );
    }
    let mut daemon = w.start_daemon(&[]);
    // Fill the filesystem but for a little room.
    let filler = w.data().join("filler");
    let free = free_bytes(&w.data());
    std::fs::write(&filler, vec![0u8; (free - ROOM) as usize]).unwrap();

    let id = w.background_job();
    // A generous ceiling: the engine's threads run at nice 10 and idle I/O
    // priority, so beside a CPU and I/O load they get little of either.
    wait_until(
        "the job is paused by the full disk",
        Duration::from_secs(180),
        || {
            let j = w.json(&["status", &id]);
            j["status"] == "paused" && j["pause_reason"] == "disk full"
        },
    );
    assert!(free_bytes(&w.data()) < ROOM, "the filesystem is full");
    assert_eq!(w.search("gecko").len(), 50, "earlier documents intact");

    // Space comes back: the engine resumes the job by itself.
    std::fs::remove_file(&filler).unwrap();
    wait_until(
        "the job completes after space returns",
        Duration::from_secs(120),
        || w.json(&["status", &id])["status"] == "completed",
    );
    assert_eq!(
        w.json(&["search", "filler", "--limit", "1000"])
            .as_array()
            .unwrap()
            .len(),
        600
    );
    assert_eq!(w.search("w599x119").len(), 1, "the last file's own words");
    w.ok(&["stop"]);
    daemon.wait().unwrap();
    assert_eq!(w.json(&["check"])["ok"], true);
}

fn mount_tmpfs(at: &Path, options: &str) {
    let target = CString::new(at.as_os_str().as_bytes()).unwrap();
    let options = CString::new(options).unwrap();
    // SAFETY: valid C strings; we are root of our own mount namespace.
    let rc = unsafe {
        libc::mount(
            c"tmpfs".as_ptr(),
            target.as_ptr(),
            c"tmpfs".as_ptr(),
            0,
            options.as_ptr().cast(),
        )
    };
    assert_eq!(rc, 0, "mount tmpfs: {}", std::io::Error::last_os_error());
}

fn free_bytes(at: &Path) -> u64 {
    let path = CString::new(at.as_os_str().as_bytes()).unwrap();
    // SAFETY: statvfs fills the zeroed struct we pass.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(path.as_ptr(), &mut stat) };
    assert_eq!(rc, 0);
    stat.f_bavail * stat.f_frsize
}
