#!/usr/bin/env python3
"""Growth with rows: every CPU baseline on a generated 20-column table (18 numbers with a few
gaps, 2 categories) at 20,000, 100,000 and 400,000 rows, Kindling against scikit-learn in
one sitting, on the same fixed train/test split (a fifth of each class tested).

Each side runs three times (`--repeat`) and the median time is shown. Kindling's time is the
whole `kindling train` process (reading the CSV, featurizing every
row, fitting, predicting every row, writing the run); scikit-learn's is its pipeline's fit
+ predict on data already in memory. The ratio is Kindling's over scikit-learn's (lower is
faster). LightGBM's `LGBMClassifier()` is timed beside gradient boosting on the features
scikit-learn gets. Installs numpy, scikit-learn and lightgbm into target/bench-tools/venv
when they are missing (bench/growth.sh does).

    python3 bench/growth.py [--kindling target/release/kindling] [--rows 20000 100000 400000]
"""

import argparse
import os
import shutil
import sys
import time

import numpy as np
from sklearn.datasets import make_classification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baselines import MODELS, kindling_project, kindling_run, sklearn_run, split_of, write_table  # noqa: E402


def table(out, rows, rng):
    X, y = make_classification(n_samples=rows, n_features=18, n_informative=10, n_redundant=4, n_classes=4,
                               n_clusters_per_class=2, flip_y=0.03, class_sep=1.0, random_state=7)
    region = np.where(rng.random(rows) < 0.5, np.array(["north", "south", "east", "west"])[y % 4],
                      rng.choice(["north", "south", "east", "west", "centre"], rows))
    size = np.array(list("SMLX"))[np.digitize(X[:, 0] + rng.normal(0, 1, rows), [-1, 0, 1])]
    X = X.astype(object)
    for j in range(1, 5):
        X[rng.random(rows) < 0.05, j] = None
    test = split_of(y, rng)
    return write_table(os.path.join(out, "table.csv"), X, {"region": region, "size": size}, y, test)


def median_of(repeat, run):
    """(accuracy, median seconds) of `repeat` calls of `run` (which gives accuracy, seconds)."""
    results = [run() for _ in range(max(1, repeat))]
    if results[0] is None:
        return None, None
    return results[0][0], float(np.median([seconds for _, seconds in results]))


def lightgbm_run(data):
    """LGBMClassifier() on the features scikit-learn's pipeline makes (fit + predict)."""
    try:
        from lightgbm import LGBMClassifier
    except ImportError:
        return None
    import baselines
    original = baselines.sklearn_model
    baselines.sklearn_model = lambda name, sparse: LGBMClassifier(verbose=-1, random_state=0)
    try:
        return sklearn_run("table", "table", data, "gradient_boosting")
    finally:
        baselines.sklearn_model = original


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kindling", default="target/release/kindling")
    ap.add_argument("--out", default="target/bench-growth")
    ap.add_argument("--rows", nargs="*", type=int, default=[20_000, 100_000, 400_000])
    ap.add_argument("--models", nargs="*", default=MODELS)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side; the median time is shown")
    args = ap.parse_args()
    binary = os.path.abspath(args.kindling)
    print("| rows | model | kindling s | scikit-learn s | ratio | kindling acc | scikit-learn acc |")
    print("|---|---|---|---|---|---|---|")
    for rows in args.rows:
        out = os.path.join(args.out, str(rows))
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        data = table(out, rows, np.random.default_rng(rows))
        proj = kindling_project(binary, out, "table", data)
        for model in args.models:
            ours, our_s = median_of(args.repeat, lambda: kindling_run(binary, proj, model))
            theirs, their_s = median_of(args.repeat, lambda: sklearn_run("table", "table", data, model))
            print(f"| {rows:,} | {model} | {our_s:.2f} | {their_s:.2f} | {our_s / their_s:.2f} | {ours:.3f} | {theirs:.3f} |",
                  flush=True)
            if model == "gradient_boosting" and (lgbm := median_of(args.repeat, lambda: lightgbm_run(data)))[0] is not None:
                acc, secs = lgbm
                print(f"| {rows:,} | (LightGBM) | | {secs:.2f} | {our_s / secs:.2f} | | {acc:.3f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
