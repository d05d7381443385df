#!/usr/bin/env bash
# Runs every benchmark in its short mode, to keep them working (CI). Prints figures,
# asserts none: a short run is too small to mean anything.
#
#   scripts/bench/short.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export BENCH_SHORT=1
for bench in delivery emulator render startup; do
  echo "== cargo bench --bench $bench -- --short =="
  cargo bench --locked --quiet --bench "$bench" -- --short
done
echo "== scripts/bench/footprint.sh --short =="
scripts/bench/footprint.sh --short
