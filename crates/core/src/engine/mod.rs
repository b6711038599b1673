//! The long-running engine: one per data directory, holding the engine lock.
//!
//! It watches every active source, indexes what changes, rescans on a
//! schedule and answers requests from other processes over the control
//! socket. `gleaner daemon` runs it; the desktop app hosts the same loop.
//! Whichever hosts it also announces what happens (`announce.rs`): jobs
//! started, finished or failed, sources in error, health degraded.

mod announce;
pub mod control;
mod daemon;
mod garbage;
mod index_identity;
mod runner;

pub use control::DETACHED_ENV;
pub use daemon::{run, EngineEvents};
pub use runner::PAUSED_BY_USER;
