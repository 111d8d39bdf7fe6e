"""Evaluate a model on one part of a split: full ranking (known items excluded) and rating errors."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from learner.metrics import DEFAULT_KS, mae, ranking_metrics, rmse
from learner.models.base import Recommender
from learner.splits import Split


def known_pairs(split: Split, part: str) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Interactions to exclude from the ranking when evaluating ``part``: train, plus valid for test."""
    return [split.pairs("train")] + ([split.pairs("valid")] if part == "test" else [])


@torch.no_grad()
def evaluate(model: Recommender, split: Split, part: str = "test", ks: Sequence[int] = DEFAULT_KS,
             batch_size: int = 1024, ranking: bool = True) -> dict[str, float]:
    """Ranking metrics ``name@k`` on ``part`` (``valid`` or ``test``) unless ``ranking`` is False; also
    ``rmse``/``mae`` for rating models."""
    if part not in ("valid", "test"):
        raise ValueError(f"can only evaluate on 'valid' or 'test', got {part!r}")
    was_training = model.training
    model.eval()
    try:
        out: dict[str, float] = {}
        if ranking:
            out = ranking_metrics(model.scorer(), split.num_users, split.num_items, split.pairs(part),
                                  exclude=known_pairs(split, part), ks=ks, batch_size=batch_size)
        if model.task == "rating":
            users, items = split.pairs(part)
            pred = model.predict(users.to(model.device), items.to(model.device)).cpu()
            target = split.ratings(part)
            out["rmse"], out["mae"] = rmse(pred, target), mae(pred, target)
    finally:
        model.train(was_training)
    return out
