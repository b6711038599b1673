//! A damaged or foreign index database: every command says so clearly and
//! points at `gleaner rebuild`, which keeps the bad file aside (never
//! deleted), creates a new index with the sources it could still read, and
//! indexes them again.

mod common;

use std::path::PathBuf;

use common::World;

/// A world with `n` indexed files, the engine stopped.
fn indexed_world(n: usize) -> World {
    let w = World::new();
    for i in 0..n {
        w.write(
            &format!("d{}/f{i}.txt", i % 10),
            format!("heron{i} {}", "wading bird ".repeat(40)),
        );
    }
    w.ok(&[
        "source",
        "add",
        w.docs().to_str().unwrap(),
        "--exclude",
        "skip/",
    ]);
    w.index();
    w
}

fn database(w: &World) -> PathBuf {
    w.data().join("gleaner.db")
}

/// The files set aside by a rebuild.
fn kept_aside(w: &World) -> Vec<PathBuf> {
    let mut kept: Vec<PathBuf> = std::fs::read_dir(w.data())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("gleaner.db.corrupt-")
                && !p.to_string_lossy().ends_with("-wal")
                && !p.to_string_lossy().ends_with("-shm")
        })
        .collect();
    kept.sort();
    kept
}

fn assert_refused_with_hint(w: &World, args: &[&str]) {
    let err = w.fails(args);
    assert!(
        err.contains("is not a usable Gleaner index") || err.contains("malformed"),
        "{args:?}: {err}"
    );
    assert!(err.contains("gleaner rebuild"), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn random_bytes_are_refused_then_rebuilt_without_sources() {
    let w = indexed_world(20);
    // Not SQLite at all; the old WAL and shm go with the old file.
    let garbage: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(database(&w), &garbage).unwrap();
    let _ = std::fs::remove_file(w.data().join("gleaner.db-wal"));
    let _ = std::fs::remove_file(w.data().join("gleaner.db-shm"));
    for args in [&["status"][..], &["search", "heron1"], &["index"]] {
        assert_refused_with_hint(&w, args);
    }
    assert!(
        std::fs::read(database(&w)).unwrap() == garbage,
        "not touched"
    );
    let rebuilt = w.json(&["rebuild"]);
    assert!(rebuilt["sources_lost"].is_string(), "{rebuilt}");
    let kept = kept_aside(&w);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(
        std::fs::read(&kept[0]).unwrap() == garbage,
        "kept as it was"
    );
    // A fresh, empty index: the folders must be added again.
    assert!(w.json(&["source", "list"]).as_array().unwrap().is_empty());
    w.index();
    assert_eq!(w.search("heron7").len(), 1);
    assert_eq!(w.json(&["check"])["ok"], true);
}

#[test]
fn a_foreign_sqlite_file_is_refused_and_never_migrated() {
    let w = World::new();
    std::fs::create_dir_all(w.data()).unwrap();
    {
        let conn = rusqlite::Connection::open(database(&w)).unwrap();
        conn.execute_batch(
            "CREATE TABLE photos (id INTEGER PRIMARY KEY, title TEXT);
             INSERT INTO photos (title) VALUES ('sunset');",
        )
        .unwrap();
    }
    let before = std::fs::read(database(&w)).unwrap();
    assert_refused_with_hint(&w, &["status"]);
    assert!(
        std::fs::read(database(&w)).unwrap() == before,
        "somebody else's database was changed"
    );
    let rebuilt = w.json(&["rebuild"]);
    assert!(rebuilt["sources_lost"].is_string(), "{rebuilt}");
    let kept = kept_aside(&w);
    let title: String = rusqlite::Connection::open(&kept[0])
        .unwrap()
        .query_row("SELECT title FROM photos", [], |r| r.get(0))
        .unwrap();
    assert_eq!(title, "sunset", "the foreign file is kept intact");
    w.ok(&["status"]);
}

#[test]
fn a_truncated_index_is_rebuilt_with_its_sources() {
    let w = indexed_world(1500);
    let db = database(&w);
    let len = std::fs::metadata(&db).unwrap().len();
    assert!(len > 256 * 1024, "{len}");
    // Keep the first pages (header, schema, the sources table) and lose the
    // rest, as a disk that filled up or a copy cut short would.
    let file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    file.set_len(len / 3).unwrap();
    drop(file);
    // The engine refuses it (its pages are gone), pointing at the rebuild.
    let out = w.cmd().args(["daemon"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gleaner rebuild"), "{err}");
    let check = w.cmd().args(["check", "--json"]).output().unwrap();
    assert!(
        !check.status.success() || String::from_utf8_lossy(&check.stdout).contains("false"),
        "check sees the damage"
    );

    let rebuilt = w.json(&["rebuild"]);
    assert!(rebuilt["sources_lost"].is_null(), "{rebuilt}");
    assert_eq!(rebuilt["sources"].as_array().unwrap().len(), 1, "{rebuilt}");
    assert_eq!(rebuilt["index"]["new"], 1500, "{rebuilt}");
    assert_eq!(kept_aside(&w).len(), 1);
    // The source kept its rules.
    let sources = w.json(&["source", "list"]);
    assert_eq!(sources[0]["exclude"][0], "skip/", "{sources}");
    assert_eq!(w.search("heron1234").len(), 1);
    assert_eq!(w.json(&["check"])["ok"], true);
}

#[test]
fn rebuild_refuses_while_an_engine_runs() {
    let w = indexed_world(3);
    let mut daemon = w.start_daemon(&[]);
    let err = w.fails(&["rebuild"]);
    assert!(err.contains("gleaner stop"), "{err}");
    assert!(kept_aside(&w).is_empty());
    w.ok(&["stop"]);
    daemon.wait().unwrap();
}
