//! Entry point of the Gleaner desktop app: everything lives in the library
//! (`src-tauri/lib.rs`) so it can be tested and reused; this only calls it.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Started by the hosted engine as an extractor process: serve and exit
    // before tauri (or any thread) starts.
    gleaner_core::extract::serve_if_asked();
    // Large buffers freed go back to the system (see the module).
    gleaner_core::allocator::return_large_blocks();
    gleaner_desktop::run()
}
