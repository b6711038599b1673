//! The long-running engine: one per data directory, holding the engine lock.
//!
//! It watches every active source, indexes what changes, rescans on a
//! schedule and answers requests from other processes over the control
//! socket. `gleaner daemon` runs it; the desktop app will host the same loop.

pub mod control;
mod daemon;
mod runner;

pub use daemon::{run, EngineEvents};
pub use runner::PAUSED_BY_USER;
