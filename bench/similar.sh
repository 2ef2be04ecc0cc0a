#!/usr/bin/env bash
# `kindling similar` beside scikit-learn's NearestNeighbors (bench/similar.py) on the growth
# benchmark's 100,000-row table (made by bench/growth.sh when missing) and 20,000 and 100,000
# generated images (bench/images-project.sh); SIMILAR_DIRS="…" to search other projects.
# Installs the peer into target/bench-tools/venv when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn, scipy" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scipy scikit-learn
cargo build --release --bin kindling
[[ -d target/bench-growth/100000/table-project ]] || bench/growth.sh --rows 100000 --models majority --repeat 1
bench/images-project.sh target/bench-map/images20k 20000
bench/images-project.sh target/bench-map/images100k 100000
dirs=${SIMILAR_DIRS:-"target/bench-growth/100000/table-project target/bench-map/images20k-project target/bench-map/images100k-project"}
# shellcheck disable=SC2086 # the folders are words
exec "$venv/bin/python" bench/similar.py $dirs "$@"
