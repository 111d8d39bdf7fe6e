"""Your own data: a folder of interactions (CSV/TSV/Parquet), optional users, items, triples and social links.

    my-data/
      dataset.toml          optional: name, domain, item_label (Movie|Book|Artist|Product), explicit, split_names
                            (required with a test_of column)
      interactions.csv      required (.csv, .tsv or .parquet): user, item, rating or weight, [ts], [test_of]
      items.csv             optional: id, [title], [uri], any other columns become properties
      users.csv             optional: id, any other columns become properties
      social.csv            optional: user, friend, [type = FRIEND|TRUSTS]
      triples.nt            optional (.nt, .ttl or .tsv): subject predicate object; subjects are item IRIs
                            (items.uri), item ids (TSV only) or other entities; rdfs:label literals name entities

`kgrec ingest ./my-data` reads it; see ingest/README.md.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.parsers.ntriples import ParseError, W3CNTriplesParser

from graphstore import INTEGER_RANGE
from ingest.knowledge import BadPredicate, entity_name, relationship_type
from ingest.lines import header_names, read_csv, read_fields, read_lines
from ingest.quarantine import Quarantine
from ingest.records import DatasetMeta, Row, Section
from ingest.spec import DataFile, DatasetSpec, Inputs
from ingest.values import BadValue, ident, integer, iri, number

TABLES = (".csv", ".tsv", ".parquet")
TRIPLES = (".nt", ".ttl", ".tsv")
LABELS = frozenset({"http://www.w3.org/2000/01/rdf-schema#label", "http://xmlns.com/foaf/0.1/name",
                    "http://www.w3.org/2004/02/skos/core#prefLabel", "http://schema.org/name"})


_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$")  # no leading zero: "02139" is a code
CONFIG = {"name": str, "domain": str, "item_label": str, "explicit": bool, "split_names": list}  # dataset.toml
COLUMNS = {"interactions": ("user", "item"), "items": ("id",), "users": ("id",), "social": ("user", "friend")}


class OwnDataError(ValueError):
    """A folder that does not describe a dataset kgrec can read."""


def read_table(path: Path, q: Quarantine) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, row) of a CSV (RFC 4180), TSV (header line) or Parquet file, streamed."""
    if path.suffix == ".csv":
        yield from read_csv(path, q)
    elif path.suffix == ".tsv":
        header: list[str] = []
        for line, fields, raw in read_fields(path, q, "\t", (1, 1000)):
            if not header:
                header = header_names(fields)
            elif len(fields) != len(header):
                q.reject(path, line, f"malformed: {len(fields)} fields, expected {len(header)}", raw)
            else:
                yield line, dict(zip(header, fields, strict=True))
    else:
        n = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=65536):
            for row in batch.to_pylist():
                n += 1
                yield n, row


def own_spec(folder: Path) -> DatasetSpec:
    """The registry entry for a folder of your own files (checked here: which files, which settings)."""
    if not folder.is_dir():
        raise OwnDataError(f"{folder} is not a folder")
    config: dict[str, Any] = {}
    if (folder / "dataset.toml").is_file():
        try:
            config = tomllib.loads((folder / "dataset.toml").read_text())
        except tomllib.TOMLDecodeError as exc:
            raise OwnDataError(f"{folder / 'dataset.toml'}: {exc}") from exc
    # absolute paths: the folder is the data, whatever --data-dir / KGREC_DATA_DIR say
    files = [DataFile(key, str(f.resolve()), None) for key, exts in (("interactions", TABLES), ("items", TABLES),
                                                          ("users", TABLES), ("social", TABLES), ("triples", TRIPLES))
             if (f := _one(folder, key, exts)) is not None]
    if not any(f.key == "interactions" for f in files):
        raise OwnDataError(f"{folder}: no interactions.csv, interactions.tsv or interactions.parquet")
    _check_config(folder / "dataset.toml", config)
    for f in files:  # a missing column would reject every row one by one, with a reason that hides the cause
        columns = _columns(Path(f.path)) if f.key in COLUMNS else []
        if missing := [c for c in COLUMNS.get(f.key, ()) if c not in columns]:
            raise OwnDataError(f"{f.path}: no {', '.join(missing)} column (its columns: {', '.join(columns)})")
    interactions = Path(next(f.path for f in files if f.key == "interactions"))
    explicit = config.get("explicit")
    if explicit is None:
        explicit = "rating" in _columns(interactions)
    try:
        meta = DatasetMeta(str(config.get("name", folder.name)), str(config.get("domain", "items")),
                           str(config.get("item_label", "Product")), explicit=bool(explicit),
                           split_names=tuple(config.get("split_names", ())))
        ident("name", meta.name)
    except (ValueError, BadValue) as exc:
        raise OwnDataError(f"{folder / 'dataset.toml'}: {exc}") from exc
    if "test_of" in _columns(interactions) and not meta.split_names:
        raise OwnDataError(f"{interactions}: a test_of column needs its split names listed in "
                           f"{folder / 'dataset.toml'}, e.g. split_names = [\"holdout\"] (their order numbers "
                           "the bits of test_in)")
    return DatasetSpec(meta=meta, description=f"your files in {folder}", homepage=str(folder),
                       licence="yours", files=tuple(files), parser=partial(parse, splits=meta.split_names),
                       appendable=frozenset())


def _check_config(path: Path, config: dict[str, Any]) -> None:
    """Known keys with values of their type (a string `explicit = "false"` would read as true)."""
    for key, value in config.items():
        kind = CONFIG.get(key)
        if kind is None:
            raise OwnDataError(f"{path}: unknown key {key!r}; known: {', '.join(CONFIG)}")
        if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
            want = "a list of strings" if kind is list else f"a {'boolean' if kind is bool else 'string'}"
            raise OwnDataError(f"{path}: {key} must be {want}, got {value!r}")


def _one(folder: Path, key: str, exts: tuple[str, ...]) -> Path | None:
    found = [folder / f"{key}{ext}" for ext in exts if (folder / f"{key}{ext}").is_file()]
    if len(found) > 1:
        raise OwnDataError(f"{folder}: several {key} files ({', '.join(f.name for f in found)}); keep one")
    return found[0] if found else None


def _columns(path: Path) -> list[str]:
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).schema_arrow.names
    with path.open(encoding="utf-8", errors="replace") as fh:
        return header_names(fh.readline().rstrip("\r\n").split("\t" if path.suffix == ".tsv" else ","))


def parse(inputs: Inputs, q: Quarantine, splits: tuple[str, ...] = ()) -> Iterator[Section]:
    """Users, items, triples, interactions (`test_of` names among `splits`), then social links."""
    inter = inputs["interactions"]
    users = _entities(inputs["users"], q, "users") if inputs.has("users") else _distinct(inter, "user")
    yield Section("users", "users", users, sources=("users", "interactions"))
    items = _entities(inputs["items"], q, "items") if inputs.has("items") else _distinct(inter, "item")
    yield Section("items", "items", items, sources=("items", "interactions"))
    item_ids = {i["id"] for i in items}
    if inputs.has("triples"):
        by_uri: dict[str, list[str]] = {}
        for item in items:
            if "uri" in item["props"]:
                by_uri.setdefault(item["props"]["uri"], []).append(item["id"])
        item_kg, entity_kg, names = _triples(inputs["triples"], q, by_uri, item_ids)
        yield Section("knowledge", "item triples", item_kg, sources=("triples",))
        yield Section("entity_knowledge", "entity triples", entity_kg, sources=("triples",))
        yield Section("entities", "entity names", names, sources=("triples",))
    yield Section("interactions", "interactions", _interactions(inter, q, {u["id"] for u in users}, item_ids, splits),
                  rel="RATED" if "rating" in _columns(inter) else "INTERACTED", sources=("interactions",))
    if inputs.has("social"):
        yield Section("social", "friends", _social(inputs["social"], q, {u["id"] for u in users}, "FRIEND"),
                      rel="FRIEND", sources=("social",))
        yield Section("social", "trust", _social(inputs["social"], q, {u["id"] for u in users}, "TRUSTS"),
                      rel="TRUSTS", sources=("social",))


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and value != ""


def _typed(value: Any) -> Any:
    """Numbers written as text in CSV/TSV become numbers (Parquet values keep their types); text stays text when
    no Neo4j number holds it (beyond 64 bits, or not finite) or it has a leading zero (a code such as a zip)."""
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        number = float(value) if any(c in value for c in ".eE") else int(value)
        return number if (number in INTEGER_RANGE if isinstance(number, int) else math.isfinite(number)) else value
    return str(value) if type(value) is int and value not in INTEGER_RANGE else value  # e.g. a Parquet uint64


def _entities(path: Path, q: Quarantine, what: str) -> list[Row]:
    out: dict[str, Row] = {}
    for line, row in read_table(path, q):
        try:
            key = ident("id", str(row.get("id", "")))
            if key in out:
                raise BadValue(f"duplicate: {what[:-1]} {key}")
            props = {k: _typed(v) for k, v in row.items() if k != "id" and _scalar(v)}
            if "uri" in props:
                props["uri"] = iri("uri", str(props["uri"]))
        except BadValue as exc:
            q.reject(path, line, str(exc), str(row)[:300])
            continue
        out[key] = {"id": key, "props": props}
    return list(out.values())


def _distinct(path: Path, column: str) -> list[Row]:
    seen: dict[str, None] = {}
    for _, row in read_table(path, Quarantine(None)):  # bad rows are reported by the interactions pass
        value = str(row.get(column, "")).strip()
        if value:
            seen.setdefault(value, None)
    return [{"id": v, "props": {}} for v in seen]


def _interactions(path: Path, q: Quarantine, users: set[str], items: set[str], split_names: tuple[str, ...]
                  ) -> Iterator[Row]:
    seen: set[tuple[str, str]] = set()
    for line, row in read_table(path, q):
        try:
            user, item = ident("user", str(row.get("user", ""))), ident("item", str(row.get("item", "")))
            if user not in users:
                raise BadValue(f"unknown id: user {user}")
            if item not in items:
                raise BadValue(f"unknown id: item {item}")
            value = row.get("rating", row.get("weight", 1))
            w = number("rating" if "rating" in row else "weight", str(value), 0, None)
            ts = integer("ts", str(row["ts"]), 0) if _scalar(row.get("ts")) else 0
            splits = row.get("test_of") or []
            splits = [str(s).strip() for s in (splits if isinstance(splits, list | tuple) else str(splits).split("|"))]
            splits = [s for s in splits if s]
            if unknown := [s for s in splits if s not in split_names]:
                raise BadValue(f"unknown split: test_of {unknown[0]!r} is not in dataset.toml split_names")
            if (user, item) in seen:
                raise BadValue(f"duplicate: ({user}, {item})")
        except BadValue as exc:
            q.reject(path, line, str(exc), str(row)[:300])
            continue
        seen.add((user, item))
        yield {"u": user, "i": item, "w": w, "ts": ts, "t": splits}


def _social(path: Path, q: Quarantine, users: set[str], rel: str) -> Iterator[Row]:
    seen: set[tuple[str, str]] = set()
    for line, row in read_table(path, q):
        kind = str(row.get("type") or "FRIEND").strip().upper()
        if kind not in ("FRIEND", "TRUSTS"):
            if rel == "FRIEND":  # report once, in the first pass
                q.reject(path, line, f"bad value: type {kind[:40]!r} is not FRIEND or TRUSTS", str(row)[:300])
            continue
        if kind != rel:
            continue
        u, v = str(row.get("user", "")).strip(), str(row.get("friend", "")).strip()
        if u not in users or v not in users:
            q.reject(path, line, f"unknown id: user {u if u not in users else v}", str(row)[:300])
        elif u == v:
            q.reject(path, line, f"bad value: {rel} link from {u} to itself", str(row)[:300])
        elif (u, v) in seen:
            q.reject(path, line, f"duplicate: {rel} link {u} {v}", str(row)[:300])
        else:
            seen.add((u, v))
            yield {"u": u, "v": v}


class ItemId(str):
    """A TSV triple's subject that is an item id rather than an IRI."""


class _LastTriple:
    """An rdflib sink keeping the triple of the line just parsed."""

    triple_: tuple[Any, Any, Any] | None = None

    def triple(self, s: Any, p: Any, o: Any) -> None:
        self.triple_ = (s, p, o)


def _line_text(path: Path, line: int) -> str:
    """The text of a file's 1-based `line` ('' for 0 or past the end), read as rdflib read it."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        return next(itertools.islice(fh, line - 1, None), "").rstrip("\n") if line > 0 else ""


def _raw_triples(path: Path, q: Quarantine, item_ids: set[str]) -> Iterator[tuple[int, Any, Any, Any]]:
    """(line, subject, predicate, object) as rdflib terms (TSV subjects may be ItemId), bad lines reported.

    N-Triples are parsed line by line with rdflib's parser so each bad line is reported on its own; Turtle
    is parsed whole (a syntax error rejects the file, reported at the line rdflib stopped on).
    """
    if path.suffix == ".nt":
        sink = _LastTriple()
        parser = W3CNTriplesParser(sink)  # type: ignore[arg-type]
        for line, text in read_lines(path, q):
            parser.line, sink.triple_ = text, None
            try:
                parser.parseline()
            except ParseError as exc:
                q.reject(path, line, f"malformed: {exc}", text)
                continue
            if sink.triple_ is not None:
                yield (line, *sink.triple_)
    elif path.suffix == ".ttl":
        graph = Graph()
        try:
            graph.parse(path, format="turtle")
        except (ParserError, SyntaxError, ValueError) as exc:
            bad = isinstance(exc, BadSyntax)  # counts the newlines before the error; its str() dumps raw bytes
            line, reason = (exc.lines + 1, exc._why) if bad else (0, str(exc))
            q.reject(path, line, f"malformed: {reason}; file skipped", _line_text(path, line))
            return
        for s, p, o in graph:
            yield 0, s, p, o
    else:
        for line, (s, p, o), _ in read_fields(path, q, "\t", 3):
            s, p, o = s.strip(), p.strip(), o.strip()
            obj = URIRef(o) if ":" in o and " " not in o else Literal(o)
            yield line, ItemId(s) if s in item_ids else URIRef(s), URIRef(p), obj


def _triples(
    path: Path, q: Quarantine, items_by_uri: dict[str, list[str]], item_ids: set[str]
) -> tuple[list[Row], list[Row], list[Row]]:
    """(rows from items, rows between entities, entity names from label literals)."""
    item_kg: list[Row] = []
    entity_kg: list[Row] = []
    names: list[Row] = []
    seen: set[tuple[str, str, str]] = set()
    for line, s, p, o in _raw_triples(path, q, item_ids):
        raw = f"{s} {p} {o}"[:300]
        try:
            if isinstance(s, BNode) or isinstance(o, BNode):
                raise BadValue("unsupported: blank nodes have no IRI to key an entity on")
            pred = iri("predicate", str(p))
            subject = str(s) if isinstance(s, ItemId) else iri("subject", str(s))
            if isinstance(o, Literal):
                if pred in LABELS and not isinstance(s, ItemId):
                    names.append({"uri": subject, "name": str(o)})
                continue  # other literal values are properties, not knowledge-graph edges
            obj, rel = iri("object", str(o)), relationship_type(pred)
            if (subject, pred, obj) in seen:
                raise BadValue(f"duplicate: triple {subject} {pred} {obj}")
        except BadPredicate as exc:
            q.reject(path, line, f"bad predicate: {exc}", raw)
            continue
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
            continue
        seen.add((subject, pred, obj))
        row = {"o": obj, "p": pred, "rel": rel, "name": entity_name(obj)}
        if isinstance(s, ItemId):
            item_kg.append({**row, "s": subject})
        elif subject in items_by_uri:
            item_kg += [{**row, "s": item} for item in items_by_uri[subject]]
        else:
            entity_kg.append({**row, "s": subject})
    return item_kg, entity_kg, names
