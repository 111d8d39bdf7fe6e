"""Every ranking and rating metric against a brute-force pure-Python reference on small random cases."""

from __future__ import annotations

import math
import random

import pytest
import torch

from learner.metrics import RANKING_METRICS, mae, ranking_metrics, rmse


def reference(scores: list[list[float]], truth: dict[int, set[int]], excluded: dict[int, set[int]],
              ks: list[int]) -> dict[str, float]:
    """Textbook definitions, one user at a time, with plain Python lists."""
    out = {f"{m}@{k}": 0.0 for m in RANKING_METRICS for k in ks}
    shown: dict[int, set[int]] = {k: set() for k in ks}
    users = sorted(u for u, items in truth.items() if items)
    for u in users:
        candidates = [i for i in range(len(scores[u])) if i not in excluded.get(u, set())]
        ranking = sorted(candidates, key=lambda i: -scores[u][i])
        rel = truth[u]
        for k in ks:
            top = ranking[:k]
            shown[k].update(top)
            flags = [1 if i in rel else 0 for i in top]
            hits = sum(flags)
            out[f"recall@{k}"] += hits / len(rel)
            out[f"precision@{k}"] += hits / k
            out[f"hit@{k}"] += 1.0 if hits else 0.0
            dcg = sum(f / math.log2(j + 2) for j, f in enumerate(flags))
            idcg = sum(1 / math.log2(j + 2) for j in range(min(len(rel), k)))
            out[f"ndcg@{k}"] += dcg / idcg
            first = next((j for j, f in enumerate(flags) if f), None)
            out[f"mrr@{k}"] += 0.0 if first is None else 1 / (first + 1)
            ap = sum(sum(flags[: j + 1]) / (j + 1) for j, f in enumerate(flags) if f)
            out[f"map@{k}"] += ap / min(len(rel), k)
    result = {name: value / len(users) for name, value in out.items()}
    for k in ks:
        result[f"coverage@{k}"] = len(shown[k]) / len(scores[0])
    return result


def random_case(seed: int, n_users: int, n_items: int):
    rng = random.Random(seed)
    scores = [[rng.random() for _ in range(n_items)] for _ in range(n_users)]
    truth: dict[int, set[int]] = {}
    excluded: dict[int, set[int]] = {}
    for u in range(n_users):
        items = list(range(n_items))
        rng.shuffle(items)
        n_ex = rng.randint(0, n_items // 2)
        n_rel = rng.randint(0, min(8, n_items - n_ex))  # some users have nothing to evaluate
        excluded[u] = set(items[:n_ex])
        truth[u] = set(items[n_ex:n_ex + n_rel])
    return scores, truth, excluded


def pairs(mapping: dict[int, set[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    flat = [(u, i) for u, items in mapping.items() for i in sorted(items)]
    t = torch.tensor(flat, dtype=torch.long).reshape(-1, 2)
    return t[:, 0], t[:, 1]


@pytest.mark.parametrize("seed", range(6))
def test_ranking_metrics_match_brute_force(seed: int) -> None:
    n_users, n_items = 7 + seed, 12 + 3 * seed
    scores, truth, excluded = random_case(seed, n_users, n_items)
    ks = [1, 3, 5, 10]
    expected = reference(scores, truth, excluded, ks)
    matrix = torch.tensor(scores)
    # split the exclusion set in two parts, as train + validation are when evaluating test
    ex_u, ex_i = pairs(excluded)
    half = ex_u.numel() // 2
    got = ranking_metrics(lambda users: matrix[users], n_users, n_items, pairs(truth),
                          exclude=[(ex_u[:half], ex_i[:half]), (ex_u[half:], ex_i[half:])], ks=ks, batch_size=3)
    assert got["users"] == sum(1 for items in truth.values() if items)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-6), name


def test_ranking_metrics_perfect_and_worst_scorer() -> None:
    truth = {0: {1, 2}, 1: {0}}
    scores = torch.tensor([[0.0, 5.0, 4.0, 1.0], [9.0, 1.0, 2.0, 3.0]])
    got = ranking_metrics(lambda u: scores[u], 2, 4, pairs(truth), ks=[2])
    for name in ("recall@2", "ndcg@2", "hit@2", "mrr@2", "map@2"):
        assert got[name] == pytest.approx(1.0), name
    got = ranking_metrics(lambda u: -scores[u], 2, 4, pairs(truth), ks=[2])
    assert got["recall@2"] == 0.0 and got["ndcg@2"] == 0.0


def test_ranking_metrics_reject_bad_scorer_shape() -> None:
    with pytest.raises(ValueError, match="scorer returned shape"):
        ranking_metrics(lambda u: torch.zeros(len(u), 3), 2, 4, pairs({0: {1}}), ks=[2])


def test_rmse_and_mae_match_brute_force() -> None:
    rng = random.Random(3)
    pred = [rng.uniform(1, 5) for _ in range(50)]
    true = [float(rng.randint(1, 5)) for _ in range(50)]
    ref_rmse = math.sqrt(sum((p - t) ** 2 for p, t in zip(pred, true, strict=True)) / len(pred))
    ref_mae = sum(abs(p - t) for p, t in zip(pred, true, strict=True)) / len(pred)
    assert rmse(torch.tensor(pred), torch.tensor(true)) == pytest.approx(ref_rmse, rel=1e-6)
    assert mae(torch.tensor(pred), torch.tensor(true)) == pytest.approx(ref_mae, rel=1e-6)
    with pytest.raises(ValueError):
        rmse(torch.zeros(3), torch.zeros(2))
