#!/usr/bin/env bash
# `kindling map --method tsne` beside scikit-learn's TSNE (bench/map.py) on the demo shapes, the
# growth benchmark's 20,000-row table (made by bench/growth.sh when missing) and 20,000
# generated 32×32 images (bench/images.py); `bench/map.sh --method umap --peers umap tsne`
# for UMAP beside umap-learn and TSNE; MAP_DIRS="…" to map other projects (the 100,000-row
# growth table: target/bench-growth/100000/table-project).
# Installs the peers into target/bench-tools/venv when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn, umap" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scikit-learn umap-learn
cargo build --release --bin kindling
[[ -d target/bench-map/demo ]] || target/release/kindling demo target/bench-map/demo --no-open >/dev/null
[[ -d target/bench-growth/20000/table-project ]] || bench/growth.sh --rows 20000 --models majority --repeat 1
bench/images-project.sh target/bench-map/images20k 20000
dirs=${MAP_DIRS:-"target/bench-map/demo/shapes target/bench-growth/20000/table-project target/bench-map/images20k-project"}
# shellcheck disable=SC2086 # the folders are words
exec "$venv/bin/python" bench/map.py $dirs "$@"
