"""Knowledge triples: relationship types from predicate IRIs, readable names from entity IRIs."""

from __future__ import annotations

import re
from urllib.parse import unquote

from graphstore.writer import TYPE_PATTERN
from ingest.records import RESERVED_TYPES

DBO = "http://dbpedia.org/ontology/"
DBR = "http://dbpedia.org/resource/"
DCT = "http://purl.org/dc/terms/"
KGREC = "urn:kgrec:"
HAS_GENRE = KGREC + "hasGenre"

_LOCAL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class BadPredicate(ValueError):
    """A predicate whose local name cannot be a relationship type."""


def local_name(iri: str) -> str:
    """The part of an IRI after its last '#', '/' or ':'."""
    return re.split(r"[#/:]", iri.rstrip("/#"))[-1]


def relationship_type(predicate: str) -> str:
    """`dbo:director` → DIRECTOR, `…/literaryGenre` → LITERARY_GENRE, Freebase `…/ns/book.book.genre` →
    BOOK_BOOK_GENRE; raises BadPredicate otherwise.

    Only letters, digits, '_', '-' and '.' are accepted in the local name, so nothing from the data can reach
    Cypher as anything but a validated type matching ^[A-Z][A-Z0-9_]*$.
    """
    name = local_name(predicate)
    if not _LOCAL_NAME.match(name):
        raise BadPredicate(f"predicate {predicate!r}: local name {name!r} is not a plain identifier")
    rel = _CAMEL.sub("_", name).replace("-", "_").replace(".", "_").upper()
    if not TYPE_PATTERN.match(rel):
        raise BadPredicate(f"predicate {predicate!r}: {rel!r} does not match {TYPE_PATTERN.pattern}")
    if rel in RESERVED_TYPES:
        raise BadPredicate(f"predicate {predicate!r}: {rel} is reserved for interactions and social links")
    return rel


def entity_name(iri: str) -> str:
    """A readable label derived from an IRI: local name percent-decoded, '_' → ' ', DBpedia 'Category:' dropped."""
    tail = iri.rstrip("/").rsplit("/", 1)[-1].split("#")[-1]
    name = unquote(tail).replace("_", " ").strip()
    return name.removeprefix("Category:") or iri


def genre_uri(name: str) -> str:
    """The IRI of a genre entity shared by every dataset: urn:kgrec:genre:<Name>."""
    return f"{KGREC}genre:{name}"
