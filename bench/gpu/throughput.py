#!/usr/bin/env python3
"""The PyTorch side of Kindling's GPU throughput benchmark (bench/gpu/run.sh).

  throughput.py make DIR
      Writes the benchmark data, deterministically: DIR/table/wide.csv (200,000 rows of
      64 numbers and a label of 4 classes) and DIR/images/<class>/<n>.png (20,000 grey
      32x32 pictures of 4 classes, for `kindling init --labels-from-folders`).
  throughput.py train {table,images} {mlp,cnn} {cuda,cpu} [--epochs E]
      Trains on the same data (made again from the same seeds) what Kindling trains, as
      PyTorch code written the usual fast way, and prints one JSON line: the median samples
      per second of the epochs after the first.

What "the same" means: the inputs Kindling's featurizer gives (standardized numbers,
standardized pixels), the split sizes (20% held out for testing, 10% of the rest for
validation), the networks of src/models/torch/net.rs, AdamW (lr 0.01, weight decay 0.01),
batches of 64, dropout 0.1, bfloat16 autocast on CUDA, the whole data on the device and
one random order per epoch, the loss summed on the device and read once per epoch, the
validation pass after the timed part. Needs only torch.
"""
import argparse, json, os, statistics, struct, sys, time, zlib

import torch
from torch import nn

ROWS, COLS, CLASSES = 200_000, 64, 4
IMAGES, SIDE = 20_000, 32


def table_data():
    g = torch.Generator().manual_seed(7)
    centres = torch.randn(CLASSES, COLS, generator=g)
    y = torch.randint(0, CLASSES, (ROWS,), generator=g)
    x = centres[y] * 0.5 + torch.randn(ROWS, COLS, generator=g)
    return x, y


def image_data():
    """Class k: a bright quarter (k-th quadrant) on noise, values 0..255."""
    g = torch.Generator().manual_seed(11)
    y = torch.randint(0, CLASSES, (IMAGES,), generator=g)
    x = torch.rand(IMAGES, SIDE, SIDE, generator=g) * 120
    h = SIDE // 2
    for k in range(CLASSES):
        r, c = divmod(k, 2)
        x[y == k, r * h:(r + 1) * h, c * h:(c + 1) * h] += 120
    return x.round().clamp(0, 255).to(torch.uint8), y


def png(path, pixels):
    """A grey 8-bit PNG, rows unfiltered."""
    height, width = pixels.shape
    raw = b"".join(b"\0" + bytes(row) for row in pixels.tolist())
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make(root):
    x, y = table_data()
    os.makedirs(f"{root}/table", exist_ok=True)
    with open(f"{root}/table/wide.csv", "w") as f:
        f.write(",".join(f"x{j}" for j in range(COLS)) + ",label\n")
        for row, label in zip(x.tolist(), y.tolist()):
            f.write(",".join(f"{v:.5f}" for v in row) + f",c{label}\n")
    images, labels = image_data()
    for k in range(CLASSES):
        os.makedirs(f"{root}/images/c{k}", exist_ok=True)
    for n, (img, label) in enumerate(zip(images, labels.tolist())):
        png(f"{root}/images/c{label}/{n:05}.png", img)


def network(model, inputs, classes, side=None):
    if model == "mlp":
        return nn.Sequential(nn.Linear(inputs, 100), nn.ReLU(), nn.Dropout(0.1), nn.Linear(100, classes))
    return nn.Sequential(
        nn.Unflatten(1, (1, side, side)),
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * (side // 4) ** 2, 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, classes))


def train(what, model, device, epochs, batch=64):
    if what == "table":
        x, y = table_data()
    else:
        images, y = image_data()
        x = images.float().flatten(1)
    g = torch.Generator().manual_seed(1)
    order = torch.randperm(len(y), generator=g)
    train_rows = order[int(len(y) * 0.2):]
    held = int(len(train_rows) * 0.1)
    valid, fit = train_rows[:held], train_rows[held:]
    mean, sd = x[train_rows].mean(0), x[train_rows].std(0, unbiased=False).clamp_min(1e-12)
    x = ((x - mean) / sd).to(device)
    y = y.to(device)
    net = network(model, x.shape[1], CLASSES, SIDE).to(device)
    opt = torch.optim.AdamW(net.parameters(), lr=0.01, weight_decay=0.01)
    loss_fn = nn.CrossEntropyLoss()
    cuda = device == "cuda"
    fit_d, valid_d = fit.to(device), valid.to(device)
    speeds = []
    for _ in range(epochs):
        net.train()
        start = time.perf_counter()
        perm = fit_d[torch.randperm(len(fit_d), device=device)]
        total = torch.zeros((), device=device)
        for i in range(0, len(perm), batch):
            rows = perm[i:i + batch]
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=cuda):
                loss = loss_fn(net(x[rows]).float(), y[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.detach() * len(rows)
        total.item()
        speeds.append(len(fit) / (time.perf_counter() - start))
        net.eval()
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=cuda):
            accuracy = (net(x[valid_d]).float().argmax(1) == y[valid_d]).float().mean().item()
    return {"what": what, "model": model, "device": device, "epochs": epochs, "batch_size": batch,
            "samples_per_second": statistics.median(speeds[1:] or speeds), "valid_accuracy": accuracy,
            "torch": torch.__version__, "gpu": torch.cuda.get_device_name() if cuda else None}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("dir")
    t = sub.add_parser("train")
    t.add_argument("what", choices=["table", "images"])
    t.add_argument("model", choices=["mlp", "cnn"])
    t.add_argument("device", choices=["cuda", "cpu"])
    t.add_argument("--epochs", type=int, default=5)
    a = p.parse_args()
    if a.command == "make":
        make(a.dir)
    else:
        print(json.dumps(train(a.what, a.model, a.device, a.epochs)))


if __name__ == "__main__":
    sys.exit(main())
