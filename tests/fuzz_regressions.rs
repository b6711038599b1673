//! Replays what the fuzzers found or kept through the engine's extraction
//! entry point and the query parser: the crash reproducers
//! (`tests/fixtures/fuzz/TARGET/*`), so a fixed crash stays fixed, and the
//! minimized corpus the fuzzers grew (`fuzz/corpus/TARGET/*`), so a change
//! that breaks on an input they once covered is caught without running a
//! fuzzer. Runs in `cargo test`; the fuzzers themselves live in `fuzz/` (see
//! its README).
//!
//! `cargo test -p gleaner-cli --test fuzz_regressions -- --ignored` writes
//! the seed corpus (documents built by `common::fixtures`) into
//! `fuzz/corpus/`.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use gleaner_core::extract::{extract, ExtractError, ExtractLimits, Format};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/fuzz")
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

const TARGETS: [(&str, Format); 5] = [
    ("pdf", Format::Pdf),
    ("docx", Format::Docx),
    ("odt", Format::Odt),
    ("html", Format::Html),
    ("text", Format::Text),
];

/// The reproducers, then the corpus, of one target.
fn files_of(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in [fixtures(), corpus()] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// Through the engine's entry point, so the parsers run in extractor
/// processes as they do when indexing: every input must come back with an
/// answer (text or the file's own error), none may crash, hang or exhaust
/// its process.
#[test]
fn extractors_survive_every_kept_input() {
    gleaner_core::extract::set_extractor_program(env!("CARGO_BIN_EXE_gleaner").into());
    let limits = ExtractLimits {
        timeout: Duration::from_secs(20),
        ..ExtractLimits::default()
    };
    let mut replayed = 0;
    for (target, format) in TARGETS {
        for file in files_of(target) {
            let bytes = std::fs::read(&file).unwrap();
            match extract(format, bytes, &limits) {
                Err(err @ ExtractError::TimedOut { .. })
                | Err(err @ ExtractError::Crashed { .. })
                | Err(err @ ExtractError::Unavailable { .. }) => {
                    panic!("{}: {err}", file.display())
                }
                Err(ExtractError::Panicked { message }) if format != Format::Pdf => {
                    panic!("{}: the extractor panicked: {message}", file.display())
                }
                _ => {}
            }
            replayed += 1;
        }
    }
    println!("replayed {replayed} kept fuzz inputs");
}

/// What the parser accepts must analyse without a panic and, written as an
/// FTS5 expression (the answer of an upgraded index while its search index
/// is built), be valid FTS5, as the `query` fuzz target checks.
#[test]
fn the_query_parser_survives_every_kept_input() {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
         INSERT INTO t(text) VALUES ('borrow checker café running');",
    )
    .unwrap();
    for file in files_of("query") {
        let bytes = std::fs::read(&file).unwrap();
        let Ok(query) = gleaner_core::search::parse(&String::from_utf8_lossy(&bytes)) else {
            continue;
        };
        analyse_atoms(&query);
        let Some(expression) = gleaner_core::search::legacy::expression(&query) else {
            continue;
        };
        let result: rusqlite::Result<i64> = db.query_row(
            "SELECT count(*) FROM t WHERE t MATCH ?1",
            [&expression],
            |r| r.get(0),
        );
        if let Err(err) = result {
            panic!("{}: FTS5 refuses the parsed query: {err}", file.display());
        }
    }
}

/// Every atom through the analyzer, as a search would.
fn analyse_atoms(query: &gleaner_core::search::ParsedQuery) {
    use gleaner_core::search::query::Atom;
    let mut analyzer = gleaner_core::search::analysis::Analyzer::new();
    for atom in query.atoms().chain(&query.excluded) {
        match atom {
            Atom::Word(t) | Atom::Name(t) => {
                analyzer.word_terms(t);
                analyzer.phrase_terms(t);
            }
            Atom::Phrase(t) => {
                analyzer.phrase_terms(t);
            }
            Atom::Prefix(t) => {
                analyzer.prefix_term(t);
            }
        }
    }
}

#[test]
#[ignore = "writes the fuzzers' seed corpus; run by hand"]
fn write_fuzz_seeds() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    write(
        "pdf",
        "hello.pdf",
        &common::fixtures::pdf("hello fuzzing world"),
    );
    write(
        "docx",
        "two.docx",
        &common::fixtures::docx(&["first", "second"]),
    );
    write(
        "odt",
        "two.odt",
        &common::fixtures::odt(&["first", "second"]),
    );
    write(
        "html",
        "page.html",
        b"<html><head><title>t</title><style>p{}</style></head><body><p>a &amp; b<br>c</p><script>x</script></body></html>",
    );
    write("text", "latin1.txt", b"caf\xe9 cr\xe8me br\xfbl\xe9e\n");
    write("text", "utf16.txt", b"\xff\xfeh\x00i\x00\n\x00");
    write(
        "query",
        "mixed.txt",
        b"\"exact phrase\" prefix* -excluded a OR b C++ don't",
    );
}
