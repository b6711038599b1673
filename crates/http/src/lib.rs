//! Gleaner's HTTP API: the index over JSON on a loopback port, for scripts
//! and local tools that speak HTTP rather than MCP or a command line.
//!
//! It is one more thin surface over `gleaner-core`, like the CLI and the MCP
//! server: reads (search, status, jobs, health) go to the database, and
//! everything that changes indexing (a scan, one file now, pause, resume,
//! cancel) is a request over the engine's control socket. The server runs in
//! the engine's own process (`gleaner daemon --http ADDR`, or the desktop app
//! when `http.enabled` is set) and stops with it.
//!
//! Every request passes two checks before any handler runs (`guard.rs`): its
//! `Host` header must name the loopback interface, which defeats DNS
//! rebinding (a web page whose own name resolves to 127.0.0.1 still sends
//! that name), and it must carry the bearer token kept in `http.token` in the
//! data directory (mode 0600), compared in constant time. The server refuses to bind anything but a loopback
//! address, and a path a client names must lie inside an active source after
//! symbolic links and `..` are resolved: the API can never widen what is
//! indexed. Errors are JSON, `{"error": "..."}`.
//!
//! The API must not be a way to hold the engine's process down, so it is
//! served with hyper directly under limits (`limits.rs`): a header-read
//! timeout, a cap on open connections that closes the idlest one for a new
//! one (`serve.rs`, `connections.rs`), bounded bodies (`body.rs`) and
//! queries, and reads on read-only connections of their own (`readers.rs`)
//! in lanes that keep searches from holding up health (`context.rs`).
//!
//! **Architecture invariant:** axum stops here; `gleaner-core` never sees it.
#![deny(missing_docs)]

mod address;
mod body;
mod connections;
mod context;
mod documents;
mod error;
mod guard;
mod jobs;
mod limits;
mod readers;
mod reading;
mod routes;
mod serve;
mod server;
mod token;
mod views;

pub use address::{configured_addr, loopback_addr, DEFAULT_ADDR};
pub use server::{start_if_enabled, HttpError, HttpServer};
pub use token::TOKEN_FILE;

/// The OpenAPI 3.0 document of this API, as served at `/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");
