#!/usr/bin/env python3
"""`kindling map --method tsne` beside scikit-learn's TSNE on the same vectors, one sitting.

The vectors are Kindling's own (`kindling embed DIR -o FILE.csv`), made unit-length as the
map uses them; scikit-learn's TSNE runs with init="pca" and its defaults otherwise (the
same settings Kindling's t-SNE uses). Kindling's time is the whole `kindling map` process on
a cold map cache (vectors already cached). Both maps are scored by the share of each
sample's 10 nearest neighbours in the vectors that stay among its 10 nearest on the map.

    python3 bench/map.py DIR [DIR ...] [--kindling target/release/kindling]
"""

import argparse
import glob
import os
import subprocess
import sys
import time

import numpy as np
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors


def kept_neighbours(x, y, k=10):
    high = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x, return_distance=False)[:, 1:]
    low = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y, return_distance=False)[:, 1:]
    return np.mean([len(set(a) & set(b)) / k for a, b in zip(high, low)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--kindling", default="target/release/kindling")
    args = ap.parse_args()
    print("| project | samples | dims | kindling s | scikit-learn s | ratio | kindling kept@10 | scikit-learn kept@10 |")
    print("|---|---|---|---|---|---|---|---|")
    for d in args.dirs:
        vec = os.path.join(d, "vectors.csv")
        subprocess.run([args.kindling, "embed", d, "-o", vec], check=True, capture_output=True)
        for f in glob.glob(os.path.join(d, ".kindling", "cache", "map-*")):
            os.remove(f)
        start = time.perf_counter()
        out = subprocess.run([args.kindling, "map", d, "--method", "tsne"], check=True, capture_output=True, text=True)
        k_seconds = time.perf_counter() - start
        rows = [l.split(",") for l in out.stdout.strip().splitlines()[1:]]
        ids = [r[0] for r in rows]
        k_map = np.array([[float(r[1]), float(r[2])] for r in rows])
        data = np.genfromtxt(vec, delimiter=",", skip_header=1, dtype=float)
        with open(vec) as f:
            next(f)
            vec_ids = [line.split(",", 1)[0] for line in f]
        x = data[:, 1:]
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        order = {i: n for n, i in enumerate(vec_ids)}
        x_k = x[[order[i] for i in ids]]
        start = time.perf_counter()
        s_map = TSNE(n_components=2, init="pca", random_state=0).fit_transform(x)
        s_seconds = time.perf_counter() - start
        print(f"| {os.path.basename(os.path.normpath(d))} | {len(x)} | {x.shape[1]} | {k_seconds:.1f} | {s_seconds:.1f} "
              f"| {k_seconds / s_seconds:.2f} | {kept_neighbours(x_k, k_map):.3f} | {kept_neighbours(x, s_map):.3f} |",
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
