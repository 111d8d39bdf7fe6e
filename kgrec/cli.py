"""The `kgrec` command: one sub-command per stage, each a thin shell over the package doing the work.

Sub-commands live in `kgrec/commands/<name>.py`; each module exposes `register(app)`.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil

import typer

import kgrec.commands
from kgrec import __version__
from kgrec.settings import get_settings

app = typer.Typer(
    name="kgrec",
    help="Graph-database-backed recommendations: Neo4j + PyG + PyKEEN + GraphQL, with explanation paths.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kgrec {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for chatty in ("neo4j", "httpx"):  # a line per query or request (`kgrec explain` calls the API in-process)
        logging.getLogger(chatty).setLevel(logging.WARNING)
    get_settings.cache_clear()  # each invocation reads the environment afresh (matters in-process, e.g. tests)


for _info in sorted(pkgutil.iter_modules(kgrec.commands.__path__), key=lambda m: m.name):
    importlib.import_module(f"kgrec.commands.{_info.name}").register(app)


def main() -> None:
    app()
