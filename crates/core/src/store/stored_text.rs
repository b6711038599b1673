//! Chunk text as the store keeps it: LZ4-compressed.
//!
//! Extracted text is most of the database (about three quarters of it on
//! the Linux tree), and the store is the source of truth the search index
//! is rebuilt from, so it keeps all of it; compressed, the store and the
//! search index together take less disk than the store alone did with its
//! FTS5 tables. LZ4 because text is written once per content and read in
//! hot paths (every chunk the search indexer indexes, the snippets of every
//! answer): its decompression runs at several GB/s, and the crate is
//! already in the build (tantivy uses it). Each chunk is compressed on its
//! own, so one chunk is read without the others.
//!
//! A stored value is either TEXT (a chunk too short to gain from
//! compression, or written before compression existed: an upgraded index
//! is read as it is, never rewritten) or a BLOB holding the compressed
//! text after its length.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// Shorter text is stored as it is: LZ4 gains nothing on a few words.
const COMPRESS_FROM: usize = 64;

/// A chunk is at most a few kilobytes; a stored length above this is
/// damage, refused before anything is allocated for it.
const MAX_TEXT: usize = 64 << 20;

/// Text going into the store.
pub(crate) struct StoreText<'a>(pub &'a str);

impl ToSql for StoreText<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        let text = self.0;
        if text.len() >= COMPRESS_FROM {
            let packed = lz4_flex::block::compress_prepend_size(text.as_bytes());
            if packed.len() < text.len() {
                return Ok(ToSqlOutput::from(packed));
            }
        }
        Ok(ToSqlOutput::from(text))
    }
}

/// Text read back from the store.
pub(crate) struct LoadText(pub String);

/// Why a stored chunk could not be read back.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LoadTextError {
    /// The blob is not what `StoreText` writes.
    #[error("damaged chunk text: {0}")]
    Damaged(&'static str),
    /// LZ4 refused the blob.
    #[error("damaged chunk text: {0}")]
    Lz4(#[from] lz4_flex::block::DecompressError),
    /// The text is not UTF-8.
    #[error("damaged chunk text: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
}

impl FromSql for LoadText {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Text(bytes) => std::str::from_utf8(bytes)
                .map(|s| LoadText(s.to_owned()))
                .map_err(|e| FromSqlError::Other(Box::new(e))),
            ValueRef::Blob(packed) => unpack(packed)
                .map(LoadText)
                .map_err(|e| FromSqlError::Other(Box::new(e))),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

fn unpack(packed: &[u8]) -> Result<String, LoadTextError> {
    let Some(len) = packed.get(..4) else {
        return Err(LoadTextError::Damaged("shorter than its length"));
    };
    let len = u32::from_le_bytes(len.try_into().expect("four bytes")) as usize;
    // LZ4 cannot expand a byte into more than 255.
    if len > MAX_TEXT || len > packed.len().saturating_mul(255) {
        return Err(LoadTextError::Damaged("its length is impossible"));
    }
    let bytes = lz4_flex::block::decompress(&packed[4..], len)?;
    Ok(String::from_utf8(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn round_trip(conn: &Connection, text: &str) -> (String, String) {
        conn.execute("DELETE FROM t", []).unwrap();
        conn.execute("INSERT INTO t VALUES (?1)", [StoreText(text)])
            .unwrap();
        conn.query_row("SELECT typeof(v), v FROM t", [], |r| {
            Ok((r.get(0)?, r.get::<_, LoadText>(1)?.0))
        })
        .unwrap()
    }

    #[test]
    fn long_text_is_compressed_and_short_text_kept_as_it_is() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute("CREATE TABLE t (v)", []).unwrap();
        let prose = "The quick brown fox jumps over the lazy dog. ".repeat(40);
        assert_eq!(round_trip(&conn, &prose), ("blob".into(), prose.clone()));
        let stored: usize = conn
            .query_row("SELECT length(v) FROM t", [], |r| r.get(0))
            .unwrap();
        assert!(stored * 4 < prose.len(), "{stored} of {}", prose.len());
        for short in ["", "a few words", "日本語のテキスト"] {
            assert_eq!(round_trip(&conn, short), ("text".into(), short.into()));
        }
        // Text LZ4 cannot shrink stays text.
        let noise: String = (0..200u32)
            .map(|i| char::from_u32(0x4E00 + (i * 7919) % 20_000).unwrap())
            .collect();
        assert_eq!(round_trip(&conn, &noise), ("text".into(), noise.clone()));
    }

    #[test]
    fn text_written_before_compression_reads_as_it_was() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute("CREATE TABLE t (v TEXT)", []).unwrap();
        let old = "an index made by an earlier Gleaner ".repeat(10);
        conn.execute("INSERT INTO t VALUES (?1)", [&old]).unwrap();
        let read: LoadText = conn.query_row("SELECT v FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(read.0, old);
    }

    #[test]
    fn damaged_blobs_are_errors_not_allocations() {
        for blob in [
            &[1u8, 2][..],
            &[0xFF, 0xFF, 0xFF, 0x7F, 0x10, b'a'][..], // claims 2 GiB
            &[40, 0, 0, 0, 0xF0, 1, 2][..],            // not LZ4
        ] {
            let err = unpack(blob).unwrap_err();
            assert!(err.to_string().starts_with("damaged chunk text"), "{err}");
        }
        let mut not_utf8 = lz4_flex::block::compress_prepend_size(&[0xC3; 100]);
        assert!(matches!(unpack(&not_utf8), Err(LoadTextError::Utf8(_))));
        not_utf8.truncate(6);
        assert!(unpack(&not_utf8).is_err());
    }
}
