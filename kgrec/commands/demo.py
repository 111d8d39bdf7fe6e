"""`kgrec demo`: the main job end to end on a fresh machine."""

from __future__ import annotations

import typer

from graphstore.provision import ProvisionError
from kgrec.errors import friendly_errors
from kgrec.settings import get_settings


def demo() -> None:
    """Start Neo4j, then run every stage that exists: ingest → train → serve."""
    from graphstore.provision import resolve_server

    with friendly_errors(ProvisionError):
        server = resolve_server(get_settings())
        creds = server.start()
    st = server.status()
    typer.echo(f"Neo4j {st.version} is up: {creds.uri} (Browser {st.browser_url}, password from {creds.source})")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
