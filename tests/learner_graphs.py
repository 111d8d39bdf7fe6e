"""Real ML-100K graphs for the learner tests, built from the files (no Neo4j), cached per process."""

from __future__ import annotations

from functools import cache

from torch_geometric.data import HeteroData

from benchmarks.file_datasets import movielens_100k


@cache
def ml100k(max_users: int | None = None, knowledge: bool = False) -> HeteroData:
    """ML-100K (users with id ≤ ``max_users`` when given); treat as read-only."""
    return movielens_100k(max_users=max_users, knowledge=knowledge)
