"""Ciao and Epinions (Tang, Gao, Liu; ASU 2012): ratings and a directed trust network, MATLAB `.mat` files.

`rating`: rows [user, product, category, rating(, helpfulness)] → RATED (1-5); `trustnetwork`: rows
[truster, trustee] → TRUSTS. Ids are 1-based. A bad row is reported as `<file>:<row>` (1-based matrix row).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import scipy.io

from ingest.datasets.common import github_file
from ingest.quarantine import Quarantine
from ingest.records import DatasetMeta, Row, Section
from ingest.spec import DatasetSpec, Inputs

REPO, COMMIT = "sm823zw/Recommendation-System-Using-GNNs", "2639ad728a362bb6b7da578715e2e12a7b9ce519"


def load_matrix(path: Path, name: str, q: Quarantine, min_cols: int) -> np.ndarray:
    """The integer matrix `name` of a `.mat` file (an empty one, reported, when it is missing or malformed)."""
    try:
        matrix = scipy.io.loadmat(path)[name]
    except (KeyError, ValueError, OSError) as exc:
        q.reject(path, 0, f"malformed: no readable matrix {name!r} ({exc})")
        return np.zeros((0, min_cols), dtype=np.int64)
    if matrix.ndim != 2 or matrix.shape[1] < min_cols or not np.issubdtype(matrix.dtype, np.integer):
        q.reject(path, 0, f"malformed: {name!r} is {matrix.dtype} {matrix.shape}, expected integers × {min_cols}+")
        return np.zeros((0, min_cols), dtype=np.int64)
    return matrix.astype(np.int64)


def parse(inputs: Inputs, q: Quarantine) -> Iterator[Section]:
    """Users (raters and trust-network members), products, ratings, then trust links."""
    rpath, tpath = inputs["ratings"], inputs["trust"]
    ratings = load_matrix(rpath, "rating", q, 4)[:, :4]
    trust = load_matrix(tpath, "trustnetwork", q, 2)[:, :2]
    keep = _good_ratings(rpath, ratings, q)
    good = ratings[keep]
    items, first = np.unique(good[:, 1], return_index=True)
    users = np.union1d(good[:, 0], trust[(trust > 0).all(axis=1)].ravel())
    yield Section("users", "users", [{"id": str(u), "props": {}} for u in users.tolist()], sources=("ratings", "trust"))
    yield Section("items", "products", [{"id": str(i), "props": {"category": c}}
                                        for i, c in zip(items.tolist(), good[first, 2].tolist(), strict=True)],
                  sources=("ratings",))
    rows = ({"u": str(u), "i": str(i), "w": float(v), "ts": 0, "t": []} for u, i, _, v in good.tolist())
    yield Section("interactions", "ratings", rows, rel="RATED", total=len(good), sources=("ratings",))
    yield Section("social", "trust", _trust(tpath, trust, q), rel="TRUSTS", sources=("trust",))


def _good_ratings(path: Path, ratings: np.ndarray, q: Quarantine) -> np.ndarray:
    """Mask of the rows to load: rating in 1-5, positive ids, first of each (user, item); the others reported."""
    valid = (ratings[:, 3] >= 1) & (ratings[:, 3] <= 5) & (ratings[:, 0] >= 1) & (ratings[:, 1] >= 1)
    keys = ratings[:, 0] * (int(ratings[:, 1].max(initial=0)) + 1) + ratings[:, 1]
    rows = np.flatnonzero(valid)
    _, first = np.unique(keys[rows], return_index=True)
    keep = np.zeros(len(ratings), dtype=bool)
    keep[rows[first]] = True
    first_row = dict(zip(keys[keep].tolist(), (np.flatnonzero(keep) + 1).tolist(), strict=True))
    for n in (np.flatnonzero(~keep) + 1).tolist():
        user, item, category, value = ratings[n - 1].tolist()
        raw = f"{user} {item} {category} {value}"
        if not 1 <= value <= 5:
            q.reject(path, n, f"out of range: rating {value} not in [1, 5]", raw)
        elif not valid[n - 1]:
            q.reject(path, n, f"bad value: ids must be positive ({user}, {item})", raw)
        else:
            q.reject(path, n, f"duplicate: ({user}, {item}) first at row {first_row[int(keys[n - 1])]}", raw)
    return keep


def _trust(path: Path, trust: np.ndarray, q: Quarantine) -> Iterator[Row]:
    seen: set[tuple[int, int]] = set()
    for n, (truster, trustee) in enumerate(trust[:, :2].tolist(), start=1):
        if truster < 1 or trustee < 1 or truster == trustee:
            q.reject(path, n, f"bad value: trust link {truster} → {trustee}", f"{truster} {trustee}")
        elif (truster, trustee) in seen:
            q.reject(path, n, f"duplicate: trust link {truster} → {trustee}", f"{truster} {trustee}")
        else:
            seen.add((truster, trustee))
            yield {"u": str(truster), "v": str(trustee)}


def _spec(name: str, folder: str, shas: tuple[str, str], description: str) -> DatasetSpec:
    files = tuple(
        github_file(key, f"ciao-epinions-trust/{folder}/{file}", REPO, COMMIT, f"data/{folder}/{file}", sha)
        for key, file, sha in (("ratings", "rating.mat", shas[0]), ("trust", "trustnetwork.mat", shas[1]))
    )
    return DatasetSpec(
        meta=DatasetMeta(name, "products", "Product", explicit=True), description=description,
        homepage="https://www.cse.msu.edu/~tangjili/trust.html",
        licence="research use with citation (Tang, Gao, Liu, eTrust, KDD 2012); no licence stated; do not "
        "redistribute", files=files, parser=parse,
    )


CIAO = _spec("ciao", "ciao", ("aa793568686285a93286ba9e56954fcce347370ad2e58c785760362ab12d2c2c",
                              "0a8963ed22e6b534ce8d14e478f54ce0af6f5a3440a67ed5a35e62486580ce3a"),
             "Ciao: 7,375 users, 105,114 products, 284,086 ratings 1-5, 111,781 directed trust links")
EPINIONS = _spec("epinions", "epinions", ("4fe1dd12896dbfc3d2b3e696c749947382d9725add4545cb6c44ee11c8e22159",
                                          "9cd648ab98c2e02799bfed0ae186dbc8736e97178d18bf471cc168770f39cf0a"),
                 "Epinions: 22,164 users, 296,277 products, 922,267 ratings 1-5, 355,754 directed trust links")
