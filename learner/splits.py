"""Train / validation / test splits of a graph's interactions, by name.

- an official split name from ``data.split_names`` (``u1`` … ``ub``, ``kgat``): test = rows whose
  ``test_in`` bit is set; the rest is train, from which a seeded per-user validation share is carved;
- ``random``: a seeded per-user random split (default 80/10/10), all interactions as implicit feedback;
- ``temporal``: per user, the latest interactions by ``ts`` are test, the ones before them validation.

Every user keeps at least one training interaction; shares are rounded half up per user.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from learner.data import Interactions, interactions

GENERATED_SPLITS = ("random", "temporal")


@dataclass(frozen=True)
class Split:
    """Index tensors into ``interactions`` (edge positions) for each part of a split."""

    name: str
    interactions: Interactions
    train: Tensor
    valid: Tensor
    test: Tensor
    seed: int

    @property
    def num_users(self) -> int:
        return self.interactions.num_users

    @property
    def num_items(self) -> int:
        return self.interactions.num_items

    def part(self, which: str) -> Tensor:
        if which not in ("train", "valid", "test"):
            raise ValueError(f"unknown split part {which!r} (train, valid or test)")
        return getattr(self, which)

    def pairs(self, which: str) -> tuple[Tensor, Tensor]:
        """(users, items) of one part."""
        idx = self.part(which)
        return self.interactions.user[idx], self.interactions.item[idx]

    def ratings(self, which: str) -> Tensor:
        return self.interactions.rating[self.part(which)]

    def sizes(self) -> dict[str, int]:
        return {p: int(self.part(p).numel()) for p in ("train", "valid", "test")}


def available_splits(data: HeteroData | Interactions) -> list[str]:
    """Split names ``make_split`` accepts for ``data``."""
    return [*data.split_names, *GENERATED_SPLITS]


def _rank_within_user(user: Tensor, order_key: Tensor, num_users: int) -> tuple[Tensor, Tensor]:
    """Per edge: its 0-based position among its user's edges sorted by ``order_key``; and each user's count."""
    by_key = torch.argsort(order_key, stable=True)
    order = by_key[torch.argsort(user[by_key], stable=True)]
    counts = torch.bincount(user, minlength=num_users)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.empty_like(user)
    rank[order] = torch.arange(user.numel()) - starts[user[order]]
    return rank, counts


def _share(counts: Tensor, frac: float) -> Tensor:
    return torch.floor(counts.double() * frac + 0.5).long()


def _holdout(user: Tensor, order_key: Tensor, num_users: int, test_frac: float,
             valid_frac: float) -> tuple[Tensor, Tensor]:
    """Masks (test, valid): per user the first ``test_frac`` share by ``order_key`` is test, the next valid."""
    rank, counts = _rank_within_user(user, order_key, num_users)
    n_test = torch.minimum(_share(counts, test_frac), (counts - 1).clamp(min=0))
    n_valid = torch.minimum(_share(counts, valid_frac), (counts - 1 - n_test).clamp(min=0))
    test = rank < n_test[user]
    valid = ~test & (rank < (n_test + n_valid)[user])
    return test, valid


def make_split(data: HeteroData | Interactions, name: str, *, seed: int = 0, valid_frac: float = 0.1,
               test_frac: float = 0.1) -> Split:
    """The split called ``name`` (official name, ``random`` or ``temporal``), deterministic for a ``seed``.

    ``valid_frac`` is each user's validation share (of all interactions for generated splits, of the
    non-test ones for official splits); ``test_frac`` applies to generated splits only.
    """
    inter = data if isinstance(data, Interactions) else interactions(data)
    if not (0 <= valid_frac < 1 and 0 <= test_frac < 1 and valid_frac + test_frac < 1):
        raise ValueError(f"valid_frac={valid_frac} and test_frac={test_frac} must be in [0, 1) and sum below 1")
    gen = torch.Generator().manual_seed(seed)
    noise = torch.randperm(len(inter), generator=gen)
    all_idx = torch.arange(len(inter))
    if name in inter.split_names:
        bit = inter.split_names.index(name)
        test = ((inter.test_in >> bit) & 1).bool()
        rest = all_idx[~test]
        if rest.numel() == 0 or not bool(test.any()):
            raise ValueError(f"official split {name!r} has an empty train or test part")
        _, valid_rest = _holdout(inter.user[rest], noise[rest], inter.num_users, 0.0, valid_frac)
        valid = torch.zeros(len(inter), dtype=torch.bool)
        valid[rest[valid_rest]] = True
    elif name == "random":
        test, valid = _holdout(inter.user, noise, inter.num_users, test_frac, valid_frac)
    elif name == "temporal":
        # latest first; random order among equal timestamps
        order = noise[torch.argsort(-inter.ts[noise], stable=True)]
        key = torch.empty_like(noise)
        key[order] = all_idx
        test, valid = _holdout(inter.user, key, inter.num_users, test_frac, valid_frac)
    else:
        raise ValueError(f"unknown split {name!r}; this graph has: {', '.join(available_splits(inter))}")
    train = ~test & ~valid
    return Split(name=name, interactions=inter, train=all_idx[train], valid=all_idx[valid], test=all_idx[test],
                 seed=seed)
