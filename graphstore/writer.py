"""Batched, idempotent writes: UNWIND … MERGE on constrained keys in managed transactions.

Every value reaches Cypher as a parameter. Labels and relationship types are interpolated only after
validation: item labels and entity labels from fixed sets, relationship types against ^[A-Z][A-Z0-9_]*$.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from neo4j import Driver, ManagedTransaction

ITEM_LABELS = frozenset({"Movie", "Book", "Artist", "Product"})
ENTITY_LABELS = frozenset({"Genre", "Tag"})
TYPE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")
INTERACTION_TYPES = {"RATED": "rating", "INTERACTED": "weight"}  # relationship type → its value property
SOCIAL_TYPES = frozenset({"FRIEND", "TRUSTS"})

Row = dict[str, Any]


def by_key(var: str, label: str) -> str:
    """Index-seek hint for a lookup by (dataset, id). Planned on a freshly wiped database (statistics: no users),
    the lookup became a scan per row (of the (dataset) index, or of the key index with a plain USING INDEX) until
    Neo4j replanned 10 s later: ~30x slower for the first 10,000 rows."""
    return f"USING INDEX SEEK {var}:{label}(dataset, id)"


def _rel_type(rel: str) -> str:
    if not TYPE_PATTERN.match(rel):
        raise ValueError(f"relationship type {rel!r} does not match {TYPE_PATTERN.pattern}")
    return rel


def batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


@dataclass
class WriteCounts:
    """What Neo4j reports it changed (created counts are 0 on a re-run of the same data)."""

    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    labels_added: int = 0

    def add(self, counters: Any) -> None:
        self.nodes_created += counters.nodes_created
        self.relationships_created += counters.relationships_created
        self.properties_set += counters.properties_set
        self.labels_added += counters.labels_added


@dataclass
class GraphWriter:
    """Writes one dataset's rows; each method takes one batch (a list of row dicts, see ingest.records).

    With `fresh`, the dataset's own users, items and their relationships are CREATEd: the caller guarantees
    the dataset had no nodes before and its rows hold no duplicates (parsers reject them). Shared entities and
    the relationships between them are always MERGEd.
    """

    driver: Driver
    dataset: str
    database: str = "neo4j"
    fresh: bool = False  # no node of this dataset exists yet: CREATE instead of MERGE (rows are unique)
    counts: WriteCounts = field(default_factory=WriteCounts)

    def _write(self, query: str, **params: Any) -> None:
        def work(tx: ManagedTransaction) -> Any:
            return tx.run(query, ds=self.dataset, **params).consume().counters

        with self.driver.session(database=self.database) as session:
            self.counts.add(session.execute_write(work))

    def dataset_node(self, domain: str, item_label: str, explicit: bool, split_names: list[str]) -> None:
        self._write(
            "MERGE (d:Dataset {name: $ds}) SET d.domain = $domain, d.item_label = $label, "
            "d.explicit = $explicit, d.split_names = $splits",
            domain=domain, label=_item_label(item_label), explicit=explicit, splits=split_names,
        )

    def set_manifest(self, manifest: dict[str, Any]) -> None:
        """Record what was ingested (file fingerprints), as JSON on the Dataset node."""
        self._write("MATCH (d:Dataset {name: $ds}) SET d.manifest = $m", m=json.dumps(manifest, sort_keys=True))

    def manifest(self) -> dict[str, Any] | None:
        recs, _, _ = self.driver.execute_query(
            "MATCH (d:Dataset {name: $ds}) RETURN d.manifest AS m", ds=self.dataset, database_=self.database
        )
        return json.loads(recs[0]["m"]) if recs and recs[0]["m"] else None

    def item_uris(self) -> dict[str, list[str]]:
        """IRI → ids of this dataset's items that carry it."""
        recs, _, _ = self.driver.execute_query(
            "MATCH (i:Item {dataset: $ds}) WHERE i.uri IS NOT NULL RETURN i.uri AS uri, collect(i.id) AS ids",
            ds=self.dataset, database_=self.database,
        )
        return {r["uri"]: r["ids"] for r in recs}

    def has_data(self) -> bool:
        """Whether any user or item of this dataset exists."""
        recs, _, _ = self.driver.execute_query(
            "RETURN EXISTS { (:User {dataset: $ds}) } OR EXISTS { (:Item {dataset: $ds}) } AS any",
            ds=self.dataset, database_=self.database,
        )
        return bool(recs[0]["any"])

    def users(self, rows: list[Row]) -> None:
        self._write(f"UNWIND $rows AS r {self._node('u', 'User')} SET u += r.props", rows=rows)

    def items(self, rows: list[Row], label: str) -> None:
        self._write(f"UNWIND $rows AS r {self._node('i', 'Item')} SET i:{_item_label(label)}, i += r.props", rows=rows)

    def _node(self, var: str, label: str) -> str:
        """CREATE on a fresh dataset (parsers reject repeated ids), else MERGE on the (dataset, id) key."""
        return f"{'CREATE' if self.fresh else 'MERGE'} ({var}:{label} {{dataset: $ds, id: r.id}})"

    def interactions(self, rows: list[Row], rel: str) -> None:
        """(:User)-[:RATED|INTERACTED {rating|weight, ts, test_of}]->(:Item); rows grouped by user (one seek each)."""
        value = INTERACTION_TYPES.get(rel)
        if value is None:
            raise ValueError(f"interaction type {rel!r} is not one of {sorted(INTERACTION_TYPES)}")
        write = (
            f"CREATE (u)-[:{rel} {{{value}: r.w, ts: r.ts, test_of: r.t}}]->(i)" if self.fresh
            else f"MERGE (u)-[x:{rel}]->(i) SET x.{value} = r.w, x.ts = r.ts, x.test_of = r.t"
        )
        by_user: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_user[row["u"]].append(row)
        self._write(
            f"UNWIND $groups AS g MATCH (u:User {{dataset: $ds, id: g.u}}) {by_key('u', 'User')} "
            f"UNWIND g.rows AS r MATCH (i:Item {{dataset: $ds, id: r.i}}) {by_key('i', 'Item')} {write}",
            groups=[{"u": u, "rows": rs} for u, rs in by_user.items()],
        )

    def social(self, rows: list[Row], rel: str) -> None:
        if rel not in SOCIAL_TYPES:
            raise ValueError(f"social type {rel!r} is not one of {sorted(SOCIAL_TYPES)}")
        self._write(
            "UNWIND $rows AS r "
            f"MATCH (u:User {{dataset: $ds, id: r.u}}) {by_key('u', 'User')} MATCH (v:User {{dataset: $ds, id: r.v}}) "
            f"{by_key('v', 'User')} "
            f"{'CREATE' if self.fresh else 'MERGE'} (u)-[:{rel}]->(v)",
            rows=rows,
        )

    def entities(self, rows: list[Row]) -> None:
        """Readable names from the data (they replace names derived from IRIs)."""
        self._write("UNWIND $rows AS r MERGE (e:Entity {uri: r.uri}) SET e.name = r.name", rows=rows)

    def knowledge(self, rows: list[Row], entity_label: str | None = None, from_entity: bool = False) -> None:
        """(:Item)-[:REL {predicate}]->(:Entity), or (:Entity)-[…]->(:Entity) with `from_entity`; one query per type."""
        extra = ""
        if entity_label is not None:
            if entity_label not in ENTITY_LABELS:
                raise ValueError(f"entity label {entity_label!r} is not one of {sorted(ENTITY_LABELS)}")
            extra = f" SET e:{entity_label}"
        subject = (
            "MERGE (s:Entity {uri: r.s})" if from_entity
            else f"MATCH (s:Item {{dataset: $ds, id: r.s}}) {by_key('s', 'Item')}"
        )
        by_rel: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_rel[row["rel"]].append(row)
        for rel, group in by_rel.items():
            link = (
                f"CREATE (s)-[:{_rel_type(rel)} {{predicate: r.p}}]->(e)" if self.fresh and not from_entity
                else f"MERGE (s)-[k:{_rel_type(rel)}]->(e) SET k.predicate = r.p"
            )
            self._write(
                f"UNWIND $rows AS r {subject} "
                f"MERGE (e:Entity {{uri: r.o}}) ON CREATE SET e.name = r.name{extra} {link}",
                rows=group,
            )

    def predicates(self, catalogue: dict[str, str]) -> None:
        """(:Predicate {iri, type}) for each predicate IRI written."""
        rows = [{"iri": iri, "type": _rel_type(rel)} for iri, rel in sorted(catalogue.items())]
        self._write("UNWIND $rows AS r MERGE (p:Predicate {iri: r.iri}) SET p.type = r.type", rows=rows)


def _item_label(label: str) -> str:
    if label not in ITEM_LABELS:
        raise ValueError(f"item label {label!r} is not one of {sorted(ITEM_LABELS)}")
    return label
