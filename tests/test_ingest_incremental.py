"""Incremental and crash-safe ingest: appended rows alone are written; a killed ingest re-run ends exact."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from neo4j import Driver

from graphstore.provision import Credentials
from ingest.run import ingest_dataset

FIXTURE = Path(__file__).parent / "fixtures" / "ml100k-bad"
REPO = Path(__file__).resolve().parent.parent
DS = "movielens-100k"
KILLED = "amazon-kg-movies-tv"  # 67k interactions: big enough to kill mid-way, small enough to re-run quickly


def rated(driver: Driver) -> int:
    return driver.execute_query("MATCH ()-[r:RATED]->() RETURN count(r)").records[0][0]


def test_appended_rows_alone_are_written(db: Driver, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    kw = {"progress": False, "state_dir": tmp_path / "state", "cache_dir": tmp_path / "cache"}
    first = ingest_dataset(db, DS, data, **kw)
    assert first.mode == "full" and first.loaded["ratings"] == 6 and rated(db) == 6

    with (data / "movielens-100k" / "u.data").open("a") as fh:
        fh.write("7\t1\t4\t874965790\n1\t99\t5\t874965791\n2\t2\t2\t874965792\n")
    appended = ingest_dataset(db, DS, data, **kw)
    assert appended.mode == "append"
    assert appended.loaded == {"ratings": 2}  # users, movies and knowledge are not written again
    assert appended.relationships_created == 2 and appended.nodes_created == 0
    assert appended.skipped == 1  # only the bad appended row; older bad rows were reported by the first run
    assert [str(r) for r in appended.rejections] == ["u.data:17: unknown id: item 99 is not in u.item"]
    assert rated(db) == 8
    row = db.execute_query("MATCH (:User {id: '2'})-[r:RATED]->(:Movie {id: '2'}) RETURN r.rating, r.ts").records[0]
    assert list(row) == [2.0, 874965792]

    assert ingest_dataset(db, DS, data, **kw).mode == "up-to-date"
    (data / "movielens-100k" / "u.data").write_text("1\t1\t1\t874965758\n")  # rewritten, not appended
    rewritten = ingest_dataset(db, DS, data, **kw)
    assert rewritten.mode == "full" and rewritten.loaded["ratings"] == 1
    assert db.execute_query("MATCH (:User {id: '1'})-[r:RATED]->(:Movie {id: '1'}) RETURN r.rating").records[0][0] == 1


def test_an_appended_row_repeating_an_earlier_pair_is_a_duplicate(db: Driver, tmp_path: Path) -> None:
    """As in a full run, the first row of a (user, item) pair wins and a later one is reported: appending a
    repeated pair must neither overwrite the stored rating nor pass silently."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    kw = {"progress": False, "state_dir": tmp_path / "state", "cache_dir": tmp_path / "cache"}
    ingest_dataset(db, DS, data, **kw)
    with (data / "movielens-100k" / "u.data").open("a") as fh:
        fh.write("1\t1\t2\t874965800\n7\t1\t3\t874965801\n")  # (1, 1) is line 1 (5 stars); (7, 1) is new
    appended = ingest_dataset(db, DS, data, **kw)
    assert appended.mode == "append" and appended.loaded == {"ratings": 1}
    assert [str(r) for r in appended.rejections] == ["u.data:16: duplicate: (1, 1) first at line 1"]
    assert rated(db) == 7
    query = "MATCH (:User {id: $u})-[r:RATED]->(:Movie {id: $i}) RETURN r.rating"
    assert db.execute_query(query, u="1", i="1").records[0][0] == 5.0
    forced = ingest_dataset(db, DS, data, force=True, **kw)  # a full run agrees
    assert forced.quarantine is not None
    rejected = [json.loads(line) for line in forced.quarantine.read_text().splitlines()]
    assert {"line": 16, "reason": "duplicate: (1, 1) first at line 1"} in [
        {"line": r["line"], "reason": r["reason"]} for r in rejected if r["file"].endswith("u.data")]
    assert db.execute_query(query, u="1", i="1").records[0][0] == 5.0 and rated(db) == 7


def test_killed_ingest_rerun_ends_exact(db: Driver, neo4j_creds: Credentials, data_dir: Path, tmp_path: Path) -> None:
    child = (
        "import sys; from pathlib import Path; from graphstore.connection import open_driver; "
        "from ingest.run import ingest_dataset\n"
        "with open_driver() as d:\n"
        f"    ingest_dataset(d, {KILLED!r}, Path(sys.argv[1]), progress=False, batch_size=2000)\n"
    )
    env = {**os.environ, "NEO4J_URI": neo4j_creds.uri, "NEO4J_USER": neo4j_creds.user,
           "NEO4J_PASSWORD": neo4j_creds.password, "KGREC_STATE_DIR": str(tmp_path / "state"),
           "KGREC_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-c", child, str(data_dir)], cwd=REPO, env=env)

    def interactions() -> int:
        return db.execute_query("MATCH ()-[r:INTERACTED]->() RETURN count(r)").records[0][0]

    try:
        deadline = time.monotonic() + 300
        while interactions() < 10_000:  # killed in the middle of the interactions
            assert proc.poll() is None, "the ingest finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert 0 < interactions() < 67066

    rerun = ingest_dataset(db, KILLED, data_dir, progress=False, state_dir=tmp_path / "state")
    assert rerun.mode == "full"  # the killed run left its record incomplete
    counts = db.execute_query(
        "MATCH (u:User) WITH count(u) AS users MATCH (i:Item) WITH users, count(i) AS items "
        "MATCH ()-[r:INTERACTED]->() RETURN users, items, count(r)").records[0]
    assert list(counts) == [5648, 4896, 67066]
    assert ingest_dataset(db, KILLED, data_dir, progress=False, state_dir=tmp_path / "state").mode == "up-to-date"
