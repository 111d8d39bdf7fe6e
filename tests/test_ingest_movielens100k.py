"""MovieLens-100K + FranKGraphBench DBpedia knowledge in real Neo4j: published counts, splits, idempotence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neo4j import Driver

from ingest.run import ingest_dataset

DS = "movielens-100k"


def one(driver: Driver, query: str, **params: Any) -> Any:
    return driver.execute_query(query, ds=DS, **params).records[0][0]


def test_published_counts(driver: Driver, ml100k_graph: Driver) -> None:
    assert one(driver, "MATCH (u:User {dataset: $ds}) RETURN count(u)") == 943
    assert one(driver, "MATCH (m:Item:Movie {dataset: $ds}) RETURN count(m)") == 1682
    assert one(driver, "MATCH (:User {dataset: $ds})-[r:RATED]->(:Movie) RETURN count(r)") == 100_000
    assert one(driver, "MATCH (m:Movie {dataset: $ds}) WHERE m.uri IS NOT NULL RETURN count(m)") == 1411
    assert one(driver, "MATCH (m:Movie {dataset: $ds}) RETURN count(DISTINCT m.uri)") == 1394
    hist = dict(driver.execute_query("MATCH ()-[r:RATED]->() RETURN r.rating AS k, count(*) AS n").records)
    assert hist == {1.0: 6110, 2.0: 11370, 3.0: 27145, 4.0: 34174, 5.0: 21201}


def test_dbpedia_knowledge_counts(driver: Driver, ml100k_graph: Driver) -> None:
    by_type = dict(driver.execute_query(
        "MATCH (:Movie {dataset: $ds})-[k]->(e:Entity) WHERE NOT e:Genre RETURN type(k), count(*)", ds=DS
    ).records)
    assert by_type == {"SUBJECT": 23277, "STARRING": 6155, "PRODUCER": 1763, "WRITER": 1752,
                       "DISTRIBUTOR": 1418, "DIRECTOR": 1399, "CINEMATOGRAPHY": 1041}
    assert sum(by_type.values()) == 36805
    assert one(driver, "MATCH (e:Entity) WHERE NOT e:Genre RETURN count(e)") == 10619
    assert one(driver, "MATCH (e:Entity) WHERE e.name IS NULL RETURN count(e)") == 0
    linked = one(driver, "MATCH (m:Movie)-[k]->(e:Entity) WHERE NOT e:Genre RETURN count(DISTINCT m)")
    assert linked == 1411
    predicates = dict(driver.execute_query("MATCH (p:Predicate) RETURN p.type, p.iri").records)
    assert predicates["SUBJECT"] == "http://purl.org/dc/terms/subject"
    assert predicates["DIRECTOR"] == "http://dbpedia.org/ontology/director"
    assert len(predicates) == 8  # seven DBpedia properties and HAS_GENRE
    assert one(driver, "MATCH ()-[k:STARRING]->() WHERE k.predicate <> $iri RETURN count(k)",
               iri="http://dbpedia.org/ontology/starring") == 0


def test_movie_and_user_properties(driver: Driver, ml100k_graph: Driver) -> None:
    toy = driver.execute_query("MATCH (m:Movie {dataset: $ds, id: '1'}) RETURN m", ds=DS).records[0]["m"]
    assert toy["title"] == "Toy Story (1995)" and toy["year"] == 1995 and toy["release_date"] == "1995-01-01"
    assert toy["uri"] == "http://dbpedia.org/resource/Toy_Story"
    assert toy["genres"] == ["Animation", "Children's", "Comedy"]
    assert toy["abstract"].startswith("Toy Story is a 1995 American computer-animated")
    assert "imdb.com" in toy["imdb_url"]
    directors = driver.execute_query(
        "MATCH (:Movie {dataset: $ds, id: '1'})-[:DIRECTOR]->(e) RETURN e.name AS n", ds=DS).records
    assert [r["n"] for r in directors] == ["John Lasseter"]
    user = driver.execute_query("MATCH (u:User {dataset: $ds, id: '1'}) RETURN u", ds=DS).records[0]["u"]
    properties = {k: v for k, v in user.items() if not k.startswith("emb_")}  # model versions add embeddings
    assert properties == {"dataset": DS, "id": "1", "age": 24, "gender": "M", "occupation": "technician",
                          "zip": "85711"}
    genres = driver.execute_query("MATCH (g:Entity:Genre)<-[:HAS_GENRE]-(:Movie) RETURN DISTINCT g.name").records
    assert len(genres) == 19
    assert one(driver, "MATCH (:Movie {dataset: $ds})-[r:HAS_GENRE]->(:Genre) RETURN count(r)") == 2893
    # a latin-1 title decoded correctly
    assert one(driver, "MATCH (m:Movie {dataset: $ds}) WHERE m.title CONTAINS 'é' RETURN count(m)") > 0
    dataset = driver.execute_query("MATCH (d:Dataset {name: $ds}) RETURN d", ds=DS).records[0]["d"]
    assert dataset["split_names"] == ["u1", "u2", "u3", "u4", "u5", "ua", "ub"] and dataset["explicit"] is True


def test_official_splits_as_test_in(driver: Driver, ml100k_graph: Driver) -> None:
    # test_in: bit k ⇔ a test row of split_names[k] = u1, u2, u3, u4, u5, ua, ub
    five_fold = driver.execute_query("MATCH ()-[r:RATED]->() RETURN r.test_in % 32 AS folds, count(*)").records
    assert dict(five_fold) == {1: 20000, 2: 20000, 4: 20000, 8: 20000, 16: 20000}  # exactly one of u1..u5 each
    for bit in (32, 64):  # ua, ub: ten test ratings of every user
        per_user = driver.execute_query(
            "MATCH (u:User)-[r:RATED]->() WHERE r.test_in / $bit % 2 = 1 WITH u, count(r) AS n "
            "RETURN collect(DISTINCT n), count(u)", bit=bit).records[0]
        assert (per_user[0], per_user[1]) == ([10], 943)
    # spot-check against the first line of u2.test: 1 1 5 874965758 (u2 is bit 1; not among ua's or ub's rows)
    assert one(driver, "MATCH (:User {id: '1'})-[r:RATED]->(:Movie {id: '1'}) RETURN r.test_in") == 2
    assert one(driver, "MATCH (:User {id: '1'})-[r:RATED]->(:Movie {id: '1'}) RETURN r.ts") == 874965758


def test_reingest_is_idempotent(driver: Driver, data_dir: Path, ml100k_graph: Driver, tmp_path: Path) -> None:
    def counts() -> tuple[int, int]:
        return (one(driver, "MATCH (n) RETURN count(n)"), one(driver, "MATCH ()-[r]->() RETURN count(r)"))

    before = counts()
    again = ingest_dataset(driver, DS, data_dir, progress=False, state_dir=tmp_path)
    assert again.mode == "up-to-date" and again.loaded == {} and again.relationships_created == 0
    forced = ingest_dataset(driver, DS, data_dir, progress=False, state_dir=tmp_path, force=True)
    assert forced.mode == "full" and forced.skipped == 0 and forced.quarantine is None
    assert forced.loaded == {"users": 943, "movies": 1682, "genres": 2893, "dbpedia": 36805, "ratings": 100_000}
    assert forced.nodes_created == 0 and forced.relationships_created == 0
    assert counts() == before
