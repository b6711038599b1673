//! A full disk during an engine job: the job pauses with the reason "disk
//! full", the engine tries it again by itself with a growing wait, and it
//! completes once there is room. The "disk" is the index's page limit
//! (`TEST_PAGE_LIMIT_ENV`), read whenever a store opens.
//!
//! The only test of this binary: it sets an environment variable for the
//! whole process.

use std::path::Path;
use std::time::{Duration, Instant};

use gleaner_core::engine::control::{self, Request, Response, SOCKET_FILE};
use gleaner_core::index::PAUSED_DISK_FULL;
use gleaner_core::scan::Unobserved;
use gleaner_core::search::SearchFilter;
use gleaner_core::source::NewSource;
use gleaner_core::store::{JobStatus, TEST_PAGE_LIMIT_ENV};
use gleaner_core::{DataDir, Index};

const DEADLINE: Duration = Duration::from_secs(120);

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn count(data_dir: &DataDir, query: &str) -> usize {
    Index::open(data_dir.clone())
        .unwrap()
        .search(query, &SearchFilter::default(), 10_000)
        .unwrap()
        .hits
        .iter()
        .map(|hit| 1 + hit.other_paths.len())
        .sum()
}

#[test]
fn a_full_disk_pauses_the_job_which_the_engine_retries() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes");
    for i in 0..20 {
        write(
            &notes.join(format!("early/e{i}.txt")),
            &format!("gecko {i}"),
        );
    }
    let data_dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
    let pages: i64 = {
        let mut index = Index::open(data_dir.clone()).unwrap();
        index
            .store()
            .set_setting("notify.desktop", "false")
            .unwrap();
        let source = index
            .add_source(NewSource {
                path: notes.clone(),
                recursive: true,
                ..NewSource::default()
            })
            .unwrap();
        index.scan(&source, "manual", &Unobserved).unwrap();
        rusqlite::Connection::open(data_dir.database())
            .unwrap()
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap()
    };
    // A few pages of room: the next big batch cannot fit.
    let limit_file = tmp.path().join("page-limit");
    std::fs::write(&limit_file, (pages + 8).to_string()).unwrap();
    std::env::set_var(TEST_PAGE_LIMIT_ENV, &limit_file);
    for i in 0..300 {
        write(
            &notes.join(format!("late/l{i}.txt")),
            &format!("newt{i} {}", "filler words for the pages ".repeat(40)),
        );
    }

    let (stop, shutdown) = crossbeam_channel::bounded::<()>(1);
    let engine = {
        let data_dir = data_dir.clone();
        std::thread::spawn(move || gleaner_core::engine::run(data_dir, shutdown, ()))
    };
    let socket = data_dir.path().join(SOCKET_FILE);
    wait_until("the engine answers", || control::ping(&socket));
    let id = match control::send(
        &socket,
        &Request::Scan {
            path: None,
            background: true,
        },
        Some(DEADLINE),
    )
    .unwrap()
    {
        Response::Jobs { ids, .. } => ids[0].clone(),
        other => panic!("a scan answered {other:?}"),
    };
    let job = || {
        Index::open(data_dir.clone())
            .unwrap()
            .store()
            .job(&id)
            .unwrap()
    };
    wait_until("the job is paused by the full disk", || {
        let job = job();
        job.status == JobStatus::Paused && job.pause_reason.as_deref() == Some(PAUSED_DISK_FULL)
    });
    // What was indexed before the disk filled is intact (and searchable
    // once the engine's search index has been built from the store).
    wait_until("the earlier documents are searchable", || {
        count(&data_dir, "gecko") == 20
    });
    // Room again: the engine's next try completes the job by itself.
    std::fs::remove_file(&limit_file).unwrap();
    wait_until("the job completes once there is room", || {
        job().status == JobStatus::Completed
    });
    assert_eq!(count(&data_dir, "filler"), 300);
    assert_eq!(count(&data_dir, "gecko"), 20);
    drop(stop);
    engine.join().unwrap().unwrap();
}
