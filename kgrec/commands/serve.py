"""`kgrec serve`: the GraphQL API under uvicorn (GraphiQL at /graphql)."""

from __future__ import annotations

import logging
import os
import tempfile
from typing import Annotated

import typer

from graphstore.provision import ProvisionError
from kgrec.errors import friendly_errors
from kgrec.settings import get_settings

log = logging.getLogger(__name__)


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default KGREC_API_HOST, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port (default KGREC_API_PORT, 8000).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64,
                                                help="Worker processes (default KGREC_API_WORKERS, 1).")] = None,
) -> None:
    """Serve recommendations, explanations and feedback over GraphQL (starts Neo4j first if kgrec manages it)."""
    import uvicorn
    from pydantic import ValidationError

    from api.app import create_app
    from api.settings import ApiSettings
    from graphstore.connection import ensure_server

    with friendly_errors(ProvisionError, ValidationError):  # e.g. KGREC_API_PORT=abc
        settings = ApiSettings()
        host, port, workers = host or settings.host, port or settings.port, workers or settings.workers
        creds = ensure_server(get_settings())
    typer.echo(f"kgrec API on http://{host}:{port}/graphql (Neo4j {creds.uri}, {workers} worker(s))")
    if not settings.keys:
        typer.echo("note: no KGREC_API_KEYS set, so recordInteraction is refused", err=True)
    if workers == 1:
        uvicorn.run(create_app(settings, creds), host=host, port=port, log_level="info", access_log=False)
        return
    # several processes: each builds its app (and driver) from the environment; metrics are shared via files
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="kgrec-metrics-"))
    uvicorn.run("api.app:create_app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="info", access_log=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
