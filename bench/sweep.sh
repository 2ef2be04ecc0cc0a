#!/usr/bin/env bash
# `kindling sweep` beside scikit-learn's cross-validation (bench/sweep.py) on a generated
# 10,000-row table. Installs the peers into target/bench-tools/venv when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scikit-learn
cargo build --release --bin kindling
exec "$venv/bin/python" bench/sweep.py "$@"
