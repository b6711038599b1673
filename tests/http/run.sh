#!/usr/bin/env bash
# Runs the HTTP API's end-to-end tests (tests/http/test_http.py): a real
# `gleaner daemon --http 127.0.0.1:PORT` on a temp data directory, driven by
# a real HTTP client (requests), and the served OpenAPI document checked by
# openapi-spec-validator. The packages live in the same venv outside the
# clone as the MCP tests', added (or repaired) here from PyPI; the `gleaner`
# binary is the debug build in $CARGO_TARGET_DIR, built if missing.
#
# Usage: tests/http/run.sh [PYTEST ARGS…]
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${GLEANER_VENV:-$HOME/.cache/gleaner-venv}
requirements=('requests>=2.31,<3' 'openapi-spec-validator>=0.7,<0.9' 'pytest>=8')
if ! "$venv/bin/python" -c 'import requests, openapi_spec_validator, openapi_schema_validator, pytest' 2>/dev/null; then
  [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${requirements[@]}"
fi
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
export GLEANER_BIN=${GLEANER_BIN:-$CARGO_TARGET_DIR/debug/gleaner}
[[ -x $GLEANER_BIN ]] || cargo build -p gleaner-cli
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/http "$@"
