"""Bayesian FM (MCMC, myfm) on real ML-100K u1 (users with id ≤ 300) with genre and director knowledge: it beats the
global mean, and its [users × items] posterior-mean matrix equals the sampler's own predictions; on the full graph
exported from Neo4j it reads the genres stored there."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from learner_graphs import ml100k
from neo4j import Driver

from graphstore.export import export_graph
from learner.models import TrainGraph, get_model
from learner.splits import make_split
from learner.train import train

RELATIONS = ("has_genre", "director")


def _mean_rmse() -> float:
    split = make_split(ml100k(300), "u1", seed=0)
    return math.sqrt(float(((split.ratings("test") - split.ratings("train").mean()) ** 2).mean()))


@pytest.mark.parametrize("ordinal", [False, True])
def test_bayesian_fm_beats_the_global_mean(ordinal: bool, tmp_path: Path) -> None:
    result = train(ml100k(300, knowledge=True), "bayesian-fm", "u1", n_iter=30, burn_in=10, relations=RELATIONS,
                   ordinal=ordinal, refit=True, run_dir=tmp_path, num_threads=1, progress=False)
    assert result.monitor == "rmse"
    assert result.metrics["test"]["rmse"] < _mean_rmse() - 0.05, (result.metrics["test"], _mean_rmse())
    assert result.model.groups == ["user", "implicit_user", "item", "implicit_item", *RELATIONS]
    assert (tmp_path / "predictions.npz").exists()


def test_posterior_mean_matches_the_samplers_predictions() -> None:
    import myfm

    data = ml100k(300, knowledge=True)
    split = make_split(data, "u1", seed=0)
    graph = TrainGraph(split.num_users, split.num_items, *split.pairs("train"), split.ratings("train"), data,
                       torch.device("cpu"))
    model = get_model("bayesian-fm", num_users=split.num_users, num_items=split.num_items, relations=RELATIONS)
    users, items, sizes = model.design(graph)
    # N(u) and N(i): the training ratings only, never the held-out rows
    assert users[:, split.num_users:].nnz == items[:, split.num_items:split.num_items + split.num_users].nnz == len(
        graph.rating)
    fm = myfm.MyFMRegressor(rank=4, random_seed=0).fit(
        None, graph.rating.double().numpy(), X_rel=[myfm.RelationBlock(graph.user.numpy(), users),
                                                     myfm.RelationBlock(graph.item.numpy(), items)],
        group_shapes=sizes, n_iter=12, n_kept_samples=6)
    test_users, test_items = (t.numpy() for t in split.pairs("test"))
    theirs = fm.predict(None, [myfm.RelationBlock(test_users, users), myfm.RelationBlock(test_items, items)])
    ours = model.posterior_mean(fm, users, items, 1.0)[test_users, test_items]
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)


def test_bayesian_fm_on_the_graph_exported_from_neo4j(ml100k_graph: Driver, tmp_path: Path) -> None:
    data = export_graph(ml100k_graph, "movielens-100k")
    split = make_split(data, "u1", seed=0)
    mean = math.sqrt(float(((split.ratings("test") - split.ratings("train").mean()) ** 2).mean()))
    result = train(data, "bayesian-fm", split, n_iter=20, burn_in=5, relations=["has_genre"], run_dir=tmp_path,
                   num_threads=1, progress=False)
    assert result.model.groups[-1] == "has_genre"
    assert result.metrics["test"]["rmse"] < mean - 0.1, (result.metrics["test"], mean)
