"""Reading `kindling embed DIR -o FILE.csv` for the benchmarks' peers.

Dense vectors come back as one float array. Wide ones (TF-IDF has a column per term: 143,874
for 2,000 manual pages) come back as a scipy CSR matrix, the form a scikit-learn user holds
them in, read a line at a time, so that a dense copy is never made.
"""

import numpy as np
from scipy import sparse

WIDE = 4096


def read(path, dtype=np.float32):
    """(ids, vectors) in file order; vectors dense up to WIDE columns, CSR above."""
    ids, rows = [], []
    with open(path, "rb") as f:
        width = len(next(f).split(b",")) - 1
        wide = width > WIDE
        indices, data, indptr = [], [], [0]
        for line in f:
            line = line.rstrip(b"\n")
            start = line.index(b",")
            ids.append(line[:start].decode())
            if not wide:
                rows.append(np.array(line[start + 1:].split(b","), dtype=dtype))
                continue
            # Most fields of a TF-IDF row are "0": find the others from the commas' places
            # and parse those alone (parsing every field takes a minute for 2,000 pages).
            text = np.frombuffer(line, dtype=np.uint8)
            commas = np.flatnonzero(text == ord(","))
            ends = np.append(commas[1:], len(text))
            zero = (ends - commas == 2) & (text[np.minimum(commas + 1, len(text) - 1)] == ord("0"))
            (kept,) = np.nonzero(~zero)
            indices.append(kept)
            data.append(np.array([float(line[commas[i] + 1:ends[i]]) for i in kept], dtype=dtype))
            indptr.append(indptr[-1] + len(kept))
    if not wide:
        return ids, np.vstack(rows) if rows else np.zeros((0, width), dtype)
    matrix = sparse.csr_matrix((np.concatenate(data), np.concatenate(indices), np.array(indptr)),
                               shape=(len(ids), width))
    return ids, matrix


def unit(x):
    """Each row scaled to length one, as `similar`, `clusters` and `map` use the vectors."""
    if sparse.issparse(x):
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        return sparse.diags(1 / np.maximum(norms, 1e-12)) @ x
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
