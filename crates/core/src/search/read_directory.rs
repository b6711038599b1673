//! The directory the indexer writes through: tantivy's memory-mapped
//! directory, except that postings and positions are read with `pread`.
//!
//! A merge reads every posting list and position list of the segments it
//! merges, once, in order. Through a memory map, each page it touches stays
//! in the process's resident memory until the merge ends and the map is
//! dropped: merges of the Linux tree's segments held up to 87 MiB of mapped
//! `.idx`/`.pos`/`.term` pages at the first index's peak. Read with `pread`
//! into a buffer per term, the same bytes pass through the page cache and
//! are freed term by term, so the writer's memory no longer grows with the
//! size of what it merges. Searchers keep the maps (`SearchIndex` opens
//! them on plain `MmapDirectory`): they read few terms, again and again.
//!
//! Term dictionaries, fast fields and norms stay mapped: tantivy reads them
//! whole or at random, and copying them would only move the same bytes from
//! the page cache to the heap.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};
use tantivy::HasLen;

/// `MmapDirectory`, with postings and positions read by `pread`.
#[derive(Clone, Debug)]
pub(super) struct WriterDirectory {
    root: PathBuf,
    mapped: MmapDirectory,
}

impl WriterDirectory {
    pub(super) fn open(root: &Path) -> tantivy::Result<WriterDirectory> {
        Ok(WriterDirectory {
            root: root.to_path_buf(),
            mapped: MmapDirectory::open(root)?,
        })
    }
}

/// Whether the file is read a term at a time, front to back, by merges.
fn read_by_term(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("idx" | "pos")
    )
}

impl Directory for WriterDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if !read_by_term(path) {
            return self.mapped.get_file_handle(path);
        }
        let full = self.root.join(path);
        let file = File::open(&full).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                OpenReadError::FileDoesNotExist(path.to_path_buf())
            } else {
                OpenReadError::wrap_io_error(e, path.to_path_buf())
            }
        })?;
        let len = file
            .metadata()
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?
            .len() as usize;
        Ok(Arc::new(PreadFile { file, len }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(
        &self,
        lock: &Lock,
    ) -> Result<DirectoryLock, tantivy::directory::error::LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(watch_callback)
    }
}

/// A file read with `pread`, one owned buffer per read.
#[derive(Debug)]
struct PreadFile {
    file: File,
    len: usize,
}

impl HasLen for PreadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for PreadFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("read of {range:?} past the end of a {}-byte file", self.len),
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        let mut buffer = vec![0u8; range.len()];
        self.file.read_exact_at(&mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_are_read_by_pread_and_other_files_stay_mapped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.idx"), b"postings").unwrap();
        std::fs::write(dir.path().join("a.term"), b"terms").unwrap();
        let directory = WriterDirectory::open(dir.path()).unwrap();

        let postings = directory.open_read(Path::new("a.idx")).unwrap();
        assert_eq!(postings.len(), 8);
        assert_eq!(
            postings.slice(1..4).read_bytes().unwrap().as_slice(),
            b"ost"
        );
        assert_eq!(postings.slice(3..3).read_bytes().unwrap().as_slice(), b"");
        let terms = directory.open_read(Path::new("a.term")).unwrap();
        assert_eq!(terms.read_bytes().unwrap().as_slice(), b"terms");

        assert!(matches!(
            directory.open_read(Path::new("missing.idx")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }

    #[test]
    fn a_read_past_the_end_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.pos"), b"abc").unwrap();
        let directory = WriterDirectory::open(dir.path()).unwrap();
        let handle = directory.get_file_handle(Path::new("a.pos")).unwrap();
        assert!(handle.read_bytes(1..9).is_err());
    }
}
