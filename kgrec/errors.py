"""Turn expected failures into one-line messages and exit code 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer


@contextmanager
def friendly_errors(*kinds: type[Exception]) -> Iterator[None]:
    """Print `error: <message>` for these exceptions and exit 1 instead of a traceback."""
    try:
        yield
    except kinds as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
