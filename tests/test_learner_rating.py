"""Rating-prediction models (I-AutoRec, GLocal-K, biased MF, SVD++, KNN-baseline, their blend) on real ML-100K u1
(users with id ≤ 300): each beats the global mean on test and the blend is the least-squares mix of its retrained
members."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from learner_graphs import ml100k

from learner.models import TrainGraph
from learner.splits import make_split
from learner.train import train

FAST = {"num_threads": 1, "progress": False}


def _mean_rmse() -> float:
    split = make_split(ml100k(300), "u1", seed=0)
    return math.sqrt(float(((split.ratings("test") - split.ratings("train").mean()) ** 2).mean()))


@pytest.mark.parametrize(("model", "options"), [
    ("autorec", {"epochs": 8, "hidden": 100, "reg": 20.0}),
    ("biasedmf", {"epochs": 8}),
    ("svdpp", {"epochs": 8}),
    ("knn-baseline", {"k": 20}),
    ("knn-baseline", {"k": 20, "based": "user"}),
    # pre-training for 4 epochs, then the global-kernel fine-tuning stage
    ("glocal-k", {"epochs": 8, "hidden": 100, "pretrain_epochs": 4}),
    # the same with a fresh L-BFGS run per epoch (the paper's optimiser schedule)
    ("glocal-k", {"epochs": 8, "hidden": 100, "pretrain_epochs": 4, "restart_lbfgs": True}),
])
def test_rating_model_beats_the_global_mean(model: str, options: dict, tmp_path: Path) -> None:
    result = train(ml100k(300), model, "u1", patience=8, run_dir=tmp_path, **options, **FAST)
    assert result.monitor == "rmse"
    assert result.metrics["test"]["rmse"] < _mean_rmse() - 0.03, (result.metrics["test"], _mean_rmse())
    if model == "glocal-k":
        assert bool(result.model.fine_tuning) == (result.best_epoch > 4)
    if model == "svdpp":  # N(u): the training ratings only, never the held-out rows
        assert result.model.implicit._nnz() == result.split_sizes["train"]


def test_blend_mixes_members_with_least_squares_weights(tmp_path: Path) -> None:
    options = {"autorec": {"epochs": 6, "hidden": 100, "reg": 20.0}, "biasedmf": {"epochs": 6}}
    result = train(ml100k(300), "blend", "u1", members=["autorec", "biasedmf", "knn-baseline"],
                   member_options=options, run_dir=tmp_path, **FAST)
    blend = result.model
    assert len(blend.members) == 3 and all(1 <= e <= 6 for e in blend.chosen_epochs)
    assert result.metrics["test"]["rmse"] < _mean_rmse() - 0.03
    split = make_split(ml100k(300), "u1", seed=0)
    users, items = split.pairs("test")
    mixed = blend.weights[0] + sum(w * m.predict(users, items) for w, m in zip(blend.weights[1:], blend.members,
                                                                                strict=True))
    assert torch.allclose(blend.predict(users, items), mixed.clamp(1, 5))
    # the members were retrained on every rating the blend was given
    graph = TrainGraph(split.num_users, split.num_items, *split.pairs("train"), split.ratings("train"), ml100k(300),
                       torch.device("cpu"))
    assert int(blend.members[1].rating.numel()) == int(graph.rating.numel())
