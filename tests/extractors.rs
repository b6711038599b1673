//! Hostile documents against the real `gleaner`: parsers run in extractor
//! processes, so a file that crashes, overflows or exhausts its parser fails
//! alone with its reason, the rest of the folder is indexed, the engine
//! stays up, and the file is not tried again until it changes (the crash
//! loop a single downloaded attachment once caused).

mod common;

use std::time::Duration;

use common::{counts, fixtures, wait_until, StopEngine, World};

const STACK_OVERFLOW: &str = "stack overflow in the PDF parser";

fn hostile_folder(w: &World) {
    w.write("attack/nested.pdf", fixtures::nested_array_pdf(500_000));
    w.write(
        "papers/zebra.pdf",
        fixtures::pdf("zebra stripes in a real PDF"),
    );
    w.write("letters/okapi.docx", fixtures::docx(&["okapi letter"]));
    w.write("notes/giraffe.txt", "giraffe notes\n");
}

/// The failed file's error and how many times it was tried.
fn failure_of(w: &World, rel: &str) -> (Option<String>, i64) {
    w.db()
        .query_row(
            "SELECT error, error_count FROM documents WHERE path = ?1",
            [w.path(rel).to_str().unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn a_pdf_that_overflows_its_parser_fails_alone_and_is_not_read_again() {
    let w = World::new();
    hostile_folder(&w);
    let first = w.index();
    assert_eq!(counts(&first), [3, 0, 0, 0, 0, 1], "{first}");
    for word in ["zebra", "okapi", "giraffe"] {
        assert_eq!(w.search(word).len(), 1, "{word} is searchable");
    }
    let (error, tries) = failure_of(&w, "attack/nested.pdf");
    assert_eq!(error.as_deref(), Some(STACK_OVERFLOW));
    assert_eq!(tries, 1);
    let status = w.ok(&["status"]);
    assert!(status.contains(STACK_OVERFLOW), "{status}");

    // Unchanged: not handed to a parser again, whatever the backoff.
    let second = w.index();
    assert_eq!(counts(&second), [0, 0, 0, 0, 4, 0], "{second}");
    assert_eq!(failure_of(&w, "attack/nested.pdf").1, 1);

    // Changed into a good PDF: read again, and indexed.
    w.write(
        "attack/nested.pdf",
        fixtures::pdf("now a harmless aardvark"),
    );
    let third = w.index();
    assert_eq!(counts(&third), [0, 1, 0, 0, 3, 0], "{third}");
    assert_eq!(failure_of(&w, "attack/nested.pdf"), (None, 0));
    assert_eq!(w.search("aardvark").len(), 1);
}

#[test]
fn the_daemon_stays_up_through_a_hostile_pdf_and_after_a_restart() {
    let w = World::new();
    hostile_folder(&w);
    w.ok(&["source", "add", w.docs().to_str().unwrap()]);
    let _stop = StopEngine(&w);
    let mut daemon = w.start_daemon(&[]);
    let settled = |w: &World| {
        let jobs = w.json(&["jobs"]);
        let jobs = jobs.as_array().unwrap();
        !jobs.is_empty() && jobs.iter().all(|j| j["status"] == "completed")
    };
    wait_until(
        "the start-up job completes",
        Duration::from_secs(120),
        || settled(&w),
    );
    assert!(daemon.try_wait().unwrap().is_none(), "the daemon died");
    assert_eq!(w.search("zebra").len(), 1);
    assert_eq!(
        failure_of(&w, "attack/nested.pdf"),
        (Some(STACK_OVERFLOW.into()), 1)
    );
    // A live change next to the hostile file is indexed too.
    w.write("attack/after.txt", "capybara arrived later\n");
    wait_until(
        "the live change is searchable",
        Duration::from_secs(60),
        || w.search("capybara").len() == 1,
    );

    // Killed and started again: its start-up scan does not retry the
    // file, so there is no crash loop (there could not be one anyway).
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let mut daemon = w.start_daemon(&[]);
    wait_until(
        "the second start-up job completes",
        Duration::from_secs(120),
        || {
            let jobs = w.json(&["jobs"]);
            jobs.as_array()
                .unwrap()
                .iter()
                .filter(|j| j["trigger"] == "startup")
                .count()
                >= 2
                && settled(&w)
        },
    );
    assert!(daemon.try_wait().unwrap().is_none(), "the daemon died");
    assert_eq!(failure_of(&w, "attack/nested.pdf").1, 1);
    w.ok(&["stop"]);
    let status = daemon.wait().unwrap();
    assert!(status.success(), "{status}");
}
