"""Helpers shared by the API tests (imported by tests/test_api_*.py; not a test module itself).
The graph itself comes from conftest's `ml100k_model` (real ML-100K + DBpedia, a really trained model).

- `live_server` / `serve_app`: the app under a real uvicorn on 127.0.0.1 (ephemeral port), in a thread.
- `Client`: GraphQL over HTTP with httpx.
- `path_in_graph`: an independent check that an explanation path's nodes and relationships exist.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
import uvicorn
from neo4j import Driver
from starlette.types import ASGIApp

from api.app import create_app
from api.settings import ApiSettings
from graphstore.provision import Credentials

DS = "movielens-100k"
RELATION = re.compile(r"^[A-Z][A-Z0-9_]*$")


@contextmanager
def serve_app(app: ASGIApp) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on loopback (ephemeral port) in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180  # the app's warm-up plans its queries before it serves
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


def live_server(settings: ApiSettings, creds: Credentials) -> AbstractContextManager[str]:
    """The kgrec app with these settings, served on loopback."""
    return serve_app(create_app(settings, creds))


class Client:
    """POSTs GraphQL documents and returns the decoded JSON (asserting HTTP 200)."""

    def __init__(self, url: str, key: str | None = None) -> None:
        self.http = httpx.Client(base_url=url, timeout=60)
        self.key = key

    def gql(self, query: str, variables: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
        headers = {"X-API-Key": key or self.key} if (key or self.key) else {}
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
        """The `data` of a response that must have no errors."""
        body = self.gql(query, variables, key)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def error_codes(self, query: str, variables: dict[str, Any] | None = None, key: str | None = None) -> list[str]:
        body = self.gql(query, variables, key)
        assert body.get("errors"), body
        return [e["extensions"]["code"] for e in body["errors"]]

    def metric(self, name: str, **labels: str) -> float:
        """The value of one sample on /metrics (0 when absent)."""
        wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
        for line in self.http.get("/metrics").text.splitlines():
            if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def close(self) -> None:
        self.http.close()


def _node_pattern(var: str, node: dict[str, Any], params: dict[str, Any]) -> str:
    params[var] = node["id"]
    if node["kind"] == "USER":
        return f"({var}:User {{dataset: $dataset, id: ${var}}})"
    if node["kind"] == "ITEM":
        return f"({var}:Item {{dataset: $dataset, id: ${var}}})"
    return f"({var}:Entity {{uri: ${var}}})"


def path_in_graph(driver: Driver, dataset: str, path: dict[str, Any]) -> bool:
    """True when every relationship of the path exists between its nodes, in its direction (own Cypher)."""
    params: dict[str, Any] = {"dataset": dataset}
    nodes = [_node_pattern(f"n{k}", n, params) for k, n in enumerate(path["nodes"])]
    clauses = []
    for rel in path["relationships"]:
        assert RELATION.match(rel["type"]), rel
        clauses.append(f"MATCH {nodes[rel['source']]}-[:`{rel['type']}`]->{nodes[rel['target']]}")
    query = "\n".join(clauses) + "\nRETURN count(*) AS n"
    return driver.execute_query(query, params).records[0]["n"] > 0
