#!/usr/bin/env bash
# Live model benchmark: labelling in the Label pane while the live model refits. Projects of
# 2,000 texts, 2,000 images and a 100,000-row table, 500 labels each, are labelled at ten
# keys a second in tmux with [live] every = 10 (a refit every second). From the workbench's
# frame log (KINDLING_FRAME_LOG): key → label committed and next sample drawn (p50, p99), and
# the every-th key → the frame showing the refitted model's suggestions (p50, max).
# PROFILE=debug measures the test build instead of the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${PROFILE:-release} == release ]]; then
  cargo build --release --bin kindling --example active
  bin=$PWD/target/release/kindling ex=$PWD/target/release/examples/active
else
  cargo build --bin kindling --example active
  bin=$PWD/target/debug/kindling ex=$PWD/target/debug/examples/active
fi
work=$(realpath -m target/bench-refit)
rm -rf "$work" && mkdir -p "$work"
keys=${KEYS:-100}

measure() { # set, samples, graphics
  local dir log s
  dir=$("$ex" make "$1" "$work/$1" "$2" 500)
  "$bin" live "$dir" >/dev/null # featurized once, as the workbench's first refit would
  log=$(mktemp)
  s=refit$$
  tmux new-session -d -s $s -x 120 -y 40 "KINDLING_FRAME_LOG=$log $bin $dir --graphics $3"
  sleep 2
  tmux send-keys -t $s Tab
  sleep 4 # the queue is built once
  : >"$log"
  for i in $(seq "$keys"); do tmux send-keys -t $s $((i % 3 + 1)); sleep 0.1; done
  sleep 3
  tmux send-keys -t $s q; sleep 0.5; tmux kill-session -t $s 2>/dev/null || true
  grep -v refit "$log" | sort -n | awk -v p="$1 ($2, $3)" '{ v[NR] = $1 } END {
    printf "%-26s key → next drawn      p50 %6.1f ms  p99 %6.1f ms  (%d keys)\n", p, v[int(NR*0.5)]/1000, v[int(NR*0.99)]/1000, NR }'
  grep refit "$log" | awk '{ print $2 }' | sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "                           no refit reached the screen"; exit }
    printf "%-26s 10th key → suggestion p50 %6.0f ms  max %6.0f ms  (%d refits)\n", "", v[int((NR+1)/2)]/1000, v[NR]/1000, NR }'
  rm -f "$log"
}

measure text 2000 none
measure image 2000 halfblocks
measure table 100000 none
