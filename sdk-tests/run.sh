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

# shellcheck source=../scripts/sdk-deps.sh
source "$repo_root/scripts/sdk-deps.sh"
python_dir="$here/python"
venv="$python_dir/.venv"
js_dir="$here/js"
sdk_python_venv "$python_dir" sdk-tests
sdk_node_modules "$js_dir" sdk-tests

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
