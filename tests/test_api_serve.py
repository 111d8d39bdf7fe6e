"""`kgrec serve` for real: a uvicorn process (two workers) on loopback answering GraphQL from real Neo4j."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_support import Client, live_server
from neo4j import Driver

from api.settings import ApiSettings
from graphstore.provision import Credentials

pytestmark = pytest.mark.usefixtures("ml100k_model")  # real ML-100K + a trained model (conftest)
REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_kgrec_serve_with_two_workers(neo4j_creds: Credentials, tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "NEO4J_URI": neo4j_creds.uri, "NEO4J_USER": neo4j_creds.user,
           "NEO4J_PASSWORD": neo4j_creds.password, "KGREC_API_KEYS": "serve-key",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "kgrec", "serve", "--port", str(port), "--workers", "2"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "kgrec serve did not become ready"
            time.sleep(0.5)
        client = Client(url, key="serve-key")
        for _ in range(6):  # spread over both workers
            recs = client.data('{ recommendations(userId: "10", first: 5) { strategy items { rank item { title } '
                               'explanations { sentence } } } }')["recommendations"]
            assert recs["strategy"] == "MODEL" and [r["rank"] for r in recs["items"]] == [1, 2, 3, 4, 5]
        assert client.metric("kgrec_recommendations_total", strategy="model") == 6  # summed over the workers
        client.close()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


def _plans_cleared(driver: Driver) -> int:
    """Empty Neo4j's query caches; how many plans they held."""
    message = driver.execute_query("CALL db.clearQueryCaches()").records[0]["value"]
    return 0 if "already empty" in message else int(message.split(" of ")[1].split()[0])


def test_warm_up_plans_every_shape_the_recommendation_requests_use(neo4j_creds: Credentials, driver: Driver) -> None:
    """Neo4j plans a query per parameter shape (lists and strings by log10 size bucket); a worker's warm-up, which runs
    before it serves (so before /readyz), must leave nothing for requests to plan: varied users (id lengths, short
    and long histories, unknown) and `first` sizes add no plan to what the warm-up alone plans."""
    settings = ApiSettings()
    _plans_cleared(driver)
    with live_server(settings, neo4j_creds):
        pass
    warmed = _plans_cleared(driver)
    assert warmed > 0
    with live_server(settings, neo4j_creds) as url:
        client = Client(url)
        for user, first in [("3", 1), ("42", 10), ("405", 11), ("943", 100), ("13", 2), ("someone-new-123", 10)]:
            recs = client.data('query($u: ID!, $f: Int!) { recommendations(userId: $u, first: $f) { strategy '
                               'items { item { id title } explanations { kind sentence } } } }',
                               {"u": user, "f": first})["recommendations"]
            assert len(recs["items"]) == first
        client.close()
    assert _plans_cleared(driver) == warmed
