#!/usr/bin/env python3
"""The PyTorch peer of `kindling train --model detector`, on the same images, split and
weights: timm's tf_efficientnet_lite0 (the snapshot Kindling reads) with the same head —
the stride-8 map's four cells, the stride-16 cell and the stride-32 cell over it, one
hidden layer of 128, a heat per class and a box shape — and CenterNet's losses.

    detector_torch.py SNAPSHOT PROJECT_IMAGES SPLIT.json BOXES.json OUT.json
        [--mode frozen|finetune] [--epochs E] [--side 320] [--threads 2]

`frozen` trains the head on frozen features (Kindling's method); `finetune` trains the
whole network end to end (what a PyTorch user would do). Writes the held-out images'
boxes in the JSON `kindling evaluate` reads, and prints the seconds it took.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file
import timm


class Detector(nn.Module):
    def __init__(self, snapshot, classes, hidden=128):
        super().__init__()
        self.backbone = timm.create_model("tf_efficientnet_lite0", pretrained=False, features_only=True,
                                          out_indices=(2, 3, 4))
        state = load_file(os.path.join(snapshot, "model.safetensors"))
        missing, _ = self.backbone.load_state_dict(state, strict=False)
        assert not missing, missing
        c8, c16, c32 = self.backbone.feature_info.channels()
        width = 4 * c8 + c16 + c32
        self.norm = nn.BatchNorm2d(width, affine=False)  # standardize, as Kindling does
        self.hidden = nn.Conv2d(width, hidden, 1)
        self.out = nn.Conv2d(hidden, classes + 4, 1)
        nn.init.constant_(self.out.bias[:classes], -math.log(99.0))
        self.classes = classes

    def features(self, x):
        f8, f16, f32 = self.backbone(x)
        g = f16.shape[-1]
        s2d = F.pixel_unshuffle(f8, 2)  # [c8*4, g, g], channel-major per position
        up = F.interpolate(f32, size=(g, g), mode="nearest")
        return torch.cat([s2d, f16, up], 1)

    def head(self, feats):
        return self.out(F.relu(self.hidden(self.norm(feats))))


def load(path, side, mean=0.5, std=0.5):
    img = Image.open(path).convert("RGB")
    w, h = img.size
    x = np.asarray(img.resize((side, side), Image.BICUBIC), dtype=np.float32) / 255.0
    return torch.from_numpy(((x - mean) / std).transpose(2, 0, 1)), w, h


def targets(boxes, w, h, grid, classes):
    heat = np.zeros((classes, grid, grid), np.float32)
    shape = np.zeros((4, grid, grid), np.float32)
    mask = np.zeros((grid, grid), np.float32)
    cw, ch = w / grid, h / grid
    ys, xs = np.mgrid[0:grid, 0:grid] + 0.5
    for c, (x, y, bw, bh) in boxes:
        cx, cy = (x + bw / 2) / cw, (y + bh / 2) / ch
        gx, gy = min(max(int(cx), 0), grid - 1), min(max(int(cy), 0), grid - 1)
        sx, sy = max(0.54 * bw / cw / 6, 0.4), max(0.54 * bh / ch / 6, 0.4)
        g = np.exp(-(((xs - gx - 0.5) / sx) ** 2 + ((ys - gy - 0.5) / sy) ** 2) / 2)
        g[g < 1e-4] = 0
        heat[c] = np.maximum(heat[c], g)
        heat[c, gy, gx] = 1.0
        shape[:, gy, gx] = [cx - gx, cy - gy, math.log(max(bw / cw, 1e-3)), math.log(max(bh / ch, 1e-3))]
        mask[gy, gx] = 1
    return heat, shape, mask


def focal(z, t):
    p = torch.sigmoid(z)
    pos = t >= 1
    log_p, log_q = F.logsigmoid(z), F.logsigmoid(-z)
    l_pos = -((1 - p) ** 2) * log_p
    l_neg = -((1 - t) ** 4) * p ** 2 * log_q
    return torch.where(pos, l_pos, l_neg).sum()


def decode(out, w, h, classes, names, image, min_score=0.01):
    heat = torch.sigmoid(out[:classes])
    peaks = heat == F.max_pool2d(heat[None], 3, 1, 1)[0]
    grid = heat.shape[-1]
    cw, ch = w / grid, h / grid
    found = []
    for c, y, x in zip(*torch.nonzero(peaks & (heat >= min_score), as_tuple=True)):
        s = out[classes:, y, x]
        cx, cy = (x.item() + s[0].item()) * cw, (y.item() + s[1].item()) * ch
        bw, bh = math.exp(max(min(s[2].item(), 8), -8)) * cw, math.exp(max(min(s[3].item(), 8), -8)) * ch
        x0, y0 = max(cx - bw / 2, 0), max(cy - bh / 2, 0)
        x1, y1 = min(cx + bw / 2, w), min(cy + bh / 2, h)
        if x1 > x0 and y1 > y0:
            found.append({"image": image, "class": names[c.item()], "bbox": [x0, y0, x1 - x0, y1 - y0],
                          "score": heat[c, y, x].item()})
    found.sort(key=lambda f: -f["score"])
    return found[:100]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("snapshot")
    ap.add_argument("images")
    ap.add_argument("split")
    ap.add_argument("boxes")
    ap.add_argument("out")
    ap.add_argument("--mode", choices=["frozen", "finetune"], default="finetune")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--side", type=int, default=320)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    split = json.load(open(a.split))
    coco = json.load(open(a.boxes))
    names = [c["name"] for c in sorted(coco["categories"], key=lambda c: c["id"])]
    file_of = {i["id"]: i["file_name"] for i in coco["images"]}
    boxes = {}
    for ann in coco["annotations"]:
        boxes.setdefault(file_of[ann["image_id"]], []).append((ann["category_id"] - 1, ann["bbox"]))
    k = len(names)
    model = Detector(a.snapshot, k)
    grid = a.side // 16
    start = time.time()
    train = []
    for name in split["train"]:
        x, w, h = load(os.path.join(a.images, name), a.side)
        train.append((x, *map(torch.from_numpy, targets(boxes.get(name, []), w, h, grid, k))))
    frozen = a.mode == "frozen"
    if frozen:
        model.backbone.eval()
        with torch.no_grad():
            feats = [model.features(x[None])[0] for x, *_ in train]
        params = list(model.hidden.parameters()) + list(model.out.parameters())
    else:
        params = [{"params": model.backbone.parameters(), "lr": 2e-4},
                  {"params": list(model.hidden.parameters()) + list(model.out.parameters())}]
    opt = torch.optim.Adam(params, lr=2e-3, weight_decay=1e-4)
    batch = 16
    steps = a.epochs * math.ceil(len(train) / batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * s / steps)))
    centres = sum(t[3].sum().item() for t in train)
    per_batch = max(centres * batch / len(train), 1.0)
    model.train()
    if frozen:
        model.backbone.eval()
    for epoch in range(a.epochs):
        order = torch.randperm(len(train)).tolist()
        total = 0.0
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            heat = torch.stack([train[j][1] for j in idx])
            shape = torch.stack([train[j][2] for j in idx])
            mask = torch.stack([train[j][3] for j in idx])
            f = torch.stack([feats[j] for j in idx]) if frozen else model.features(torch.stack([train[j][0] for j in idx]))
            out = model.head(f)
            loss = (focal(out[:, :k], heat) + ((out[:, k:] - shape).abs() * mask[:, None]).sum()) / per_batch
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"epoch {epoch + 1}/{a.epochs} loss {total:.3f} ({time.time() - start:.0f} s)", flush=True)
    trained = time.time() - start
    model.eval()
    found = []
    with torch.no_grad():
        for name in split["test"]:
            x, w, h = load(os.path.join(a.images, name), a.side)
            found += decode(model.head(model.features(x[None]))[0], w, h, k, names, name)
    json.dump(found, open(a.out, "w"))
    print(json.dumps({"mode": a.mode, "epochs": a.epochs, "train_seconds": trained,
                      "seconds": time.time() - start, "found": len(found)}))


if __name__ == "__main__":
    main()
