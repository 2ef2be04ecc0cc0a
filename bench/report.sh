#!/usr/bin/env bash
# Readiness report benchmark: `kindling report` on the 2,000,000-row tables of browse.sh
# (Parquet and CSV), with their label column imported (1,333,334 labels); wall time and
# peak memory from GNU time. Figures go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath -m "${DATA:-target/bench-data}")
cargo build --release --bin kindling
bin=$PWD/target/release/kindling
# The generator runs in a debug build: it shares `cargo test`'s features (see browse.sh).
[[ -f $data/big.parquet ]] || cargo run --example big_table -- "$data"
for format in parquet csv; do
  project=$data/$format-labelled
  [[ -f $project/kindling.toml ]] ||
    "$bin" init "$project" --source "$data/big.$format" --id-column id --label-column label >/dev/null
  for run in 1 2 3; do
    /usr/bin/time -f "$format run $run: %e s, peak %M KB" "$bin" report "$project" >/dev/null
  done
done
