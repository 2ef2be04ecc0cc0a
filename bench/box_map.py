"""mAP of `kindling evaluate` beside pycocotools' COCOeval, on the same boxes.

A detection project of IMAGES blank pictures (sizes from 320×240 to 1920×1080) gets seeded
random labelled boxes (0–8 an image, 5 classes) through `kindling labels import`; a found
set is made from them as a detector errs — boxes moved by up to 15 % and resized by up to ±15 %, some
given another class, some missed, false ones added, random scores. Both are scored by
`kindling evaluate --json` and by pycocotools (the ground truth as `kindling labels export
--format coco` writes it, the found boxes through `loadRes`). Prints mAP@0.5, mAP@[.5:.95]
and every class's AP from each, and the largest difference.

usage: python bench/box_map.py KINDLING [IMAGES] [SEED]
"""
import io
import json
import random
import struct
import subprocess
import sys
import tempfile
import zlib
from contextlib import redirect_stdout
from pathlib import Path

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

CLASSES = ["car", "person", "bicycle", "dog", "sign"]


def png(path, w, h):
    row = b"\x00" + b"\x40\x40\x40" * w
    raw = row * h
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def main():
    kindling = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    tmp = Path(tempfile.mkdtemp())
    images = tmp / "images"
    images.mkdir()
    sizes = {}
    for i in range(n):
        w, h = rng.choice([(320, 240), (640, 480), (800, 600), (1920, 1080)])
        name = f"img{i:04d}.png"
        png(images / name, w, h)
        sizes[name] = (w, h)
    project = tmp / "p"
    subprocess.run([kindling, "init", str(project), "--source", str(images), "--task", "detect",
                    "--classes", ",".join(CLASSES)], check=True, capture_output=True)
    gt = {"images": [], "annotations": [], "categories": [{"id": k + 1, "name": c} for k, c in enumerate(CLASSES)]}
    found = []
    for i, (name, (w, h)) in enumerate(sorted(sizes.items())):
        gt["images"].append({"id": i + 1, "file_name": name, "width": w, "height": h})
        for _ in range(rng.randint(0, 8)):
            bw, bh = rng.uniform(8, w / 3), rng.uniform(8, h / 3)
            x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
            k = rng.randrange(len(CLASSES))
            gt["annotations"].append({"id": len(gt["annotations"]) + 1, "image_id": i + 1, "category_id": k + 1,
                                      "bbox": [x, y, bw, bh], "area": bw * bh, "iscrowd": 0})
            if rng.random() < 0.15:
                continue  # missed
            jx, jy = rng.uniform(-0.15, 0.15) * bw, rng.uniform(-0.15, 0.15) * bh
            sw, sh = bw * rng.uniform(0.85, 1.15), bh * rng.uniform(0.85, 1.15)
            fx, fy = min(max(x + jx, 0), w - sw), min(max(y + jy, 0), h - sh)
            kk = rng.randrange(len(CLASSES)) if rng.random() < 0.1 else k
            found.append({"image": name, "class": CLASSES[kk], "bbox": [fx, fy, sw, sh], "score": rng.random()})
        for _ in range(rng.randint(0, 3)):
            bw, bh = rng.uniform(8, w / 4), rng.uniform(8, h / 4)
            found.append({"image": name, "class": rng.choice(CLASSES),
                          "bbox": [rng.uniform(0, w - bw), rng.uniform(0, h - bh), bw, bh], "score": rng.random() * 0.8})
    (tmp / "gt_in.json").write_text(json.dumps(gt))
    subprocess.run([kindling, "labels", "import", str(project), str(tmp / "gt_in.json")], check=True, capture_output=True)
    subprocess.run([kindling, "labels", "export", str(project), "--format", "coco", "-o", str(tmp / "gt.json")],
                   check=True, capture_output=True)
    (tmp / "found.json").write_text(json.dumps(found))
    ours = json.loads(subprocess.run([kindling, "evaluate", str(project), str(tmp / "found.json"), "--json"],
                                     check=True, capture_output=True, text=True).stdout)

    with redirect_stdout(io.StringIO()):
        coco = COCO(str(tmp / "gt.json"))
        ids = {img["file_name"]: img["id"] for img in coco.dataset["images"]}
        cats = {c["name"]: c["id"] for c in coco.dataset["categories"]}
        dts = coco.loadRes([{"image_id": ids[f["image"]], "category_id": cats[f["class"]], "bbox": f["bbox"],
                             "score": f["score"]} for f in found])
        ev = COCOeval(coco, dts, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    # precision[T, R, K, A, M]: IoU thresholds, recall points, classes, area ranges, maxDets.
    p = ev.eval["precision"]

    def class_ap(k, t=None):
        q = p[:, :, k, 0, 2] if t is None else p[t, :, k, 0, 2]
        q = q[q > -1]
        return float(q.mean()) if q.size else None

    rows = [("mAP@0.5", ours["map50"], float(ev.stats[1])), ("mAP@[.5:.95]", ours["map"], float(ev.stats[0]))]
    for k, c in enumerate(CLASSES):
        rows.append((f"AP50 {c}", ours["per_class"][k]["ap50"], class_ap(k, 0)))
        rows.append((f"AP {c}", ours["per_class"][k]["ap"], class_ap(k)))
    print(f"{n} images, {len(gt['annotations'])} labelled boxes, {len(found)} found")
    print(f"{'':14} {'kindling':>10} {'pycocotools':>12}")
    worst = 0.0
    for name, a, b in rows:
        worst = max(worst, abs(a - b))
        print(f"{name:14} {a:10.6f} {b:12.6f}")
    print(f"largest difference: {worst:.2e}")


main()
