#!/usr/bin/env bash
# Runs the official Azure SDK compatibility suites (Python, then JS) against an acs-chat
# binary that is already built. Each suite starts its own emulator on a free port.
#
#   sdk-tests/run.sh [path/to/acs-chat]      (default: target/debug/acs-chat)
#
# Creates sdk-tests/python/.venv and installs sdk-tests/js/node_modules when they are
# missing or out of date; exits non-zero if either suite fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/.." && pwd)"
binary="${1:-${ACS_CHAT_BIN:-$repo_root/target/debug/acs-chat}}"
case "$binary" in /*) ;; *) binary="$PWD/$binary" ;; esac
if [[ ! -x "$binary" ]]; then
  echo "sdk-tests: no executable acs-chat at $binary (build it first: cargo build)" >&2
  exit 2
fi
export ACS_CHAT_BIN="$binary"

# --- Python ------------------------------------------------------------------------
python_dir="$here/python"
venv="$python_dir/.venv"
stamp="$venv/.requirements.installed"
if [[ ! -x "$venv/bin/python" ]]; then
  echo "sdk-tests: creating $venv"
  python3 -m venv "$venv"
fi
if [[ ! -f "$stamp" ]] || ! cmp -s "$python_dir/requirements.txt" "$stamp"; then
  echo "sdk-tests: installing Python requirements"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$python_dir/requirements.txt"
  cp "$python_dir/requirements.txt" "$stamp"
fi

# --- JS ----------------------------------------------------------------------------
js_dir="$here/js"
lock_stamp="$js_dir/node_modules/.package-lock.installed"
if [[ ! -f "$lock_stamp" ]] || ! cmp -s "$js_dir/package-lock.json" "$lock_stamp"; then
  echo "sdk-tests: npm ci"
  (cd "$js_dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$js_dir/package-lock.json" "$lock_stamp"
fi

# --- Run both, report both ------------------------------------------------------------
status=0
echo "== Python SDK suite (azure-communication-chat / -identity) =="
(cd "$python_dir" && "$venv/bin/python" -m pytest) || status=1

echo "== JS SDK suite (@azure/communication-chat / -identity) =="
(cd "$js_dir" && node run.mjs "$binary") || status=1

if [[ $status -ne 0 ]]; then
  echo "sdk-tests: FAILED" >&2
else
  echo "sdk-tests: both suites passed"
fi
exit $status
