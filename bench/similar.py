#!/usr/bin/env python3
"""`kindling similar` beside scikit-learn's NearestNeighbors (cosine, brute force) on the same
vectors, one sitting.

Kindling's time is the whole `kindling similar DIR ID -k 10` process (vectors cached by a
first `kindling embed`); scikit-learn's is one `kneighbors` call on an index fitted in
memory beforehand (its fit and the reading of the vectors are not counted). Both answer the
same queries; the table gives the median and the slowest, how many of Kindling's 10
neighbours scikit-learn also finds, and each side's precision@10: the share of neighbours
whose label in the project (the benchmark's projects are labelled in full) is the query's.
Then the same queries all at once — one `kindling similar DIR - -k 10` process with the ids on
standard input, one `kneighbors` call on their rows — as milliseconds a query.

    python3 bench/similar.py DIR [DIR ...] [--queries 30] [--kindling target/release/kindling]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from sklearn.neighbors import NearestNeighbors

import vectors


def true_classes(d, binary):
    """The label of every sample in the project (`kindling samples --json`)."""
    out = subprocess.run([binary, "samples", d, "--json", "--limit", "100000000"], check=True, capture_output=True,
                         text=True)
    return {r["id"]: r.get("label") for r in json.loads(out.stdout)["rows"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--kindling", default="target/release/kindling")
    ap.add_argument("--queries", type=int, default=30)
    args = ap.parse_args()
    print("| project | samples | dims | kindling ms (median / max) | scikit-learn ms (median / max) | same neighbours | "
          "kindling precision@10 | scikit-learn precision@10 | all at once, ms a query (kindling / scikit-learn) |")
    print("|---|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for d in args.dirs:
        vec = os.path.join(d, "vectors.csv")
        subprocess.run([args.kindling, "embed", d, "-o", vec], check=True, capture_output=True)
        ids, x = vectors.read(vec)
        classes = true_classes(d, args.kindling)
        nn = NearestNeighbors(n_neighbors=11, metric="cosine", algorithm="brute").fit(x)
        ours_t, theirs_t, same, ours_p, theirs_p = [], [], [], [], []
        queries = rng.choice(len(ids), size=min(args.queries, len(ids)), replace=False)
        for q in queries:
            start = time.perf_counter()
            out = subprocess.run([args.kindling, "similar", d, ids[q], "-k", "10", "--json"], check=True,
                                 capture_output=True, text=True)
            ours_t.append(time.perf_counter() - start)
            ours = [n["id"] for n in json.loads(out.stdout)]
            start = time.perf_counter()
            found = nn.kneighbors(x[q:q + 1], return_distance=False)[0]
            theirs_t.append(time.perf_counter() - start)
            theirs = [ids[i] for i in found if i != q][:10]
            same.append(len(set(ours) & set(theirs)) / 10)
            want = classes.get(ids[q])
            ours_p.append(np.mean([classes.get(i) == want for i in ours]))
            theirs_p.append(np.mean([classes.get(i) == want for i in theirs]))
        start = time.perf_counter()
        out = subprocess.run([args.kindling, "similar", d, "-", "-k", "10", "--json"], check=True, capture_output=True,
                             text=True, input="".join(ids[q] + "\n" for q in queries))
        ours_all = (time.perf_counter() - start) / len(queries)
        answered = json.loads(out.stdout) if len(queries) > 1 else [{"neighbours": json.loads(out.stdout)}]
        assert len(answered) == len(queries), f"{d}: {len(answered)} answers to {len(queries)} queries"
        start = time.perf_counter()
        nn.kneighbors(x[queries], return_distance=False)
        theirs_all = (time.perf_counter() - start) / len(queries)
        ms = lambda t: f"{np.median(t) * 1000:.1f} / {max(t) * 1000:.1f}"
        print(f"| {os.path.basename(os.path.normpath(d))} | {len(ids):,} | {x.shape[1]} | {ms(ours_t)} | {ms(theirs_t)} | "
              f"{np.mean(same):.3f} | {np.mean(ours_p):.3f} | {np.mean(theirs_p):.3f} | "
              f"{ours_all * 1000:.2f} / {theirs_all * 1000:.2f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
