"""`kgrec explain`: why a user gets an item (or their top recommendations), as sentences, the Cypher that shows
each path in Neo4j Browser, and optionally a picture of the paths' subgraph.

It asks the GraphQL API's own `explain` / `recommendations` fields, with the app running in this process (no
server to start), so the answers are exactly what a front-end gets.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path
from typing import Annotated, Any

import typer

from graphstore.provision import ProvisionError
from kgrec.errors import friendly_errors
from kgrec.settings import get_settings

PATH_FIELDS = """kind weight sentence cypher parameters
  nodes { kind id name } relationships { type source target rating weight }"""
EXPLAIN = f"""query($u: ID!, $i: ID!, $d: String, $n: Int!) {{
  item(id: $i, dataset: $d) {{ title }}
  explain(userId: $u, itemId: $i, dataset: $d, maxPaths: $n) {{ {PATH_FIELDS} }} }}"""
RECOMMEND = f"""query($u: ID!, $d: String, $first: Int!, $n: Int!) {{
  recommendations(userId: $u, dataset: $d, first: $first, maxPaths: $n) {{
    dataset strategy model {{ name version }}
    items {{ rank score item {{ id title }} explanations {{ {PATH_FIELDS} }} }} }} }}"""


class QueryFailed(Exception):
    """The API answered with errors (unknown user or item, a limit, …)."""


async def _ask(query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """One GraphQL request to the app, run in this process against kgrec's Neo4j."""
    from api.app import create_app, local_client
    from api.settings import ApiSettings
    from graphstore.connection import ensure_server

    settings = ApiSettings(warm_up=False, request_timeout_s=120)  # one request, its queries planned cold
    app = create_app(settings, ensure_server(get_settings()))
    headers = {"X-API-Key": settings.keys[0]} if settings.keys else {}
    async with local_client(app, timeout=settings.request_timeout_s) as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    if body.get("errors"):
        raise QueryFailed("; ".join(dict.fromkeys(e["message"] for e in body["errors"])))
    return body["data"]


def _print_paths(paths: list[dict[str, Any]], cypher: bool) -> None:
    if not paths:
        typer.echo("   (no explanation path)")
    for path in paths:
        typer.echo(f"   {path['kind']:<13} {path['weight']:.3f}  {path['sentence']}")
        if cypher:
            typer.echo(f"     :params {json.dumps(path['parameters'], ensure_ascii=False)}")
            typer.echo(textwrap.indent(path["cypher"].strip(), "     "))


def explain(
    user: Annotated[str, typer.Argument(help="User id (the dataset's own).")],
    item: Annotated[str | None, typer.Argument(help="Item id; without it, the user's top recommendations.")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", "-d",
                                                help="Dataset (default KGREC_API_DEFAULT_DATASET).")] = None,
    max_paths: Annotated[int, typer.Option("--max-paths", "-n", min=1, help="Paths per item.")] = 3,
    first: Annotated[int, typer.Option(min=1, help="Recommendations to explain when no ITEM is given.")] = 3,
    cypher: Annotated[bool, typer.Option("--cypher", help="Also print each path's Cypher and :params.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Draw the paths' subgraph to this file (.png, .svg, .pdf).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's answer as JSON.")] = False,
) -> None:
    """Why USER gets ITEM (or their top recommendations): the explanation paths, heaviest first."""
    from kgrec.path_plot import PLOT_FORMATS, draw_paths

    if plot is not None and plot.suffix.lstrip(".").lower() not in PLOT_FORMATS:  # before any work, not after it
        raise typer.BadParameter(f"{plot.name!r} does not end in a picture format such as .png, .svg or .pdf",
                                 param_hint="--plot")
    variables: dict[str, Any] = {"u": user, "d": dataset, "n": max_paths}
    with friendly_errors(ProvisionError, QueryFailed, OSError):
        if item is None:
            answer = asyncio.run(_ask(RECOMMEND, variables | {"first": first}))
            recs = answer["recommendations"]
            groups = [(f"{r['rank']}. {r['item']['title'] or r['item']['id']} (item {r['item']['id']}, "
                       f"score {r['score']:.3f})", r["explanations"] or []) for r in recs["items"]]
            model = recs["model"]
            heading = (f"user {user} in {recs['dataset']}: {recs['strategy']}"
                       + (f", model {model['name']} v{model['version']}" if model else ""))
        else:
            answer = asyncio.run(_ask(EXPLAIN, variables | {"i": item}))
            title = answer["item"]["title"] or f"item {item}"
            groups = [(f"{title} (item {item})", answer["explain"])]
            heading = f"why user {user} gets {title}"
        if as_json:
            typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        else:
            typer.echo(heading)
            for title, paths in groups:
                typer.echo(title)
                _print_paths(paths, cypher)
        if plot is not None:
            every = [path for _, paths in groups for path in paths]
            if not every:
                raise QueryFailed("no explanation path to draw")
            typer.echo(f"wrote {draw_paths(every, plot, heading)}")


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)
