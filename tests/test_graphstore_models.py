"""Model versions on real Neo4j: write-back, vector index, atomic activation, pruning, bad input, concurrent
write-backs and the reservations of pending, failed and killed ones."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from neo4j import Driver
from neo4j.exceptions import Neo4jError

from graphstore import models
from graphstore.cypher_files import query_text, statements
from graphstore.models import (
    ModelVersionError,
    activate_version,
    active_version,
    embedding_property,
    get_version,
    list_versions,
    load_embeddings,
    prune_versions,
    remove_abandoned,
    write_model_version,
)
from graphstore.provision import Credentials
from graphstore.schema import apply_schema

REPO = Path(__file__).resolve().parent.parent

USERS = [str(i) for i in range(1, 8)]
ITEMS = [f"i{i}" for i in range(1, 13)]


@pytest.fixture
def graph(db: Driver) -> Driver:
    db.execute_query("UNWIND $ids AS id CREATE (:User {dataset: 'toy', id: id})", {"ids": USERS})
    db.execute_query("UNWIND $ids AS id CREATE (:Item:Movie {dataset: 'toy', id: id})", {"ids": ITEMS})
    db.execute_query("CREATE (:Item:Movie {dataset: 'other', id: 'i1'})")  # same id, other dataset
    return db


def _emb(n: int, dim: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)


def _write(db: Driver, seed: int, dataset: str = "toy", **kw):
    return write_model_version(db, dataset, "mf", USERS, _emb(len(USERS), 8, seed), ITEMS,
                               _emb(len(ITEMS), 8, seed + 1), "dot", {"dim": 8}, {"ndcg@20": 0.1 * seed}, **kw)


def _assert_intact(db: Driver, mv: models.ModelVersion, seed: int) -> None:
    """The version's stored vectors are exactly the ones written with `seed`, behind ONLINE indexes."""
    for label, ids, emb in (("User", USERS, _emb(len(USERS), 8, seed)), ("Item", ITEMS, _emb(len(ITEMS), 8, seed + 1))):
        stored_ids, stored = load_embeddings(db, mv, label)
        assert stored_ids == sorted(ids), (mv.version, label)
        np.testing.assert_allclose(stored, emb[[ids.index(i) for i in stored_ids]], rtol=1e-6)
    states = db.execute_query("SHOW VECTOR INDEXES YIELD name, state WHERE name IN $n RETURN collect(state) AS s",
                              {"n": [mv.user_index, mv.item_index]})[0][0]["s"]
    assert states == ["ONLINE", "ONLINE"]


@contextmanager
def _item_locked(db: Driver) -> Iterator[None]:
    """Hold the write lock of one toy item: a write-back of toy then waits in its item batch, its version reserved
    and its user vectors written."""
    with db.session() as session, session.begin_transaction() as tx:
        tx.run("MATCH (i:Item {dataset: 'toy', id: 'i5'}) SET i.locked = true").consume()
        yield
        tx.rollback()


def _blocked(db: Driver, fragment: str = "setNodeVectorProperty") -> str:
    """Wait until a query containing `fragment` (by default a vector write) waits for a lock; return its
    transaction id."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        records, _, _ = db.execute_query(
            "SHOW TRANSACTIONS YIELD transactionId, currentQuery, status "
            "WHERE status STARTS WITH 'Blocked' AND currentQuery CONTAINS $fragment RETURN transactionId",
            {"fragment": fragment})
        if records:
            return records[0]["transactionId"]
        time.sleep(0.05)
    pytest.fail(f"no query with {fragment!r} waited for a lock")


def _slots(db: Driver) -> list[tuple[int, bool]]:
    records, _, _ = db.execute_query("MATCH (s:ModelSlot) RETURN s.version AS v, s:Model AS complete ORDER BY v")
    return [(r["v"], r["complete"]) for r in records]


def _holders(db: Driver, prop: str) -> list[str]:
    records, _, _ = db.execute_query("MATCH (n) WHERE n[$p] IS NOT NULL RETURN DISTINCT n.dataset + ':' + "
                                     "labels(n)[0] AS holder ORDER BY holder", {"p": prop})
    return [r["holder"] for r in records]


def test_write_back_round_trip_and_vector_index(graph: Driver) -> None:
    mv = _write(graph, 1)
    assert (mv.version, mv.property, mv.active) == (1, "emb_mf_v1", True)
    ids, items = load_embeddings(graph, mv, "Item")
    assert ids == sorted(ITEMS)
    np.testing.assert_allclose(items, _emb(len(ITEMS), 8, 2)[[ITEMS.index(i) for i in ids]], rtol=1e-6)
    other = graph.execute_query("MATCH (i:Item {dataset: 'other'}) RETURN i[$p] AS e", {"p": mv.property})[0]
    assert other[0]["e"] is None  # the other dataset's item with the same id is untouched

    # the vector index answers like exact cosine scoring
    query = items[3]
    records, _, _ = graph.execute_query(
        "MATCH (q:Item {dataset: 'toy', id: $id}) CALL db.index.vector.queryNodes($index, 3, q[$p]) "
        "YIELD node, score RETURN node.id AS id, score", {"id": ids[3], "index": mv.item_index, "p": mv.property})
    cos = items @ query / (np.linalg.norm(items, axis=1) * np.linalg.norm(query))
    assert [r["id"] for r in records] == [ids[j] for j in np.argsort(-cos)[:3]]
    stored = active_version(graph, "toy")
    assert stored.metrics == {"ndcg@20": 0.1} and stored.params == {"dim": 8} and stored.similarity == "dot"


def test_new_version_activates_atomically_and_old_ones_are_pruned(graph: Driver) -> None:
    _write(graph, 1)
    v2 = _write(graph, 2)
    assert active_version(graph, "toy").version == 2
    assert [(m.version, m.active) for m in list_versions(graph, "toy")] == [(1, False), (2, True)]
    activate_version(graph, "toy", "mf", 1)  # roll back
    assert [(m.version, m.active) for m in list_versions(graph, "toy")] == [(1, True), (2, False)]
    activate_version(graph, "toy", "mf", 2)
    _write(graph, 3, keep=1)  # keeps only v3
    assert [m.version for m in list_versions(graph, "toy")] == [3]
    left = graph.execute_query("MATCH (n) WHERE n[$p] IS NOT NULL RETURN count(n) AS c", {"p": v2.property})
    assert left[0][0]["c"] == 0
    indexes = {r["name"] for r in graph.execute_query("SHOW VECTOR INDEXES YIELD name")[0]}
    assert indexes == {"emb_mf_v3_user", "emb_mf_v3_item"}


def test_a_version_whose_index_is_gone_is_not_activated(graph: Driver) -> None:
    _write(graph, 1)
    v2 = _write(graph, 2, activate=False)
    assert active_version(graph, "toy").version == 1
    graph.execute_query(f"DROP INDEX {v2.item_index}")
    with pytest.raises(ModelVersionError, match="not ONLINE"):
        activate_version(graph, "toy", "mf", 2)
    assert active_version(graph, "toy").version == 1


def test_a_version_activated_since_it_was_read_is_not_deleted(graph: Driver) -> None:
    """delete_version re-checks `active` under the version's lock: a ModelVersion read before another process
    activated it says inactive, and deleting it would have dropped the serving version's vectors and indexes."""
    v1 = _write(graph, 1)
    _write(graph, 2)
    stale = get_version(graph, "toy", "mf", 1)
    assert stale is not None and not stale.active
    activate_version(graph, "toy", "mf", 1)
    with pytest.raises(ModelVersionError, match="is active"):
        models.delete_version(graph, stale)
    assert active_version(graph, "toy").version == 1
    _assert_intact(graph, v1, 1)
    assert graph.execute_query("MATCH (m:Model {version: 1}) RETURN m.deleting")[0][0][0] is None  # rolled back


def test_a_version_claimed_for_deletion_is_not_activated_nor_served(graph: Driver) -> None:
    """An activation waits for the lock of a deletion that claimed the version, then refuses it; a deletion cut
    short after its claim is finished by running it again, and no request picks the version meanwhile."""
    _write(graph, 1)
    _write(graph, 2)
    outcome: list[BaseException | None] = []
    with graph.session() as session, session.begin_transaction() as tx:  # a deletion's claim, not yet committed
        tx.run("MATCH (m:Model {dataset: 'toy', name: 'mf', version: 1}) SET m.deleting = true").consume()

        def activate() -> None:
            try:
                activate_version(graph, "toy", "mf", 1)
                outcome.append(None)
            except ModelVersionError as exc:
                outcome.append(exc)

        worker = threading.Thread(target=activate)
        worker.start()
        _blocked(graph, "activated_at")
        tx.commit()
        worker.join(timeout=60)
    assert len(outcome) == 1 and "being deleted" in str(outcome[0])
    assert "kgrec models delete -d toy mf 1" in str(outcome[0])
    assert [(m.version, m.active, m.deleting) for m in list_versions(graph, "toy")] == [(1, False, True),
                                                                                       (2, True, False)]
    assert active_version(graph, "toy").version == 2
    state = graph.execute_query(query_text("api/user_state"), dataset="toy", userId="1", modelName="mf",
                                modelVersion=1).records[0]
    assert state["model"] is None  # a named request does not get it either
    models.delete_version(graph, get_version(graph, "toy", "mf", 1))  # finishing the cut-short deletion
    assert [m.version for m in list_versions(graph, "toy")] == [2]
    assert _holders(graph, embedding_property("mf", 1)) == []


def test_registry_names_with_a_hyphen_are_written_activated_and_pruned(graph: Driver) -> None:
    """`kgrec train -m hetero-gnn` (or social-lightgcn, glocal-k, …) trained to the end and then failed: the
    write-back refused every registry name with a hyphen."""
    args = {"user_emb": _emb(len(USERS), 8, 1), "item_emb": _emb(len(ITEMS), 8, 2), "similarity": "dot",
            "params": {}, "metrics": {}}
    v1 = write_model_version(graph, "toy", "social-lightgcn", USERS, item_ids=ITEMS, **args)
    assert (v1.property, active_version(graph, "toy").key) == ("emb_social-lightgcn_v1", ("toy", "social-lightgcn", 1))
    assert load_embeddings(graph, v1, "User")[0] == sorted(USERS)
    write_model_version(graph, "toy", "social-lightgcn", USERS, item_ids=ITEMS, keep=1, **args)
    assert [(m.version, m.active) for m in list_versions(graph, "toy")] == [(2, True)]
    left = graph.execute_query("MATCH (n) WHERE n[$p] IS NOT NULL RETURN count(n) AS c", {"p": v1.property})
    indexes = {r["name"] for r in graph.execute_query("SHOW VECTOR INDEXES YIELD name")[0]}
    assert left[0][0]["c"] == 0 and indexes == {"emb_social-lightgcn_v2_user", "emb_social-lightgcn_v2_item"}


def test_leftovers_of_a_killed_write_back_do_not_leak_into_the_next_version(graph: Driver) -> None:
    """A write-back killed before its (:Model) node existed left its property and index behind; the next run reuses
    the version number, and `CREATE VECTOR INDEX IF NOT EXISTS` kept the old index (here of another dimension), so
    the new active version's vector index held none of its vectors."""
    graph.execute_query("MATCH (n:Item {dataset: 'other'}) CALL db.create.setNodeVectorProperty(n, 'emb_mf_v1', $v)",
                        {"v": [1.0, 0.0, 0.0, 0.0]})
    graph.execute_query("CREATE VECTOR INDEX emb_mf_v1_item FOR (n:Item) ON (n.emb_mf_v1) OPTIONS {indexConfig: "
                        "{`vector.dimensions`: 4, `vector.similarity_function`: 'cosine'}}")
    mv = _write(graph, 1)  # dim 8
    assert mv.property == "emb_mf_v1"
    dims = graph.execute_query("SHOW VECTOR INDEXES YIELD name, options WHERE name = $n "
                               "RETURN options.indexConfig.`vector.dimensions` AS d", {"n": mv.item_index})[0]
    assert dims[0]["d"] == 8
    records, _, _ = graph.execute_query(
        "MATCH (q:Item {dataset: 'toy', id: 'i1'}) CALL db.index.vector.queryNodes($index, 3, q[$p]) YIELD node "
        "RETURN node.dataset AS dataset", {"index": mv.item_index, "p": mv.property})
    assert [r["dataset"] for r in records] == ["toy"] * 3  # the other dataset's stray vector is gone


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"name": "MF; DROP"}, "model name"), ({"similarity": "l2"}, "similarity"),
     ({"item_emb": np.zeros((3, 8))}, "item embeddings have shape"),
     ({"item_emb": np.full((12, 8), np.nan)}, "NaN"), ({"item_emb": np.zeros((12, 4))}, "dim 4")],
)
def test_bad_arguments_are_refused_before_writing(graph: Driver, kwargs: dict, message: str) -> None:
    args = {"dataset": "toy", "name": "mf", "user_ids": USERS, "user_emb": _emb(7, 8, 1), "item_ids": ITEMS,
            "item_emb": _emb(12, 8, 2), "similarity": "dot", "params": {}, "metrics": {}}
    with pytest.raises(ModelVersionError, match=message):
        write_model_version(graph, **{**args, **kwargs})
    assert list_versions(graph) == []


@pytest.mark.parametrize("datasets", [("toy", "toy"), ("toy", "other")])
def test_concurrent_write_backs_of_one_model_name_get_their_own_versions(graph: Driver, datasets) -> None:
    """Both read the same highest version and wrote into the same property (the second one erasing the first one's
    vectors as a killed run's leftovers); then one failed on the node constraint or creating the same index."""
    graph.execute_query("UNWIND $ids AS id CREATE (:User {dataset: 'other', id: id})", {"ids": USERS})
    graph.execute_query("UNWIND $ids AS id MERGE (:Item:Movie {dataset: 'other', id: id})", {"ids": ITEMS})
    start = threading.Barrier(2)

    def run(dataset: str, seed: int) -> models.ModelVersion:
        start.wait()
        return _write(graph, seed, dataset, activate=False)

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(run, dataset, seed) for dataset, seed in zip(datasets, (1, 3), strict=True)]
        written = [f.result() for f in futures]
    assert sorted(mv.version for mv in written) == [1, 2]
    for mv, seed in zip(written, (1, 3), strict=True):
        _assert_intact(graph, mv, seed)
        assert _holders(graph, mv.property) == [f"{mv.dataset}:Item", f"{mv.dataset}:User"]
    assert _slots(graph) == [(1, True), (2, True)]


def test_a_write_back_that_loses_the_race_for_a_number_takes_the_next_one(graph: Driver) -> None:
    """Another run's reservation of v1, not yet committed when this run looks for the highest version: this run
    tries v1 too, waits on the constraint, fails once the other commits, and takes v2."""
    with ThreadPoolExecutor(1) as pool:
        with graph.session() as session, session.begin_transaction() as tx:
            tx.run("CREATE (:ModelSlot {dataset: 'other', name: 'mf', version: 1, token: 'theirs', "
                   "heartbeat: datetime()})").consume()
            racing = pool.submit(_write, graph, 1)
            _blocked(graph, "CREATE (s:ModelSlot")
            tx.commit()
        mv = racing.result()
    assert mv.version == 2 and _slots(graph) == [(1, False), (2, True)]
    _assert_intact(graph, mv, 1)


def test_a_write_back_in_flight_is_invisible_to_readers_and_left_alone(graph: Driver,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # its batches need a beat within STALE_SECONDS / 2: ten beats, so a busy machine's late one does not fail it
    monkeypatch.setattr(models, "HEARTBEAT_SECONDS", 0.1)
    monkeypatch.setattr(models, "STALE_SECONDS", 2.0)
    _write(graph, 1)
    with ThreadPoolExecutor(1) as pool:
        with _item_locked(graph):
            pending = pool.submit(_write, graph, 2)
            _blocked(graph)
            time.sleep(2.5)  # past STALE_SECONDS: only its heartbeat tells it from a killed run
            assert _slots(graph) == [(1, True), (2, False)] and _holders(graph, "emb_mf_v2") == ["toy:User"]
            assert [(m.version, m.active) for m in list_versions(graph)] == [(1, True)]
            assert active_version(graph, "toy").version == 1 and get_version(graph, "toy", "mf", 2) is None
            with pytest.raises(ModelVersionError, match="no model mf v2"):
                activate_version(graph, "toy", "mf", 2)
            assert prune_versions(graph, "toy", "mf", keep=1) == []
            _assert_readers_see_only_v1(graph)
            assert remove_abandoned(graph) == []  # what every write-back runs first
            assert _slots(graph) == [(1, True), (2, False)] and _holders(graph, "emb_mf_v2") == ["toy:User"]
        done = pending.result()
    assert (done.version, done.active) == (2, True) and _slots(graph) == [(1, True), (2, True)]
    _assert_intact(graph, done, 2)
    complete = graph.execute_query("MATCH (m:Model {version: 2}) RETURN m.token AS t, m.heartbeat AS h")[0][0]
    assert (complete["t"], complete["h"]) == (None, None)


def test_a_write_back_frozen_past_stale_is_taken_over_and_writes_nothing_after(
    graph: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run frozen between two batches for longer than STALE_SECONDS (no heartbeat) loses its slot to the
    clean-up. When it wakes, its next batch finds the slot is no longer its own and writes nothing, so no late
    vector lands under a number another run may have taken since; the number is free again."""
    monkeypatch.setattr(models, "HEARTBEAT_SECONDS", 60.0)
    monkeypatch.setattr(models, "STALE_SECONDS", 4.0)
    v1 = _write(graph, 1)
    paused, resume, calls = threading.Event(), threading.Event(), []
    check = models._Heartbeat.check

    def pausing_check(self: models._Heartbeat) -> None:  # freezes the run before its first item batch
        calls.append(self)
        if len(calls) == 2:
            paused.set()
            resume.wait(60)
        check(self)

    monkeypatch.setattr(models._Heartbeat, "check", pausing_check)
    with ThreadPoolExecutor(1) as pool:
        frozen = pool.submit(_write, graph, 2, activate=False)
        assert paused.wait(60)
        assert _holders(graph, "emb_mf_v2") == ["toy:User"]
        time.sleep(4.5)
        assert remove_abandoned(graph) == ["emb_mf_v2"]
        assert _slots(graph) == [(1, True)] and _holders(graph, "emb_mf_v2") == []
        resume.set()
        with pytest.raises(ModelVersionError, match="taken over as abandoned"):
            frozen.result()
    assert _holders(graph, "emb_mf_v2") == []  # its item batch wrote nothing
    assert list_versions(graph) == [v1] and _slots(graph) == [(1, True)]
    again = _write(graph, 3)
    assert again.version == 2 and _holders(graph, "emb_mf_v2") == ["toy:Item", "toy:User"]
    _assert_intact(graph, again, 3)


def test_a_write_back_frozen_after_its_last_batch_and_taken_over_builds_no_index(
    graph: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frozen past STALE_SECONDS between its last batch of vectors and its vector indexes, a run loses its slot to
    the clean-up; when it wakes it stops before creating an index, so none is left under a number that is free
    again (or that a higher version already passed, and no later run would drop)."""
    monkeypatch.setattr(models, "HEARTBEAT_SECONDS", 60.0)
    monkeypatch.setattr(models, "STALE_SECONDS", 4.0)
    v1 = _write(graph, 1)
    paused, resume = threading.Event(), threading.Event()
    write_vectors = models._write_vectors

    def pausing_write_vectors(*args: object) -> int:  # freezes the run after its item batches (desc: 9th argument)
        written = write_vectors(*args)
        if args[8] == "item embeddings":
            paused.set()
            resume.wait(60)
        return written

    monkeypatch.setattr(models, "_write_vectors", pausing_write_vectors)
    with ThreadPoolExecutor(1) as pool:
        frozen = pool.submit(_write, graph, 2, activate=False)
        assert paused.wait(60)
        time.sleep(4.5)
        assert remove_abandoned(graph) == ["emb_mf_v2"]
        resume.set()
        with pytest.raises(ModelVersionError, match="taken over as abandoned"):
            frozen.result()
    indexes = graph.execute_query("SHOW INDEXES YIELD name WHERE name CONTAINS 'emb_mf_v2' RETURN name").records
    assert indexes == [] and _holders(graph, "emb_mf_v2") == []
    assert list_versions(graph) == [v1] and _slots(graph) == [(1, True)]


def test_a_batch_the_server_ends_stops_the_write_back_before_its_slot_could_go_stale(
    graph: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch stuck inside its transaction (here: waiting for a lock) is ended by the server after BATCH_SECONDS,
    so it can never commit after its slot went stale; the run stops and removes what it wrote."""
    monkeypatch.setattr(models, "BATCH_SECONDS", 1.0)
    v1 = _write(graph, 1)
    with ThreadPoolExecutor(1) as pool, _item_locked(graph):
        stuck = pool.submit(_write, graph, 2, activate=False)
        _blocked(graph)
        with pytest.raises(ModelVersionError, match="the server ended a batch's transaction"):
            stuck.result(timeout=60)
    assert _holders(graph, "emb_mf_v2") == [] and _slots(graph) == [(1, True)]
    assert list_versions(graph) == [v1]


def test_versions_written_before_slots_existed_stay_complete_versions(graph: Driver) -> None:
    """A database from before the slot constraint: its (:Model) nodes have no :ModelSlot (here even two of one
    name and version, as the old race left them); the schema applies to it, and the next write-back numbers after
    them and prunes them like any version."""
    legacy = _write(graph, 1)
    graph.execute_query("MATCH (m:Model) REMOVE m:ModelSlot "
                        "CREATE (c:Model) SET c = m {.*, dataset: 'other', active: false}")
    graph.execute_query("DROP CONSTRAINT model_slot")
    apply_schema(graph)
    apply_schema(graph)
    assert [(m.dataset, m.version, m.active) for m in list_versions(graph)] == [("other", 1, False), ("toy", 1, True)]
    assert _slots(graph) == []
    mv = _write(graph, 2, keep=1)
    assert mv.version == 2 and active_version(graph, "toy") == mv
    assert [(m.dataset, m.version) for m in list_versions(graph)] == [("other", 1), ("toy", 2)]
    assert _holders(graph, legacy.property) == []


def _assert_readers_see_only_v1(db: Driver) -> None:
    """The API's and the Browser guide's queries of model versions, with v2 of mf pending."""
    def run(name: str, **params) -> list[dict]:
        return [r.data() for r in db.execute_query(query_text(name), params)[0]]

    assert [m["model"]["version"] for m in run("api/models", dataset=None)] == [1]
    assert run("api/ready", dataset="toy") == [{"activeModels": 1}]
    for version, expected in ((None, 1), (2, None)):
        state = run("api/user_state", dataset="toy", userId="1", modelName="mf", modelVersion=version)[0]
        assert (state["model"] or {}).get("version") == expected
    assert run("api/similar_items", dataset="toy", itemId="i1", k=3)[0]["hasModel"]
    guide = statements((REPO / "cypher" / "guide" / "06_model_versions.cypher").read_text())[0]
    assert [r["version"] for r in db.execute_query(guide, {"dataset": None})[0]] == [1]


KILLED_RUN = """
import os, numpy as np
from neo4j import GraphDatabase
from graphstore.models import write_model_version
users, items = [str(i) for i in range(1, 8)], [f"i{i}" for i in range(1, 13)]
with GraphDatabase.driver(os.environ["URI"], auth=(os.environ["USER"], os.environ["PASSWORD"])) as driver:
    write_model_version(driver, "toy", "mf", users, np.ones((7, 8)), items, np.ones((12, 8)), "dot", {}, {})
"""


def test_a_killed_write_back_is_cleaned_up_once_its_heartbeat_is_stale(graph: Driver, neo4j_creds: Credentials,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A run killed mid-write leaves its reservation and the vectors it wrote; the number is not reused, so the
    next write-back removes them once no heartbeat came for STALE_SECONDS."""
    env = {**os.environ, "URI": neo4j_creds.uri, "USER": neo4j_creds.user, "PASSWORD": neo4j_creds.password}
    with _item_locked(graph):
        killed = subprocess.Popen([sys.executable, "-c", KILLED_RUN], cwd=REPO, env=env)
        _blocked(graph)
        killed.send_signal(signal.SIGKILL)
        killed.wait()
    assert _slots(graph) == [(1, False)] and _holders(graph, "emb_mf_v1") == ["toy:User"]
    assert remove_abandoned(graph) == []  # not stale yet: it may still be writing
    monkeypatch.setattr(models, "STALE_SECONDS", 1.0)
    time.sleep(1.5)
    graph.execute_query("UNWIND $ids AS id CREATE (:User {dataset: 'other', id: id})", {"ids": USERS})
    graph.execute_query("UNWIND $ids AS id MERGE (:Item:Movie {dataset: 'other', id: id})", {"ids": ITEMS})
    mv = _write(graph, 5, "other")
    assert mv.version == 1 and _slots(graph) == [(1, True)]
    assert _holders(graph, "emb_mf_v1") == ["other:Item", "other:User"]  # none of the killed run's toy users
    _assert_intact(graph, mv, 5)


def test_a_failed_write_back_removes_its_reservation_and_vectors(graph: Driver) -> None:
    v1 = _write(graph, 1)
    with ThreadPoolExecutor(1) as pool:
        with _item_locked(graph):
            failing = pool.submit(_write, graph, 2)
            graph.execute_query("TERMINATE TRANSACTION $id", {"id": _blocked(graph)})
        with pytest.raises(ModelVersionError, match="the server ended a batch's transaction") as failed:
            failing.result()
    assert isinstance(failed.value.__cause__, Neo4jError) and "terminated" in str(failed.value.__cause__)
    assert list_versions(graph) == [v1] and _slots(graph) == [(1, True)]
    assert _holders(graph, "emb_mf_v2") == []
    assert {r["name"] for r in graph.execute_query("SHOW VECTOR INDEXES YIELD name")[0]} == {v1.user_index,
                                                                                            v1.item_index}
