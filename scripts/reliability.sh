#!/usr/bin/env bash
# Runs the reliability suite in full mode: 20,000 messages through 7 SIGKILLs,
# 1,000 messages per sender through 20 % injected faults, 12,000 hostile requests,
# 10,000 sends' Event Grid events through 7 SIGKILLs, plus the disk, terminal, auth, secrets and config tests. Prints the figures.
#
# usage: scripts/reliability.sh [SEED]   (SEED replays a generated run)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then ACS_CHAT_SEED="$1"; export ACS_CHAT_SEED; fi
ACS_CHAT_SOAK=1 cargo test \
    --test reliability_durability --test reliability_eventgrid --test reliability_faults --test reliability_hostile \
    --test reliability_disk --test reliability_terminal --test reliability_auth \
    --test reliability_secrets --test reliability_config \
    -- --nocapture 2>&1 | grep -E '^(durability|eventgrid durability|faults|hostile|disk)[:/]|^test |test result|panicked'
