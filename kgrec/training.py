"""Train on a Neo4j export and write the embeddings back as a new model version (used by `kgrec train`
and by the pipeline). The learner works on tensors only; this module joins it to graphstore."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from neo4j import Driver
from pydantic import BaseModel, ConfigDict, Field
from torch_geometric.data import HeteroData

from graphstore.models import write_model_version
from learner.evaluate import known_pairs
from learner.metrics import ranking_metrics
from learner.models import MODELS, resolve_name
from learner.splits import Split, make_split
from learner.train import TrainResult, check_choices, train

log = logging.getLogger(__name__)

Embeddings = tuple[list[str], np.ndarray]  # (ids, matrix) as stored in Neo4j


class TrainOptions(BaseModel):
    """What to train: the model by registry name, the evaluation split and hyper-parameters."""

    model_config = ConfigDict(extra="forbid")
    model: str = "lightgcn"
    split: str = Field("random", description="an official split (u1…u5, ua, ub, kgat), 'random' or 'temporal'")
    epochs: int | None = None
    lr: float | None = None
    dim: int = 64
    batch_size: int | None = Field(None, ge=1)
    patience: int = Field(10, ge=1, description="validation checks without improvement before stopping")
    seed: int = 0
    device: str = "auto"
    params: dict[str, Any] = Field(default_factory=dict, description="model-specific keyword arguments")
    warm_start: bool = Field(True, description="start from the active version's embeddings where the model allows")


# learner.train options TrainOptions lacks
TRAIN_PARAMS = ("weight_decay", "eval_every", "monitor", "valid_frac", "negatives")


def check_params(model: str, params: dict[str, Any]) -> None:
    """`params` hold only the model's constructor arguments and TRAIN_PARAMS, with a monitor and negatives the
    trainer knows (ValueError naming the others): a key TrainOptions sets itself (dim, epochs, batch_size, …)
    reached the trainer twice, a TypeError, and an unknown one or value failed only after the export."""
    cls = MODELS[resolve_name(model)]
    own = [name for name in TrainOptions.model_fields if name != "params"]
    for key in params:
        if key in own:
            raise ValueError(f"{key} has its own option (--{key.replace('_', '-')}, or train.{key} in a pipeline "
                             "config), not a model argument")
    allowed = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "num_users", "num_items",
                                                                                  *own)]
    if unknown := sorted(set(params) - {*allowed, *TRAIN_PARAMS}):
        raise ValueError(f"model {model!r} takes no {', '.join(unknown)}; its arguments are {allowed}, and training "
                         f"takes {', '.join(TRAIN_PARAMS)}")
    check_choices(model, params.get("monitor"), params.get("negatives", "all"))


def check_split(driver: Driver, dataset: str, split: str) -> None:
    """`split` is one the dataset has (ValueError naming those it has): a typo such as u6 was found only after the
    export."""
    from graphstore.export import official_splits
    from learner.splits import GENERATED_SPLITS

    available = [*official_splits(driver, dataset), *GENERATED_SPLITS]
    if split not in available:
        raise ValueError(f"dataset {dataset!r} has no split {split!r}; it has {', '.join(available)}")


@dataclass
class TrainOutcome:
    model_name: str
    run_dir: Path
    version: int | None  # None: the model has no embeddings to serve
    activated: bool
    test_metrics: dict[str, float]
    valid_metrics: dict[str, float]
    train_seconds: float
    warm_started: bool = False


def align(ids: list[str], stored: Embeddings) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `stored` in the order of `ids` (zeros where missing) and a mask of the rows found."""
    stored_ids, matrix = stored
    pos = pd.Index(np.asarray(stored_ids, dtype=object)).get_indexer(np.asarray(ids, dtype=object))
    out = np.zeros((len(ids), matrix.shape[1]), dtype=np.float32)
    found = pos >= 0
    out[found] = matrix[pos[found]]
    return out, found


def evaluate_embeddings(data: HeteroData, split: Split, users: Embeddings, items: Embeddings, similarity: str,
                        ks: tuple[int, ...] = (10, 20)) -> dict[str, float]:
    """Full-ranking test metrics of stored embeddings on `split`; users they do not know are folded in
    as the mean of their training items' embeddings, items they do not know score nothing."""
    user_mat, known = align(data["user"].ids, users)
    item_mat, _ = align(data["item"].ids, items)
    u = torch.from_numpy(user_mat)
    i = torch.from_numpy(item_mat)
    tr_u, tr_i = split.pairs("train")
    if not known.all():
        sums = torch.zeros_like(u).index_add_(0, tr_u, i[tr_i])
        counts = torch.bincount(tr_u, minlength=u.size(0)).clamp(min=1).unsqueeze(1)
        missing = torch.from_numpy(~known)
        u[missing] = (sums / counts)[missing]
    if similarity == "cosine":
        u = torch.nn.functional.normalize(u, dim=1)
        i = torch.nn.functional.normalize(i, dim=1)
    return ranking_metrics(lambda batch: u[batch] @ i.T, split.num_users, split.num_items, split.pairs("test"),
                           exclude=known_pairs(split, "test"), ks=ks)


def warm_start_rows(data: HeteroData, users: Embeddings, items: Embeddings) -> tuple[np.ndarray, np.ndarray]:
    """Stored embeddings aligned with `data`'s users and items; NaN rows for ids the version does not know."""
    out = []
    for ids, stored in ((data["user"].ids, users), (data["item"].ids, items)):
        rows, found = align(ids, stored)
        rows[~found] = np.nan
        out.append(rows)
    return out[0], out[1]


def train_and_write(driver: Driver, data: HeteroData, options: TrainOptions, *, keep: int = 3,
                    decide: Callable[[TrainResult, Split], bool] | None = None,
                    runs_dir: Path | None = None,
                    warm_from: tuple[Embeddings, Embeddings] | None = None) -> TrainOutcome:
    """Train `options.model` on `data` (warm-started from `warm_from` when given and the model allows);
    write its embeddings as a new version, activated when `decide` (the promotion gate) says so — always,
    without a gate."""
    split = make_split(data, options.split, seed=options.seed)
    warm = warm_start_rows(data, *warm_from) if warm_from is not None and options.warm_start else None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    run_dir = None if runs_dir is None else runs_dir / f"{data.dataset}-{options.model}-{options.split}-{stamp}"
    result = train(data, model=options.model, split=split, epochs=options.epochs, lr=options.lr, dim=options.dim,
                   batch_size=options.batch_size, patience=options.patience, seed=options.seed,
                   device=options.device, run_dir=run_dir, warm_start=warm, **options.params)
    version, activated = None, False
    if result.user_embeddings is not None and result.item_embeddings is not None:
        activated = decide(result, split) if decide is not None else True
        metrics = {**{f"test/{k}": v for k, v in result.metrics["test"].items()},
                   **{f"valid/{k}": v for k, v in result.metrics["valid"].items()}}
        mv = write_model_version(driver, data.dataset, result.model_name, result.user_ids, result.user_embeddings,
                                 result.item_ids, result.item_embeddings, result.similarity or "dot",
                                 params={**result.params, "split": options.split, "run_dir": str(result.run_dir)},
                                 metrics=metrics, activate=activated, keep=keep)
        version = mv.version
    else:
        log.info("%s has no embeddings to serve: metrics reported, nothing written to Neo4j", result.model_name)
    return TrainOutcome(result.model_name, result.run_dir, version, activated, result.metrics["test"],
                        result.metrics["valid"], result.train_seconds, bool(result.params.get("warm_started")))
