"""The benchmark loaders for DBbook2014, Last.fm and KGAT amazon-book build contract graphs with the published
counts."""

from __future__ import annotations

import torch

from benchmarks.file_datasets import dbbook_2014, kgat_amazon_book, lastfm_2k
from learner.data import check_graph, knowledge_edges
from learner.splits import make_split


def test_dbbook_2014_ratings_and_librarything_knowledge() -> None:
    data = check_graph(dbbook_2014())
    assert (data["user"].num_nodes, data["item"].num_nodes) == (6181, 8170)
    rates = data["user", "rates", "item"]
    assert rates.edge_index.size(1) == 75558
    assert torch.bincount(rates.rating.long()).tolist() == [171, 1256, 4579, 18402, 28588, 22562]
    edges = knowledge_edges(data)
    assert sum(e.size(1) for e in edges.values()) == 35619  # as ingest loads (tests/test_ingest_dbbook.py)
    linked = torch.unique(torch.cat([e[0] for e in edges.values()]))
    assert len({data["item"].ids[i] for i in linked.tolist()}) == linked.numel() > 6000
    assert data.split_names == [] and make_split(data, "random", seed=0).sizes()["test"] > 7000


def test_lastfm_2k_dbpedia_knowledge_as_ingest_parses_it() -> None:
    data = check_graph(lastfm_2k(knowledge=True))
    assert (data["user"].num_nodes, data["item"].num_nodes) == (1892, 17632)
    edges = knowledge_edges(data)
    # one edge per (artist id, dbo property, entity): the 116,425 rows ingest parses (tests/test_ingest_lastfm.py)
    assert sum(e.size(1) for e in edges.values()) == 116425
    assert all(src == "item" for src, _, _ in edges)
    linked = torch.unique(torch.cat([e[0] for e in edges.values()]))
    assert linked.numel() == 9790  # artist ids with triples (9,404 distinct DBpedia IRIs; some share one)
    assert data["entity"].num_nodes == len(set(data["entity"].uris)) == 32669
    assert "entity" not in lastfm_2k().node_types  # knowledge only when asked for


def test_kgat_amazon_book_official_split() -> None:
    data = check_graph(kgat_amazon_book())
    assert (data["user"].num_nodes, data["item"].num_nodes) == (70679, 24915)
    assert data["user", "rates", "item"].edge_index.size(1) == 846434
    split = make_split(data, "kgat", seed=0)
    assert split.sizes()["test"] == 193920
    assert split.sizes()["train"] + split.sizes()["valid"] == 846434 - 193920
