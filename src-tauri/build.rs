//! Build script of the desktop shell: runs `tauri-build`, which reads
//! `tauri.conf.json`, validates the capabilities and emits the `desktop`/`dev`
//! cfgs; and makes sure `ui/dist` exists so `cargo build` works on a fresh
//! clone without npm.
//!
//! Cargo runs build scripts in the package directory, which here is the
//! repository root (the root manifest is both the workspace and this package),
//! so every relative path below is relative to the root.
//!
//! # Why this script may write `ui/dist/index.html`
//!
//! `tauri::generate_context!` embeds `build.frontendDist` (`ui/dist`) into the
//! binary and panics at compile time if that folder is missing. `ui/dist` is
//! vite's output and gitignored, so a fresh clone has none. Rather than commit
//! build output or make cargo depend on npm, a missing `ui/dist/index.html` is
//! replaced by a tiny placeholder page that says how to build the real UI, and
//! cargo prints a warning. `npm run ui:build` (run by the quick-start script,
//! by `npm run build` through `beforeBuildCommand`, and by CI before cargo)
//! empties `ui/dist` and writes the real page over it; the
//! `rerun-if-changed` below then makes cargo re-embed it on the next build.
//!
//! Note that `devUrl` lives in `src-tauri/tauri.dev.conf.json`, which only
//! `npm run dev` merges in: with `devUrl` in `tauri.conf.json`, every plain
//! `cargo build` (built without tauri's `custom-protocol` feature, i.e. as a
//! "dev" build) would load `http://localhost:1420` instead of the embedded UI
//! and show an error page whenever vite is not running.

use std::fs;
use std::path::Path;

/// Must match `build.frontendDist` in `tauri.conf.json`.
const FRONTEND_DIST: &str = "ui/dist";

/// Marks the placeholder page, so later builds keep warning until the real UI
/// is built.
const PLACEHOLDER_MARK: &str = "<!-- gleaner:placeholder-ui -->";

const PLACEHOLDER_PAGE: &str = r#"<!doctype html>
<!-- gleaner:placeholder-ui -->
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>Gleaner</title>
  </head>
  <body>
    <h1>Gleaner</h1>
    <p>This build has no user interface yet: it was compiled before the UI was built.</p>
    <p>Run <code>npm ci &amp;&amp; npm run ui:build</code> in the repository, then build again.</p>
  </body>
</html>
"#;

fn main() {
    ensure_frontend_dist();

    // A custom capabilities pattern means tauri-build emits no watch for it,
    // nor for the app's permissions.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/permissions");
    // Re-embed the UI when vite rewrites it (new hashed asset names included).
    println!("cargo:rerun-if-changed={FRONTEND_DIST}");
    // Icons embedded with `tauri::include_image!` are tracked by rustc itself.

    tauri_build::try_build(
        // Resolved against the build script's working directory: the root.
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            // The app's commands, granted to the window by the capability.
            // Their presence makes tauri check every app command against it.
            .app_manifest(
                tauri_build::AppManifest::new()
                    .permissions_path_pattern("./src-tauri/permissions/**/*"),
            ),
    )
    .expect("tauri-build failed (tauri.conf.json or src-tauri/capabilities)");
}

/// Writes the placeholder page when `ui/dist/index.html` is missing, and warns
/// whenever the embedded page is the placeholder.
fn ensure_frontend_dist() {
    let dist = Path::new(FRONTEND_DIST);
    let index = dist.join("index.html");
    match fs::read_to_string(&index) {
        Ok(page) if !page.contains(PLACEHOLDER_MARK) => return,
        Ok(_) => {}
        Err(_) => {
            fs::create_dir_all(dist).expect("cannot create ui/dist");
            fs::write(&index, PLACEHOLDER_PAGE).expect("cannot write ui/dist/index.html");
        }
    }
    println!(
        "cargo:warning=ui/dist holds a placeholder page: run `npm ci && npm run ui:build` to embed the real UI"
    );
}
