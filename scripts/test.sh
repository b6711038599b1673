#!/usr/bin/env bash
# Runs every test of Gleaner on a Debian/Ubuntu machine, installing what is
# missing first: the Rust workspace (engine unit tests, CLI end-to-end tests,
# desktop shell), the UI's unit tests, and the desktop smoke test under Xvfb.
#
# Usage: scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh || { echo "setup failed"; exit 1; }
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"
# Reuse a build directory outside the clone when one exists; never rely on it.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
export CARGO_TERM_COLOR=never

# Every step runs, whatever failed before it, so one failure never hides
# another; the summary at the end lists them and the exit status is 1 if
# any failed. A step that the others depend on (the UI and the workspace
# build) stops the run when it fails: what follows could only fail too.
steps=0
failed=()
step() {
  local name=$1
  shift
  steps=$((steps + 1))
  printf '\n== %s\n' "$name"
  local started=$SECONDS
  if "$@"; then
    printf '== passed in %d s: %s\n' $((SECONDS - started)) "$name"
  else
    printf '== FAILED (status %d) in %d s: %s\n' $? $((SECONDS - started)) "$name"
    failed+=("$name")
  fi
}
required() {
  step "$@"
  if ((${#failed[@]} > 0)); then
    summary
  fi
}
summary() {
  echo
  if ((${#failed[@]} == 0)); then
    echo "steps: $steps passed, 0 failed"
    exit 0
  fi
  echo "steps: $((steps - ${#failed[@]})) passed, ${#failed[@]} failed:"
  printf '  - %s\n' "${failed[@]}"
  exit 1
}

required "UI build (embedded in the desktop binary)" npm run --silent ui:build

required "cargo build --workspace" cargo build --workspace --all-targets

step "cargo test --workspace" cargo test --workspace --no-fail-fast

step "MCP tests (official Python SDK)" tests/mcp/run.sh

step "HTTP API tests (real client)" tests/http/run.sh

step "UI unit tests" npm test --silent

step "desktop notifications reach a real notification server (dunst on D-Bus)" \
  xvfb-run -a dbus-run-session -- tests/desktop/notifications.sh "$CARGO_TARGET_DIR/debug/gleaner"

step "desktop smoke test (Xvfb + D-Bus)" \
  xvfb-run -a dbus-run-session -- tests/desktop/smoke.sh "$CARGO_TARGET_DIR/debug/gleaner-desktop"

step "desktop with no tray: the window opens and stays reachable (Xvfb + D-Bus)" \
  xvfb-run -a dbus-run-session -- tests/desktop/no_tray.sh "$CARGO_TARGET_DIR/debug/gleaner-desktop"

step "desktop end-to-end test (WebKitWebDriver drives the settings window)" \
  xvfb-run -a dbus-run-session -- tests/desktop/drive.py "$CARGO_TARGET_DIR/debug/gleaner-desktop"

# Small corpus, one run, the debug binary, Recoll only when installed; it
# fails only when a command crashes, never because something is slow.
step "benchmark smoke run (reports only)" \
  bench/run.sh --smoke --binary "$CARGO_TARGET_DIR/debug/gleaner" --out "$(mktemp -d -t gleaner-bench-smoke.XXXXXX)"

summary
