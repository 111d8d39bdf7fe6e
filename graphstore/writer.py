"""Batched, idempotent writes: UNWIND … MERGE on constrained keys in managed transactions.

A batch of relationships travels as parallel lists (column parameters): the distinct nodes it mentions are looked
up (or MERGEd) once each, then every row CREATEs (a fresh dataset) or MERGEs its relationship between them.

Every value reaches Cypher as a parameter. Labels and relationship types are interpolated only after
validation: item labels and entity labels from fixed sets, relationship types against ^[A-Z][A-Z0-9_]*$.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from threading import Lock
from typing import Any

from neo4j import Driver, ManagedTransaction

from graphstore import split_bits

ITEM_LABELS = frozenset({"Movie", "Book", "Artist", "Product"})
ENTITY_LABELS = frozenset({"Genre", "Tag"})
TYPE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")
INTERACTION_TYPES = {"RATED": "rating", "INTERACTED": "weight"}  # relationship type → its value property
SOCIAL_TYPES = frozenset({"FRIEND", "TRUSTS"})
MAX_SPLITS = 62  # split names a dataset may have: test_in is a 64-bit integer (and the learner's mask too)
REPLAN_SKIP = "CYPHER replan=skip "  # reuse a cached plan even when the statistics changed (see GraphWriter._write_all)

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


def _positions(values: Iterable[Hashable]) -> tuple[list[Any], list[int]]:
    """The distinct values in first-seen order, and the position of each value among them."""
    first: dict[Hashable, int] = {}
    index = [first.setdefault(v, len(first)) for v in values]
    return list(first), index


def _keyed(var: str, label: str, ids: str) -> str:
    """Subquery binding `{var}s`: the (dataset, id) nodes of list parameter `ids` in its order, each as [node] or
    [null] (collect drops nulls). One index seek per distinct id instead of one per row."""
    return (
        f"CALL () {{ UNWIND range(0, size(${ids}) - 1) AS j "
        f"OPTIONAL MATCH ({var}:{label} {{dataset: $ds, id: ${ids}[j]}}) {by_key(var, label)} "
        f"WITH j, {var} ORDER BY j RETURN collect([{var}]) AS {var}s }}"
    )


def _by_uri(var: str, uris: str) -> str:
    """Subquery binding `{var}s`: the (:Entity) nodes of list parameter `uris` in its order, each as [node] or
    [null]."""
    return (
        f"CALL () {{ UNWIND range(0, size(${uris}) - 1) AS j OPTIONAL MATCH ({var}:Entity {{uri: ${uris}[j]}}) "
        f"USING INDEX SEEK {var}:Entity(uri) WITH j, {var} ORDER BY j RETURN collect([{var}]) AS {var}s }}"
    )


def _link(prefix: str, rel: str, props: dict[str, str], create: bool, remove: tuple[str, ...] = ()) -> str:
    """`prefix` (subqueries binding `ss` and `os`), then (s)-[:REL {props}]->(o) for each position k of $si/$oi,
    CREATEd (rows known new) or MERGEd with its properties SET and the `remove` ones removed. `rel` is a validated
    type, or `$(…)`: an expression giving each row's type (Neo4j 5.26 dynamic types; the value is a parameter, never
    query text)."""
    rows = "UNWIND range(0, size($si) - 1) AS k WITH ss[$si[k]][0] AS s, os[$oi[k]][0] AS o, k " \
        "WHERE s IS NOT NULL AND o IS NOT NULL"
    if create:
        values = " {" + ", ".join(f"{name}: {expr}" for name, expr in props.items()) + "}" if props else ""
        return f"{prefix} {rows} CREATE (s)-[:{rel}{values}]->(o)"
    values = " SET " + ", ".join(f"x.{name} = {expr}" for name, expr in props.items()) if props else ""
    removed = " REMOVE " + ", ".join(f"x.{name}" for name in remove) if remove else ""
    return f"{prefix} {rows} MERGE (s)-[x:{rel}]->(o){values}{removed}"


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
    split_bits: dict[str, int] = field(default_factory=dict)  # split name → its bit in test_in (`dataset_node`)
    counts: WriteCounts = field(default_factory=WriteCounts)
    _lock: Lock = field(default_factory=Lock, repr=False)  # batches may be written from several threads

    def _write(self, query: str, **params: Any) -> None:
        self._write_all([(query, params)])

    def _write_all(self, queries: list[tuple[str, dict[str, Any]]]) -> None:
        """Run the queries in one managed transaction (retried as a whole on transient errors).

        `replan=skip` keeps each query's cached plan while the load changes the statistics: every lookup is an
        index seek by hint, so a new plan would be the same one, and the periodic replans cost about 5% of the
        server's CPU during a fresh load."""
        def work(tx: ManagedTransaction) -> list[Any]:
            return [tx.run(f"{REPLAN_SKIP}{query}", ds=self.dataset, **params).consume().counters
                    for query, params in queries]

        with self.driver.session(database=self.database) as session:
            done = session.execute_write(work)
        with self._lock:
            for counters in done:
                self.counts.add(counters)

    def dataset_node(self, domain: str, item_label: str, explicit: bool, split_names: list[str]) -> None:
        """The (:Dataset) node; its `split_names` (distinct, at most MAX_SPLITS) give the bits of the interactions'
        `test_in` written after it."""
        self.split_bits = split_bits(split_names)
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

    def item_uris(self, without: list[str] | None = None) -> dict[str, list[str]]:
        """IRI → ids of this dataset's items that carry it; with `without` (predicate IRIs), only the items that have
        no knowledge relationship with one of those predicates yet."""
        recs, _, _ = self.driver.execute_query(
            "MATCH (i:Item {dataset: $ds}) WHERE i.uri IS NOT NULL "
            "AND ($without IS NULL OR NOT EXISTS { (i)-[k]->(:Entity) WHERE k.predicate IN $without }) "
            "RETURN i.uri AS uri, collect(i.id) AS ids",
            ds=self.dataset, without=without, database_=self.database,
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
        self._write(f"UNWIND $rows AS r {self._node('u', 'User')}", rows=rows)

    def items(self, rows: list[Row], label: str) -> None:
        self._write(f"UNWIND $rows AS r {self._node('i', 'Item', _item_label(label))}", rows=rows)

    def _node(self, var: str, label: str, extra: str | None = None) -> str:
        """CREATE on a fresh dataset (parsers reject repeated ids), else MERGE on the (dataset, id) key; then the
        row's props. A validated `extra` label is part of the CREATE (not a label change after it) or SET."""
        key = "{dataset: $ds, id: r.id}"
        if self.fresh:
            return f"CREATE ({var}:{label}{f':{extra}' if extra else ''} {key}) SET {var} += r.props"
        return f"MERGE ({var}:{label} {key}) SET {f'{var}:{extra}, ' if extra else ''}{var} += r.props"

    def interactions(self, rows: list[Row], rel: str) -> None:
        """(:User)-[:RATED|INTERACTED {rating|weight, ts, test_in}]->(:Item). `test_in` is the bitmask of the
        official splits in which the row is a test row: bit k for the dataset's `split_names[k]`, 0 for a row that
        is no split's test row. An integer is stored in the relationship's own property record; the list of split
        names kgrec stored before (`test_of`) took a record of its own in the array store for every interaction, and
        reading it back was half the server's CPU time of an export. A re-write (MERGE) removes such a list.

        Rows are written sorted by user (stable, so a user's rows keep their order): Neo4j stores relationships
        and their property records in creation order, so a user's interactions land in adjacent records and an
        export, which reads them user by user, touches fewer pages (server CPU of an ML-100K export, whose file is
        in random order, 10-15% lower)."""
        value = INTERACTION_TYPES.get(rel)
        if value is None:
            raise ValueError(f"interaction type {rel!r} is not one of {sorted(INTERACTION_TYPES)}")
        rows = sorted(rows, key=itemgetter("u"))  # a user's rows in adjacent records: see the docstring
        users, si = _positions(r["u"] for r in rows)
        items, oi = _positions(r["i"] for r in rows)
        self._write(
            _link(f"{_keyed('s', 'User', 'users')} {_keyed('o', 'Item', 'items')}", rel,
                  {value: "$w[k]", "ts": "$ts[k]", "test_in": "$t[k]"}, self.fresh, remove=("test_of",)),
            users=users, items=items, si=si, oi=oi,
            w=[r["w"] for r in rows], ts=[r["ts"] for r in rows], t=[self._test_in(r["t"]) for r in rows],
        )

    def _test_in(self, splits: list[str]) -> int:
        """The `test_in` bitmask of a row's split names (parsers keep to the dataset's `split_names`)."""
        mask = 0
        for name in splits:
            bit = self.split_bits.get(name)
            if bit is None:
                raise ValueError(f"split {name!r} is not one of the dataset's split_names {list(self.split_bits)}")
            mask |= bit
        return mask

    def social(self, rows: list[Row], rel: str) -> None:
        if rel not in SOCIAL_TYPES:
            raise ValueError(f"social type {rel!r} is not one of {sorted(SOCIAL_TYPES)}")
        sources, si = _positions(r["u"] for r in rows)
        targets, oi = _positions(r["v"] for r in rows)
        self._write(
            _link(f"{_keyed('s', 'User', 'sources')} {_keyed('o', 'User', 'targets')}", rel, {}, self.fresh),
            sources=sources, targets=targets, si=si, oi=oi,
        )

    def entities(self, rows: list[Row]) -> None:
        """Readable names from the data (they replace names derived from IRIs)."""
        self._write(
            "UNWIND range(0, size($uris) - 1) AS k MERGE (e:Entity {uri: $uris[k]}) SET e.name = $names[k]",
            uris=[r["uri"] for r in rows], names=[r["name"] for r in rows],
        )

    def knowledge_entities(
        self, rows: list[Row], entity_label: str | None = None, from_entity: bool = False,
        written: dict[str, bool] | None = None,
    ) -> None:
        """MERGE the (:Entity) nodes a batch of knowledge rows links: objects named from their first row (when new)
        and labelled `entity_label`, the subjects of entity-to-entity rows bare. `written` (IRI → written as an
        object) skips entities an earlier batch wrote and records this batch's.

        Run before `knowledge` on the same rows, outside the concurrent relationship writes: MERGE takes key locks
        in row order, and two batches MERGEing the same entities at once deadlocked."""
        label = ""
        if entity_label is not None:
            if entity_label not in ENTITY_LABELS:
                raise ValueError(f"entity label {entity_label!r} is not one of {sorted(ENTITY_LABELS)}")
            label = f" SET e:{entity_label}"
        written = {} if written is None else written
        objects: dict[str, str] = {}
        for row in rows:
            if not written.get(row["o"]):
                objects.setdefault(row["o"], row["name"])
        subjects = list(dict.fromkeys(r["s"] for r in rows if r["s"] not in written and r["s"] not in objects)) \
            if from_entity else []
        merge = "UNWIND range(0, size($uris) - 1) AS k MERGE (e:Entity {uri: $uris[k]})"
        queries = [(f"{merge} ON CREATE SET e.name = $names[k]{label}",
                    {"uris": list(objects), "names": list(objects.values())})] if objects else []
        queries += [(merge, {"uris": subjects})] if subjects else []
        if queries:
            self._write_all(queries)
        written.update(dict.fromkeys(objects, True))
        written.update(dict.fromkeys(subjects, False))

    def knowledge(self, rows: list[Row], from_entity: bool = False) -> None:
        """(:Item)-[:REL {predicate}]->(:Entity), or (:Entity)-[…]->(:Entity) with `from_entity`, every type in one
        query. The entities must exist (`knowledge_entities`): the query only looks them up, so concurrent batches
        take no key locks, and each distinct item or entity is looked up once per batch, not once per type."""
        subjects, si = _positions(r["s"] for r in rows)
        objects, oi = _positions(r["o"] for r in rows)
        preds, pi = _positions(r["p"] for r in rows)
        types, ti = _positions(r["rel"] for r in rows)
        for rel in types:
            _rel_type(rel)
        subject = _by_uri("s", "subjects") if from_entity else _keyed("s", "Item", "subjects")
        self._write(
            _link(f"{subject} {_by_uri('o', 'objects')}", "$($types[$ti[k]])", {"predicate": "$preds[$pi[k]]"},
                  self.fresh and not from_entity),
            subjects=subjects, objects=objects, si=si, oi=oi, preds=preds, pi=pi, types=types, ti=ti,
        )

    def predicates(self, catalogue: dict[str, str]) -> None:
        """(:Predicate {iri, type}) for each predicate IRI written."""
        rows = [{"iri": iri, "type": _rel_type(rel)} for iri, rel in sorted(catalogue.items())]
        self._write("UNWIND $rows AS r MERGE (p:Predicate {iri: r.iri}) SET p.type = r.type", rows=rows)


def _item_label(label: str) -> str:
    if label not in ITEM_LABELS:
        raise ValueError(f"item label {label!r} is not one of {sorted(ITEM_LABELS)}")
    return label
