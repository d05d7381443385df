#!/usr/bin/env bash
# The Event Grid proof: the official Event Grid SDKs' deserializers (JS @azure/eventgrid,
# Python azure-eventgrid) parse every event the emulator emits, in both schemas.
#
#   eventgrid-tests/run.sh [EVENTS_FILE]
#
# EVENTS_FILE: JSON events, one event or delivery body per line (what a webhook
# received). Without it, the events of the scripted conversation are written by
# `cargo run --example eventgrid_samples` and every one of the 16 types must appear in
# both schemas. Creates python/.venv and js/node_modules when missing or out of date;
# exits non-zero if either check fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/.." && pwd)"

require_all=()
if [[ $# -ge 1 ]]; then
  events="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  events="$scratch/events.ndjson"
  (cd "$repo_root" && cargo run --quiet --locked --example eventgrid_samples "$events")
  require_all=(--require-all)
fi

# shellcheck source=../scripts/sdk-deps.sh
source "$repo_root/scripts/sdk-deps.sh"
venv="$here/python/.venv"
sdk_python_venv "$here/python" eventgrid-tests
sdk_node_modules "$here/js" eventgrid-tests

status=0
"$venv/bin/python" "$here/python/check.py" "${require_all[@]}" "$events" || status=1
node "$here/js/check.mjs" "${require_all[@]}" "$events" || status=1
if [[ $status -ne 0 ]]; then
  echo "eventgrid-tests: FAILED" >&2
else
  echo "eventgrid-tests: both SDKs parsed every event"
fi
exit $status
