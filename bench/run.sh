#!/usr/bin/env bash
# Gleaner benchmark harness: see bench/README.md.
#   bench/run.sh [--corpus small|medium|large] [--runs N] [--smoke] [--out DIR]
# Reports only: no timing is ever asserted. Exits non-zero only when a command
# it runs fails (a crash, an unreadable corpus), never because something is slow.
set -euo pipefail
exec python3 "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bench.py" "$@"
