#!/usr/bin/env bash
# Installs what is missing, builds Gleaner and starts the tray app (the
# settings window opens on the first run). The `gleaner` command line is
# built alongside: "$CARGO_TARGET_DIR/debug/gleaner --help".
#
# Usage: scripts/run.sh [ARGS FOR THE APP...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
npm run --silent ui:build
cargo build --workspace
echo "gleaner CLI: $CARGO_TARGET_DIR/debug/gleaner"
exec "$CARGO_TARGET_DIR/debug/gleaner-desktop" --show-settings "$@"
