//! Plain text: decides whether bytes are text at all, and in which encoding.
//!
//! Most files are UTF-8, so valid UTF-8 is taken as is (an owned `Vec<u8>`
//! becomes the `String` without a copy). A BOM is trusted over any guess.
//! Otherwise the bytes are either UTF-8 with a few stray bytes (a log with
//! one Latin-1 line: decoded lossily as UTF-8, because guessing a legacy
//! encoding for the whole file would garble every other non-ASCII line), or
//! a legacy encoding, which chardetng guesses from the byte statistics and
//! encoding_rs decodes. chardetng was made for Firefox, so it covers the
//! legacy encodings people actually meet (Windows-125x, ISO-8859-x, KOI8,
//! Shift_JIS, EUC-JP/KR, GBK, Big5).
//!
//! Binary detection is two checks: a NUL byte in the first 8 KiB (what git
//! and grep do; text encodings other than UTF-16/32 never contain NUL), then,
//! after decoding, a sample that is mostly replacement or control characters.
//! Single-byte encodings decode any byte sequence, so the second check is
//! what stops a NUL-free binary from being indexed as Windows-1252 noise.

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8};

use super::ExtractError;

/// Version of the text extractor: bump when its output changes.
pub(super) const EXTRACTOR_ID: &str = "text/1";

/// How much of the start of a file is searched for NUL bytes.
const SNIFF_LEN: usize = 8 * 1024;

/// How much of a file chardetng sees. Its guess settles long before this,
/// and feeding a whole large file would cost more than decoding it.
const DETECT_LEN: usize = 256 * 1024;

/// How many decoded characters are checked for replacement/control chars.
const QUALITY_SAMPLE_CHARS: usize = 16 * 1024;

/// Decodes bytes as text: UTF-8 fast path; a UTF-8 BOM is stripped; UTF-16
/// with a BOM is decoded; otherwise chardetng guesses the encoding and
/// encoding_rs decodes it.
///
/// Returns [`ExtractError::Binary`] if there is a NUL byte in the first 8 KiB
/// (without a UTF-16 BOM), or if the decoded text is mostly replacement or
/// control characters. NUL characters later in the file are removed.
pub fn decode_text(bytes: &[u8]) -> Result<String, ExtractError> {
    decode(Cow::Borrowed(bytes))
}

/// Like [`decode_text`], but reuses the buffer when it is already UTF-8.
pub(super) fn extract_owned(bytes: Vec<u8>) -> Result<String, ExtractError> {
    decode(Cow::Owned(bytes))
}

fn decode(bytes: Cow<'_, [u8]>) -> Result<String, ExtractError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(&bytes) {
        // The BOM settles the encoding; UTF-16 text is full of NUL bytes, so
        // the NUL sniff must not run on it.
        let body = &bytes[bom_len..];
        let text = if encoding == UTF_8 {
            String::from_utf8_lossy(body)
        } else {
            encoding.decode_without_bom_handling(body).0
        };
        return finish(text.into_owned());
    }
    if has_nul(&bytes[..bytes.len().min(SNIFF_LEN)]) {
        return Err(ExtractError::Binary);
    }
    let text = match bytes {
        Cow::Owned(vec) => match String::from_utf8(vec) {
            Ok(s) => s,
            Err(err) => decode_non_utf8(err.as_bytes()),
        },
        Cow::Borrowed(slice) => match std::str::from_utf8(slice) {
            Ok(s) => s.to_owned(),
            Err(_) => decode_non_utf8(slice),
        },
    };
    finish(text)
}

/// Decodes bytes known not to be valid UTF-8.
fn decode_non_utf8(bytes: &[u8]) -> String {
    if mostly_utf8(bytes) {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let encoding = guess_encoding(bytes);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// True when the bytes are UTF-8 apart from a few invalid sequences: a file
/// truncated mid-character, or a UTF-8 file with a stray Latin-1 line. Legacy
/// 8-bit text almost never forms valid multi-byte UTF-8 sequences by
/// accident, so valid ones outnumbering invalid ones is a strong signal. With
/// no valid multi-byte sequence at all, a lone invalid byte at the end is
/// more likely a legacy "café" than a truncated UTF-8 one.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let body = &bytes[..bytes.len() - incomplete_tail(bytes)];
    let mut multibyte = 0usize;
    let mut invalid = 0usize;
    for chunk in body.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    multibyte > 0 && multibyte >= 4 * invalid
}

/// The length of a multi-byte UTF-8 sequence cut short at the end of
/// `bytes` (0 if there is none), as left by truncating a file.
fn incomplete_tail(bytes: &[u8]) -> usize {
    let tail = &bytes[bytes.len().saturating_sub(3)..];
    let Some(lead) = tail.iter().rposition(|&b| b & 0xC0 != 0x80) else {
        return 0;
    };
    let needed = match tail[lead] {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return 0,
    };
    let have = tail.len() - lead;
    if have < needed {
        have
    } else {
        0
    }
}

fn guess_encoding(bytes: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Allow);
    let sample = &bytes[..bytes.len().min(DETECT_LEN)];
    detector.feed(sample, sample.len() == bytes.len());
    // UTF-8 is already ruled out (the bytes are not valid UTF-8) and no
    // top-level domain is known for a local file.
    detector.guess(None, Utf8Detection::Deny)
}

fn finish(text: String) -> Result<String, ExtractError> {
    if looks_binary(&text) {
        return Err(ExtractError::Binary);
    }
    Ok(if text.contains('\0') {
        text.replace('\0', "")
    } else {
        text
    })
}

fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// True when a sample of the decoded text is mostly characters no text file
/// has: U+FFFD (undecodable bytes) and C0/C1 control characters other than
/// the whitespace, form feed, backspace and escape that real text (man pages,
/// terminal logs) does contain.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars().take(QUALITY_SAMPLE_CHARS) {
        total += 1;
        let odd = match c {
            '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x08' | '\x1b' => false,
            '\u{fffd}' => true,
            c => c.is_control(),
        };
        bad += usize::from(odd);
    }
    // Tolerate a few odd characters: one stray byte should not hide a file.
    bad > 8 && bad * 10 > total
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{KOI8_R, SHIFT_JIS, WINDOWS_1252};

    #[test]
    fn utf8_passes_through() {
        assert_eq!(
            decode_text("héllo wörld ✓\n".as_bytes()).unwrap(),
            "héllo wörld ✓\n"
        );
        assert_eq!(extract_owned("naïve".as_bytes().to_vec()).unwrap(), "naïve");
        assert_eq!(decode_text(b"").unwrap(), "");
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("über".as_bytes());
        assert_eq!(decode_text(&bytes).unwrap(), "über");
    }

    #[test]
    fn utf16le_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Grüße, 世界\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode_text(&bytes).unwrap(), "Grüße, 世界\r\n");
    }

    #[test]
    fn utf16be_with_bom() {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in "Hello".encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(decode_text(&bytes).unwrap(), "Hello");
    }

    #[test]
    fn windows_1252() {
        let original = "Le café est très bon, même à Noël. Déjà vu, naïve façade.\n";
        let (bytes, _, _) = WINDOWS_1252.encode(original);
        assert!(std::str::from_utf8(&bytes).is_err());
        assert_eq!(decode_text(&bytes).unwrap(), original);
    }

    #[test]
    fn short_windows_1252_word() {
        let (bytes, _, _) = WINDOWS_1252.encode("un café");
        assert_eq!(decode_text(&bytes).unwrap(), "un café");
    }

    #[test]
    fn shift_jis() {
        let original = "日本語のテキストです。これは文字コードの判定のテストです。東京都\n";
        let (bytes, _, _) = SHIFT_JIS.encode(original);
        assert_eq!(decode_text(&bytes).unwrap(), original);
    }

    #[test]
    fn koi8_r() {
        let original =
            "Привет, мир! Это проверка определения кодировки. Москва - столица России.\n";
        let (bytes, _, _) = KOI8_R.encode(original);
        assert_eq!(decode_text(&bytes).unwrap(), original);
    }

    #[test]
    fn utf8_with_a_stray_latin1_byte_stays_utf8() {
        let mut bytes = "Zürich, Genève, Köln, Malmö, Ærø\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"caf\xE9\n");
        let text = decode_text(&bytes).unwrap();
        assert!(
            text.starts_with("Zürich, Genève, Köln, Malmö, Ærø\n"),
            "{text}"
        );
        assert!(text.ends_with("caf\u{fffd}\n"));
    }

    #[test]
    fn truncated_utf8_keeps_its_text() {
        let bytes = "naïve text, cut at é".as_bytes();
        let cut = &bytes[..bytes.len() - 1];
        assert_eq!(decode_text(cut).unwrap(), "naïve text, cut at \u{fffd}");
    }

    #[test]
    fn nul_in_prefix_is_binary() {
        let bytes = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
        assert!(matches!(decode_text(bytes), Err(ExtractError::Binary)));
    }

    #[test]
    fn nul_free_binary_is_detected() {
        // Control-heavy bytes without NUL, like packed numeric data.
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i % 31 + 1) as u8).collect();
        assert!(matches!(decode_text(&bytes), Err(ExtractError::Binary)));
    }

    #[test]
    fn terminal_escapes_and_form_feeds_are_text() {
        let bytes = b"\x1b[1mbold\x1b[0m\n\x0cpage two\n";
        assert!(decode_text(bytes).is_ok());
    }

    #[test]
    fn late_nul_is_removed() {
        let mut bytes = vec![b'x'; SNIFF_LEN + 10];
        bytes.push(0);
        bytes.push(b'y');
        let text = decode_text(&bytes).unwrap();
        assert!(!text.contains('\0'));
        assert!(text.ends_with("xy"));
    }
}
