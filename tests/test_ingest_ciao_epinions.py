"""Ciao and Epinions (.mat): observed counts from full parses; Ciao ratings and trust links in real Neo4j (bounded)."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver

from ingest.fetch import resolve_files
from ingest.quarantine import Quarantine
from ingest.registry import get
from ingest.run import ingest_dataset
from ingest.spec import Inputs


def parse_counts(name: str, data_dir: Path, tmp_path: Path) -> tuple[dict[str, int], Quarantine]:
    spec = get(name)
    q = Quarantine(None)
    counts = {s.name: sum(1 for _ in s.rows) for s in spec.parser(Inputs(resolve_files(spec, data_dir, tmp_path)), q)}
    return counts, q


def test_ciao_counts(data_dir: Path, tmp_path: Path) -> None:
    counts, q = parse_counts("ciao", data_dir, tmp_path)
    # 284,086 rating rows = 282,619 loaded + 1,433 repeated (user, item) + 34 ratings of 0; 111,781 trust links
    assert counts == {"users": 7375, "products": 105096, "ratings": 282619, "trust": 111781}
    assert dict(q.reasons) == {"duplicate": 1433, "out of range": 34}
    assert all(r.file == "rating.mat" for r in q.samples)


def test_epinions_counts(data_dir: Path, tmp_path: Path) -> None:
    counts, q = parse_counts("epinions", data_dir, tmp_path)
    # 922,267 rating rows with 9,826 repeats; 355,754 trust rows with 27 repeats and 224 self-links
    assert counts == {"users": 22165, "products": 296277, "ratings": 912441, "trust": 355503}
    assert dict(q.reasons) == {"duplicate": 9826 + 27, "bad value": 224}


def test_ciao_bounded_ingest(db: Driver, data_dir: Path, tmp_path: Path) -> None:
    report = ingest_dataset(db, "ciao", data_dir, progress=False, state_dir=tmp_path, max_rows=3000)
    assert report.loaded == {"users": 7375, "products": 105096, "ratings": 3000, "trust": 3000}
    assert report.quarantine is not None and report.skipped == 1467
    first = next(r for r in report.rejections if r.reason.startswith("duplicate"))
    assert (first.file, first.line, first.reason) == ("rating.mat", 494, "duplicate: (1, 308) first at row 308")

    def one(query: str) -> object:
        return db.execute_query(query, ds="ciao").records[0][0]

    assert one("MATCH (p:Item:Product {dataset: $ds}) RETURN count(p)") == 105096
    assert one("MATCH (:User {dataset: $ds})-[r:RATED]->(:Product) RETURN count(r)") == 3000
    assert one("MATCH (:User {dataset: $ds, id: '1'})-[r:RATED]->(:Product {id: '1'}) RETURN r.rating") == 3.0
    assert one("MATCH (:User {dataset: $ds, id: '1'})-[:TRUSTS]->(v:User) RETURN min(toInteger(v.id))") == 2
    assert one("MATCH (:User {dataset: $ds})-[t:TRUSTS]->(:User {dataset: $ds}) RETURN count(t)") == 3000
