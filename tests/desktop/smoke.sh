#!/usr/bin/env bash
# Desktop smoke test: the real tray app in a real panel. Under a real X server
# (Xvfb) and a private session bus, xfce4-panel runs with its notification
# area (a StatusNotifierItem host: it owns org.kde.StatusNotifierWatcher and
# shows the icon); the app registers its tray icon there. The test then reads
# the menu as the panel does, through dbusmenu GetLayout (sni.py), checks
# every item and its state, pauses and resumes indexing from the menu and sees
# the engine's `indexing.paused` follow (`gleaner config get` on the same data
# directory), turns "Start at login" on and off and sees the XDG autostart
# entry appear and go, optionally photographs the panel with the menu open,
# then clicks Quit and expects a clean exit (status 0, engine lock released,
# socket removed).
#
# HOME and XDG_CONFIG_HOME point into a throwaway folder: the panel's
# configuration and the autostart entry never touch the real ones.
#
# Usage: xvfb-run -a dbus-run-session -- tests/desktop/smoke.sh BINARY [SCREENSHOT.png]
#   The `gleaner` CLI is taken from BINARY's folder (or $GLEANER_CLI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?usage: smoke.sh BINARY [SCREENSHOT]}")
shot=${2:+$(realpath -m "$2")}
cli=${GLEANER_CLI:-$(dirname "$bin")/gleaner}
work=$(mktemp -d)
cleanup() {
  kill "${app:-}" "${panel:-}" 2>/dev/null || true
  # The app's GTK starts xdg-document-portal, which mounts a FUSE folder in
  # the throwaway HOME's cache: unmount it, or the folder cannot be removed.
  fusermount3 -u "$work/home/.cache/doc" 2>/dev/null || fusermount -u "$work/home/.cache/doc" 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
fail() {
  echo "desktop smoke: FAIL: $*" >&2
  echo "--- app log" >&2; cat "$work/app.log" >&2 || true
  echo "--- panel log" >&2; tail -20 "$work/panel.log" >&2 || true
  exit 1
}
passed=0
pass() { passed=$((passed + 1)); echo "desktop smoke: ok: $*"; }
sni() { /usr/bin/python3 "$here/sni.py" "$@"; }
[[ -x $cli ]] || fail "no gleaner CLI at $cli (build the workspace, or set GLEANER_CLI)"
# Polls `condition` (a shell command) up to 15 s.
wait_for() {
  local what=$1 condition=$2
  for _ in $(seq 1 60); do
    eval "$condition" && return 0
    [[ -z ${app:-} ]] || kill -0 "$app" 2>/dev/null || fail "the app exited while waiting for $what"
    sleep 0.25
  done
  return 1
}
menu_has() { sni menu >"$work/menu.txt" 2>/dev/null && grep -qxF -- "$1" "$work/menu.txt"; }
wait_menu() { wait_for "menu line '$1'" "menu_has '$1'" || fail "the menu never showed '$1': $(cat "$work/menu.txt")"; }
setting() { GLEANER_DATA_DIR="$GLEANER_DATA_DIR" "$cli" config get "$1"; }

export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" GLEANER_DATA_DIR="$work/data"
mkdir -p "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml"
cp "$here/xfce4-panel.xml" "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml/xfce4-panel.xml"
# xfconfd is started by D-Bus activation, with the bus's environment: give it ours.
dbus-update-activation-environment HOME XDG_CONFIG_HOME

# --- the panel -----------------------------------------------------------------
xfce4-panel --disable-wm-check >"$work/panel.log" 2>&1 &
panel=$!
wait_for "the panel's tray host" "sni host-ready" || fail "xfce4-panel registered no StatusNotifierItem host"
pass "xfce4-panel hosts the notification area (org.kde.StatusNotifierWatcher)"

# --- the app registers its icon and menu ------------------------------------------
"$bin" >"$work/app.log" 2>&1 &
app=$!
wait_menu "Quit|true||-1"
echo "desktop smoke: tray menu as the panel reads it (label|enabled|toggle-type|toggle-state):"
sed 's/^/  /' "$work/menu.txt"
pass "the icon is registered with the panel's watcher"

# The status line is disabled and follows the hosted engine (no sources yet).
wait_menu "No folders yet: add one in Settings|false||-1"
[[ -S "$GLEANER_DATA_DIR/engine.sock" ]] || fail "the app does not host the engine (no engine.sock)"
expected=(
  "No folders yet: add one in Settings|false||-1"
  "---"
  "Pause indexing|true||-1"
  "Scan now|true||-1"
  "---"
  "Search…|true||-1"
  "Settings…|true||-1"
  "---"
  "Start at login|true|checkmark|0"
  "Open logs folder|true||-1"
  "---"
  "Quit|true||-1"
)
diff <(printf '%s\n' "${expected[@]}") "$work/menu.txt" >"$work/menu.diff" ||
  fail "the menu differs from the expected one: $(cat "$work/menu.diff")"
pass "menu items and states (status line disabled, Start at login unchecked)"

# --- Pause / Resume reach the engine ---------------------------------------------------
[[ $(setting indexing.paused) == false ]] || fail "indexing starts paused"
sni click "Pause indexing" >/dev/null
wait_menu "Resume indexing|true||-1"
wait_for "indexing.paused = true" '[[ $(setting indexing.paused) == true ]]' || fail "the engine did not pause"
wait_menu "Indexing paused · 0 documents|false||-1"
sni click "Resume indexing" >/dev/null
wait_menu "Pause indexing|true||-1"
wait_for "indexing.paused = false" '[[ $(setting indexing.paused) == false ]]' || fail "the engine did not resume"
pass "Pause and Resume from the menu pause and resume the engine"

# --- Start at login writes and removes the XDG autostart entry ---------------------------
entry="$XDG_CONFIG_HOME/autostart/Gleaner.desktop"
sni click "Start at login" >/dev/null
wait_for "the autostart entry" '[[ -f $entry ]]' || fail "no autostart entry at $entry"
grep -qE "^Exec=$bin *$" "$entry" || fail "the autostart entry does not start $bin: $(cat "$entry")"
wait_menu "Start at login|true|checkmark|1"
sni click "Start at login" >/dev/null
wait_for "the autostart entry to go" '[[ ! -e $entry ]]' || fail "the autostart entry is still there"
wait_menu "Start at login|true|checkmark|0"
pass "Start at login writes \$XDG_CONFIG_HOME/autostart/Gleaner.desktop and removes it"

# --- a picture of the panel with the menu open ----------------------------------------
if [[ -n $shot ]]; then
  # The icon is the last thing on the panel's right end (xfce4-panel.xml).
  read -r width _ < <(xdotool getdisplaygeometry)
  xdotool mousemove $((width - 16)) 16 click 1
  sleep 1.5 # the panel fetches the menu over D-Bus, then paints it
  import -window root "$shot"
  echo "desktop smoke: screenshot $shot"
  xdotool key Escape
fi

# --- Quit ------------------------------------------------------------------------------
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
