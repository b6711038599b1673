#!/bin/sh
# Long fuzzing runs: each named target (all eight by default) for
# FUZZ_SECONDS (an hour), FUZZ_JOBS (two) at a time, at the lowest CPU
# priority, with the limits of the README. Each target reads its committed
# seeds and grows its own corpus/TARGET (ignored by git); its log, with
# libFuzzer's final stats, goes to FUZZ_LOGS/fuzz-TARGET.log. A crash stops
# that target's run and leaves its input in artifacts/TARGET/.
set -eu
cd "$(dirname "$0")"
: "${FUZZ_SECONDS:=3600}" "${FUZZ_JOBS:=2}" "${FUZZ_LOGS:=/tmp}"
RUSTC_BOOTSTRAP=1
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-fuzz-target}"
export RUSTC_BOOTSTRAP CARGO_TARGET_DIR FUZZ_SECONDS FUZZ_LOGS
[ $# -gt 0 ] || set -- pdf docx odt zip html text sniff query
nice -n 10 cargo fuzz build
for target in "$@"; do
    mkdir -p "corpus/$target"
done
printf '%s\n' "$@" | xargs -P "$FUZZ_JOBS" -I{} sh -c '
    nice -n 19 cargo fuzz run {} corpus/{} seeds/{} -- \
        -max_total_time=$FUZZ_SECONDS -rss_limit_mb=2048 -timeout=30 \
        -print_final_stats=1 > "$FUZZ_LOGS/fuzz-{}.log" 2>&1 || true'
