#!/usr/bin/env python3
"""`kindling sweep` against scikit-learn's cross-validation, in one sitting: every CPU
baseline on the default table features, 5 stratified folds over all 10,000 rows of the
20-column table of bench/growth.py. Prints each model's mean ± standard deviation of fold
accuracy on both sides, and the whole sweep's wall time beside scikit-learn's (the same
pipelines as bench/baselines.py, the folds one after another as `cross_val_score` runs them
by default). Installs scikit-learn through bench/growth.sh's venv when run by bench/sweep.sh.

    python3 bench/sweep.py [--kindling target/release/kindling] [--rows 10000]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baselines  # noqa: E402
from growth import table  # noqa: E402


def sklearn_folds(data, model, folds):
    """Fold accuracies of scikit-learn's pipeline for `model`, and the seconds they took."""
    y = data["y"]
    accuracies, seconds = [], 0.0
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y):
        is_test = np.zeros(len(y), dtype=bool)
        is_test[test] = True
        fold = dict(data, test=is_test)
        acc, secs = baselines.sklearn_run("table", "table", fold, model)
        accuracies.append(acc)
        seconds += secs
    return np.mean(accuracies), np.std(accuracies), seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kindling", default="target/release/kindling")
    ap.add_argument("--out", default="target/bench-sweep")
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    binary = os.path.abspath(args.kindling)
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    data = table(args.out, args.rows, np.random.default_rng(args.rows))
    proj = baselines.kindling_project(binary, args.out, "table", data)
    start = time.perf_counter()
    done = subprocess.run([binary, "sweep", proj, "--folds", str(args.folds), "--json"], check=True,
                          capture_output=True)
    sweep_s = time.perf_counter() - start
    ours = {e["model"]: e for e in json.loads(done.stdout)["entries"]}
    print("| model | kindling accuracy | scikit-learn accuracy | kindling fit s | kindling predict s/1k |")
    print("|---|---|---|---|---|")
    sklearn_total = 0.0
    for model in baselines.MODELS:
        mean, std, secs = sklearn_folds(data, model, args.folds)
        sklearn_total += secs
        e = ours.get(model)
        mine = f"{e['accuracy_mean']:.3f} ± {e['accuracy_std']:.3f}" if e else "(not run)"
        fit = f"{e['fit_seconds']:.2f}" if e else ""
        predict = f"{e['predict_seconds_per_1000']:.4f}" if e else ""
        print(f"| {model} | {mine} | {mean:.3f} ± {std:.3f} | {fit} | {predict} |", flush=True)
    print(f"\nkindling sweep, {len(ours)} runs × {args.folds} folds + final fits: {sweep_s:.1f} s; "
          f"scikit-learn's {args.folds}-fold cross-validation of the same models: {sklearn_total:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
