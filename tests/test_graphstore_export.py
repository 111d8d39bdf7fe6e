"""Neo4j → HeteroData export on real Neo4j: exact tensors on a small graph, clear errors."""

import pytest
import torch
from neo4j import Driver

from graphstore.export import SPAN, ExportError, _complete, export_graph
from learner.splits import make_split

TOY = """
CREATE (:Dataset {name: 'toy', explicit: true, split_names: ['u1', 'u2']})
CREATE (a:User {dataset: 'toy', id: 'a'}), (b:User {dataset: 'toy', id: 'b'}), (c:User {dataset: 'toy', id: 'c'})
CREATE (x:Item:Movie {dataset: 'toy', id: 'x', title: 'Heat'}), (y:Item:Movie {dataset: 'toy', id: 'y', title: 'Ronin'})
CREATE (z:Item:Movie {dataset: 'toy', id: 'z', title: 'The Insider'})
CREATE (:User {dataset: 'other', id: 'a'})-[:RATED {rating: 1.0}]->(:Item {dataset: 'other', id: 'x'})
CREATE (c)-[:RATED {rating: 1.0}]->(:Item {dataset: 'other', id: 'w'})
CREATE (a)-[:RATED {rating: 5.0, ts: 100, test_in: 2}]->(x), (a)-[:RATED {rating: 3.0, ts: 101, test_in: 0}]->(y)
CREATE (c)-[:RATED {rating: 2.0, ts: 103}]->(x)
// as an older kgrec wrote splits: a list of names (read through the dataset's split_names)
CREATE (b)-[:RATED {rating: 4.0, ts: 102, test_of: ['u1', 'u2']}]->(z)
CREATE (mann:Entity {uri: 'http://dbpedia.org/resource/Michael_Mann', name: 'Michael Mann'})
CREATE (usa:Entity {uri: 'http://dbpedia.org/resource/United_States'})
CREATE (x)-[:DIRECTOR {predicate: 'http://dbpedia.org/ontology/director'}]->(mann)
CREATE (z)-[:DIRECTOR {predicate: 'http://dbpedia.org/ontology/director'}]->(mann)
CREATE (mann)-[:NATIONALITY]->(usa), (y)-[:COUNTRY]->(usa)
CREATE (mann)-[:BIRTH_PLACE]->(:Entity {uri: 'http://dbpedia.org/resource/Chicago'})
CREATE (a)-[:FRIEND]->(b), (b)-[:FRIEND]->(:User {dataset: 'other', id: 'b'})
"""


def test_export_of_a_small_graph_is_exact(db: Driver) -> None:
    db.execute_query(TOY)
    data = export_graph(db, "toy")
    assert data.dataset == "toy" and data.explicit and data.split_names == ["u1", "u2"]
    assert data["user"].ids == ["a", "b", "c"] and data["item"].ids == ["x", "y", "z"]
    assert data["item"].titles == ["Heat", "Ronin", "The Insider"]
    rel = data["user", "rates", "item"]
    rows = sorted(zip(rel.edge_index[0].tolist(), rel.edge_index[1].tolist(), rel.rating.tolist(), rel.ts.tolist(),
                      rel.test_in.tolist(), strict=True))
    assert rows == [(0, 0, 5.0, 100, 0b10), (0, 1, 3.0, 101, 0), (1, 2, 4.0, 102, 0b11), (2, 0, 2.0, 103, 0)]
    mann = data["entity"].uris.index("http://dbpedia.org/resource/Michael_Mann")
    assert data["entity"].names[mann] == "Michael Mann"
    directed = data["item", "director", "entity"].edge_index
    assert sorted(directed.t().tolist()) == [[0, mann], [2, mann]]
    assert data["item", "country", "entity"].edge_index.t().tolist() == [[1, data["entity"].uris.index(
        "http://dbpedia.org/resource/United_States")]]
    assert data["entity", "nationality", "entity"].edge_index.size(1) == 1
    assert len(data["entity"].uris) == 2 and ("entity", "birth_place", "entity") not in data.edge_types
    assert data["user", "friend", "user"].edge_index.tolist() == [[0], [1]]
    assert data.validate()


def test_export_fills_in_what_a_relationship_lacks_and_reads_the_other_interaction_type(db: Driver) -> None:
    """Relationships written by hand or by an older kgrec (no `test_in`, `test_of` names, an implicit INTERACTED
    weight in an explicit dataset) export like the rest, whichever batch they fall in."""
    db.execute_query(TOY)
    db.execute_query("MATCH (a:User {dataset: 'toy', id: 'a'}), (z:Item {dataset: 'toy', id: 'z'}) "
                     "CREATE (a)-[:INTERACTED {weight: 0.5, ts: 104, test_in: 0}]->(z)")
    for batch_users in (1, 2, 20_000):
        rel = export_graph(db, "toy", knowledge=False, social=False, batch_users=batch_users)["user", "rates", "item"]
        rows = list(zip(rel.edge_index[0].tolist(), rel.edge_index[1].tolist(), rel.rating.tolist(), rel.ts.tolist(),
                        rel.test_in.tolist(), strict=True))
        assert rows == [(0, 0, 5.0, 100, 0b10), (0, 1, 3.0, 101, 0), (0, 2, 0.5, 104, 0), (1, 2, 4.0, 102, 0b11),
                        (2, 0, 2.0, 103, 0)], batch_users


def test_a_batch_with_a_shorter_list_is_incomplete() -> None:
    """`collect` skips nulls, so a relationship without a property leaves that list shorter than `pairs`."""
    full = {"pairs": [7 * SPAN + 1, 9 * SPAN], "rating": [4.0, 1.0], "ts": [100, 0], "test_in": [2, 0]}
    assert _complete(full)
    for name in ("rating", "ts", "test_in"):
        assert not _complete({**full, name: full[name][:1]}), name


def test_export_does_not_depend_on_the_order_the_data_was_written_in(db: Driver) -> None:
    """The same ratings and friendships written in opposite orders export the same tensors, so one seed splits
    both the same way (the store returns a node's relationships in the order they were written)."""
    ratings = [[u, i, float(1 + (7 * u + i) % 5), 1000 + 31 * u + i] for u in range(6) for i in range(8) if (u + i) % 3]
    friends = [[u, v] for u in range(6) for v in range(6) if u != v and (u * v) % 4 == 1]
    exports = []
    for name, step in (("forward", 1), ("backward", -1)):
        db.execute_query("CREATE (:Dataset {name: $ds, explicit: true}) WITH 1 AS one UNWIND range(0, 7) AS k "
                         "CREATE (:User {dataset: $ds, id: 'u' + k}), (:Item {dataset: $ds, id: 'i' + k})", ds=name)
        db.execute_query("UNWIND $rows AS r MATCH (u:User {dataset: $ds, id: 'u' + r[0]}), "
                         "(i:Item {dataset: $ds, id: 'i' + r[1]}) CREATE (u)-[:RATED {rating: r[2], ts: r[3]}]->(i)",
                         rows=ratings[::step], ds=name)
        db.execute_query("UNWIND $rows AS r MATCH (u:User {dataset: $ds, id: 'u' + r[0]}), "
                         "(v:User {dataset: $ds, id: 'u' + r[1]}) CREATE (u)-[:FRIEND]->(v)", rows=friends[::step],
                         ds=name)
        exports.append(export_graph(db, name))
    forward, backward = (data["user", "rates", "item"] for data in exports)
    for key in ("edge_index", "rating", "ts", "test_in"):
        assert torch.equal(forward[key], backward[key]), key
    heads, tails = forward.edge_index.tolist()
    assert list(zip(heads, tails, strict=True)) == sorted(zip(heads, tails, strict=True))  # (user, item) order
    assert torch.equal(exports[0]["user", "friend", "user"].edge_index, exports[1]["user", "friend", "user"].edge_index)
    splits = [make_split(data, "random", seed=0) for data in exports]
    assert torch.equal(splits[0].train, splits[1].train) and torch.equal(splits[0].test, splits[1].test)


def test_export_without_knowledge_or_social(db: Driver) -> None:
    db.execute_query(TOY)
    data = export_graph(db, "toy", knowledge=False, social=False)
    assert data.node_types == ["user", "item"] and data.edge_types == [("user", "rates", "item")]
    assert torch.equal(data["user", "rates", "item"].rating.sort().values, torch.tensor([2.0, 3.0, 4.0, 5.0]))


def test_unknown_or_empty_dataset_is_a_clear_error(db: Driver) -> None:
    with pytest.raises(ExportError, match="run `kgrec ingest nope` first"):
        export_graph(db, "nope")
    db.execute_query("CREATE (:Dataset {name: 'empty', explicit: false, split_names: []})")
    with pytest.raises(ExportError, match="no interactions"):
        export_graph(db, "empty")
