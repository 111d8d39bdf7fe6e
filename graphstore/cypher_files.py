"""Load the `.cypher` files of `cypher/` by name (the Cypher a person may read or run)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).resolve().parent.parent / "cypher"
_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)


@cache
def load_cypher(name: str) -> str:
    """Text of `cypher/<name>.cypher` (name may contain a sub-folder: "explain/shared_entity")."""
    path = CYPHER_DIR / f"{name}.cypher"
    if not path.is_file():
        raise FileNotFoundError(f"no Cypher file {path}")
    return path.read_text()


@cache
def query_text(name: str) -> str:
    """`load_cypher(name)` as sent to the server: without comment lines, blank lines and indentation. The API's
    queries travel with every request (the explanation query's 9.2 KB were 46% comments) and are decoded and
    hashed by the server each time; the files keep their comments for people."""
    lines = (line.strip() for line in _COMMENT.sub("", load_cypher(name)).splitlines())
    return "\n".join(line for line in lines if line)


def statements(text: str) -> list[str]:
    """The `;`-separated statements of a Cypher file, comments removed."""
    return [s.strip() for s in _COMMENT.sub("", text).split(";") if s.strip()]
