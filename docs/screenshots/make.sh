#!/usr/bin/env bash
# Regenerates the screenshots in this folder from the real app: builds the UI,
# the desktop binary and the CLI, then
#   - runs the tray smoke test (tests/desktop/smoke.sh) in a real xfce4-panel
#     and photographs the panel with Gleaner's tray menu open (tray-menu.png);
#   - drives the settings window under Xvfb (tests/desktop/drive.py: adds a
#     folder of sample notes by typed path with a rules preview, lets the
#     hosted engine index it, searches, opens Health, edits the folder's rules,
#     changes preferences, searches a word of 120 files (search-many.png);
#     then the "Rebuild index" banner over a damaged index, rebuild-banner.png);
#   - starts the app on a bus with no tray host (tests/desktop/no_tray.sh)
#     and photographs the window it keeps open (no-tray.png).
#
# Usage: docs/screenshots/make.sh   (needs xvfb, dbus, WebKitWebDriver,
#        imagemagick, xfce4-panel, xdotool: scripts/setup-debian.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/docs/screenshots"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
target=$CARGO_TARGET_DIR
cd "$root"
npm run --silent ui:build
cargo build -p gleaner-desktop -p gleaner-cli
xvfb-run -a -s "-screen 0 1024x640x24" dbus-run-session -- \
  tests/desktop/smoke.sh "$target/debug/gleaner-desktop" "$out/tray-menu.png"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  python3 tests/desktop/drive.py "$target/debug/gleaner-desktop" --shots "$out"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  tests/desktop/no_tray.sh "$target/debug/gleaner-desktop" "$out/no-tray.png"
ls -l "$out"/*.png
