//! What every fuzz target checks. `tests/fuzz_regressions.rs` in the main
//! workspace makes the same checks (through `gleaner-core` alone) on the
//! committed corpus and the crash reproducers.

use std::time::Duration;

use gleaner_core::extract::{extract, ExtractError, Format};

/// The per-file time budget the fuzzer holds extractors to.
pub const BUDGET: Duration = Duration::from_secs(5);

/// Extracts `data` as `format` through the engine's guarded entry point.
/// A hang past the budget is a finding; so is a caught panic when
/// `panic_is_a_bug` (our own parsers; the PDF library's panics are caught by
/// design and only counted).
pub fn check_extraction(format: Format, data: &[u8], panic_is_a_bug: bool) {
    match extract(format, data.to_vec(), BUDGET) {
        Err(ExtractError::TimedOut { budget }) => {
            panic!("{format:?} extraction ran past its budget of {budget:?}")
        }
        Err(ExtractError::Panicked { message }) if panic_is_a_bug => {
            panic!("{format:?} extractor panicked: {message}")
        }
        _ => {}
    }
}

/// Parses a query; what the parser accepts must be valid FTS5.
pub fn check_query(input: &str) {
    let Ok(query) = gleaner_core::query::parse_query(input) else {
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
            [&query.expression],
            |r| r.get(0),
        );
        if let Err(err) = result {
            panic!("{input:?} became {:?}, which FTS5 refuses: {err}", query.expression);
        }
    });
}
