# Sourced by the Python end-to-end suites' run.sh: makes sure the shared venv
# outside the clone has the suite's packages (from PyPI), that the debug
# `gleaner` binary exists, then runs pytest on one folder of tests/.
#
# Usage (from a run.sh): requirements=(...); imports='module, ...';
#                        source tests/pytest-env.sh; run_pytest tests/NAME "$@"
venv=${GLEANER_VENV:-$HOME/.cache/gleaner-venv}
if ! "$venv/bin/python" -c "import $imports" 2>/dev/null; then
  [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${requirements[@]}"
fi
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}
export GLEANER_BIN=${GLEANER_BIN:-$CARGO_TARGET_DIR/debug/gleaner}
[[ -x $GLEANER_BIN ]] || cargo build -p gleaner-cli
export PYTHONDONTWRITEBYTECODE=1

run_pytest() {
  local folder=$1
  shift
  exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$folder" "$@"
}
