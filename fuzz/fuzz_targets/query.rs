//! The search query parser on arbitrary strings: never panics, and what it
//! accepts is a well-formed FTS5 expression.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = std::str::from_utf8(data) {
        gleaner_fuzz::check_query(input);
    }
});
