"""Your own files: CSV/TSV/Parquet tables and N-Triples/Turtle/TSV triples, bad rows quarantined, in real Neo4j."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from neo4j import Driver

from ingest.datasets.own_files import OwnDataError
from ingest.registry import get
from ingest.run import ingest_dataset

FIXTURE = Path(__file__).parent / "fixtures" / "own-data"


def one(driver: Driver, query: str) -> object:
    return driver.execute_query(query, ds="my-films").records[0][0]


def test_csv_tsv_ntriples(db: Driver, tmp_path: Path) -> None:
    report = ingest_dataset(db, get(str(FIXTURE)), FIXTURE, progress=False, state_dir=tmp_path)
    assert report.loaded == {"users": 3, "items": 3, "item triples": 3, "entity triples": 1, "entity names": 1,
                             "interactions": 6, "friends": 2, "trust": 1}
    got = {(r.file, r.line): r.reason.split(":")[0] for r in report.rejections}
    assert got == {
        ("items.csv", 5): "duplicate", ("items.csv", 6): "bad value",
        ("triples.nt", 7): "bad value", ("triples.nt", 8): "bad predicate", ("triples.nt", 9): "malformed",
        ("triples.nt", 10): "unsupported", ("triples.nt", 11): "duplicate",
        ("interactions.csv", 7): "duplicate", ("interactions.csv", 8): "unknown id",
        ("interactions.csv", 9): "unknown id", ("interactions.csv", 10): "out of range",
        ("interactions.csv", 11): "bad value", ("interactions.csv", 13): "unknown split",
        ("social.csv", 5): "bad value", ("social.csv", 6): "unknown id", ("social.csv", 7): "bad value",
    }
    assert one(db, "MATCH (d:Dataset {name: $ds}) RETURN d.split_names") == ["holdout"]
    assert one(db, "MATCH (m:Item:Movie {dataset: $ds, id: 'm2'}) RETURN m.title") == 'Crème, "brûlée" `})'
    assert one(db, "MATCH (m:Movie {dataset: $ds, id: 'm1'}) RETURN m.year") == 1995
    assert one(db, "MATCH (u:User {dataset: $ds, id: 'bob'}) RETURN u.age") == 41
    assert one(db, "MATCH (:User {dataset: $ds})-[r:RATED]->(m) WHERE r.test_in = 1 "  # bit 0: holdout
                   "WITH m ORDER BY m.id RETURN collect(m.id)") == ["m2", "m3"]
    assert one(db, "MATCH (:User {dataset: $ds})-[r:RATED]->() WHERE r.test_in = 0 RETURN count(r)") == 4
    assert one(db, "MATCH (:User {dataset: $ds, id: 'bob'})-[r:RATED]->({id: 'm3'}) RETURN r.rating") == 2.5
    assert one(db, "MATCH (:Movie {dataset: $ds, id: 'm1'})-[:DIRECTOR]->(d)-[:BIRTH_PLACE]->(c) "
                   "RETURN d.name + ' / ' + c.name") == "Michael Mann / Chicago"
    assert one(db, "MATCH (:User {dataset: $ds, id: 'alice'})-[:TRUSTS]->(u) RETURN u.id") == "carol"
    assert one(db, "MATCH ()-[r:RATED]->(e:Entity) RETURN count(r)") == 0  # the hostile predicate made nothing


def test_parquet_turtle_and_tsv_triples(db: Driver, tmp_path: Path) -> None:
    data = tmp_path / "films"
    data.mkdir()
    pq.write_table(pa.table({"user": ["u1", "u1", "u2"], "item": ["a", "b", "a"], "weight": [3.0, 1.0, 7.0],
                             "test_of": [[], ["last"], []]}), data / "interactions.parquet")
    with pytest.raises(OwnDataError, match="test_of column needs its split names"):
        get(str(data))
    (data / "dataset.toml").write_text('split_names = ["first", "last"]\n')
    pq.write_table(pa.table({"id": ["a", "b"], "title": ["A", "B"],
                             "uri": ["http://example.org/a", "http://example.org/b"]}), data / "items.parquet")
    (data / "triples.ttl").write_text(
        "@prefix ex: <http://example.org/> .\n"
        "ex:a ex:author ex:writer1 ; ex:genre ex:noir .\n"
        'ex:writer1 <http://www.w3.org/2000/01/rdf-schema#label> "Writer One" .\n')
    report = ingest_dataset(db, get(str(data)), data, progress=False, state_dir=tmp_path)
    assert report.skipped == 0
    assert report.loaded == {"users": 2, "items": 2, "item triples": 2, "entity triples": 0, "entity names": 1,
                             "interactions": 3}
    films = {"ds": "films"}
    assert db.execute_query("MATCH (d:Dataset {name: $ds}) RETURN d.explicit", **films).records[0][0] is False
    assert db.execute_query("MATCH (:User {dataset: $ds, id: 'u2'})-[r:INTERACTED]->() RETURN r.weight",
                            **films).records[0][0] == 7.0
    assert db.execute_query("MATCH (:User {dataset: $ds, id: 'u1'})-[r:INTERACTED]->(i) RETURN collect([i.id, "
                            "r.test_in])", **films).records[0][0] in ([["a", 0], ["b", 2]], [["b", 2], ["a", 0]])
    assert db.execute_query("MATCH (:Item:Product {dataset: $ds, id: 'a'})-[:AUTHOR]->(e) RETURN e.name",
                            **films).records[0][0] == "Writer One"

    (data / "triples.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:author ex:writer1 .\n"
                                      "ex:b ex:genre ex:noir ;; oops\nex:b ex:genre ex:crime .\n")
    broken = ingest_dataset(db, get(str(data)), data, progress=False, state_dir=tmp_path)
    assert [(r.file, r.line, r.raw) for r in broken.rejections] == [("triples.ttl", 3, "ex:b ex:genre ex:noir ;; oops")]
    assert broken.rejections[0].reason.startswith("malformed: expected '.'")
    assert broken.rejections[0].reason.endswith("file skipped") and "b'" not in broken.rejections[0].reason

    (data / "triples.ttl").unlink()
    (data / "triples.tsv").write_text("b\thttp://example.org/genre\thttp://example.org/noir\n"
                                      "b\thttp://example.org/bad pred\thttp://example.org/x\n")
    again = ingest_dataset(db, get(str(data)), data, progress=False, state_dir=tmp_path)
    assert again.loaded["item triples"] == 1 and [r.line for r in again.rejections] == [2]
    assert db.execute_query("MATCH (:Item {dataset: $ds, id: 'b'})-[:GENRE]->(e) RETURN e.uri",
                            **films).records[0][0] == "http://example.org/noir"


def test_values_no_rating_can_be_and_values_neo4j_cannot_hold(db: Driver, tmp_path: Path) -> None:
    """An infinite rating is out of range; a number past 64 bits or with a leading zero (a code) stays text, instead
    of overflowing the driver half-way through the write; a spreadsheet's byte-order mark hides no column."""
    data = tmp_path / "odd"
    data.mkdir()
    (data / "interactions.csv").write_text("\ufeffuser,item,rating,ts\nu1,i1,5,1\nu1,i2,inf,2\nu2,i1,1e999,3\n"
                                           "u2,i2,4,4\nu1,i3,4,99999999999999999999\n")
    (data / "users.tsv").write_text("\ufeffid\tzip\tbig\nu1\t02139\t123456789012345678901234567890\nu2\t10001\t-7\n")
    report = ingest_dataset(db, get(str(data)), data, progress=False, state_dir=tmp_path)
    assert report.loaded["interactions"] == 2
    assert {(r.file, r.line, r.reason.split(":")[0]) for r in report.rejections} == {
        ("interactions.csv", 3, "out of range"), ("interactions.csv", 4, "out of range"),
        ("interactions.csv", 6, "out of range")}
    users = db.execute_query("MATCH (u:User {dataset: 'odd'}) RETURN u.id AS id, u.zip AS zip, u.big AS big").records
    assert {r["id"]: (r["zip"], r["big"]) for r in users} == {
        "u1": ("02139", "123456789012345678901234567890"), "u2": (10001, -7)}
    assert db.execute_query("MATCH (:User {dataset: 'odd'})-[r:RATED]->() RETURN max(r.rating)").records[0][0] == 5
    pq.write_table(pa.table({"id": ["u1", "u2"], "big": pa.array([2**64 - 1, 7], pa.uint64())}),
                   data / "users.parquet")
    (data / "users.tsv").unlink()
    ingest_dataset(db, get(str(data)), data, progress=False, state_dir=tmp_path)
    users = db.execute_query("MATCH (u:User {dataset: 'odd'}) RETURN u.id AS id, u.big AS big").records
    assert {r["id"]: r["big"] for r in users} == {"u1": str(2**64 - 1), "u2": 7}


def test_unusable_folders_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(OwnDataError, match=r"no interactions\.csv"):
        get(str(tmp_path))
    shutil.copy(FIXTURE / "interactions.csv", tmp_path)
    (tmp_path / "interactions.tsv").write_text("user\titem\n")
    with pytest.raises(OwnDataError, match="several interactions files"):
        get(str(tmp_path))
    (tmp_path / "interactions.tsv").unlink()
    (tmp_path / "dataset.toml").write_text('item_label = "Spaceship"\n')
    with pytest.raises(OwnDataError, match="item label 'Spaceship' is not one of"):
        get(str(tmp_path))
    for toml, message in [('explicit = "false"', "explicit must be a boolean, got 'false'"),
                          ('split_names = "holdout"', "split_names must be a list of strings"),
                          ('split_names = ["a", "a"]', "split_names must be at most 62 distinct names"),
                          ('item_lable = "Movie"', "unknown key 'item_lable'")]:
        (tmp_path / "dataset.toml").write_text(toml + "\n")
        with pytest.raises(OwnDataError, match=message):
            get(str(tmp_path))
    (tmp_path / "dataset.toml").unlink()
    (tmp_path / "interactions.csv").write_text("userId,itemId,rating\nu1,i1,5\n")
    with pytest.raises(OwnDataError, match=r"interactions\.csv: no user, item column \(its columns: userId, itemId"):
        get(str(tmp_path))
