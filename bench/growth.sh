#!/usr/bin/env bash
# Growth with rows (bench/growth.py): every CPU baseline at 20,000, 100,000 and 400,000
# rows of a 20-column table beside scikit-learn and LightGBM, in one sitting. Installs the
# peers into target/bench-tools/venv when missing. Arguments go to growth.py (--rows …).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn, lightgbm" 2>/dev/null ||
  "$venv/bin/pip" install --quiet numpy scikit-learn lightgbm
cargo build --release --bin kindling
exec "$venv/bin/python" bench/growth.py "$@"
