"""Last.fm hetrec2011: published counts from a full parse; a bounded (first rows) ingest into real Neo4j.

The full ingest (~360k rows) is measured by benchmarks/ingest.py, not repeated here.
"""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver

from ingest.fetch import resolve_files
from ingest.quarantine import Quarantine
from ingest.registry import get
from ingest.run import ingest_dataset
from ingest.spec import Inputs

DS = "lastfm-hetrec2011"


def test_full_parse_matches_published_counts(data_dir: Path, tmp_path: Path) -> None:
    spec = get(DS)
    q = Quarantine(None)
    sections = {s.name: list(s.rows) for s in spec.parser(Inputs(resolve_files(spec, data_dir, tmp_path)), q)}
    counts = {name: len(rows) for name, rows in sections.items()}
    # readme "Data statistics": 1,892 users, 17,632 artists, 92,834 user-artist pairs, 25,434 friend pairs
    assert counts == {"users": 1892, "artists": 17632, "dbpedia": 116425, "tags": 108437, "plays": 92834,
                      "friends": 25434}
    assert sum(1 for a in sections["artists"] if "uri" in a["props"]) == 10180  # LODrecsys v1.2
    triples = {(r["s"], r["p"], r["o"]) for r in sections["dbpedia"]}
    uris = {a["id"]: a["props"].get("uri") for a in sections["artists"]}
    assert len({(uris[s], p, o) for s, p, o in triples}) == 110921  # entity2rec LastFM triples
    assert len({uris[s] for s, _, _ in triples}) == 9404
    assert {r["u"] for r in sections["friends"]} == {u["id"] for u in sections["users"]}
    friends = {(r["u"], r["v"]) for r in sections["friends"]}
    assert all((v, u) in friends for u, v in friends)  # symmetric: 12,717 undirected links
    # 186,479 assignments; 1,538 name an artist missing from artists.dat and are quarantined
    assert q.count == 1538 and set(q.reasons) == {"unknown id"}
    assert all(r.file == "user_taggedartists.dat" for r in q.samples)
    assert len({r["o"] for r in sections["tags"]}) == 9718


def test_bounded_ingest(db: Driver, data_dir: Path, tmp_path: Path) -> None:
    report = ingest_dataset(db, DS, data_dir, progress=False, state_dir=tmp_path, max_rows=3000)
    assert report.loaded == {"users": 1892, "artists": 17632, "dbpedia": 3000, "tags": 3000, "plays": 3000,
                             "friends": 3000}

    def one(query: str) -> int:
        return db.execute_query(query, ds=DS).records[0][0]

    assert one("MATCH (a:Item:Artist {dataset: $ds}) RETURN count(a)") == 17632
    assert one("MATCH (a:Artist {dataset: $ds}) WHERE a.uri IS NOT NULL RETURN count(a)") == 10180
    assert one("MATCH (:User {dataset: $ds})-[r:INTERACTED]->(:Artist) RETURN count(r)") == 3000
    first_plays = (data_dir / "hetrec2011-lastfm-2k" / "user_artists.dat").read_text().splitlines()[1:3001]
    assert one("MATCH (:User {dataset: $ds})-[r:INTERACTED]->() RETURN sum(r.weight)") == sum(
        int(line.split("\t")[2]) for line in first_plays)
    assert one("MATCH (:User {dataset: $ds})-[f:FRIEND]->(:User {dataset: $ds}) RETURN count(f)") == 3000
    assert one("MATCH (:Artist {dataset: $ds})-[t:HAS_TAG]->(:Entity:Tag) RETURN count(t)") == 3000
    assert one("MATCH (:Artist {dataset: $ds})-[k]->(e:Entity) WHERE NOT e:Tag RETURN count(k)") == 3000
    assert one("MATCH (d:Dataset {name: $ds}) RETURN d.explicit") is False
    # a bounded run is recorded as incomplete: the next run writes everything rather than saying "up to date"
    assert ingest_dataset(db, DS, data_dir, progress=False, state_dir=tmp_path, max_rows=10).mode == "full"
