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
requirements=('requests>=2.31,<3' 'openapi-spec-validator>=0.7,<0.9' 'pytest>=8')
imports='requests, openapi_spec_validator, openapi_schema_validator, pytest'
source tests/pytest-env.sh
run_pytest tests/http "$@"
