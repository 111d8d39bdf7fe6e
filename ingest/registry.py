"""The datasets kgrec knows by name: `get(name)`, `names()`."""

from __future__ import annotations

from ingest.datasets import amazon_kg, ciao_epinions, dbbook, kgat, lastfm, movielens100k
from ingest.spec import DatasetSpec

DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (movielens100k.SPEC, dbbook.SPEC, dbbook.BINARY_SPEC, lastfm.SPEC, kgat.SPEC, amazon_kg.BOOKS,
                 amazon_kg.MOVIES_TV, ciao_epinions.CIAO, ciao_epinions.EPINIONS)
}


class UnknownDataset(KeyError):
    def __str__(self) -> str:
        return f"unknown dataset {self.args[0]!r}; known: {', '.join(sorted(DATASETS))}"


def get(name: str) -> DatasetSpec:
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownDataset(name) from None


def names() -> list[str]:
    return sorted(DATASETS)
