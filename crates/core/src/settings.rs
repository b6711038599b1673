//! The settings registry: every tunable the engine reads, its range and its
//! default.
//!
//! Settings live in the index database (not in a desktop-only store) so the
//! CLI, the MCP server and the desktop app see and change the same values.
//! Values are validated here, once, whichever surface sets them; an error names
//! the accepted range so the user can fix the command at once.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};

/// The type and range of one setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingKind {
    /// An integer within `min..=max`.
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// `true` or `false`.
    Boolean,
    /// Free text (URLs and the like); `max_len` bytes at most.
    Text {
        /// Longest accepted value in bytes.
        max_len: usize,
    },
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy)]
pub struct SettingSpec {
    /// The dotted key, e.g. `watch.debounce_ms`.
    pub key: &'static str,
    /// Type and range.
    pub kind: SettingKind,
    /// The default, in the same textual form `config set` takes.
    pub default: &'static str,
    /// One line for `config list` and the settings window.
    pub description: &'static str,
}

/// The setting that lists the folders whose notifications are muted.
pub const MUTED_SOURCES: &str = "notify.muted";

/// Whether the MCP server offers the tools that change something (start,
/// pause, resume and cancel indexing). Off by default: an assistant, or a
/// prompt injected into any file it reads, gets a read-only server.
pub const MCP_ALLOW_CHANGES: &str = "mcp.allow_changes";

/// The folders inside which the MCP server may add a source or change a
/// source's rules, as a JSON list of absolute paths. Empty by default: only
/// the user adds folders.
pub const MCP_ALLOWED_ROOTS: &str = "mcp.allowed_roots";

/// Every setting the engine knows. Later features add keys here.
pub const REGISTRY: &[SettingSpec] = &[
    SettingSpec {
        key: "watch.debounce_ms",
        kind: SettingKind::Integer {
            min: 50,
            max: 60_000,
        },
        default: "500",
        description: "Quiet time after a change before a file that was not closed is indexed",
    },
    SettingSpec {
        key: "watch.max_delay_ms",
        kind: SettingKind::Integer {
            min: 1_000,
            max: 600_000,
        },
        default: "120000",
        description: "Longest a continuously changing file waits before it is indexed anyway",
    },
    SettingSpec {
        key: "watch.poll_interval_s",
        kind: SettingKind::Integer {
            min: 10,
            max: 86_400,
        },
        default: "300",
        description:
            "Seconds between rescans of sources that cannot be watched (network file systems)",
    },
    SettingSpec {
        key: "scan.full_interval_s",
        kind: SettingKind::Integer {
            min: 60,
            max: 2_592_000,
        },
        default: "86400",
        description: "Seconds between full rescans of each source",
    },
    SettingSpec {
        key: "index.workers",
        kind: SettingKind::Integer { min: 1, max: 8 },
        default: "2",
        description: "Threads that read, hash and extract files",
    },
    SettingSpec {
        key: "jobs.max_concurrent",
        kind: SettingKind::Integer { min: 1, max: 8 },
        default: "2",
        description: "Indexing jobs that may run at the same time",
    },
    SettingSpec {
        key: "index.max_file_mb",
        kind: SettingKind::Integer { min: 1, max: 4096 },
        default: "100",
        description: "Files larger than this many MiB are listed by name only",
    },
    SettingSpec {
        key: "index.extract_timeout_s",
        kind: SettingKind::Integer { min: 1, max: 3600 },
        default: "60",
        description: "Time budget for extracting the text of one file",
    },
    SettingSpec {
        key: "index.extract_memory_mb",
        kind: SettingKind::Integer {
            min: 128,
            max: 16384,
        },
        default: "1024",
        description: "Memory one extractor process may use for one file (PDF, office, HTML)",
    },
    SettingSpec {
        key: "retention.days",
        kind: SettingKind::Integer { min: 1, max: 3650 },
        default: "30",
        description:
            "Days deleted documents and finished jobs are kept before maintenance forgets them",
    },
    SettingSpec {
        key: "indexing.paused",
        kind: SettingKind::Boolean,
        default: "false",
        description: "All indexing paused by the user (gleaner pause / gleaner resume)",
    },
    SettingSpec {
        key: "notify.desktop",
        kind: SettingKind::Boolean,
        default: "true",
        description: "Show desktop notifications when jobs finish or fail",
    },
    SettingSpec {
        key: "notify.dnd",
        kind: SettingKind::Boolean,
        default: "false",
        description: "Do not disturb: no desktop pop-ups (the log and the webhook still get them)",
    },
    SettingSpec {
        key: "notify.milestones",
        kind: SettingKind::Boolean,
        default: "true",
        description: "Tell when a long job is 25, 50 and 75 % done",
    },
    SettingSpec {
        key: "notify.max_per_minute",
        kind: SettingKind::Integer { min: 1, max: 60 },
        default: "4",
        description: "Notifications allowed in any minute; more are merged into one digest",
    },
    SettingSpec {
        key: "notify.webhook_url",
        kind: SettingKind::Text { max_len: 2048 },
        default: "",
        description: "POST each notification as JSON to this http:// URL (empty: off)",
    },
    SettingSpec {
        key: MUTED_SOURCES,
        kind: SettingKind::Text { max_len: 65_536 },
        default: "[]",
        description:
            "Folders whose notifications only go to the log, as a JSON list (gleaner source set PATH --mute)",
    },
    SettingSpec {
        key: "http.enabled",
        kind: SettingKind::Boolean,
        default: "false",
        description: "Serve the loopback HTTP API",
    },
    SettingSpec {
        key: "http.addr",
        kind: SettingKind::Text { max_len: 64 },
        default: "127.0.0.1:7878",
        description: "Loopback address and port of the HTTP API (127.0.0.1 or [::1] only)",
    },
    SettingSpec {
        key: MCP_ALLOW_CHANGES,
        kind: SettingKind::Boolean,
        default: "false",
        description: "Let AI assistants (gleaner mcp) start, pause, resume and cancel indexing",
    },
    SettingSpec {
        key: MCP_ALLOWED_ROOTS,
        kind: SettingKind::Text { max_len: 65_536 },
        default: "[]",
        description:
            "Folders inside which AI assistants may add sources, as a JSON list of absolute paths",
    },
];

/// Looks a key up in the registry.
pub fn spec(key: &str) -> Result<&'static SettingSpec> {
    REGISTRY
        .iter()
        .find(|spec| spec.key == key)
        .ok_or_else(|| Error::UnknownSetting(key.to_string()))
}

impl SettingSpec {
    /// Checks `value` against the type and range and returns its canonical
    /// textual form (what is stored).
    pub fn validate(&self, value: &str) -> Result<String> {
        let invalid = |expected: String| Error::InvalidSetting {
            key: self.key.to_string(),
            value: value.to_string(),
            expected,
        };
        let trimmed = value.trim();
        match self.kind {
            SettingKind::Integer { min, max } => {
                let expected = || format!("an integer from {min} to {max}");
                let number: i64 = trimmed.parse().map_err(|_| invalid(expected()))?;
                if !(min..=max).contains(&number) {
                    return Err(invalid(expected()));
                }
                Ok(number.to_string())
            }
            SettingKind::Boolean => match trimmed.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok("true".into()),
                "false" | "no" | "off" | "0" => Ok("false".into()),
                _ => Err(invalid("true or false".into())),
            },
            SettingKind::Text { max_len } => {
                if trimmed.len() > max_len {
                    return Err(invalid(format!("text of at most {max_len} bytes")));
                }
                self.validate_text(trimmed).map_err(invalid)
            }
        }
    }

    /// The few text settings with a shape of their own are checked here, so
    /// a bad value is refused by `config set` rather than found later by
    /// the engine.
    fn validate_text(&self, value: &str) -> std::result::Result<String, String> {
        match self.key {
            "notify.webhook_url" if !value.is_empty() => {
                crate::notify::WebhookSink::check_url(value)
                    .map_err(|err| format!("an http:// URL or nothing ({err})"))?;
                Ok(value.to_string())
            }
            MUTED_SOURCES | MCP_ALLOWED_ROOTS => {
                parse_path_list(value).map(|paths| format_path_list(&paths))
            }
            _ => Ok(value.to_string()),
        }
    }
}

/// Reads a list of absolute folders: a JSON list of strings, one absolute
/// path alone, or nothing.
fn parse_path_list(value: &str) -> std::result::Result<Vec<PathBuf>, String> {
    let expected = "a JSON list of absolute paths, e.g. [\"/home/me/notes\"]";
    let paths: Vec<PathBuf> = if value.is_empty() {
        Vec::new()
    } else if value.starts_with('[') {
        serde_json::from_str(value).map_err(|_| expected.to_string())?
    } else {
        vec![PathBuf::from(value)]
    };
    if paths.iter().any(|p| !p.is_absolute()) {
        return Err(expected.to_string());
    }
    Ok(paths)
}

/// Writes a list of folders the way [`Settings::paths`] reads it back.
pub fn format_path_list(paths: &[PathBuf]) -> String {
    serde_json::to_string(paths).expect("paths serialize")
}

/// A snapshot of all settings, typed, as the engine reads them.
#[derive(Debug, Clone)]
pub struct Settings {
    values: std::collections::HashMap<&'static str, String>,
}

impl Settings {
    /// Builds a snapshot from stored `(key, value)` pairs; unknown keys are
    /// ignored (written by a newer Gleaner) and invalid values fall back to
    /// the default, so a bad row never stops the engine.
    pub fn from_stored(stored: impl IntoIterator<Item = (String, String)>) -> Settings {
        let mut values: std::collections::HashMap<&'static str, String> = REGISTRY
            .iter()
            .map(|s| (s.key, s.default.to_string()))
            .collect();
        for (key, value) in stored {
            if let Ok(spec) = spec(&key) {
                match spec.validate(&value) {
                    Ok(valid) => {
                        values.insert(spec.key, valid);
                    }
                    Err(err) => tracing::warn!(%err, "ignoring stored setting"),
                }
            }
        }
        Settings { values }
    }

    /// The default settings.
    pub fn defaults() -> Settings {
        Settings::from_stored(std::iter::empty())
    }

    /// The textual value of `key` (which must be in the registry).
    pub fn get(&self, key: &str) -> &str {
        self.values
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("setting {key} is not in the registry"))
    }

    /// An integer setting.
    pub fn integer(&self, key: &str) -> i64 {
        self.get(key).parse().expect("validated integer setting")
    }

    /// A boolean setting.
    pub fn boolean(&self, key: &str) -> bool {
        self.get(key) == "true"
    }

    /// A list-of-folders setting (like [`MUTED_SOURCES`]); empty when
    /// unreadable.
    pub fn paths(&self, key: &str) -> Vec<PathBuf> {
        parse_path_list(self.get(key)).unwrap_or_default()
    }

    /// Number of extraction workers.
    pub fn workers(&self) -> usize {
        self.integer("index.workers") as usize
    }

    /// Largest file whose content is read, in bytes.
    pub fn max_file_bytes(&self) -> u64 {
        self.integer("index.max_file_mb") as u64 * 1024 * 1024
    }

    /// The limits one file's extraction runs under.
    pub fn extract_limits(&self) -> crate::extract::ExtractLimits {
        crate::extract::ExtractLimits {
            timeout: Duration::from_secs(self.integer("index.extract_timeout_s") as u64),
            memory_bytes: self.integer("index.extract_memory_mb") as u64 * 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_for_their_own_ranges() {
        for spec in REGISTRY {
            assert_eq!(
                spec.validate(spec.default).unwrap(),
                spec.default,
                "{}",
                spec.key
            );
        }
    }

    #[test]
    fn out_of_range_names_the_range() {
        let err = spec("index.workers").unwrap().validate("9").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid value \"9\" for index.workers: expected an integer from 1 to 8"
        );
        assert!(spec("watch.debounce_ms").unwrap().validate("49").is_err());
        assert_eq!(
            spec("watch.debounce_ms").unwrap().validate(" 50 ").unwrap(),
            "50"
        );
    }

    #[test]
    fn booleans_are_canonical() {
        let spec = spec("notify.desktop").unwrap();
        assert_eq!(spec.validate("Off").unwrap(), "false");
        assert_eq!(spec.validate("1").unwrap(), "true");
        assert!(spec.validate("maybe").is_err());
    }

    #[test]
    fn muted_folders_are_a_json_list_of_absolute_paths() {
        let muted = spec(MUTED_SOURCES).unwrap();
        assert_eq!(muted.validate("").unwrap(), "[]");
        assert_eq!(muted.validate(" /media/usb ").unwrap(), r#"["/media/usb"]"#);
        assert_eq!(
            muted.validate(r#"["/a", "/b c"]"#).unwrap(),
            r#"["/a","/b c"]"#
        );
        assert!(muted.validate("notes").is_err());
        assert!(muted.validate("[\"/a\"").is_err());
        let settings =
            Settings::from_stored([(MUTED_SOURCES.to_string(), r#"["/a","/b"]"#.to_string())]);
        assert_eq!(
            settings.paths(MUTED_SOURCES),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
        assert!(Settings::defaults().paths(MUTED_SOURCES).is_empty());
    }

    #[test]
    fn mcp_is_read_only_with_no_roots_by_default() {
        let defaults = Settings::defaults();
        assert!(!defaults.boolean(MCP_ALLOW_CHANGES));
        assert!(defaults.paths(MCP_ALLOWED_ROOTS).is_empty());
        let roots = spec(MCP_ALLOWED_ROOTS).unwrap();
        assert_eq!(
            roots
                .validate(r#"["/home/ada/notes", "/srv/docs"]"#)
                .unwrap(),
            r#"["/home/ada/notes","/srv/docs"]"#
        );
        assert_eq!(roots.validate("/home/ada").unwrap(), r#"["/home/ada"]"#);
        let err = roots.validate(r#"["notes"]"#).unwrap_err();
        assert!(err.to_string().contains("absolute paths"), "{err}");
        assert!(roots.validate("[1, 2]").is_err());
        assert_eq!(
            spec(MCP_ALLOW_CHANGES).unwrap().validate("yes").unwrap(),
            "true"
        );
    }

    #[test]
    fn webhook_urls_are_checked_when_set() {
        let url = spec("notify.webhook_url").unwrap();
        assert_eq!(url.validate("").unwrap(), "");
        assert_eq!(
            url.validate("http://127.0.0.1:9000/hook").unwrap(),
            "http://127.0.0.1:9000/hook"
        );
        let err = url.validate("https://example.org/hook").unwrap_err();
        assert!(err.to_string().contains("only http://"), "{err}");
    }

    #[test]
    fn unknown_key_is_an_error() {
        assert!(matches!(spec("nope"), Err(Error::UnknownSetting(_))));
    }

    #[test]
    fn bad_stored_values_fall_back_to_defaults() {
        let settings = Settings::from_stored([
            ("index.workers".to_string(), "99".to_string()),
            ("watch.debounce_ms".to_string(), "200".to_string()),
            ("from.the.future".to_string(), "x".to_string()),
        ]);
        assert_eq!(settings.workers(), 2);
        assert_eq!(settings.integer("watch.debounce_ms"), 200);
    }
}
