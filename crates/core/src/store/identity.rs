//! Is this file a Gleaner index? Checked when the store opens, before any
//! migration may write to it.
//!
//! Migrations must never run on somebody else's SQLite file (they would add
//! Gleaner's tables to it), and a damaged index must be reported as such, so
//! the user can set it aside and rebuild (`gleaner rebuild`). A Gleaner index
//! carries [`APPLICATION_ID`]; one made before the id existed (schema 1 or 2)
//! is recognised by its tables; an empty file is a new index.

use rusqlite::Connection;

use super::schema::APPLICATION_ID;

/// What the file at hand is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identity {
    /// No schema at all: a new index.
    Empty,
    /// A Gleaner index (perhaps from before the application id).
    Gleaner,
    /// Something else, with why it is not ours.
    Foreign(String),
}

/// Reads the application id, the schema version and the table names.
pub(crate) fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    let application_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let has = |name: &str| tables.iter().any(|t| t == name);
    Ok(if application_id == APPLICATION_ID {
        Identity::Gleaner
    } else if application_id != 0 {
        Identity::Foreign(format!(
            "it is an SQLite database of another application (application id {application_id:#x})"
        ))
    } else if tables.is_empty() && version == 0 {
        Identity::Empty
    } else if version >= 1 && has("sources") && has("documents") && has("contents") {
        Identity::Gleaner
    } else {
        Identity::Foreign(format!(
            "it is an SQLite database without Gleaner's tables ({} tables, schema version {version})",
            tables.len()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_ours_and_foreign() {
        let conn = Connection::open_in_memory().unwrap();
        assert_eq!(identify(&conn).unwrap(), Identity::Empty);
        conn.execute_batch("CREATE TABLE photos (id INTEGER)")
            .unwrap();
        assert!(matches!(identify(&conn).unwrap(), Identity::Foreign(_)));
        conn.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))
            .unwrap();
        assert_eq!(identify(&conn).unwrap(), Identity::Gleaner);
        conn.execute_batch("PRAGMA application_id = 42").unwrap();
        assert!(matches!(identify(&conn).unwrap(), Identity::Foreign(_)));
    }

    #[test]
    fn an_index_from_before_the_application_id_is_ours() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE sources (id INTEGER); CREATE TABLE documents (id INTEGER);
             CREATE TABLE contents (id INTEGER); PRAGMA user_version = 2;",
        )
        .unwrap();
        assert_eq!(identify(&conn).unwrap(), Identity::Gleaner);
    }
}
