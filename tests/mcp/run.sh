#!/usr/bin/env bash
# Runs the MCP server's end-to-end tests (tests/mcp/test_mcp.py) with the
# official MCP Python SDK as the client. The SDK and pytest live in a venv
# outside the clone, created (or repaired) here from PyPI; the `gleaner`
# binary is the debug build in $CARGO_TARGET_DIR, built if missing.
#
# Usage: tests/mcp/run.sh [PYTEST ARGS…]
set -euo pipefail
cd "$(dirname "$0")/../.."
# mcp 2.x: the client API the tests use (snake_case result fields).
requirements=('mcp>=2.3,<3' 'pytest>=8')
imports='mcp.client.stdio, pytest, anyio'
source tests/pytest-env.sh
run_pytest tests/mcp "$@"
