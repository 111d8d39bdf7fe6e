"""MovieLens-1M: real movies.dat / users.dat / DBpedia links and triples; ratings.dat (missing from the shared
snapshot) is a small hand-made file in the publisher's format, linked with the real files into tmp_path."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver

from ingest.run import ingest_dataset

RATINGS = "\n".join([
    "1::1193::5::978300760",
    "1::661::3::978302109",
    "2::1357::5::978298709",
    "2::3068::4::978299000",
    "6040::1::4::956704887",
    "1::1193::4::978300761",     # duplicate pair
    "1::99999::4::978300762",    # unknown movie
    "7000::1::4::978300763",     # unknown user
    "3::1::6::978300764",        # rating out of range
    "3::1::4",                   # malformed
]) + "\n"


def test_movielens1m_with_fixture_ratings(db: Driver, data_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ml = data / "movielens-1m"
    ml.mkdir(parents=True)
    (data / "entity2rec-dbpedia-kg").symlink_to(data_dir / "entity2rec-dbpedia-kg")
    for name in ("movies.dat", "users.dat"):
        (ml / name).symlink_to(data_dir / "movielens-1m" / name)
    (ml / "ratings.dat").write_text(RATINGS)

    report = ingest_dataset(db, "movielens-1m", data, progress=False, state_dir=tmp_path)
    assert report.loaded == {"users": 6040, "movies": 3883, "genres": 6408, "dbpedia": 34951, "ratings": 5}
    assert [(r.line, r.reason) for r in report.rejections[:4]] == [
        (6, "duplicate: (1, 1193) first at line 1"), (7, "unknown id: movie 99999 is not in movies.dat"),
        (8, "unknown id: user 7000 is not in users.dat"), (9, "out of range: rating 6 not in [1, 5]")]
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejections[4:]] == [(10, "malformed")]

    def one(query: str) -> object:
        return db.execute_query(query, ds="movielens-1m").records[0][0]

    assert one("MATCH (u:User {dataset: $ds}) RETURN count(u)") == 6040
    assert one("MATCH (u:User {dataset: $ds, gender: 'M'}) RETURN count(u)") == 4331
    assert one("MATCH (m:Item:Movie {dataset: $ds}) RETURN count(m)") == 3883
    assert one("MATCH (m:Movie {dataset: $ds}) WHERE m.uri IS NOT NULL RETURN count(m)") == 3300
    assert one("MATCH (g:Genre)<-[:HAS_GENRE]-(:Movie {dataset: $ds}) RETURN count(DISTINCT g)") == 18
    assert one("MATCH (m:Movie {dataset: $ds, id: '3845'}) RETURN m.title") == (
        "And God Created Woman (Et Dieu&#8230;Créa la Femme) (1956)")  # latin-1 decoded; the entity is the data's
    # 34,941 entity2rec triples about 3,084 movie IRIs; one IRI is shared by two ML-1M ids (34,951 links)
    assert one("MATCH (m:Movie {dataset: $ds})-[k]->(e:Entity) WHERE NOT e:Genre "
               "RETURN count(DISTINCT [m.uri, type(k), e.uri])") == 34941
    assert one("MATCH (m:Movie {dataset: $ds})-[k]->(e:Entity) WHERE NOT e:Genre RETURN count(DISTINCT m.uri)") == 3084
    assert one("MATCH (m:Movie {dataset: $ds}) WITH m.uri AS uri, count(*) AS n WHERE uri IS NOT NULL AND n > 1 "
               "RETURN count(uri)") == 1
    assert one("MATCH (:User {dataset: $ds, id: '1'})-[r:RATED]->(:Movie {id: '1193'}) RETURN r.rating") == 5.0
    assert one("MATCH (u:User {dataset: $ds, id: '1'}) RETURN u.occupation") == "K-12 student"
