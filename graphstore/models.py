"""Model versions in Neo4j: embeddings as node properties, a vector index each, atomic activation.

A version is a `(:Model {dataset, name, version, property, dim, similarity, …})` node; its embeddings
live on the dataset's `User`/`Item` (and linked `Entity`) nodes in the property `emb_<name>_v<version>`,
each label behind its own vector index. A new version becomes active only after its indexes are
ONLINE, in one transaction that deactivates the previous one; old versions beyond `keep` are pruned.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from neo4j import Driver, ManagedTransaction
from tqdm import tqdm

log = logging.getLogger(__name__)

MODEL_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")  # registry names (hetero-gnn); always backticked in Cypher
SIMILARITIES = ("dot", "cosine")
INDEXED_LABELS = ("User", "Item", "Entity")


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

    def index_name(self, label: str) -> str:
        """Name of the vector index on `label` nodes for this version."""
        return f"{self.property}_{label.lower()}"

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
                   node["trained_at"], bool(node["active"]))


def _check_embeddings(kind: str, ids: Sequence[str], emb: np.ndarray, dim: int | None = None) -> np.ndarray:
    emb = np.asarray(emb, dtype=np.float32)
    if emb.ndim != 2 or emb.shape[0] != len(ids):
        raise ModelVersionError(f"{kind} embeddings have shape {emb.shape}, expected ({len(ids)}, dim)")
    if dim is not None and emb.shape[1] != dim:
        raise ModelVersionError(f"{kind} embeddings have dim {emb.shape[1]}, users have {dim}")
    if not np.isfinite(emb).all():
        raise ModelVersionError(f"{kind} embeddings contain NaN or infinite values")
    return emb


def _write_vectors(driver: Driver, database: str, match: str, prop: str, ids: Sequence[str],
                   emb: np.ndarray, params: dict[str, Any], batch_size: int, desc: str) -> int:
    """Set `prop` on matched nodes in batches; return how many nodes were found."""
    query = (f"UNWIND $rows AS row {match} "
             "CALL db.create.setNodeVectorProperty(n, $prop, row.emb) RETURN count(n) AS written")
    written = 0
    with tqdm(total=len(ids), desc=desc, unit="node", leave=False) as bar:
        for start in range(0, len(ids), batch_size):
            rows = [{"id": i, "emb": e} for i, e in zip(ids[start:start + batch_size],
                                                         emb[start:start + batch_size].tolist(), strict=True)]
            records, _, _ = driver.execute_query(query, {**params, "rows": rows, "prop": prop}, database_=database)
            written += records[0]["written"]
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


def next_version(driver: Driver, name: str, database: str = "neo4j") -> int:
    """1 + the highest version of this model name in any dataset (property names stay unique)."""
    records, _, _ = driver.execute_query(
        "OPTIONAL MATCH (m:Model {name: $name}) RETURN coalesce(max(m.version), 0) + 1 AS v",
        {"name": name}, database_=database)
    return int(records[0]["v"])


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
    """Write a new version's embeddings, build and await its vector indexes, then (optionally) activate it."""
    if not MODEL_NAME.match(name):
        raise ModelVersionError(f"model name {name!r} must match {MODEL_NAME.pattern}")
    if similarity not in SIMILARITIES:
        raise ModelVersionError(f"similarity {similarity!r} must be one of {SIMILARITIES}")
    user_emb = _check_embeddings("user", user_ids, user_emb)
    dim = user_emb.shape[1]
    item_emb = _check_embeddings("item", item_ids, item_emb, dim)
    version = next_version(driver, name, database)
    prop = f"emb_{name}_v{version}"
    mv = ModelVersion(dataset, name, version, prop, dim, similarity, metrics, params,
                      datetime.now(UTC).isoformat(timespec="seconds"), False)
    # no (:Model) node has this version number, so anything under its names is left by a killed write-back:
    # an index kept by `IF NOT EXISTS` (of another dimension, say) or vectors on nodes this run does not write
    _discard(driver, database, mv, INDEXED_LABELS)

    found = {
        "User": _write_vectors(driver, database, "MATCH (n:User {dataset: $dataset, id: row.id})", prop,
                               list(user_ids), user_emb, {"dataset": dataset}, batch_size, "user embeddings"),
        "Item": _write_vectors(driver, database, "MATCH (n:Item {dataset: $dataset, id: row.id})", prop,
                               list(item_ids), item_emb, {"dataset": dataset}, batch_size, "item embeddings"),
    }
    labels = ["User", "Item"]
    if entity_uris is not None and entity_emb is not None:
        entity_emb = _check_embeddings("entity", entity_uris, entity_emb, dim)
        found["Entity"] = _write_vectors(driver, database, "MATCH (n:Entity {uri: row.id})", prop,
                                         list(entity_uris), entity_emb, {}, batch_size, "entity embeddings")
        labels.append("Entity")
    missing = {label: n for label, n in [("User", len(user_ids)), ("Item", len(item_ids))] if found[label] != n}
    if missing:
        log.warning("some ids were not found in dataset %s: %s", dataset,
                    {k: f"{found[k]} of {v}" for k, v in missing.items()})

    for label in labels:
        _create_index(driver, database, mv.index_name(label), label, prop, dim)
    _await_online(driver, database, [mv.index_name(label) for label in labels])

    driver.execute_query(
        "CREATE (m:Model {dataset: $dataset, name: $name, version: $version, property: $prop, dim: $dim, "
        "similarity: $similarity, metrics: $metrics, params: $params, trained_at: $trained_at, active: false, "
        "labels: $labels, item_index: $item_index, user_index: $user_index})",
        {"dataset": dataset, "name": name, "version": version, "prop": prop, "dim": dim, "similarity": similarity,
         "metrics": json.dumps(metrics, default=float), "params": json.dumps(params, default=str),
         "trained_at": mv.trained_at, "labels": labels, "item_index": mv.item_index, "user_index": mv.user_index},
        database_=database)
    if activate:
        activate_version(driver, dataset, name, version, database)
        mv = ModelVersion(**{**mv.__dict__, "active": True})
    prune_versions(driver, dataset, name, keep, database)
    return mv


def _activate_tx(tx: ManagedTransaction, dataset: str, name: str, version: int) -> bool:
    target = tx.run("MATCH (m:Model {dataset: $dataset, name: $name, version: $version}) RETURN m",
                    dataset=dataset, name=name, version=version).single()
    if target is None:
        return False
    tx.run("MATCH (m:Model {dataset: $dataset}) WHERE m.active SET m.active = false", dataset=dataset)
    tx.run("MATCH (m:Model {dataset: $dataset, name: $name, version: $version}) "
           "SET m.active = true, m.activated_at = $now",
           dataset=dataset, name=name, version=version, now=datetime.now(UTC).isoformat(timespec="seconds"))
    return True


def activate_version(driver: Driver, dataset: str, name: str, version: int, database: str = "neo4j") -> None:
    """Make this version the dataset's only active one, in one transaction (its indexes must be ONLINE)."""
    mv = get_version(driver, dataset, name, version, database)
    if mv is None:
        raise ModelVersionError(f"no model {name} v{version} for dataset {dataset!r}")
    records, _, _ = driver.execute_query("SHOW VECTOR INDEXES YIELD name, state WHERE name IN $names RETURN state",
                                         {"names": [mv.item_index, mv.user_index]}, database_=database)
    if len(records) != 2 or any(r["state"] != "ONLINE" for r in records):
        raise ModelVersionError(f"{name} v{version}: vector indexes are not ONLINE; not activated")
    with driver.session(database=database) as session:
        session.execute_write(_activate_tx, dataset, name, version)


def get_version(driver: Driver, dataset: str, name: str, version: int, database: str = "neo4j") -> ModelVersion | None:
    records, _, _ = driver.execute_query(
        "MATCH (m:Model {dataset: $dataset, name: $name, version: $version}) RETURN m",
        {"dataset": dataset, "name": name, "version": version}, database_=database)
    return ModelVersion.from_node(records[0]["m"]) if records else None


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


def _discard(driver: Driver, database: str, mv: ModelVersion, labels: Sequence[str]) -> None:
    """Drop a version's vector indexes and remove its property from the nodes of `labels`."""
    for label in labels:
        driver.execute_query(f"DROP INDEX `{mv.index_name(label)}` IF EXISTS", database_=database)
    with driver.session(database=database) as session:
        for label in labels:
            session.run(f"MATCH (n:{label}) WHERE n.`{mv.property}` IS NOT NULL "
                        f"CALL (n) {{ REMOVE n.`{mv.property}` }} IN TRANSACTIONS OF 5000 ROWS").consume()


def delete_version(driver: Driver, mv: ModelVersion, database: str = "neo4j") -> None:
    """Remove a (non-active) version: its properties, its indexes, its node."""
    if mv.active:
        raise ModelVersionError(f"{mv.name} v{mv.version} is active; activate another version first")
    records, _, _ = driver.execute_query(
        "MATCH (m:Model {dataset: $d, name: $n, version: $v}) RETURN m.labels AS labels",
        {"d": mv.dataset, "n": mv.name, "v": mv.version}, database_=database)
    _discard(driver, database, mv, records[0]["labels"] if records else INDEXED_LABELS)
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
