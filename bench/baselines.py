#!/usr/bin/env python3
"""Kindling's CPU baselines against scikit-learn's default pipelines, on generated data.

Each dataset is written with a fixed train/test split (a split column or split file), so
both sides fit on the same samples and score on the same ones. For every model it prints
test accuracy and time: the whole `kindling train` process (reading, featurizing every
sample, fitting, predicting, writing the run) against scikit-learn's pipeline fit + predict
(data already in memory). Needs numpy and scikit-learn (`pip install scikit-learn`).

    python3 bench/baselines.py [--kindling target/release/kindling] [--out target/bench-baselines]
"""

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import wave

import numpy as np
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

MODELS = ["majority", "logistic", "linear_svm", "knn", "naive_bayes", "decision_tree", "random_forest",
          "gradient_boosting"]


def sklearn_model(name, sparse):
    return {
        "majority": lambda: DummyClassifier(strategy="prior"),
        "logistic": lambda: LogisticRegression(),
        "linear_svm": lambda: LinearSVC(),
        "knn": lambda: KNeighborsClassifier(),
        "naive_bayes": lambda: MultinomialNB() if sparse else GaussianNB(),
        "decision_tree": lambda: DecisionTreeClassifier(random_state=0),
        "random_forest": lambda: RandomForestClassifier(random_state=0),
        "gradient_boosting": lambda: HistGradientBoostingClassifier(random_state=0),
    }[name]()


def split_of(y, rng, share=0.2):
    """A stratified train/test split: `share` of each class is test."""
    test = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        test[idx[: int(round(len(idx) * share))]] = True
    return test


def table_data(out, rng):
    X, y = make_classification(n_samples=6000, n_features=16, n_informative=8, n_redundant=3, n_classes=4,
                               n_clusters_per_class=2, flip_y=0.03, class_sep=1.0, random_state=1)
    grade = np.array(list("ABCDE"))[np.digitize(X[:, 0], np.quantile(X[:, 0], [0.2, 0.4, 0.6, 0.8]))]
    region = np.where(rng.random(len(y)) < 0.5, np.array(["north", "south", "east", "west"])[y % 4],
                      rng.choice(["north", "south", "east", "west", "centre"], len(y)))
    X = X.astype(object)
    for j in range(1, 6):
        X[rng.random(len(y)) < 0.05, j] = None
    grade = grade.astype(object)
    grade[rng.random(len(y)) < 0.05] = None
    test = split_of(y, rng)
    return write_table(os.path.join(out, "table.csv"), X, {"grade": grade, "region": region}, y, test)


def write_table(path, X, categories, y, test):
    """Writes numbers `X` (None a gap), the named category columns (None a gap), the label
    and the split as a CSV; returns the dataset as both sides read it."""
    names = list(categories)
    with open(path, "w") as f:
        f.write(",".join([f"f{j}" for j in range(X.shape[1])] + names + ["label", "split"]) + "\n")
        for i in range(len(y)):
            cells = ["" if v is None else f"{v:.6g}" for v in X[i]]
            cells += ["" if categories[c][i] is None else categories[c][i] for c in names]
            cells += [f"c{y[i]}", "test" if test[i] else "train"]
            f.write(",".join(cells) + "\n")
    numeric = [f"f{j}" for j in range(X.shape[1])]
    frame = {c: X[:, j].astype(float) for j, c in enumerate(numeric)}
    frame.update(categories)
    return {"init": ["--source", path, "--label-column", "label", "--split-column", "split"],
            "frame": frame, "numeric": numeric, "categorical": names,
            "y": np.array([f"c{v}" for v in y]), "test": test}


def text_data(out, rng):
    vocab = [f"w{i}" for i in range(3000)]
    background = 1.0 / np.arange(1, len(vocab) + 1)
    background /= background.sum()
    k = 5
    topics = [rng.dirichlet(np.full(len(vocab), 0.05)) for _ in range(k)]
    docs, y = [], []
    for i in range(4000):
        c = i % k
        mix = 0.25 * topics[c] + 0.75 * background
        words = rng.choice(vocab, size=rng.integers(15, 60), p=mix)
        docs.append(" ".join(words))
        y.append(f"topic{c}")
    y = np.array(y)
    test = split_of(y, rng)
    path = os.path.join(out, "texts.csv")
    with open(path, "w") as f:
        f.write("text,label,split\n")
        for d, l, t in zip(docs, y, test):
            f.write(f"{d},{l},{'test' if t else 'train'}\n")
    return {"init": ["--source", path, "--text-column", "text", "--label-column", "label", "--split-column", "split"],
            "docs": np.array(docs, dtype=object), "y": y, "test": test}


def write_bmp(path, grey):
    h, w = grey.shape
    row = (w * 3 + 3) // 4 * 4
    with open(path, "wb") as f:
        f.write(b"BM" + struct.pack("<IHHI", 54 + row * h, 0, 0, 54))
        f.write(struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, row * h, 2835, 2835, 0, 0))
        for r in range(h - 1, -1, -1):
            line = bytes(v for p in grey[r] for v in (p, p, p))
            f.write(line + b"\0" * (row - w * 3))


def folder_project(out, kind, folder, names, y, test):
    """The labels and split files of a folder source; what `kindling init` and the labels
    import need of them."""
    labels = os.path.join(out, f"{kind}_labels.csv")
    with open(labels, "w") as f:
        f.write("id,label\n" + "".join(f"{n},{l}\n" for n, l in zip(names, y)))
    split = os.path.join(out, f"{kind}_split.csv")
    with open(split, "w") as f:
        f.write("id,split\n" + "".join(f"{n},{'test' if t else 'train'}\n" for n, t in zip(names, test)))
    return {"init": ["--source", folder, "--split-file", split, "--classes", ",".join(sorted(set(y)))],
            "labels": labels}


def image_data(out, rng):
    """16 × 16 grey images of four noisy shapes at random places."""
    side, n, k = 16, 1600, 4
    folder = os.path.join(out, "images")
    os.makedirs(folder)
    yy, xx = np.mgrid[0:side, 0:side]
    pixels, y, names = [], [], []
    for i in range(n):
        c = i % k
        cx, cy, r = rng.uniform(5, 11), rng.uniform(5, 11), rng.uniform(3, 5)
        if c == 0:
            mask = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        elif c == 1:
            mask = (abs(xx - cx) < r) & (abs(yy - cy) < r)
        elif c == 2:
            mask = (abs(xx - cx) < r) & (abs(yy - cy) < 1.5)
        else:
            mask = (abs(xx - cx) < 1.5) & (abs(yy - cy) < r)
        img = np.clip(mask * 180 + rng.normal(40, 35, (side, side)), 0, 255).astype(np.uint8)
        name = f"img{i:05}.bmp"
        write_bmp(os.path.join(folder, name), img)
        pixels.append(img.reshape(-1) / 255.0)
        y.append(f"shape{c}")
        names.append(name)
    y = np.array(y)
    test = split_of(y, rng)
    return {**folder_project(out, "image", folder, names, y, test),
            "features_toml": "[features]\nimage_size = 16\nimage_colour = \"grey\"\n",
            "pixels": np.array(pixels), "y": y, "test": test}


def write_wav(path, samples, rate):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def audio_data(out, rng):
    """Half-second clips at 8 kHz of four sounds whose pitches overlap, in noise: a steady
    tone, a tone with its octave, a rising chirp and a tone pulsed on and off. scikit-learn
    gets the very log-mel statistics Kindling computes (`kindling embed -o`), so both sides
    fit the same features."""
    rate, n, k = 8000, 1200, 4
    folder = os.path.join(out, "clips")
    os.makedirs(folder)
    t = np.arange(rate // 2) / rate
    y, names = [], []
    for i in range(n):
        c = i % k
        f = rng.uniform(300, 900)
        if c == 0:
            wave_ = np.sin(2 * np.pi * f * t)
        elif c == 1:
            wave_ = 0.6 * np.sin(2 * np.pi * f * t) + 0.4 * np.sin(4 * np.pi * f * t)
        elif c == 2:
            wave_ = np.sin(2 * np.pi * (f * t + rng.uniform(200, 600) * t * t))
        else:
            wave_ = np.sin(2 * np.pi * f * t) * (np.sin(2 * np.pi * rng.uniform(4, 12) * t) > 0)
        clip = rng.uniform(0.1, 0.5) * wave_ + rng.normal(0, rng.uniform(0.05, 0.4), len(t))
        name = f"clip{i:05}.wav"
        write_wav(os.path.join(folder, name), clip, rate)
        y.append(f"sound{c}")
        names.append(name)
    y = np.array(y)
    test = split_of(y, rng)
    return {**folder_project(out, "audio", folder, names, y, test),
            "ids": names, "embed": "logmel", "y": y, "test": test}


def embedded(binary, proj, data, out):
    """The rows Kindling's featurizer makes of every sample, in the order of data["ids"]."""
    path = os.path.join(out, "vectors.csv")
    subprocess.run([binary, "embed", proj, "--features", data["embed"], "-o", path], check=True, capture_output=True)
    rows = {}
    with open(path) as f:
        next(f)
        for line in f:
            cells = line.rstrip("\n").split(",")
            rows[cells[0]] = [float(v) for v in cells[1:]]
    return np.array([rows[i] for i in data["ids"]])


def sklearn_run(name, kind, data, model):
    test, y = data["test"], data["y"]
    if kind == "table":
        numeric = np.column_stack([data["frame"][c] for c in data["numeric"]])
        categorical = np.column_stack([data["frame"][c] for c in data["categorical"]]).astype(object)
        start = time.perf_counter()
        # The usual column transformer: numbers imputed and scaled, categories imputed and
        # one-hot encoded, and 0/1 missing indicators beside them (not scaled).
        num = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        num_gaps = MissingIndicator()
        cat = make_pipeline(SimpleImputer(strategy="most_frequent", missing_values=None),
                            OneHotEncoder(handle_unknown="ignore", sparse_output=False))
        cat_gaps = MissingIndicator(missing_values=None)
        parts = [(num, numeric), (num_gaps, numeric), (cat, categorical), (cat_gaps, categorical)]
        features = lambda rows, fit: np.hstack([
            (step.fit_transform if fit else step.transform)(values[rows]).astype(float) for step, values in parts])
        clf = sklearn_model(model, False)
        clf.fit(features(~test, True), y[~test])
        predicted = clf.predict(features(test, False))
        return float((predicted == y[test]).mean()), time.perf_counter() - start
    if kind == "text":
        X = data["docs"]
        pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                             sklearn_model(model, True))
    else:
        X = data["pixels"]
        pipe = make_pipeline(StandardScaler(), sklearn_model(model, False))
    start = time.perf_counter()
    pipe.fit(X[~test], y[~test])
    predicted = pipe.predict(X[test])
    seconds = time.perf_counter() - start
    return float((predicted == y[test]).mean()), seconds


def kindling_project(binary, out, name, data):
    proj = os.path.join(out, f"{name}-project")
    subprocess.run([binary, "init", proj] + data["init"], check=True, capture_output=True)
    if "labels" in data:
        subprocess.run([binary, "labels", "import", proj, data["labels"]], check=True, capture_output=True)
    if "features_toml" in data:
        with open(os.path.join(proj, "kindling.toml"), "a") as f:
            f.write("\n" + data["features_toml"])
    return proj


def kindling_run(binary, proj, model):
    start = time.perf_counter()
    done = subprocess.run([binary, "train", proj, "--model", model, "--json"], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    return json.loads(done.stdout)["metrics"]["accuracy"], seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kindling", default="target/release/kindling")
    ap.add_argument("--out", default="target/bench-baselines")
    ap.add_argument("--only", nargs="*", help="datasets to run: table text images audio")
    ap.add_argument("--models", nargs="*", default=MODELS)
    ap.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    args = ap.parse_args()
    binary = os.path.abspath(args.kindling)
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    datasets = {"table": table_data, "text": text_data, "images": image_data, "audio": audio_data}
    print("| data | model | kindling acc | sklearn acc | Δ | kindling train s | sklearn fit+predict s |")
    print("|---|---|---|---|---|---|---|")
    for name, make in datasets.items():
        if args.only and name not in args.only:
            continue
        # Each dataset draws from its own stream, so --only does not change the others.
        rng = np.random.default_rng([args.seed, list(datasets).index(name)])
        data = make(args.out, rng)
        proj = kindling_project(binary, args.out, name, data)
        if "embed" in data:
            data["pixels"] = embedded(binary, proj, data, args.out)
        for model in args.models:
            if model == "gradient_boosting" and name == "text":
                continue  # dense features only, on both sides
            ours, our_s = kindling_run(binary, proj, model)
            theirs, their_s = sklearn_run(name, name, data, model)
            print(f"| {name} | {model} | {ours:.3f} | {theirs:.3f} | {ours - theirs:+.3f} | {our_s:.2f} | {their_s:.2f} |",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
