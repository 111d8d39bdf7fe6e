"""Warm start: a previous version's embeddings are copied into a fresh model where the model allows it."""

from __future__ import annotations

import numpy as np
from learner_graphs import ml100k

from learner.train import train

FAST = {"num_threads": 1, "progress": False}


def test_bprmf_starts_from_the_given_rows_and_unknown_rows_keep_their_init(tmp_path) -> None:
    data = ml100k(200)
    first = train(data, "bprmf", "u1", epochs=3, dim=16, run_dir=tmp_path / "a", **FAST)
    users, items = first.user_embeddings.copy(), first.item_embeddings.copy()
    users[:10] = np.nan  # ten users the previous version did not know
    again = train(data, "bprmf", "u1", epochs=1, lr=1e-12, dim=16, run_dir=tmp_path / "b",
                  warm_start=(users, items), **FAST)
    assert again.params["warm_started"] is True
    np.testing.assert_allclose(again.user_embeddings[10:], users[10:], atol=1e-5)
    np.testing.assert_allclose(again.item_embeddings, items, atol=1e-5)
    assert not np.allclose(again.user_embeddings[:10], first.user_embeddings[:10], atol=1e-3)
    assert abs(again.metrics["valid"]["ndcg@20"] - first.metrics["valid"]["ndcg@20"]) < 0.02


def test_models_without_tables_train_from_scratch(tmp_path) -> None:
    data = ml100k(200)
    rows = np.zeros((data["user"].num_nodes, 16), np.float32), np.zeros((data["item"].num_nodes, 16), np.float32)
    result = train(data, "lightgcn", "u1", epochs=1, dim=16, run_dir=tmp_path, warm_start=rows, **FAST)
    assert result.params["warm_started"] is False
