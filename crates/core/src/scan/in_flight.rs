//! A bound on the extracted text a scan holds between its readers and the
//! committed batch.
//!
//! Readers extract faster than one writer commits when files are large, so
//! a channel bounded by *items* alone holds as many whole texts as it has
//! places: a few generated headers of tens of megabytes each were most of a
//! first index's peak memory. Here a reader takes the text's size from the
//! budget before it hands the text over, and the writer gives it back once
//! the batch holding it is committed (or dropped). A text larger than the
//! whole budget still goes through, alone, so no file can wait forever.

use std::sync::{Condvar, Mutex};

/// Bytes of text in flight, shared by the readers and the writer.
pub(super) struct InFlight {
    budget: usize,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    used: usize,
    /// Readers waiting for room.
    waiting: usize,
    /// Set when the scan stops: nobody waits any more.
    closed: bool,
}

impl InFlight {
    pub fn new(budget: usize) -> InFlight {
        InFlight {
            budget: budget.max(1),
            state: Mutex::new(State {
                used: 0,
                waiting: 0,
                closed: false,
            }),
            freed: Condvar::new(),
        }
    }

    /// Takes `bytes` from the budget, waiting until they fit (or until
    /// nothing else is in flight). False when the scan stopped meanwhile.
    pub fn take(&self, bytes: usize) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // Nothing to hold (a failure, a name-only file) never waits.
        while bytes > 0 && !state.closed && state.used > 0 && state.used + bytes > self.budget {
            state.waiting += 1;
            state = self.freed.wait(state).unwrap_or_else(|p| p.into_inner());
            state.waiting -= 1;
        }
        if state.closed {
            return false;
        }
        state.used += bytes;
        true
    }

    /// Gives `bytes` back.
    pub fn give_back(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.used = state.used.saturating_sub(bytes);
        self.freed.notify_all();
    }

    /// Whether a reader is kept waiting for room: the writer then commits
    /// what it holds rather than wait for its batch to fill or age.
    pub fn readers_waiting(&self) -> bool {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).waiting > 0
    }

    /// Wakes every waiting reader for good (the scan is stopping).
    pub fn close(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.closed = true;
        self.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn a_reader_waits_for_room_and_a_huge_text_goes_alone() {
        let flight = Arc::new(InFlight::new(100));
        assert!(flight.take(60));
        assert!(!flight.readers_waiting());
        let waiting = {
            let flight = flight.clone();
            std::thread::spawn(move || flight.take(50))
        };
        // 60 + 50 exceed the budget: the reader waits, and says so.
        while !flight.readers_waiting() {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(!waiting.is_finished());
        flight.give_back(60);
        assert!(waiting.join().unwrap());
        flight.give_back(50);
        // Larger than the budget: allowed when nothing else is in flight;
        // a reader with nothing to hold passes it.
        assert!(flight.take(1_000));
        assert!(flight.take(0));
        flight.give_back(1_000);
    }

    /// A budget far smaller than the files: every text waits for the one
    /// before it to be committed, none is lost, and the scan ends.
    #[test]
    fn a_scan_with_texts_larger_than_the_budget_indexes_every_file() {
        use crate::scan::{scan_source, ScanOptions, ScanScope, Unobserved};
        use crate::settings::Settings;
        use crate::source::NewSource;
        use crate::store::Store;

        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("notes");
        std::fs::create_dir_all(&root).unwrap();
        for i in 0..40 {
            let text = format!("note {i} mentions heliotrope. ").repeat(50 + i * 20);
            std::fs::write(root.join(format!("{i}.txt")), text).unwrap();
        }
        let mut store = Store::open(&dir.path().join("gleaner.db")).unwrap();
        let source = store
            .add_source(&NewSource {
                path: root,
                recursive: true,
                ..NewSource::default()
            })
            .unwrap();
        let mut options = ScanOptions::from_settings(&Settings::defaults());
        options.workers = 3;
        options.in_flight_text_bytes = 1_000; // every text is larger
        let outcome = scan_source(
            &mut store,
            &source,
            &ScanScope::Full,
            &options,
            None,
            &Unobserved,
        )
        .unwrap();
        assert!(!outcome.stopped);
        assert_eq!(outcome.counts.new, 40, "{:?}", outcome.counts);
        assert_eq!(outcome.counts.failed_files, 0);
        assert!(outcome.counts.total_chunks >= 40);
    }

    #[test]
    fn closing_releases_waiting_readers() {
        let flight = Arc::new(InFlight::new(10));
        assert!(flight.take(10));
        let waiting = {
            let flight = flight.clone();
            std::thread::spawn(move || flight.take(5))
        };
        flight.close();
        assert!(!waiting.join().unwrap());
        assert!(!flight.take(1));
    }
}
