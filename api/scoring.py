"""Exact scoring in memory: a model version's item matrix, fold-in of user vectors, masked top-k.

Scores follow the model's similarity: `dot` → u·i, `cosine` → cos(u, i) (item rows are stored
normalised, so one matrix product serves both).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from graphstore.models import ModelVersion as ModelInfo  # a stored version, as the API scores with it


@dataclass
class ItemTable:
    """Items of one dataset in a fixed order, with their domain labels (Movie, Book, …)."""

    ids: list[str]
    domains: list[list[str]]
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {item_id: k for k, item_id in enumerate(self.ids)}

    def rows(self, ids: Iterable[str]) -> np.ndarray:
        """Row numbers of the known ids among `ids` (unknown ones are skipped)."""
        return np.fromiter((self.index[i] for i in ids if i in self.index), dtype=np.int64)

    def domain_mask(self, domain: str) -> np.ndarray:
        return np.fromiter((domain in d for d in self.domains), dtype=bool, count=len(self.ids))


@dataclass
class ItemMatrix:
    """One model version's item embeddings (rows normalised for cosine models)."""

    model: ModelInfo
    items: ItemTable
    vectors: np.ndarray

    @classmethod
    def build(cls, model: ModelInfo, ids: list[str], vectors: Sequence[Sequence[float]],
              domains: list[list[str]]) -> ItemMatrix:
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), model.dim)
        if model.similarity == "cosine":
            matrix = normalise(matrix)
        return cls(model, ItemTable(ids, domains), matrix)

    def scores(self, user_vector: np.ndarray) -> np.ndarray:
        """Exact scores of every item for this user vector, with the model's similarity."""
        u = np.asarray(user_vector, dtype=np.float32)
        if self.model.similarity == "cosine":
            u = normalise(u)
        return self.vectors @ u

    def fold_in(self, item_ids: Sequence[str], weights: Sequence[float]) -> np.ndarray | None:
        """A user vector from interacted items: the weighted mean of their embeddings (None if none is known).

        LightGCN builds a user's propagated embedding the same way (a normalised sum of item embeddings);
        for MF it places the user where their items point; cosine models average unit vectors.
        """
        pairs = [(self.items.index[i], w) for i, w in zip(item_ids, weights, strict=True)
                 if i in self.items.index and w > 0]
        if not pairs:
            return None
        rows = np.fromiter((p[0] for p in pairs), dtype=np.int64)
        w = np.fromiter((p[1] for p in pairs), dtype=np.float32)
        return (w[:, None] * self.vectors[rows]).sum(axis=0) / w.sum()


@dataclass
class Popularity:
    """How many users interacted with each item: the ranking for users nobody can fold in."""

    items: ItemTable
    counts: np.ndarray


def normalise(x: np.ndarray) -> np.ndarray:
    """Rows (or a vector) scaled to unit length; zero rows stay zero."""
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norm == 0, 1.0, norm)


def top_k(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The k best (row, score) pairs among allowed rows, best first (ties broken by row order)."""
    s = scores.astype(np.float64, copy=True)
    if allowed is not None:
        s[~allowed] = -np.inf
    k = min(k, int(np.isfinite(s).sum()))
    if k <= 0:
        return []
    part = np.argpartition(-s, k - 1)[:k] if k < len(s) else np.arange(len(s))
    order = part[np.lexsort((part, -s[part]))]
    return [(int(r), float(s[r])) for r in order]
