#!/usr/bin/env bash
# Builds and installs the `gleaner` command line alone: the engine, the CLI,
# the MCP server for AI assistants and the HTTP API. No desktop app, so no
# WebKit, GTK or npm: for servers, containers and MCP use. Installs a C
# compiler (for SQLite) and Rust when missing (scripts/setup-debian.sh --cli).
#
# Installs to /usr/local/bin as root, else to ~/.local/bin; a prefix may be
# given instead (the binary goes to PREFIX/bin).
#
# Usage: scripts/install-cli.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh --cli
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
if [[ -n ${1:-} ]]; then
  prefix=$1
elif [[ $(id -u) -eq 0 ]]; then
  prefix=/usr/local
else
  prefix=$HOME/.local
fi
cargo install --locked --path crates/cli --root "$prefix" --bins --force
echo "gleaner CLI: $prefix/bin/gleaner"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "  ($prefix/bin is not on your PATH: add it, or run gleaner by that path)" ;;
esac
