"""Amazon-KG v2.0 (SIGIR 2024): Amazon 2018 Books and Movies_and_TV 5-core, every item linked to DBpedia.

RecBole atomic files: `.inter` (user, item, rating = 1 → INTERACTED {weight: 1}), `.link` (item → `res:<Name>`,
i.e. http://dbpedia.org/resource/<Name>) and the optional `.kg` (head, relation, tail), missing from the shared
snapshot: read when present or downloadable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from ingest.datasets.common import first_column, github_file, interaction_rows, invert
from ingest.knowledge import DBO, DBR, DCT, BadPredicate, entity_name, relationship_type
from ingest.lines import read_fields
from ingest.quarantine import Quarantine
from ingest.records import DatasetMeta, Row, Section
from ingest.spec import DataFile, DatasetSpec, Inputs, Source
from ingest.values import BadValue, ident, iri

REPO, COMMIT = "WangYuhan-0520/Amazon-KG-v2.0-dataset", "09fe5f5239c687d2cd07f646a0d87b4fee2318f8"
PREFIXES = {"res": DBR, "dbr": DBR, "dbo": DBO, "dct": DCT}


def expand(value: str) -> str:
    """`res:The_Prophet_(book)` → http://dbpedia.org/resource/The_Prophet_(book); full IRIs stay as they are."""
    prefix, sep, rest = value.partition(":")
    return PREFIXES[prefix] + rest if sep and prefix in PREFIXES else value


def _files(domain: str, inter_sha: str, link_sha: str) -> tuple[DataFile, ...]:
    folder = f"Amazon-KG-5core-{domain}"
    kg_remote = f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/{folder}/{folder}.kg"
    return (
        github_file("inter", f"amazon-kg-v2-dbpedia/{folder}/{folder}.inter", REPO, COMMIT,
                    f"{folder}/{folder}.inter", inter_sha),
        github_file("link", f"amazon-kg-v2-dbpedia/{folder}/{folder}.link", REPO, COMMIT, f"{folder}/{folder}.link",
                    link_sha),
        DataFile("kg", f"amazon-kg-v2-dbpedia/{folder}/{folder}.kg", None, Source(kg_remote, None), optional=True),
    )


def parse(inputs: Inputs, q: Quarantine) -> Iterator[Section]:
    """Users, items (with DBpedia IRI), the `.kg` triples when present, then interactions."""
    users = first_column(inputs["inter"])
    yield Section("users", "users", [{"id": u, "props": {}} for u in users], sources=("inter",))
    uris = _links(inputs["link"], q)
    yield Section("items", "items", [{"id": i, "props": {"uri": u}} for i, u in uris.items()], sources=("link",))
    if inputs.has("kg"):
        item_kg, entity_kg = kg_rows(inputs["kg"], q, invert(uris))
        yield Section("knowledge", "dbpedia", item_kg, sources=("kg",))
        yield Section("entity_knowledge", "dbpedia (entities)", entity_kg, sources=("kg",))
    yield Section("interactions", "interactions", interaction_rows(inputs["inter"], q, set(users), set(uris), lo=1,
                                                                   hi=1, start=inputs.start("inter")),
                  rel="INTERACTED", sources=("inter",))


def _links(path: Path, q: Quarantine) -> dict[str, str]:
    uris: dict[str, str] = {}
    for line, (item, entity), raw in read_fields(path, q, "\t", 2):
        if line == 1:
            continue
        try:
            item = ident("item_id", item)
            if item in uris:
                raise BadValue(f"duplicate: item {item} linked twice")
            uris[item] = iri("entity_id", expand(entity.strip()))
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
    return uris


def kg_rows(path: Path, q: Quarantine, items_by_uri: Mapping[str, Sequence[str]]) -> tuple[list[Row], list[Row]]:
    """`.kg` triples → (rows from items, whose head is an item's IRI; rows between other entities)."""
    item_kg: list[Row] = []
    entity_kg: list[Row] = []
    seen: set[tuple[str, str, str]] = set()
    for line, (head, relation, tail), raw in read_fields(path, q, "\t", 3):
        if line == 1 and head.startswith("head_id"):
            continue
        try:
            s, p, o = iri("head_id", expand(head)), iri("relation_id", expand(relation)), iri("tail_id", expand(tail))
            rel = relationship_type(p)
            if (s, p, o) in seen:
                raise BadValue(f"duplicate: triple {head} {relation} {tail}")
        except (BadValue, BadPredicate) as exc:
            q.reject(path, line, str(exc) if isinstance(exc, BadValue) else f"bad predicate: {exc}", raw)
            continue
        seen.add((s, p, o))
        row = {"o": o, "p": p, "rel": rel, "name": entity_name(o)}
        if s in items_by_uri:
            item_kg += [{**row, "s": item} for item in items_by_uri[s]]
        else:
            entity_kg.append({**row, "s": s})
    return item_kg, entity_kg


LICENCE = ("Amazon-KG: non-commercial research and teaching only, cite Amazon-KG (SIGIR 2024), do not distribute "
           "the data or modified versions; Amazon Review Data 2018 (UCSD)")
BOOKS = DatasetSpec(
    meta=DatasetMeta("amazon-kg-books", "books", "Product", explicit=False),
    description="Amazon-KG v2 Books 5-core: 10,485 users, 8,696 DBpedia-linked items, 115,572 interactions",
    homepage=f"https://github.com/{REPO}", licence=LICENCE, parser=parse, appendable=frozenset({"inter"}),
    files=_files("Books", "68419962a5c53a2f39db9ee1f28f30729942ddf32d2d69f5bd99b1d35f7d50c7",
                 "3ff75a54614478f2215800ffd0c6e11c75937f3ca57a7b85c829b2ee7bbe0dbb"),
)
MOVIES_TV = DatasetSpec(
    meta=DatasetMeta("amazon-kg-movies-tv", "movies", "Product", explicit=False),
    description="Amazon-KG v2 Movies_and_TV 5-core: 5,648 users, 4,896 DBpedia-linked items, 67,066 interactions",
    homepage=f"https://github.com/{REPO}", licence=LICENCE, parser=parse, appendable=frozenset({"inter"}),
    files=_files("Movies_and_TV", "3340e0f7026a829880ccb55f45f7cf0c4d65fb1e734cf500b8f7b419d1f06c51",
                 "47c647ef04ef373b4776c896bdfbd44daa2ef441fabfad176b33577dcc486d51"),
)
