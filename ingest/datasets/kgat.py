"""KGAT amazon-book (Wang et al., KDD 2019): the published train/test split, Freebase-linked items.

Ids are KGAT's remap ids (what train.txt/test.txt use); the Amazon reviewer id, ASIN and Freebase mid are kept
as properties. Every interaction is INTERACTED {weight: 1}; test rows have the `test_in` bit of split 'kgat'. The KG
(kg_final.txt, 2.56M Freebase triples) is optional: read when present or downloadable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.knowledge import BadPredicate, entity_name, relationship_type
from ingest.lines import read_fields, read_lines, replayed
from ingest.quarantine import Quarantine
from ingest.records import DatasetMeta, Row, Section
from ingest.spec import DataFile, DatasetSpec, Inputs, Source
from ingest.values import BadValue, integer

REPO = "https://raw.githubusercontent.com/xiangwang1223/knowledge_graph_attention_network/"
COMMIT = "c03737be46ac26a0b5431efe149828e982ffbbfb"
FREEBASE = "http://rdf.freebase.com/ns/"
SPLIT = "kgat"
_FREEBASE_ID = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$")  # m.045wq1q, book.written_work


def _file(key: str, name: str, sha256: str | None, optional: bool = False, member: str | None = None) -> DataFile:
    remote = f"{REPO}{COMMIT}/Data/amazon-book/{name}"
    checksum = f"sha256:{sha256}" if sha256 and not member else None
    local = f"kgat/amazon-book/{member or name}"
    return DataFile(key, local, None if member else sha256, Source(remote, checksum, member), optional)


FILES = (
    _file("users", "user_list.txt", "ae2e001d4e49fd82d4c7e25f950827a8be2fbd5c6f3a16dacb2d104edb32310e"),
    _file("items", "item_list.txt", "efea8518cd68e515584fdfbfca95f318b25ef551c64498c5935897c2b02e436f"),
    _file("train", "train.txt", "4d10106bb06a77e11df660429903c0067aeb85b86431807836b0d8b7edc30c38"),
    _file("test", "test.txt", "f47eff9d35fb95c07d74251a991478a84095ce6c5969b0dafcb4afe99fc716ec"),
    _file("entities", "entity_list.txt", "b03e9cb7eeab38756f0b10c06478a611201a7d42cb16acb8513624dda05270ca"),
    _file("relations", "relation_list.txt", "50fe9c6560224b20d8ace78ae8ca0b8dad39248f6dc900f6744b633ba8c33f4b"),
    # missing from the shared snapshot; the publisher's zip has no published checksum
    _file("kg", "kg_final.txt.zip", None, optional=True, member="kg_final.txt"),
)


def parse(inputs: Inputs, q: Quarantine) -> Iterator[Section]:
    """Users, items, the Freebase KG when present, then train and test interactions."""
    users = _id_list(inputs["users"], q, "org_id")
    yield Section("users", "users", [{"id": rid, "props": {"org_id": org}} for rid, org in users.items()],
                  sources=("users",))
    items = _items(inputs["items"], q)
    yield Section("items", "items", items, sources=("items",))
    if inputs.has("kg"):
        entities = _entities(inputs["entities"], q)
        relations = _relations(inputs["relations"], q)
        item_kg, entity_kg = kg_rows(inputs["kg"], q, len(items), entities, relations)
        yield Section("knowledge", "freebase", item_kg, sources=("kg",))
        yield Section("entity_knowledge", "freebase (entities)", entity_kg, sources=("kg",))
    yield Section("interactions", "interactions", _interactions(inputs, q, set(users), len(items)),
                  rel="INTERACTED", total=846_434, sources=("train", "test"))


def _id_list(path: Path, q: Quarantine, what: str) -> dict[str, str]:
    """remap id → org id of a `org_id remap_id` list with a header."""
    out: dict[str, str] = {}
    for line, text in read_lines(path, q):
        if line == 1:
            continue
        org, _, remap = text.rpartition(" ")
        if not remap.isdigit() or remap in out:
            q.reject(path, line, f"malformed: expected '<{what}> <remap_id>'", text)
            continue
        out[remap] = org
    return out


def _items(path: Path, q: Quarantine) -> list[Row]:
    items: list[Row] = []
    for line, (asin, remap, mid), raw in read_fields(path, q, " ", 3):
        if line == 1:
            continue
        if remap != str(len(items)):
            q.reject(path, line, f"malformed: remap_id {remap} out of order (expected {len(items)})", raw)
            continue
        items.append({"id": remap, "props": {"asin": asin, "freebase_id": mid, "uri": FREEBASE + mid}})
    return items


def _entities(path: Path, q: Quarantine) -> dict[str, str]:
    """entity remap id → IRI (Freebase ids; the 15 literal or empty names get urn:kgrec:kgat:entity:<remap>)."""
    return {remap: FREEBASE + org if _FREEBASE_ID.match(org) else f"urn:kgrec:kgat:entity:{remap}"
            for remap, org in _id_list(path, q, "freebase_id").items()}


def _relations(path: Path, q: Quarantine) -> dict[str, tuple[str, str]]:
    """relation remap id → (predicate IRI, relationship type)."""
    out: dict[str, tuple[str, str]] = {}
    for remap, iri in _id_list(path, q, "predicate").items():
        try:
            out[remap] = (iri, relationship_type(iri))
        except BadPredicate as exc:
            q.reject(path, int(remap) + 2, f"bad predicate: {exc}", iri)
    return out


def kg_rows(
    path: Path, q: Quarantine, n_items: int, entities: dict[str, str], relations: dict[str, tuple[str, str]]
) -> tuple[list[Row], list[Row]]:
    """kg_final.txt `head relation tail` remap ids → (item knowledge rows, entity knowledge rows)."""
    item_kg: list[Row] = []
    entity_kg: list[Row] = []
    seen: set[tuple[str, str, str]] = set()
    for line, (head, rel, tail), raw in read_fields(path, q, " ", 3):
        if rel not in relations:
            q.reject(path, line, f"unknown id: relation {rel}", raw)
        elif head not in entities or tail not in entities:
            q.reject(path, line, f"unknown id: entity {head if head not in entities else tail}", raw)
        elif (head, rel, tail) in seen:
            q.reject(path, line, f"duplicate: triple {head} {rel} {tail}", raw)
        else:
            seen.add((head, rel, tail))
            predicate, rtype = relations[rel]
            obj = entities[tail]
            is_item = int(head) < n_items
            row = {"s": head if is_item else entities[head], "o": obj, "p": predicate, "rel": rtype,
                   "name": entity_name(obj)}
            (item_kg if is_item else entity_kg).append(row)
    return item_kg, entity_kg


def _interactions(inputs: Inputs, q: Quarantine, users: set[str], n_items: int) -> Iterator[Row]:
    seen: set[int] = set()
    for key, test_of in (("train", []), ("test", [SPLIT])):
        path = inputs[key]

        def rows(begin: int, stop: int | None, q: Quarantine, path: Path = path, test_of: list[str] = test_of
                 ) -> Iterator[Row]:
            for line, text in read_lines(path, q, start=begin, stop=stop):
                user, *items = text.split()
                if user not in users:
                    q.reject(path, line, f"unknown id: user {user}", text[:200])
                    continue
                for item in items:
                    try:
                        index = integer("item", item, 0, n_items - 1)
                    except BadValue as exc:
                        q.reject(path, line, str(exc), text[:200])
                        continue
                    pair = int(user) * n_items + index
                    if pair in seen:
                        q.reject(path, line, f"duplicate: ({user}, {item})", text[:200])
                        continue
                    seen.add(pair)
                    yield {"u": user, "i": item, "w": 1.0, "ts": 0, "t": test_of}

        yield from replayed(rows, inputs.start(key), q)


SPEC = DatasetSpec(
    meta=DatasetMeta("kgat-amazon-book", "books", "Book", explicit=False, split_names=(SPLIT,)),
    description="KGAT amazon-book: 70,679 users, 24,915 books, 846,434 interactions (train 652,514 / test "
    "193,920, split 'kgat'); items linked to Freebase; kg_final.txt optional",
    homepage="https://github.com/xiangwang1223/knowledge_graph_attention_network",
    licence="KGAT data terms: research only, acknowledge, no redistribution, no commercial use; code MIT",
    files=FILES, parser=parse, appendable=frozenset({"train", "test"}),
)
