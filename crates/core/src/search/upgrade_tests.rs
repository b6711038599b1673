//! An index made before the search index moved to tantivy (schema 4, with
//! FTS5) is upgraded in place: searchable at once from its FTS5 tables,
//! then from the search index built from its stored chunks, without a file
//! being read again; then the FTS5 tables are gone.

use crate::search::{legacy::LEGACY_NOTE, SearchFilter};
use crate::store::schema::MIGRATIONS;
use crate::{DataDir, Index};

/// A version-4 index with two documents whose text only the FTS5 tables
/// and the chunks know (the files were never on this disk).
fn version_4_index(data: &std::path::Path) {
    std::fs::create_dir_all(data).unwrap();
    let conn = rusqlite::Connection::open(data.join("gleaner.db")).unwrap();
    for sql in &MIGRATIONS[..4] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 4;
         INSERT INTO sources (id, path, created_at) VALUES (1, '/gone', 0);
         INSERT INTO contents (id, md5, size, format, extractor, text_bytes, n_chunks, created_at)
             VALUES (1, x'01', 10, 'text', 'text/1', 30, 1, 0),
                    (2, x'02', 10, 'text', 'text/1', 30, 1, 0);
         INSERT INTO chunks (content_id, seq, byte_start, byte_end, line_start, line_end, text)
             VALUES (1, 0, 0, 30, 1, 1, 'the pangolin sleeps all day'),
                    (2, 0, 0, 30, 1, 1, 'an aardvark digs at night');
         INSERT INTO documents (source_id, path, rel_path, name, format, content_id, size,
             mtime_ns, inode, dev, first_seen_at, indexed_at)
         VALUES (1, '/gone/p.txt', 'p.txt', 'p.txt', 'text', 1, 10, 0, 1, 1, 0, 0),
                (1, '/gone/a.txt', 'a.txt', 'a.txt', 'text', 2, 10, 0, 2, 1, 0, 0);",
    )
    .unwrap();
}

#[test]
fn an_fts5_index_is_searchable_during_and_after_its_upgrade() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    version_4_index(&data);
    let index = Index::open(DataDir::resolve(Some(&data)).unwrap()).unwrap();
    // Upgraded to schema 5: no search index yet, the FTS5 tables answer.
    let answer = index.search("pangolin", &SearchFilter::new(), 10).unwrap();
    assert_eq!(answer.hits.len(), 1);
    assert_eq!(answer.hits[0].path, "/gone/p.txt");
    assert_eq!(answer.hits[0].snippet, "the **pangolin** sleeps all day");
    assert!(
        answer.notes.iter().any(|n| n == LEGACY_NOTE),
        "{:?}",
        answer.notes
    );
    assert!(index.store().has_legacy_fulltext().unwrap());

    // The build reads the stored chunks (the files do not even exist).
    index.sync_search().unwrap();
    let answer = index.search("aardvark", &SearchFilter::new(), 10).unwrap();
    assert_eq!(answer.hits.len(), 1);
    assert_eq!(answer.hits[0].path, "/gone/a.txt");
    assert!(answer.notes.is_empty(), "{:?}", answer.notes);
    assert!(!index.store().has_legacy_fulltext().unwrap());
    let check = crate::search::verify(index.store(), &index.search_dir())
        .unwrap()
        .unwrap();
    assert!(check.caught_up && check.is_consistent(), "{check:?}");
    assert!(index.store().integrity_problems().unwrap().is_empty());
}
