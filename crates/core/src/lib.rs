//! Gleaner's engine: everything that keeps a local full-text index in step
//! with folders on disk, with no user interface of its own.
//!
//! The desktop app, the `gleaner` CLI, the MCP server and the HTTP API are all
//! thin surfaces over this crate. **Architecture invariant:** it never depends
//! on tauri, clap, axum or rmcp, and it never turns errors into strings for a
//! transport: its errors are typed.
//!
//! Start at [`Index`], the facade the surfaces call.
#![deny(missing_docs)]

pub mod allocator;
pub mod chunk;
pub mod data_dir;
pub mod engine;
pub mod error;
pub mod extract;
pub mod fingerprint;
pub mod health;
pub mod index;
pub mod lock;
pub mod notify;
pub mod priority;
pub mod rebuild;
pub mod scan;
pub mod search;
pub mod settings;
pub mod source;
pub mod store;
pub mod time;
pub mod view;
pub mod walk;
pub mod watch;
mod wire_path;

pub use data_dir::DataDir;

/// Log filter directives that every front end adds to its default: the PDF
/// parser warns about each oddity of a file it still reads, thousands of
/// lines over a documentation folder, while a file that fails is recorded
/// and logged by the engine itself.
pub const QUIET_DEPENDENCIES: &str = "pdf_oxide=error";
pub use error::{Error, Result};
pub use index::Index;
