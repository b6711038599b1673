//! Reading a file: bytes, hash, and text when the index does not have it yet.
//!
//! Runs on the scan's worker threads, each with its own read-only connection
//! to look up contents by hash, so a duplicate or a moved file is recognised
//! before any extraction is paid for.

use std::time::Duration;

use crate::chunk::chunk_text;
use crate::extract::{self, ExtractError, ExtractLimits, Format};
use crate::fingerprint::{read_stable, FileStat, Md5, ReadError, ReadTarget};
use crate::store::{NewContent, Store};

/// How a worker reads files.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Files larger than this are listed by name only, never read.
    pub max_file_bytes: u64,
    /// Limits of one file's extraction.
    pub extract: ExtractLimits,
}

/// What reading one file gave.
#[derive(Debug)]
pub enum ReadOutcome {
    /// Not read: a format without text, or over the size cap.
    NameOnly {
        /// The stat the decision was made on.
        stat: FileStat,
    },
    /// Read and hashed.
    Read {
        /// The stat the bytes are valid for.
        stat: FileStat,
        /// MD5 of the bytes.
        md5: Md5,
        /// The stored content with that hash and current text, if any.
        existing: Option<i64>,
        /// Freshly extracted text (when no current content existed).
        extracted: Option<Result<NewContent, ExtractError>>,
    },
    /// The file was gone when it was opened.
    Vanished,
    /// The file could not be read.
    Failed {
        /// What went wrong, for the document's error column.
        error: String,
    },
}

/// How many times a file that changes while being read is read again before
/// the scan gives up on it for now.
const TORN_READ_ATTEMPTS: u32 = 3;

/// Reads one file and decides what its content is.
pub fn read_file(
    item: &super::plan::WorkItem,
    lookup: &Store,
    options: &ReadOptions,
) -> ReadOutcome {
    let walked = item.file.stat;
    if item.format == Format::NoText || walked.size > options.max_file_bytes {
        return ReadOutcome::NameOnly { stat: walked };
    }
    // The walk listed the file at `rel_path` below the source root.
    let depth = item.file.rel_path.components().count();
    let Some(root) = item.file.path.ancestors().nth(depth) else {
        return ReadOutcome::Vanished;
    };
    let target = ReadTarget {
        root,
        rel: &item.file.rel_path,
        walked,
    };
    let mut attempt = 0;
    let bytes = loop {
        attempt += 1;
        match read_stable(&target, options.max_file_bytes) {
            Ok(bytes) => break bytes,
            // Grew past the cap since the walk: what the walk would have done.
            Err(ReadError::TooLarge { .. }) => return ReadOutcome::NameOnly { stat: walked },
            // Gone since the walk (or replaced by something that is not a
            // file, such as a FIFO): not there, as if the walk had not seen it.
            Err(ReadError::Io(io)) if io.kind() == std::io::ErrorKind::NotFound => {
                return ReadOutcome::Vanished
            }
            Err(ReadError::NotAFile) => return ReadOutcome::Vanished,
            // Now a link, or a path through one: not a file of the source
            // (the next scan sees whatever is there).
            Err(ReadError::Redirected) => return ReadOutcome::Vanished,
            Err(ReadError::ChangedWhileReading) if attempt < TORN_READ_ATTEMPTS => {
                std::thread::sleep(Duration::from_millis(50 * attempt as u64));
            }
            Err(err) => {
                return ReadOutcome::Failed {
                    error: describe_read_error(&err),
                }
            }
        }
    };
    let current_extractor = extract::extractor_id(item.format);
    let existing = match lookup.content_by_md5(&bytes.md5) {
        Ok(Some((id, extractor))) if extractor == current_extractor => Some(id),
        Ok(_) => None,
        Err(err) => {
            // A failed lookup only costs an extraction that was not needed.
            tracing::debug!(%err, "content lookup failed");
            None
        }
    };
    let stat = bytes.stat;
    let md5 = bytes.md5;
    if existing.is_some() {
        return ReadOutcome::Read {
            stat,
            md5,
            existing,
            extracted: None,
        };
    }
    let size = bytes.bytes.len() as u64;
    let extracted = extract::extract(item.format, bytes.bytes, &options.extract).map(|extracted| {
        let chunks = chunk_text(&extracted.text);
        // Markup without a title of its own is named by its first heading.
        let title = extracted.title.or_else(|| {
            let ext = item
                .file
                .path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            extract::title_from_heading(&ext, &extracted.text)
        });
        NewContent {
            title,
            md5,
            size,
            format: item.format.as_str(),
            extractor: extracted.extractor.to_string(),
            text_bytes: extracted.text.len(),
            chunks,
        }
    });
    ReadOutcome::Read {
        stat,
        md5,
        existing: None,
        extracted: Some(extracted),
    }
}

fn describe_read_error(err: &ReadError) -> String {
    match err {
        ReadError::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            "permission denied".to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::plan::{WorkItem, WorkReason};
    use crate::walk::WalkedFile;

    fn item_for(path: &std::path::Path, stat: FileStat) -> WorkItem {
        WorkItem {
            file: WalkedFile {
                path: path.to_path_buf(),
                rel_path: path.file_name().unwrap().into(),
                stat,
            },
            format: Format::for_path(path),
            prior: None,
            reason: WorkReason::New,
        }
    }

    fn options(max_file_bytes: u64) -> ReadOptions {
        ReadOptions {
            max_file_bytes,
            extract: ExtractLimits::default(),
        }
    }

    #[test]
    fn a_file_gone_between_walk_and_read_is_vanished_not_failed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("gleaner.db")).unwrap();
        let path = dir.path().join("gone.txt");
        std::fs::write(&path, "soon gone").unwrap();
        let stat = FileStat::from_metadata(&std::fs::metadata(&path).unwrap());
        std::fs::remove_file(&path).unwrap();
        let outcome = read_file(&item_for(&path, stat), &store, &options(1 << 20));
        assert!(matches!(outcome, ReadOutcome::Vanished), "{outcome:?}");
    }

    #[test]
    fn a_file_that_grew_past_the_cap_after_the_walk_is_listed_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("gleaner.db")).unwrap();
        let path = dir.path().join("grows.txt");
        std::fs::write(&path, "small").unwrap();
        let stat = FileStat::from_metadata(&std::fs::metadata(&path).unwrap());
        std::fs::write(&path, "x".repeat(4096)).unwrap();
        let outcome = read_file(&item_for(&path, stat), &store, &options(1024));
        assert!(
            matches!(outcome, ReadOutcome::NameOnly { .. }),
            "{outcome:?}"
        );
    }
}
