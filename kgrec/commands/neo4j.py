"""`kgrec neo4j start|stop|status|logs|reset` and `kgrec cypher`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from graphstore.provision import ProvisionError, resolve_server
from graphstore.provision.maven import MavenServer
from kgrec.errors import friendly_errors
from kgrec.settings import get_settings

neo4j_app = typer.Typer(help="Start, stop and inspect the Neo4j server kgrec uses.", no_args_is_help=True)


@neo4j_app.command()
def start() -> None:
    """Start the server (idempotent): NEO4J_URI if set, else Docker, else Neo4j from Maven Central."""
    with friendly_errors(ProvisionError):
        server = resolve_server(get_settings())
        was_running = server.status().running
        creds = server.start()
    typer.echo(f"Neo4j {'was already running' if was_running else 'started'} ({server.backend}): {creds.uri}")


@neo4j_app.command()
def stop() -> None:
    """Stop the server kgrec manages (leaves no process and no bound port)."""
    with friendly_errors(ProvisionError):
        server = resolve_server(get_settings())
        was_running = server.status().running
        server.stop()
    typer.echo(f"Neo4j {'stopped' if was_running else 'was not running'} ({server.backend}).")


@neo4j_app.command()
def status() -> None:
    """Say whether the server runs, where Bolt and Browser are, and where the credentials come from."""
    settings = get_settings()
    with friendly_errors(ProvisionError):
        st = resolve_server(settings).status()
    typer.echo(f"backend:      {st.backend}")
    typer.echo(f"running:      {'yes' if st.running else 'no'} ({st.detail})")
    typer.echo(f"bolt:         {st.bolt_uri}")
    if st.browser_url:
        typer.echo(f"browser:      {st.browser_url}")
    typer.echo("user:         neo4j")
    typer.echo(f"password:     from {st.credentials_source}" if st.credentials_source else
               f"password:     none yet (`kgrec neo4j start` generates one into {settings.password_file})")
    raise typer.Exit(0 if st.running else 3)


@neo4j_app.command()
def logs(lines: Annotated[int, typer.Option("--lines", "-n", min=1, help="How many lines.")] = 50) -> None:
    """Print the end of the server's log."""
    with friendly_errors(ProvisionError):
        typer.echo(resolve_server(get_settings()).logs(lines))


@neo4j_app.command()
def reset(yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False) -> None:
    """Delete the managed server's data and generated password (the server must be stopped)."""
    settings = get_settings()
    if not yes:
        typer.confirm(f"Delete all data under {settings.neo4j_home / 'data'}?", abort=True)
    with friendly_errors(ProvisionError):
        MavenServer(settings).reset()
    typer.echo("Neo4j data deleted.")


def _parse_param(raw: str) -> tuple[str, object]:
    if "=" not in raw:
        raise typer.BadParameter(f"expected key=value, got {raw!r}", param_hint="--param")
    key, value = raw.split("=", 1)
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def cypher(
    query: Annotated[str, typer.Argument(help="A Cypher query; pass values with --param, never by pasting.")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="key=value (JSON or text).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Run a Cypher query against the resolved server and print the result."""
    from neo4j.exceptions import Neo4jError

    from graphstore.connection import open_driver
    from graphstore.query import run_query

    if fmt not in ("table", "json"):
        raise typer.BadParameter("must be 'table' or 'json'", param_hint="--format")
    params = dict(_parse_param(p) for p in param or [])
    with friendly_errors(ProvisionError, Neo4jError), open_driver() as driver:
        keys, rows = run_query(driver, query, params, get_settings().neo4j_database)
    if fmt == "json":
        typer.echo(json.dumps([dict(zip(keys, r, strict=True)) for r in rows], indent=2, default=str))
        return
    typer.echo(format_table(keys, rows))


def format_table(keys: list[str], rows: list[list[object]]) -> str:
    """A plain-text table, like cypher-shell's."""
    cells = [[json.dumps(v, default=str) if not isinstance(v, str) else v for v in r] for r in rows]
    widths = [max([len(k)] + [len(r[i]) for r in cells]) for i, k in enumerate(keys)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line, "| " + " | ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True)) + " |", line]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    out += [line, f"{len(rows)} row{'s' if len(rows) != 1 else ''}"]
    return "\n".join(out)


def register(app: typer.Typer) -> None:
    app.add_typer(neo4j_app, name="neo4j")
    app.command("cypher")(cypher)
