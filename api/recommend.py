"""Recommendations: which strategy serves a user, their vector, and the exact top-k with filters.

- `model`: the user has an embedding in the model version and no interaction recorded after it was trained.
- `fold-in`: the user is new to the model, or has interactions recorded since: their vector is the weighted
  mean of their items' embeddings (weights = their preference for each item), computed per request.
- `popularity`: no model version, or nothing to fold in from: the most interacted-with items.

Item matrices are loaded once per process and model version (a small LRU); the active version is looked
up with the user's state on every request, so activating a new version takes effect at once.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from api.errors import NotFound
from api.scoring import ItemMatrix, ItemTable, ModelInfo, Popularity, top_k
from graphstore import reads
from graphstore.reads import RequestSession

MATRIX_CACHE_SIZE = 4


class Strategy(enum.Enum):
    MODEL = "model"
    FOLD_IN = "fold-in"
    POPULARITY = "popularity"


@dataclass
class UserProfile:
    """What recommending to (and explaining for) one user needs."""

    dataset: str
    user_id: str
    exists: bool
    strategy: Strategy
    model: ModelInfo | None
    matrix: ItemMatrix | None
    vector: np.ndarray | None
    history: dict[str, float] = field(default_factory=dict)  # item id → rating or weight

    @property
    def history_fingerprint(self) -> int:
        """Changes whenever the history does (a new order of the same rows only costs a cache miss)."""
        return hash(tuple(self.history.items()))

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.dataset, self.user_id, self.model.key if self.model else None)

    def preferences(self, minimum: float = 0.0, limit: int | None = None) -> dict[str, float]:
        """Item id → value / the user's highest value, for items at or above `minimum` (the `limit` highest)."""
        if not self.history:
            return {}
        top = max(self.history.values())
        if top <= 0:
            return {}
        prefs = {item: value / top for item, value in self.history.items() if value / top >= minimum}
        if limit is not None and len(prefs) > limit:
            prefs = dict(sorted(prefs.items(), key=lambda kv: -kv[1])[:limit])
        return prefs


@dataclass(frozen=True)
class Ranked:
    item_id: str
    score: float
    rank: int


class Recommender:
    """Per-process caches (item matrices, popularity, dataset descriptions) and the ranking itself."""

    def __init__(self, popularity_ttl_s: float = 60.0, dataset_ttl_s: float = 60.0) -> None:
        self.popularity_ttl_s = popularity_ttl_s
        self.dataset_ttl_s = dataset_ttl_s
        self._matrices: OrderedDict[tuple[str, str, int], ItemMatrix] = OrderedDict()
        self._popularity: dict[str, tuple[float, Popularity]] = {}
        self._datasets: dict[str, tuple[float, dict[str, Any]]] = {}
        self._locks: dict[Any, asyncio.Lock] = {}

    def _lock(self, key: Any) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def dataset(self, s: RequestSession, name: str) -> dict[str, Any]:
        """The dataset's description (cached for a minute); NotFound when it is not ingested."""
        cached = self._datasets.get(name)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        row = await reads.dataset(s, name)
        if row is None:
            raise NotFound(f"unknown dataset {name!r}")
        self._datasets[name] = (time.monotonic() + self.dataset_ttl_s, row)
        return row

    async def matrix(self, s: RequestSession, model: ModelInfo) -> ItemMatrix:
        """The item matrix of a model version, read from Neo4j once per process."""
        if (cached := self._matrices.get(model.key)) is not None:
            self._matrices.move_to_end(model.key)
            return cached
        async with self._lock(model.key):
            if (cached := self._matrices.get(model.key)) is not None:
                return cached
            rows = await reads.item_embeddings(s, model.dataset, model.property)
            matrix = ItemMatrix.build(model, [r["id"] for r in rows], [r["vector"] for r in rows],
                                      [r["domains"] for r in rows])
            self._matrices[model.key] = matrix
            while len(self._matrices) > MATRIX_CACHE_SIZE:
                self._matrices.popitem(last=False)
            return matrix

    async def popularity(self, s: RequestSession, dataset: str) -> Popularity:
        cached = self._popularity.get(dataset)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        async with self._lock(("popularity", dataset)):
            cached = self._popularity.get(dataset)
            if cached and cached[0] > time.monotonic():
                return cached[1]
            rows = await reads.popularity(s, dataset)
            table = Popularity(ItemTable([r["id"] for r in rows], [r["domains"] for r in rows]),
                               np.asarray([r["interactions"] for r in rows], dtype=np.float64))
            self._popularity[dataset] = (time.monotonic() + self.popularity_ttl_s, table)
            return table

    async def profile(self, s: RequestSession, dataset: str, user_id: str,
                      model_name: str | None = None, model_version: int | None = None) -> UserProfile:
        """Decide the strategy for this user and compute their vector (one query, plus a matrix load per version)."""
        state = await reads.user_state(s, dataset, user_id, model_name, model_version)
        if not state["datasetExists"]:
            raise NotFound(f"unknown dataset {dataset!r}")
        if model_name is not None and state["model"] is None:
            which = f"{model_name} v{model_version}" if model_version is not None else model_name
            raise NotFound(f"no model version {which} for dataset {dataset!r}")
        history = dict(zip(state["historyIds"], state["historyValues"], strict=True))
        recorded_since = state["recordedSince"] > 0
        profile = UserProfile(dataset, user_id, state["userExists"], Strategy.POPULARITY, None, None, None, history)
        if state["model"] is None:
            return profile
        profile.model = ModelInfo.from_node(state["model"])
        profile.matrix = await self.matrix(s, profile.model)
        if state["vector"] is not None and not recorded_since:
            profile.strategy, profile.vector = Strategy.MODEL, np.asarray(state["vector"], dtype=np.float32)
            return profile
        prefs = profile.preferences()
        folded = profile.matrix.fold_in(list(prefs), list(prefs.values())) if prefs else None
        if folded is not None:
            profile.strategy, profile.vector = Strategy.FOLD_IN, folded
        return profile

    async def recommend(self, s: RequestSession, profile: UserProfile, first: int, domain: str | None = None,
                        exclude_seen: bool = True, linked_to: list[str] | None = None) -> list[Ranked]:
        """The `first` best items for this profile, exactly scored, with the filters applied."""
        if profile.strategy is Strategy.POPULARITY:
            table = await self.popularity(s, profile.dataset)
            items, scores = table.items, table.counts
        else:
            assert profile.matrix is not None and profile.vector is not None
            items, scores = profile.matrix.items, profile.matrix.scores(profile.vector)
        allowed = np.ones(len(items.ids), dtype=bool)
        if exclude_seen and profile.history:
            allowed[items.rows(profile.history)] = False
        if domain is not None:
            allowed &= items.domain_mask(domain)
        if linked_to:
            keep = np.zeros(len(items.ids), dtype=bool)
            keep[items.rows(await reads.items_linked_to(s, profile.dataset, linked_to))] = True
            allowed &= keep
        return [Ranked(items.ids[row], score, rank)
                for rank, (row, score) in enumerate(top_k(scores, first, allowed), start=1)]
