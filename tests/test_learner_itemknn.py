"""ItemKNN's sparse similarities and scores against a dense brute-force reference on small random cases."""

import numpy as np
import pytest
import torch
from torch_geometric.data import HeteroData

from learner.models.base import TrainGraph
from learner.models.itemknn import ItemKNN

USERS, ITEMS = 40, 23


def _fitted(x: np.ndarray, k: int, shrink: float, chunk: int) -> ItemKNN:
    users, items = np.nonzero(x)
    graph = TrainGraph(USERS, ITEMS, torch.from_numpy(users), torch.from_numpy(items),
                       torch.ones(len(users)), HeteroData(), torch.device("cpu"))
    model = ItemKNN(USERS, ITEMS, k=k, shrink=shrink, chunk=chunk)
    model.prepare(graph)
    return model


def _reference_similarity(x: np.ndarray, shrink: float) -> np.ndarray:
    """sim(j, i) = |U_j ∩ U_i| / (sqrt(|U_j| |U_i|) + shrink), zero on the diagonal."""
    counts = x.sum(0)
    sim = (x.T @ x) / (np.sqrt(np.outer(counts, counts)) + shrink + 1e-12)
    np.fill_diagonal(sim, 0.0)
    return sim


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("chunk", [5, 64])  # several blocks, one block
def test_scores_with_every_neighbour_kept_are_the_brute_force_sums(seed: int, chunk: int) -> None:
    x = (np.random.default_rng(seed).random((USERS, ITEMS)) < 0.2).astype(np.float64)
    model = _fitted(x, k=ITEMS - 1, shrink=3.0, chunk=chunk)
    users = torch.tensor([0, 7, 39, 12])
    expected = x[users.numpy()] @ _reference_similarity(x, 3.0)
    np.testing.assert_allclose(model.scorer()(users).numpy(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_each_item_keeps_its_k_most_similar_neighbours(seed: int) -> None:
    """Ties make which neighbour is kept arbitrary, so the kept values are compared, per item."""
    x = (np.random.default_rng(seed).random((USERS, ITEMS)) < 0.3).astype(np.float64)
    k = 4
    model = _fitted(x, k=k, shrink=1.0, chunk=6)
    w = model.w.to_dense().numpy()  # w[j, i] = sim(j, i) for the kept neighbours j of item i
    sim = _reference_similarity(x, 1.0)
    for i in range(ITEMS):
        kept = np.flatnonzero(w[:, i])
        np.testing.assert_allclose(w[kept, i], sim[kept, i], rtol=1e-5)
        np.testing.assert_allclose(np.sort(w[:, i])[-k:], np.sort(sim[:, i])[-k:], rtol=1e-5, atol=1e-7)
        assert len(kept) <= k and w[i, i] == 0.0
