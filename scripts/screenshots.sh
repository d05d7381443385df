#!/usr/bin/env bash
# Regenerates screenshots/*.png from a real two-terminal session: a fresh emulator, two
# acs-chat processes in tmux as Alice and Bob, keys sent with `tmux send-keys`, screens
# read with `tmux capture-pane -e` and drawn cell by cell by scripts/render_ansi.py.
#
# usage: scripts/screenshots.sh [path/to/acs-chat]   (default: builds target/debug/acs-chat)
# needs: tmux, python3 (Pillow is installed into scripts/.venv), DejaVu Sans Mono.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin=${1:-}
if [[ -z $bin ]]; then
  cargo build --quiet
  bin="${CARGO_TARGET_DIR:-target}/debug/acs-chat"
fi
bin=$(realpath "$bin")

venv=scripts/.venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pillow
fi

work=$(mktemp -d)
sock="acs-chat-shots-$$"
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  [[ -n ${emu_pid:-} ]] && kill "$emu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --port 0 --data-dir "$work/emulator" >"$work/serve.out" 2>/dev/null &
emu_pid=$!
for _ in $(seq 100); do grep -q '^ACS_CA_CERT=' "$work/serve.out" 2>/dev/null && break; sleep 0.05; done
cs=$(sed -n 's/^ACS_CONNECTION_STRING=//p' "$work/serve.out")
cert=$(sed -n 's/^ACS_CA_CERT=//p' "$work/serve.out")
client() { echo "env ACS_CHAT_HOME='$work/home' TERM=xterm-256color '$bin' --connection-string '$cs' --ca-cert '$cert' --as $1"; }

t() { tmux -L "$sock" "$@"; }
# Waits until a pane shows some text (no fixed sleeps: the screen is the signal).
wait_for() {
  local pane=$1 text=$2
  for _ in $(seq 200); do
    t capture-pane -p -t "$pane" | grep -qF -- "$text" && return 0
    sleep 0.05
  done
  echo "screenshots: '$text' never appeared in $pane" >&2
  t capture-pane -p -t "$pane" >&2
  exit 1
}
type_line() { t send-keys -t "$1" -l "$2"; t send-keys -t "$1" Enter; }
shot() {
  local pane=$1 name=$2 title=$3
  t capture-pane -e -p -t "$pane" >"$work/$name.txt"
  "$venv/bin/python" scripts/render_ansi.py "$work/$name.txt" "screenshots/$name.png" --title "$title"
  echo "screenshots/$name.png"
}
shot_two() {
  local left=$1 right=$2 name=$3
  t capture-pane -e -p -t "$left" >"$work/$name-left.txt"
  t capture-pane -e -p -t "$right" >"$work/$name-right.txt"
  "$venv/bin/python" scripts/render_ansi.py "$work/$name-left.txt" "$work/$name-right.txt" "screenshots/$name.png" \
    --title "acs-chat --as alice" --title "acs-chat --as bob"
  echo "screenshots/$name.png"
}

mkdir -p screenshots
# Two terminals side by side, as a person would run them.
t new-session -d -s chat -x 161 -y 30 "$(client alice)"
# A client that exits keeps its pane, so a failure shows its message.
t set-option -g remain-on-exit on
t split-window -h -t chat "$(client bob)"
A=chat:0.0 B=chat:0.1
wait_for $A Quickstart
wait_for $B Quickstart
type_line $A "Hi Bob! Welcome to the quickstart."
wait_for $B "Welcome to the quickstart"
type_line $B "Thanks Alice! Polling works — and no setup at all"
wait_for $A "Polling works"
t send-keys -t $A F3
type_line $A "Demo starts in 5 minutes"
wait_for $B "Demo starts"
t send-keys -t $B -l "Ready."; t send-keys -t $B C-j; t send-keys -t $B -l "Slides are in the usual place"
t send-keys -t $B Enter
wait_for $A "usual place"
wait_for $A "seen by Bob"
shot_two $A $B two-terminals
# Push: Bob types without sending; Alice sees it under her messages, status `live`.
wait_for $A "● live"
t send-keys -t $B -l "Looks great, one sec"
wait_for $A "Bob is typing…"
shot_two $A $B typing-live
t send-keys -t $B Enter
wait_for $A "one sec"

# One terminal each, 100x28: a new thread, unread counts, participants, help. (New
# sessions rather than resizing: tmux 3.3 can crash on resize + new window.)
t new-session -d -s alice -x 100 -y 28 "$(client alice)"
t kill-session -t chat
wait_for alice:0 Quickstart
t new-session -d -s bob -x 100 -y 28 "$(client bob)"
wait_for bob:0 Quickstart
type_line alice:0 '/new "Release 1.2" bob carol'
wait_for alice:0 "changed the topic to “Release 1.2”"
type_line alice:0 "Carol, can you check the build?"
wait_for bob:0 "Release 1.2"
shot bob:0 thread-list-unread "acs-chat --as bob"
t send-keys -t alice:0 F2
wait_for alice:0 "Members (3)"
shot alice:0 participants "acs-chat --as alice"
t send-keys -t alice:0 F2
t send-keys -t alice:0 F1
wait_for alice:0 "Help"
shot alice:0 help "acs-chat --as alice"
t send-keys -t alice:0 Escape
# The smallest supported terminal.
t new-session -d -s narrow -x 40 -y 12 "$(client alice)"
wait_for narrow:0 "usual place"
shot narrow:0 narrow-40x12 "40x12"
