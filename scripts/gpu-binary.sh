#!/usr/bin/env bash
# Builds a release binary of Kindling with the `torch` feature against libtorch's CUDA
# layout, for a GPU machine without a Rust toolchain, and packs it small enough to carry:
#
#   scripts/gpu-binary.sh          # → target/gpu/kindling.gz (and target/gpu/run.sh)
#
# On the GPU machine: gunzip it, point LD_LIBRARY_PATH at the machine's PyTorch libraries
# (target/gpu/env.sh does), and run it. The CPU layout of ./libtorch is put back afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/libtorch.sh --cuda
trap 'scripts/libtorch.sh >/dev/null' EXIT
# Its own target folder: torch-sys remembers which libtorch it was built against.
LIBTORCH=$PWD/libtorch cargo build --release --features torch --target-dir target/cuda --bin kindling
mkdir -p target/gpu
strip -o target/gpu/kindling target/cuda/release/kindling
gzip -f target/gpu/kindling
cat > target/gpu/env.sh <<'ENV'
# source target/gpu/env.sh: the machine's PyTorch libraries (libtorch, CUDA, cuDNN, …).
torch_lib=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
nvidia=$(python3 -c 'import nvidia; print(list(nvidia.__path__)[0])' 2>/dev/null || true)
LD_LIBRARY_PATH=$torch_lib$(for d in "$nvidia"/*/lib; do [[ -d $d ]] && printf ':%s' "$d"; done)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
[[ -x target/gpu/kindling ]] || gunzip -kf target/gpu/kindling.gz
ENV
ls -l target/gpu
