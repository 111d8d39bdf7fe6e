"""Social-aware ranking on real Last.fm (friend network) and rating prediction on real ML-100K."""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
from learner_graphs import lastfm, ml100k

from learner.models import TrainGraph, get_model
from learner.splits import make_split
from learner.train import train

FAST = {"num_threads": 1, "progress": False}
LASTFM_USERS = 400


def test_social_lightgcn_propagates_over_friend_links_and_beats_popularity(tmp_path: Path) -> None:
    data = lastfm(LASTFM_USERS)
    split = make_split(data, "random", seed=0)
    users, items = split.pairs("train")
    graph = TrainGraph(split.num_users, split.num_items, users, items, split.ratings("train"), data,
                       torch.device("cpu"))
    plain = get_model("lightgcn", num_users=split.num_users, num_items=split.num_items)
    social = get_model("social-lightgcn", num_users=split.num_users, num_items=split.num_items)
    plain.prepare(graph)
    social.prepare(graph)
    friends = data["user", "friend", "user"].edge_index
    undirected = torch.unique(torch.cat([friends, friends.flip(0)], 1), dim=1)
    assert social.adj._nnz() == plain.adj._nnz() + undirected.size(1)

    pop = train(data, "popularity", split, run_dir=tmp_path / "pop", **FAST)
    result = train(data, "social-lightgcn", split, epochs=20, lr=0.01, run_dir=tmp_path / "social", **FAST)
    assert result.metrics["test"]["ndcg@20"] > pop.metrics["test"]["ndcg@20"] + 0.02, result.metrics["test"]


def test_gcmc_predicts_ratings_better_than_the_global_mean(tmp_path: Path) -> None:
    data = ml100k(300)
    split = make_split(data, "u1", seed=0)
    result = train(data, "gcmc", split, epochs=30, eval_every=2, run_dir=tmp_path, **FAST)
    mean = split.ratings("train").mean()
    baseline = math.sqrt(float(((split.ratings("test") - mean) ** 2).mean()))
    assert result.monitor == "rmse"
    assert result.metrics["test"]["rmse"] < baseline - 0.05, (result.metrics["test"]["rmse"], baseline)
    assert result.metrics["test"]["mae"] < result.metrics["test"]["rmse"]
    assert result.user_embeddings is None  # a softmax decoder, no dot-product embeddings to serve


def test_refit_retrains_the_chosen_epochs_on_train_plus_validation(tmp_path: Path) -> None:
    data = ml100k(300)
    result = train(data, "bprmf", "u1", epochs=6, refit=True, run_dir=tmp_path, **FAST)
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    refit = [r for r in records if r["phase"] == "refit"]
    assert len(refit) == result.best_epoch and all("valid" not in r for r in refit)
    split = make_split(data, "u1", seed=0)
    assert result.split_sizes["train"] == split.sizes()["train"] + split.sizes()["valid"]
    assert result.split_sizes["test"] == split.sizes()["test"]
    assert torch.load(tmp_path / "best.pt", weights_only=True)["refit"] is True
