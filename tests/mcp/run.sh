#!/usr/bin/env bash
# Runs the MCP server's end-to-end tests (tests/mcp/test_mcp.py) with the
# official MCP Python SDK as the client. The SDK and pytest live in a venv
# outside the clone, created (or repaired) here from PyPI; the `gleaner`
# binary is the debug build in $CARGO_TARGET_DIR, built if missing.
#
# Usage: tests/mcp/run.sh [PYTEST ARGS…]
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${GLEANER_VENV:-$HOME/.cache/gleaner-venv}
# mcp 2.x: the client API the tests use (snake_case result fields).
requirements=('mcp>=2.3,<3' 'pytest>=8')
if ! "$venv/bin/python" -c 'import mcp.client.stdio, pytest, anyio' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${requirements[@]}"
fi
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
export GLEANER_BIN=${GLEANER_BIN:-$CARGO_TARGET_DIR/debug/gleaner}
[[ -x $GLEANER_BIN ]] || cargo build -p gleaner-cli
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/mcp "$@"
