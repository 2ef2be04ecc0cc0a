#!/usr/bin/env bash
# Lays out libtorch from PyTorch's PyPI wheels in ./libtorch (git-ignored), for building
# and testing Kindling's `torch` feature on this machine's CPU:
#
#   scripts/libtorch.sh            # CPU: include/ and the libraries libtorch_cpu needs
#   scripts/libtorch.sh --cuda     # also libtorch_cuda / libc10_cuda, to build a binary
#                                  # that uses the GPU of a machine with CUDA
#   source scripts/libtorch.env    # then: LIBTORCH, LD_LIBRARY_PATH
#
# Needs pip (to download three wheels, once) and unzip or python3.
set -euo pipefail
cd "$(dirname "$0")/.."

torch=2.11.0 cudart=13.0.96 cupti=13.0.85
dest=$PWD/libtorch
wheels=$dest/wheels
cuda=0
[[ ${1:-} == --cuda ]] && cuda=1

mkdir -p "$wheels" "$dest/lib"
if ! ls "$wheels"/torch-$torch-*.whl >/dev/null 2>&1; then
    pip download --no-deps --only-binary=:all: --dest "$wheels" \
        "torch==$torch" "nvidia-cuda-runtime==$cudart" "nvidia-cuda-cupti==$cupti"
fi

# Pull `members` (paths inside the wheel) out of `wheel` into `into`, flattened.
extract() {
    local wheel=$1 into=$2; shift 2
    python3 - "$wheel" "$into" "$@" <<'PY'
import os, shutil, sys, zipfile
wheel, into, members = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for name in members:
        with z.open(name) as src, open(os.path.join(into, os.path.basename(name)), "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
}

torch_wheel=$(ls "$wheels"/torch-$torch-*.whl | head -1)
if [[ ! -d $dest/include ]]; then
    python3 - "$torch_wheel" "$dest" <<'PY'
import sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("torch/include/") and not name.endswith("/"):
            z.extract(name, dest + "/tmp")
PY
    mv "$dest/tmp/torch/include" "$dest/include"
    rm -rf "$dest/tmp"
fi
libs=(torch/lib/libc10.so torch/lib/libtorch_cpu.so torch/lib/libtorch.so torch/lib/libgomp.so.1)
if ((cuda)); then
    libs+=(torch/lib/libtorch_cuda.so torch/lib/libc10_cuda.so)
else
    # A binary linked against libtorch_cuda starts only where CUDA's libraries are.
    rm -f "$dest/lib/libtorch_cuda.so" "$dest/lib/libc10_cuda.so"
fi
extract "$torch_wheel" "$dest/lib" "${libs[@]}"
extract "$(ls "$wheels"/nvidia_cuda_runtime-*.whl)" "$dest/lib" nvidia/cu13/lib/libcudart.so.13
extract "$(ls "$wheels"/nvidia_cuda_cupti-*.whl)" "$dest/lib" nvidia/cu13/lib/libcupti.so.13
echo "$torch" > "$dest/build-version"

cat > scripts/libtorch.env <<ENV
export LIBTORCH=$dest
export LD_LIBRARY_PATH=$dest/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
ENV
echo "libtorch $torch laid out in $dest; now: source scripts/libtorch.env" >&2
