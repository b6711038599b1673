#!/usr/bin/env bash
# Desktop smoke test: the real tray app under a real X server (Xvfb) and a
# real session bus. A minimal StatusNotifierItem host (sni.py) stands in for a
# panel: the app registers its tray icon with it, the test reads the menu
# through dbusmenu, checks that the hosted engine's status reaches the status
# line, pauses and resumes indexing from the menu, takes a screenshot with
# the settings window shown, then clicks Quit in the tray menu and expects a
# clean exit (status 0) with the engine's lock released and socket removed.
#
# Usage: xvfb-run -a dbus-run-session -- tests/desktop/smoke.sh BINARY [SCREENSHOT.png]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: smoke.sh BINARY [SCREENSHOT]}
shot=${2:-}
work=$(mktemp -d)
trap 'kill "${watcher:-}" "${app:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "desktop smoke: FAIL: $*" >&2; echo "--- app log"; cat "$work/app.log" >&2 || true; exit 1; }
passed=0
pass() { passed=$((passed + 1)); echo "desktop smoke: ok: $*"; }
sni() { /usr/bin/python3 "$here/sni.py" "$@"; }
# Waits until the tray menu shows $1 (a fixed string), up to 15 s.
wait_menu() {
  for _ in $(seq 1 60); do
    sni dump >"$work/tray.txt" 2>/dev/null && grep -qF -- "$1" "$work/tray.txt" && return 0
    kill -0 "$app" 2>/dev/null || fail "the app exited while waiting for '$1'"
    sleep 0.25
  done
  return 1
}

export GLEANER_DATA_DIR="$work/data"
sni watch >"$work/watch.log" 2>&1 &
watcher=$!
sleep 1
GLEANER_SHOW_SETTINGS=1 "$bin" >"$work/app.log" 2>&1 &
app=$!
wait_menu "Quit" || fail "no tray menu with Quit: $(cat "$work/tray.txt")"
for item in "Settings" "Pause indexing" "Scan now"; do
  grep -qF "$item" "$work/tray.txt" || fail "the tray menu has no '$item' item"
done
echo "desktop smoke: tray menu registered:"
sed 's/^/  /' "$work/tray.txt"
pass "tray menu"

# The hosted engine's state reaches the status line (no sources yet).
wait_menu "No folders yet" || fail "the status line never left 'starting': $(cat "$work/tray.txt")"
[[ -S "$GLEANER_DATA_DIR/engine.sock" ]] || fail "the app does not host the engine (no engine.sock)"
pass "engine hosted, status line"

sni click "Pause indexing" >/dev/null
wait_menu "Resume indexing" || fail "Pause indexing did not pause: $(cat "$work/tray.txt")"
wait_menu "Indexing paused" || fail "the status line does not say paused"
sni click "Resume indexing" >/dev/null
wait_menu "Pause indexing" || fail "Resume indexing did not resume"
pass "pause and resume from the menu"

if [[ -n $shot ]]; then
  sleep 2
  import -window root "$shot" && echo "desktop smoke: screenshot $shot"
fi
sni click "Quit" >/dev/null
for _ in $(seq 1 60); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
kill -0 "$app" 2>/dev/null && fail "the app did not quit from the tray menu"
set +e; wait "$app"; rc=$?; set -e
app=
[[ $rc -eq 0 ]] || fail "the app exited with status $rc after Quit"
[[ ! -e "$GLEANER_DATA_DIR/engine.sock" ]] || fail "the engine's socket is left behind: not stopped cleanly"
grep -q "engine stopped" "$work/app.log" || fail "the log does not show the engine stopping"
pass "quit stops the engine and exits 0"
echo "smoke: $passed passed, 0 failed"
