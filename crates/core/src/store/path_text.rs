//! Paths as the store keeps them: text, without losing a byte.
//!
//! Unix file names are bytes; SQLite's `path` columns are text. A lossy
//! conversion would give `caf\xe9.txt` and `caf\xe8.txt` the same path, and
//! the two files would take turns overwriting one document at every scan. So
//! a byte that is not part of valid UTF-8 is written as U+FFFD followed by
//! its two hex digits (`caf\u{FFFD}E9.txt`), and a U+FFFD that is really in
//! a name is escaped the same way (as its three bytes). Every valid UTF-8
//! path without U+FFFD, that is every path in practice, is stored as is.

use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

const MARK: char = '\u{FFFD}';

/// The text a path is stored as; [`text_path`] gives the path back.
pub fn path_text(path: &Path) -> String {
    let bytes = path.as_os_str().as_bytes();
    if let Ok(text) = std::str::from_utf8(bytes) {
        if !text.contains(MARK) {
            return text.to_string();
        }
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == MARK {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    escape(byte, &mut out);
                }
            } else {
                out.push(c);
            }
        }
        for &byte in chunk.invalid() {
            escape(byte, &mut out);
        }
    }
    out
}

fn escape(byte: u8, out: &mut String) {
    out.push(MARK);
    out.push_str(&format!("{byte:02X}"));
}

/// The path stored as `text` by [`path_text`].
pub fn text_path(text: &str) -> PathBuf {
    if !text.contains(MARK) {
        return PathBuf::from(text);
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        bytes.extend_from_slice(&rest.as_bytes()[..at]);
        let after = &rest[at + MARK.len_utf8()..];
        match after
            .get(..2)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            Some(byte) => {
                bytes.push(byte);
                rest = &after[2..];
            }
            None => {
                // Not written by path_text (an older, lossy row): keep it.
                bytes.extend_from_slice(MARK.to_string().as_bytes());
                rest = after;
            }
        }
    }
    bytes.extend_from_slice(rest.as_bytes());
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    fn round_trip(bytes: &[u8]) -> String {
        let path = Path::new(OsStr::from_bytes(bytes));
        let text = path_text(path);
        assert_eq!(text_path(&text), path, "{text:?}");
        text
    }

    #[test]
    fn utf8_paths_are_stored_as_they_are() {
        assert_eq!(
            round_trip("/home/ada/café/notes.md".as_bytes()),
            "/home/ada/café/notes.md"
        );
    }

    #[test]
    fn names_that_are_not_utf8_stay_distinct_and_come_back() {
        let e9 = round_trip(b"/d/caf\xe9.txt");
        let e8 = round_trip(b"/d/caf\xe8.txt");
        assert_ne!(e9, e8);
        assert_eq!(e9, "/d/caf\u{FFFD}E9.txt");
        round_trip(b"\xff\xfe\xfd");
        round_trip(b"/a/\xc3"); // a truncated two-byte sequence
    }

    #[test]
    fn a_real_replacement_character_is_escaped_too() {
        let real = round_trip("/d/\u{FFFD}E9.txt".as_bytes());
        let latin1 = round_trip(b"/d/\xe9.txt");
        assert_ne!(real, latin1);
    }
}
