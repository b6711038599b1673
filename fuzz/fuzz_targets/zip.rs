//! The office package reader (zip container, expansion budget, XML layer)
//! shared by the docx and odt extractors, on every part of arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| gleaner_fuzz::check_package(data));
