#!/usr/bin/env bash
# `kindling map --method tsne` beside scikit-learn's TSNE (bench/map.py) on the demo shapes
# and the growth benchmark's 20,000-row table (made by bench/growth.sh when missing).
# Installs the peer into target/bench-tools/venv when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scikit-learn
cargo build --release --bin kindling --example load
[[ -d target/bench-map/demo ]] || target/release/kindling demo target/bench-map/demo --no-open >/dev/null
[[ -d target/bench-growth/20000/table-project ]] || bench/growth.sh --rows 20000 --models majority --repeat 1
exec "$venv/bin/python" bench/map.py target/bench-map/demo/shapes target/bench-growth/20000/table-project "$@"
