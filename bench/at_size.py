#!/usr/bin/env python3
"""Kindling from nothing on a large project (100,000 passages, 300,000 TF-IDF columns; the
peers' benches take it too, through `embed -o`'s long CSV): the time of `embed`, `map` and
then `clusters` from an empty cache, each whole process (`clusters` reusing the reduced
rows the map kept, as a user's second command does), with the peak memory,
and how well the map and the clusters keep the project's classes (agree@10, purity, as
bench/map.py and bench/clusters.py score them), beside chance: the agreement of neighbours
drawn at random (the sum of the squared class shares) and the purity of one cluster (the
largest class's share).

    python3 bench/at_size.py DIR [DIR ...] [--kindling target/release/kindling]
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

import numpy as np

from clusters import purity
from map import label_agreement


def timed(args):
    start = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--kindling", default="target/release/kindling")
    a = ap.parse_args()
    print("| project | samples | embed s | map s | clusters s | peak MB | map agree@10 (chance) | clusters purity (chance) |")
    print("|---|---|---|---|---|---|---|---|")
    for d in a.dirs:
        shutil.rmtree(os.path.join(d, ".kindling", "cache"), ignore_errors=True)
        embed_s, _ = timed([a.kindling, "embed", d])
        map_s, csv = timed([a.kindling, "map", d])
        rows = [line.split(",") for line in csv.strip().splitlines()[1:]]
        xy = np.array([[float(r[1]), float(r[2])] for r in rows])
        labels = np.array([r[3].strip() if len(r) > 3 else "" for r in rows])
        clusters_s, out = timed([a.kindling, "clusters", d, "--json"])
        make_ups = [{None if l == "(unlabelled)" else l: n for l, n in c["labels"].items()} for c in json.loads(out)]
        shares = np.unique(labels[labels != ""], return_counts=True)[1] / np.sum(labels != "")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"| {os.path.basename(os.path.normpath(d))} | {len(rows):,} | {embed_s:.1f} | {map_s:.1f} | "
              f"{clusters_s:.1f} | {peak:.0f} | {label_agreement(xy, labels):.3f} ({np.sum(shares ** 2):.3f}) | "
              f"{purity(make_ups):.3f} ({shares.max():.3f}) |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
