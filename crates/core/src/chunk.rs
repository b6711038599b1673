//! Splitting extracted text into chunks for the full-text index.
//!
//! A chunk is a run of whole lines of about [`CHUNK_TARGET_BYTES`], ending at a
//! paragraph break when one is near, so a search hit can say which lines of the
//! file it came from and its snippet stays on topic. Chunks are contiguous and
//! cover the whole text: concatenating them gives the text back, which is how
//! a document's text is read out again. A single line longer than
//! [`CHUNK_MAX_BYTES`] (minified code, a PDF page without line breaks) is cut
//! at a space, or at a character boundary when there is none.
//!
//! This is a line-based splitter rather than a semantic one (text-splitter):
//! it runs at memory speed, which matters when a source tree of a few GiB is
//! indexed, and line ranges fall out of it exactly.

use crate::store::StoredChunk;

/// Chunks grow to about this size before a line break closes them.
pub const CHUNK_TARGET_BYTES: usize = 1024;

/// No chunk is longer than this (except for the rare multi-byte character overhang).
pub const CHUNK_MAX_BYTES: usize = 4096;

/// Below this size a chunk is not closed early at a paragraph break.
const CHUNK_MIN_BYTES: usize = 256;

/// Splits `text` into contiguous chunks with byte and line ranges.
pub fn chunk_text(text: &str) -> Vec<StoredChunk> {
    let mut chunks = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0usize; // byte where the current chunk starts
    let mut start_line = 1usize;
    let mut line = 1usize; // line number at `pos`
    let mut pos = 0usize;
    let mut known_line_end: Option<usize> = None;
    while pos < bytes.len() {
        // A long line is cut several times: remember where it ends instead
        // of searching again from every cut (that made chunking quadratic
        // in line length; a 15 MB one-line JavaScript index took 18 s).
        let line_end = match known_line_end {
            Some(end) if end > pos => end,
            _ => memchr_newline(bytes, pos).map_or(bytes.len(), |i| i + 1),
        };
        known_line_end = Some(line_end);
        let chunk_len_with_line = line_end - start;
        if chunk_len_with_line > CHUNK_MAX_BYTES && pos > start {
            // Close before this line: it would overflow the chunk.
            push(&mut chunks, text, start, pos, start_line, line - 1);
            start = pos;
            start_line = line;
            continue;
        }
        if line_end - pos > CHUNK_MAX_BYTES {
            // One very long line: cut it into pieces that all carry its number.
            let cut = cut_point(text, pos, pos + CHUNK_TARGET_BYTES * 2);
            push(&mut chunks, text, start, cut, start_line, line);
            start = cut;
            start_line = line;
            pos = cut;
            continue;
        }
        let is_blank = bytes[pos..line_end].iter().all(|b| b.is_ascii_whitespace());
        pos = line_end;
        line += 1;
        let len = pos - start;
        if len >= CHUNK_TARGET_BYTES
            || (is_blank && len >= CHUNK_MIN_BYTES && len * 2 >= CHUNK_TARGET_BYTES)
        {
            push(&mut chunks, text, start, pos, start_line, line - 1);
            start = pos;
            start_line = line;
        }
    }
    if start < bytes.len() {
        push(
            &mut chunks,
            text,
            start,
            bytes.len(),
            start_line,
            line.max(start_line + 1) - 1,
        );
    }
    chunks
}

fn push(
    chunks: &mut Vec<StoredChunk>,
    text: &str,
    start: usize,
    end: usize,
    line_start: usize,
    line_end: usize,
) {
    chunks.push(StoredChunk {
        byte_start: start,
        byte_end: end,
        line_start,
        line_end: line_end.max(line_start),
        text: text[start..end].to_string(),
    });
}

fn memchr_newline(bytes: &[u8], from: usize) -> Option<usize> {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| from + i)
}

/// A char boundary at or before `limit` (and after `from`), preferring just
/// after a space so words stay whole.
fn cut_point(text: &str, from: usize, limit: usize) -> usize {
    let mut limit = limit.min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    match text[from..limit].rfind(' ') {
        Some(space) if space > (limit - from) / 2 => from + space + 1,
        _ => limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(chunks: &[StoredChunk]) -> String {
        chunks.iter().map(|c| c.text.as_str()).collect()
    }

    fn assert_contiguous(text: &str, chunks: &[StoredChunk]) {
        assert_eq!(joined(chunks), text);
        let mut at = 0;
        for c in chunks {
            assert_eq!(c.byte_start, at);
            assert_eq!(&text[c.byte_start..c.byte_end], c.text);
            assert!(
                c.text.len() <= CHUNK_MAX_BYTES + 3,
                "chunk of {} bytes",
                c.text.len()
            );
            at = c.byte_end;
        }
    }

    #[test]
    fn empty_text_has_no_chunks() {
        assert!(chunk_text("").is_empty());
    }

    #[test]
    fn small_text_is_one_chunk_with_its_lines() {
        let chunks = chunk_text("one\ntwo\nthree");
        assert_eq!(chunks.len(), 1);
        assert_eq!((chunks[0].line_start, chunks[0].line_end), (1, 3));
        let chunks = chunk_text("one\ntwo\n");
        assert_eq!((chunks[0].line_start, chunks[0].line_end), (1, 2));
    }

    #[test]
    fn line_numbers_follow_the_text() {
        let text: String = (1..=500)
            .map(|i| format!("line number {i} of the file\n"))
            .collect();
        let chunks = chunk_text(&text);
        assert!(chunks.len() > 5);
        assert_contiguous(&text, &chunks);
        for c in &chunks {
            let first: usize = c.text.split_whitespace().nth(2).unwrap().parse().unwrap();
            assert_eq!(first, c.line_start, "chunk {:?}", &c.text[..30]);
            let last_line = c.text.trim_end().lines().last().unwrap();
            let last: usize = last_line
                .split_whitespace()
                .nth(2)
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(last, c.line_end);
        }
        assert_eq!(chunks.last().unwrap().line_end, 500);
    }

    #[test]
    fn paragraphs_close_chunks_early() {
        let para = "word ".repeat(120); // 600 bytes
        let text = format!("{para}\n\n{para}\n\n{para}\n");
        let chunks = chunk_text(&text);
        assert_contiguous(&text, &chunks);
        assert_eq!(
            chunks.len(),
            3,
            "{:?}",
            chunks.iter().map(|c| c.text.len()).collect::<Vec<_>>()
        );
        assert_eq!(chunks[1].line_start, 3);
    }

    #[test]
    fn very_long_lines_are_cut_and_keep_their_line_number() {
        let text = format!("first\n{}\nlast\n", "é ab".repeat(5000));
        let chunks = chunk_text(&text);
        assert_contiguous(&text, &chunks);
        assert!(chunks.len() > 5);
        assert!(chunks
            .iter()
            .skip(1)
            .take(3)
            .all(|c| c.line_start == 2 && c.line_end == 2));
        assert_eq!(chunks.last().unwrap().line_end, 3);
    }

    #[test]
    fn a_huge_single_line_is_chunked_in_linear_time() {
        // Regression: 8 MB on one line. The quadratic rescanning of the line
        // made this take minutes (the suite would visibly hang); the speed
        // itself is measured by the benchmark harness, not asserted here.
        let text = "word ".repeat(8 * 1024 * 1024 / 5);
        let chunks = chunk_text(&text);
        assert_contiguous(&text, &chunks);
        assert!(chunks.iter().all(|c| c.line_start == 1 && c.line_end == 1));
    }

    #[test]
    fn a_long_line_without_spaces_is_cut_on_char_boundaries() {
        let text = "日本語".repeat(3000);
        let chunks = chunk_text(&text);
        assert_contiguous(&text, &chunks);
    }
}
