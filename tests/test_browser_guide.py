"""Every Browser-guide query in cypher/guide/ runs, with its own `:param` defaults, on real ML-100K data."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import httpx
import pytest
from api_support import live_server
from neo4j import Driver

from api.settings import ApiSettings
from graphstore.cypher_files import CYPHER_DIR
from graphstore.provision import Credentials

GUIDE = sorted((CYPHER_DIR / "guide").glob("*.cypher"))
PARAM = re.compile(r"^// :param (\w+) => (.+)$", re.MULTILINE)


def params_of(path: Path) -> dict[str, object]:
    """The `// :param name => value` lines (the same lines an analyst runs in Browser)."""
    return {name: json.loads(value.replace("'", '"')) for name, value in PARAM.findall(path.read_text())}


def run(driver: Driver, name: str, **override: object) -> list[dict]:
    path = CYPHER_DIR / "guide" / f"{name}.cypher"
    records, _, _ = driver.execute_query(path.read_text(), {**params_of(path), **override})
    return [r.data() for r in records]


def test_every_guide_query_has_a_header_and_its_parameters() -> None:
    assert len(GUIDE) >= 7
    for path in GUIDE:
        text = path.read_text()
        assert text.startswith("// "), f"{path.name} needs a header comment"
        used = set(re.findall(r"\$(\w+)", text))
        assert used <= set(params_of(path)), f"{path.name}: no :param line for {used - set(params_of(path))}"


def test_most_interacted_items(ml100k_model: Driver) -> None:
    rows = run(ml100k_model, "01_most_interacted_items")
    assert rows[0]["title"] == "Star Wars (1977)" and rows[0]["interactions"] == 583  # ML-100K's most rated
    assert [r["interactions"] for r in rows] == sorted((r["interactions"] for r in rows), reverse=True)


def test_user_neighbourhood(ml100k_model: Driver) -> None:
    rows = run(ml100k_model, "02_user_neighbourhood", limit=5)
    assert len({r["i"]["id"] for r in rows}) == 5 and all(r["u"]["id"] == "1" for r in rows)
    assert any(r["e"] is not None for r in rows)  # the rated movies' DBpedia entities come along


def test_why_recommended(ml100k_model: Driver) -> None:
    params = params_of(CYPHER_DIR / "guide" / "03_why_recommended.cypher")
    seen = ml100k_model.execute_query(
        "MATCH (:User {dataset: $dataset, id: $userId})-[r]->(:Item {dataset: $dataset, id: $itemId}) "
        "RETURN count(r) AS c", params)[0]
    assert seen[0]["c"] == 0, "the default item must be one the user has not rated (seen items are never recommended)"
    rows = run(ml100k_model, "03_why_recommended")
    assert rows, "user 1 rated movies sharing entities with the default item"
    assert [r["weight"] for r in rows] == sorted((r["weight"] for r in rows), reverse=True)
    check = ml100k_model.execute_query(
        "MATCH (:User {dataset: $dataset, id: $userId})-[:RATED]->(s:Item {title: $seen})-->(e:Entity {name: $e})"
        "<--(:Item {dataset: $dataset, id: $itemId}) RETURN count(*) AS c",
        {**params, "seen": rows[0]["you_rated"], "e": rows[0]["entity"]})[0]
    assert check[0]["c"] >= 1  # the top reason is a real path


def test_items_sharing_entities(ml100k_model: Driver) -> None:
    rows = run(ml100k_model, "04_items_sharing_entities")
    assert rows[0]["shared"] >= rows[-1]["shared"] and rows[0]["item"] != "50"
    assert "Return of the Jedi (1983)" in {r["title"] for r in rows}


def test_similar_items_through_the_vector_index(ml100k_model: Driver) -> None:
    rows = run(ml100k_model, "05_similar_items_vector", k=5)
    assert len(rows) == 5 and "50" not in {r["item"] for r in rows}
    assert [r["similarity"] for r in rows] == sorted((r["similarity"] for r in rows), reverse=True)


@pytest.mark.parametrize("dataset", ["movielens-100k", None])
def test_model_versions(ml100k_model: Driver, dataset: str | None) -> None:
    rows = run(ml100k_model, "06_model_versions", dataset=dataset)
    assert sum(1 for r in rows if r["active"] and r["dataset"] == "movielens-100k") == 1


def test_the_guide_is_served_for_browser_play(neo4j_creds: Credentials) -> None:
    """`:play http://localhost:8000/guide` in Browser: one runnable slide per query, fetchable cross-origin."""
    with live_server(ApiSettings(), neo4j_creds) as url:
        response = httpx.get(f"{url}/guide")
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
    assert response.text.count('<pre mode="cypher" class="runnable">') == len(GUIDE)
    for path in GUIDE:
        first_query_line = next(line for line in path.read_text().splitlines() if line and not line.startswith("//"))
        assert html.escape(first_query_line) in response.text
        for name, value in PARAM.findall(path.read_text()):
            assert html.escape(f":param {name} => {value}") in response.text


def test_official_splits_decoded_from_test_in(ml100k_model: Driver) -> None:
    rows = run(ml100k_model, "07_official_splits")
    assert {r["split"]: r["test_rows"] for r in rows} == {"u1": 20000, "u2": 20000, "u3": 20000, "u4": 20000,
                                                           "u5": 20000, "ua": 9430, "ub": 9430}
