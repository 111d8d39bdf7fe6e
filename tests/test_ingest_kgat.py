"""KGAT amazon-book: published split counts from a full parse; a bounded ingest with a hand-made KG fixture.

The published kg_final.txt is missing from the shared snapshot; its reader is exercised on a small
hand-made file next to the real id lists (linked into tmp_path). The full 846k-row ingest is measured by
benchmarks/ingest.py.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from neo4j import Driver

from ingest.fetch import resolve_files
from ingest.quarantine import Quarantine
from ingest.registry import get
from ingest.run import ingest_dataset
from ingest.spec import Inputs

DS = "kgat-amazon-book"
KG_FIXTURE = "\n".join([
    "0 10 24915",       # item 0 --book.written_work.author--> m.06d45vr
    "0 3 24916",        # item 0 --rdf:type--> book.written_work
    "24915 14 0",       # m.06d45vr --book.author.works_written--> item 0 (entity → entity)
    "1 21 59314",       # item 1 --rdfs:label--> a literal name
    "0 10 24915",       # duplicate
    "0 99 24915",       # unknown relation
    "0 10 999999",      # unknown entity
    "0 10",             # malformed
]) + "\n"


def test_full_parse_matches_published_split(data_dir: Path, tmp_path: Path) -> None:
    spec = get(DS)
    q = Quarantine(None)
    counts: Counter[str] = Counter()
    users_with_train: set[str] = set()
    for section in spec.parser(Inputs(resolve_files(spec, data_dir, tmp_path)), q):
        for row in section.rows:
            counts[section.name] += 1
            if section.kind == "interactions":
                counts[f"test_of={row['t']}"] += 1
                if not row["t"]:
                    users_with_train.add(row["u"])
    assert q.count == 0
    assert counts == {"users": 70679, "items": 24915, "interactions": 846434,  # 652,514 + 193,920
                      "test_of=['kgat']": 193920, "test_of=[]": 652514}
    assert len(users_with_train) == 70679  # every user has training items


def test_bounded_ingest_with_kg(db: Driver, data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data" / "kgat" / "amazon-book"
    folder.mkdir(parents=True)
    for f in (data_dir / "kgat" / "amazon-book").iterdir():
        (folder / f.name).symlink_to(f)
    (folder / "kg_final.txt").write_text(KG_FIXTURE)
    report = ingest_dataset(db, DS, tmp_path / "data", progress=False, state_dir=tmp_path, max_rows=2000)
    assert report.loaded == {"users": 70679, "items": 24915, "freebase": 3, "freebase (entities)": 1,
                             "interactions": 2000}
    assert {(r.line, r.reason.split(":")[0]) for r in report.rejections} == {
        (5, "duplicate"), (6, "unknown id"), (7, "unknown id"), (8, "malformed")}

    def one(query: str) -> object:
        return db.execute_query(query, ds=DS).records[0][0]

    assert one("MATCH (u:User {dataset: $ds}) RETURN count(u)") == 70679
    assert one("MATCH (b:Item:Book {dataset: $ds}) RETURN count(b)") == 24915
    assert one("MATCH (b:Book {dataset: $ds, id: '0'}) RETURN b.uri") == "http://rdf.freebase.com/ns/m.045wq1q"
    assert one("MATCH (u:User {dataset: $ds, id: '0'}) RETURN u.org_id") == "A3RTKL9KB8KLID"
    # train.txt line 1: user 0 has items 0..31, the first rows written
    assert one("MATCH (:User {dataset: $ds, id: '0'})-[r:INTERACTED]->() RETURN count(r)") == 32
    # the first 2,000 rows are training rows: in no split's test set
    assert one("MATCH ()-[r:INTERACTED]->() WHERE r.test_in = 0 RETURN count(r)") == 2000
    author = db.execute_query(
        "MATCH (:Book {dataset: $ds, id: '0'})-[k:BOOK_WRITTEN_WORK_AUTHOR]->(e:Entity) "
        "RETURN k.predicate, e.uri, e.name", ds=DS).records[0]
    assert list(author) == ["http://rdf.freebase.com/ns/book.written_work.author",
                            "http://rdf.freebase.com/ns/m.06d45vr", "m.06d45vr"]
    assert one("MATCH (:Entity {uri: 'http://rdf.freebase.com/ns/m.06d45vr'})-[k:BOOK_AUTHOR_WORKS_WRITTEN]->"
               "(e:Entity) RETURN e.uri") == "http://rdf.freebase.com/ns/m.045wq1q"
    assert one("MATCH (:Book {dataset: $ds, id: '1'})-[:LABEL]->(e) RETURN e.uri") == "urn:kgrec:kgat:entity:59314"
    assert one("MATCH (:Book {dataset: $ds, id: '0'})-[:TYPE]->(e) RETURN e.uri") == (
        "http://rdf.freebase.com/ns/book.written_work")


def test_appended_test_rows_are_checked_against_both_files(data_dir: Path, tmp_path: Path) -> None:
    """An append run reads KGAT's unchanged train.txt and the old part of test.txt without yielding them, so only
    the appended test rows are written, and one repeating a training pair is a duplicate as in a full run."""
    spec = get(DS)
    paths = resolve_files(spec, data_dir, tmp_path)
    (tmp_path / "train.txt").write_text("0 1 2\n1 3\n")
    (tmp_path / "test.txt").write_text("0 4\n")
    old_test = (tmp_path / "test.txt").stat().st_size
    with (tmp_path / "test.txt").open("a") as fh:
        fh.write("0 2 5\n1 4\n")  # (0, 2) is a training pair
    paths |= {"train": tmp_path / "train.txt", "test": tmp_path / "test.txt"}
    starts = {"train": (tmp_path / "train.txt").stat().st_size, "test": old_test}
    q = Quarantine(None)
    rows = [(row["u"], row["i"], row["t"]) for section in spec.parser(Inputs(paths, starts), q)
            if section.kind == "interactions" for row in section.rows]
    assert rows == [("0", "5", ["kgat"]), ("1", "4", ["kgat"])]
    assert [str(r) for r in q.samples] == ["test.txt:2: duplicate: (0, 2)"]


def test_bad_interaction_lines_are_reported_with_file_and_line(data_dir: Path, tmp_path: Path) -> None:
    spec = get(DS)
    paths = resolve_files(spec, data_dir, tmp_path)
    (tmp_path / "train.txt").write_text("0 0 1 2\n0 abc 3\n999999 1\n1 24915\n1 32 -1\n")
    (tmp_path / "test.txt").write_text("0 2 4\n\n1 33\n")
    paths |= {"train": tmp_path / "train.txt", "test": tmp_path / "test.txt"}
    q = Quarantine(None)
    rows = [(row["u"], row["i"]) for section in spec.parser(Inputs(paths), q)
            if section.kind == "interactions" for row in section.rows]
    assert rows == [("0", "0"), ("0", "1"), ("0", "2"), ("0", "3"), ("1", "32"), ("0", "4"), ("1", "33")]
    assert [str(r) for r in q.samples] == [
        "train.txt:2: bad value: item 'abc' is not an integer",
        "train.txt:3: unknown id: user 999999",
        "train.txt:4: out of range: item 24915 not in [0, 24914]",
        "train.txt:5: out of range: item -1 not in [0, 24914]",
        "test.txt:1: duplicate: (0, 2)",
    ]
