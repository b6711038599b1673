//! Legacy-encoding detection (chardetng + encoding_rs) for files without a
//! known extension: every input is made non-UTF-8 and NUL-free, so none
//! stops at the UTF-8 fast path or the binary sniff.
#![no_main]

use gleaner_core::extract::Format;
use gleaner_fuzz::{check_extraction, legacy_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| check_extraction(Format::Sniff, &legacy_bytes(data), true));
