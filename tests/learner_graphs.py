"""Real ML-100K graphs for the learner tests, built from the files (no Neo4j), cached per process."""

from __future__ import annotations

from functools import cache

from torch_geometric.data import HeteroData

from benchmarks.file_datasets import lastfm_2k, movielens_100k

# knowledge for the tests: genres and the smaller DBpedia properties (dct:subject alone is 23k triples)
TEST_RELATIONS = ("has_genre", "director", "starring", "writer", "producer")


@cache
def ml100k(max_users: int | None = None, knowledge: bool = False) -> HeteroData:
    """ML-100K (users with id ≤ ``max_users`` when given, knowledge limited to ``TEST_RELATIONS``);
    treat as read-only."""
    return movielens_100k(max_users=max_users, knowledge=knowledge, relations=TEST_RELATIONS)


@cache
def lastfm(max_users: int | None = None) -> HeteroData:
    """HetRec Last.fm 2K with its friend network (the ``max_users`` smallest user ids when given)."""
    return lastfm_2k(max_users=max_users)
