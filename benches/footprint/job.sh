#!/usr/bin/env bash
# The footprint job with acs-chat subcommands, as a shell script would do it: Amy
# creates a thread with Ben (both profiles are created as users on first use), sends
# 100 messages, and Ben lists them all (not alice/bob: on a loopback endpoint those
# also provision the Quickstart thread on every run). Reads ACS_CONNECTION_STRING and ACS_CA_CERT;
# ACS_CHAT_BIN is the binary, ACS_CHAT_HOME a fresh directory.
set -euo pipefail
bin="${ACS_CHAT_BIN:?}"
messages="${FOOTPRINT_MESSAGES:-100}"
thread=$("$bin" --as amy -o json thread create --topic footprint --user ben | grep -o '"19:[^"]*"' | head -n 1 | tr -d '"')
[[ -n "$thread" ]] || { echo "footprint: no thread id" >&2; exit 1; }
# One process sends them all, one message per line, as a script piping lines would.
for ((i = 1; i <= messages; i++)); do echo "message $i"; done |
  "$bin" --as amy -q message send --thread "$thread" --each-line
listed=$("$bin" --as ben -o json message list --thread "$thread" | grep -o '"type": *"text"' | wc -l)
echo "listed $listed"
[[ "$listed" -eq "$messages" ]]
