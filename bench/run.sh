#!/usr/bin/env bash
# Gleaner benchmark harness: see bench/README.md.
#   bench/run.sh [--corpus small|medium|large|linux] [--runs N] [--smoke] [--binary PATH] [--corpora DIR] [--out DIR]
#   bench/run.sh live [--edits N] [--no-recoll] ...     change -> searchable latency of gleaner daemon (live.py)
#   bench/run.sh jobs [--corpus medium] ...             background job vs foreground, resume after SIGKILL (jobs.py)
# Reports only: no timing is ever asserted. Exits non-zero only when a command
# it runs fails (a crash, an unreadable corpus), never because something is slow.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "${1:-}" in
  live) shift; exec python3 "$here/live.py" "$@" ;;
  jobs) shift; exec python3 "$here/jobs.py" "$@" ;;
  *) exec python3 "$here/bench.py" "$@" ;;
esac
