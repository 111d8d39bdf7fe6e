"""Model versions in Neo4j: embeddings as node properties, a vector index each, atomic activation.

A version is a `(:Model {dataset, name, version, property, dim, similarity, …})` node; its embeddings
live on the dataset's `User`/`Item` (and linked `Entity`) nodes in the property `emb_<name>_v<version>`,
each label behind its own vector index. A new version becomes active only after its indexes are
ONLINE, in one transaction that deactivates the previous one; old versions beyond `keep` are pruned.

The property name is shared by every dataset, so a write-back first reserves its version number: it creates a
`(:ModelSlot {name, version, token, heartbeat})` node, unique per (name, version) by constraint, and retries with
the next number when another run got there first. The node is labelled `:Model` too only once the version is
complete, so every reader (which matches `:Model`) never sees a pending one. While the write-back runs, a thread
refreshes the slot's heartbeat; a slot whose heartbeat is older than `STALE_SECONDS` was left by a killed run,
and the next write-back removes its vectors, indexes and reservation. Each batch of vectors checks, in its own
transaction, that the slot is still its run's and fresh, under a server-side time limit (`BATCH_SECONDS`), and the
run checks once more before it builds its vector indexes, so a run that was frozen, not killed, never writes into a
number that was taken over.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import numpy as np
from neo4j import Driver, ManagedTransaction, Record, unit_of_work
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError
from tqdm import tqdm

from graphstore.schema import apply_schema

log = logging.getLogger(__name__)

MODEL_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")  # registry names (hetero-gnn); always backticked in Cypher
SIMILARITIES = ("dot", "cosine")
INDEXED_LABELS = ("User", "Item", "Entity")
HEARTBEAT_SECONDS = 30.0  # how often a write-back (or clean-up) refreshes its slot's heartbeat
STALE_SECONDS = 600.0  # a slot not refreshed for this long belongs to a killed run
# A batch of vectors is written, in one transaction, only if its slot is still this run's and was refreshed within
# STALE_SECONDS / 2, and the server ends that transaction after BATCH_SECONDS: it commits (or not) well before anyone
# may find the slot stale (STALE_SECONDS / 2 + BATCH_SECONDS + the server's 2 s timeout check < STALE_SECONDS), so a
# run frozen past STALE_SECONDS never writes into a number another run has taken since.
BATCH_SECONDS = 60.0
# what the server answers a transaction it ended: timed out while running, or while waiting for a lock
ENDED_TRANSACTION = ("TransactionTimedOut", "LockClientStopped", "Transaction.Terminated")
RESERVE_ATTEMPTS = 20  # version numbers tried before giving up (each failure means another run took one)

Embeddings = tuple[list[str], np.ndarray]  # ids and their rows


class ModelVersionError(ValueError):
    """A model version could not be written or activated (bad argument, index not online, …)."""


@dataclass(frozen=True)
class ModelVersion:
    dataset: str
    name: str
    version: int
    property: str
    dim: int
    similarity: str
    metrics: dict[str, Any]
    params: dict[str, Any]
    trained_at: str
    active: bool
    deleting: bool = False  # a deletion claimed it (see `delete_version`); never activated or served again

    def index_name(self, label: str) -> str:
        """Name of the vector index on `label` nodes for this version."""
        return index_name(self.property, label)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.dataset, self.name, self.version)

    @property
    def item_index(self) -> str:
        return self.index_name("Item")

    @property
    def user_index(self) -> str:
        return self.index_name("User")

    @classmethod
    def from_node(cls, node: Any) -> ModelVersion:
        """From a `(:Model)` node, or a row with its properties."""
        return cls(node["dataset"], node["name"], node["version"], node["property"], node["dim"],
                   node["similarity"], json.loads(node["metrics"] or "{}"), json.loads(node["params"] or "{}"),
                   node["trained_at"], bool(node["active"]), bool(node.get("deleting")))


def embedding_property(name: str, version: int) -> str:
    """The node property holding a version's embeddings (one per model name and version, across datasets)."""
    return f"emb_{name}_v{version}"


def index_name(prop: str, label: str) -> str:
    """Name of the vector index over `prop` on `label` nodes."""
    return f"{prop}_{label.lower()}"


@dataclass(frozen=True)
class _Slot:
    """A version number reserved by one write-back or clean-up: its `(:ModelSlot {name, version, token})` node."""

    name: str
    version: int
    token: str

    @property
    def prop(self) -> str:
        return embedding_property(self.name, self.version)

    @property
    def params(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "token": self.token}


def _taken_over(slot: _Slot) -> ModelVersionError:
    return ModelVersionError(f"{slot.name} v{slot.version}: its reservation was taken over as abandoned (no heartbeat "
                             f"for {STALE_SECONDS:.0f}s), or is about to be; this write-back stops")


class _Heartbeat:
    """Refreshes a slot's heartbeat from a thread while a block runs, so others can tell it from a killed run;
    `check()` raises once the slot is no longer ours (another run took it over as abandoned)."""

    def __init__(self, driver: Driver, database: str, slot: _Slot) -> None:
        self.driver, self.database, self.slot = driver, database, slot
        self._stop, self._lost = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {slot.prop}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def check(self) -> None:
        if self._lost.is_set():
            raise _taken_over(self.slot)

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                records, _, _ = self.driver.execute_query(
                    "MATCH (s:ModelSlot {name: $name, version: $version, token: $token}) "
                    "SET s.heartbeat = datetime() RETURN count(s) AS n", self.slot.params, database_=self.database)
            except (Neo4jError, DriverError) as exc:  # a blip: the next beat may get through before the slot is stale
                log.warning("heartbeat of %s failed: %s", self.slot.prop, exc)
                continue
            if not records[0]["n"]:
                self._lost.set()
                return


def _reserve(driver: Driver, dataset: str, name: str, database: str) -> _Slot:
    """Claim the next version number of `name` (across datasets) with a pending `(:ModelSlot)`; the uniqueness
    constraint makes a run that read the same highest number fail, and it tries the next one."""
    token = uuid.uuid4().hex
    for _ in range(RESERVE_ATTEMPTS):
        try:
            records, _, _ = driver.execute_query(
                "CALL () { MATCH (m:Model|ModelSlot {name: $name}) RETURN coalesce(max(m.version), 0) + 1 AS version } "
                "CREATE (s:ModelSlot {dataset: $dataset, name: $name, version: version, token: $token, "
                "heartbeat: datetime()}) RETURN version",
                {"dataset": dataset, "name": name, "token": token}, database_=database)
        except ConstraintError:
            log.info("another write-back reserved the same version of %s; trying the next one", name)
            continue
        return _Slot(name, records[0]["version"], token)
    raise ModelVersionError(f"no free version number for {name} after {RESERVE_ATTEMPTS} attempts")


def _locked_slot(tx: ManagedTransaction, name: str, version: int, stale_after: float) -> Record | None:
    """Lock the slot, then read who holds it: under read committed only a read after the lock is current (a SET
    whose value reads the node takes its write lock first)."""
    return tx.run("MATCH (s:ModelSlot {name: $name, version: $version}) SET s.token = s.token "
                  "RETURN s.token AS token, s:Model AS complete, "
                  "s.heartbeat < datetime() - duration({seconds: $stale}) AS stale",
                  name=name, version=version, stale=stale_after).single()


def _take_over_tx(tx: ManagedTransaction, slot: _Slot, own: str | None, stale_after: float) -> bool:
    """Make `slot.token` the holder of a pending slot that is `own` or stale; False when it is neither."""
    row = _locked_slot(tx, slot.name, slot.version, stale_after)
    if row is None or row["complete"] or not (row["token"] == own or row["stale"]):
        return False
    tx.run("MATCH (s:ModelSlot {name: $name, version: $version}) SET s.token = $token, s.heartbeat = datetime()",
           slot.params)
    return True


def _complete_tx(tx: ManagedTransaction, slot: _Slot, props: dict[str, Any]) -> bool:
    """Turn our pending slot into a complete `(:Model)`; False when it is no longer ours."""
    row = _locked_slot(tx, slot.name, slot.version, STALE_SECONDS)
    if row is None or row["token"] != slot.token:
        return False
    tx.run("MATCH (s:ModelSlot {name: $name, version: $version}) SET s:Model, s += $props REMOVE s.token, s.heartbeat",
           name=slot.name, version=slot.version, props=props)
    return True


def _remove_pending(driver: Driver, database: str, name: str, version: int, own: str | None,
                    stale_after: float) -> bool:
    """Remove a pending version's vectors, indexes and slot if it is `own` (a failed write-back's) or stale (a
    killed run's); the slot keeps its number reserved until its vectors are gone. False when another run holds it."""
    slot = _Slot(name, version, uuid.uuid4().hex)
    with driver.session(database=database) as session:
        if not session.execute_write(_take_over_tx, slot, own, stale_after):
            return False
    with _Heartbeat(driver, database, slot):
        _discard(driver, database, slot.prop, INDEXED_LABELS)
    driver.execute_query("MATCH (s:ModelSlot {name: $name, version: $version, token: $token}) WHERE NOT s:Model "
                         "DELETE s", slot.params, database_=database)
    return True


def remove_abandoned(driver: Driver, database: str = "neo4j", stale_after: float | None = None) -> list[str]:
    """Clean up after killed write-backs: pending slots whose heartbeat is older than `stale_after` seconds
    (default `STALE_SECONDS`) lose their vectors, indexes and reservation. Returns their property names."""
    stale = STALE_SECONDS if stale_after is None else stale_after
    records, _, _ = driver.execute_query(
        "MATCH (s:ModelSlot) WHERE NOT s:Model AND s.heartbeat < datetime() - duration({seconds: $stale}) "
        "RETURN s.name AS name, s.version AS version", {"stale": stale}, database_=database)
    removed = [embedding_property(r["name"], r["version"]) for r in records
               if _remove_pending(driver, database, r["name"], r["version"], None, stale)]
    if removed:
        log.warning("removed the leftovers of killed write-backs: %s", removed)
    return removed


def _check_embeddings(kind: str, ids: Sequence[str], emb: np.ndarray, dim: int | None = None) -> np.ndarray:
    emb = np.asarray(emb, dtype=np.float32)
    if emb.ndim != 2 or emb.shape[0] != len(ids):
        raise ModelVersionError(f"{kind} embeddings have shape {emb.shape}, expected ({len(ids)}, dim)")
    if dim is not None and emb.shape[1] != dim:
        raise ModelVersionError(f"{kind} embeddings have dim {emb.shape[1]}, users have {dim}")
    if not np.isfinite(emb).all():
        raise ModelVersionError(f"{kind} embeddings contain NaN or infinite values")
    return emb


def _assert_ours(tx: ManagedTransaction, slot: _Slot) -> None:
    """Raise unless the pending slot is still ours and fresh (see BATCH_SECONDS)."""
    ours = tx.run("MATCH (s:ModelSlot {name: $name, version: $version, token: $token}) WHERE NOT s:Model "
                  "AND s.heartbeat >= datetime() - duration({seconds: $fresh}) RETURN count(s) AS n",
                  slot.params, fresh=STALE_SECONDS / 2).single(strict=True)["n"]
    if not ours:
        raise _taken_over(slot)


def _own_batch_tx(tx: ManagedTransaction, slot: _Slot, query: str, params: dict[str, Any]) -> int:
    """Write one batch of vectors if the slot is ours and fresh; the number of nodes found."""
    _assert_ours(tx, slot)
    return tx.run(query, params).single(strict=True)["written"]


def _write_vectors(driver: Driver, database: str, match: str, prop: str, ids: Sequence[str], emb: np.ndarray,
                   params: dict[str, Any], batch_size: int, desc: str, heartbeat: _Heartbeat) -> int:
    """Set `prop` on matched nodes in batches, each only while the reservation is ours (see BATCH_SECONDS); return
    how many nodes were found."""
    query = (f"UNWIND $rows AS row {match} "
             "CALL db.create.setNodeVectorProperty(n, $prop, row.emb) RETURN count(n) AS written")
    work = unit_of_work(timeout=BATCH_SECONDS)(_own_batch_tx)
    written = 0
    with tqdm(total=len(ids), desc=desc, unit="node", leave=False) as bar, \
            driver.session(database=database) as session:
        for start in range(0, len(ids), batch_size):
            heartbeat.check()
            rows = [{"id": i, "emb": e} for i, e in zip(ids[start:start + batch_size],
                                                         emb[start:start + batch_size].tolist(), strict=True)]
            try:
                written += session.execute_write(work, heartbeat.slot, query, {**params, "rows": rows, "prop": prop})
            except Neo4jError as exc:
                if not any(code in (exc.code or "") for code in ENDED_TRANSACTION):
                    raise
                raise ModelVersionError(f"{prop}: the server ended a batch's transaction (time limit "
                                        f"{BATCH_SECONDS:.0f}s, or terminated) before it committed; this write-back "
                                        "stops, so nothing lands after its reservation could go stale") from exc
            bar.update(len(rows))
    return written


def _create_index(driver: Driver, database: str, name: str, label: str, prop: str, dim: int) -> None:
    """A cosine HNSW index without quantization (quantized scores reorder close neighbours)."""
    driver.execute_query(
        f"CREATE VECTOR INDEX `{name}` IF NOT EXISTS FOR (n:{label}) ON (n.`{prop}`) "
        "OPTIONS {indexConfig: {`vector.dimensions`: $dim, `vector.similarity_function`: 'cosine', "
        "`vector.quantization.enabled`: false}}",
        {"dim": dim}, database_=database,
    )


def _await_online(driver: Driver, database: str, names: list[str], timeout: int = 600) -> None:
    for name in names:
        driver.execute_query("CALL db.awaitIndex($name, $timeout)", {"name": name, "timeout": timeout},
                             database_=database)
    records, _, _ = driver.execute_query(
        "SHOW VECTOR INDEXES YIELD name, state WHERE name IN $names RETURN name, state",
        {"names": names}, database_=database)
    states = {r["name"]: r["state"] for r in records}
    offline = [n for n in names if states.get(n) != "ONLINE"]
    if offline:
        raise ModelVersionError(f"vector indexes not ONLINE: {offline} ({states})")


def _write_pending(driver: Driver, database: str, mv: ModelVersion, heartbeat: _Heartbeat, users: Embeddings,
                   items: Embeddings, entities: Embeddings | None, batch_size: int) -> list[str]:
    """Write a reserved version's vectors and build its ONLINE vector indexes; return the labels it covers."""
    # this run holds the number, so anything under its names was left by a write-back killed before slots existed
    # or by one that wrote on after its slot was taken over: an index kept by `IF NOT EXISTS` (of another
    # dimension, say) or vectors on nodes this run does not write
    _discard(driver, database, mv.property, INDEXED_LABELS)
    sections = {"User": ("MATCH (n:User {dataset: $dataset, id: row.id})", users),
                "Item": ("MATCH (n:Item {dataset: $dataset, id: row.id})", items)}
    if entities is not None:
        sections["Entity"] = ("MATCH (n:Entity {uri: row.id})", entities)
    found = {label: _write_vectors(driver, database, match, mv.property, ids, emb, {"dataset": mv.dataset},
                                   batch_size, f"{label.lower()} embeddings", heartbeat)
             for label, (match, (ids, emb)) in sections.items()}
    expected = {"User": len(users[0]), "Item": len(items[0])}
    missing = {label: f"{found[label]} of {n}" for label, n in expected.items() if found[label] != n}
    if missing:
        log.warning("some ids were not found in dataset %s: %s", mv.dataset, missing)
    # a run frozen after its last batch may have lost its slot since, and its number may be free again (or, with a
    # higher one taken meanwhile, never reused): no index of its own then, which no later run would drop
    with driver.session(database=database) as session:
        session.execute_read(_assert_ours, heartbeat.slot)
    for label in sections:
        _create_index(driver, database, mv.index_name(label), label, mv.property, mv.dim)
    _await_online(driver, database, [mv.index_name(label) for label in sections])
    return list(sections)


def write_model_version(
    driver: Driver,
    dataset: str,
    name: str,
    user_ids: Sequence[str],
    user_emb: np.ndarray,
    item_ids: Sequence[str],
    item_emb: np.ndarray,
    similarity: str,
    params: dict[str, Any],
    metrics: dict[str, Any],
    activate: bool = True,
    entity_uris: Sequence[str] | None = None,
    entity_emb: np.ndarray | None = None,
    keep: int = 3,
    database: str = "neo4j",
    batch_size: int = 2000,
) -> ModelVersion:
    """Reserve the next version number, write its embeddings, build and await its vector indexes, then
    (optionally) activate it. On failure the version's reservation and vectors are removed again."""
    if not MODEL_NAME.match(name):
        raise ModelVersionError(f"model name {name!r} must match {MODEL_NAME.pattern}")
    if similarity not in SIMILARITIES:
        raise ModelVersionError(f"similarity {similarity!r} must be one of {SIMILARITIES}")
    users = (list(user_ids), _check_embeddings("user", user_ids, user_emb))
    dim = users[1].shape[1]
    items = (list(item_ids), _check_embeddings("item", item_ids, item_emb, dim))
    entities = None
    if entity_uris is not None and entity_emb is not None:
        entities = (list(entity_uris), _check_embeddings("entity", entity_uris, entity_emb, dim))
    # the slot constraint, on a database ingested before it existed (not waiting for other runs' vector indexes)
    apply_schema(driver, database, wait=False)
    remove_abandoned(driver, database)
    slot = _reserve(driver, dataset, name, database)
    mv = ModelVersion(dataset, name, slot.version, slot.prop, dim, similarity, metrics, params,
                      datetime.now(UTC).isoformat(timespec="seconds"), False)
    try:
        with _Heartbeat(driver, database, slot) as heartbeat:
            labels = _write_pending(driver, database, mv, heartbeat, users, items, entities, batch_size)
        # after the last beat: a beat waiting for the slot's lock would put the heartbeat back on the complete node
        props = {"dataset": dataset, "property": mv.property, "dim": dim, "similarity": similarity,
                 "metrics": json.dumps(metrics, default=float), "params": json.dumps(params, default=str),
                 "trained_at": mv.trained_at, "active": False, "labels": labels, "item_index": mv.item_index,
                 "user_index": mv.user_index}
        with driver.session(database=database) as session:
            if not session.execute_write(_complete_tx, slot, props):
                raise _taken_over(slot)
    except BaseException:
        try:
            _remove_pending(driver, database, name, slot.version, slot.token, STALE_SECONDS)
        except (Neo4jError, DriverError) as exc:
            log.warning("could not remove the failed %s: %s (the next write-back does, once it is stale)",
                        mv.property, exc)
        raise
    if activate:
        activate_version(driver, dataset, name, mv.version, database)
        mv = ModelVersion(**{**mv.__dict__, "active": True})
    prune_versions(driver, dataset, name, keep, database)
    return mv


def _activate_tx(tx: ManagedTransaction, dataset: str, name: str, version: int) -> None:
    # The SET takes the version's write lock before `deleting` is read, so a deletion that claimed it first is seen
    # (see `_claim_for_deletion_tx`), and one that comes later sees it active.
    target = tx.run("MATCH (m:Model {dataset: $dataset, name: $name, version: $version}) "
                    "SET m.activated_at = $now RETURN coalesce(m.deleting, false) AS deleting",
                    dataset=dataset, name=name, version=version,
                    now=datetime.now(UTC).isoformat(timespec="seconds")).single()
    if target is None or target["deleting"]:
        raise ModelVersionError(f"{name} v{version} is {'being deleted' if target else 'gone'}; not activated" + (
            f" (if no deletion is running, finish the one that was cut short: kgrec models delete -d {dataset} "
            f"{name} {version})" if target else ""))
    tx.run("MATCH (m:Model {dataset: $dataset}) WHERE m.active SET m.active = false", dataset=dataset)
    tx.run("MATCH (m:Model {dataset: $dataset, name: $name, version: $version}) SET m.active = true",
           dataset=dataset, name=name, version=version)


def activate_version(driver: Driver, dataset: str, name: str, version: int, database: str = "neo4j") -> None:
    """Make this version the dataset's only active one, in one transaction (its indexes must be ONLINE)."""
    mv = require_version(driver, dataset, name, version, database)
    records, _, _ = driver.execute_query("SHOW VECTOR INDEXES YIELD name, state WHERE name IN $names RETURN state",
                                         {"names": [mv.item_index, mv.user_index]}, database_=database)
    if len(records) != 2 or any(r["state"] != "ONLINE" for r in records):
        raise ModelVersionError(f"{name} v{version}: vector indexes are not ONLINE; not activated")
    with driver.session(database=database) as session:
        session.execute_write(_activate_tx, dataset, name, version)  # ModelVersionError if deleted meanwhile


def get_version(driver: Driver, dataset: str, name: str, version: int, database: str = "neo4j") -> ModelVersion | None:
    records, _, _ = driver.execute_query(
        "MATCH (m:Model {dataset: $dataset, name: $name, version: $version}) RETURN m",
        {"dataset": dataset, "name": name, "version": version}, database_=database)
    return ModelVersion.from_node(records[0]["m"]) if records else None


def require_version(driver: Driver, dataset: str, name: str, version: int, database: str = "neo4j") -> ModelVersion:
    """`get_version`, or ModelVersionError when there is no such (complete) version."""
    mv = get_version(driver, dataset, name, version, database)
    if mv is None:
        raise ModelVersionError(f"no model {name} v{version} for dataset {dataset!r}")
    return mv


def active_version(driver: Driver, dataset: str, database: str = "neo4j") -> ModelVersion | None:
    """The dataset's active model version, if any."""
    records, _, _ = driver.execute_query("MATCH (m:Model {dataset: $dataset}) WHERE m.active RETURN m",
                                         {"dataset": dataset}, database_=database)
    return ModelVersion.from_node(records[0]["m"]) if records else None


def list_versions(driver: Driver, dataset: str | None = None, database: str = "neo4j") -> list[ModelVersion]:
    records, _, _ = driver.execute_query(
        "MATCH (m:Model) WHERE $dataset IS NULL OR m.dataset = $dataset "
        "RETURN m ORDER BY m.dataset, m.name, m.version", {"dataset": dataset}, database_=database)
    return [ModelVersion.from_node(r["m"]) for r in records]


def _discard(driver: Driver, database: str, prop: str, labels: Sequence[str]) -> None:
    """Drop the vector indexes over `prop` and remove it from the nodes of `labels`."""
    for label in labels:
        driver.execute_query(f"DROP INDEX `{index_name(prop, label)}` IF EXISTS", database_=database)
    with driver.session(database=database) as session:
        for label in labels:
            session.run(f"MATCH (n:{label}) WHERE n.`{prop}` IS NOT NULL "
                        f"CALL (n) {{ REMOVE n.`{prop}` }} IN TRANSACTIONS OF 5000 ROWS").consume()


def _claim_for_deletion_tx(tx: ManagedTransaction, mv: ModelVersion) -> list[str] | None:
    """Mark the version `deleting` unless it is active now (the SET takes its write lock before `active` is read,
    so an activation cannot slip between the check and the mark); its labels, or None when it is gone."""
    record = tx.run("MATCH (m:Model {dataset: $d, name: $n, version: $v}) SET m.deleting = true "
                    "RETURN m.active AS active, m.labels AS labels",
                    d=mv.dataset, n=mv.name, v=mv.version).single()
    if record is not None and record["active"]:
        raise ModelVersionError(f"{mv.name} v{mv.version} is active; activate another version first")
    return None if record is None else record["labels"] or list(INDEXED_LABELS)


def delete_version(driver: Driver, mv: ModelVersion, database: str = "neo4j") -> None:
    """Remove a version that is not active: its properties, its indexes, its node. It is marked `deleting` first, in
    a transaction that checks it is not active at that moment (`mv` may be stale), and from then on neither
    activated nor served; a deletion cut short is finished by running it again."""
    if mv.active:
        raise ModelVersionError(f"{mv.name} v{mv.version} is active; activate another version first")
    with driver.session(database=database) as session:
        labels = session.execute_write(_claim_for_deletion_tx, mv)
    _discard(driver, database, mv.property, labels or INDEXED_LABELS)
    driver.execute_query("MATCH (m:Model {dataset: $d, name: $n, version: $v}) DELETE m",
                         {"d": mv.dataset, "n": mv.name, "v": mv.version}, database_=database)


def prune_versions(driver: Driver, dataset: str, name: str, keep: int, database: str = "neo4j") -> list[int]:
    """Delete all but the newest `keep` versions of a model (the active one always stays)."""
    versions = [mv for mv in list_versions(driver, dataset, database) if mv.name == name]
    stale = [mv for mv in versions[:-keep] if not mv.active] if keep > 0 else []
    for mv in stale:
        delete_version(driver, mv, database)
    return [mv.version for mv in stale]


def load_embeddings(driver: Driver, mv: ModelVersion, label: str = "Item",
                    database: str = "neo4j") -> tuple[list[str], np.ndarray]:
    """(ids, matrix) of a version's embeddings on the dataset's `User` or `Item` nodes, ordered by id."""
    if label not in ("User", "Item"):
        raise ModelVersionError(f"label must be User or Item, got {label!r}")
    records, _, _ = driver.execute_query(
        f"MATCH (n:{label} {{dataset: $dataset}}) WHERE n[$prop] IS NOT NULL "
        "RETURN n.id AS id, n[$prop] AS emb ORDER BY id",
        {"dataset": mv.dataset, "prop": mv.property}, database_=database)
    ids = [r["id"] for r in records]
    matrix = np.asarray([r["emb"] for r in records], dtype=np.float32).reshape(len(ids), mv.dim)
    return ids, matrix
