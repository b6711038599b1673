#!/usr/bin/env bash
# Regenerates the screenshots in this folder from the real app: builds the UI
# and the desktop binary, then drives the settings window under Xvfb
# (tests/desktop/drive.py: adds a folder of sample notes by typed path with a
# rules preview, lets the hosted engine index it, searches, opens Health).
#
# Usage: docs/screenshots/make.sh   (needs xvfb, dbus, WebKitWebDriver, imagemagick)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/docs/screenshots"
target=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
cd "$root"
npm run --silent ui:build
cargo build -p gleaner-desktop
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  python3 tests/desktop/drive.py "$target/debug/gleaner-desktop" --shots "$out"
ls -l "$out"/*.png
