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
from api_support import Client

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
