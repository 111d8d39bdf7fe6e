"""Amazon-KG v2: Movies_and_TV in full, Books bounded, in one database; the optional `.kg` on a small fixture."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver

from ingest.run import ingest_dataset

KG_FIXTURE = "\n".join([
    "head_id:token\trelation_id:token\ttail_id:token",
    "res:George_Lucas_in_Love\tdbo:director\tres:Joe_Nussbaum",
    "res:Joe_Nussbaum\tdbo:birthPlace\tres:Chicago",
    "res:George_Lucas_in_Love\tdbo:director\tres:Joe_Nussbaum",
    "res:George_Lucas_in_Love\t`x`}) DETACH DELETE (n\tres:Chicago",
]) + "\n"


def test_amazon_kg_domains_share_one_database(db: Driver, data_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data" / "amazon-kg-v2-dbpedia"
    for domain in ("Books", "Movies_and_TV"):
        folder = data / f"Amazon-KG-5core-{domain}"
        folder.mkdir(parents=True)
        for f in (data_dir / "amazon-kg-v2-dbpedia" / folder.name).iterdir():
            (folder / f.name).symlink_to(f)
    (data / "Amazon-KG-5core-Movies_and_TV" / "Amazon-KG-5core-Movies_and_TV.kg").write_text(KG_FIXTURE)

    movies = ingest_dataset(db, "amazon-kg-movies-tv", tmp_path / "data", progress=False, state_dir=tmp_path)
    assert movies.loaded == {"users": 5648, "items": 4896, "dbpedia": 1, "dbpedia (entities)": 1,
                             "interactions": 67066}
    assert [(r.line, r.reason.split(":")[0]) for r in movies.rejections] == [(4, "duplicate"), (5, "bad value")]
    books = ingest_dataset(db, "amazon-kg-books", tmp_path / "data", progress=False, state_dir=tmp_path,
                           max_rows=2000)
    assert books.skipped == 0 and books.loaded == {"users": 10485, "items": 8696, "interactions": 2000}

    def one(query: str, **params: object) -> object:
        return db.execute_query(query, **params).records[0][0]

    mv = {"ds": "amazon-kg-movies-tv"}
    assert one("MATCH (u:User {dataset: $ds}) RETURN count(u)", **mv) == 5648
    assert one("MATCH (i:Item:Product {dataset: $ds}) RETURN count(DISTINCT i.uri)", **mv) == 4896
    assert one("MATCH (:User {dataset: $ds})-[r:INTERACTED {weight: 1.0}]->(i) RETURN count(r)", **mv) == 67066
    assert one("MATCH (:User {dataset: $ds})-[:INTERACTED]->(i) RETURN count(DISTINCT i)", **mv) == 4779
    assert one("MATCH (:Item {dataset: $ds, id: '0615115187'})-[:DIRECTOR]->(:Entity)-[b:BIRTH_PLACE]->(c) "
               "RETURN c.name", **mv) == "Chicago"
    # the two domains share reviewer ids: 1,062 users in both (statistics.png)
    assert one("MATCH (a:User {dataset: 'amazon-kg-books'}) MATCH (b:User {dataset: 'amazon-kg-movies-tv', id: a.id})"
               " RETURN count(*)") == 1062
    assert one("MATCH (i:Product {dataset: 'amazon-kg-books', id: '000100039X'}) RETURN i.uri") == (
        "http://dbpedia.org/resource/The_Prophet_(book)")
