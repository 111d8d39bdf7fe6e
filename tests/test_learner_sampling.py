"""BPR mini-batches: every training interaction once per epoch, negatives that are not the user's training
positives, drawn from all items or only from the trained ones."""

from __future__ import annotations

import pytest
import torch
from learner_graphs import ml100k

from learner.sampling import bpr_batches, sample_negatives
from learner.train import train


def _interactions(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, int]:
    """30 users with 1-12 positives each among 50 items, of which items 40-49 have no interaction."""
    gen = torch.Generator().manual_seed(seed)
    users, items = [], []
    for u in range(30):
        chosen = torch.randperm(40, generator=gen)[: 1 + u % 12]
        users += [u] * chosen.numel()
        items += chosen.tolist()
    return torch.tensor(users), torch.tensor(items), 50


@pytest.mark.parametrize("negatives", ["all", "trained"])
def test_an_epoch_holds_every_interaction_once_with_a_negative_the_user_has_not_got(negatives: str) -> None:
    user, item, num_items = _interactions()
    batches = list(bpr_batches(user, item, num_items, 16, torch.Generator().manual_seed(1), torch.device("cpu"),
                               negatives))
    users = torch.cat([b.users for b in batches])
    pairs = sorted(zip(users.tolist(), torch.cat([b.items for b in batches]).tolist(), strict=True))
    assert pairs == sorted(zip(user.tolist(), item.tolist(), strict=True))
    negs = torch.cat([b.negatives for b in batches])
    positives = set(zip(user.tolist(), item.tolist(), strict=True))
    assert not any((u, j) in positives for u, j in zip(users.tolist(), negs.tolist(), strict=True))
    assert bool(((negs >= 0) & (negs < num_items)).all())
    if negatives == "trained":
        assert set(negs.tolist()) <= set(item.tolist())
    else:  # 10 of 50 items never interacted with: some of the ~200 draws land there
        assert (negs >= 40).any()


def test_negatives_come_from_the_candidates_given() -> None:
    users = torch.arange(200) % 5
    keys = torch.sort(users.unique() * 10 + 3).values  # every user's positive: item 3
    candidates = torch.tensor([3, 7, 8])
    neg = sample_negatives(users, 10, keys, torch.Generator().manual_seed(0), candidates=candidates)
    assert set(neg.tolist()) == {7, 8}


def test_negatives_and_the_monitor_are_training_options_checked_before_training(tmp_path) -> None:
    data = ml100k(100)
    result = train(data, "bprmf", "u1", epochs=2, eval_every=1, negatives="trained", run_dir=tmp_path,
                   num_threads=1, progress=False)
    assert result.params["negatives"] == "trained"
    with pytest.raises(ValueError, match="negatives must be one of"):
        train(data, "bprmf", "u1", epochs=1, negatives="popular", run_dir=tmp_path, num_threads=1, progress=False)
    with pytest.raises(ValueError, match="cannot monitor 'ndcg@50'"):
        train(data, "bprmf", "u1", epochs=1, monitor="ndcg@50", run_dir=tmp_path, num_threads=1, progress=False)
