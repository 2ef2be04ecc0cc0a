#!/usr/bin/env bash
# Makes the benchmarks' image project when missing: N generated 32×32 images (bench/images.py)
# in OUT/images and the project OUT-project on them, labelled from the file names (the class
# is the name's first word), as users' folders often are.
#     bench/images-project.sh OUT N
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 n=$2
venv=target/bench-tools/venv
kindling=target/release/kindling
[[ -d $out/images ]] || "$venv/bin/python" bench/images.py "$out" --n "$n"
if [[ ! -d $out-project ]]; then
  $kindling init "$out-project" --source "$out/images" --kind images --classes circle,square,cross,ring >/dev/null
fi
if [[ ! -f $out/labels.csv ]]; then
  { echo id,label; for f in "$out"/images/*.png; do name=${f##*/}; echo "$name,${name%%_*}"; done; } > "$out/labels.csv"
  $kindling labels import "$out-project" "$out/labels.csv" >/dev/null
fi
