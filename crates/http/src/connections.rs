//! The open connections, at most [`MAX_CONNECTIONS`](crate::limits) of them.
//!
//! Each connection is a file descriptor of the engine's process, so their
//! number is capped well under the process's limit. What happens at the cap
//! decides whether the cap protects the API or hands it to the attacker:
//!
//! - refusing new connections, or leaving them in the kernel's backlog,
//!   would let whoever holds the open ones (a slowloris client needs no
//!   token to hold them for the whole header timeout) keep every real client
//!   out;
//! - so instead the connection that has been *idle* the longest is closed
//!   to make room for the new one. Idle means no request is being served on
//!   it: still waiting for its first request's headers, or kept alive after
//!   an answer. A client that has sent its request is never cut off, and a
//!   real client, which sends its request as soon as it connects, is the
//!   newest and so the last to go.
//! - Only when every open connection has a request under way (a real load,
//!   not an idle one) does a new connection wait, in the kernel's backlog,
//!   until one ends.
//!
//! Reaching the cap is logged once, not once per connection: under attack,
//! a line per connection would flood the log and the disk. The number of
//! connections closed this way is logged when the server stops.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// `in_flight` of a connection that was chosen to be closed: no request may
/// start on it any more.
const EVICTED: usize = usize::MAX;

/// How often a full table is looked at again when every connection had a
/// request under way: one of them going idle frees no slot by itself.
const RECHECK_WHEN_ALL_BUSY: Duration = Duration::from_millis(50);

/// The open connections and the cap on them.
pub struct ConnectionTable {
    cap: usize,
    slots: Arc<Semaphore>,
    open: Mutex<HashMap<u64, Arc<ConnectionState>>>,
    next_id: AtomicU64,
    started: Instant,
    evictions: AtomicU64,
    cap_reached_logged: AtomicBool,
}

/// One connection, as the table and its own task see it.
struct ConnectionState {
    /// Requests being served on it now, or [`EVICTED`].
    in_flight: AtomicUsize,
    /// When it last started or ended a request (or was accepted), in ms
    /// since the table was made.
    last_active_ms: AtomicU64,
    /// Told when the connection must close.
    evict: Notify,
}

/// A connection's place in the table; dropping it frees the place.
pub struct Slot {
    id: u64,
    state: Arc<ConnectionState>,
    table: Arc<ConnectionTable>,
    _permit: OwnedSemaphorePermit,
}

/// A request being served; dropping it marks the connection idle again.
pub struct RequestUnderWay {
    state: Arc<ConnectionState>,
    table: Arc<ConnectionTable>,
}

impl ConnectionTable {
    /// A table for at most `cap` connections.
    pub fn new(cap: usize) -> Arc<ConnectionTable> {
        Arc::new(ConnectionTable {
            cap,
            slots: Arc::new(Semaphore::new(cap)),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            started: Instant::now(),
            evictions: AtomicU64::new(0),
            cap_reached_logged: AtomicBool::new(false),
        })
    }

    /// A place for a connection just accepted: a free one, else the place of
    /// the connection idle the longest, which is told to close; when every
    /// connection has a request under way, waits until one has not.
    pub async fn admit(self: &Arc<Self>) -> Slot {
        loop {
            if let Ok(permit) = self.slots.clone().try_acquire_owned() {
                return self.slot(permit);
            }
            self.note_cap_reached();
            let evicted = self.evict_idlest();
            // The evicted connection's task frees its place as soon as it
            // runs; with none evicted, look again a little later.
            let wait = if evicted {
                Duration::from_secs(5)
            } else {
                RECHECK_WHEN_ALL_BUSY
            };
            if let Ok(Ok(permit)) =
                tokio::time::timeout(wait, self.slots.clone().acquire_owned()).await
            {
                return self.slot(permit);
            }
        }
    }

    /// How many connections are open.
    pub fn open_count(&self) -> usize {
        self.cap - self.slots.available_permits()
    }

    /// How many connections were closed to make room for others.
    pub fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }

    /// Waits until every connection has closed, or `grace` has passed;
    /// whether they all closed.
    pub async fn wait_all_closed(&self, grace: Duration) -> bool {
        let all = u32::try_from(self.cap).unwrap_or(u32::MAX);
        tokio::time::timeout(grace, self.slots.acquire_many(all))
            .await
            .is_ok_and(|permits| permits.is_ok())
    }

    fn slot(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Slot {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnectionState {
            in_flight: AtomicUsize::new(0),
            last_active_ms: AtomicU64::new(self.now_ms()),
            evict: Notify::new(),
        });
        self.lock().insert(id, state.clone());
        Slot {
            id,
            state,
            table: self.clone(),
            _permit: permit,
        }
    }

    /// Tells the connection idle the longest to close, and takes it out of
    /// the table; false when every connection has a request under way.
    fn evict_idlest(&self) -> bool {
        let mut open = self.lock();
        let mut idle: Vec<(u64, u64)> = open
            .iter()
            .filter(|(_, state)| state.in_flight.load(Ordering::Acquire) == 0)
            .map(|(id, state)| (state.last_active_ms.load(Ordering::Relaxed), *id))
            .collect();
        idle.sort_unstable();
        for (_, id) in idle {
            let state = &open[&id];
            // A request may have started since the scan: then it is not
            // idle any more, and the next one is tried.
            if state
                .in_flight
                .compare_exchange(0, EVICTED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                state.evict.notify_one();
                open.remove(&id);
                self.evictions.fetch_add(1, Ordering::Relaxed);
                return true;
            }
        }
        false
    }

    fn note_cap_reached(&self) {
        if !self.cap_reached_logged.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                cap = self.cap,
                "the HTTP API has reached its limit of open connections: from now on the \
                 connection idle the longest is closed to make room for a new one (logged \
                 once; the count is logged when the API stops)"
            );
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The lock guards the map for an insert, a remove or a scan of at
    /// most `cap` entries; nothing is left half-done in it, so a poisoned
    /// lock is taken over.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<ConnectionState>>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Slot {
    /// Marks a request as under way on this connection, so that it is not
    /// closed for another; `None` when the connection was already chosen to
    /// close.
    pub fn begin_request(&self) -> Option<RequestUnderWay> {
        self.state
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n != EVICTED).then(|| n + 1)
            })
            .ok()?;
        self.state
            .last_active_ms
            .store(self.table.now_ms(), Ordering::Relaxed);
        Some(RequestUnderWay {
            state: self.state.clone(),
            table: self.table.clone(),
        })
    }

    /// Resolves when this connection must close to make room for another.
    pub async fn evicted(&self) {
        self.state.evict.notified().await;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.table.lock().remove(&self.id);
    }
}

impl Drop for RequestUnderWay {
    fn drop(&mut self) {
        self.state
            .last_active_ms
            .store(self.table.now_ms(), Ordering::Relaxed);
        self.state.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the connection behind `slot` was told to close.
    async fn was_evicted(slot: &Slot) -> bool {
        tokio::time::timeout(Duration::from_millis(1), slot.evicted())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn below_the_cap_every_connection_gets_a_place() {
        let table = ConnectionTable::new(3);
        let a = table.admit().await;
        let _b = table.admit().await;
        assert_eq!(table.open_count(), 2);
        drop(a);
        assert_eq!(table.open_count(), 1);
        assert_eq!(table.evictions(), 0);
    }

    #[tokio::test]
    async fn at_the_cap_the_connection_idle_longest_is_closed() {
        let table = ConnectionTable::new(2);
        let oldest = table.admit().await;
        let newer = table.admit().await;
        // The third connection needs a place: the oldest idle one goes. Its
        // task would end on the notice; here the slot is dropped by hand.
        let admitting = tokio::spawn({
            let table = table.clone();
            async move { table.admit().await }
        });
        oldest.evicted().await;
        assert!(
            oldest.begin_request().is_none(),
            "no request on a closing connection"
        );
        drop(oldest);
        let third = admitting.await.unwrap();
        assert!(!was_evicted(&newer).await);
        assert_eq!(table.evictions(), 1);
        assert_eq!(table.open_count(), 2);
        drop((newer, third));
    }

    #[tokio::test]
    async fn a_connection_serving_a_request_is_never_closed_for_another() {
        let table = ConnectionTable::new(2);
        let busy_old = table.admit().await;
        let request = busy_old.begin_request().unwrap();
        let idle_new = table.admit().await;
        let admitting = tokio::spawn({
            let table = table.clone();
            async move { table.admit().await }
        });
        // The idle one goes, although it is newer.
        idle_new.evicted().await;
        assert!(!was_evicted(&busy_old).await);
        drop(idle_new);
        let _third = admitting.await.unwrap();
        drop(request);
        assert_eq!(table.evictions(), 1);
    }

    #[tokio::test]
    async fn when_every_connection_is_busy_a_new_one_waits_for_a_place() {
        let table = ConnectionTable::new(1);
        let busy = table.admit().await;
        let request = busy.begin_request().unwrap();
        let admitting = tokio::spawn({
            let table = table.clone();
            async move { table.admit().await }
        });
        // Still waiting after several rechecks: nothing could be evicted.
        tokio::time::sleep(RECHECK_WHEN_ALL_BUSY * 4).await;
        assert!(!admitting.is_finished());
        assert_eq!(table.evictions(), 0);
        // The request ends: the connection is idle, so it makes room.
        drop(request);
        busy.evicted().await;
        drop(busy);
        let _new = admitting.await.unwrap();
        assert_eq!(table.evictions(), 1);
    }

    #[tokio::test]
    async fn the_wait_for_all_closed_ends_when_the_last_one_does() {
        let table = ConnectionTable::new(4);
        let slot = table.admit().await;
        assert!(!table.wait_all_closed(Duration::from_millis(20)).await);
        drop(slot);
        assert!(table.wait_all_closed(Duration::from_secs(60)).await);
    }
}
