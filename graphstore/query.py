"""Ad-hoc queries for operators (`kgrec cypher`): values only ever as parameters."""

from __future__ import annotations

from typing import Any

from neo4j import Driver
from neo4j.graph import Node, Path, Relationship


def to_plain(value: Any) -> Any:
    """Graph values as JSON-friendly dicts and lists."""
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"type": value.type, **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return [to_plain(n) for n in value.nodes]
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def run_query(driver: Driver, query: str, params: dict[str, Any], database: str) -> tuple[list[str], list[list[Any]]]:
    """Run one query in an auto-commit session (so `CALL … IN TRANSACTIONS` works too)."""
    with driver.session(database=database) as session:
        result = session.run(query, params)
        keys = list(result.keys())
        rows = [[to_plain(v) for v in record.values()] for record in result]
    return keys, rows
