//! End-to-end tests of indexing jobs across processes: background jobs,
//! pause / resume / cancel from the CLI against a running engine, and resume
//! after the engine is killed with SIGKILL at random points.

mod common;

use std::time::{Duration, Instant};

use common::{state, wait_until, StopEngine, World};
use serde_json::Value;

fn job(w: &World, id: &str) -> Value {
    w.json(&["status", id])
}

fn engine_pid(w: &World) -> Option<i32> {
    std::fs::read_to_string(w.data().join("engine.lock"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn kill(pid: i32, signal: i32) {
    // SAFETY: kill(2) on a pid we started.
    unsafe { libc::kill(pid, signal) };
}

#[test]
fn an_engine_started_while_the_old_one_exits_waits_it_out() {
    // The lock held by a process that does not answer: an engine killed an
    // instant ago, still being torn down (health already says none runs).
    let w = World::new();
    let _stop = StopEngine(&w);
    w.write("a.md", "ocelot");
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
    std::fs::create_dir_all(w.data()).unwrap();
    let lock = gleaner_core::lock::EngineLock::acquire(&w.data().join("engine.lock")).unwrap();
    let client = {
        let mut cmd = w.cmd();
        cmd.args(["index", "--background", "--json"]);
        std::thread::spawn(move || cmd.output().unwrap())
    };
    // The first engine it starts finds the lock taken and exits...
    let said = w.data().join("logs").join("engine-stderr.log");
    wait_until(
        "an engine gives up on the held lock",
        Duration::from_secs(120),
        || {
            std::fs::read_to_string(&said)
                .unwrap_or_default()
                .contains("already running")
        },
    );
    // ...then the old one is gone, and the client starts another.
    drop(lock);
    let out = client.join().unwrap();
    common::assert_success(&out, &["index", "--background"]);
    let id = serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_until("the job completes", Duration::from_secs(120), || {
        job(&w, &id)["status"] == "completed"
    });
}

#[test]
fn a_background_job_starts_an_engine_and_completes() {
    let w = World::new();
    let _stop = StopEngine(&w);
    for i in 0..50 {
        w.write(&format!("f{i}.txt"), format!("mongoose number {i}"));
    }
    let started = w.json(&["index", w.docs().to_str().unwrap(), "--background"]);
    let id = started["id"].as_str().expect("a job id").to_string();
    assert!(engine_pid(&w).is_some(), "an engine was started");
    wait_until("the job completes", Duration::from_secs(30), || {
        job(&w, &id)["status"] == "completed"
    });
    let done = job(&w, &id);
    assert_eq!(done["total_files"], 50, "{done}");
    assert_eq!(done["indexed_files"], 50);
    assert_eq!(done["failed_files"], 0);
    assert_eq!(done["total_chunks"], 50);
    assert!(done["error"].is_null());
    assert_eq!(
        w.json(&["search", "mongoose"]).as_array().unwrap().len(),
        10,
        "default limit"
    );
    let listed = w.json(&["jobs", "--status", "completed"]);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["id"] == id.as_str()));
}

/// People read times in their own zone (here a POSIX zone five and a half
/// hours east of UTC, which needs no time zone database).
#[test]
fn times_are_shown_in_the_local_zone_and_json_in_utc() {
    let w = World::new();
    w.write("a.txt", "ibex");
    w.index();
    let listed = w
        .cmd()
        .env("TZ", "XYZ-5:30")
        .args(["jobs"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains(" +05:30 "), "{listed}");
    // JSON keeps unix milliseconds, which no zone changes.
    let json = w.json(&["jobs"]);
    assert!(json[0]["created_at"].is_i64(), "{json}");
}

/// The id `index --background` prints when it has to start the engine is
/// the engine's own start-up job for that folder; pausing it must stop it.
#[test]
fn the_job_printed_on_a_cold_start_can_be_paused() {
    let w = World::new();
    let _stop = StopEngine(&w);
    for i in 0..6_000 {
        w.write(
            &format!("d{}/f{i}.txt", i % 60),
            format!("walrus {i} ").repeat(40),
        );
    }
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
    assert!(engine_pid(&w).is_none(), "no engine yet");
    let started = w.json(&["index", w.docs().to_str().unwrap(), "--background"]);
    let id = started["id"].as_str().expect("a job id").to_string();
    let said = w.ok(&["pause", &id]);
    // The command waits for the job to stop and says where it stopped.
    assert!(said.contains(&format!("paused job {id} after ")), "{said}");
    let paused = job(&w, &id);
    assert_eq!(paused["status"], "paused", "{paused}");
    assert_eq!(paused["pause_reason"], "paused by user", "{paused}");
    assert!(
        paused["indexed_files"].as_u64().unwrap() < 6_000,
        "paused before the end: {paused}"
    );
    // Stays paused: the engine answers, runs nothing, and the job's count
    // does not move.
    let running = w.json(&["jobs", "--status", "running"]);
    assert_eq!(running.as_array().unwrap().len(), 0, "{running}");
    std::thread::sleep(Duration::from_millis(500));
    let later = job(&w, &id);
    assert_eq!(later["status"], "paused", "{later}");
    assert_eq!(later["indexed_files"], paused["indexed_files"], "{later}");
    // Resumed, it finishes the rest without redoing what was done.
    w.ok(&["resume", &id]);
    wait_until(
        "the resumed job completes",
        Duration::from_secs(120),
        || job(&w, &id)["status"] == "completed",
    );
    let found = w.json(&["search", "walrus", "--limit", "10000"]);
    assert_eq!(found.as_array().unwrap().len(), 6_000);
    // A finished job says so, and when.
    let err = w.fails(&["pause", &id]);
    assert!(
        err.contains(&format!("job {id} already completed")),
        "{err}"
    );
    assert!(err.contains("s ago: there is nothing to pause"), "{err}");
}

#[test]
fn pause_resume_and_cancel_from_another_process() {
    let w = World::new();
    let _stop = StopEngine(&w);
    w.write("a.txt", "narwhal");
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
    // Pause all indexing first, so the jobs below wait in the queue and each
    // state can be observed without racing the indexer.
    w.ok(&["pause"]);
    let id = w.json(&["index", "--background"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(job(&w, &id)["status"], "queued");

    w.ok(&["pause", &id]);
    assert_eq!(job(&w, &id)["status"], "paused");
    assert_eq!(job(&w, &id)["pause_reason"], "paused by user");
    // A job the user paused stays paused when all indexing resumes...
    w.ok(&["resume"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(job(&w, &id)["status"], "paused");
    // ...and across an engine restart.
    w.ok(&["stop"]);
    w.json(&["index", "--background"]); // starts a new engine (and a job of its own)
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(job(&w, &id)["status"], "paused");
    // Resuming it runs it to completion.
    w.ok(&["resume", &id]);
    wait_until("the resumed job completes", Duration::from_secs(30), || {
        job(&w, &id)["status"] == "completed"
    });

    // Cancel a queued job.
    w.ok(&["pause"]);
    let doomed = w.json(&["index", "--background"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    w.ok(&["cancel", &doomed]);
    assert_eq!(job(&w, &doomed)["status"], "cancelled");
    assert!(job(&w, &doomed)["completed_at"].is_number());
    // Illegal moves are refused with a clear error.
    let err = w.fails(&["resume", &doomed]);
    assert!(err.contains("cannot become"), "{err}");
    let err = w.fails(&["pause", "no-such-job"]);
    assert!(err.contains("no indexing job"), "{err}");
    w.ok(&["resume"]);
}

/// Trials of the SIGKILL tests: `GLEANER_CRASH_TRIALS`, 20 by default.
fn crash_trials() -> usize {
    std::env::var("GLEANER_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// A seeded xorshift generator: the kill points repeat from run to run.
fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// Counts active documents and checks the index's integrity.
fn active_documents(w: &World) -> i64 {
    w.db()
        .query_row("SELECT count(*) FROM documents WHERE active = 1", [], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn jobs_survive_sigkill_at_random_points() {
    let trials = crash_trials();
    let w = World::new();
    let _stop = StopEngine(&w);
    let n_files = 4000;
    for i in 0..n_files {
        // Every file unique, a few hundred bytes, in 30 folders.
        w.write(
            &format!("d{}/f{i}.md", i % 30),
            format!("# note {i}\n\nquokka{i} {}\n", "text ".repeat(60 + i % 40)),
        );
    }
    w.ok(&["config", "set", "index.workers", "1"]);
    let mut rng = xorshift(0x9e37_79b9_7f4a_7c15);
    // How long a first index takes here, so the kills can be spread over it.
    let calibration = w.dir.path().join("calibration");
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args([
            "--data-dir",
            calibration.to_str().unwrap(),
            "index",
            w.docs().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut full_ms = (started.elapsed().as_millis() as u64).max(50);
    // The tree does not change, so the calibration run is the from-scratch
    // index every resumed job must end up equal to.
    let prefix = state::prefix_of(&w.docs());
    let scratch = state::read_index(&calibration.join("gleaner.db"), &prefix);
    let disk = state::disk_state(&w.docs());
    let mut killed_mid_job = 0;
    for trial in 0..trials {
        // Every trial is a first index, killed at a random point of it.
        let _ = std::fs::remove_dir_all(w.data());
        w.ok(&["config", "set", "index.workers", "1"]);
        let id = w.json(&["index", w.docs().to_str().unwrap(), "--background"])["id"]
            .as_str()
            .unwrap()
            .to_string();
        std::thread::sleep(Duration::from_millis(rng() % (full_ms * 9 / 10)));
        let pid = engine_pid(&w).expect("engine pid");
        if job(&w, &id)["status"] != "completed" {
            killed_mid_job += 1;
            // Kills spread over the job as it now runs: the machine may
            // get slower or faster over a long run (other work ends), and
            // a kill after the job ended tests only a restart.
            full_ms = full_ms * 21 / 20;
        } else {
            full_ms = (full_ms * 2 / 3).max(50);
        }
        kill(pid, libc::SIGKILL);
        wait_until(
            "the killed engine stops answering",
            Duration::from_secs(10),
            || {
                w.cmd()
                    .args(["health", "--json"])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).contains("\"engine\": null"))
                    .unwrap_or(false)
            },
        );
        // A new engine resumes the job.
        let out = w
            .cmd()
            .args(["index", "--background", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "restart: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            w.log_tail()
        );
        let mut last = Value::Null;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            last = job(&w, &id);
            if last["status"] == "completed" {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        assert_eq!(
            last["status"],
            "completed",
            "trial {trial}: the interrupted job was not resumed: {last}\njobs: {}",
            w.json(&["jobs"])
        );
        wait_until("all jobs finish", Duration::from_secs(60), || {
            w.json(&["jobs"])
                .as_array()
                .unwrap()
                .iter()
                .all(|j| j["status"] == "completed")
        });
        assert_eq!(
            active_documents(&w),
            n_files as i64,
            "trial {trial}: every file indexed once"
        );
        let duplicates: i64 = w
            .db()
            .query_row(
                "SELECT count(*) - count(DISTINCT path) FROM documents",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(duplicates, 0);
        let probe = (rng() % n_files as u64) as usize;
        assert_eq!(
            w.search(&format!("quokka{probe}")).len(),
            1,
            "trial {trial}: quokka{probe} is findable"
        );
        w.ok(&["stop"]);
        let check = w.json(&["check"]);
        assert_eq!(check["ok"], true, "trial {trial}: {check}");
        let live = state::read_index(&w.data().join("gleaner.db"), &prefix);
        let problems = state::compare(&live, &scratch, &disk);
        assert!(
            problems.is_empty(),
            "trial {trial}: the resumed index differs from a fresh one:\n{}",
            problems.join("\n")
        );
    }
    assert!(
        killed_mid_job * 2 >= trials,
        "most kills must land mid-job ({killed_mid_job} of {trials})"
    );
}

#[test]
fn search_sees_a_job_s_progress_while_it_runs() {
    let w = World::new();
    let _stop = StopEngine(&w);
    let n_files = 4000;
    for i in 0..n_files {
        w.write(
            &format!("d{}/f{i}.txt", i % 40),
            format!("wombat {i} {}", "filler ".repeat(50)),
        );
    }
    w.ok(&["config", "set", "index.workers", "1"]);
    let id = w.json(&["index", w.docs().to_str().unwrap(), "--background"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut partial_views = 0;
    loop {
        let found = w
            .json(&["search", "wombat", "--limit", "100000"])
            .as_array()
            .unwrap()
            .len();
        let status = job(&w, &id);
        if status["status"] == "completed" {
            break;
        }
        // Still running after the search: what the search saw was committed
        // mid-job (batches commit at least every 250 ms).
        if found > 0 && found < n_files {
            partial_views += 1;
            assert!(status["files_per_s"].as_f64().unwrap() > 0.0, "{status}");
            assert!(status["eta_s"].is_number(), "{status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        partial_views >= 1,
        "a search during the job returned what was indexed so far"
    );
    assert_eq!(
        w.json(&["search", "wombat", "--limit", "100000"])
            .as_array()
            .unwrap()
            .len(),
        n_files
    );
}

#[test]
fn a_full_disk_pauses_the_job_which_resumes_by_itself() {
    let w = World::new();
    let _stop = StopEngine(&w);
    // Documents indexed before the disk fills must come through intact.
    for i in 0..50 {
        w.write(&format!("early/e{i}.txt"), format!("gecko early {i}"));
    }
    w.index();
    let limit_file = w.dir.path().join("page-limit");
    let pages: i64 = w
        .db()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    // A few pages of room: the next big batch cannot fit.
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
        || {
            let j = job(&w, &id);
            j["status"] == "paused" && j["pause_reason"] == "disk full"
        },
    );
    assert_eq!(w.search("gecko").len(), 50, "earlier documents intact");
    // Space comes back: the engine resumes the job by itself.
    std::fs::remove_file(&limit_file).unwrap();
    wait_until(
        "the job completes after space returns",
        Duration::from_secs(120),
        || job(&w, &id)["status"] == "completed",
    );
    assert_eq!(
        w.json(&["search", "filler", "--limit", "1000"])
            .as_array()
            .unwrap()
            .len(),
        600
    );
    w.ok(&["stop"]);
    daemon.wait().unwrap();
    assert_eq!(w.json(&["check"])["ok"], true);
    assert_eq!(active_documents(&w), 650);
}

/// Active documents by path with their stat, and every visible file on disk
/// with its stat: after a crash and restart, the two must become equal.
/// A path with its size and inode.
type Listing = Vec<(String, i64, i64)>;

fn index_vs_disk(w: &World) -> (Listing, Listing) {
    use std::os::unix::fs::MetadataExt;
    let db = w.db();
    let mut stmt = db
        .prepare("SELECT path, size, inode FROM documents WHERE active = 1 ORDER BY path")
        .unwrap();
    let indexed: Listing = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut on_disk = Vec::new();
    let mut stack = vec![w.docs()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let meta = std::fs::symlink_metadata(entry.path()).unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.is_file() {
                on_disk.push((
                    entry.path().to_string_lossy().into_owned(),
                    meta.size() as i64,
                    meta.ino() as i64,
                ));
            }
        }
    }
    on_disk.sort();
    (indexed, on_disk)
}

#[test]
fn sigkill_during_rescans_and_live_bursts_converges() {
    let trials = crash_trials();
    let w = World::new();
    let _stop = StopEngine(&w);
    let n_files = 1500;
    for i in 0..n_files {
        w.write(
            &format!("d{}/f{i}.md", i % 15),
            format!("salamander{i} {}", "text ".repeat(50 + i % 30)),
        );
    }
    w.ok(&["config", "set", "index.workers", "1"]);
    w.index();
    let mut rng = xorshift(0x2545_f491_4f6c_dd1d);
    let mut generation = 0u64;
    for trial in 0..trials {
        // An engine, busy with a rescan and a burst of live changes...
        let id = w.json(&["index", "--background"])["id"]
            .as_str()
            .unwrap()
            .to_string();
        generation += 1;
        for _ in 0..150 {
            let i = (rng() % n_files as u64) as usize;
            let path = w.path(&format!("d{}/f{i}.md", i % 15));
            match rng() % 4 {
                0 => {
                    let _ = std::fs::remove_file(&path);
                }
                1 => {
                    let to = w.path(&format!("d{}/f{i}.md", (i + 1) % 15));
                    let _ = std::fs::rename(&path, to);
                }
                _ => {
                    let _ = std::fs::write(&path, format!("salamander{i} gen{generation} changed"));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(rng() % 1500));
        // ...killed at a random point of it.
        let pid = engine_pid(&w).expect("engine pid");
        kill(pid, libc::SIGKILL);
        wait_until(
            "the killed engine stops answering",
            Duration::from_secs(10),
            || {
                w.cmd()
                    .args(["health", "--json"])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).contains("\"engine\": null"))
                    .unwrap_or(false)
            },
        );
        // A new engine resumes the job, rescans at start-up and converges.
        w.json(&["index", "--background"]);
        wait_until(
            "the interrupted job completes",
            Duration::from_secs(120),
            || job(&w, &id)["status"] == "completed",
        );
        let mut last = (Vec::new(), Vec::new());
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            last = index_vs_disk(&w);
            if last.0 == last.1 {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(
            last.0 == last.1,
            "trial {trial}: the index does not match the disk ({} indexed, {} on disk)",
            last.0.len(),
            last.1.len()
        );
        w.ok(&["stop"]);
        let check = w.json(&["check"]);
        assert_eq!(check["ok"], true, "trial {trial}: {check}");
        // The same comparison as the convergence test: equal to a fresh
        // index of the tree as it now is, and to the disk.
        let prefix = state::prefix_of(&w.docs());
        let scratch_data = w.dir.path().join(format!("scratch-{trial}"));
        let scratch = state::scratch_index(
            std::path::Path::new(env!("CARGO_BIN_EXE_gleaner")),
            &scratch_data,
            &w.docs(),
        );
        let live = state::read_index(&w.data().join("gleaner.db"), &prefix);
        let problems = state::compare(&live, &scratch, &state::disk_state(&w.docs()));
        assert!(
            problems.is_empty(),
            "trial {trial}: the converged index differs from a fresh one:\n{}",
            problems.join("\n")
        );
        let _ = std::fs::remove_dir_all(&scratch_data);
    }
}
