#!/usr/bin/env python3
"""The candidates for the queue's `auto` order, simulated with scikit-learn on the sets of
bench/active_real.py (no Kindling in the loop): the same walk — a quarter held out, 30 random
labels, then rounds of 30 picked by the order, LogisticRegression refitted on the training
labels each round, accuracy on the held-out quarter. What chose `auto` (docs/benchmarks.md).

Orders: random; margin; auto (margin and random mixed, the share of random falling with the
labels: Kindling's old `auto`); dens (margin times the mean cosine to the 10 nearest);
cluster (k-means of the unlabelled pool into 30 clusters each round, the smallest margin of
each); clusterall (k-means once over every sample, as a cached fit is);
topcluster (the 120 smallest margins in 30 k-means clusters, one of each); clustermix
(clusterall, a falling share of the clusters giving a random member); poolmix (cluster, a
falling share of the clusters giving a random member: Kindling's `auto`); automix (the old
auto's mix, its margin picks spread over the pool's clusters).

late<N> (random picks until N labels a class, then cluster); until<A> (random picks until the
model's accuracy on the labelled held-out quarter reaches A, then cluster).

    python3 bench/active_orders_sim.py SET ORDERS SEEDS ROUNDS
    (SET: man, digits, cancer, passages (all-MiniLM-L6-v2), passages-tfidf)

Prints each order's mean accuracy per round, and its mean difference to random order with
the standard error of that difference over the seeds (the same seeds, so paired).
"""
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from active_real import load_set, peer_features
from sklearn.linear_model import LogisticRegression
from sklearn.cluster import KMeans
from sklearn.preprocessing import normalize
REAL = os.environ.get("REAL_SETS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "bench-real"))
START, BATCH = 30, 30
ALL_KM = {}

def feats(name):
    src, kind, ids, truth, raw = load_set(name.removesuffix("-tfidf"), REAL)
    if name == "passages-tfidf":
        return ids, truth, None, kind, raw
    if name == "passages":
        cache = os.path.join(REAL, "passages-minilm.npy")
        if not os.path.exists(cache):
            from sentence_transformers import SentenceTransformer
            m = SentenceTransformer(os.environ.get("TEXT_ENCODER", "sentence-transformers/all-MiniLM-L6-v2"), device="cpu")
            np.save(cache, m.encode([raw[i] for i in ids], batch_size=64, normalize_embeddings=True))
        x = np.load(cache)
        x = (x - x.mean(0)) / (x.std(0) + 1e-9)
        return ids, truth, x, kind
    return ids, truth, None, kind, raw

def order(strategy, x, rest, labelled_n, k, model, rng, xn, score=None):
    global ALL_KM
    if strategy.startswith("late"):
        strategy = "random" if labelled_n < float(strategy[4:]) * k else "cluster"
    if strategy.startswith("until"):
        strategy = "random" if score < float(strategy[5:]) else "cluster"
    if strategy == "random":
        idx = list(range(len(rest))); rng.shuffle(idx); return idx[:BATCH]
    p = model.predict_proba(x[rest]); top = np.sort(p, axis=1); margin = top[:, -1] - top[:, -2]
    if strategy == "margin":
        return list(np.argsort(margin, kind="stable")[:BATCH])
    if strategy == "auto":
        share = min(0.875, max(0.5, 1 - 0.5 * labelled_n / (40 * k)))
        ranked = list(np.argsort(margin, kind="stable")); rnd = list(range(len(rest))); rng.shuffle(rnd)
        out, seen = [], set(); a = iter(ranked); b = iter(rnd)
        for place in range(BATCH):
            from_b = np.floor((place + 1) * share) > np.floor(place * share)
            src = b if from_b else a
            for c in src:
                if c not in seen: seen.add(c); out.append(c); break
        return out
    if strategy.startswith("dens"):
        beta = float(strategy[4:] or 1)
        r = xn[rest]
        sims = r @ r.T
        sims = sims.toarray() if hasattr(sims, "toarray") else sims
        kk = 10
        d = np.sort(sims, axis=1)[:, -kk-1:-1].mean(1)
        d = np.clip(d, 1e-6, None)
        return list(np.argsort(-(1 - margin) * d ** beta, kind="stable")[:BATCH])
    if strategy == "cluster":
        km = KMeans(BATCH, n_init=1, random_state=0).fit(xn[rest])
        out = []
        for c in range(BATCH):
            members = np.where(km.labels_ == c)[0]
            if len(members): out.append(members[np.argmin(margin[members])])
        return out
    if strategy == "clusterall":
        # k-means once over every sample (as a cached fit would be), the lowest margin per cluster.
        key = id(xn)
        if ALL_KM.get("key") != key:
            ALL_KM = {"key": key, "labels": KMeans(BATCH, n_init=1, random_state=0).fit(xn).labels_}
        lab = ALL_KM["labels"][rest]
        out = []
        for c in range(BATCH):
            members = np.where(lab == c)[0]
            if len(members): out.append(members[np.argmin(margin[members])])
        # Fewer clusters with unlabelled samples than a batch: the rest by margin.
        taken = set(out)
        out += [i for i in np.argsort(margin, kind="stable") if i not in taken][: BATCH - len(out)]
        return out
    if strategy == "automix":
        # auto's mix of margin and random picks (the share of random falling with the
        # labels), its margin picks spread over k-means clusters of the pool: each round of
        # them the least sure of every cluster.
        km = KMeans(BATCH, n_init=1, random_state=0).fit(xn[rest])
        share = min(0.875, max(0.5, 1 - 0.5 * labelled_n / (40 * k)))
        firsts = []
        for c in range(BATCH):
            members = np.where(km.labels_ == c)[0]
            if len(members): firsts.append((margin[members].min(), members[np.argmin(margin[members])]))
        spread = [i for _, i in sorted(firsts, key=lambda t: t[0])]
        rnd = list(range(len(rest))); rng.shuffle(rnd)
        out, seen = [], set(); a = iter(spread); b = iter(rnd)
        for place in range(BATCH):
            from_b = np.floor((place + 1) * share) > np.floor(place * share)
            for src in ([b, a] if from_b else [a, b]):
                took = False
                for c in src:
                    if c not in seen: seen.add(c); out.append(c); took = True; break
                if took: break
        return out
    if strategy == "poolmix":
        # cluster (k-means of the pool each round), but a share of the clusters (auto's
        # falling random share) give a random member instead of their least sure one.
        km = KMeans(BATCH, n_init=1, random_state=0).fit(xn[rest])
        share = min(0.875, max(0.5, 1 - 0.5 * labelled_n / (40 * k)))
        firsts = []
        for c in range(BATCH):
            members = np.where(km.labels_ == c)[0]
            if len(members): firsts.append((margin[members].min(), c, members))
        firsts.sort(key=lambda t: t[0])
        out = []
        for place, (_, c, members) in enumerate(firsts):
            from_random = np.floor((place + 1) * share) > np.floor(place * share)
            out.append(members[rng.randrange(len(members))] if from_random else members[np.argmin(margin[members])])
        return out
    if strategy == "clustermix":
        # clusterall, but a share of the clusters (auto's falling random share) give a random
        # member instead of their least sure one.
        key = id(xn)
        if ALL_KM.get("key") != key:
            ALL_KM = {"key": key, "labels": KMeans(BATCH, n_init=1, random_state=0).fit(xn).labels_}
        lab = ALL_KM["labels"][rest]
        share = min(0.875, max(0.5, 1 - 0.5 * labelled_n / (40 * k)))
        firsts = []
        for c in range(BATCH):
            members = np.where(lab == c)[0]
            if len(members): firsts.append((margin[members].min(), c, members))
        firsts.sort(key=lambda t: t[0])
        out = []
        for place, (_, c, members) in enumerate(firsts):
            from_random = np.floor((place + 1) * share) > np.floor(place * share)
            out.append(members[rng.randrange(len(members))] if from_random else members[np.argmin(margin[members])])
        taken = set(out)
        out += [i for i in np.argsort(margin, kind="stable") if i not in taken][: BATCH - len(out)]
        return out
    if strategy == "topcluster":
        cand = np.argsort(margin, kind="stable")[:BATCH * 4]
        km = KMeans(BATCH, n_init=1, random_state=0).fit(xn[rest][cand])
        out = []
        for c in range(BATCH):
            members = cand[km.labels_ == c]
            if len(members): out.append(members[np.argmin(margin[members])])
        return out
    raise SystemExit(strategy)

def walk(strategy, ids, truth, x, train, test, seed, rounds, xn):
    row = {i: k for k, i in enumerate(ids)}
    rng = random.Random(seed)
    pool = list(train); rng.shuffle(pool)
    labelled = list(pool[:START])
    y = np.array([truth[i] for i in ids])
    classes = sorted(set(y)); k = len(classes)
    ti = [row[i] for i in test]
    curve = []
    rng2 = random.Random(seed * 7 + 1)
    for r in range(rounds + 1):
        li = [row[i] for i in labelled]
        model = LogisticRegression(max_iter=2000).fit(x[li], y[li])
        curve.append(float(np.mean(model.predict(x[ti]) == y[ti])))
        if r == rounds: break
        ls = set(labelled)
        rest = [row[i] for i in train if i not in ls]
        picks = order(strategy, x, rest, len(labelled), k, model, rng2, xn, curve[-1])
        labelled += [ids[rest[p]] for p in picks]
    return curve

def main():
    name = sys.argv[1]; strategies = sys.argv[2].split(","); seeds = int(sys.argv[3]); rounds = int(sys.argv[4])
    out = feats(name)
    if len(out) == 4:
        ids, truth, x, kind = out; xn = normalize(x)
    curves = {s: [] for s in strategies}
    for seed in range(seeds):
        rng = random.Random(1000 + seed)
        sh = list(ids) if len(out) == 4 else list(out[0])
        rng.shuffle(sh)
        test = sh[: len(sh) // 4]; train = sh[len(sh) // 4:]
        if len(out) == 5:
            ids, truth, _, kind, raw = out
            x = peer_features(kind, ids, raw, train)
            xn = normalize(x)
        for s in strategies:
            curves[s].append(walk(s, ids, truth, x, train, test, seed, rounds, xn))
    print(f"## {name} ({seeds} seeds)")
    print("| order | " + " | ".join(str(START + BATCH * r) for r in range(rounds + 1)) + " |")
    for s in strategies:
        m = np.mean(curves[s], axis=0)
        print(f"| {s} | " + " | ".join(f"{v:.3f}" for v in m) + " |")
    if "random" in curves and seeds > 1:
        print("\ndifference to random order (mean ± standard error, paired by seed)")
        for s in strategies:
            if s == "random":
                continue
            d = np.array(curves[s]) - np.array(curves["random"])
            se = d.std(axis=0, ddof=1) / np.sqrt(seeds)
            print(f"| {s} | " + " | ".join(f"{a:+.3f}±{b:.3f}" for a, b in zip(d.mean(0), se)) + " |")
main()
