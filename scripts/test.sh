#!/usr/bin/env bash
# Runs every test of Gleaner on a Debian/Ubuntu machine, installing what is
# missing first: the Rust workspace (engine unit tests, CLI end-to-end tests,
# desktop shell), the UI's unit tests, and the desktop smoke test under Xvfb.
#
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"
# Reuse a build directory outside the clone when one exists; never rely on it.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
export CARGO_TERM_COLOR=never

steps=0
step() { steps=$((steps + 1)); printf '\n== %s\n' "$*"; }

step "UI build (embedded in the desktop binary)"
npm run --silent ui:build

step "cargo build --workspace"
cargo build --workspace --all-targets

step "cargo test --workspace"
cargo test --workspace

step "MCP tests (official Python SDK)"
tests/mcp/run.sh

step "HTTP API tests (real client)"
tests/http/run.sh

step "UI unit tests"
npm test --silent

step "desktop notifications reach a real notification server (dunst on D-Bus)"
xvfb-run -a dbus-run-session -- tests/desktop/notifications.sh "$CARGO_TARGET_DIR/debug/gleaner"

step "desktop smoke test (Xvfb + D-Bus)"
xvfb-run -a dbus-run-session -- tests/desktop/smoke.sh "$CARGO_TARGET_DIR/debug/gleaner-desktop"

step "desktop end-to-end test (WebKitWebDriver drives the settings window)"
xvfb-run -a dbus-run-session -- tests/desktop/drive.py "$CARGO_TARGET_DIR/debug/gleaner-desktop"

step "benchmark smoke run (reports only)"
# Small corpus, one run, the debug binary, Recoll only when installed; it
# fails only when a command crashes, never because something is slow.
bench/run.sh --smoke --binary "$CARGO_TARGET_DIR/debug/gleaner" --out "$(mktemp -d -t gleaner-bench-smoke.XXXXXX)"

# set -e got us here: every step above passed.
echo
echo "steps: $steps passed, 0 failed"
