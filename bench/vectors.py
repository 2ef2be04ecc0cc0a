"""Reading `kindling embed DIR -o FILE.csv` for the benchmarks' peers.

Dense vectors (`id,v0,v1,…`) come back as one float array. Sparse ones (TF-IDF has a column
per term: 143,874 for 2,000 manual pages) are written long, `id,dimension,value` a non-zero
value a line, and come back as a scipy CSR matrix, the form a scikit-learn user holds them
in; a dense copy is never made.
"""

import numpy as np
from scipy import sparse


def read(path, dtype=np.float32):
    """(ids, vectors) in file order: a float array, or CSR for sparse vectors."""
    with open(path, "rb") as f:
        header = next(f).rstrip(b"\r\n")
        if header == b"id,dimension,value":
            return read_long(f, dtype)
        width = len(header.split(b",")) - 1
        ids, rows = [], []
        for line in f:
            line = line.rstrip(b"\r\n")
            start = line.index(b",")
            ids.append(line[:start].decode())
            rows.append(np.array(line[start + 1:].split(b","), dtype=dtype))
    return ids, np.vstack(rows) if rows else np.zeros((0, width), dtype)


def read_long(lines, dtype):
    """The rest of a long file: a sample's lines are together, in the samples' order."""
    ids, indices, data, indptr = [], [], [], [0]
    for line in lines:
        # An id may hold commas (then it is quoted): the last two fields are the numbers.
        name, j, v = line.rstrip(b"\r\n").rsplit(b",", 2)
        name = name.decode()
        if name.startswith('"'):
            name = name[1:-1].replace('""', '"')
        if not ids or ids[-1] != name:
            ids.append(name)
            indptr.append(indptr[-1])
        indices.append(int(j))
        data.append(float(v))
        indptr[-1] += 1
    width = max(indices) + 1 if indices else 0
    matrix = sparse.csr_matrix((np.array(data, dtype=dtype), np.array(indices), np.array(indptr)),
                               shape=(len(ids), width))
    matrix.eliminate_zeros()
    return ids, matrix


def unit(x):
    """Each row scaled to length one, as `similar`, `clusters` and `map` use the vectors."""
    if sparse.issparse(x):
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        return sparse.diags(1 / np.maximum(norms, 1e-12)) @ x
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
