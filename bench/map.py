#!/usr/bin/env python3
"""`kindling map` beside scikit-learn's TSNE and umap-learn's UMAP on the same vectors, one sitting.

The vectors are Kindling's own (`kindling embed DIR -o FILE.csv`), made unit-length as the
map uses them; scikit-learn's TSNE and umap-learn's UMAP run with init="pca" and their defaults otherwise
(the settings Kindling's t-SNE and UMAP use); UMAP is run once on 200 random rows first, so
that Numba's compiling is not in its time. Kindling's time is the whole `kindling map` process on
a cold map cache (vectors already cached). Both maps are scored by the share of each
sample's 10 nearest neighbours in the vectors that stay among its 10 nearest on the map
(kept@10), and by the share of each labelled sample's 10 nearest on the map that carry its
label (agree@10: are the classes kept together).

    python3 bench/map.py DIR [DIR ...] [--method tsne|umap] [--peers tsne umap] [--kindling PATH]
"""

import argparse
import glob
import os
import subprocess
import sys
import time

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors

import vectors


QUERIES_ABOVE, QUERIES = 20_000, 5_000


def kept_neighbours(x, y, k=10):
    """Above QUERIES_ABOVE samples, scored on QUERIES of them drawn at random (each against
    all): 100,000 rows of TF-IDF each searched against all would take long."""
    queries = np.arange(x.shape[0])
    if x.shape[0] > QUERIES_ABOVE:
        queries = np.sort(np.random.default_rng(0).choice(x.shape[0], QUERIES, replace=False))
    high = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x[queries], return_distance=False)[:, 1:]
    low = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y[queries], return_distance=False)[:, 1:]
    return np.mean([len(set(a) & set(b)) / k for a, b in zip(high, low)])


def label_agreement(y, labels, k=10):
    """The share of each labelled point's `k` nearest on the map (labelled or not) with its label."""
    near = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y, return_distance=False)[:, 1:]
    labelled = labels != ""
    if not labelled.any():
        return float("nan")
    return float(np.mean(labels[near[labelled]] == labels[labelled][:, None]))


def peer_map(name, x):
    """The peer's 2-D map of `x`: scikit-learn's TSNE or umap-learn's UMAP, both from PCA.
    Sparse TF-IDF goes through a 100-component TruncatedSVD first, as Kindling's map does
    (TSNE's PCA start takes no sparse input); the SVD is in the peer's time."""
    if sparse.issparse(x):
        x = TruncatedSVD(n_components=100, random_state=0).fit_transform(x)
    if name == "tsne":
        return TSNE(n_components=2, init="pca", random_state=0).fit_transform(x)
    import umap  # umap-learn, installed by bench/map.sh
    return umap.UMAP(init="pca", random_state=0).fit_transform(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--kindling", default="target/release/kindling")
    ap.add_argument("--method", default="tsne", choices=["tsne", "umap"], help="Kindling's projection")
    ap.add_argument("--peers", nargs="*", default=None, choices=["tsne", "umap"],
                    help="peers timed beside it (default: the same method's)")
    args = ap.parse_args()
    peers = args.peers if args.peers is not None else [args.method]
    if "umap" in peers:
        peer_map("umap", np.random.default_rng(0).random((200, 8)))
    print("| project | samples | dims | map by | seconds | ÷ Kindling's | kept@10 | agree@10 |")
    print("|---|---|---|---|---|---|---|---|")
    for d in args.dirs:
        vec = os.path.join(d, "vectors.csv")
        subprocess.run([args.kindling, "embed", d, "-o", vec], check=True, capture_output=True)
        # A cold map: no map kept, and no reduced rows kept (the peers' time has their SVD).
        cache = os.path.join(d, ".kindling", "cache")
        for f in glob.glob(os.path.join(cache, "map-*")) + glob.glob(os.path.join(cache, "reduced.bin")):
            os.remove(f)
        start = time.perf_counter()
        out = subprocess.run([args.kindling, "map", d, "--method", args.method], check=True, capture_output=True,
                             text=True)
        k_seconds = time.perf_counter() - start
        rows = [l.split(",") for l in out.stdout.strip().splitlines()[1:]]
        ids = [r[0] for r in rows]
        k_map = np.array([[float(r[1]), float(r[2])] for r in rows])
        labels = np.array([r[3].strip() if len(r) > 3 else "" for r in rows])
        vec_ids, x = vectors.read(vec, np.float64)
        x = vectors.unit(x)
        order = {i: n for n, i in enumerate(vec_ids)}
        x_k = x[[order[i] for i in ids]]
        name = os.path.basename(os.path.normpath(d))
        print(f"| {name} | {x.shape[0]} | {x.shape[1]} | Kindling {args.method} | {k_seconds:.1f} | 1.00 "
              f"| {kept_neighbours(x_k, k_map):.3f} | {label_agreement(k_map, labels):.3f} |", flush=True)
        for peer in peers:
            start = time.perf_counter()
            p_map = peer_map(peer, x_k)
            p_seconds = time.perf_counter() - start
            label = "scikit-learn TSNE" if peer == "tsne" else "umap-learn UMAP"
            print(f"| {name} | {x.shape[0]} | {x.shape[1]} | {label} | {p_seconds:.1f} | {p_seconds / k_seconds:.2f} "
                  f"| {kept_neighbours(x_k, p_map):.3f} | {label_agreement(p_map, labels):.3f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
