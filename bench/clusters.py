#!/usr/bin/env python3
"""`kindling clusters` beside scikit-learn's KMeans on the same vectors, one sitting.

The vectors are Kindling's own (`kindling embed DIR -o FILE.csv`), made unit-length as the
clustering uses them; scikit-learn's `KMeans(n_clusters=K, random_state=0)` (k-means++,
`n_init="auto"`) clusters them. Kindling's time is the whole `kindling clusters DIR -k K --json`
process with the vectors cached (and no clusters kept from the run before); scikit-learn's is
`fit_predict` on the vectors in memory.
Both are scored by purity against the project's labels: the share of labelled samples whose
cluster's commonest class is their own (unlabelled samples are clustered but not scored).
K is the number of classes unless --k says otherwise.

    python3 bench/clusters.py DIR [DIR ...] [--k K] [--repeat 3] [--kindling PATH]
"""

import argparse
import csv
import io
import json
import glob
import os
import subprocess
import sys
import time
from collections import Counter

import numpy as np
from sklearn.cluster import KMeans

import vectors


def purity(make_ups):
    """The share of labelled samples whose cluster's commonest class is theirs, from each
    cluster's count of samples by label."""
    scored = [{label: n for label, n in m.items() if label is not None} for m in make_ups]
    return sum(max(m.values(), default=0) for m in scored) / sum(sum(m.values()) for m in scored)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--kindling", default="target/release/kindling")
    ap.add_argument("--k", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side; the median time is shown")
    args = ap.parse_args()
    print("| project | samples | dims | k | kindling s | scikit-learn s | ratio | kindling purity | scikit-learn purity |")
    print("|---|---|---|---|---|---|---|---|---|")
    for d in args.dirs:
        vec = os.path.join(d, "vectors.csv")
        subprocess.run([args.kindling, "embed", d, "-o", vec], check=True, capture_output=True)
        ids, x = vectors.read(vec, np.float64)
        x = vectors.unit(x)
        exported = subprocess.run([args.kindling, "labels", "export", d], check=True, capture_output=True, text=True)
        labels = {r["id"]: r["label"] for r in csv.DictReader(io.StringIO(exported.stdout))}
        truth = [labels.get(i) for i in ids]
        k = args.k or len(set(labels.values()))
        ours, our_purity = [], None
        for _ in range(args.repeat):
            # The clusters afresh each time: a fit (or reduced rows) kept from the run before
            # would cost nothing.
            cache = os.path.join(d, ".kindling", "cache")
            for kept in glob.glob(os.path.join(cache, "clusters-*.bin")) + glob.glob(os.path.join(cache, "reduced.bin")):
                os.remove(kept)
            start = time.perf_counter()
            out = subprocess.run([args.kindling, "clusters", d, "-k", str(k), "--json"], check=True,
                                 capture_output=True, text=True)
            ours.append(time.perf_counter() - start)
            clusters = json.loads(out.stdout)
            our_purity = purity([{None if l == "(unlabelled)" else l: n for l, n in c["labels"].items()}
                                 for c in clusters])
        theirs, their_purity = [], None
        for _ in range(args.repeat):
            start = time.perf_counter()
            assigned = KMeans(n_clusters=k, random_state=0).fit_predict(x)
            theirs.append(time.perf_counter() - start)
            make_ups = [Counter() for _ in range(k)]
            for c, t in zip(assigned, truth):
                make_ups[c][t] += 1
            their_purity = purity(make_ups)
        a, b = float(np.median(ours)), float(np.median(theirs))
        print(f"| {d} | {len(ids):,} | {x.shape[1]:,} | {k} | {a:.2f} | {b:.2f} | {a / b:.2f} | {our_purity:.3f} | "
              f"{their_purity:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
