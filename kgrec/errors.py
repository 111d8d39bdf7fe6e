"""Turn expected failures into one-line messages and exit code 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from neo4j.exceptions import Neo4jError


def message(exc: Exception) -> str:
    """What to print for `exc`. A Neo4j error's own text and code: its str() adds a GQL status description that
    reads as an internal failure ("unexpected error … see debug log") even for a typo in a query."""
    if isinstance(exc, Neo4jError) and exc.message:
        return f"{exc.message} ({exc.code})"
    return str(exc)


@contextmanager
def friendly_errors(*kinds: type[Exception]) -> Iterator[None]:
    """Print `error: <message>` for these exceptions and exit 1 instead of a traceback."""
    try:
        yield
    except kinds as exc:
        typer.secho(f"error: {message(exc)}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
