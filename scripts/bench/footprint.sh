#!/usr/bin/env bash
# Footprint against the official SDKs: the same job (create two users and a thread,
# send 100 messages, list them all) done by acs-chat subcommands, by a Node script
# using @azure/communication-chat and by a Python one using azure-communication-chat,
# against one emulator, run in turn; wall time and peak RSS (median of the runs) and
# the ratios to acs-chat.
#
#   scripts/bench/footprint.sh [--short] [path/to/acs-chat]
#
# The binary defaults to the release build (built when missing). The SDKs are taken
# from sdk-tests/ when installed there, else installed into benches/footprint/
# (npm and a Python venv); FOOTPRINT_NODE_MODULES and FOOTPRINT_PYTHON override.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
job_dir="$root/benches/footprint"
short=0
bin=""
for arg in "$@"; do
  case "$arg" in
    --short) short=1 ;;
    --bench) ;;
    *) bin="$arg" ;;
  esac
done
[[ -n "${BENCH_SHORT:-}" && "${BENCH_SHORT}" != 0 ]] && short=1
if [[ -z "$bin" ]]; then
  bin="${CARGO_TARGET_DIR:-$root/target}/release/acs-chat"
  [[ -x "$bin" ]] || (cd "$root" && cargo build --release --quiet)
fi
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
runs=3
messages=100
if [[ $short -eq 1 ]]; then
  runs=1
  messages=10
fi

# --- The SDKs --------------------------------------------------------------------------
node_modules="${FOOTPRINT_NODE_MODULES:-}"
if [[ -z "$node_modules" ]]; then
  if [[ -d "$root/sdk-tests/js/node_modules/@azure/communication-chat" ]]; then
    node_modules="$root/sdk-tests/js/node_modules"
  else
    if [[ ! -d "$job_dir/node_modules/@azure/communication-chat" ]]; then
      echo "footprint: installing the JavaScript SDKs into benches/footprint" >&2
      (cd "$job_dir" && npm install --no-audit --no-fund --loglevel=error >&2)
    fi
    node_modules="$job_dir/node_modules"
  fi
fi
python="${FOOTPRINT_PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x "$root/sdk-tests/python/.venv/bin/python" ]] && "$root/sdk-tests/python/.venv/bin/python" -c 'import azure.communication.chat' 2>/dev/null; then
    python="$root/sdk-tests/python/.venv/bin/python"
  else
    if ! "$job_dir/.venv/bin/python" -c 'import azure.communication.chat' 2>/dev/null; then
      echo "footprint: installing the Python SDKs into benches/footprint/.venv" >&2
      python3 -m venv "$job_dir/.venv"
      "$job_dir/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$job_dir/requirements.txt" >&2
    fi
    python="$job_dir/.venv/bin/python"
  fi
fi

# --- One emulator for all ----------------------------------------------------------------
scratch="$(mktemp -d)"
emulator_pid=""
cleanup() {
  [[ -n "$emulator_pid" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT
"$bin" serve --port 0 --data-dir "$scratch/emulator" >"$scratch/serve.out" 2>/dev/null &
emulator_pid=$!
for _ in $(seq 1 300); do
  grep -q '^ACS_CA_CERT=' "$scratch/serve.out" 2>/dev/null && break
  sleep 0.05
done
ACS_CONNECTION_STRING="$(sed -n 's/^ACS_CONNECTION_STRING=//p' "$scratch/serve.out")"
ACS_CA_CERT="$(sed -n 's/^ACS_CA_CERT=//p' "$scratch/serve.out")"
[[ -n "$ACS_CONNECTION_STRING" && -n "$ACS_CA_CERT" ]] || { echo "footprint: the emulator did not start" >&2; exit 1; }
export ACS_CONNECTION_STRING ACS_CA_CERT FOOTPRINT_MESSAGES="$messages"

# --- Measure ------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A wall rss
run_job() {
  local name="$1"
  shift
  local walls=() peaks=()
  for ((r = 1; r <= runs; r++)); do
    local out
    if ! out="$(python3 "$root/scripts/bench/measure.py" "$@" 2>"$scratch/err" | tail -n 1)"; then
      echo "footprint: the $name job failed:" >&2
      cat "$scratch/err" >&2
      exit 1
    fi
    walls+=("${out% *}")
    peaks+=("${out#* }")
  done
  wall[$name]="$(printf '%s\n' "${walls[@]}" | median)"
  rss[$name]="$(printf '%s\n' "${peaks[@]}" | median)"
  printf 'footprint.%s.wall %s ms\n' "$name" "${wall[$name]}"
  printf 'footprint.%s.peak_rss %s MiB\n' "$name" "$(awk -v k="${rss[$name]}" 'BEGIN { printf "%.1f", k / 1024 }')"
}

run_job acs-chat env ACS_CHAT_BIN="$bin" ACS_CHAT_HOME="$scratch/home" bash "$job_dir/job.sh"
run_job node env NODE_PATH="$node_modules" NODE_EXTRA_CA_CERTS="$ACS_CA_CERT" node "$job_dir/job.cjs"
run_job python env REQUESTS_CA_BUNDLE="$ACS_CA_CERT" "$python" "$job_dir/job.py"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
for sdk in node python; do
  printf 'footprint.%s_over_acs-chat.wall %s x\n' "$sdk" "$(ratio "${wall[$sdk]}" "${wall[acs-chat]}")"
  printf 'footprint.%s_over_acs-chat.peak_rss %s x\n' "$sdk" "$(ratio "${rss[$sdk]}" "${rss[acs-chat]}")"
done

echo
[[ $short -eq 1 ]] && echo "Footprint (short mode: $messages messages, 1 run; figures not meaningful)" || echo "Footprint: 2 users, 1 thread, $messages messages, list all (median of $runs runs)"
printf '%-10s %12s %14s %12s %12s\n' job "wall (ms)" "peak RSS (MiB)" "wall ratio" "RSS ratio"
printf '%s\n' "----------------------------------------------------------------"
for job in acs-chat node python; do
  printf '%-10s %12s %14s %12s %12s\n' "$job" "${wall[$job]}" "$(awk -v k="${rss[$job]}" 'BEGIN { printf "%.1f", k / 1024 }')" \
    "$(ratio "${wall[$job]}" "${wall[acs-chat]}")" "$(ratio "${rss[$job]}" "${rss[acs-chat]}")"
done
echo "(ratios: the job's figure over acs-chat's; acs-chat runs 3 processes: create the thread, send every line, list)"
