"""Set-up shared by the API tests (imported by tests/test_api_*.py; not a test module itself).

- `ml100k_with_model`: the real MovieLens-100K + DBpedia graph (ingested by `ingest`, a no-op when it is
  already there) with an active model version really trained by `learner` (BPR-MF, a few epochs on split
  u1; trained once per test session, written back again if another test wiped the database).
- `live_server`: the app under a real uvicorn on 127.0.0.1 (ephemeral port), in a background thread.
- `Client`: GraphQL over HTTP with httpx.
- `path_in_graph`: an independent check that an explanation path's nodes and relationships exist.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from neo4j import Driver

from api.app import create_app
from api.settings import ApiSettings
from graphstore.export import export_graph
from graphstore.models import ModelVersion, active_version, write_model_version
from graphstore.provision import Credentials
from ingest.run import ingest_dataset
from learner.train import TrainResult, train

DS = "movielens-100k"
RELATION = re.compile(r"^[A-Z][A-Z0-9_]*$")
_trained: dict[str, TrainResult] = {}


def ml100k_with_model(driver: Driver, data_dir: Path, state_dir: Path) -> ModelVersion:
    """ML-100K with an active model version whose embeddings cover every user and item."""
    ingest_dataset(driver, DS, data_dir, progress=False, state_dir=state_dir, cache_dir=state_dir / "cache")
    mv = active_version(driver, DS)
    if mv is not None:
        covered = driver.execute_query("MATCH (i:Item {dataset: $ds}) WHERE i[$p] IS NOT NULL RETURN count(i) AS n",
                                       ds=DS, p=mv.property).records[0]["n"]
        if covered == 1682:
            return mv
    if "bprmf" not in _trained:
        _trained["bprmf"] = train(export_graph(driver, DS), model="bprmf", split="u1", epochs=4, eval_every=4,
                                  dim=32, device="cpu", run_dir=state_dir / "run", progress=False)
    res = _trained["bprmf"]
    return write_model_version(driver, DS, res.model_name, res.user_ids, res.user_embeddings, res.item_ids,
                               res.item_embeddings, res.similarity, res.params, res.metrics["test"])


@contextmanager
def live_server(settings: ApiSettings, creds: Credentials) -> Iterator[str]:
    """Serve `create_app(settings, creds)` with uvicorn on loopback; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings, creds), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
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
