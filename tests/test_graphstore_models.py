"""Model versions on real Neo4j: write-back, vector index, atomic activation, pruning, bad input."""

import numpy as np
import pytest
from neo4j import Driver

from graphstore.models import (
    ModelVersionError,
    activate_version,
    active_version,
    list_versions,
    load_embeddings,
    write_model_version,
)

USERS = [str(i) for i in range(1, 8)]
ITEMS = [f"i{i}" for i in range(1, 13)]


@pytest.fixture
def graph(db: Driver) -> Driver:
    db.execute_query("UNWIND $ids AS id CREATE (:User {dataset: 'toy', id: id})", {"ids": USERS})
    db.execute_query("UNWIND $ids AS id CREATE (:Item:Movie {dataset: 'toy', id: id})", {"ids": ITEMS})
    db.execute_query("CREATE (:Item:Movie {dataset: 'other', id: 'i1'})")  # same id, other dataset
    return db


def _emb(n: int, dim: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)


def _write(db: Driver, seed: int, **kw):
    return write_model_version(db, "toy", "mf", USERS, _emb(len(USERS), 8, seed), ITEMS, _emb(len(ITEMS), 8, seed + 1),
                               "dot", {"dim": 8}, {"ndcg@20": 0.1 * seed}, **kw)


def test_write_back_round_trip_and_vector_index(graph: Driver) -> None:
    mv = _write(graph, 1)
    assert (mv.version, mv.property, mv.active) == (1, "emb_mf_v1", True)
    ids, items = load_embeddings(graph, mv, "Item")
    assert ids == sorted(ITEMS)
    np.testing.assert_allclose(items, _emb(len(ITEMS), 8, 2)[[ITEMS.index(i) for i in ids]], rtol=1e-6)
    other = graph.execute_query("MATCH (i:Item {dataset: 'other'}) RETURN i[$p] AS e", {"p": mv.property})[0]
    assert other[0]["e"] is None  # the other dataset's item with the same id is untouched

    # the vector index answers like exact cosine scoring
    query = items[3]
    records, _, _ = graph.execute_query(
        "MATCH (q:Item {dataset: 'toy', id: $id}) CALL db.index.vector.queryNodes($index, 3, q[$p]) "
        "YIELD node, score RETURN node.id AS id, score", {"id": ids[3], "index": mv.item_index, "p": mv.property})
    cos = items @ query / (np.linalg.norm(items, axis=1) * np.linalg.norm(query))
    assert [r["id"] for r in records] == [ids[j] for j in np.argsort(-cos)[:3]]
    stored = active_version(graph, "toy")
    assert stored.metrics == {"ndcg@20": 0.1} and stored.params == {"dim": 8} and stored.similarity == "dot"


def test_new_version_activates_atomically_and_old_ones_are_pruned(graph: Driver) -> None:
    _write(graph, 1)
    v2 = _write(graph, 2)
    assert active_version(graph, "toy").version == 2
    assert [(m.version, m.active) for m in list_versions(graph, "toy")] == [(1, False), (2, True)]
    activate_version(graph, "toy", "mf", 1)  # roll back
    assert [(m.version, m.active) for m in list_versions(graph, "toy")] == [(1, True), (2, False)]
    activate_version(graph, "toy", "mf", 2)
    _write(graph, 3, keep=1)  # keeps only v3
    assert [m.version for m in list_versions(graph, "toy")] == [3]
    left = graph.execute_query("MATCH (n) WHERE n[$p] IS NOT NULL RETURN count(n) AS c", {"p": v2.property})
    assert left[0][0]["c"] == 0
    indexes = {r["name"] for r in graph.execute_query("SHOW VECTOR INDEXES YIELD name")[0]}
    assert indexes == {"emb_mf_v3_user", "emb_mf_v3_item"}


def test_a_version_whose_index_is_gone_is_not_activated(graph: Driver) -> None:
    _write(graph, 1)
    v2 = _write(graph, 2, activate=False)
    assert active_version(graph, "toy").version == 1
    graph.execute_query(f"DROP INDEX {v2.item_index}")
    with pytest.raises(ModelVersionError, match="not ONLINE"):
        activate_version(graph, "toy", "mf", 2)
    assert active_version(graph, "toy").version == 1


def test_registry_names_with_a_hyphen_are_written_activated_and_pruned(graph: Driver) -> None:
    """`kgrec train -m hetero-gnn` (or social-lightgcn, glocal-k, …) trained to the end and then failed: the
    write-back refused every registry name with a hyphen."""
    args = {"user_emb": _emb(len(USERS), 8, 1), "item_emb": _emb(len(ITEMS), 8, 2), "similarity": "dot",
            "params": {}, "metrics": {}}
    v1 = write_model_version(graph, "toy", "social-lightgcn", USERS, item_ids=ITEMS, **args)
    assert (v1.property, active_version(graph, "toy").key) == ("emb_social-lightgcn_v1", ("toy", "social-lightgcn", 1))
    assert load_embeddings(graph, v1, "User")[0] == sorted(USERS)
    write_model_version(graph, "toy", "social-lightgcn", USERS, item_ids=ITEMS, keep=1, **args)
    assert [(m.version, m.active) for m in list_versions(graph, "toy")] == [(2, True)]
    left = graph.execute_query("MATCH (n) WHERE n[$p] IS NOT NULL RETURN count(n) AS c", {"p": v1.property})
    indexes = {r["name"] for r in graph.execute_query("SHOW VECTOR INDEXES YIELD name")[0]}
    assert left[0][0]["c"] == 0 and indexes == {"emb_social-lightgcn_v2_user", "emb_social-lightgcn_v2_item"}


def test_leftovers_of_a_killed_write_back_do_not_leak_into_the_next_version(graph: Driver) -> None:
    """A write-back killed before its (:Model) node existed left its property and index behind; the next run reuses
    the version number, and `CREATE VECTOR INDEX IF NOT EXISTS` kept the old index (here of another dimension), so
    the new active version's vector index held none of its vectors."""
    graph.execute_query("MATCH (n:Item {dataset: 'other'}) CALL db.create.setNodeVectorProperty(n, 'emb_mf_v1', $v)",
                        {"v": [1.0, 0.0, 0.0, 0.0]})
    graph.execute_query("CREATE VECTOR INDEX emb_mf_v1_item FOR (n:Item) ON (n.emb_mf_v1) OPTIONS {indexConfig: "
                        "{`vector.dimensions`: 4, `vector.similarity_function`: 'cosine'}}")
    mv = _write(graph, 1)  # dim 8
    assert mv.property == "emb_mf_v1"
    dims = graph.execute_query("SHOW VECTOR INDEXES YIELD name, options WHERE name = $n "
                               "RETURN options.indexConfig.`vector.dimensions` AS d", {"n": mv.item_index})[0]
    assert dims[0]["d"] == 8
    records, _, _ = graph.execute_query(
        "MATCH (q:Item {dataset: 'toy', id: 'i1'}) CALL db.index.vector.queryNodes($index, 3, q[$p]) YIELD node "
        "RETURN node.dataset AS dataset", {"index": mv.item_index, "p": mv.property})
    assert [r["dataset"] for r in records] == ["toy"] * 3  # the other dataset's stray vector is gone


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"name": "MF; DROP"}, "model name"), ({"similarity": "l2"}, "similarity"),
     ({"item_emb": np.zeros((3, 8))}, "item embeddings have shape"),
     ({"item_emb": np.full((12, 8), np.nan)}, "NaN"), ({"item_emb": np.zeros((12, 4))}, "dim 4")],
)
def test_bad_arguments_are_refused_before_writing(graph: Driver, kwargs: dict, message: str) -> None:
    args = {"dataset": "toy", "name": "mf", "user_ids": USERS, "user_emb": _emb(7, 8, 1), "item_ids": ITEMS,
            "item_emb": _emb(12, 8, 2), "similarity": "dot", "params": {}, "metrics": {}}
    with pytest.raises(ModelVersionError, match=message):
        write_model_version(graph, **{**args, **kwargs})
    assert list_versions(graph) == []
