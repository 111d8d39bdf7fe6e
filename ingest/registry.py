"""The datasets kgrec knows by name (`get(name)`, `names()`), and folders of your own files (`get("./path")`)."""

from __future__ import annotations

from pathlib import Path

from ingest.datasets import amazon_kg, ciao_epinions, dbbook, kgat, lastfm, movielens1m, movielens100k
from ingest.datasets.own_files import own_spec
from ingest.spec import DatasetSpec

DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        movielens100k.SPEC, movielens1m.SPEC, dbbook.SPEC, dbbook.BINARY_SPEC, lastfm.SPEC, kgat.SPEC,
        amazon_kg.BOOKS, amazon_kg.MOVIES_TV, ciao_epinions.CIAO, ciao_epinions.EPINIONS,
    )
}


class UnknownDataset(KeyError):
    def __str__(self) -> str:
        return (f"unknown dataset {self.args[0]!r} (not a folder either); known: {', '.join(sorted(DATASETS))}, "
                "or the path of a folder of your own files")


def get(name: str) -> DatasetSpec:
    """A registry entry by name, or the entry for a folder of your own files (see ingest/README.md)."""
    if name in DATASETS:
        return DATASETS[name]
    if Path(name).is_dir():
        return own_spec(Path(name))
    raise UnknownDataset(name)


def names() -> list[str]:
    return sorted(DATASETS)
