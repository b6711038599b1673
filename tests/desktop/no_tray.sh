#!/usr/bin/env bash
# Desktop test: the app on a desktop with no tray (stock GNOME without the
# AppIndicator extension). Under Xvfb and a private session bus with nothing
# owning org.kde.StatusNotifierWatcher, the app must open its window at start
# (without --show-settings: the icon would never be drawn), say that there is
# no tray, and, when the window is closed as a window manager closes it
# (WM_DELETE_WINDOW), keep the window reachable (minimized, not hidden: with
# no window manager in Xvfb, a minimized window stays on screen, a hidden one
# goes). Then SIGTERM ends it cleanly.
#
# Usage: xvfb-run -a dbus-run-session -- tests/desktop/no_tray.sh BINARY [SCREENSHOT.png]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?usage: no_tray.sh BINARY [SCREENSHOT]}")
shot=${2:+$(realpath -m "$2")}
work=$(mktemp -d)
cleanup() {
  kill "${app:-}" 2>/dev/null || true
  fusermount3 -u "$work/home/.cache/doc" 2>/dev/null || fusermount -u "$work/home/.cache/doc" 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
fail() {
  echo "no tray: FAIL: $*" >&2
  echo "--- app log" >&2; cat "$work/app.log" >&2 || true
  exit 1
}
pass() { echo "no tray: ok: $*"; }
# Polls `condition` (a shell command) up to 30 s.
wait_for() {
  local what=$1 condition=$2
  for _ in $(seq 1 120); do
    eval "$condition" && return 0
    kill -0 "$app" 2>/dev/null || fail "the app exited while waiting for $what"
    sleep 0.25
  done
  fail "timed out waiting for $what"
}
visible_window() { xdotool search --onlyvisible --name '^Gleaner$' 2>/dev/null | head -1; }

export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" GLEANER_DATA_DIR="$work/data"
mkdir -p "$HOME"
/usr/bin/python3 "$here/sni.py" host-ready 2>/dev/null && fail "a tray host is on this bus: the test needs one without"

# A data directory with a source already, so this is not a first run (which
# opens the window whatever the tray).
mkdir -p "$work/docs"
echo "quokka" >"$work/docs/a.txt"
"$(dirname "$bin")/gleaner" source add "$work/docs" >/dev/null

"$bin" >"$work/app.log" 2>&1 &
app=$!
wait_for "the engine" "[[ -S $GLEANER_DATA_DIR/engine.sock ]]"
wait_for "the window" '[[ -n $(visible_window) ]]'
pass "with no tray host the window opens at start"
grep -q "shows no tray icons" "$work/app.log" || fail "the log does not say there is no tray"
pass "the log says the desktop shows no tray icons"
window=$(visible_window)
if [[ -n $shot ]]; then
  # For the docs only: give the page time to paint (nothing is asserted).
  sleep 3
  import -window root "$shot"
  pass "screenshot: $shot"
fi

# Close it as a window manager does.
/usr/bin/python3 - "$window" <<'PY'
import sys
from Xlib import X, display, protocol
d = display.Display()
w = d.create_resource_object("window", int(sys.argv[1]))
protocols = d.intern_atom("WM_PROTOCOLS")
delete = d.intern_atom("WM_DELETE_WINDOW")
w.send_event(protocol.event.ClientMessage(window=w, client_type=protocols,
             data=(32, [delete, X.CurrentTime, 0, 0, 0])), event_mask=X.NoEventMask)
d.flush()
PY
# The app handles the close on its event loop and logs what it did.
wait_for "the close to be handled" "grep -q 'the settings window was closed' '$work/app.log'"
grep -q "on_close=Minimize" "$work/app.log" || fail "the window was not minimized: $(grep 'window was closed' "$work/app.log")"
kill -0 "$app" 2>/dev/null || fail "closing the window ended the app"
[[ -n $(visible_window) ]] || fail "the closed window went away: with no tray there is no way back to it"
pass "closing the window keeps it reachable (minimized, not hidden) and the app running"

kill -TERM "$app"
for _ in $(seq 1 80); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
kill -0 "$app" 2>/dev/null && fail "the app did not stop on SIGTERM"
wait "$app" || fail "the app exited with status $? on SIGTERM"
app=
pass "SIGTERM ends it cleanly"
