//! Housekeeping: forget long-deleted documents and old jobs, and give space
//! back when much of the file is free.

use rusqlite::params;
use serde::Serialize;

use super::{now_ms, Store};
use crate::error::Result;

/// What one maintenance run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MaintenanceReport {
    /// Inactive documents deleted for good.
    pub purged_documents: u64,
    /// Contents no document points at any more, deleted.
    pub purged_contents: u64,
    /// Finished jobs deleted.
    pub purged_jobs: u64,
    /// Whether the file was vacuumed.
    pub vacuumed: bool,
}

/// VACUUM when at least this share of the file's pages is free.
const VACUUM_FREE_SHARE: f64 = 0.25;

impl Store {
    /// Frees this connection's page cache (it refills from the OS's cache
    /// as needed).
    pub fn release_memory(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA shrink_memory")?;
        Ok(())
    }

    /// Runs housekeeping; documents deleted and jobs finished more than
    /// `retention_days` ago are forgotten.
    pub fn maintain(&mut self, retention_days: i64) -> Result<MaintenanceReport> {
        let cutoff = now_ms() - retention_days * 86_400_000;
        let mut report = MaintenanceReport::default();
        let tx = self.conn.transaction()?;
        report.purged_documents = tx.execute(
            "DELETE FROM documents WHERE active = 0 AND deleted_at < ?1",
            params![cutoff],
        )? as u64;
        report.purged_jobs = tx.execute(
            "DELETE FROM indexing_jobs WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at < ?1",
            params![cutoff],
        )? as u64;
        tx.commit()?;
        report.purged_contents = self.collect_orphans()?;
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let free: i64 = self
            .conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        if pages > 0 && free as f64 / pages as f64 >= VACUUM_FREE_SHARE {
            self.conn.execute_batch("VACUUM")?;
            report.vacuumed = true;
        }
        self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::FileStat;
    use crate::source::NewSource;
    use crate::source::Source;
    use crate::store::{ContentChange, DocumentRow, NewContent, StoredChunk, WriteOp};

    /// An index in `dir` with `dir` as its one source.
    fn store_with_source(dir: &std::path::Path) -> (Store, Source) {
        let store = Store::open(&dir.join("gleaner.db")).unwrap();
        let source = store
            .add_source(&NewSource {
                path: dir.into(),
                recursive: true,
                ..Default::default()
            })
            .unwrap();
        (store, source)
    }

    #[test]
    fn old_deleted_documents_and_their_text_are_purged() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let stat = FileStat {
            size: 5,
            mtime_ns: 1,
            inode: 7,
            dev: 1,
        };
        let row = DocumentRow {
            source_id: source.id,
            path: "/x/a.txt".into(),
            rel_path: "a.txt".into(),
            name: "a.txt".into(),
            ext: "txt".into(),
            format: "text",
            stat,
        };
        let content = NewContent {
            title: None,
            md5: [1; 16],
            size: 5,
            format: "text",
            extractor: "text/1".into(),
            text_bytes: 5,
            chunks: vec![StoredChunk {
                byte_start: 0,
                byte_end: 5,
                line_start: 1,
                line_end: 1,
                text: "hello".into(),
            }],
        };
        store
            .apply(
                &[WriteOp::Index {
                    row,
                    content: ContentChange::New(content),
                }],
                None,
            )
            .unwrap();
        let doc_id: i64 = store
            .conn
            .query_row("SELECT id FROM documents", [], |r| r.get(0))
            .unwrap();
        store.apply(&[WriteOp::Delete { doc_id }], None).unwrap();
        // Kept while younger than the retention...
        let report = store.maintain(30).unwrap();
        assert_eq!(report.purged_documents, 0);
        // ...purged, with its text, once older.
        store
            .conn
            .execute("UPDATE documents SET deleted_at = 0", [])
            .unwrap();
        let report = store.maintain(30).unwrap();
        assert_eq!((report.purged_documents, report.purged_contents), (1, 1));
        let chunks: i64 = store
            .conn
            .query_row("SELECT count(*) FROM chunks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(chunks, 0);
        assert!(store.integrity_problems().unwrap().is_empty());
    }

    #[test]
    fn a_displaced_content_is_collected_only_when_named_and_unused() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let index = |store: &mut Store, md5: u8, text: &str| {
            let row = DocumentRow {
                source_id: source.id,
                path: "/x/a.txt".into(),
                rel_path: "a.txt".into(),
                name: "a.txt".into(),
                ext: "txt".into(),
                format: "text",
                stat: FileStat {
                    size: text.len() as u64,
                    mtime_ns: md5 as i64,
                    inode: 7,
                    dev: 1,
                },
            };
            let content = NewContent {
                title: None,
                md5: [md5; 16],
                size: text.len() as u64,
                format: "text",
                extractor: "text/1".into(),
                text_bytes: text.len() as _,
                chunks: vec![StoredChunk {
                    byte_start: 0,
                    byte_end: text.len() as _,
                    line_start: 1,
                    line_end: 1,
                    text: text.into(),
                }],
            };
            let op = WriteOp::Index {
                row,
                content: ContentChange::New(content),
            };
            store.apply(&[op], None).unwrap();
            store
                .conn
                .query_row("SELECT content_id FROM documents", [], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap()
        };
        let first = index(&mut store, 1, "hello");
        let second = index(&mut store, 2, "world");
        assert_ne!(first, second);
        // The document's current content is never collected...
        assert_eq!(store.collect_orphans_among(&[second]).unwrap(), 0);
        // ...the one it left is, with its chunks.
        assert_eq!(store.collect_orphans_among(&[first, second]).unwrap(), 1);
        let chunks: Vec<i64> = store
            .conn
            .prepare("SELECT content_id FROM chunks")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(chunks, vec![second]);
        assert!(store.integrity_problems().unwrap().is_empty());
    }
}
