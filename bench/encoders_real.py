#!/usr/bin/env python3
"""Kindling's pre-trained encoders beside their reference implementations (bench/encoders.sh).

    python bench/encoders_real.py BIN_DIR WEIGHTS REAL WORK [--texts N] [--images N] [--at-size]
"""
import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import time

import numpy as np

THREADS = os.cpu_count() or 2


def run(cmd, env=None):
    """Wall seconds and peak memory (MB) of a command, by GNU time when present."""
    timed = ["/usr/bin/time", "-f", "%M"] + cmd if os.path.exists("/usr/bin/time") else cmd
    start = time.perf_counter()
    p = subprocess.run(timed, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    peak = float(p.stderr.strip().splitlines()[-1]) / 1024 if timed is not cmd else float("nan")
    return seconds, peak


def read_vectors(path):
    out = {}
    with open(path) as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            out[row[0]] = np.array([float(v) for v in row[1:]], dtype=np.float64)
    return out


def cosines(ours, ref):
    a = ours / np.linalg.norm(ours, axis=1, keepdims=True)
    b = ref / np.linalg.norm(ref, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def texts_of(real, n):
    rows = list(csv.DictReader(open(os.path.join(real, "passages.csv"))))
    return [r["text"] for r in rows[:n]]


def write_texts(path, texts):
    """A one-column table of `texts` at `path` (returned), as a text project reads it."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text"])
        w.writerows([t] for t in texts)
    return path


def kindling_embed(bin_dir, project, source, kind, spec, out_csv, cache):
    kindling = os.path.join(bin_dir, "kindling")
    if not os.path.exists(os.path.join(project, "kindling.toml")):
        args = [kindling, "init", project, "--source", source, "--kind", kind, "--classes", "a,b"]
        subprocess.run(args, check=True, capture_output=True)
    env = dict(os.environ, KINDLING_CACHE_DIR=cache)
    return run([kindling, "embed", project, "--encoder", spec, "-o", out_csv], env)


def cold_and_warm(args, work, name, source, kind, snapshot):
    """`kindling embed` from an empty vector cache, then again in a new project from the
    cache: (seconds, peak MB) of each, and the CSV written."""
    cache = os.path.join(work, f"cache-{name}")
    shutil.rmtree(cache, ignore_errors=True)
    project = os.path.join(work, f"{name}-project")
    shutil.rmtree(project, ignore_errors=True)
    out = os.path.join(work, f"{name}-kindling.csv")
    cold = kindling_embed(args.bin, project, source, kind, snapshot, out, cache)
    shutil.rmtree(project, ignore_errors=True)
    warm = kindling_embed(args.bin, project, source, kind, snapshot, out, cache)
    return cold, warm, out


def texts_bench(args, weights, work):
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(THREADS)
    snapshot = os.path.abspath(os.path.join(weights, "all-MiniLM-L6-v2"))
    texts = texts_of(args.real, args.texts)
    table = write_texts(os.path.join(work, "texts.csv"), texts)
    (k_seconds, k_peak), (k_cached, _), out = cold_and_warm(args, work, "texts", table, "text", snapshot)
    ours = read_vectors(out)
    ours = np.stack([ours[str(i)] for i in range(len(texts))])

    model = SentenceTransformer(snapshot, device="cpu")
    start = time.perf_counter()
    ref = model.encode(texts, batch_size=64, convert_to_numpy=True)
    t_seconds = time.perf_counter() - start
    cos = cosines(ours, ref)
    print(f"texts: {len(texts)} passages of the manual pages, all-MiniLM-L6-v2 (max_seq_length {model.max_seq_length})")
    print(f"  cosine to sentence-transformers: min {cos.min():.7f}, mean {cos.mean():.7f}; "
          f"{(cos >= 0.9999).sum()}/{len(cos)} at ≥ 0.9999")
    try:
        onnx_seconds = onnx_texts(model, texts, work)
    except Exception as e:  # the peer's exporter changes often: say so, keep the rest
        print(f"  ONNX Runtime: not measured ({type(e).__name__}: {e})")
        onnx_seconds = None
    rate = lambda s: len(texts) / s
    print(f"  kindling embed (from nothing):   {k_seconds:7.2f} s  {rate(k_seconds):7.1f} texts/s  peak {k_peak:.0f} MB")
    print(f"  kindling embed (from the cache): {k_cached:7.2f} s")
    print(f"  PyTorch {torch.__version__} (sentence-transformers, batch 64, {THREADS} threads): "
          f"{t_seconds:7.2f} s  {rate(t_seconds):7.1f} texts/s  → kindling {t_seconds / k_seconds:.2f}×")
    if onnx_seconds:
        print(f"  ONNX Runtime (same graph, batch 64): {onnx_seconds:7.2f} s  {rate(onnx_seconds):7.1f} texts/s  "
              f"→ kindling {onnx_seconds / k_seconds:.2f}×")
    print(f"  python peak memory (both peers): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def onnx_texts(model, texts, work):
    """The Transformer module exported to ONNX, mean-pooled and normalized as the snapshot says."""
    try:
        import onnxruntime as ort
        import torch
    except ImportError:
        return None
    class Tokens(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    tok = model.tokenizer
    path = os.path.join(work, "minilm.onnx")
    if not os.path.exists(path):
        sample = tok(["a b"], return_tensors="pt")
        torch.onnx.export(Tokens(model[0].auto_model).eval(), (sample["input_ids"], sample["attention_mask"]), path,
                          input_names=["input_ids", "attention_mask"], output_names=["tokens"],
                          dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}},
                          opset_version=17, dynamo=False)
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    # Sorted by length as sentence-transformers does, so batches carry little padding.
    texts = sorted(texts, key=len)
    start = time.perf_counter()
    for i in range(0, len(texts), 64):
        enc = tok(texts[i:i + 64], padding=True, truncation=True, max_length=model.max_seq_length, return_tensors="np")
        tokens = session.run(None, {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]})[0]
        mask = enc["attention_mask"][..., None]
        pooled = (tokens * mask).sum(1) / mask.sum(1)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    return time.perf_counter() - start


def image_files(real, photos_dir, n):
    """The first n digit scans (real, 8×8) in a flat folder of links."""
    files = []
    for root, _, names in sorted(os.walk(os.path.join(real, "digits"))):
        files += [os.path.join(root, f) for f in sorted(names) if f.endswith(".png")]
    return files[:n]


def skimage_photos(out):
    import skimage.data as d
    from PIL import Image

    os.makedirs(out, exist_ok=True)
    names = ["astronaut", "chelsea", "coffee", "rocket", "cat", "camera", "coins", "moon", "page", "horse",
             "hubble_deep_field", "immunohistochemistry", "retina", "logo", "colorwheel", "brick", "grass", "gravel"]
    paths = []
    for name in names:
        try:
            a = getattr(d, name)()
        except Exception:
            continue
        a = np.asarray(a)
        if a.dtype == bool:
            a = (a * 255).astype(np.uint8)
        if a.dtype != np.uint8:
            a = (255 * (a - a.min()) / (a.max() - a.min() + 1e-9)).astype(np.uint8)
        if a.ndim == 3 and a.shape[2] == 4:
            a = a[:, :, :3]
        path = os.path.join(out, f"{name}.png")
        Image.fromarray(a).save(path)
        paths.append(path)
    return paths


def images_bench(args, weights, work):
    import timm
    import torch
    import safetensors.torch as st
    from PIL import Image

    torch.set_num_threads(THREADS)
    snapshot = os.path.abspath(os.path.join(weights, "tf_efficientnet_lite0"))
    folder = os.path.join(work, "images")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    photos = skimage_photos(os.path.join(work, "photos"))
    files = image_files(args.real, folder, args.images - len(photos)) + photos
    for i, f in enumerate(files):
        os.symlink(os.path.abspath(f), os.path.join(folder, f"{i:05}_{os.path.basename(f)}"))
    names = sorted(os.listdir(folder))
    (k_seconds, k_peak), (k_cached, _), out = cold_and_warm(args, work, "images", folder, "images", snapshot)
    ours = read_vectors(out)

    model = timm.create_model("tf_efficientnet_lite0", pretrained=False)
    model.load_state_dict(st.load_file(os.path.join(snapshot, "model.safetensors")))
    model.eval()
    cfg = timm.data.resolve_data_config({}, model=model)
    cfg.update(dict(mean=(0.5,) * 3, std=(0.5,) * 3, interpolation="bicubic", crop_pct=0.875))
    transform = timm.data.create_transform(**cfg)
    start = time.perf_counter()
    ref = []
    with torch.no_grad():
        for i in range(0, len(names), 32):
            batch = torch.stack([transform(Image.open(os.path.join(folder, n)).convert("RGB")) for n in names[i:i + 32]])
            ref.append(model.forward_head(model.forward_features(batch), pre_logits=True).numpy())
    t_seconds = time.perf_counter() - start
    ref = np.concatenate(ref)
    mine = np.stack([ours[n] for n in names])
    cos = cosines(mine, ref)
    print(f"images: {len(names)} ({len(names) - len(photos)} digit scans, {len(photos)} scikit-image photos), "
          f"tf_efficientnet_lite0")
    print(f"  cosine to timm: min {cos.min():.7f}, mean {cos.mean():.7f}; {(cos >= 0.9999).sum()}/{len(cos)} at ≥ 0.9999")
    # ImageNet top-5 of the photos, ours by examples/encoder_top5.
    top = subprocess.run([os.path.join(args.bin, "examples", "encoder_top5"), snapshot] + photos,
                         capture_output=True, text=True, check=True).stdout.split("\n")
    same = 0
    with torch.no_grad():
        for line, path in zip(top, photos):
            mine5 = [int(v) for v in line.split()[1:]]
            logits = model(transform(Image.open(path).convert("RGB")).unsqueeze(0))[0]
            ref5 = logits.topk(5).indices.tolist()
            same += mine5 == ref5
            if mine5 != ref5:
                print(f"  top-5 differs on {os.path.basename(path)}: {mine5} vs {ref5}")
    print(f"  ImageNet top-5 equal to timm's on {same}/{len(photos)} scikit-image photos")
    rate = lambda s: len(names) / s
    print(f"  kindling embed (from nothing): {k_seconds:7.2f} s  {rate(k_seconds):7.1f} images/s  peak {k_peak:.0f} MB")
    print(f"  kindling embed (from the cache): {k_cached:7.2f} s")
    print(f"  PyTorch {torch.__version__} + timm (PIL transform, batch 32, {THREADS} threads): {t_seconds:7.2f} s  "
          f"{rate(t_seconds):7.1f} images/s  → kindling {t_seconds / k_seconds:.2f}×")
    try:
        onnx_seconds, onnx_cos = onnx_images(model, transform, folder, names, mine, work)
        print(f"  ONNX Runtime (same graph, PIL transform, batch 32, {THREADS} threads): {onnx_seconds:7.2f} s  "
              f"{rate(onnx_seconds):7.1f} images/s  → kindling {onnx_seconds / k_seconds:.2f}×  "
              f"(cosine to kindling: min {onnx_cos:.7f})")
    except Exception as e:  # the peer's exporter changes often: say so, keep the rest
        print(f"  ONNX Runtime: not measured ({type(e).__name__}: {e})")


def onnx_images(model, transform, folder, names, mine, work):
    """timm's model (pooled features) exported to ONNX and run by ONNX Runtime on the same
    images with the same transform; its time and the lowest cosine to Kindling's vectors."""
    import onnxruntime as ort
    import torch
    from PIL import Image

    class Pooled(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            return self.net.forward_head(self.net.forward_features(x), pre_logits=True)

    path = os.path.join(work, "lite0.onnx")
    if not os.path.exists(path):
        torch.onnx.export(Pooled(model).eval(), torch.zeros(1, 3, 224, 224), path, input_names=["pixels"],
                          output_names=["features"], dynamic_axes={"pixels": {0: "b"}}, opset_version=17,
                          dynamo=False)
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    start = time.perf_counter()
    out = []
    for i in range(0, len(names), 32):
        batch = torch.stack([transform(Image.open(os.path.join(folder, n)).convert("RGB")) for n in names[i:i + 32]])
        out.append(session.run(None, {"pixels": batch.numpy()})[0])
    seconds = time.perf_counter() - start
    return seconds, cosines(mine, np.concatenate(out)).min()


def at_size(args, weights, work):
    """20,000 tiles cut from scikit-image's photos (real pixels, 64 to 512 px a side, at
    seeded random places), embedded from nothing and again from the cache."""
    import random
    from PIL import Image

    photos = skimage_photos(os.path.join(work, "photos"))
    folder = os.path.join(work, "tiles")
    if not os.path.isdir(folder) or len(os.listdir(folder)) < args.tiles:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        rng = random.Random(0)
        opened = [Image.open(p).convert("RGB") for p in photos]
        for i in range(args.tiles):
            img = rng.choice(opened)
            side = rng.randint(64, min(512, *img.size))
            x, y = rng.randint(0, img.size[0] - side), rng.randint(0, img.size[1] - side)
            img.crop((x, y, x + side, y + side)).save(os.path.join(folder, f"{i:05}.jpg"), quality=90)
    snapshot = os.path.abspath(os.path.join(weights, "tf_efficientnet_lite0"))
    (cold, cold_peak), (warm, warm_peak), _ = cold_and_warm(args, work, "tiles", folder, "images", snapshot)
    n = len(os.listdir(folder))
    print(f"at size: {n} JPEG tiles of scikit-image's photos (64–512 px), tf_efficientnet_lite0")
    print(f"  from nothing: {cold:.1f} s ({n / cold:.1f} images/s), peak {cold_peak:.0f} MB")
    print(f"  from the cache, a new project: {warm:.1f} s, peak {warm_peak:.0f} MB")


def at_size_texts(args, weights, work):
    """`--at-size-texts N` passages of the manual pages, all-MiniLM-L6-v2, from nothing and
    again from the cache in a new project."""
    texts = texts_of(args.real, args.at_size_texts)
    table = write_texts(os.path.join(work, "texts-at-size.csv"), texts)
    snapshot = os.path.abspath(os.path.join(weights, "all-MiniLM-L6-v2"))
    (cold, cold_peak), (warm, warm_peak), _ = cold_and_warm(args, work, "texts-at-size", table, "text", snapshot)
    print(f"at size: {len(texts)} passages of the manual pages (60 words), all-MiniLM-L6-v2")
    print(f"  from nothing: {cold:.1f} s ({len(texts) / cold:.1f} texts/s), peak {cold_peak:.0f} MB")
    print(f"  from the cache, a new project: {warm:.1f} s, peak {warm_peak:.0f} MB")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("weights")
    p.add_argument("real")
    p.add_argument("work")
    p.add_argument("--texts", type=int, default=1000)
    p.add_argument("--images", type=int, default=1000)
    p.add_argument("--at-size", action="store_true")
    p.add_argument("--only", choices=["texts", "images", "at-size", "at-size-texts"])
    p.add_argument("--tiles", type=int, default=20000)
    p.add_argument("--at-size-texts", type=int, default=0, help="also embed this many passages at size")
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    work = os.path.abspath(args.work)
    print(f"machine: {THREADS} cores; {time.strftime('%Y-%m-%d')}")
    if args.only is None or args.only == "texts":
        texts_bench(args, args.weights, work)
    if args.only is None or args.only == "images":
        images_bench(args, args.weights, work)
    if args.at_size or args.only == "at-size":
        at_size(args, args.weights, work)
    if args.at_size_texts or args.only == "at-size-texts":
        at_size_texts(args, args.weights, work)


if __name__ == "__main__":
    main()
