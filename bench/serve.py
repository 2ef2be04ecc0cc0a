#!/usr/bin/env python3
"""`kindling serve` under load beside FastAPI + scikit-learn, loopback only, one sitting.

A 20-number-column table (20,000 rows) is trained as a Kindling `logistic` run; the same
model (StandardScaler + LogisticRegression) is served by FastAPI under uvicorn. The load
generator (examples/load.rs, standard library only) posts from 16 keep-alive clients:
20,000 single-row requests, then 1,000 requests of 1,000 rows; Kindling also answers
5,000 requests of one 32 × 32 PNG (the demo's shapes). Each server gets the same two worker
threads / processes. Printed: requests per second, p50 / p99 latency, errors, and the
server's resident memory before and after.

    python3 bench/serve.py [--kindling target/release/kindling] [--load target/release/examples/load]
"""

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import numpy as np


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"no server on port {port} after {seconds} s")


def rss_mb(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def family(pid):
    """The process and its children (uvicorn's workers)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [pid] + [int(p) for p in out.split()]


def load(binary, port, body, clients, requests):
    done = subprocess.run([binary, f"127.0.0.1:{port}", body, "--clients", str(clients), "--requests", str(requests)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def table(out):
    rng = np.random.default_rng(5)
    n, k = 20_000, 20
    centres = rng.normal(0, 1.5, (4, k))
    y = rng.integers(0, 4, n)
    X = centres[y] + rng.normal(0, 1, (n, k))
    path = os.path.join(out, "table.csv")
    with open(path, "w") as f:
        f.write(",".join([f"f{j}" for j in range(k)] + ["label", "split"]) + "\n")
        for i in range(n):
            split = "test" if i % 5 == 0 else "train"
            f.write(",".join(f"{v:.6g}" for v in X[i]) + f",c{y[i]},{split}\n")
    row = lambda i: {f"f{j}": float(f"{X[i, j]:.6g}") for j in range(k)}
    one = os.path.join(out, "one.json")
    with open(one, "w") as f:
        json.dump({"rows": [row(0)]}, f)
    batch = os.path.join(out, "batch.json")
    with open(batch, "w") as f:
        json.dump({"rows": [row(i) for i in range(1000)]}, f)
    return path, one, batch


def scenario(name, load_bin, port, pids, body, requests, clients=16):
    before = rss_mb(pids)
    r = load(load_bin, port, body, clients, requests)
    r["rss_mb"] = (round(before, 1), round(rss_mb(pids), 1))
    r["name"] = name
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kindling", default="target/release/kindling")
    ap.add_argument("--load", default="target/release/examples/load")
    ap.add_argument("--out", default="target/bench-serve")
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    csv, one, batch = table(args.out)
    proj = os.path.join(args.out, "project")
    subprocess.run([args.kindling, "init", proj, "--source", os.path.abspath(csv), "--label-column", "label",
                    "--split-column", "split"], check=True, capture_output=True)
    subprocess.run([args.kindling, "train", proj, "--model", "logistic"], check=True, capture_output=True)
    demo = os.path.join(args.out, "demo")
    subprocess.run([args.kindling, "demo", demo, "--no-open"], check=True, capture_output=True)
    shapes = os.path.join(demo, "shapes")
    subprocess.run([args.kindling, "train", shapes, "--model", "logistic"], check=True, capture_output=True)
    png = sorted(f for f in os.listdir(os.path.join(shapes, "images")) if f.startswith("circle"))[0]
    image = os.path.join(args.out, "image.json")
    with open(os.path.join(shapes, "images", png), "rb") as f:
        encoded = base64.b64encode(f.read()).decode()
    with open(image, "w") as f:
        json.dump({"images": [encoded]}, f)

    results = []
    port = free_port()
    server = subprocess.Popen([args.kindling, "serve", proj, "--port", str(port), "--workers", "2"],
                              stderr=subprocess.DEVNULL)
    wait_for(port)
    pids = [server.pid]
    results.append(("kindling", scenario("1 row", args.load, port, pids, one, 20_000)))
    results.append(("kindling", scenario("1,000 rows", args.load, port, pids, batch, 1_000)))
    server.send_signal(signal.SIGINT)
    server.wait()

    port = free_port()
    server = subprocess.Popen([args.kindling, "serve", shapes, "--port", str(port), "--workers", "2"],
                              stderr=subprocess.DEVNULL)
    wait_for(port)
    results.append(("kindling", scenario("one 32x32 image", args.load, port, [server.pid], image, 5_000)))
    server.send_signal(signal.SIGINT)
    server.wait()

    port = free_port()
    env = dict(os.environ, TABLE=os.path.abspath(csv))
    server = subprocess.Popen([args.python, "-m", "uvicorn", "--app-dir", os.path.dirname(os.path.abspath(__file__)),
                               "serve_fastapi:app", "--port", str(port), "--workers", "2", "--log-level", "warning"],
                              env=env, stderr=subprocess.DEVNULL)
    wait_for(port)
    time.sleep(3)  # both workers up
    pids = family(server.pid)
    results.append(("fastapi", scenario("1 row", args.load, port, pids, one, 20_000)))
    results.append(("fastapi", scenario("1,000 rows", args.load, port, pids, batch, 1_000)))
    server.send_signal(signal.SIGINT)
    server.wait()

    print("| server | request | requests/s | p50 ms | p99 ms | errors | RSS MB before → after |")
    print("|---|---|---|---|---|---|---|")
    for who, r in results:
        print(f"| {who} | {r['name']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['errors']} "
              f"| {r['rss_mb'][0]:.0f} → {r['rss_mb'][1]:.0f} |")
    by = {(w, r["name"]): r for w, r in results}
    for name in ["1 row", "1,000 rows"]:
        k, f = by[("kindling", name)], by[("fastapi", name)]
        print(f"{name}: kindling {k['rps'] / f['rps']:.1f}x the requests per second of FastAPI, "
              f"p99 {k['p99_ms']:.2f} vs {f['p99_ms']:.2f} ms")


if __name__ == "__main__":
    main()
