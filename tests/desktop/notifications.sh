#!/usr/bin/env bash
# Desktop notifications end to end: Gleaner's DesktopSink → the D-Bus session
# bus → a real notification server (dunst, drawing on the Xvfb screen), with
# dbus-monitor recording every call to org.freedesktop.Notifications. Each
# check triggers a notification the way Gleaner does and asserts that the
# Notify call carried the expected app name, texts and urgency, and that the
# server answered (the trigger exits 0 only once Notify has returned).
#
# Today the trigger is the notify_demo example (a Notifier with the desktop
# sink publishing a JobCompleted or JobFailed event). When the daemon
# publishes these events itself, only `trigger` below changes: make it index a
# folder (or a missing one) through `gleaner daemon`.
#
# Usage: xvfb-run -a dbus-run-session -- tests/desktop/notifications.sh [NOTIFY_DEMO] [SCREENSHOT.png]
#   NOTIFY_DEMO: the built example (default: build it with cargo)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
demo=${1:-}
shot=${2:-}
work=$(mktemp -d)
trap 'kill ${monitor:-} ${server:-} 2>/dev/null || true; rm -rf "$work"' EXIT
passed=0
failed=0
pass() { echo "notifications: ok: $*"; passed=$((passed + 1)); }
fail() { echo "notifications: FAIL: $*" >&2; failed=$((failed + 1)); }

[[ -n ${DBUS_SESSION_BUS_ADDRESS:-} ]] || {
  echo "notifications: no session bus; run under: xvfb-run -a dbus-run-session -- $0" >&2
  exit 2
}
if [[ -z $demo ]]; then
  (cd "$root" && cargo build -q -p gleaner-core --example notify_demo)
  demo="${CARGO_TARGET_DIR:-$root/target}/debug/examples/notify_demo"
fi
[[ -x $demo ]] || { echo "notifications: $demo is not executable" >&2; exit 2; }

# The folder the notifications name, under $HOME so that it is shown as ~/…
folder="$HOME/gleaner-notify-test"

# Makes Gleaner publish the event "completed" or "failed" about $folder.
trigger() {
  "$demo" "$1" "$folder"
}

has_server() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q "boolean true"
}

# Record first, so that the first call is seen.
dbus-monitor "interface='org.freedesktop.Notifications'" >"$work/monitor.log" 2>&1 &
monitor=$!
for _ in $(seq 1 40); do grep -q "member=NameLost" "$work/monitor.log" && break; sleep 0.1; done

# A real notification server; without one (dunst cannot start), only the
# calls are checked, and the trigger is expected to fail with a clear error.
dunst >"$work/dunst.log" 2>&1 &
server=$!
for _ in $(seq 1 40); do has_server && break; sleep 0.1; done
if has_server; then
  mode=server
  echo "notifications: dunst owns org.freedesktop.Notifications"
else
  mode=monitor-only
  echo "notifications: dunst did not start ($(head -c 300 "$work/dunst.log")); checking the D-Bus calls only"
fi

# Prints the Notify call (header and arguments) whose summary is $1, if any.
notify_call() {
  awk -v summary="string \"$1\"" '
    function flush() { if (inside && found && !done) { print block; done = 1 } }
    /^(method call|method return|signal|error) / { flush(); inside = ($0 ~ /member=Notify$/); block = $0; found = 0; next }
    inside { block = block "\n" $0; if (index($0, summary)) found = 1 }
    END { flush() }
  ' "$work/monitor.log"
}

# check NAME EVENT SUMMARY BODY URGENCY_BYTE
check() {
  local name=$1 event=$2 summary=$3 body=$4 urgency=$5 rc=0 call
  trigger "$event" >"$work/$event.out" 2>&1 || rc=$?
  sleep 0.3 # let dbus-monitor write the call out
  call=$(notify_call "$summary")
  if [[ -z $call ]]; then
    fail "$name: no Notify call with summary \"$summary\"; trigger said: $(cat "$work/$event.out")"
    return
  fi
  echo "notifications: $name: the monitor saw:"
  sed 's/^/    /' <<<"$call"
  local expect
  for expect in 'string "Gleaner"' 'string "gleaner"' "string \"$body\"" "variant             byte $urgency"; do
    grep -qF "$expect" <<<"$call" || { fail "$name: the Notify call lacks $expect"; return; }
  done
  if [[ $mode == server ]]; then
    [[ $rc -eq 0 ]] || { fail "$name: the trigger failed (status $rc): $(cat "$work/$event.out")"; return; }
  else
    grep -q "no notification service" "$work/$event.out" ||
      { fail "$name: without a server the trigger should say so: $(cat "$work/$event.out")"; return; }
  fi
  pass "$name"
}

check "job completed" completed "Indexing finished: ~/gleaner-notify-test" \
  "1,204 new, 3 modified, 2 failed in 4.2 s" 1
check "job failed" failed "Indexing failed: ~/gleaner-notify-test" \
  "the folder is unreachable: No such file or directory (os error 2)" 2

# Without a session bus the desktop sink fails at once, naming the problem.
start=$(date +%s)
rc=0
env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$work/no-runtime-dir" \
  timeout 20 "$demo" completed "$folder" >"$work/nobus.out" 2>&1 || rc=$?
elapsed=$(($(date +%s) - start))
if [[ $rc -eq 1 ]] && grep -q "no D-Bus session bus" "$work/nobus.out" && ((elapsed < 10)); then
  pass "no session bus: $(grep -o 'no D-Bus session bus.*' "$work/nobus.out" | head -1) (${elapsed}s)"
else
  fail "no session bus: status $rc after ${elapsed}s: $(cat "$work/nobus.out")"
fi

# A notification service that never answers (dunst stopped with SIGSTOP
# still owns its name): the sink gives up after its timeout (5 s) instead of
# hanging the notifier.
if [[ $mode == server ]]; then
  kill -STOP "$server"
  start=$(date +%s)
  rc=0
  timeout 30 "$demo" completed "$folder" >"$work/stuck.out" 2>&1 || rc=$?
  elapsed=$(($(date +%s) - start))
  kill -CONT "$server"
  if [[ $rc -eq 1 ]] && grep -q "did not answer within 5 s" "$work/stuck.out" && ((elapsed < 15)); then
    pass "service not answering: $(grep -o 'the desktop notification service.*' "$work/stuck.out" | head -1) (${elapsed}s)"
  else
    fail "service not answering: status $rc after ${elapsed}s: $(cat "$work/stuck.out")"
  fi
fi

if [[ $mode == server ]]; then
  echo "notifications: dunst shows $(dunstctl count displayed 2>/dev/null || echo '?') notifications"
  if [[ -n $shot ]]; then
    import -window root "$shot" && echo "notifications: screenshot $shot"
  fi
fi
echo "notifications: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
