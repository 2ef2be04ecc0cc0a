#!/usr/bin/env python3
"""The peer for bench/serve.py: FastAPI + scikit-learn serving the same model a Kindling
`logistic` run is (StandardScaler then LogisticRegression, fitted on the same training rows),
with the same request and answer:

    POST /predict {"rows": [{"f0": 1.2, ...}]} -> {"predictions": [{"predicted", "probabilities"}]}

    uvicorn --app-dir bench serve_fastapi:app   (TABLE=path/to/table.csv)
"""

import csv
import os

import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in rows[0] if c.startswith("f")]
    train = [r for r in rows if r["split"] == "train"]
    X = np.array([[float(r[c]) for c in columns] for r in train])
    y = np.array([r["label"] for r in train])
    return columns, make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)


COLUMNS, MODEL = load(os.environ["TABLE"])
CLASSES = [str(c) for c in MODEL.classes_]
app = FastAPI()


class Body(BaseModel):
    rows: list[dict[str, float | None]]


@app.post("/predict")
def predict(body: Body):
    X = np.array([[np.nan if r.get(c) is None else r[c] for c in COLUMNS] for r in body.rows])
    probs = MODEL.predict_proba(X)
    return {
        "predictions": [
            {"predicted": CLASSES[int(p.argmax())], "probabilities": dict(zip(CLASSES, map(float, p)))}
            for p in probs
        ]
    }
