//! Source rows: add, list, change, remove, and record scan outcomes.

use std::path::Path;

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::path_text::{path_text, text_path};
use super::{now_ms, Store};
use crate::error::{Error, Result};
use crate::source::{NewSource, ScanStatus, Source, SourceUpdate};

const SOURCE_COLUMNS: &str = "id, path, recursive, include_globs, exclude_globs, active, \
     scan_interval_s, created_at, last_full_scan, last_scan_status, last_error";

fn source_from_row(row: &Row<'_>) -> rusqlite::Result<Source> {
    let globs = |text: String| serde_json::from_str::<Vec<String>>(&text).unwrap_or_default();
    Ok(Source {
        id: row.get(0)?,
        path: text_path(&row.get::<_, String>(1)?),
        recursive: row.get(2)?,
        include: globs(row.get(3)?),
        exclude: globs(row.get(4)?),
        active: row.get(5)?,
        scan_interval_s: row.get(6)?,
        created_at: row.get(7)?,
        last_full_scan: row.get(8)?,
        last_scan_status: ScanStatus::parse(&row.get::<_, String>(9)?),
        last_error: row.get(10)?,
    })
}

/// A source with its document counts, for `status` and the settings window.
#[derive(Debug, Clone, Serialize)]
pub struct SourceStatusRow {
    /// The source.
    #[serde(flatten)]
    pub source: Source,
    /// Active documents.
    pub documents: i64,
    /// Active documents whose last read or extraction failed.
    pub failed_documents: i64,
}

impl Store {
    /// Adds a source. The path must already be canonical (see
    /// [`crate::source::canonical_source_path`]).
    pub fn add_source(&self, new: &NewSource) -> Result<Source> {
        self.conn.execute(
            "INSERT INTO sources (path, recursive, include_globs, exclude_globs, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                path_text(&new.path),
                new.recursive,
                serde_json::to_string(&new.include).expect("globs serialize"),
                serde_json::to_string(&new.exclude).expect("globs serialize"),
                now_ms()
            ],
        )?;
        self.source_by_id(self.conn.last_insert_rowid())
    }

    /// One source by row id.
    pub fn source_by_id(&self, id: i64) -> Result<Source> {
        Ok(self.conn.query_row(
            &format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?1"),
            [id],
            source_from_row,
        )?)
    }

    /// The source stored under exactly `path`, if any.
    pub fn source_by_path(&self, path: &Path) -> Result<Option<Source>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE path = ?1"),
                [path_text(path)],
                source_from_row,
            )
            .optional()?)
    }

    /// The source stored under `path`, or [`Error::UnknownSource`].
    pub fn require_source(&self, path: &Path) -> Result<Source> {
        self.source_by_path(path)?
            .ok_or_else(|| Error::UnknownSource(path.to_path_buf()))
    }

    /// All sources, oldest first.
    pub fn sources(&self) -> Result<Vec<Source>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {SOURCE_COLUMNS} FROM sources ORDER BY id"))?;
        let rows = stmt.query_map([], source_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// All sources with their document counts.
    pub fn source_statuses(&self) -> Result<Vec<SourceStatusRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT source_id, count(*), count(error) FROM documents WHERE active = 1 GROUP BY source_id",
        )?;
        let counts: std::collections::HashMap<i64, (i64, i64)> = stmt
            .query_map([], |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(self
            .sources()?
            .into_iter()
            .map(|source| {
                let (documents, failed_documents) =
                    counts.get(&source.id).copied().unwrap_or((0, 0));
                SourceStatusRow {
                    source,
                    documents,
                    failed_documents,
                }
            })
            .collect())
    }

    /// Changes a source's rules.
    pub fn update_source(&self, id: i64, update: &SourceUpdate) -> Result<Source> {
        let tx = self.conn.unchecked_transaction()?;
        if let Some(include) = &update.include {
            tx.execute(
                "UPDATE sources SET include_globs = ?2 WHERE id = ?1",
                params![id, serde_json::to_string(include).expect("globs serialize")],
            )?;
        }
        if let Some(exclude) = &update.exclude {
            tx.execute(
                "UPDATE sources SET exclude_globs = ?2 WHERE id = ?1",
                params![id, serde_json::to_string(exclude).expect("globs serialize")],
            )?;
        }
        if let Some(recursive) = update.recursive {
            tx.execute(
                "UPDATE sources SET recursive = ?2 WHERE id = ?1",
                params![id, recursive],
            )?;
        }
        if let Some(interval) = update.scan_interval_s {
            tx.execute(
                "UPDATE sources SET scan_interval_s = ?2 WHERE id = ?1",
                params![id, interval],
            )?;
        }
        tx.commit()?;
        self.source_by_id(id)
    }

    /// Enables or disables a source.
    pub fn set_source_active(&self, id: i64, active: bool) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET active = ?2 WHERE id = ?1",
            params![id, active],
        )?;
        super::commit_signal::announce();
        Ok(())
    }

    /// Removes a source with all its documents, and the contents no other
    /// document shares.
    pub fn remove_source(&self, id: i64) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM documents WHERE source_id = ?1", [id])?;
        tx.execute("DELETE FROM sources WHERE id = ?1", [id])?;
        tx.execute(
            "DELETE FROM contents WHERE NOT EXISTS
                 (SELECT 1 FROM documents d WHERE d.content_id = contents.id)",
            [],
        )?;
        tx.commit()?;
        super::commit_signal::announce();
        Ok(())
    }

    /// Records that a scan started.
    pub fn mark_scan_running(&self, id: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET last_scan_status = 'running' WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    /// Records a scan's outcome: success sets `last_full_scan`; an error keeps
    /// the previous `last_full_scan` and stores the reason.
    pub fn finish_scan(&self, id: i64, status: ScanStatus, error: Option<&str>) -> Result<()> {
        if status == ScanStatus::Success {
            self.conn.execute(
                "UPDATE sources SET last_scan_status = 'success', last_error = NULL,
                     last_full_scan = ?2 WHERE id = ?1",
                params![id, now_ms()],
            )?;
        } else {
            self.conn.execute(
                "UPDATE sources SET last_scan_status = ?2, last_error = ?3 WHERE id = ?1",
                params![id, status.as_str(), error],
            )?;
        }
        Ok(())
    }
}
