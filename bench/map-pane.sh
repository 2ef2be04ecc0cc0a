#!/usr/bin/env bash
# Map pane benchmark: key press → the frame that shows it, from the workbench's own frame
# log (KINDLING_FRAME_LOG), while moving the cursor and zooming on PROJECT's map in tmux at
# ten keys a second. The first map (principal components) is waited for; the neighbour map
# (t-SNE / UMAP) may still be computed behind the keys, and the line says which.
# Usage: bench/map-pane.sh PROJECT [COLSxROWS (200x60)] [KEYS (110)]
# Uses target/release/kindling (cargo build --release first).
set -euo pipefail
cd "$(dirname "$0")/.."
project=$(realpath "$1")
size=${2:-200x60}
keys=${3:-110}
bin=$PWD/target/release/kindling
[[ -x $bin ]] || cargo build --release --bin kindling
log=$(mktemp)
s=mappane$$
tmux new-session -d -s $s -x "${size%x*}" -y "${size#*x}" "KINDLING_FRAME_LOG=$log $bin $project"
trap 'tmux kill-session -t $s 2>/dev/null || true; rm -f "$log"' EXIT
sleep 2
tmux send-keys -t $s F6
start=$(date +%s.%N)
until tmux capture-pane -p -t $s | grep -q ' points · '; do
  sleep 0.2
  if (($(date +%s) - ${start%.*} > 600)); then echo "no map after 600 s" >&2; exit 1; fi
done
first=$(echo "$(date +%s.%N) - $start" | bc)
coming() { tmux capture-pane -p -t $s | grep -q 'neighbour map coming'; }
if [[ ${SETTLED:-0} == 1 ]]; then while coming; do sleep 1; done; fi
sleep 0.5
before=$(coming && echo yes || echo no)
: >"$log"
moves=(Left Up Right Down Right Up Left Down + + Right Up - Left Down -)
for i in $(seq "$keys"); do tmux send-keys -t $s "${moves[i % ${#moves[@]}]}"; sleep 0.1; done
sleep 1
after=$(coming && echo yes || echo no)
case $before$after in
  yesyes) behind="the neighbour map computed behind every key" ;;
  yesno) behind="the neighbour map computed behind the first keys" ;;
  *) behind="nothing computed behind" ;;
esac
tmux send-keys -t $s q
sleep 0.5
grep -v refit "$log" | sort -n | awk -v p="$(basename "$project") $size" -v f="$first" -v b="$behind" '{ v[NR] = $1 } END {
  printf "%-28s first map %.1f s · key → drawn p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d keys; %s)\n",
    p, f, v[int(NR*0.5)]/1000, v[int(NR*0.99)]/1000, v[NR]/1000, NR, b }'
