// Vite (and vitest) configuration of the settings-window UI.
// The repository root holds package.json; this folder is vite's root, the
// build goes to ui/dist, which tauri.conf.json embeds as `frontendDist`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  // Relative asset URLs: the page works from tauri's custom protocol and from a file.
  base: "./",
  clearScreen: false,
  server: {
    // Must match build.devUrl in src-tauri/tauri.dev.conf.json.
    port: 1420,
    strictPort: true,
    host: "localhost",
    watch: { ignored: ["**/dist/**"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ on Linux (Debian 12, Ubuntu 22.04); WebView2 and WKWebView are newer.
    target: ["es2021", "safari15"],
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
