#!/usr/bin/env bash
# The browser proof: the official chat SDK (browser build, bundled with esbuild) in
# headless Chromium, served from another origin than the emulator, receiving every
# real-time event kind that another user causes through the Node SDK.
#
#   browser-tests/run.sh [path/to/acs-chat]      (default: target/debug/acs-chat)
#
# Needs node >= 20 and Chromium (`apt-get install chromium`; CHROMIUM=/path overrides).
# Installs browser-tests/node_modules when missing or out of date. With
# BROWSER_SCREENSHOT=screenshots/browser-events.png it saves the page at the end (the
# README's picture). Exits non-zero if a check fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/.." && pwd)"
binary="${1:-${ACS_CHAT_BIN:-$repo_root/target/debug/acs-chat}}"
case "$binary" in /*) ;; *) binary="$PWD/$binary" ;; esac
[[ -x "$binary" ]] || { echo "browser-tests: no executable acs-chat at $binary (cargo build)" >&2; exit 2; }
export CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[[ -n "$CHROMIUM" ]] || { echo "browser-tests: no chromium (apt-get install chromium)" >&2; exit 2; }

stamp="$here/node_modules/.package-lock.installed"
if [[ ! -f "$stamp" ]] || ! cmp -s "$here/package-lock.json" "$stamp"; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$stamp"
fi

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  [[ -n "$emulator_pid" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkfifo "$work/out"
"$binary" serve --port 0 --data-dir "$work/data" >"$work/out" 2>"$work/emulator.log" &
emulator_pid=$!
exec 3<"$work/out"
for _ in 1 2; do
  IFS= read -r -t 60 line <&3 || { echo "browser-tests: the emulator did not start" >&2; cat "$work/emulator.log" >&2; exit 1; }
  case "$line" in
    ACS_CONNECTION_STRING=*) export ACS_CONNECTION_STRING="${line#*=}" ;;
    ACS_CA_CERT=*) export NODE_EXTRA_CA_CERTS="${line#*=}" ;;
  esac
done
# Keep draining the emulator's stdout so it never blocks on a full pipe.
cat <&3 >/dev/null &
status=0
node "$here/proof.mjs" "${BROWSER_SCREENSHOT:-}" || status=$?
[[ $status -eq 0 ]] && echo "browser-tests: passed" || { echo "browser-tests: FAILED (emulator log follows)" >&2; tail -20 "$work/emulator.log" >&2; }
exit $status
