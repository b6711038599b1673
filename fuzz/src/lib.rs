//! What every fuzz target checks. `tests/fuzz_regressions.rs` in the main
//! workspace makes the same checks (through `gleaner-core` alone) on the
//! committed corpus and the crash reproducers.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::{Mutex, Once};

use gleaner_core::extract::{extract_in_process, ExtractError, Format};

/// Extracts `data` as `format` in this process, as an extractor process
/// does for each file (the fuzzer sees crashes, hangs and allocations the
/// engine would contain in that process: each is a finding). A caught panic
/// is a finding when `panic_is_a_bug` (our own parsers; the PDF library's
/// panics are caught by design and only counted). libFuzzer's own
/// `-timeout` and `-rss_limit_mb` catch hangs and runaway memory.
pub fn check_extraction(format: Format, data: &[u8], panic_is_a_bug: bool) {
    if !panic_is_a_bug {
        tolerate_extractor_panics();
    }
    IN_TOLERATED_EXTRACTION.with(|flag| flag.set(!panic_is_a_bug));
    let result = extract_in_process(format, data.to_vec());
    IN_TOLERATED_EXTRACTION.with(|flag| flag.set(false));
    match result {
        Err(ExtractError::Panicked { message }) if panic_is_a_bug => {
            panic!("{format:?} extractor panicked: {message}")
        }
        _ => {}
    }
}

/// Reads every part of `data` as an office package (the zip reader and XML
/// layer DOCX and ODT share), in this process. Whatever the bytes, the
/// answer is text-free: only a panic (a bug in our package code, or in the
/// zip or XML library it drives), a hang or runaway memory is a finding.
pub fn check_package(data: &[u8]) {
    if let Err(ExtractError::Panicked { message }) =
        gleaner_core::extract::read_package_in_process(data.to_vec())
    {
        panic!("the package reader panicked: {message}");
    }
}

/// `data` made to reach encoding detection: a NUL byte would make it binary
/// before any detection, so each becomes 0x80, and bytes that are valid
/// UTF-8 would take the fast path, so they get a trailing 0xFF. Every input
/// then goes through the "mostly UTF-8" test and, unless it passes, through
/// chardetng and encoding_rs. `tests/fuzz_regressions.rs` applies the same
/// to the `sniff` files it replays.
pub fn legacy_bytes(data: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = data
        .iter()
        .map(|&b| if b == 0 { 0x80 } else { b })
        .collect();
    if std::str::from_utf8(&bytes).is_ok() {
        bytes.push(0xFF);
    }
    bytes
}

thread_local! {
    /// Set while a PDF extraction runs, whose panics are tolerated.
    static IN_TOLERATED_EXTRACTION: Cell<bool> = const { Cell::new(false) };
}

/// libfuzzer-sys installs a panic hook that aborts the process on every
/// panic, even one that `catch_unwind` would catch. The engine catches the
/// PDF library's panics by design (in its extractor processes), so for
/// the pdf target a panic during extraction is not a crash: it is reported
/// once per panic site (that is a finding to report upstream) and the
/// extraction goes on to end in `ExtractError::Panicked`. Panics anywhere
/// else still abort, and so do these when `GLEANER_FUZZ_ABORT_ON_PANIC` is
/// set (to minimize one with `cargo fuzz tmin` for an upstream report).
fn tolerate_extractor_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("GLEANER_FUZZ_ABORT_ON_PANIC").is_some() {
            return;
        }
        let fuzzer_hook = std::panic::take_hook();
        let seen: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
        std::panic::set_hook(Box::new(move |info| {
            if !IN_TOLERATED_EXTRACTION.with(Cell::get) {
                return fuzzer_hook(info);
            }
            let site = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            if seen
                .lock()
                .map(|mut s| s.insert(site.clone()))
                .unwrap_or(false)
            {
                eprintln!("caught extractor panic at {site}: {info}");
            }
        }));
    });
}

/// Parses a query: what the parser accepts must analyse without a panic,
/// and its FTS5 form (what an upgraded index answers with while its search
/// index is built) must be valid FTS5.
pub fn check_query(input: &str) {
    use gleaner_core::search::query::Atom;
    let Ok(query) = gleaner_core::search::parse(input) else {
        return;
    };
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
    let Some(expression) = gleaner_core::search::legacy::expression(&query) else {
        return;
    };
    thread_local! {
        static DB: rusqlite::Connection = {
            let conn = rusqlite::Connection::open_in_memory().unwrap();
            conn.execute_batch(
                "CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
                 INSERT INTO t(text) VALUES ('borrow checker café running');",
            )
            .unwrap();
            conn
        };
    }
    DB.with(|db| {
        let result: rusqlite::Result<i64> = db.query_row(
            "SELECT count(*) FROM t WHERE t MATCH ?1",
            [&expression],
            |r| r.get(0),
        );
        if let Err(err) = result {
            panic!("{input:?} became {expression:?}, which FTS5 refuses: {err}");
        }
    });
}
