"""Mini-batches for training: (user, positive, sampled negative) triples, or observed ratings."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor

from learner.models.base import Batch


def sample_negatives(users: Tensor, num_items: int, positive_keys: Tensor, generator: torch.Generator,
                     rounds: int = 10) -> Tensor:
    """Uniform items per user, resampled (up to ``rounds`` times) where they hit a training positive.

    ``positive_keys`` is the sorted tensor ``user * num_items + item`` of the training interactions.
    """
    neg = torch.randint(0, num_items, users.shape, generator=generator)
    last = positive_keys.numel() - 1
    for _ in range(rounds):
        keys = users * num_items + neg
        clash = positive_keys[torch.searchsorted(positive_keys, keys).clamp(max=last)] == keys
        n = int(clash.sum())
        if n == 0:
            break
        neg[clash] = torch.randint(0, num_items, (n,), generator=generator)
    return neg


def bpr_batches(user: Tensor, item: Tensor, num_items: int, batch_size: int, generator: torch.Generator,
                device: torch.device) -> Iterator[Batch]:
    """One epoch over the training interactions in random order, each with one sampled negative."""
    user, item = user.cpu(), item.cpu()
    keys = torch.sort(user * num_items + item).values
    order = torch.randperm(user.numel(), generator=generator)
    neg = sample_negatives(user[order], num_items, keys, generator)
    for start in range(0, order.numel(), batch_size):
        idx = order[start:start + batch_size]
        yield Batch(users=user[idx].to(device), items=item[idx].to(device),
                    negatives=neg[start:start + batch_size].to(device))


def rating_batches(user: Tensor, item: Tensor, rating: Tensor, batch_size: int, generator: torch.Generator,
                   device: torch.device) -> Iterator[Batch]:
    """One epoch over observed (user, item, rating) rows in random order."""
    user, item, rating = user.cpu(), item.cpu(), rating.cpu()
    order = torch.randperm(user.numel(), generator=generator)
    for start in range(0, order.numel(), batch_size):
        idx = order[start:start + batch_size]
        yield Batch(users=user[idx].to(device), items=item[idx].to(device), ratings=rating[idx].to(device))
