"""`kgrec explain` against real ML-100K + DBpedia in Neo4j and a really trained model: the API's paths printed,
each re-checked in the graph, the subgraph drawn, and unknown ids as one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import DS, path_in_graph
from neo4j import Driver
from typer.testing import CliRunner

from graphstore.provision import Credentials
from kgrec.cli import app
from kgrec.path_plot import layered_layout, path_graph
from kgrec.settings import get_settings

pytestmark = pytest.mark.usefixtures("ml100k_model")


@pytest.fixture
def cli_env(neo4j_creds: Credentials, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {"NEO4J_URI": neo4j_creds.uri, "NEO4J_USER": neo4j_creds.user,
                       "NEO4J_PASSWORD": neo4j_creds.password, "KGREC_API_DEFAULT_DATASET": DS}.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> str:
    result = CliRunner().invoke(app, ["explain", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_recommendations_explained_and_drawn(cli_env: None, ml100k_model: Driver, tmp_path: Path) -> None:
    answer = json.loads(run("1", "--first", "3", "--json"))["recommendations"]
    assert answer["strategy"] == "MODEL" and len(answer["items"]) == 3
    paths = [p for item in answer["items"] for p in item["explanations"]]
    assert paths, "user 1's top three items carry no path"
    for path in paths:
        assert path_in_graph(ml100k_model, DS, path), path
        assert path["nodes"][0] == {"kind": "USER", "id": "1", "name": "user 1"}

    text = run("1", "--first", "3", "--plot", str(tmp_path / "why.png"))
    for item in answer["items"]:
        assert f"(item {item['item']['id']}, score {item['score']:.3f})" in text
    assert all(path["sentence"] in text for path in paths)
    assert (tmp_path / "why.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    graph = path_graph(paths)  # what the picture shows: every node and relationship of every path, once
    assert set(graph) == {(n["kind"], n["id"]) for p in paths for n in p["nodes"]}
    assert {n for n in graph if graph.nodes[n]["explained"]} == {
        ("ITEM", item["item"]["id"]) for item in answer["items"] if item["explanations"]}
    for path in paths:
        for rel in path["relationships"]:
            source, target = (path["nodes"][rel[end]] for end in ("source", "target"))
            label = graph.edges[(source["kind"], source["id"]), (target["kind"], target["id"])]["label"]
            assert rel["type"] in {line.split(" ")[0] for line in label.split("\n")}, (rel, label)
    x = layered_layout(graph)
    assert x[("USER", "1")][0] == 0 and {x[n][0] for n in graph if graph.nodes[n]["explained"]} == {
        max(p[0] for p in x.values())}


def test_one_item_with_cypher(cli_env: None, ml100k_model: Driver) -> None:
    top = json.loads(run("1", "--first", "1", "--json"))["recommendations"]["items"][0]
    item = top["item"]["id"]
    answer = json.loads(run("1", item, "--max-paths", "2", "--json"))
    assert answer["item"]["title"] == top["item"]["title"]
    assert 1 <= len(answer["explain"]) <= 2
    text = run("1", item, "--max-paths", "2", "--cypher")
    assert text.splitlines()[0] == f"why user 1 gets {top['item']['title']}"
    for path in answer["explain"]:
        assert path_in_graph(ml100k_model, DS, path)
        assert f":params {json.dumps(path['parameters'], ensure_ascii=False)}" in text
        params = path["parameters"]
        rows = ml100k_model.execute_query(path["cypher"], params).records  # the printed Cypher shows the path
        assert len(rows) == 1, (path["cypher"], params)


@pytest.mark.parametrize(("args", "message"), [
    (["1", "no-such-item"], "error: unknown item 'no-such-item' in dataset 'movielens-100k'\n"),
    (["no-such-user", "50"], "error: unknown user 'no-such-user' in dataset 'movielens-100k'\n"),
    (["1", "50", "--max-paths", "999"], "error: maxPaths must be"),
])
def test_bad_ids_are_one_line_errors(cli_env: None, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["explain", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_unsupported_plot_format_is_refused_before_any_work(cli_env: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["explain", "1", "--plot", str(tmp_path / "why.txt")])
    assert result.exit_code == 2 and "--plot" in result.output and "why.txt" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "SHARED_ENTITY" not in result.output and not (tmp_path / "why.txt").exists()
