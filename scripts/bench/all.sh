#!/usr/bin/env bash
# Runs every benchmark in full, release mode, `runs` times each (default 3), writing
# the output of each run to bench-results/NAME.N.txt and printing it as it goes.
# The figures of BENCHMARKS.md are the medians of those runs.
#
#   scripts/bench/all.sh [runs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
runs="${1:-3}"
mkdir -p bench-results
cargo build --release --locked --quiet
cargo bench --locked --no-run --quiet
for ((r = 1; r <= runs; r++)); do
  for bench in emulator render startup delivery realtime eventgrid; do
    echo "== $bench, run $r =="
    cargo bench --locked --quiet --bench "$bench" | tee "bench-results/$bench.$r.txt"
  done
  echo "== footprint, run $r =="
  scripts/bench/footprint.sh | tee "bench-results/footprint.$r.txt"
done
