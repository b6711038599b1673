//! The pdf extractor on arbitrary bytes, through the engine's entry point.
#![no_main]

use gleaner_core::extract::Format;
use gleaner_fuzz::check_extraction;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| check_extraction(Format::Pdf, data, false));
