#!/usr/bin/env bash
# Label pane benchmark: key press → label committed and the next sample drawn in full, from
# the workbench's own frame log (KINDLING_FRAME_LOG), while labelling the demo projects at
# ten keys a second in tmux. PROFILE=release measures a release build (slow to build);
# the default is the test build (dependencies optimized, Kindling itself not).
# With target/bench-data/parquet-project from bench/browse.sh, a 2,000,000-row table too.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${PROFILE:-debug} == release ]]; then
  cargo build --release --bin kindling
  bin=$PWD/target/release/kindling
else
  cargo build --tests
  bin=$PWD/target/debug/kindling
fi
work=$(realpath -m target/bench-label)
rm -rf "$work" && "$bin" demo "$work" --no-open >/dev/null

label() { # project, keys to press, graphics
  local log s
  log=$(mktemp)
  s=label$$
  tmux new-session -d -s $s -x 120 -y 40 "KINDLING_FRAME_LOG=$log $bin $1 --graphics $3"
  sleep 2
  tmux send-keys -t $s Tab
  sleep 3 # the queue is built once
  : >"$log"
  for i in $(seq "$2"); do tmux send-keys -t $s $((i % 3 + 1)); sleep 0.1; done
  sleep 1
  tmux send-keys -t $s q; sleep 0.5; tmux kill-session -t $s 2>/dev/null || true
  sort -n "$log" | awk -v p="$(basename "$1") ($3)" '{ v[NR] = $1 } END {
    printf "%-28s key → committed + next drawn  p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d keys)\n",
      p, v[int(NR*0.5)]/1000, v[int(NR*0.99)]/1000, v[NR]/1000, NR }'
  rm -f "$log"
}

label "$work/fruit" 150 none
label "$work/tickets" 150 none
label "$work/tones" 80 none
label "$work/shapes" 150 halfblocks
label "$work/shapes" 150 kitty
big=target/bench-data/parquet-project
[[ -f $big/kindling.toml ]] && label "$(realpath $big)" 150 none
exit 0
