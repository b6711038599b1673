//! Gleaner's MCP server: the index as tools an AI assistant can call, over
//! stdio, with the official Rust SDK (rmcp).
//!
//! It is one more thin surface over `gleaner-core`, like the CLI: every tool
//! makes the same engine calls the matching `gleaner` command makes (the
//! database for reads, the engine's control socket for jobs). It is a client
//! of the one engine of its data directory, and starts `gleaner daemon`
//! detached when indexing is asked for and no engine runs.
//!
//! Two rules shape it. Standard output carries the protocol and nothing else:
//! logs go to stderr, and the engine it starts has no terminal. A bad argument
//! (a missing folder, an unknown job, an empty query) is the caller's mistake,
//! not a protocol failure: it comes back as a tool result with `isError` and a
//! sentence saying what to do, so the assistant can correct itself.
//!
//! It is read-only unless the user allows changes (`mcp.allow_changes`),
//! and even then adds folders only inside the roots the user allowed
//! (`mcp.allowed_roots`), never a protected one: an assistant can be steered
//! by any text it reads, including the indexed files themselves
//! (`permissions`, `folder_policy`, and SECURITY.md).
//!
//! **Architecture invariant:** rmcp stops here; `gleaner-core` never sees it.
#![deny(missing_docs)]

mod context;
mod folder_policy;
mod indexing;
mod params;
mod permissions;
mod reading;
mod server;
mod transport;
mod views;

use std::path::PathBuf;

use gleaner_core::Index;
use rmcp::ServiceExt;

pub use server::GleanerMcp;

/// Serves MCP on stdin/stdout until the client closes stdin. `index` is the
/// opened index of the data directory to serve; `program` is the `gleaner`
/// executable, started as `gleaner daemon` when an engine is needed and none
/// runs.
pub fn serve_stdio(mut index: Index, program: PathBuf) -> std::io::Result<()> {
    index.set_long_lived();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("gleaner-mcp")
        .enable_all()
        .build()?;
    let server = GleanerMcp::new(index, program);
    let result = runtime.block_on(async move {
        let running = server
            .serve(transport::stdio())
            .await
            .map_err(std::io::Error::other)?;
        let reason = running.waiting().await.map_err(std::io::Error::other)?;
        tracing::debug!(?reason, "MCP session ended");
        Ok(())
    });
    // A tool still waiting on the engine must not keep the process alive
    // after the client has gone.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}
