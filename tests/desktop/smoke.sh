#!/usr/bin/env bash
# Desktop smoke test: the real tray app under a real X server (Xvfb) and a
# real session bus. A minimal StatusNotifierItem host (sni.py) stands in for a
# panel: the app registers its tray icon with it, the test reads the menu
# through dbusmenu, takes a screenshot with the settings window shown, then
# clicks Quit in the tray menu and expects a clean exit (status 0).
#
# Usage: xvfb-run -a dbus-run-session -- tests/desktop/smoke.sh BINARY [SCREENSHOT.png]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: smoke.sh BINARY [SCREENSHOT]}
shot=${2:-}
work=$(mktemp -d)
trap 'kill "${watcher:-}" "${app:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "desktop smoke: FAIL: $*" >&2; echo "--- app log"; cat "$work/app.log" >&2 || true; exit 1; }

export GLEANER_DATA_DIR="$work/data"
/usr/bin/python3 "$here/sni.py" watch >"$work/watch.log" 2>&1 &
watcher=$!
sleep 1
GLEANER_SHOW_SETTINGS=1 "$bin" >"$work/app.log" 2>&1 &
app=$!
for _ in $(seq 1 60); do
  /usr/bin/python3 "$here/sni.py" dump >"$work/tray.txt" 2>/dev/null && grep -q "Quit" "$work/tray.txt" && break
  kill -0 "$app" 2>/dev/null || fail "the app exited at start"
  sleep 0.5
done
grep -q "Quit" "$work/tray.txt" || fail "no tray menu with Quit: $(cat "$work/tray.txt")"
grep -q "Settings" "$work/tray.txt" || fail "the tray menu has no Settings item"
echo "desktop smoke: tray menu registered:"
sed 's/^/  /' "$work/tray.txt"
if [[ -n $shot ]]; then
  sleep 2
  import -window root "$shot" && echo "desktop smoke: screenshot $shot"
fi
/usr/bin/python3 "$here/sni.py" click "Quit"
for _ in $(seq 1 40); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
kill -0 "$app" 2>/dev/null && fail "the app did not quit from the tray menu"
set +e; wait "$app"; rc=$?; set -e
app=
[[ $rc -eq 0 ]] || fail "the app exited with status $rc after Quit"
echo "smoke: 2 passed, 0 failed"
