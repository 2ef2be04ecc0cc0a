#!/usr/bin/env python3
"""Writes N 32 × 32 RGB PNGs of four noisy shapes (circle, square, cross, ring) at random
places and colours into OUT/images, for the map benchmark at the size users bring; numpy
and the standard library only (PNG written with zlib). Deterministic under --seed.

    python3 bench/images.py OUT [--n 20000] [--seed 0]
"""

import argparse
import os
import struct
import zlib

import numpy as np


def png(path, rgb):
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    folder = os.path.join(args.out, "images")
    os.makedirs(folder, exist_ok=True)
    yy, xx = np.mgrid[0:32, 0:32]
    names = ["circle", "square", "cross", "ring"]
    for i in range(args.n):
        c = i % 4
        cx, cy, r = rng.uniform(10, 22), rng.uniform(10, 22), rng.uniform(5, 9)
        if c == 0:
            mask = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        elif c == 1:
            mask = (abs(xx - cx) < r * 0.8) & (abs(yy - cy) < r * 0.8)
        elif c == 2:
            mask = (abs(xx - cx) < 2) & (abs(yy - cy) < r) | (abs(yy - cy) < 2) & (abs(xx - cx) < r)
        else:
            d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
            mask = (d < r) & (d > r - 3)
        background = rng.uniform(0, 80, 3)
        colour = rng.uniform(120, 255, 3)
        img = np.where(mask[..., None], colour, background) + rng.normal(0, 12, (32, 32, 3))
        png(os.path.join(folder, f"{names[c]}_{i:05d}.png"), np.clip(img, 0, 255).astype(np.uint8))


if __name__ == "__main__":
    main()
