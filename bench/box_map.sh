#!/usr/bin/env bash
# `kindling evaluate` beside pycocotools on the same boxes (bench/box_map.py): mAP@0.5,
# mAP@[.5:.95] and each class's AP, and the largest difference. Installs pycocotools into
# target/bench-tools/venv when missing. IMAGES (200) and SEED (0) set the data.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import pycocotools, numpy" 2>/dev/null || "$venv/bin/pip" install --quiet numpy pycocotools
cargo build --release
"$venv/bin/python" bench/box_map.py target/release/kindling "${IMAGES:-200}" "${SEED:-0}"
