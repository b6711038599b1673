//! Entry point of the Gleaner desktop app: everything lives in the library
//! (`src-tauri/lib.rs`) so it can be tested and reused; this only calls it.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    gleaner_desktop::run()
}
