"""Field validation shared by parsers: each check raises BadValue with a message naming the field."""

from __future__ import annotations

import math
import re
from datetime import datetime

from graphstore import INTEGER_RANGE


class BadValue(ValueError):
    """A field that fails validation; the message is "<reason>: <field> <value> …" (reason counted in reports)."""


_ID = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")


def ident(field: str, text: str) -> str:
    """A dataset id: non-empty, at most 200 characters, no control characters (kept verbatim otherwise)."""
    text = text.strip()
    if not _ID.match(text):
        raise BadValue(f"bad value: {field} {text[:60]!r} is not a valid id")
    return text


def integer(field: str, text: str, lo: int | None = None, hi: int | None = None) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise BadValue(f"bad value: {field} {text[:60]!r} is not an integer") from None
    if (lo is not None and value < lo) or (hi is not None and value > hi) or value not in INTEGER_RANGE:
        raise BadValue(f"out of range: {field} {value} not in [{lo}, {hi}]")  # nor past a Neo4j integer's 64 bits
    return value


def number(field: str, text: str, lo: float | None = None, hi: float | None = None) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise BadValue(f"bad value: {field} {text[:60]!r} is not a number") from None
    if not math.isfinite(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
        raise BadValue(f"out of range: {field} {value} not in [{lo}, {hi}]")
    return value


def date(field: str, text: str, fmt: str) -> str | None:
    """An ISO date (YYYY-MM-DD) from `text` in `fmt`; None when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, fmt).date().isoformat()
    except ValueError:
        raise BadValue(f"bad value: {field} {text[:60]!r} is not a date like {fmt}") from None


def iri(field: str, text: str) -> str:
    """An absolute IRI without spaces, quotes or angle brackets."""
    text = text.strip()
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", text):
        raise BadValue(f"bad value: {field} {text[:80]!r} is not an IRI")
    return text
