"""Pieces several dataset parsers share: publisher URLs, DBpedia mappings, property edge lists, interactions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ingest.knowledge import DBO, DCT, BadPredicate, entity_name, relationship_type
from ingest.lines import read_fields, replayed
from ingest.quarantine import Quarantine
from ingest.records import Row
from ingest.spec import DataFile, Inputs, Source
from ingest.values import BadValue, ident, integer, iri, number

PREFIXES = {"dbo": DBO, "dct": DCT}


def github_file(key: str, local: str, repo: str, commit: str, remote: str, sha256: str) -> DataFile:
    """A registry file served raw by GitHub at a fixed commit."""
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{quote(remote)}"
    return DataFile(key, local, sha256, Source(url, f"sha256:{sha256}"))


def edgelist_files(folder: str, repo: str, commit: str, remote_folder: str, shas: Mapping[str, str]) -> list[DataFile]:
    """One `kg:<prefix>:<property>` file per DBpedia property edge list ('<prefix>:<property>.edgelist')."""
    name = "{}.edgelist".format
    return [github_file(f"kg:{prop}", f"{folder}/{name(prop)}", repo, commit, f"{remote_folder}/{name(prop)}", sha)
            for prop, sha in shas.items()]


def read_uri_map(
    path: Path, q: Quarantine, item_ids: Iterable[str] | None, *, sep: str = "\t", n: int = 3, header: bool = False,
    encoding: str = "utf-8",
) -> dict[str, str]:
    """item id → DBpedia IRI from `id <sep> … <sep> uri` lines (the IRI is the last field)."""
    known = set(item_ids) if item_ids is not None else None
    uris: dict[str, str] = {}
    for line, fields, raw in read_fields(path, q, sep, n, encoding=encoding):
        if header and line == 1:
            continue
        try:
            item = ident("item_id", fields[0])
            if known is not None and item not in known:
                raise BadValue(f"unknown id: item {item}")
            if item in uris:
                raise BadValue(f"duplicate: item {item} mapped twice")
            uris[item] = iri("uri", fields[-1])
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
    return uris


@dataclass
class MovieLensRatings:
    """Checks MovieLens rating lines (user, item, rating 1-5, timestamp) against the ids read before them; the
    messages use the dataset's own field and file names."""

    users: set[str]
    items: set[str]
    names: tuple[str, str, str, str, str]  # user field, item field, users file, items file, what an item is
    seen: dict[tuple[str, str], int] = field(default_factory=dict)  # (user, item) → its first line

    def check(self, line: int, fields: Sequence[str]) -> tuple[str, str, int, int]:
        """(user, item, rating, timestamp) of a line; BadValue naming the field, the unknown id or the first line
        of a duplicate."""
        user_field, item_field, users_file, items_file, noun = self.names
        uid, mid = ident(user_field, fields[0]), ident(item_field, fields[1])
        if uid not in self.users:
            raise BadValue(f"unknown id: user {uid} is not in {users_file}")
        if mid not in self.items:
            raise BadValue(f"unknown id: {noun} {mid} is not in {items_file}")
        value, stamp = integer("rating", fields[2], 1, 5), integer("timestamp", fields[3], 0)
        if (first := self.seen.setdefault((uid, mid), line)) != line:
            raise BadValue(f"duplicate: ({uid}, {mid}) first at line {first}")
        return uid, mid, value, stamp


def read_edgelists(inputs: Inputs, q: Quarantine, items_by_uri: Mapping[str, Sequence[str]]) -> Iterator[Row]:
    """Knowledge rows from every `kg:<prefix>:<property>` edge list ('head_IRI tail_IRI' lines).

    Heads that are no item's IRI belong to other data sets' items and are skipped silently; a head IRI shared
    by several items links each of them. Repeated triples are reported once as duplicates.
    """
    for key in sorted(k for k in inputs.paths if k.startswith("kg:")):
        path = inputs[key]
        prefix, _, prop = key.removeprefix("kg:").partition(":")
        predicate = PREFIXES.get(prefix, "") + prop
        try:
            rel = relationship_type(predicate)
        except BadPredicate as exc:
            q.reject(path, 0, f"bad predicate: {exc}; file ignored")
            continue
        seen: set[tuple[str, str]] = set()
        for line, (head, tail), raw in read_fields(path, q, " ", 2):
            items = items_by_uri.get(head)
            if not items:
                continue
            try:
                obj = iri("tail", tail)
                if (head, obj) in seen:
                    raise BadValue(f"duplicate: {head} {obj}")
            except BadValue as exc:
                q.reject(path, line, str(exc), raw)
                continue
            seen.add((head, obj))
            name = entity_name(obj)
            for item in items:
                yield {"s": item, "o": obj, "p": predicate, "rel": rel, "name": name}


def invert(uris: Mapping[str, str]) -> dict[str, list[str]]:
    """IRI → the item ids mapped to it."""
    out: dict[str, list[str]] = {}
    for item, uri in uris.items():
        out.setdefault(uri, []).append(item)
    return out


def interaction_rows(
    path: Path, q: Quarantine, users: set[str] | None, items: set[str], *, sep: str = "\t", header: bool = True,
    lo: float, hi: float | None, start: int = 0, integral: bool = True,
) -> Iterator[Row]:
    """`user <sep> item <sep> value` lines from byte `start` on as interaction rows (value in [lo, hi]); bad and
    repeated pairs reported (a pair is repeated also when its first row is before `start`)."""
    seen: dict[tuple[str, str], int] = {}

    def rows(begin: int, stop: int | None, q: Quarantine) -> Iterator[Row]:
        for line, (user, item, value), raw in read_fields(path, q, sep, 3, start=begin, stop=stop):
            if header and line == 1:
                continue
            try:
                user, item = ident("user_id", user), ident("item_id", item)
                if users is not None and user not in users:
                    raise BadValue(f"unknown id: user {user}")
                if item not in items:
                    raise BadValue(f"unknown id: item {item}")
                w = number("value", value, lo, hi)
                if integral and w != int(w):
                    raise BadValue(f"bad value: value {value!r} is not an integer")
            except BadValue as exc:
                q.reject(path, line, str(exc), raw)
                continue
            if (user, item) in seen:
                q.reject(path, line, f"duplicate: ({user}, {item}) first at line {seen[user, item]}", raw)
                continue
            seen[user, item] = line
            yield {"u": user, "i": item, "w": w, "ts": 0, "t": []}

    return replayed(rows, start, q)


def first_column(path: Path, sep: str = "\t", header: bool = True) -> list[str]:
    """Distinct values of a file's first column, in order of appearance (e.g. the users of an interaction file).

    Bad lines are skipped silently here: the full pass over the file reports them."""
    seen: dict[str, None] = {}
    for line, fields, _ in read_fields(path, Quarantine(None), sep, (2, 99)):
        if header and line == 1:
            continue
        try:
            seen.setdefault(ident("user_id", fields[0]), None)
        except BadValue:
            continue
    return list(seen)
