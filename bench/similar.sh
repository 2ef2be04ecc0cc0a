#!/usr/bin/env bash
# `kindling similar` beside scikit-learn's NearestNeighbors (bench/similar.py) on the growth
# benchmark's 100,000-row table (made by bench/growth.sh when missing) and the 20,000
# generated images of bench/map.sh. Installs the peer into target/bench-tools/venv when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scikit-learn
cargo build --release --bin kindling --example load
[[ -d target/bench-growth/100000/table-project ]] || bench/growth.sh --rows 100000 --models majority --repeat 1
if [[ ! -d target/bench-map/images20k-project ]]; then
  "$venv/bin/python" bench/images.py target/bench-map/images20k --n 20000
  target/release/kindling init target/bench-map/images20k-project --source target/bench-map/images20k/images \
    --kind images --classes circle,square,cross,ring >/dev/null
fi
exec "$venv/bin/python" bench/similar.py target/bench-growth/100000/table-project target/bench-map/images20k-project "$@"
