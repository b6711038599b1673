//! Stored settings (validated by [`crate::settings`] before they get here).

use rusqlite::params;

use super::Store;
use crate::error::Result;
use crate::settings::{self, Settings};

impl Store {
    /// The current settings, defaults filled in.
    pub fn settings(&self) -> Result<Settings> {
        let mut stmt = self.conn.prepare("SELECT key, value FROM settings")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(Settings::from_stored(
            rows.collect::<rusqlite::Result<Vec<_>>>()?,
        ))
    }

    /// Validates and stores one setting; returns the stored (canonical) value.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<String> {
        let canonical = settings::spec(key)?.validate(value)?;
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, canonical],
        )?;
        Ok(canonical)
    }
}
