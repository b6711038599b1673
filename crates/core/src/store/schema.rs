//! Schema migrations, applied in order inside one transaction each.
//!
//! `PRAGMA user_version` holds the number of migrations applied. A migration is
//! never edited once released: a change of schema is a new entry at the end.

/// The migrations; index `i` brings the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the foundation.
    r#"
CREATE TABLE sources (
    id               INTEGER PRIMARY KEY,
    path             TEXT    NOT NULL UNIQUE,
    recursive        INTEGER NOT NULL DEFAULT 1,
    include_globs    TEXT    NOT NULL DEFAULT '[]',   -- JSON array of globs, relative to path
    exclude_globs    TEXT    NOT NULL DEFAULT '[]',
    active           INTEGER NOT NULL DEFAULT 1,
    scan_interval_s  INTEGER,                         -- NULL: the global setting
    created_at       INTEGER NOT NULL,                -- unix ms
    last_full_scan   INTEGER,                         -- unix ms of the last completed scan
    last_scan_status TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (last_scan_status IN ('pending', 'running', 'success', 'error')),
    last_error       TEXT
);

-- Extracted text belongs to a content (the MD5 of the bytes); documents (paths)
-- point at a content, so duplicates share one row and a move is a path update.
CREATE TABLE contents (
    id         INTEGER PRIMARY KEY,
    md5        BLOB    NOT NULL UNIQUE,
    size       INTEGER NOT NULL,
    format     TEXT    NOT NULL,
    extractor  TEXT    NOT NULL,          -- extractor id and version that made the chunks
    text_bytes INTEGER NOT NULL DEFAULT 0,
    n_chunks   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    path          TEXT    NOT NULL UNIQUE,   -- absolute
    rel_path      TEXT    NOT NULL,          -- relative to the source root
    name          TEXT    NOT NULL,          -- file name, searchable
    ext           TEXT    NOT NULL DEFAULT '',
    format        TEXT    NOT NULL,
    content_id    INTEGER REFERENCES contents(id),  -- NULL: name only (no text, too large, never read)
    size          INTEGER NOT NULL,
    mtime_ns      INTEGER NOT NULL,
    inode         INTEGER NOT NULL,
    dev           INTEGER NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    deleted_at    INTEGER,
    first_seen_at INTEGER NOT NULL,
    indexed_at    INTEGER NOT NULL,
    error         TEXT,                      -- last extraction/read failure, NULL when fine
    error_count   INTEGER NOT NULL DEFAULT 0,
    retry_at      INTEGER                    -- unix ms after which a failed file is tried again
);
CREATE INDEX documents_source ON documents(source_id, active);
CREATE INDEX documents_content ON documents(content_id);
CREATE INDEX documents_failed ON documents(source_id) WHERE error IS NOT NULL;

CREATE TABLE chunks (
    id         INTEGER PRIMARY KEY,
    content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    byte_start INTEGER NOT NULL,
    byte_end   INTEGER NOT NULL,
    line_start INTEGER NOT NULL,
    line_end   INTEGER NOT NULL,
    text       TEXT    NOT NULL
);
CREATE INDEX chunks_content ON chunks(content_id, seq);

-- Full-text index over chunk text (external content: the text is stored once,
-- in chunks). Porter stemming over unicode61 with diacritics folded.
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text,
    content = 'chunks',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- File names are searchable too; one row per document, kept by triggers.
CREATE VIRTUAL TABLE names_fts USING fts5(
    name,
    content = 'documents',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2 tokenchars ''_'''
);
CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO names_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO names_fts(names_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER documents_au AFTER UPDATE OF name ON documents BEGIN
    INSERT INTO names_fts(names_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO names_fts(rowid, name) VALUES (new.id, new.name);
END;

-- Every scan is a job; the row is also the scan's summary.
CREATE TABLE indexing_jobs (
    id                TEXT    PRIMARY KEY,      -- UUID
    source_id         INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    directory         TEXT    NOT NULL,
    recursive         INTEGER NOT NULL DEFAULT 1,
    trigger           TEXT    NOT NULL DEFAULT 'manual',
    status            TEXT    NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
    created_at        INTEGER NOT NULL,
    started_at        INTEGER,
    completed_at      INTEGER,
    total_files       INTEGER NOT NULL DEFAULT 0,
    indexed_files     INTEGER NOT NULL DEFAULT 0,
    failed_files      INTEGER NOT NULL DEFAULT 0,
    total_chunks      INTEGER NOT NULL DEFAULT 0,
    bytes_processed   INTEGER NOT NULL DEFAULT 0,
    n_new             INTEGER NOT NULL DEFAULT 0,
    n_modified        INTEGER NOT NULL DEFAULT 0,
    n_moved           INTEGER NOT NULL DEFAULT 0,
    n_deleted         INTEGER NOT NULL DEFAULT 0,
    n_unchanged       INTEGER NOT NULL DEFAULT 0,
    error_message     TEXT,
    pause_reason      TEXT,
    last_indexed_file TEXT
);
CREATE INDEX indexing_jobs_status ON indexing_jobs(status);
CREATE INDEX indexing_jobs_source ON indexing_jobs(source_id, created_at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    // 2: find a moved file by its inode when the watcher saw only its new name.
    "CREATE INDEX documents_inode ON documents(inode);",
    // 3: stamp the file as Gleaner's, so a foreign SQLite file is recognised
    // (see `store::identity`).
    "PRAGMA application_id = 1196183122;",
    // 4: prefix indexes for file names. Typing the start of a name (`a*`,
    // `ma*`) made FTS5 merge the lists of every name token with that start
    // (6 ms for `a*` over 99k names); with a prefix index a start of one
    // to three characters has a list of its own. Longer prefixes have few
    // terms to merge.
    r#"
DROP TRIGGER documents_ai;
DROP TRIGGER documents_ad;
DROP TRIGGER documents_au;
DROP TABLE names_fts;
CREATE VIRTUAL TABLE names_fts USING fts5(
    name,
    content = 'documents',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2 tokenchars ''_''',
    prefix = '1 2 3'
);
CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO names_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO names_fts(names_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER documents_au AFTER UPDATE OF name ON documents BEGIN
    INSERT INTO names_fts(names_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO names_fts(rowid, name) VALUES (new.id, new.name);
END;
INSERT INTO names_fts(names_fts) VALUES ('rebuild');
"#,
    // 5: the full-text index moves out of SQLite into the search index
    // (`search/`, tantivy), which is derived from these tables and fed by
    // an outbox written in the same transaction as every change of a
    // document: the search index remembers the last outbox row it applied
    // (in its commit) and replays the rest after a crash. FTS5 is no longer
    // kept in step; its tables answer searches only until the new index has
    // been built from the stored chunks, then they are dropped
    // (`Store::drop_legacy_fulltext`).
    r#"
DROP TRIGGER chunks_ai;
DROP TRIGGER chunks_ad;
DROP TRIGGER documents_ai;
DROP TRIGGER documents_ad;
DROP TRIGGER documents_au;

-- A document (and the content it points at) whose searchable state may have
-- changed. AUTOINCREMENT: a sequence number is never reused, so "everything
-- after N" stays exact when applied rows are deleted.
CREATE TABLE search_outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    content_id  INTEGER,
    document_id INTEGER NOT NULL
);
CREATE TRIGGER search_documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO search_outbox (content_id, document_id) VALUES (new.content_id, new.id);
END;
CREATE TRIGGER search_documents_au
AFTER UPDATE OF source_id, path, name, ext, format, content_id, mtime_ns, active ON documents BEGIN
    INSERT INTO search_outbox (content_id, document_id) VALUES (old.content_id, old.id);
    INSERT INTO search_outbox (content_id, document_id)
        SELECT new.content_id, new.id WHERE new.content_id IS NOT old.content_id;
END;
CREATE TRIGGER search_documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO search_outbox (content_id, document_id) VALUES (old.content_id, old.id);
END;
CREATE TRIGGER search_sources_au AFTER UPDATE OF active ON sources BEGIN
    INSERT INTO search_outbox (content_id, document_id)
        SELECT content_id, id FROM documents WHERE source_id = new.id;
END;

-- A document's title (HTML <title>, PDF/office metadata, first heading),
-- when its extractor found one.
ALTER TABLE contents ADD COLUMN title TEXT;

-- Which store this is: the search index records the id it was built from,
-- so an index of another store (the file replaced, restored or rebuilt)
-- is never searched.
CREATE TABLE store_identity (id TEXT NOT NULL);
INSERT INTO store_identity (id) VALUES (lower(hex(randomblob(16))));
"#,
    // 6: symbolic links a scan met and did not follow, so a folder of links
    // only is reported as holding nothing to index rather than as a
    // success of 0 files.
    r#"
ALTER TABLE indexing_jobs ADD COLUMN n_links INTEGER NOT NULL DEFAULT 0;
"#,
];

/// `PRAGMA application_id` of a Gleaner index: "GLNR" in ASCII.
pub(crate) const APPLICATION_ID: i64 = 0x474C_4E52;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn names_indexed_before_the_prefix_index_are_found_after_it() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("gleaner.db");
        {
            // An index as version 3 left it, with two documents.
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..3] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute_batch(
                "PRAGMA user_version = 3;
                 INSERT INTO sources (id, path, created_at) VALUES (1, '/d', 0);
                 INSERT INTO documents (source_id, path, rel_path, name, format, size,
                     mtime_ns, inode, dev, first_seen_at, indexed_at)
                 VALUES (1, '/d/Makefile', 'Makefile', 'Makefile', 'text', 1, 0, 1, 1, 0, 0),
                        (1, '/d/notes.md', 'notes.md', 'notes.md', 'text', 1, 0, 2, 1, 0, 0);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let found = |query: &str| -> Vec<String> {
            store
                .conn
                .prepare("SELECT name FROM names_fts WHERE names_fts MATCH ?1 ORDER BY rowid")
                .unwrap()
                .query_map([query], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        assert_eq!(found("\"ma\"*"), ["Makefile"]);
        assert_eq!(found("\"notes\""), ["notes.md"]);
        assert!(store.integrity_problems().unwrap().is_empty());
    }
}
