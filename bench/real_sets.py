#!/usr/bin/env python3
"""Real data sets made from what this machine already holds, with no download, for the
embedding benchmarks (bench/real-sets.sh): none of them comes from Kindling's generators.

- digits: scikit-learn's bundled copy of the UCI handwritten digits (1,797 scans, 8×8,
  16 grey levels), written as PNG files in one folder per digit.
- cancer, wine: scikit-learn's bundled UCI breast-cancer (569 × 30) and wine (178 × 13)
  tables, as CSV files with a `label` column.
- man: the English manual pages in /usr/share/man, as plain text (roff markup removed),
  one folder per section (commands, system calls, library functions, file formats,
  overviews, administration), at most --per-section pages each.
- passages.csv: the same sections cut into passages of 60 words, as a table with a `text`
  and a `label` column, --passages rows (100,000: text at the size users bring).

    python3 bench/real_sets.py OUT [--per-section 400]
"""

import argparse
import csv
import gzip
import os
import random
import re
import struct
import sys
import zlib

from sklearn.datasets import load_breast_cancer, load_digits, load_wine

SECTIONS = {"1": "command", "2": "syscall", "3": "library", "5": "format", "7": "overview", "8": "admin"}


def png_grey(path, pixels, width, height):
    """An 8-bit greyscale PNG (PIL is not needed for this)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(pixels[r * width:(r + 1) * width]) for r in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def digits(out):
    data = load_digits()
    for i, (image, target) in enumerate(zip(data.images, data.target)):
        folder = os.path.join(out, "digits", str(target))
        os.makedirs(folder, exist_ok=True)
        pixels = [min(255, int(round(v * 255 / 16))) for v in image.ravel()]
        png_grey(os.path.join(folder, f"{i:04}.png"), pixels, 8, 8)


def table(out, name, data):
    names = [re.sub(r"[^a-z0-9]+", "_", n.lower()).strip("_") for n in data.feature_names]
    with open(os.path.join(out, f"{name}.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names + ["label"])
        for row, target in zip(data.data, data.target):
            w.writerow([repr(float(v)) for v in row] + [data.target_names[target]])


ESCAPE = re.compile(r"\\(f\[[^]]*\]|f\(..|f.|\(..|\*\(..|\*\[[^]]*\]|\*.|s[-+]?\d|[&|^0~ ]|e|-|\.)")


def plain(roff):
    """The words of a manual page: requests dropped, macro arguments and escapes made text."""
    lines = []
    in_definition = False
    for line in roff.splitlines():
        if in_definition:
            in_definition = line.strip() != ".."
            continue
        if line.startswith((".de ", ".de1 ", ".ig")):
            in_definition = True
            continue
        if line.startswith(('.\\"', "'\\\"", '.\\\\"')):
            continue
        if line.startswith((".", "'")):
            parts = line[1:].split(None, 1)
            if len(parts) < 2 or parts[0] not in {"SH", "SS", "B", "I", "BR", "IR", "RB", "RI", "BI", "IB", "TP", "IP", "Nm", "Nd", "Sh"}:
                continue
            line = parts[1].replace('"', "")
        line = ESCAPE.sub(lambda m: "-" if m.group(1) == "-" else ("\\" if m.group(1) == "e" else " "), line)
        lines.append(line)
    return "\n".join(lines)


def manual(out, per_section, seed=0):
    rng = random.Random(seed)
    for number, name in SECTIONS.items():
        folder = f"/usr/share/man/man{number}"
        if not os.path.isdir(folder):
            continue
        files = sorted(f for f in os.listdir(folder) if f.endswith(".gz"))
        rng.shuffle(files)
        kept = 0
        target = os.path.join(out, "man", name)
        os.makedirs(target, exist_ok=True)
        for f in files:
            if kept == per_section:
                break
            path = os.path.join(folder, f)
            if os.path.islink(path):
                continue
            try:
                roff = gzip.open(path).read().decode("utf-8", "replace")
            except OSError:
                continue
            if roff.lstrip().startswith(".so "):
                continue
            text = plain(roff)
            if len(text) < 300:
                continue
            stem = re.sub(r"[^A-Za-z0-9._-]+", "_", f[: -len(".gz")])
            with open(os.path.join(target, stem + ".txt"), "w") as g:
                g.write(text)
            kept += 1


def pages(number):
    """The plain text of every page of one manual section, in a fixed order."""
    folder = f"/usr/share/man/man{number}"
    for f in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        path = os.path.join(folder, f)
        if f.endswith(".gz") and not os.path.islink(path):
            try:
                roff = gzip.open(path).read().decode("utf-8", "replace")
            except OSError:
                continue
            if not roff.lstrip().startswith(".so "):
                yield plain(roff)


def passages(out, total, words=60):
    rows = []
    for number, name in SECTIONS.items():
        for text in pages(number):
            tokens = text.split()
            rows.extend((" ".join(tokens[i:i + words]), name) for i in range(0, len(tokens) - words + 1, words))
    random.Random(0).shuffle(rows)
    with open(os.path.join(out, "passages.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows[:total])
    print(f"passages.csv: {min(total, len(rows))} of {len(rows)} passages", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--per-section", type=int, default=400)
    p.add_argument("--passages", type=int, default=100_000)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    digits(a.out)
    table(a.out, "cancer", load_breast_cancer())
    table(a.out, "wine", load_wine())
    manual(a.out, a.per_section)
    passages(a.out, a.passages)
    for kind in ("digits", "man"):
        for c in sorted(os.listdir(os.path.join(a.out, kind))):
            print(f"{kind}/{c}: {len(os.listdir(os.path.join(a.out, kind, c)))} files", file=sys.stderr)


if __name__ == "__main__":
    main()
