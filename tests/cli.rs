//! End-to-end tests of the `gleaner` command on real temp directories: every
//! change class, the ignore and glob rules, each document format, hostile
//! files, search ranking and the CLI's error contract.

mod common;

use common::fixtures;

use common::{counts, is_root, World};

#[test]
fn every_change_class_is_detected() {
    let w = World::new();
    w.write("keep.txt", "unchanged alpha text");
    w.write("edit.txt", "original bravo text");
    w.write("gone.txt", "doomed charlie text");
    w.write("rename.txt", "wandering delta text");
    w.write("copy/src.txt", "travelling echo text");
    assert_eq!(counts(&w.index()), [5, 0, 0, 0, 0, 0]);

    std::fs::write(w.path("edit.txt"), "rewritten foxtrot text, longer").unwrap();
    std::fs::remove_file(w.path("gone.txt")).unwrap();
    std::fs::rename(w.path("rename.txt"), w.path("renamed.txt")).unwrap();
    // A move by copy + delete: new inode, same bytes.
    std::fs::create_dir_all(w.path("elsewhere")).unwrap();
    std::fs::copy(w.path("copy/src.txt"), w.path("elsewhere/dst.txt")).unwrap();
    std::fs::remove_file(w.path("copy/src.txt")).unwrap();
    w.write("fresh.txt", "brand new golf text");

    let run = w.index();
    // new, modified, moved, deleted, unchanged, failed
    assert_eq!(counts(&run), [1, 1, 2, 1, 1, 0], "{run}");
    assert_eq!(w.search_names("foxtrot"), ["edit.txt"]);
    assert!(
        w.search_names("bravo").is_empty(),
        "old text must leave the index"
    );
    assert!(
        w.search_names("charlie").is_empty(),
        "deleted files leave search at once"
    );
    assert_eq!(w.search_names("delta"), ["renamed.txt"]);
    assert_eq!(w.search_names("echo"), ["elsewhere/dst.txt"]);
    assert_eq!(w.search_names("golf"), ["fresh.txt"]);

    // A deleted document is kept, inactive, with its deletion time.
    let (active, deleted_at): (bool, Option<i64>) = w
        .db()
        .query_row(
            "SELECT active, deleted_at FROM documents WHERE name = 'gone.txt'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(!active);
    assert!(deleted_at.is_some());

    // Nothing changed: nothing is read.
    let again = w.index();
    assert_eq!(counts(&again), [0, 0, 0, 0, 5, 0]);
    assert_eq!(again["bytes_read"], 0);
}

#[test]
fn a_deleted_file_that_comes_back_is_new_again() {
    let w = World::new();
    w.write("a.txt", "phoenix rises");
    w.index();
    std::fs::remove_file(w.path("a.txt")).unwrap();
    assert_eq!(counts(&w.index())[3], 1);
    assert!(w.search_names("phoenix").is_empty());
    w.write("a.txt", "phoenix rises");
    assert_eq!(counts(&w.index()), [1, 0, 0, 0, 0, 0]);
    assert_eq!(w.search_names("phoenix"), ["a.txt"]);
}

#[test]
fn identical_files_share_one_content_but_are_separate_hits() {
    let w = World::new();
    w.write("one.txt", "twin content about hydrangeas");
    w.write("two/one.txt", "twin content about hydrangeas");
    w.index();
    assert_eq!(w.search_names("hydrangeas"), ["one.txt", "two/one.txt"]);
    let contents: i64 = w
        .db()
        .query_row("SELECT count(*) FROM contents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(contents, 1);
}

#[test]
fn a_moved_large_file_is_not_read_again() {
    let w = World::new();
    let line = "the quick brown fox jumps over the lazy dog while indexing large files\n";
    w.write("big.txt", line.repeat(10 * 1024 * 1024 / line.len()));
    let first = w.index();
    assert!(first["bytes_read"].as_u64().unwrap() >= 10_000_000);
    std::fs::create_dir_all(w.path("archive")).unwrap();
    std::fs::rename(w.path("big.txt"), w.path("archive/big.txt")).unwrap();
    let moved = w.index();
    assert_eq!(counts(&moved), [0, 0, 1, 0, 0, 0]);
    assert_eq!(
        moved["bytes_read"], 0,
        "a rename costs no read and no extraction"
    );
    assert_eq!(moved["chunks"], 0);
    assert_eq!(w.search_names("lazy"), ["archive/big.txt"]);
}

#[test]
fn gitignore_only_counts_inside_git_repositories() {
    let w = World::new();
    w.write("plain/.gitignore", "/*\n");
    w.write(
        "plain/visible.txt",
        "outside git the gitignore is ignored: kumquat",
    );
    w.write("repo/.git/HEAD", "ref: refs/heads/main\n");
    w.write("repo/.gitignore", "build/\n");
    w.write("repo/src/main.txt", "kumquat source");
    w.write("repo/build/out.txt", "kumquat build output");
    w.write(".hidden/secret.txt", "kumquat hidden");
    w.write("notes/.gleanerignore", "private.txt\n");
    w.write("notes/private.txt", "kumquat private");
    w.index();
    assert_eq!(
        w.search_names("kumquat"),
        ["plain/visible.txt", "repo/src/main.txt"]
    );
}

#[test]
fn include_and_exclude_globs_are_relative_to_the_source_root() {
    let w = World::new();
    w.write("docs/guide.md", "mango guide");
    w.write("docs/drafts/wip.md", "mango draft");
    w.write("src/code.rs", "// mango code");
    w.write("nested/docs/other.md", "mango nested");
    let docs = w.docs();
    w.ok(&[
        "source",
        "add",
        docs.to_str().unwrap(),
        "--include",
        "docs/**/*.md",
        "--include",
        "*.rs",
        "--exclude",
        "docs/drafts/",
    ]);
    w.ok(&["index"]);
    assert_eq!(w.search_names("mango"), ["docs/guide.md", "src/code.rs"]);

    // Changing the rules and rescanning drops what they no longer include.
    w.ok(&[
        "source",
        "set",
        docs.to_str().unwrap(),
        "--include",
        "**/*.md",
        "--clear-exclude",
    ]);
    let run = w.json(&["index"]);
    assert_eq!(counts(&run)[3], 1, "code.rs is now excluded: {run}");
    assert_eq!(
        w.search_names("mango"),
        [
            "docs/drafts/wip.md",
            "docs/guide.md",
            "nested/docs/other.md"
        ]
    );
}

#[test]
fn non_recursive_sources_stay_at_the_top() {
    let w = World::new();
    w.write("top.txt", "papaya top");
    w.write("sub/deep.txt", "papaya deep");
    let docs = w.docs();
    w.ok(&["source", "add", docs.to_str().unwrap(), "--no-recursive"]);
    w.ok(&["index"]);
    assert_eq!(w.search_names("papaya"), ["top.txt"]);
}

#[test]
fn every_format_is_extracted() {
    let w = World::new();
    w.write("plain.txt", "zebra in plain text");
    w.write("notes.md", "# Heading\n\nzebra in *markdown*");
    w.write("code.rs", "fn main() { println!(\"zebra in rust\"); }");
    w.write("page.html", "<html><head><style>.zebra{}</style><script>zebraScript()</script></head><body><h1>Zebra &amp; friends</h1><p>zebra in html</p></body></html>");
    w.write("paper.pdf", fixtures::pdf("zebra in a portable document"));
    w.write(
        "letter.docx",
        fixtures::docx(&["Dear reader,", "zebra in a word document"]),
    );
    w.write("report.odt", fixtures::odt(&["zebra in an open document"]));
    // Windows-1252: "café zebra" with é as 0xE9.
    w.write("legacy.txt", b"caf\xe9 zebra legacy encoding");
    w.write("image.png", b"\x89PNG\r\n\x1a\n\0\0\0zebra");
    w.write("blob.bin", b"zebra\0\0\0binary");
    let run = w.index();
    assert_eq!(counts(&run), [10, 0, 0, 0, 0, 0], "{run}");
    assert_eq!(
        w.search_names("zebra"),
        [
            "code.rs",
            "legacy.txt",
            "letter.docx",
            "notes.md",
            "page.html",
            "paper.pdf",
            "plain.txt",
            "report.odt"
        ]
    );
    assert!(
        w.search_names("zebraScript").is_empty(),
        "script text is not document text"
    );
    assert_eq!(
        w.search_names("cafe"),
        ["legacy.txt"],
        "diacritics are folded and legacy text decoded"
    );
    // Files without text are still found by name.
    assert_eq!(w.search_names("image"), ["image.png"]);
    // Each content records which extractor made it.
    let extractors: Vec<String> = {
        let db = w.db();
        let mut stmt = db
            .prepare("SELECT DISTINCT extractor FROM contents ORDER BY 1")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    };
    assert!(extractors.len() >= 5, "{extractors:?}");
    assert!(
        extractors.iter().all(|e| e.contains('/')),
        "extractor ids carry a version: {extractors:?}"
    );
}

#[test]
fn an_outdated_extractor_version_is_re_extracted() {
    let w = World::new();
    w.write("a.txt", "quince text");
    w.index();
    w.db()
        .execute("UPDATE contents SET extractor = 'text/0'", [])
        .unwrap();
    let run = w.index();
    assert_eq!(run["chunks"], 1, "the text is extracted again: {run}");
    let extractor: String = w
        .db()
        .query_row("SELECT extractor FROM contents", [], |r| r.get(0))
        .unwrap();
    assert_ne!(extractor, "text/0");
    assert_eq!(w.search_names("quince"), ["a.txt"]);
    assert_eq!(w.index()["chunks"], 0, "and only once");
}

#[test]
fn a_malformed_pdf_fails_alone_and_is_not_retried_until_it_changes() {
    let w = World::new();
    w.write("good.txt", "walrus good");
    let mut broken = fixtures::pdf("walrus broken");
    broken.truncate(broken.len() / 2);
    w.write("broken.pdf", broken);
    w.write(
        "garbage.pdf",
        b"%PDF-1.7\n\xff\xfe garbage that is no pdf at all \x00\x01",
    );
    let run = w.index();
    assert_eq!(counts(&run)[0] + counts(&run)[5], 3, "{run}");
    assert!(counts(&run)[5] >= 1, "a malformed pdf is a failure: {run}");
    assert_eq!(
        w.search_names("walrus").first().map(String::as_str),
        Some("good.txt")
    );
    let status = w.json(&["status"]);
    let failed = status[0]["failed_files"].as_array().unwrap();
    assert!(failed
        .iter()
        .any(|f| f["path"].as_str().unwrap().ends_with("garbage.pdf")
            && !f["error"].as_str().unwrap().is_empty()));
    let again = w.index();
    assert_eq!(
        counts(&again),
        [0, 0, 0, 0, 3, 0],
        "failed files are not retried every run: {again}"
    );
    w.write("garbage.pdf", fixtures::pdf("walrus repaired"));
    let repaired = w.index();
    assert_eq!(counts(&repaired)[1], 1, "{repaired}");
    assert!(w
        .search_names("repaired")
        .contains(&"garbage.pdf".to_string()));
}

#[test]
fn an_unreadable_file_fails_alone_with_its_error() {
    let w = World::new();
    w.write("open.txt", "narwhal readable");
    let secret = w.write("secret.txt", "narwhal secret");
    std::fs::create_dir_all(w.data()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = if is_root() {
        // Root reads everything: drop to nobody so the permission bites.
        for dir in [w.dir.path().to_path_buf(), w.docs(), w.data()] {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        std::fs::set_permissions(w.path("open.txt"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_gleaner"),
        ]);
        cmd
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
    };
    let out = cmd
        .arg("--data-dir")
        .arg(w.data())
        .args(["index", w.docs().to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    common::assert_success(&out, &["index (unprivileged)"]);
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(counts(&run), [1, 0, 0, 0, 0, 1], "{run}");
    let error: String = w
        .db()
        .query_row(
            "SELECT error FROM documents WHERE name = 'secret.txt'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(error, "permission denied");
}

#[test]
fn search_ranks_and_highlights() {
    let w = World::new();
    w.write(
        "many.txt",
        "ocelot ocelot ocelot: the ocelot is a wild cat. ocelot.",
    );
    w.write(
        "once.txt",
        format!(
            "{} ocelot appears once here {}",
            "filler words ".repeat(40),
            "more filler ".repeat(40)
        ),
    );
    w.write("ocelot-notes.txt", "notes about nothing in particular");
    w.write("running.txt", "the runner was running and runs");
    w.index();
    let hits = w.json(&["search", "ocelot"]);
    let hits = hits.as_array().unwrap();
    let names: Vec<&str> = hits.iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(names[0], "many.txt", "{names:?}");
    assert!(
        names.contains(&"once.txt") && names.contains(&"ocelot-notes.txt"),
        "file names are searchable: {names:?}"
    );
    let once = hits.iter().find(|h| h["name"] == "once.txt").unwrap();
    assert!(
        once["snippet"].as_str().unwrap().contains("**ocelot**"),
        "{once}"
    );
    assert_eq!(once["line_start"], 1);
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(
        scores.windows(2).all(|p| p[0] >= p[1]),
        "sorted by score: {scores:?}"
    );
    // Stemming: "run" finds running/runs.
    assert_eq!(w.search_names("run"), ["running.txt"]);
    // Phrases, exclusion, extension and limit filters.
    assert_eq!(w.search_names("\"wild cat\""), ["many.txt"]);
    assert_eq!(w.search_names("ocelot -wild").len(), 2);
    assert_eq!(
        w.json(&["search", "ocelot", "--limit", "1"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(w
        .json(&["search", "ocelot", "--ext", "md"])
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn line_ranges_point_into_the_file() {
    let w = World::new();
    let text: String = (1..=400)
        .map(|i| {
            if i == 321 {
                "the needle line\n".to_string()
            } else {
                format!("hay line {i}\n")
            }
        })
        .collect();
    w.write("hay.txt", text);
    w.index();
    let hit = &w.json(&["search", "needle"])[0];
    let (start, end) = (
        hit["line_start"].as_i64().unwrap(),
        hit["line_end"].as_i64().unwrap(),
    );
    assert!(
        start <= 321 && 321 <= end && end - start < 80,
        "{start}-{end}"
    );
}

#[test]
fn cli_errors_are_one_clear_line_and_lose_nothing() {
    let w = World::new();
    w.write("a.txt", "yak content");
    w.index();
    let missing = w.dir.path().join("missing");
    let err = w.fails(&["index", missing.to_str().unwrap()]);
    assert!(
        err.starts_with("gleaner: ")
            && err.contains("no such directory")
            && err.lines().count() == 1,
        "{err}"
    );
    let err = w.fails(&[
        "source",
        "add",
        w.docs().to_str().unwrap(),
        "--include",
        "a[",
    ]);
    assert!(err.contains("bad glob pattern \"a[\""), "{err}");
    let err = w.fails(&["config", "set", "index.workers", "12"]);
    assert!(err.contains("expected an integer from 1 to 8"), "{err}");
    let err = w.fails(&["config", "set", "no.such.key", "1"]);
    assert!(err.contains("unknown setting"), "{err}");
    let err = w.fails(&["search", "--", "-yak"]);
    assert!(err.contains("add a word to look for"), "{err}");
    let err = w.fails(&["search", "\"\""]);
    assert!(err.contains("empty"), "{err}");
    let err = w.fails(&["source", "add", w.path("sub").to_str().unwrap()]);
    assert!(err.contains("no such directory"), "{err}");
    std::fs::create_dir_all(w.path("sub")).unwrap();
    let err = w.fails(&["source", "add", w.path("sub").to_str().unwrap()]);
    assert!(err.contains("inside another source"), "{err}");
    assert_eq!(
        w.search_names("yak"),
        ["a.txt"],
        "failed commands lose nothing"
    );
    assert_eq!(
        w.ok(&["config", "set", "index.workers", "3"]).trim(),
        "index.workers = 3"
    );
    assert_eq!(w.ok(&["config", "get", "index.workers"]).trim(), "3");
}

#[test]
fn notifications_of_a_source_can_be_muted_and_webhooks_are_checked() {
    let w = World::new();
    w.write("a.txt", "okapi");
    w.index();
    let docs = w.docs().canonicalize().unwrap();
    let out = w.ok(&["source", "set", w.docs().to_str().unwrap(), "--mute"]);
    assert!(
        out.contains("its notifications go to the log only"),
        "{out}"
    );
    let muted = w.ok(&["config", "get", "notify.muted"]);
    let muted: Vec<String> = serde_json::from_str(muted.trim()).unwrap();
    assert_eq!(muted, [docs.to_str().unwrap()]);
    // Muting twice keeps one entry; unmuting empties the list.
    w.ok(&["source", "set", w.docs().to_str().unwrap(), "--mute"]);
    assert_eq!(
        w.ok(&["config", "get", "notify.muted"]).trim(),
        serde_json::to_string(&[docs.to_str().unwrap()]).unwrap()
    );
    w.ok(&["source", "set", w.docs().to_str().unwrap(), "--unmute"]);
    assert_eq!(w.ok(&["config", "get", "notify.muted"]).trim(), "[]");
    let err = w.fails(&["source", "set", "/nowhere", "--mute"]);
    assert!(err.contains("not a source"), "{err}");

    let err = w.fails(&[
        "config",
        "set",
        "notify.webhook_url",
        "https://example.org/x",
    ]);
    assert!(err.contains("only http:// webhooks"), "{err}");
    w.ok(&[
        "config",
        "set",
        "notify.webhook_url",
        "http://127.0.0.1:9/hook",
    ]);
    w.ok(&["config", "set", "notify.webhook_url", ""]);
    let err = w.fails(&["config", "set", "notify.muted", "relative/path"]);
    assert!(err.contains("absolute paths"), "{err}");
}

#[test]
fn a_vanished_source_is_an_error_and_keeps_its_documents() {
    let w = World::new();
    w.write("a.txt", "okapi");
    w.index();
    let parked = w.dir.path().join("parked");
    std::fs::rename(w.docs(), &parked).unwrap();
    let err = w.fails(&["index"]);
    assert!(err.contains("does not exist"), "{err}");
    let status = w.json(&["status"]);
    assert_eq!(status[0]["last_scan_status"], "error");
    assert_eq!(status[0]["documents"], 1);
    assert_eq!(
        w.search_names("okapi"),
        ["a.txt"],
        "nothing is deleted while the folder is away"
    );
    std::fs::rename(&parked, w.docs()).unwrap();
    assert_eq!(counts(&w.json(&["index"])), [0, 0, 0, 0, 1, 0]);
    assert_eq!(w.json(&["status"])[0]["last_scan_status"], "success");
}

#[test]
fn sources_can_be_listed_disabled_and_removed() {
    let w = World::new();
    w.write("a.txt", "lemur");
    let docs = w.docs();
    let docs = docs.to_str().unwrap();
    w.ok(&["source", "add", docs, "--exclude", "*.log"]);
    let list = w.json(&["source", "list"]);
    assert_eq!(list[0]["path"], docs);
    assert_eq!(list[0]["exclude"][0], "*.log");
    assert_eq!(list[0]["recursive"], true);
    w.ok(&["source", "disable", docs]);
    assert!(w.fails(&["index"]).contains("no active sources"));
    w.ok(&["source", "enable", docs]);
    w.ok(&["index"]);
    assert_eq!(w.search_names("lemur"), ["a.txt"]);
    w.ok(&["source", "remove", docs]);
    assert!(w.search("lemur").is_empty());
    let left: i64 = w
        .db()
        .query_row("SELECT count(*) FROM contents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "removing a source drops its text");
}

#[test]
fn every_scan_is_recorded_as_a_job() {
    let w = World::new();
    w.write("a.txt", "ibis");
    let run = w.index();
    let id = run["jobs"][0].as_str().unwrap();
    let job = w.json(&["status", id]);
    assert_eq!(job["id"], id);
    assert_eq!(job["status"], "completed");
    assert_eq!(job["total_files"], 1);
    assert_eq!(job["indexed_files"], 1);
    assert_eq!(job["failed_files"], 0);
    assert_eq!(job["total_chunks"], 1);
    assert!(job["error"].is_null());
    let jobs = w.json(&["jobs"]);
    assert_eq!(jobs.as_array().unwrap().len(), 1);
    assert!(w
        .fails(&["status", "no-such-job"])
        .contains("no indexing job"));
}

#[test]
fn the_index_passes_integrity_checks_after_churn() {
    let w = World::new();
    for round in 0..5 {
        for i in 0..30 {
            let name = format!("f{}.txt", (i * 7 + round) % 40);
            w.write(
                &name,
                format!("round {round} file {i} {}", "churn ".repeat(i * 10)),
            );
        }
        if round % 2 == 1 {
            for i in 0..10 {
                let _ = std::fs::remove_file(w.path(&format!("f{}.txt", i * 3)));
            }
        }
        w.index();
    }
    let check = w.json(&["check"]);
    assert_eq!(check["ok"], true, "{check}");
}
