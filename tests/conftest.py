"""Shared fixtures: one real Neo4j 5.26 server for the whole session, a clean database per test.

The server comes from the same resolver as `kgrec neo4j start` (NEO4J_URI, else Docker, else Neo4j
assembled from Maven Central). Unless NEO4J_URI is set, tests use their own instance under
`.kgrec/test` on ports 17687/17474 so they never touch the data of `make demo`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graphstore.connection import make_driver
from graphstore.models import active_version
from graphstore.provision import Credentials, resolve_server
from graphstore.schema import apply_schema, wipe_database
from kgrec.settings import Settings, get_settings

REPO = Path(__file__).resolve().parent.parent


def server_overrides() -> dict[str, object]:
    """Where the test server lives (own state dir and ports) unless NEO4J_URI points elsewhere."""
    return {
        "state_dir": Path(os.environ.get("KGREC_TEST_STATE_DIR", REPO / ".kgrec" / "test")),
        "bolt_port": int(os.environ.get("KGREC_TEST_BOLT_PORT", "17687")),
        "http_port": int(os.environ.get("KGREC_TEST_HTTP_PORT", "17474")),
        "neo4j_heap": os.environ.get("KGREC_TEST_NEO4J_HEAP", "1g"),
        "neo4j_pagecache": os.environ.get("KGREC_TEST_NEO4J_PAGECACHE", "512m"),
    }


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(**server_overrides())


@pytest.fixture(scope="session")
def neo4j_creds(settings: Settings) -> Iterator[Credentials]:
    server = resolve_server(settings)
    started_here = not server.status().running
    creds = server.start()
    yield creds
    if started_here:
        server.stop()


@pytest.fixture(scope="session")
def driver(neo4j_creds: Credentials) -> Iterator[Driver]:
    with make_driver(neo4j_creds) as drv:
        yield drv


@pytest.fixture
def db(driver: Driver) -> Driver:
    """The driver, on an empty database with the kgrec schema applied."""
    wipe_database(driver)
    apply_schema(driver)
    return driver


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared real datasets (KGREC_DATA_DIR; `make test` and `.ci/run` set it)."""
    path = Path(os.environ.get("KGREC_DATA_DIR", REPO.parent / "shared" / "datasets"))
    if not path.is_dir():
        pytest.fail(f"datasets not found at {path}: set KGREC_DATA_DIR to the shared datasets folder")
    return path


ML100K = "movielens-100k"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that share the ingested MovieLens-100K graph before the ones that wipe the database,
    so the (slowest) ingest happens once per session rather than once per module."""
    shared = {"ml100k_graph", "ml100k_model", "ml100k_model_before_module"}
    items.sort(key=lambda item: 0 if shared & set(getattr(item, "fixturenames", ())) else 1)


def _ensure_ml100k_graph(driver: Driver, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from ingest.run import ingest_dataset

    records, _, _ = driver.execute_query(
        "MATCH (d:Dataset {name: $name}) RETURN COUNT { (:User {dataset: $name})-[:RATED]->() } AS ratings",
        {"name": ML100K})
    if not records or records[0]["ratings"] != 100_000:
        wipe_database(driver)
        state = tmp_path_factory.mktemp("ml100k-state")
        ingest_dataset(driver, ML100K, data_dir, progress=False, cache_dir=state / "cache", state_dir=state)


def _ensure_ml100k_model(driver: Driver, settings: Settings) -> None:
    if active_version(driver, ML100K) is None:
        from graphstore.export import export_graph
        from kgrec.training import TrainOptions, train_and_write

        data = export_graph(driver, ML100K)
        options = TrainOptions(model="bprmf", split="u1", epochs=5, dim=32, seed=0, device="cpu")
        train_and_write(driver, data, options, runs_dir=settings.runs_dir)


@pytest.fixture
def ml100k_graph(driver: Driver, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Driver:
    """The driver, on a database holding MovieLens-100K with its DBpedia knowledge (ingested when missing)."""
    _ensure_ml100k_graph(driver, data_dir, tmp_path_factory)
    return driver


@pytest.fixture
def ml100k_model(ml100k_graph: Driver, settings: Settings) -> Driver:
    """ML-100K plus an active, really trained model version (BPR-MF, a few epochs) written back to Neo4j."""
    _ensure_ml100k_model(ml100k_graph, settings)
    return ml100k_graph


@pytest.fixture(scope="module")
def ml100k_model_before_module(driver: Driver, data_dir: Path, tmp_path_factory: pytest.TempPathFactory,
                               settings: Settings) -> Driver:
    """`ml100k_model`, ready before a module-scoped fixture starts: an API server warms up its popularity table
    and item matrix from the graph as it starts, so it must not start on a graph a later fixture re-ingests."""
    _ensure_ml100k_graph(driver, data_dir, tmp_path_factory)
    _ensure_ml100k_model(driver, settings)
    return driver


@pytest.fixture
def cli_env(neo4j_creds: Credentials, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`kgrec` commands run in-process (typer's CliRunner) against the test server, with state and cache under
    tmp_path."""
    for key, value in {"NEO4J_URI": neo4j_creds.uri, "NEO4J_USER": neo4j_creds.user,
                       "NEO4J_PASSWORD": neo4j_creds.password, "KGREC_STATE_DIR": str(tmp_path / "state"),
                       "KGREC_CACHE_DIR": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
