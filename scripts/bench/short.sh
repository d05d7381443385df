#!/usr/bin/env bash
# Runs every benchmark in its short mode, to keep them working (CI). Prints figures,
# asserts none: a short run is too small to mean anything. Uses the dev profile (no
# release build needed); set BENCH_PROFILE=release to check the release build instead.
#
#   scripts/bench/short.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export BENCH_SHORT=1
profile="${BENCH_PROFILE:-dev}"
for bench in delivery emulator render startup realtime eventgrid; do
  echo "== cargo bench --profile $profile --bench $bench -- --short =="
  cargo bench --locked --quiet --profile "$profile" --bench "$bench" -- --short
done
dir=debug
[[ "$profile" == dev ]] || dir="$profile"
cargo build --locked --quiet --profile "$profile" --bin acs-chat
echo "== scripts/bench/footprint.sh --short =="
scripts/bench/footprint.sh --short "${CARGO_TARGET_DIR:-target}/$dir/acs-chat"
