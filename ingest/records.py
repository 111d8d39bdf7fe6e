"""What parsers produce: dataset metadata and ordered sections of plain row dicts for the writer.

Row shapes (all ids are strings; property values are None-free):
- users / items: {"id": str, "props": {name: value}}
- interactions: {"u": user id, "i": item id, "w": rating or weight, "ts": unix seconds (0 unknown), "t": [split, …]}
- knowledge: {"s": item id (or entity IRI for entity_knowledge), "o": entity IRI, "p": predicate IRI,
  "rel": relationship type, "name": readable entity name}
- entities: {"uri": IRI, "name": label from the data}
- social: {"u": user id, "v": user id}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from graphstore.writer import ENTITY_LABELS, INTERACTION_TYPES, ITEM_LABELS, MAX_SPLITS, SOCIAL_TYPES

SectionKind = Literal["users", "items", "interactions", "knowledge", "entity_knowledge", "entities", "social"]

RESERVED_TYPES = frozenset(INTERACTION_TYPES) | SOCIAL_TYPES | {"HAS_GENRE", "HAS_TAG"}

Row = dict[str, Any]


@dataclass(frozen=True)
class DatasetMeta:
    """What the (:Dataset) node says about a dataset."""

    name: str
    domain: str
    item_label: str
    explicit: bool
    split_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.item_label not in ITEM_LABELS:
            raise ValueError(f"item label {self.item_label!r} is not one of {sorted(ITEM_LABELS)}")
        if len(self.split_names) > MAX_SPLITS or len(set(self.split_names)) < len(self.split_names):
            raise ValueError(f"split_names must be at most {MAX_SPLITS} distinct names (the bits of test_in), "
                             f"got {list(self.split_names)}")


@dataclass
class Section:
    """One kind of rows, streamed; `rel` is the relationship type of interactions and social links."""

    kind: SectionKind
    name: str  # what the report calls it, e.g. "ratings"
    rows: Iterable[Row]
    rel: str | None = None
    entity_label: str | None = None  # extra label of the knowledge objects (e.g. Genre)
    total: int | None = None  # expected rows, for the progress bar
    sources: tuple[str, ...] = ()  # keys of the input files its rows depend on

    def __post_init__(self) -> None:
        allowed = {"interactions": INTERACTION_TYPES, "social": SOCIAL_TYPES}.get(self.kind)
        if allowed is not None and self.rel not in allowed:
            raise ValueError(f"{self.kind} section {self.name!r}: relationship type {self.rel!r} not in {allowed}")
        if self.entity_label is not None and self.entity_label not in ENTITY_LABELS:
            raise ValueError(f"entity label {self.entity_label!r} is not one of {sorted(ENTITY_LABELS)}")
