"""Splits on real ML-100K: official bits respected, no leakage between parts, determinism per seed."""

from __future__ import annotations

import pytest
import torch
from learner_graphs import ml100k

from learner.data import GraphContractError, check_graph, interactions
from learner.splits import make_split


def keys(split, part: str) -> set[int]:
    u, i = split.pairs(part)
    return set((u * split.num_items + i).tolist())


@pytest.mark.parametrize("name", ["u1", "ua", "random", "temporal"])
def test_parts_are_disjoint_and_cover_everything(name: str) -> None:
    data = ml100k()
    split = make_split(data, name, seed=3)
    train, valid, test = keys(split, "train"), keys(split, "valid"), keys(split, "test")
    assert not (train & valid) and not (train & test) and not (valid & test)
    assert len(train) + len(valid) + len(test) == 100_000
    # every user keeps training data
    assert torch.unique(split.pairs("train")[0]).numel() == split.num_users


def test_official_split_matches_the_published_test_file() -> None:
    split = make_split(ml100k(), "u1", seed=0)
    assert split.sizes()["test"] == 20_000  # u1.test has 20,000 rows
    assert split.sizes()["train"] + split.sizes()["valid"] == 80_000
    # the validation share is carved per user from u1.base: about 10% of each user's rows
    assert 7_500 < split.sizes()["valid"] < 8_500


def test_random_split_is_per_user_80_10_10() -> None:
    split = make_split(ml100k(), "random", seed=0)
    u = split.interactions.user
    counts = torch.bincount(u, minlength=split.num_users).double()
    test_counts = torch.bincount(split.pairs("test")[0], minlength=split.num_users).double()
    assert torch.all((test_counts - 0.1 * counts).abs() <= 1.0)


def test_temporal_split_holds_out_each_users_latest_interactions() -> None:
    split = make_split(ml100k(), "temporal", seed=0)
    inter = split.interactions
    latest_train = torch.zeros(split.num_users, dtype=torch.long).scatter_reduce(
        0, inter.user[split.train], inter.ts[split.train], reduce="amax")
    earliest_held = torch.full((split.num_users,), 2**62).scatter_reduce(
        0, inter.user[split.test], inter.ts[split.test], reduce="amin")
    held_users = torch.unique(inter.user[split.test])
    assert torch.all(latest_train[held_users] <= earliest_held[held_users])


def test_splits_are_deterministic_per_seed() -> None:
    data = ml100k()
    a, b, c = (make_split(data, "random", seed=s) for s in (7, 7, 8))
    assert torch.equal(a.test, b.test) and torch.equal(a.valid, b.valid)
    assert not torch.equal(a.test, c.test)
    assert torch.equal(make_split(data, "u2", seed=1).valid, make_split(data, "u2", seed=1).valid)


def test_unknown_split_names_the_choices() -> None:
    with pytest.raises(ValueError, match="u1, u2"):
        make_split(ml100k(), "u9")


def test_check_graph_names_the_bad_field() -> None:
    data = ml100k().clone()
    data["user", "rates", "item"].ts = data["user", "rates", "item"].ts.float()
    with pytest.raises(GraphContractError, match=r"ts must be torch.int64"):
        check_graph(data)
    data = ml100k().clone()
    data["user", "rates", "item"].edge_index = data["user", "rates", "item"].edge_index.clone()
    data["user", "rates", "item"].edge_index[1, 0] = 5000
    with pytest.raises(GraphContractError, match="out of range"):
        interactions(data)
    data = ml100k().clone()
    data["user"].ids = data["user"].ids[:-1]
    with pytest.raises(GraphContractError, match=r"ids has 942 entries for 943 nodes"):
        check_graph(data)
