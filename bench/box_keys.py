#!/usr/bin/env python3
"""Keys per box in the box labeller, for a fixed script: box every labelled object of a COCO
file, each edge within TOL pixels — by keys alone, from scratch and starting from a
detector's proposals — beside labelImg's own scheme for the same boxes.

    box_keys.py BOXES.json [--found FOUND.json --images a.png,b.png] [--tol 2]

The key model is the labeller's (src/tui/boxes.rs): the cursor starts at the image's
centre; arrows move it (or the selected box) a step of 1/50 of the image's longer side;
`n` makes a box of 1/5 of its shorter side centred on the cursor, selected; Tab picks the
left, top, right, bottom edge in turn, then the next box; Shift+arrows move the picked
edge a step (and the cursor, when no box is selected, five steps), Ctrl+Shift+arrows a
pixel; a class key before `n` sets the new box's class;
Esc deselects; Space marks the image done and shows the next; Enter keeps the proposals
(scored 0.3 or more) no labelled box covers; `x` deletes the selected box.
bench/box_keys.sh replays a planned script in the real labeller (tmux) and checks the
boxes it stored.

labelImg (its README's shortcuts): `w` starts a box, the mouse drags it corner to corner,
the class dialog takes Enter (its "default label" mode skips it: counted as 1), Ctrl+S
saves and `d` shows the next image.

Seconds are the keystroke-level model's (Card, Moran & Newell): 0.2 s a key (K), 1.1 s to
point the mouse (P), 0.1 s a button press or release (B), 0.4 s to move a hand between
keyboard and mouse (H). They predict an expert's time without thinking, not a measurement.
"""
import argparse
import json
import math

K, P, B, H = 0.2, 1.1, 0.1, 0.4


def edge_keys(distance, step, tol):
    """Presses to move an edge `distance` px: coarse steps, then 1-px ones, fewest in all."""
    best = None
    for coarse in {math.floor(distance / step), math.ceil(distance / step)}:
        rest = abs(distance - coarse * step)
        fine = max(0, math.ceil(rest - tol - 1e-9))
        total = abs(coarse) + fine
        best = total if best is None else min(best, total)
    return best


def draw(target, cursor, size, tol):
    """Keys to draw `target` (x0, y0, x1, y1) from the cursor; the cursor after."""
    w, h = size
    step = max(1.0, round(max(w, h) / 50))
    cx, cy = (target[0] + target[2]) / 2, (target[1] + target[3]) / 2
    mx, my = round((cx - cursor[0]) / step), round((cy - cursor[1]) / step)
    cursor = (min(max(cursor[0] + mx * step, 0), w - 1), min(max(cursor[1] + my * step, 0), h - 1))
    keys = len(cursor_keys(mx, "Left", "Right")) + len(cursor_keys(my, "Up", "Down")) + 1  # arrows, n
    side = max(min(w, h) / 5, 1)
    x0 = min(max(cursor[0] - side / 2, 0), w - side)
    y0 = min(max(cursor[1] - side / 2, 0), h - side)
    box = (x0, y0, x0 + side, y0 + side)
    keys += 4 + sum(edge_keys(t - e, step, tol) for e, t in zip(box, target))  # Tab ×4, edges
    return keys + 1, cursor  # Esc


def cursor_keys(steps, less, more):
    """Shift+arrows (five steps) and arrows (one) that move the cursor `steps` steps: the
    fewest, overshooting by a jump when that is shorter."""
    key = more if steps > 0 else less
    back = less if steps > 0 else more
    n = abs(steps)
    jumps, rest = divmod(n, 5)
    if rest > 2:
        return [f"S-{key}"] * (jumps + 1) + [back] * (5 - rest)
    return [f"S-{key}"] * jumps + [key] * rest


def edge_plan(distance, step, tol, less, more):
    """The keys of `edge_keys`: coarse Shift+arrows, then Ctrl+Shift+arrows."""
    best = None
    for coarse in {math.floor(distance / step), math.ceil(distance / step)}:
        rest = distance - coarse * step
        fine = max(0, math.ceil(abs(rest) - tol - 1e-9))
        keys = [f"S-{more if coarse > 0 else less}"] * abs(coarse)
        keys += [f"C-S-{more if rest > 0 else less}"] * fine
        if best is None or len(keys) < len(best):
            best = keys
    return best


def plan(targets, size, tol, keys_of_class):
    """tmux key names that draw `targets` (class, corners) from a fresh image, then Space."""
    w, h = size
    step = max(1.0, round(max(w, h) / 50))
    cursor, last, keys = (w / 2, h / 2), None, []
    for cls, t in targets:
        if cls != last:
            keys.append(keys_of_class[cls])
            last = cls
        cx, cy = (t[0] + t[2]) / 2, (t[1] + t[3]) / 2
        mx, my = round((cx - cursor[0]) / step), round((cy - cursor[1]) / step)
        keys += cursor_keys(mx, "Left", "Right") + cursor_keys(my, "Up", "Down")
        cursor = (min(max(cursor[0] + mx * step, 0), w - 1), min(max(cursor[1] + my * step, 0), h - 1))
        keys.append("n")
        side = max(min(w, h) / 5, 1)
        x0 = min(max(cursor[0] - side / 2, 0), w - side)
        y0 = min(max(cursor[1] - side / 2, 0), h - side)
        box = (x0, y0, x0 + side, y0 + side)
        for i, (less, more) in enumerate([("Left", "Right"), ("Up", "Down"), ("Left", "Right"), ("Up", "Down")]):
            keys.append("Tab")
            keys += edge_plan(t[i] - box[i], step, tol, less, more)
        keys.append("Escape")
    keys.append("Space")
    return keys


def adjust(found, target, size, tol):
    """Keys to correct a kept proposal into `target`, once it is selected: four Tabs and the edges."""
    step = max(1.0, round(max(size) / 50))
    return 4 + sum(edge_keys(t - e, step, tol) for e, t in zip(found, target))


def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0


def corners(bbox):
    x, y, w, h = bbox
    return (x, y, x + w, y + h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("boxes")
    ap.add_argument("--found")
    ap.add_argument("--images", help="the images to count (comma-separated), default every one")
    ap.add_argument("--tol", type=float, default=2.0)
    ap.add_argument("--plan", metavar="IMAGE", help="print the tmux keys that box IMAGE, one a line")
    a = ap.parse_args()
    coco = json.load(open(a.boxes))
    names = {c["id"]: c["name"] for c in coco["categories"]}
    images = {i["file_name"]: i for i in coco["images"]}
    wanted = a.images.split(",") if a.images else list(images)
    truth = {}
    by_id = {i["id"]: i["file_name"] for i in coco["images"]}
    for ann in coco["annotations"]:
        truth.setdefault(by_id[ann["image_id"]], []).append((names[ann["category_id"]], corners(ann["bbox"])))
    found = {}
    if a.found:
        for f in json.load(open(a.found)):
            if f["score"] >= 0.3:
                found.setdefault(f["image"], []).append((f["class"], corners(f["bbox"])))

    if a.plan:
        img = images[a.plan]
        keys_of_class = {c["name"]: c["name"] if len(c["name"]) == 1 else str(i + 1)
                         for i, c in enumerate(coco["categories"])}
        print("\n".join(plan(truth.get(a.plan, []), (img["width"], img["height"]), a.tol, keys_of_class)))
        return
    scratch = assisted = boxes = 0
    for name in wanted:
        img = images[name]
        size = (img["width"], img["height"])
        targets = truth.get(name, [])
        boxes += len(targets)
        # From scratch: each box drawn; a class key when the class changes; Space at the end.
        cursor, last = (size[0] / 2, size[1] / 2), None
        for cls, t in targets:
            if cls != last:
                scratch += 1
                last = cls
            k, cursor = draw(t, cursor, size, a.tol)
            scratch += k
        scratch += 1
        if a.found:
            # Enter keeps the proposals; each is matched to the labelled box it covers best.
            props = found.get(name, [])
            assisted += 1 if props else 0
            left = list(range(len(targets)))
            index = 0
            cursor, last = (size[0] / 2, size[1] / 2), None
            unmatched = []
            for cls, p in props:
                match = max(left, key=lambda j: iou(p, targets[j][1]) if targets[j][0] == cls else -1, default=None)
                if match is not None and targets[match][0] == cls and iou(p, targets[match][1]) >= 0.5:
                    left.remove(match)
                    assisted += 1 + adjust(p, targets[match][1], size, a.tol)  # Tab to it, edges
                    index += 1
                else:
                    unmatched.append(index)
                    index += 1
            # A wrong proposal: Tab from nothing to it (five a box before it), x.
            for i, at in enumerate(unmatched):
                assisted += 1 + 5 * (at - i) + 1
            if left:
                assisted += 1  # Esc
            for j in left:
                cls, t = targets[j]
                if cls != last:
                    assisted += 1
                    last = cls
                k, cursor = draw(t, cursor, size, a.tol)
                assisted += k
            assisted += 1  # Space
    n_images = len(wanted)
    label_img_keys = 2 * boxes + 2 * n_images  # w, Enter a box; Ctrl+S, d an image
    label_img_s = boxes * (K + H + P + B + P + B + H + K) + n_images * 2 * K
    out = {
        "images": n_images,
        "boxes": boxes,
        "tolerance_px": a.tol,
        "kindling_keys_per_box": scratch / boxes,
        "kindling_seconds_per_box": scratch * K / boxes,
        "labelimg_keys_per_box": label_img_keys / boxes,
        "labelimg_drags_per_box": 1,
        "labelimg_seconds_per_box": label_img_s / boxes,
    }
    if a.found:
        out["kindling_with_proposals_keys_per_box"] = assisted / boxes
        out["kindling_with_proposals_seconds_per_box"] = assisted * K / boxes
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
