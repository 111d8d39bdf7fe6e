"""Bad input rows are quarantined with file:line and reason, every good row is loaded, --strict writes nothing.

The fixture (tests/fixtures/ml100k-bad) is a hand-made MovieLens-100K layout with malformed lines, wrong
encodings, unknown ids in link files, out-of-range ratings, duplicates and hostile strings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from neo4j import Driver

from ingest.run import StrictModeError, ingest_dataset

FIXTURE = Path(__file__).parent / "fixtures" / "ml100k-bad"
DS = "movielens-100k"

EXPECTED_REJECTIONS = {
    ("u.user", 3): "bad value", ("u.user", 4): "bad value", ("u.user", 5): "unknown id",
    ("u.user", 6): "duplicate", ("u.user", 7): "malformed",
    ("u.item", 3): "bad value", ("u.item", 4): "out of range", ("u.item", 5): "duplicate", ("u.item", 6): "malformed",
    ("map.csv", 4): "bad value", ("map.csv", 5): "unknown id", ("map.csv", 6): "encoding",
    ("enriched.csv", 1): "bad predicate", ("enriched.csv", 3): "bad value", ("enriched.csv", 4): "unknown id",
    ("enriched.csv", 5): "malformed",
    ("u.data", 6): "unknown id", ("u.data", 7): "unknown id", ("u.data", 8): "out of range",
    ("u.data", 9): "out of range", ("u.data", 10): "duplicate", ("u.data", 11): "malformed",
    ("u.data", 12): "out of range", ("u.data", 13): "bad value", ("u.data", 14): "encoding",
    ("ub.test", 2): "unknown id",
}


def count(driver: Driver, query: str) -> int:
    return driver.execute_query(query).records[0][0]


def test_bad_rows_quarantined_good_rows_loaded(db: Driver, tmp_path: Path) -> None:
    report = ingest_dataset(db, DS, FIXTURE, progress=False, state_dir=tmp_path, cache_dir=tmp_path / "cache")
    assert report.loaded == {"users": 3, "movies": 3, "genres": 4, "dbpedia": 5, "ratings": 6}
    assert report.skipped == len(EXPECTED_REJECTIONS)
    assert report.quarantine is not None and report.quarantine.parent == tmp_path / "quarantine"
    rows = [json.loads(line) for line in report.quarantine.read_text().splitlines()]
    got = {(Path(r["file"]).name, r["line"]): r["reason"].split(":", 1)[0] for r in rows}
    assert got == EXPECTED_REJECTIONS
    assert all(r["raw"] or r["reason"].startswith("unknown id") for r in rows)
    assert "u.user:3: bad value: age 'abc' is not an integer" in report.summary()
    assert any(str(r) == "u.data:8: out of range: rating 6 not in [1, 5]" for r in report.rejections)
    assert f"bad rows in {report.quarantine}" in report.summary()

    assert count(db, "MATCH (u:User) RETURN count(u)") == 3
    assert count(db, "MATCH ()-[r:RATED]->() RETURN count(r)") == 6
    assert count(db, "MATCH (m:Movie) WHERE m.uri IS NOT NULL RETURN count(m)") == 2
    # hostile strings are stored verbatim as values, never run as Cypher
    titles = {r[0] for r in db.execute_query("MATCH (m:Movie) RETURN m.title").records}
    assert titles == {"Toy Story (1995)", "Café `Crème` (1996) {x}'\"", "MATCH (n) DETACH DELETE n"}
    assert count(db, "MATCH (u:User {id: '7'}) WHERE u.zip = \"{evil: 'x'}\" RETURN count(u)") == 1
    types = {r[0] for r in db.execute_query("MATCH ()-[k]->(:Entity) RETURN DISTINCT type(k)").records}
    assert types == {"HAS_GENRE", "DIRECTOR", "STARRING", "SUBJECT"}  # the hostile column made no type
    names = {r[0] for r in db.execute_query("MATCH (e:Entity) WHERE NOT e:Genre RETURN e.name").records}
    assert names == {"John Lasseter", "Tom Hanks", "Tim Allen", "1995 films", 'Kenneth "Babyface" Edmonds'}
    # the split files still say where each good rating is a test row
    test_of = {(r[0], r[1]): r[2] for r in db.execute_query(
        "MATCH (d:Dataset) MATCH (u:User)-[r:RATED]->(m:Movie) RETURN u.id, m.id, "
        "[k IN range(0, size(d.split_names) - 1) WHERE r.test_in / toInteger(2 ^ k) % 2 = 1 | d.split_names[k]]"
    ).records}
    assert test_of[("1", "1")] == ["u1", "ua"] and test_of[("7", "2")] == ["u5"] and test_of[("1", "6")] == ["u4", "ub"]


def test_strict_fails_before_writing(db: Driver, tmp_path: Path) -> None:
    with pytest.raises(StrictModeError) as err:
        ingest_dataset(db, DS, FIXTURE, strict=True, progress=False, state_dir=tmp_path, cache_dir=tmp_path / "c")
    assert err.value.count == len(EXPECTED_REJECTIONS)
    assert "u.user:3: bad value: age 'abc' is not an integer" in str(err.value)
    assert count(db, "MATCH (n) RETURN count(n)") == 0
    assert not (tmp_path / "quarantine").exists()
