"""GraphQL over real HTTP against real ML-100K + DBpedia in Neo4j and a really trained model version:
recommendations (exact scores), explanation paths (coverage and validity), similar items, users, items,
models, operations endpoints, and DataLoader batching."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
from api_support import DS, Client, live_server, path_in_graph
from neo4j import Driver

from api.settings import ApiSettings
from graphstore.cypher_files import CYPHER_DIR
from graphstore.models import ModelVersion, active_version, load_embeddings
from graphstore.provision import Credentials

pytestmark = pytest.mark.usefixtures("ml100k_model")  # real ML-100K + a trained model (conftest)

RECS = """
query Recs($user: ID!, $first: Int!, $explain: Boolean!, $filter: RecommendationFilter, $model: ModelSelector) {
  recommendations(userId: $user, first: $first, explain: $explain, filter: $filter, model: $model, maxPaths: 3) {
    userId dataset strategy model { name version similarity active }
    items {
      rank score itemId
      item { id title domains }
      explanations { kind weight factors sentence nodes { kind id name } relationships { type source target rating }
                     cypher parameters }
    }
  }
}"""


@pytest.fixture
def model(ml100k_model: Driver) -> ModelVersion:
    """The active model version of the shared ML-100K graph (conftest trains one when there is none)."""
    mv = active_version(ml100k_model, DS)
    assert mv is not None
    return mv


@pytest.fixture(scope="module")
def client(neo4j_creds: Credentials, ml100k_model_before_module: Driver) -> Iterator[Client]:
    with live_server(ApiSettings(keys=["k"]), neo4j_creds) as url:
        c = Client(url)
        yield c
        c.close()


def _seen(driver: Driver, user: str) -> set[str]:
    return {r["id"] for r in driver.execute_query(
        "MATCH (:User {dataset: $ds, id: $u})-[:RATED|INTERACTED]->(i) RETURN i.id AS id", ds=DS, u=user).records}


def test_recommendations_are_the_exact_top_k_of_the_model(client: Client, driver: Driver, model: ModelVersion) -> None:
    data = client.data(RECS, {"user": "196", "first": 10, "explain": False})["recommendations"]
    assert data["strategy"] == "MODEL" and data["model"]["version"] == model.version and data["model"]["active"]
    items = data["items"]
    assert [r["rank"] for r in items] == list(range(1, 11))
    assert all(r["explanations"] is None for r in items)

    # independent check: exact dot scores from the embeddings stored on the nodes, seen items left out
    item_ids, item_emb = load_embeddings(driver, model, "Item")
    user_ids, user_emb = load_embeddings(driver, model, "User")
    scores = item_emb @ user_emb[user_ids.index("196")]
    seen = _seen(driver, "196")
    expected = [item_ids[j] for j in np.argsort(-scores, kind="stable") if item_ids[j] not in seen][:10]
    assert [r["itemId"] for r in items] == expected
    np.testing.assert_allclose([r["score"] for r in items],
                               [scores[item_ids.index(i)] for i in expected], rtol=1e-4)
    assert all(r["item"]["id"] == r["itemId"] and r["item"]["title"] for r in items)


def test_explanations_cover_recommendations_and_every_path_exists(client: Client, driver: Driver) -> None:
    users = [str(u) for u in range(1, 943, 47)]  # 21 users across the id range
    total = covered = 0
    for user in users:
        rec = client.data(RECS, {"user": user, "first": 10, "explain": True})["recommendations"]
        for r in rec["items"]:
            total += 1
            covered += bool(r["explanations"])
            weights = [p["weight"] for p in r["explanations"]]
            assert weights == sorted(weights, reverse=True) and len(weights) <= 3
            for path in r["explanations"]:
                assert path["weight"] == pytest.approx(math.prod(path["factors"].values()))  # the stated weight
                assert path["nodes"][0] == {"kind": "USER", "id": user, "name": f"user {user}"}
                assert path["nodes"][-1]["id"] == r["itemId"]
                assert path_in_graph(driver, DS, path), path
                # the Cypher handed out reproduces the path in Neo4j
                rows = driver.execute_query(path["cypher"], path["parameters"]).records
                assert rows, (path["cypher"], path["parameters"])
                assert r["item"]["title"] in path["sentence"]
    assert covered / total >= 0.95, f"only {covered} of {total} recommendations carry a path"


def test_shared_entity_sentence_names_the_entity(client: Client) -> None:
    paths = [p for r in client.data(RECS, {"user": "13", "first": 20, "explain": True})["recommendations"]["items"]
             for p in r["explanations"] if p["kind"] == "SHARED_ENTITY"]
    assert paths
    for p in paths:
        entity = p["nodes"][2]
        assert entity["kind"] == "ENTITY" and entity["name"] in p["sentence"]
        assert p["sentence"].startswith(f"You rated *{p['nodes'][1]['name']}*")
        assert p["weight"] == pytest.approx(p["factors"]["preference"] * p["factors"]["specificity"])


def test_filters_domain_linked_to_and_seen_items(client: Client, driver: Driver) -> None:
    genre = "urn:kgrec:genre:Comedy"
    items = client.data(RECS, {"user": "7", "first": 15, "explain": False,
                               "filter": {"linkedTo": [genre], "domain": "Movie"}})["recommendations"]["items"]
    assert len(items) == 15
    linked = {r["id"] for r in driver.execute_query(
        "MATCH (i:Item:Movie {dataset: $ds})-->(:Entity {uri: $uri}) RETURN i.id AS id", ds=DS, uri=genre).records}
    assert {r["itemId"] for r in items} <= linked
    assert not {r["itemId"] for r in items} & _seen(driver, "7")

    none = client.data(RECS, {"user": "7", "first": 5, "explain": False, "filter": {"domain": "Book"}})
    assert none["recommendations"]["items"] == []
    with_seen = client.data(RECS, {"user": "7", "first": 30, "explain": False, "filter": {"excludeSeen": False}})
    assert {r["itemId"] for r in with_seen["recommendations"]["items"]} & _seen(driver, "7")


def test_model_selector_and_unknown_model(client: Client, model: ModelVersion) -> None:
    data = client.data(RECS, {"user": "1", "first": 3, "explain": False,
                              "model": {"name": model.name, "version": model.version}})
    assert data["recommendations"]["model"]["version"] == model.version
    body = client.gql(RECS, {"user": "1", "first": 3, "explain": False, "model": {"name": "nosuchmodel"}})
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "nosuchmodel" in body["errors"][0]["message"]


def test_unknown_user_gets_popularity(client: Client, driver: Driver) -> None:
    data = client.data(RECS, {"user": "no-such-user", "first": 5, "explain": True})["recommendations"]
    assert data["strategy"] == "POPULARITY" and data["model"] is None
    top = [r["id"] for r in driver.execute_query(
        "MATCH (i:Item {dataset: $ds}) RETURN i.id AS id ORDER BY COUNT { (i)<-[:RATED]-() } DESC, id LIMIT 5",
        ds=DS).records]
    assert [r["itemId"] for r in data["items"]] == top
    assert all(r["explanations"] == [] for r in data["items"])


def test_similar_items_follow_the_vector_index(client: Client, driver: Driver, model: ModelVersion) -> None:
    query = "query($id: ID!) { similarItems(itemId: $id, first: 10) { score itemId item { title } } }"
    found = client.data(query, {"id": "50"})["similarItems"]
    assert len(found) == 10 and "50" not in {s["itemId"] for s in found}
    assert [s["score"] for s in found] == sorted((s["score"] for s in found), reverse=True)
    ids, emb = load_embeddings(driver, model, "Item")
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    cos = unit @ unit[ids.index("50")]
    exact = [ids[j] for j in np.argsort(-cos) if ids[j] != "50"][:10]
    assert len(set(exact) & {s["itemId"] for s in found}) >= 9  # HNSW is approximate; 1.7k items is easy
    assert client.error_codes(query, {"id": "99999"}) == ["NOT_FOUND"]


def test_user_history_pages_through_every_interaction(client: Client, driver: Driver) -> None:
    query = """query($id: ID!, $after: String) { user(id: $id) { id properties interactionCount
      interactions(first: 40, after: $after) { totalCount pageInfo { hasNextPage endCursor }
                                               edges { cursor node { itemId rating timestamp item { title } } } } } }"""
    seen, after, stamps = [], None, []
    while True:
        user = client.data(query, {"id": "5", "after": after})["user"]
        page = user["interactions"]
        seen += [e["node"]["itemId"] for e in page["edges"]]
        stamps += [e["node"]["timestamp"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert user["properties"]["occupation"] and user["interactionCount"] == page["totalCount"]
    assert len(seen) == len(set(seen)) == page["totalCount"] and set(seen) == _seen(driver, "5")
    assert stamps == sorted(stamps, reverse=True)
    assert client.error_codes(query, {"id": "5", "after": "not-a-cursor"}) == ["BAD_USER_INPUT"]
    assert client.error_codes(query, {"id": "no-such-user"}) == ["NOT_FOUND"]


def test_item_with_linked_entities(client: Client, driver: Driver) -> None:
    query = """query($id: ID!, $rel: String) { item(id: $id) { id title uri domains interactions meanRating properties
               entities(relation: $rel, first: 100) { relation predicate entity { uri name kinds degree } } } }"""
    item = client.data(query, {"id": "50"})["item"]  # Star Wars (1977)
    assert item["title"].startswith("Star Wars") and item["domains"] == ["Movie"]
    stats = driver.execute_query("MATCH (i:Item {dataset: $ds, id: '50'})<-[r:RATED]-() RETURN avg(r.rating) AS mean, "
                                 "count(r) AS n", ds=DS).records[0]
    assert item["meanRating"] == pytest.approx(stats["mean"]) and item["interactions"] == stats["n"]
    props = item["properties"]
    assert props["release_date"] == "1977-01-01" and not any(k.startswith("emb_") for k in props)
    stored = driver.execute_query("MATCH (i:Item {dataset: $ds, id: '50'})-[r]->(e:Entity) RETURN type(r) AS t, "
                                  "e.uri AS uri", ds=DS).records
    assert {(e["relation"], e["entity"]["uri"]) for e in item["entities"]} == {(r["t"], r["uri"]) for r in stored}
    degrees = [e["entity"]["degree"] for e in item["entities"]]
    assert degrees == sorted(degrees)
    directors = client.data(query, {"id": "50", "rel": "DIRECTOR"})["item"]["entities"]
    assert [d["entity"]["name"] for d in directors] == ["George Lucas"]
    assert client.error_codes(query, {"id": "50", "rel": "director) DELETE"}) == ["BAD_USER_INPUT"]


def test_explain_query_and_models(client: Client, driver: Driver, model: ModelVersion) -> None:
    paths = client.data('{ explain(userId: "1", itemId: "1", maxPaths: 4) { kind sentence nodes { kind id } '
                        'relationships { type source target } } }')["explain"]
    assert 1 <= len(paths) <= 4 and all(path_in_graph(driver, DS, p) for p in paths)
    assert client.error_codes('{ explain(userId: "1", itemId: "nope") { kind } }') == ["NOT_FOUND"]
    assert client.error_codes('{ explain(userId: "nobody", itemId: "1") { kind } }') == ["NOT_FOUND"]
    models = client.data('{ models(dataset: "movielens-100k") { name version active metrics params dim } }')
    assert client.error_codes('{ models(dataset: "no-such-dataset") { name } }') == ["NOT_FOUND"]
    active = [m for m in models["models"] if m["active"]]
    assert [(m["name"], m["version"]) for m in active] == [(model.name, model.version)]
    claimed = {"ds": DS, "name": model.name, "version": model.version + 100}  # as a killed deletion leaves it
    driver.execute_query("CREATE (:Model:ModelSlot {dataset: $ds, name: $name, version: $version, active: false, "
                         "deleting: true})", claimed)
    try:
        listed = client.data('{ models(dataset: "movielens-100k") { name version } }')["models"]
        assert listed == [{"name": m["name"], "version": m["version"]} for m in models["models"]]
    finally:
        driver.execute_query("MATCH (m:Model {dataset: $ds, name: $name, version: $version}) DELETE m", claimed)
    assert active[0]["metrics"] == model.metrics and active[0]["metrics"] and active[0]["dim"] == model.dim
    datasets = client.data("{ datasets { name explicit users items minRating maxRating } }")["datasets"]
    assert {"name": DS, "explicit": True, "users": 943, "items": 1682, "minRating": 1.0,
            "maxRating": 5.0} in datasets


def test_loaders_batch_items_and_entities(client: Client) -> None:
    queries = ("api/items", "api/item_details", "api/item_entities", "explain/paths")
    count = {q: lambda q=q: client.metric("kgrec_neo4j_query_duration_seconds_count", query=q) for q in queries}
    before = {q: count[q]() for q in queries}
    explained = client.data("""{ recommendations(userId: "42", first: 20, maxPaths: 2) { items {
        item { id title uri domains interactions meanRating properties entities(first: 5) { entity { name } } }
        explanations { sentence } } } }""")["recommendations"]["items"]
    after = {q: count[q]() for q in queries}
    # the items shown with paths come from the paths' query (one round trip fewer)
    assert {q: after[q] - before[q] for q in queries} == {"api/items": 0, "api/item_details": 1,
                                                          "api/item_entities": 1, "explain/paths": 1}
    # fields a query does not ask for are not loaded; items without paths take their own query, with the same fields
    plain = client.data('{ recommendations(userId: "42", first: 20) { items { item { id title uri domains '
                        'interactions } } } }')["recommendations"]["items"]
    assert count["api/items"]() == after["api/items"] + 1
    assert count["api/item_details"]() == after["api/item_details"]
    assert plain == [{"item": {k: r["item"][k] for k in ("id", "title", "uri", "domains", "interactions")}}
                     for r in explained]
    # the paths are the same whether they came with the items (prefetched) or through the explanation loader
    alone = client.data('{ recommendations(userId: "42", first: 20, maxPaths: 2) { items { explanations { sentence '
                        '} } } }')["recommendations"]["items"]
    assert alone == [{"explanations": r["explanations"]} for r in explained]


def test_operations_endpoints(client: Client) -> None:
    client.data('{ recommendations(userId: "2", first: 2) { strategy } }')
    assert client.http.get("/healthz").json() == {"status": "ok"}
    ready = client.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    metrics = client.http.get("/metrics").text
    assert 'kgrec_http_requests_total{method="POST",route="/graphql",status="200"}' in metrics
    assert "kgrec_neo4j_query_duration_seconds_bucket" in metrics and "kgrec_recommendations_total" in metrics
    page = client.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    guide = client.http.get("/guide")  # the Neo4j Browser guide (:play http://localhost:8000/guide)
    assert guide.status_code == 200 and guide.headers["access-control-allow-origin"] == "*"
    assert guide.text.count("<slide") == len(list((CYPHER_DIR / "guide").glob("*.cypher"))) > 0
