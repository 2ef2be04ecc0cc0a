#!/usr/bin/env python3
"""A detection set from data nobody here made: scikit-learn's digit scans (the 8×8 scans of
handwritten digits it ships) pasted, scaled and tinted, onto crops of the photos
scikit-image ships. Boxes are where the digits were pasted (COCO JSON beside the images).

    detect_set.py OUT_DIR [--images N] [--seed S]

Writes OUT_DIR/images/*.png and OUT_DIR/boxes.json (COCO: classes "0" … "9").
"""
import argparse
import json
import os

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits
import skimage.data as sd

PHOTOS = ["astronaut", "chelsea", "coffee", "rocket", "motorcycle_left", "immunohistochemistry",
          "hubble_deep_field", "page", "camera", "coins", "moon", "text", "brick", "grass", "gravel"]


def photos():
    out = []
    for name in PHOTOS:
        try:
            img = getattr(sd, name)()
        except Exception:
            continue
        img = np.asarray(img)
        if img.ndim == 2:
            img = np.stack([img] * 3, axis=-1)
        out.append(img[..., :3].astype(np.uint8))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--height", type=int, default=240)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    digits = load_digits()
    backs = photos()
    os.makedirs(os.path.join(a.out, "images"), exist_ok=True)
    coco = {"images": [], "annotations": [], "categories": [{"id": i + 1, "name": str(i)} for i in range(10)]}
    W, H = a.width, a.height
    for n in range(a.images):
        back = backs[rng.integers(len(backs))]
        bh, bw = back.shape[:2]
        s = rng.uniform(0.3, 1.0)
        cw, ch = max(W, int(bw * s)), max(H, int(bh * s))
        cw, ch = min(cw, bw), min(ch, bh)
        x0, y0 = rng.integers(0, bw - cw + 1), rng.integers(0, bh - ch + 1)
        canvas = np.asarray(Image.fromarray(back[y0:y0 + ch, x0:x0 + cw]).resize((W, H), Image.BILINEAR)).astype(np.float32)
        name = f"{n:05d}.png"
        coco["images"].append({"id": n + 1, "file_name": name, "width": W, "height": H})
        placed = []
        for _ in range(rng.integers(1, 5)):
            k = rng.integers(len(digits.images))
            side = int(rng.uniform(28, 72))
            glyph = np.asarray(Image.fromarray((digits.images[k] / 16.0 * 255).astype(np.uint8)).resize((side, side), Image.BILINEAR)) / 255.0
            ys, xs = np.nonzero(glyph > 0.25)
            if len(xs) == 0:
                continue
            for _try in range(20):
                x, y = rng.integers(0, W - side), rng.integers(0, H - side)
                bx, by = x + xs.min(), y + ys.min()
                bw_, bh_ = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
                if all(bx + bw_ <= px or px + pw <= bx or by + bh_ <= py or py + ph <= by for px, py, pw, ph in placed):
                    break
            else:
                continue
            colour = rng.uniform(0, 255, size=3) if rng.random() < 0.5 else np.full(3, 255.0 if rng.random() < 0.5 else 0.0)
            alpha = glyph[..., None]
            region = canvas[y:y + side, x:x + side]
            canvas[y:y + side, x:x + side] = region * (1 - alpha) + colour * alpha
            placed.append((int(bx), int(by), int(bw_), int(bh_)))
            coco["annotations"].append({"id": len(coco["annotations"]) + 1, "image_id": n + 1,
                                        "category_id": int(digits.target[k]) + 1,
                                        "bbox": [int(bx), int(by), int(bw_), int(bh_)],
                                        "area": int(bw_ * bh_), "iscrowd": 0})
        Image.fromarray(canvas.clip(0, 255).astype(np.uint8)).save(os.path.join(a.out, "images", name))
    with open(os.path.join(a.out, "boxes.json"), "w") as f:
        json.dump(coco, f)
    print(f"{a.images} images, {len(coco['annotations'])} boxes in {a.out}")


if __name__ == "__main__":
    main()
