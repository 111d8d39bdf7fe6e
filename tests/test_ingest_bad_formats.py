"""Bad lines in each publisher format are quarantined with file:line and reason while every good row loads, and
`--strict` refuses the same files before writing anything.

The fixtures (tests/fixtures/lastfm-bad, tests/fixtures/dbbook-bad) are a few real lines of each file in the
publisher's layout, followed by broken copies: malformed lines, bad values, out-of-range numbers, unknown ids and
duplicates. MovieLens-100K has its own (tests/test_ingest_bad_input.py); Amazon-KG, Ciao/Epinions and KGAT are
checked on their real files' own defects and a KGAT KG fixture in their test modules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from neo4j import Driver

from ingest.run import StrictModeError, ingest_dataset

FIXTURES = Path(__file__).parent / "fixtures"

CASES = {
    "lastfm-hetrec2011": (
        "lastfm-bad",
        {"users": 2, "artists": 3, "dbpedia": 2, "tags": 2, "plays": 3, "friends": 2},
        {("artists.dat", 5): "duplicate", ("artists.dat", 6): "malformed",
         ("MappingLastfm2DBpedia-1.2.tsv", 3): "unknown id", ("MappingLastfm2DBpedia-1.2.tsv", 4): "bad value",
         ("MappingLastfm2DBpedia-1.2.tsv", 5): "duplicate",
         ("dbo:genre.edgelist", 4): "malformed", ("dbo:genre.edgelist", 5): "bad value",
         ("dbo:genre.edgelist", 6): "duplicate",
         ("user_taggedartists.dat", 5): "unknown id", ("user_taggedartists.dat", 6): "unknown id",
         ("user_taggedartists.dat", 7): "malformed",
         ("user_artists.dat", 5): "unknown id", ("user_artists.dat", 6): "out of range",
         ("user_artists.dat", 7): "duplicate", ("user_artists.dat", 8): "bad value",
         ("user_artists.dat", 9): "malformed", ("user_artists.dat", 10): "bad value",
         ("user_friends.dat", 4): "unknown id", ("user_friends.dat", 5): "duplicate",
         ("user_friends.dat", 6): "duplicate", ("user_friends.dat", 7): "malformed"},
        {"MATCH (:User {dataset: $ds})-[r:INTERACTED]->() RETURN sum(r.weight)": 13883 + 11690 + 5,
         "MATCH (:User {dataset: $ds})-[r:FRIEND]->() RETURN count(r)": 2,
         "MATCH (:Artist {dataset: $ds})-[:HAS_TAG]->(t:Tag) RETURN count(DISTINCT t.name)": 2,
         "MATCH (a:Artist {dataset: $ds, id: '3'}) RETURN a.title": "Carpathian Forest `})",
         "MATCH (:Artist {dataset: $ds, id: '1'})-[k:GENRE]->(e) RETURN e.uri":
             "http://dbpedia.org/resource/Visual_kei"},
    ),
    "dbbook2014": (
        "dbbook-bad",
        {"users": 2, "books": 3, "dbpedia": 4, "ratings": 3},
        {("DBbook_Items_DBpedia_mapping.tsv", 5): "duplicate", ("DBbook_Items_DBpedia_mapping.tsv", 6): "bad value",
         ("DBbook_Items_DBpedia_mapping.tsv", 7): "malformed",
         ("dbo:author.edgelist", 3): "malformed", ("dbo:author.edgelist", 4): "bad value",
         ("dbo:literaryGenre.edgelist", 3): "duplicate",
         ("DBbook_train_ratings.tsv", 5): "unknown id", ("DBbook_train_ratings.tsv", 6): "out of range",
         ("DBbook_train_ratings.tsv", 7): "duplicate", ("DBbook_train_ratings.tsv", 8): "bad value",
         ("DBbook_train_ratings.tsv", 9): "malformed"},
        {"MATCH (:User {dataset: $ds})-[r:RATED]->() RETURN collect(r.rating)": [0.0, 4.0, 5.0],
         "MATCH (b:Book {dataset: $ds}) RETURN count(b)": 3,
         "MATCH (:Book {dataset: $ds, id: '10'})-[:AUTHOR]->(e) RETURN e.name": "Roger Zelazny"},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_lines_quarantined_good_rows_loaded(db: Driver, tmp_path: Path, name: str) -> None:
    folder, loaded, rejected, graph = CASES[name]
    report = ingest_dataset(db, name, FIXTURES / folder, progress=False, state_dir=tmp_path, cache_dir=tmp_path)
    assert report.loaded == loaded
    assert report.quarantine is not None and report.skipped == len(rejected)
    rows = [json.loads(line) for line in report.quarantine.read_text().splitlines()]
    assert {(Path(r["file"]).name, r["line"]): r["reason"].split(":", 1)[0] for r in rows} == rejected
    assert all(r["raw"] for r in rows)
    for rejection in report.rejections[:5]:
        assert f"e.g. {rejection.file}:{rejection.line}: {rejection.reason}" in report.summary()
    for query, expected in graph.items():
        got = db.execute_query(query, ds=name).records[0][0]
        assert (sorted(got) if isinstance(got, list) else got) == expected, query


@pytest.mark.parametrize("name", sorted(CASES))
def test_strict_refuses_each_format_before_writing(db: Driver, tmp_path: Path, name: str) -> None:
    folder, _, rejected, _ = CASES[name]
    with pytest.raises(StrictModeError) as err:
        ingest_dataset(db, name, FIXTURES / folder, strict=True, progress=False, state_dir=tmp_path,
                       cache_dir=tmp_path)
    assert err.value.count == len(rejected)
    assert db.execute_query("MATCH (n) RETURN count(n)").records[0][0] == 0
