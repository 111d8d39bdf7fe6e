"""Knowledge-aware models on real ML-100K + DBpedia/genre knowledge (users with id ≤ 300, split u1)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from learner_graphs import ml100k

from learner.kge import INTERACTS, build_triples, make_kge
from learner.models import TrainGraph, get_model
from learner.splits import make_split
from learner.train import TrainResult, train

USERS = 300
FAST = {"num_threads": 1, "progress": False}


@pytest.fixture(scope="module")
def popularity(tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    return train(ml100k(USERS, True), "popularity", "u1", run_dir=tmp_path_factory.mktemp("pop"), **FAST)


def train_graph(knowledge: bool = True) -> TrainGraph:
    data = ml100k(USERS, knowledge)
    split = make_split(data, "u1")
    users, items = split.pairs("train")
    return TrainGraph(split.num_users, split.num_items, users, items, split.ratings("train"), data,
                      torch.device("cpu"), seed=0)


def test_collaborative_kg_triples_cover_interactions_and_knowledge() -> None:
    graph = train_graph()
    kg = build_triples(graph, include_users=True)
    assert kg.relations[0] == INTERACTS
    assert "item:director" in kg.relations and "item:has_genre" in kg.relations
    interacts = kg.triples[kg.triples[:, 1] == 0]
    assert interacts.size(0) == graph.user.numel()
    assert int(interacts[:, 0].max()) < graph.num_users <= int(interacts[:, 2].min())
    knowledge = kg.triples[kg.triples[:, 1] > 0]
    n_know = sum(int(graph.data[et].edge_index.size(1)) for et in graph.data.edge_types if et[2] == "entity")
    assert knowledge.size(0) == n_know
    assert int(knowledge[:, 2].min()) >= graph.num_users + graph.num_items  # tails are entities
    assert int(kg.triples.max()) < kg.num_entities


@pytest.mark.parametrize("name", ["transe", "distmult", "rotate"])
def test_kge_serving_embeddings_rank_exactly_like_pykeen(name: str) -> None:
    """The dot-product rewrite of a PyKEEN score holds for any weights (here: fresh, interactions only)."""
    graph = train_graph()
    model = get_model(name, num_users=graph.num_users, num_items=graph.num_items, dim=16, use_knowledge=False)
    model.prepare(graph)
    model.kge, model.loop, model.factory = make_kge(name, model.kg, 16, 0, torch.device("cpu"), 0.01)
    model.eval()
    with torch.no_grad():
        users_vec, items_vec = model.embeddings()
        users = torch.arange(0, graph.num_users, 37)
        dot = users_vec[users] @ items_vec.T
        hr = torch.stack([users, torch.zeros_like(users)], dim=1)  # relation 0 = interacts
        offset = model.kg.item_offset
        pykeen = model.kge.score_t(hr_batch=hr)[:, offset:offset + graph.num_items]
    if name == "distmult":
        assert torch.allclose(dot, pykeen, atol=1e-5)
    else:  # score = −‖q − t‖ and dot = q·t − ½‖t‖² = (‖q‖² − score²) / 2
        q_norm = users_vec[users, :-1].pow(2).sum(1, keepdim=True)
        assert torch.allclose(dot, (q_norm - pykeen.pow(2)) / 2, atol=1e-4)


@pytest.mark.parametrize(("model", "options"), [
    ("kgin", {"epochs": 15}),
    ("cke", {"epochs": 30, "kge_epochs": 3}),
    ("rotate", {"epochs": 10, "lr": 0.02, "patience": 10}),
])
def test_knowledge_models_beat_popularity(model: str, options: dict, popularity: TrainResult,
                                          tmp_path: Path) -> None:
    result = train(ml100k(USERS, True), model, "u1", run_dir=tmp_path, **FAST, **options)
    assert result.metrics["test"]["ndcg@20"] > popularity.metrics["test"]["ndcg@20"], result.metrics["test"]
    assert result.user_embeddings is not None and result.similarity == "dot"


def test_knowledge_models_refuse_graphs_without_knowledge(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs knowledge edges"):
        train(ml100k(USERS), "cke", "u1", run_dir=tmp_path, **FAST)


def test_collective_ease_uses_knowledge(popularity: TrainResult, tmp_path: Path) -> None:
    data = ml100k(USERS, True)
    split = make_split(data, "u1")
    plain = train(data, "ease", split, lam=100.0, run_dir=tmp_path / "plain", **FAST)
    with_kg = train(data, "ease", split, lam=100.0, knowledge_weight=1.0, run_dir=tmp_path / "kg", **FAST)
    assert with_kg.metrics["test"]["ndcg@20"] > popularity.metrics["test"]["ndcg@20"] + 0.03
    assert not torch.equal(plain.model.b, with_kg.model.b)
    assert with_kg.metrics["test"] != plain.metrics["test"]
