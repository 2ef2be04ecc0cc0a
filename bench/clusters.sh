#!/usr/bin/env bash
# `kindling clusters` beside scikit-learn's KMeans (bench/clusters.py) on the demo shapes, the
# growth benchmark's 20,000- and 100,000-row tables (made by bench/growth.sh when missing) and
# 20,000 generated 32×32 images (bench/images.py), labelled from their file names (the class
# is the name's first word); CLUSTER_DIRS="…" to cluster other projects.
# Installs the peer into target/bench-tools/venv when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scikit-learn
cargo build --release --bin kindling
kindling=target/release/kindling
[[ -d target/bench-map/demo ]] || $kindling demo target/bench-map/demo --no-open >/dev/null
for rows in 20000 100000; do
  [[ -d target/bench-growth/$rows/table-project ]] || bench/growth.sh --rows $rows --models majority --repeat 1
done
images=target/bench-map/images20k
bench/images-project.sh $images 20000
dirs=${CLUSTER_DIRS:-"target/bench-map/demo/shapes target/bench-growth/20000/table-project target/bench-growth/100000/table-project $images-project"}
# shellcheck disable=SC2086 # the folders are words
exec "$venv/bin/python" bench/clusters.py $dirs "$@"
