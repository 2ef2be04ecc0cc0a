#!/usr/bin/env python3
"""The live model's queue orders on real data (bench/active.sh runs this), walked the way a
careful practitioner labels: the held-out split labelled first (or, WITHOUT a split in the
project, kept aside by this script), 30 random labels to start, then ROUNDS rounds of the
next 30 from `kindling queue --order O`, a `kindling train --model logistic` after every
round, scored on the held-out samples with `kindling predict`. Random order (30 more random
training samples a round) and scikit-learn's margin sampling (LogisticRegression on the
same kind of features, refitted every round on the training labels only) walk the same
rounds from the same start, in the same sitting.

Sets (bench/real_sets.py, none made by Kindling): the manual pages by section (texts),
scikit-learn's digits (images), scikit-learn's breast-cancer table.

    python3 bench/active_real.py KINDLING REAL_SETS_DIR WORKDIR [--seeds 5] [--orders …]
        [--sets man,digits,cancer] [--split both|with|without]

Prints one Markdown table per set and split: mean accuracy (over the seeds) at each round
for every order, the peer, and the labels each needs to reach random order's last accuracy.
"""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

START = 30
BATCH = 30


def run(kindling, *args):
    out = subprocess.run([kindling, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"kindling {' '.join(args)} failed: {out.stderr.strip()}")
    return out.stdout


def load_set(name, real):
    """(source path, kind, ids, truth by id, sample text / features by id for the peer)."""
    if name == "man":
        root = os.path.join(real, "man")
        ids, truth, raw = [], {}, {}
        for section in sorted(os.listdir(root)):
            for f in sorted(os.listdir(os.path.join(root, section))):
                i = f"{section}/{f}"
                ids.append(i)
                truth[i] = section
                with open(os.path.join(root, i), errors="replace") as fh:
                    raw[i] = fh.read()
        return root, "text", ids, truth, raw
    if name == "passages":
        # Short texts: 400 passages of 60 words from each of the six sections (the first of
        # each in the file of bench/real_sets.py, where commands are 80%), as a table.
        with open(os.path.join(real, "passages.csv")) as fh:
            every = list(csv.DictReader(fh))
        taken = {}
        rows = [r for r in every if taken.setdefault(r["label"], []).__len__() < 400 and not taken[r["label"]].append(r)]
        path = os.path.join(real, "passages-6x400.csv")
        if not os.path.exists(path):
            with open(path, "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["id", "text"])
                w.writerows([f"p{i}", r["text"]] for i, r in enumerate(rows))
        ids = [f"p{i}" for i in range(len(rows))]
        return path, "text", ids, {f"p{i}": r["label"] for i, r in enumerate(rows)}, {
            f"p{i}": r["text"] for i, r in enumerate(rows)}
    if name == "digits":
        root = os.path.join(real, "digits")
        ids, truth = [], {}
        # The files bench/real_sets.py wrote, one folder per digit.
        for digit in sorted(os.listdir(root)):
            for f in sorted(os.listdir(os.path.join(root, digit))):
                i = f"{digit}/{f}"
                ids.append(i)
                truth[i] = digit
        pixels = read_pngs(root, ids)
        return root, "images", ids, truth, pixels
    if name == "cancer":
        with open(os.path.join(real, "cancer.csv")) as fh:
            rows = list(csv.DictReader(fh))
        ids = [str(i) for i in range(len(rows))]
        truth = {str(i): r["label"] for i, r in enumerate(rows)}
        raw = {str(i): [float(v) for k, v in r.items() if k != "label"] for i, r in enumerate(rows)}
        # The project reads a copy without the label column: the labels come from the walk.
        path = os.path.join(real, "cancer-unlabelled.csv")
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh)
            columns = [k for k in rows[0] if k != "label"]
            w.writerow(columns)
            w.writerows([r[k] for k in columns] for r in rows)
        return path, "table", ids, truth, raw
    sys.exit(f"unknown set {name}")


def read_pngs(root, ids):
    import zlib

    out = {}
    for i in ids:
        data = open(os.path.join(root, i), "rb").read()
        idat = b""
        at = 8
        while at < len(data):
            length = int.from_bytes(data[at:at + 4], "big")
            kind = data[at + 4:at + 8]
            if kind == b"IDAT":
                idat += data[at + 8:at + 8 + length]
            at += 12 + length
        rows = zlib.decompress(idat)
        out[i] = [b for k, b in enumerate(rows) if k % 9 != 0]  # 8×8 grey, a filter byte a row
    return out


def peer_features(kind, ids, raw, train_ids):
    if kind == "text":
        v = TfidfVectorizer(min_df=2, ngram_range=(1, 2), sublinear_tf=True)
        v.fit([raw[i] for i in train_ids])
        return v.transform([raw[i] for i in ids])
    x = np.array([raw[i] for i in ids], dtype=float)
    return StandardScaler().fit(np.array([raw[i] for i in train_ids], dtype=float)).transform(x)


def make_project(kindling, work, name, source, kind, classes, split_rows, encoder=None):
    project = os.path.join(work, name)
    shutil.rmtree(project, ignore_errors=True)
    args = ["init", project, "--source", source, "--kind", kind, "--classes", ",".join(classes)]
    if source.endswith(".csv") and kind == "text":
        args += ["--id-column", "id", "--text-column", "text"]
    if encoder:
        args += ["--encoder", encoder]
    if split_rows is not None:
        split = os.path.join(work, f"{name}.split.csv")
        with open(split, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "split"])
            w.writerows(split_rows)
        args += ["--split-file", split]
    run(kindling, *args)
    return project


def import_labels(kindling, project, pairs, work):
    path = os.path.join(work, "batch.csv")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "label"])
        w.writerows(pairs)
    run(kindling, "labels", "import", project, path)


def score(kindling, project, source, test, truth, work):
    run(kindling, "train", project, "--model", "logistic")
    out = os.path.join(work, "predictions.csv")
    run(kindling, "predict", project, source, "-o", out)
    with open(out) as fh:
        predicted = {r["id"]: r["predicted"] for r in csv.DictReader(fh)}
    return sum(predicted.get(i) == truth[i] for i in test) / len(test)


def walk_kindling(kindling, args, set_name, source, kind, ids, truth, train, test, with_split, order, seed, rounds):
    work = os.path.join(args.work, f"{set_name}-{'split' if with_split else 'nosplit'}-{order}-{seed}")
    os.makedirs(work, exist_ok=True)
    classes = sorted(set(truth.values()))
    rows = [(i, "test") for i in test] + [(i, "train") for i in train] if with_split else None
    project = make_project(kindling, work, "p", source, kind, classes, rows, args.encoder.get(kind))
    # The project's own seed (its random order, `auto`'s random picks and clusters) follows
    # the walk's: with one seed for every walk, one draw would stand for all of them.
    with open(os.path.join(project, "kindling.toml"), "a") as fh:
        fh.write(f"\n[label]\nseed = {seed}\n")
    rng = random.Random(seed)
    pool = list(train)
    rng.shuffle(pool)
    labelled = set(pool[:START])
    first = [(i, truth[i]) for i in pool[:START]]
    if with_split:
        first += [(i, truth[i]) for i in test]
    import_labels(kindling, project, first, work)
    curve = [score(kindling, project, source, test, truth, work)]
    for _ in range(rounds):
        if order == "random":
            picks = [i for i in pool if i not in labelled][:BATCH]
        else:
            # Without a split in the project the queue also offers the samples this script
            # keeps aside for scoring: ask for enough to find 30 of the training ones.
            out = run(kindling, "queue", project, "--order", order, "--limit", str(BATCH + len(test)), "--json")
            train_set = set(train)
            picks = [i for i in (s["id"] for s in json.loads(out)) if i in train_set][:BATCH]
        labelled.update(picks)
        import_labels(kindling, project, [(i, truth[i]) for i in picks], work)
        curve.append(score(kindling, project, source, test, truth, work))
    return curve


def walk_peer(kind, ids, raw, truth, train, test, seed, rounds):
    """scikit-learn's margin sampling: LogisticRegression refitted on the training labels."""
    x = peer_features(kind, ids, raw, train)
    row = {i: k for k, i in enumerate(ids)}
    y = {i: truth[i] for i in ids}
    rng = random.Random(seed)
    pool = list(train)
    rng.shuffle(pool)
    labelled = list(pool[:START])
    xt = x[[row[i] for i in test]]
    yt = [y[i] for i in test]
    curve = []
    for r in range(rounds + 1):
        model = LogisticRegression(max_iter=2000).fit(x[[row[i] for i in labelled]], [y[i] for i in labelled])
        curve.append(float(np.mean(model.predict(xt) == np.array(yt))))
        if r == rounds:
            break
        rest = [i for i in train if i not in set(labelled)]
        p = model.predict_proba(x[[row[i] for i in rest]])
        top = np.sort(p, axis=1)
        margin = top[:, -1] - top[:, -2]
        labelled += [rest[k] for k in np.argsort(margin, kind="stable")[:BATCH]]
    return curve


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kindling")
    ap.add_argument("real")
    ap.add_argument("work")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--first-seed", type=int, default=0, help="seeds are first-seed … first-seed + seeds - 1")
    ap.add_argument("--orders", default="random,margin,entropy,least_confident,diverse")
    ap.add_argument("--sets", default="man,digits,cancer")
    ap.add_argument("--split", default="both")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--text-encoder", help="a known encoder or snapshot folder: the text projects' features")
    ap.add_argument("--image-encoder", help="the same for the image projects")
    args = ap.parse_args()
    args.encoder = {"text": args.text_encoder, "images": args.image_encoder}
    args.kindling = os.path.abspath(args.kindling)
    orders = args.orders.split(",")
    splits = {"both": [True, False], "with": [True], "without": [False]}[args.split]
    for set_name in args.sets.split(","):
        source, kind, ids, truth, raw = load_set(set_name, args.real)
        rounds = args.rounds if len(ids) > 1000 else min(args.rounds, 6)
        for with_split in splits:
            curves = {o: [] for o in orders + ["sklearn margin"]}
            makeup = []
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                rng = random.Random(1000 + seed)
                shuffled = list(ids)
                rng.shuffle(shuffled)
                n_test = len(ids) // 4
                test, train = shuffled[:n_test], shuffled[n_test:]
                for order in orders:
                    curves[order].append(
                        walk_kindling(args.kindling, args, set_name, source, kind, ids, truth, train, test,
                                      with_split, order, seed, rounds))
                    print(f"{set_name} {'split' if with_split else 'no split'} seed {seed} {order}: "
                          f"{' '.join(f'{a:.3f}' for a in curves[order][-1])}", file=sys.stderr, flush=True)
                curves["sklearn margin"].append(walk_peer(kind, ids, raw, truth, train, test, seed, rounds))
            labels = [START + BATCH * r for r in range(rounds + 1)]
            features = f", encoder {os.path.basename(args.encoder[kind])}" if args.encoder.get(kind) else ""
            print(f"\n### {set_name}, {'held-out split labelled first' if with_split else 'no split in the project'}"
                  f" ({args.seeds} seeds{features})\n")
            print("| order | " + " | ".join(str(n) for n in labels) + " |")
            print("|---|" + "---|" * len(labels))
            mean = {o: np.mean(np.array(c), axis=0) for o, c in curves.items()}
            for o, m in mean.items():
                # The peer always walks on TF-IDF / scaled pixels / scaled columns.
                name = f"{o} (built-in features)" if o == "sklearn margin" and features else o
                print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in m) + " |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
