#!/usr/bin/env bash
# Browse benchmarks on 2,000,000-row tables: time to the first frame with data and peak
# memory (ttff.sh), and time until the last row is on screen after `G` (ttend.sh).
# Needs tmux and bc, and ../shared/bench beside the repository. Figures go in the README.
set -euo pipefail
cd "$(dirname "$0")/.."
helpers=${HELPERS:-../shared/bench}
data=$(realpath -m "${DATA:-target/bench-data}")
cargo build --release --bin kindling
bin=$PWD/target/release/kindling
# The generator runs in a debug build: it shares `cargo test`'s features, a release build
# of it would build polars a second time.
[[ -f $data/big.parquet ]] || cargo run --example big_table -- "$data"
for format in parquet csv; do
  project=$data/$format-project
  [[ -f $project/kindling.toml ]] || "$bin" init "$project" --source "$data/big.$format" --id-column id --classes x,y >/dev/null
  echo "$format: first frame  $("$helpers/ttff.sh" ' r0 ' 60 "$bin" "$project" --graphics none)"
  echo "$format: last row     $("$helpers/ttend.sh" ' r0 ' 'r1999999' 120 "$bin" "$project" --graphics none)"
done

# Key press → frame drawn, from the workbench's own log, while moving through the table.
for format in parquet csv; do
  log=$(mktemp)
  s=keys$$
  tmux new-session -d -s $s -x 160 -y 45 "KINDLING_FRAME_LOG=$log $bin $data/$format-project --graphics none"
  sleep 2
  for _ in $(seq 40); do tmux send-keys -t $s j; sleep 0.02; done
  for _ in $(seq 20); do tmux send-keys -t $s PageDown; sleep 0.05; done
  tmux send-keys -t $s G; sleep 1.5
  for _ in $(seq 40); do tmux send-keys -t $s k; sleep 0.02; done
  for _ in $(seq 20); do tmux send-keys -t $s l h; sleep 0.05; done
  tmux send-keys -t $s q; sleep 0.5; tmux kill-session -t $s 2>/dev/null || true
  sort -n "$log" | awk -v f=$format '{ v[NR] = $1 } END { printf "%s: key press to frame  p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d keys)\n", f, v[int(NR*0.5)]/1000, v[int(NR*0.99)]/1000, v[NR]/1000, NR }'
  rm -f "$log"
done
