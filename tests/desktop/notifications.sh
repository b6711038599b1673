#!/usr/bin/env bash
# Desktop notifications end to end, from the real engine: `gleaner daemon`
# on a temporary data directory → its notifier → the D-Bus session bus → a
# real notification server (dunst, drawing on the Xvfb screen). What dunst
# received is read back with `dunstctl history`, and dbus-monitor records
# every call to org.freedesktop.Notifications (app name, urgency).
#
# Checked: a background job that indexes many files gives ONE "Indexing
# finished" notification naming the folder and the file count; live changes
# to those files give none; a folder that disappears gives "Cannot index";
# a job whose source is removed before it runs gives "Indexing failed" with
# the reason; a muted source stays silent; without a session bus the daemon
# indexes anyway and says desktop notifications are off; a notification
# server that stops answering never holds up indexing.
#
# Usage: xvfb-run -a dbus-run-session -- tests/desktop/notifications.sh [GLEANER] [SCREENSHOT.png]
#   GLEANER: the built `gleaner` binary (default: build it with cargo)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gleaner=${1:-}
shot=${2:-}
work=$(mktemp -d)
# Folders under $HOME, so that notifications show them as ~/…
tag="gleaner-notify-$$"
folders=("$HOME/$tag-notes" "$HOME/$tag-usb" "$HOME/$tag-gone" "$HOME/$tag-quiet" "$HOME/$tag-nobus" "$HOME/$tag-stuck")
cleanup() {
  [[ -n ${server:-} ]] && kill -CONT "$server" 2>/dev/null
  for pid in ${daemons:-} ${monitor:-} ${server:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work" "${folders[@]}"
}
trap cleanup EXIT
passed=0
failed=0
pass() { echo "notifications: ok: $*"; passed=$((passed + 1)); }
fail() { echo "notifications: FAIL: $*" >&2; failed=$((failed + 1)); }

[[ -n ${DBUS_SESSION_BUS_ADDRESS:-} ]] || {
  echo "notifications: no session bus; run under: xvfb-run -a dbus-run-session -- $0" >&2
  exit 2
}
if [[ -z $gleaner ]]; then
  (cd "$root" && cargo build -q -p gleaner-cli)
  gleaner="${CARGO_TARGET_DIR:-$root/target}/debug/gleaner"
fi
[[ -x $gleaner ]] || { echo "notifications: $gleaner is not executable" >&2; exit 2; }

data="$work/data"
g() { "$gleaner" --data-dir "$data" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Polls until the command succeeds, for at most $1 seconds.
wait_until() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    (($(date +%s) < deadline)) || return 1
    sleep 0.2
  done
}

has_server() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q "boolean true"
}

# Record first, so that the first call is seen.
dbus-monitor "interface='org.freedesktop.Notifications'" >"$work/monitor.log" 2>&1 &
monitor=$!
for _ in $(seq 1 40); do grep -q "member=NameLost" "$work/monitor.log" && break; sleep 0.1; done

dunst >"$work/dunst.log" 2>&1 &
server=$!
wait_until 10 has_server || {
  echo "notifications: dunst did not start: $(head -c 500 "$work/dunst.log")" >&2
  exit 1
}
echo "notifications: dunst owns org.freedesktop.Notifications"

# Every notification dunst received, one per line: "summary<TAB>body".
# Displayed ones reach the history when closed.
received() {
  dunstctl close-all
  dunstctl history | python3 -c '
import json, sys
for n in reversed(json.load(sys.stdin)["data"][0]):
    if n["appname"]["data"] == "Gleaner":
        print(n["summary"]["data"] + "\t" + n["body"]["data"].replace("\n", " / "))'
}
count_received() { received | wc -l; }
has_received() { received | grep -qF "$1"; }

# The Notify call (header and arguments) whose summary is $1, if any.
notify_call() {
  awk -v summary="string \"$1\"" '
    function flush() { if (inside && found && !done) { print block; done = 1 } }
    /^(method call|method return|signal|error) / { flush(); inside = ($0 ~ /member=Notify$/); block = $0; found = 0; next }
    inside { block = block "\n" $0; if (index($0, summary)) found = 1 }
    END { flush() }
  ' "$work/monitor.log"
}

# expect NAME SUMMARY BODY_PREFIX URGENCY_BYTE: dunst got SUMMARY with a
# body starting with BODY_PREFIX, from "Gleaner", at that urgency.
expect() {
  local name=$1 summary=$2 body=$3 urgency=$4 line call
  if ! wait_until 30 has_received "$summary"; then
    fail "$name: dunst never got \"$summary\"; it has: $(received | tr '\n' '|'); daemon log: $(tail -5 "$work/daemon.log")"
    return
  fi
  line=$(received | grep -F "$summary" | head -1)
  echo "notifications: $name: dunst got: $line"
  [[ ${line#*$'\t'} == "$body"* ]] || { fail "$name: body \"${line#*$'\t'}\" does not start with \"$body\""; return; }
  call=$(notify_call "$summary")
  grep -qF 'string "Gleaner"' <<<"$call" || { fail "$name: the Notify call lacks the app name"; return; }
  grep -qF "variant             byte $urgency" <<<"$call" || { fail "$name: the Notify call lacks urgency $urgency"; return; }
  pass "$name"
}

job_status() { g status "$1" --json | json 'd["status"]'; }
job_is() { [[ $(job_status "$1") == "$2" ]]; }

start_daemon() { # LOG [ENV…]
  local log=$1
  shift
  env "$@" "$gleaner" --data-dir "$data" daemon >"$log" 2>&1 &
  daemons="${daemons:-} $!"
  wait_until 60 test -S "$data/engine.sock" || { echo "notifications: the daemon did not start: $(cat "$log")" >&2; exit 1; }
}

notes=${folders[0]}
n_files=120
mkdir -p "$notes/sub"
for i in $(seq 1 $n_files); do
  echo "note $i about the aardvark" >"$notes/$( ((i % 2)) && echo sub/)note-$i.txt"
done
# The throttle (4 a minute by default, bursts digested) has tests of its
# own; here every check should show at once.
g config set notify.max_per_minute 10 >/dev/null
start_daemon "$work/daemon.log"

# 1. A background job: one notification for the whole job, naming the
# folder and the count.
id=$(g index "$notes" --background --json | json 'd["id"]')
wait_until 120 job_is "$id" completed || fail "the job of $notes did not complete: $(job_status "$id")"
expect "job completed" "Indexing finished: ~/$tag-notes" "$n_files new in " 1

# 2. No per-file spam: live changes to many files are indexed without a
# notification, and the job above gave exactly one.
for i in $(seq 1 40); do echo "note $i about the zebra" >>"$notes/$( ((i % 2)) && echo sub/)note-$i.txt"; done
live_done() { [[ $(g search zebra --limit 100 --json | json 'len(d)') -eq 40 ]]; }
if wait_until 60 live_done; then
  n=$(count_received)
  if [[ $n -eq 1 ]]; then
    pass "no per-file notifications: $n_files files indexed and 40 changed, 1 notification"
  else
    fail "expected 1 notification after indexing $n_files files and changing 40, dunst got $n: $(received | tr '\n' '|')"
  fi
else
  fail "the live changes were not indexed: $(g search zebra --limit 100 --json | head -c 300)"
fi

# 3. A source in error: its folder disappears while watched.
usb=${folders[1]}
mkdir -p "$usb" && echo "usb file" >"$usb/a.txt"
id=$(g index "$usb" --background --json | json 'd["id"]')
wait_until 60 job_is "$id" completed || fail "the job of $usb did not complete"
rm -rf "$usb"
expect "source in error" "Cannot index ~/$tag-usb" "" 2

# 4. A job that fails for real: queued while indexing is paused, its source
# removed before it runs, then indexing resumed.
gone=${folders[2]}
mkdir -p "$gone" && echo "gone file" >"$gone/a.txt"
g pause >/dev/null
id=$(g index "$gone" --background --json | json 'd["id"]')
g source remove "$gone" >/dev/null
g resume >/dev/null
wait_until 60 job_is "$id" failed || fail "the job of a removed source did not fail: $(job_status "$id")"
expect "job failed" "Indexing failed: ~/$tag-gone" "its source was removed" 2

# 5. A muted source stays silent (the log still has it).
quiet=${folders[3]}
mkdir -p "$quiet" && echo "quiet file" >"$quiet/a.txt"
g source add "$quiet" >/dev/null
g source set "$quiet" --mute >/dev/null
before=$(count_received)
id=$(g index "$quiet" --background --json | json 'd["id"]')
wait_until 60 job_is "$id" completed || fail "the job of $quiet did not complete"
if wait_until 30 grep -q "Indexing finished: ~/$tag-quiet" "$work/daemon.log"; then
  n=$(count_received)
  [[ $n -eq $before ]] && pass "muted source: logged, not shown" ||
    fail "muted source: dunst got $((n - before)) more: $(received | tail -1)"
else
  fail "muted source: the log lacks its job: $(tail -5 "$work/daemon.log")"
fi
g stop >/dev/null
wait_until 30 bash -c "! test -S '$data/engine.sock'" || fail "the daemon did not stop"

# 6. Without a session bus the daemon indexes anyway and says why nothing
# pops up.
nobus=${folders[4]}
mkdir -p "$nobus" && echo "x" >"$nobus/a.txt"
start_daemon "$work/nobus.log" -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$work/no-runtime-dir"
id=$(g index "$nobus" --background --json | json 'd["id"]')
if wait_until 60 job_is "$id" completed && grep -q "desktop notifications are off.*no D-Bus session bus" "$work/nobus.log"; then
  pass "no session bus: $(grep -o 'no D-Bus session bus[^;]*' "$work/nobus.log" | head -1)"
else
  fail "no session bus: job $(job_status "$id"); log: $(tail -5 "$work/nobus.log")"
fi
[[ -z $(notify_call "Indexing finished: ~/$tag-nobus") ]] || fail "no session bus: a notification went out anyway"
g stop >/dev/null
wait_until 30 bash -c "! test -S '$data/engine.sock'" || fail "the daemon did not stop"

# 7. A notification server that never answers (dunst stopped with SIGSTOP
# still owns its name): jobs go on; the desktop sink gives up after 5 s.
stuck=${folders[5]}
mkdir -p "$stuck" && echo "x" >"$stuck/a.txt"
start_daemon "$work/stuck.log"
kill -STOP "$server"
id=$(g index "$stuck" --background --json | json 'd["id"]')
id2=$(g index "$notes" --background --json | json 'd["id"]')
if wait_until 60 job_is "$id" completed && wait_until 60 job_is "$id2" completed &&
  wait_until 30 grep -q "did not answer within 5 s" "$work/stuck.log"; then
  pass "service not answering: jobs completed; the log says: $(grep -o 'the desktop notification service did not answer[^"]*' "$work/stuck.log" | head -1)"
else
  fail "service not answering: jobs $(job_status "$id")/$(job_status "$id2"); log: $(tail -5 "$work/stuck.log")"
fi
kill -CONT "$server"

if [[ -n $shot ]]; then
  import -window root "$shot" && echo "notifications: screenshot $shot"
fi
echo "notifications: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
