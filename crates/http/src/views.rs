//! How jobs look in answers: the engine's shared views (the same JSON the
//! MCP server gives).

pub use gleaner_core::view::{job_views, JobView, UNFINISHED};
