#!/usr/bin/env bash
# Installs what running Gleaner needs (not the test tools), builds the tray
# app and the `gleaner` command line in release, installs `gleaner` on the
# PATH and starts the tray app (the settings window opens on the first run).
#
# For the command line alone (servers, MCP for an AI assistant; no WebKit or
# GTK), use scripts/install-cli.sh instead.
#
# Usage: scripts/run.sh [ARGS FOR THE APP...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh --run
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
npm run --silent ui:build
# Release: the app hosts the engine, which a debug build runs several times
# slower.
cargo build --release -p gleaner-desktop -p gleaner-cli

# The command line goes on the PATH: /usr/local/bin (with sudo, which the
# package step above already asked for, when not root), else ~/.local/bin.
built="$CARGO_TARGET_DIR/release/gleaner"
if [[ $(id -u) -eq 0 ]]; then
  install -m 0755 "$built" /usr/local/bin/gleaner
  echo "gleaner CLI: /usr/local/bin/gleaner"
elif command -v sudo >/dev/null && sudo install -m 0755 "$built" /usr/local/bin/gleaner; then
  echo "gleaner CLI: /usr/local/bin/gleaner"
else
  mkdir -p "$HOME/.local/bin"
  install -m 0755 "$built" "$HOME/.local/bin/gleaner"
  echo "gleaner CLI: $HOME/.local/bin/gleaner"
  case ":$PATH:" in
    *":$HOME/.local/bin:"*) ;;
    *) echo "  (~/.local/bin is on the PATH from your next login; until then run it by that path)" ;;
  esac
fi
exec "$CARGO_TARGET_DIR/release/gleaner-desktop" --show-settings "$@"
