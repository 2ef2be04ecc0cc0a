#!/usr/bin/env bash
# `kindling serve` under load beside FastAPI + scikit-learn (bench/serve.py), loopback only.
# Installs the peer into target/bench-tools/venv when missing; builds Kindling and the load
# generator (examples/load.rs) in release.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn, fastapi, uvicorn" 2>/dev/null ||
  "$venv/bin/pip" install --quiet numpy scikit-learn fastapi uvicorn
cargo build --release --bin kindling --example load
exec "$venv/bin/python" bench/serve.py --python "$venv/bin/python" "$@"
