"""DBbook2014 ratings and binary feedback with LibraryThing DBpedia triples, both in one database."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from neo4j import Driver

from ingest.fetch import resolve_files
from ingest.quarantine import Quarantine
from ingest.registry import get
from ingest.run import ingest_dataset
from ingest.spec import Inputs


def one(driver: Driver, query: str, **params: Any) -> Any:
    return driver.execute_query(query, **params).records[0][0]


def test_dbbook_ratings_and_binary_share_one_database(db: Driver, data_dir: Path, tmp_path: Path) -> None:
    kw = {"progress": False, "state_dir": tmp_path}
    ratings = ingest_dataset(db, "dbbook2014", data_dir, **kw)
    assert ratings.skipped == 0
    assert ratings.loaded == {"users": 6181, "books": 8170, "dbpedia": 35619, "ratings": 75558}
    ds = {"ds": "dbbook2014"}
    assert one(db, "MATCH (u:User {dataset: $ds}) RETURN count(u)", **ds) == 6181
    assert one(db, "MATCH (b:Item:Book {dataset: $ds}) RETURN count(b)", **ds) == 8170
    assert one(db, "MATCH (b:Book {dataset: $ds}) RETURN count(DISTINCT b.uri)", **ds) == 7786
    assert one(db, "MATCH (:User {dataset: $ds})-[r:RATED]->(b:Book) RETURN count(DISTINCT b)", **ds) == 6166
    hist = dict(db.execute_query("MATCH (:User {dataset: $ds})-[r:RATED]->() RETURN r.rating, count(*)",
                                 **ds).records)
    assert hist == {0.0: 171, 1.0: 1256, 2.0: 4579, 3.0: 18402, 4.0: 28588, 5.0: 22562}
    per_user = db.execute_query("MATCH (u:User {dataset: $ds})-[r:RATED]->() WITH u, count(r) AS n "
                                "RETURN min(n), max(n)", **ds).records[0]
    assert list(per_user) == [5, 24]
    # 6,636 of the 7,786 book IRIs have LibraryThing triples (PROVENANCE.md)
    assert one(db, "MATCH (b:Book {dataset: $ds})-[]->(:Entity) RETURN count(DISTINCT b.uri)", **ds) == 6636
    by_type = dict(db.execute_query("MATCH (:Book {dataset: $ds})-[k]->(:Entity) RETURN type(k), count(*)",
                                    **ds).records)
    assert by_type == {"AUTHOR": 7181, "LITERARY_GENRE": 6462, "PUBLISHER": 6151, "MEDIA_TYPE": 4123,
                       "SUBSEQUENT_WORK": 3101, "PREVIOUS_WORK": 2549, "SERIES": 2042, "COUNTRY": 1430,
                       "LANGUAGE": 1405, "COVER_ARTIST": 1175}
    assert one(db, "MATCH (e:Entity) RETURN count(e)") == 9593
    assert one(db, "MATCH (p:Predicate {type: 'LITERARY_GENRE'}) RETURN p.iri") == (
        "http://dbpedia.org/ontology/literaryGenre")

    # the binary feedback in the same database (its first 20,000 rows; the full file's counts from a parse)
    binary = ingest_dataset(db, "dbbook2014-binary", data_dir, max_rows=20_000, **kw)
    assert binary.skipped == 0 and binary.loaded["feedback"] == 20_000
    assert binary.nodes_created == 1 + 6181 + 8170  # its Dataset, users and books; DBpedia entities are shared
    assert one(db, "MATCH (:User {dataset: 'dbbook2014-binary'})-[r:INTERACTED]->() RETURN count(r)") == 20_000
    spec = get("dbbook2014-binary")
    feedback = next(s for s in spec.parser(Inputs(resolve_files(spec, data_dir, tmp_path)), Quarantine(None))
                    if s.kind == "interactions")
    rows = list(feedback.rows)
    assert Counter(r["w"] for r in rows) == {1.0: 33189, 0.0: 39182}
    assert len({r["i"] for r in rows}) == 6733
    assert one(db, "MATCH ()-[r:RATED]->() RETURN count(r)") == 75558  # the first dataset is untouched
    assert one(db, "MATCH (e:Entity) RETURN count(e)") == 9593
    datasets = {r[0]: r[1] for r in db.execute_query("MATCH (d:Dataset) RETURN d.name, d.explicit").records}
    assert datasets == {"dbbook2014": True, "dbbook2014-binary": False}
