"""Hardening over real HTTP on real Neo4j: limits (depth, tokens, aliases, `first`), malformed requests,
hostile strings, API keys for queries, timeouts, body size, CORS, introspection, and errors that never
leak Cypher or traces (nor become HTTP 500)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from api_support import DS, Client, live_server, serve_app
from neo4j import Driver

from api.app import create_app
from api.settings import ApiSettings
from graphstore.provision import Credentials
from kgrec.settings import Settings

pytestmark = pytest.mark.usefixtures("ml100k_model")  # real ML-100K + a trained model (conftest)

LIMITS = ApiSettings(keys=["k"], max_depth=6, max_tokens=300, max_aliases=3, max_first=50, max_paths=4)
LEAKS = ("MATCH", "Traceback", "neo4j.", "File \"", "RETURN")


@pytest.fixture(scope="module")
def client(neo4j_creds: Credentials, ml100k_model_before_module: Driver) -> Iterator[Client]:
    with live_server(LIMITS, neo4j_creds) as url:
        c = Client(url)
        yield c
        c.close()


def _assert_clean(body: dict) -> None:
    text = json.dumps(body.get("errors"))
    assert not any(leak in text for leak in LEAKS), text


@pytest.mark.parametrize(("query", "code", "words"), [
    ('{ user(id: "1") { interactions { edges { node { item { entities { entity { name } } } } } } } }',
     "GRAPHQL_VALIDATION_FAILED", "exceeds maximum operation depth"),
    ('{ a: datasets { name } b: datasets { name } c: datasets { name } d: datasets { name } }',
     "GRAPHQL_VALIDATION_FAILED", "aliases"),
    ("{ datasets { " + "name " * 400 + "} }", "GRAPHQL_VALIDATION_FAILED", "token"),
    ('{ recommendations(userId: "1", first: 51) { strategy } }', "BAD_USER_INPUT", "between 1 and 50"),
    ('{ recommendations(userId: "1", first: 0) { strategy } }', "BAD_USER_INPUT", "first"),
    ('{ recommendations(userId: "1", maxPaths: 5) { strategy } }', "BAD_USER_INPUT", "maxPaths"),
    ('{ similarItems(itemId: "1", first: 1000) { score } }', "BAD_USER_INPUT", "first"),
    ('{ item(id: "1") { entities(first: -1) { relation } } }', "BAD_USER_INPUT", "first"),
    ('{ user(id: "1") { interactions(first: 51) { totalCount } } }', "BAD_USER_INPUT", "first"),
    ('{ recommendations(userId: "1", filter: {linkedTo: ["a","b","c","d","e","f","g","h","i","j","k"]}) '
     '{ strategy } }', "BAD_USER_INPUT", "linkedTo"),
])
def test_limits(client: Client, query: str, code: str, words: str) -> None:
    body = client.gql(query)
    assert [e["extensions"]["code"] for e in body["errors"]] == [code], body
    assert words in body["errors"][0]["message"]
    _assert_clean(body)


def test_max_paths_default_follows_the_servers_cap(client: Client) -> None:
    """explain's default maxPaths (5) is above this server's cap (4): a request that does not ask was refused."""
    paths = client.data('{ explain(userId: "1", itemId: "1") { kind } }', key="k")["explain"]
    assert len(paths) == 4  # user 1 and item 1 share far more than 4 paths; the cap, not the default, applies
    assert len(client.data('{ explain(userId: "1", itemId: "1", maxPaths: 2) { kind } }', key="k")["explain"]) == 2
    recommended = client.data('{ recommendations(userId: "1", first: 2) { items { explanations { kind } } } }',
                              key="k")["recommendations"]["items"]
    assert all(len(r["explanations"]) <= 3 for r in recommended) and any(len(r["explanations"]) == 3
                                                                         for r in recommended)


@pytest.mark.parametrize(("query", "variables", "words"), [
    ('{ recommendations(userId: "1" { strategy } }', {}, "Syntax Error"),
    ("{ recommendations { strategy } }", {}, "userId"),
    ('{ nosuchfield }', {}, "nosuchfield"),
    ('query($n: Int!) { recommendations(userId: "1", first: $n) { strategy } }', {"n": "ten"}, "Int"),
    ('mutation { recordInteraction(userId: "1", itemId: "1", rating: "5") { value } }', {}, "Float"),
    ("query A { datasets { name } } query B { models { version } }", {}, "operationName"),  # strawberry ran A
])
def test_malformed_documents_get_graphql_errors(client: Client, query: str, variables: dict, words: str) -> None:
    body = client.gql(query, variables)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", body
    assert words in body["errors"][0]["message"]
    _assert_clean(body)


def test_operation_name_picks_one_of_several_operations(client: Client) -> None:
    document = "query A { datasets { name } } query B { models(dataset: \"movielens-100k\") { version } }"
    for name, field in (("A", "datasets"), ("B", "models")):
        response = client.http.post("/graphql", json={"query": document, "operationName": name})
        assert response.status_code == 200 and list(response.json()["data"]) == [field], response.text
    assert client.http.post("/graphql", json={"query": document, "operationName": "C"}).status_code == 400


@pytest.mark.parametrize(("content", "status"), [
    (b"not json at all", 400),
    (b"{}", 400),
    (b'[{"query": "{ datasets { name } }"}]', 400),  # batching is off
    (b'{"query": 42}', 400),
    (b'{"query": "{ datasets { name } }", "variables": "x"}', 400),
])
def test_malformed_bodies_are_400_not_500(client: Client, content: bytes, status: int) -> None:
    response = client.http.post("/graphql", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert not any(leak in response.text for leak in LEAKS)


def test_methods_and_get_mutations(client: Client) -> None:
    assert client.http.put("/graphql", content=b"{}").status_code == 405
    got = client.http.get("/graphql", params={"query": '{ datasets { name } }'})
    assert got.status_code == 200 and {"name": DS} in got.json()["data"]["datasets"]
    refused = client.http.get("/graphql", params={"query": 'mutation { recordInteraction(userId: "1", itemId: "1", '
                                                           'rating: 5) { value } }'})
    assert refused.status_code == 400
    nan = client.http.post("/graphql", content=b'{"query": "mutation($r: Float) { recordInteraction(userId: \\"1\\",'
                                                b' itemId: \\"1\\", rating: $r) { value } }", "variables": {"r": NaN}}',
                           headers={"Content-Type": "application/json", "X-API-Key": "k"})
    assert nan.status_code in (200, 400) and "errors" in nan.text


HOSTILE = [
    "1' OR '1'='1",
    "1\"}) MATCH (n) DETACH DELETE n //",
    "$userId",
    "ユーザー🙂",
    "a" * 256,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_are_plain_values(client: Client, driver: Driver, value: str) -> None:
    count = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    recs = client.data('query($u: ID!) { recommendations(userId: $u, first: 3) { strategy items { itemId } } }',
                       {"u": value})["recommendations"]
    assert recs["strategy"] == "POPULARITY" and len(recs["items"]) == 3
    for query in ('query($v: ID!) { user(id: $v) { id } }', 'query($v: ID!) { item(id: $v) { id } }',
                  'query($v: ID!) { similarItems(itemId: $v) { score } }'):
        assert client.error_codes(query, {"v": value}) == ["NOT_FOUND"]
    body = client.gql('query($v: String) { recommendations(userId: "1", dataset: $v) { strategy } }', {"v": value})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND" and "unknown dataset" in body["errors"][0]["message"]
    linked = client.data('query($v: String!) { recommendations(userId: "1", filter: {linkedTo: [$v]}) '
                         '{ items { itemId } } }', {"v": value})
    assert linked["recommendations"]["items"] == []
    assert driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"] == count


@pytest.mark.parametrize("value", ["", "a" * 257, "bad\u0000id", "tab\tid"])
def test_ids_out_of_bounds_are_refused(client: Client, value: str) -> None:
    body = client.gql('query($u: ID!) { recommendations(userId: $u) { strategy } }', {"u": value})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


def _cursor(ts: object, item_id: object) -> str:
    return base64.urlsafe_b64encode(json.dumps([ts, item_id]).encode()).decode()


@pytest.mark.parametrize("after", [_cursor(10**30, "1"), _cursor(-(10**30), "1"), _cursor(True, "1"),
                                   _cursor(1.5, "1"), _cursor(1, 2)])
def test_forged_cursors_are_bad_input(client: Client, after: str) -> None:
    """A cursor is client-controlled text: one whose timestamp no Neo4j integer holds is refused, not a 500."""
    body = client.gql('query($a: String) { user(id: "1") { interactions(after: $a) { totalCount } } }',
                      {"a": after})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
    _assert_clean(body)


def test_queries_can_require_a_key(neo4j_creds: Credentials) -> None:
    with live_server(ApiSettings(keys=["q-key"], require_key_for_queries=True), neo4j_creds) as url:
        c = Client(url)
        assert c.error_codes('{ models { name } }') == ["UNAUTHENTICATED"]
        assert c.error_codes('{ models { name } }', key="nope") == ["FORBIDDEN"]
        assert c.data('{ models { name } }', key="q-key")["models"]
        c.close()


def test_deadline_gives_a_timeout_error(neo4j_creds: Credentials) -> None:
    with live_server(ApiSettings(request_timeout_s=0.001), neo4j_creds) as url:
        c = Client(url)
        body = c.gql('{ recommendations(userId: "1") { items { item { title } explanations { sentence } } } }')
        assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
        _assert_clean(body)
        c.close()


def test_unreachable_neo4j_and_unexpected_failures_are_clean(neo4j_creds: Credentials, settings: Settings) -> None:
    down = Credentials("bolt://127.0.0.1:1", neo4j_creds.user, neo4j_creds.password, "test")
    with live_server(ApiSettings(), down) as url:
        c = Client(url)
        body = c.gql('{ recommendations(userId: "1") { strategy } }')
        assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert c.http.get("/readyz").status_code == 503 and c.http.get("/healthz").status_code == 200
        c.close()
    # a database that does not exist: Neo4j's own error must not reach the client
    app = create_app(ApiSettings(), neo4j_creds, settings.model_copy(update={"neo4j_database": "nosuchdb"}))
    with serve_app(app) as url:
        c = Client(url)
        body = c.gql('{ recommendations(userId: "1") { strategy } }')
        assert body["errors"] == [{"message": "Unexpected error.", "locations": [{"line": 1, "column": 3}],
                                   "path": ["recommendations"], "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]
        assert c.metric("kgrec_graphql_errors_total", code="INTERNAL_SERVER_ERROR") == 1
        c.close()


def test_body_size_cors_and_introspection(neo4j_creds: Credentials) -> None:
    settings = ApiSettings(max_body_bytes=2048, cors_origins=["https://app.example"], introspection=False)
    with live_server(settings, neo4j_creds) as url:
        c = Client(url)
        big = c.http.post("/graphql", json={"query": "{ datasets { name } }", "variables": {"pad": "x" * 4000}})
        assert big.status_code == 413
        preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "content-type,x-api-key"}
        allowed = c.http.options("/graphql", headers=preflight)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        denied = c.http.options("/graphql", headers={**preflight, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in denied.headers
        simple = c.http.post("/graphql", json={"query": "{ datasets { name } }"},
                             headers={"Origin": "https://app.example"})
        assert simple.headers["access-control-allow-origin"] == "https://app.example"
        assert set(c.error_codes("{ __schema { types { name } } }")) == {"GRAPHQL_VALIDATION_FAILED"}
        c.close()
