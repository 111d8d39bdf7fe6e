"""recordInteraction over real HTTP on real ML-100K: written at once, folded into the next recommendations
without retraining, validated, and refused without a valid API key; the explanation-path cache serves repeated
requests but never hides the user's own new interaction. Every write is undone afterwards so the shared graph keeps
its 100,000 ratings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from api_support import DS, Client, live_server, path_in_graph
from neo4j import Driver

from api.settings import ApiSettings
from graphstore.models import ModelVersion, active_version, load_embeddings
from graphstore.provision import Credentials

KEY = "test-key-7f3a"
RECORD = """mutation($user: ID!, $item: ID!, $rating: Float, $weight: Float, $ts: Int) {
  recordInteraction(userId: $user, itemId: $item, rating: $rating, weight: $weight, timestamp: $ts) {
    userId itemId dataset relation value timestamp recordedAt interactionCount } }"""
RECORD_AT = """mutation($user: ID!, $item: ID!, $rating: Float, $at: DateTime, $ts: Int) {
  recordInteraction(userId: $user, itemId: $item, rating: $rating, at: $at, timestamp: $ts) { timestamp } }"""
RECS = """query($user: ID!, $first: Int!) { recommendations(userId: $user, first: $first, maxPaths: 2) {
  strategy model { version }
  items { itemId score explanations { kind nodes { kind id } relationships { type source target } } } } }"""
EXPLAIN = """query($user: ID!, $item: ID!) { explain(userId: $user, itemId: $item, maxPaths: 10) {
  kind weight sentence nodes { kind id } relationships { type source target } } }"""


@pytest.fixture(scope="module")
def client(neo4j_creds: Credentials, ml100k_model_before_module: Driver) -> Iterator[Client]:
    with live_server(ApiSettings(keys=["another-key", KEY]), neo4j_creds) as url:
        c = Client(url, key=KEY)
        yield c
        c.close()


@pytest.fixture
def graph(ml100k_model: Driver) -> Iterator[Driver]:
    """The shared ML-100K graph; afterwards every interaction the API recorded, and every user it created, is gone."""
    yield ml100k_model
    ml100k_model.execute_query("MATCH (:User {dataset: $ds})-[r:RATED|INTERACTED]->() WHERE r.recorded_at IS NOT NULL "
                               "DELETE r", ds=DS)
    ml100k_model.execute_query("MATCH (u:User {dataset: $ds}) WHERE u.created_at IS NOT NULL DETACH DELETE u", ds=DS)


@pytest.fixture
def model(graph: Driver) -> ModelVersion:
    mv = active_version(graph, DS)
    assert mv is not None
    return mv


def _new_user() -> str:
    return f"api-test-{uuid.uuid4().hex[:8]}"


def test_new_user_is_folded_in_after_one_rating(client: Client, graph: Driver, model: ModelVersion) -> None:
    user = _new_user()
    before = client.data(RECS, {"user": user, "first": 10})["recommendations"]
    assert before["strategy"] == "POPULARITY" and before["model"] is None

    recorded = client.data(RECORD, {"user": user, "item": "50", "rating": 5, "ts": 893286638})["recordInteraction"]
    assert recorded == {"userId": user, "itemId": "50", "dataset": DS, "relation": "RATED", "value": 5.0,
                        "timestamp": 893286638, "recordedAt": recorded["recordedAt"], "interactionCount": 1}
    stored = graph.execute_query("MATCH (:User {dataset: $ds, id: $u})-[r:RATED]->(i:Item) RETURN i.id AS id, "
                                 "r.rating AS rating", ds=DS, u=user).records
    assert [(r["id"], r["rating"]) for r in stored] == [("50", 5.0)]

    after = client.data(RECS, {"user": user, "first": 10})["recommendations"]
    assert after["strategy"] == "FOLD_IN" and after["model"]["version"] == model.version
    # one item folded in: the user vector is that item's embedding, so the list is its nearest items by score
    ids, emb = load_embeddings(graph, model, "Item")
    query = emb[ids.index("50")]
    scores = emb @ query if model.similarity == "dot" else (emb / np.linalg.norm(emb, axis=1, keepdims=True)) @ (
        query / np.linalg.norm(query))
    expected = [ids[j] for j in np.argsort(-scores, kind="stable") if ids[j] != "50"][:10]
    assert [r["itemId"] for r in after["items"]] == expected
    paths = [p for r in after["items"] for p in r["explanations"]]
    assert paths and all(path_in_graph(graph, DS, p) for p in paths)
    assert all(p["nodes"][1]["id"] == "50" for p in paths)  # the only history there is

    history = client.data('query($u: ID!) { user(id: $u) { interactionCount interactions { edges { node { '
                          'itemId rating recordedAt } } } } }', {"u": user})["user"]
    assert history["interactionCount"] == 1
    assert history["interactions"]["edges"][0]["node"]["itemId"] == "50"
    assert history["interactions"]["edges"][0]["node"]["recordedAt"]


def test_known_user_changes_without_retraining_and_recording_again_updates(client: Client, graph: Driver) -> None:
    before = client.data(RECS, {"user": "3", "first": 10})["recommendations"]
    assert before["strategy"] == "MODEL"
    top = before["items"][0]["itemId"]
    client.data(RECORD, {"user": "3", "item": top, "rating": 2})
    after = client.data(RECS, {"user": "3", "first": 10})["recommendations"]
    assert after["strategy"] == "FOLD_IN" and top not in {r["itemId"] for r in after["items"]}

    again = client.data(RECORD, {"user": "3", "item": top, "rating": 4})["recordInteraction"]
    assert again["value"] == 4.0
    rels = graph.execute_query("MATCH (:User {dataset: $ds, id: '3'})-[r:RATED]->(:Item {id: $i}) RETURN r.rating AS v",
                               ds=DS, i=top).records
    assert [r["v"] for r in rels] == [4.0]  # MERGE: still one relationship, now rated 4

    graph.execute_query("MATCH (:User {dataset: $ds, id: '3'})-[r:RATED]->() WHERE r.recorded_at IS NOT NULL DELETE r",
                        ds=DS)
    assert client.data(RECS, {"user": "3", "first": 10})["recommendations"] == before


@pytest.mark.parametrize(("variables", "code", "words"), [
    ({"item": "50", "rating": 7}, "BAD_USER_INPUT", "between 1 and 5"),
    ({"item": "50", "weight": 3}, "BAD_USER_INPUT", "explicit"),
    ({"item": "50"}, "BAD_USER_INPUT", "send a rating"),
    ({"item": "50", "rating": 4, "ts": -5}, "BAD_USER_INPUT", "timestamp"),
    ({"item": "no-such-item", "rating": 4}, "NOT_FOUND", "no-such-item"),
])
def test_bad_interactions_are_refused_and_write_nothing(client: Client, graph: Driver, variables: dict,
                                                        code: str, words: str) -> None:
    user = _new_user()
    body = client.gql(RECORD, {"user": user, **variables})
    assert body["data"] is None and [e["extensions"]["code"] for e in body["errors"]] == [code]
    assert words in body["errors"][0]["message"]
    assert not graph.execute_query("MATCH (u:User {dataset: $ds, id: $u}) RETURN u", ds=DS, u=user).records


def test_instants_after_2038_are_recorded_with_at_and_read_back(client: Client, graph: Driver) -> None:
    """GraphQL's Int stops at 2038-01-19: `at` takes a DateTime, and timestamps come back as UnixSeconds."""
    user = _new_user()
    recorded = client.data(RECORD_AT, {"user": user, "item": "50", "rating": 4, "at": "2041-05-01T14:00:00+02:00"})
    assert recorded["recordInteraction"]["timestamp"] == 2_251_022_400 > 2**31  # 2041-05-01T12:00:00Z
    assert graph.execute_query("MATCH (:User {dataset: $ds, id: $u})-[r:RATED]->() RETURN r.ts AS ts",
                               ds=DS, u=user).records[0]["ts"] == 2_251_022_400
    history = client.data('query($u: ID!) { user(id: $u) { interactions { edges { node { timestamp } } } } }',
                          {"u": user})["user"]["interactions"]["edges"]
    assert [e["node"]["timestamp"] for e in history] == [2_251_022_400]


@pytest.mark.parametrize(("variables", "words"), [
    ({"at": "2041-05-01T12:00:00Z", "ts": 893286638}, "not both"),
    ({"at": "2041-05-01T12:00:00"}, "UTC offset"),
    ({"at": "1969-12-31T23:59:59Z"}, "at must be unix seconds between 0 and"),
    ({"at": "2100-01-01T00:00:01Z"}, "at must be unix seconds between 0 and"),
    ({"at": "0001-01-01T00:00:00+14:00"}, "at must be unix seconds between 0 and"),
])
def test_bad_instants_are_refused_and_write_nothing(client: Client, graph: Driver, variables: dict, words: str) -> None:
    user = _new_user()
    body = client.gql(RECORD_AT, {"user": user, "item": "50", "rating": 4, **variables})
    assert body["data"] is None and [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert words in body["errors"][0]["message"]
    assert not graph.execute_query("MATCH (u:User {dataset: $ds, id: $u}) RETURN u", ds=DS, u=user).records


def test_hostile_ids_are_plain_values(client: Client, graph: Driver) -> None:
    nodes_before = graph.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    hostile = "api-test-x'}) DETACH DELETE n //\" OR 1=1; MATCH (m) DELETE m"
    recorded = client.data(RECORD, {"user": hostile, "item": "1", "rating": 3})["recordInteraction"]
    assert recorded["userId"] == hostile
    assert graph.execute_query("MATCH (u:User {dataset: $ds, id: $u}) RETURN count(u) AS n", ds=DS,
                               u=hostile).records[0]["n"] == 1
    assert graph.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"] == nodes_before + 1


def test_mutations_need_a_valid_key(client: Client, graph: Driver, neo4j_creds: Credentials) -> None:
    user = _new_user()
    variables = {"user": user, "item": "50", "rating": 5}
    anonymous = Client(str(client.http.base_url))
    assert anonymous.error_codes(RECORD, variables) == ["UNAUTHENTICATED"]
    assert "X-API-Key" in anonymous.gql(RECORD, variables)["errors"][0]["message"]
    assert anonymous.error_codes(RECORD, variables, key="wrong") == ["FORBIDDEN"]
    assert anonymous.error_codes(RECORD, variables, key=KEY[:-1]) == ["FORBIDDEN"]
    anonymous.close()
    with live_server(ApiSettings(keys=[]), neo4j_creds) as url:
        keyless = Client(url, key=KEY)
        body = keyless.gql(RECORD, variables)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "KGREC_API_KEYS" in body["errors"][0]["message"]
        keyless.close()
    assert not graph.execute_query("MATCH (u:User {dataset: $ds, id: $u}) RETURN u", ds=DS, u=user).records



HIT, MISS, QUERIES = {"result": "hit"}, {"result": "miss"}, {"query": "explain/paths"}
CACHE, NEO4J = "kgrec_explanation_cache_total", "kgrec_neo4j_query_duration_seconds_count"


@pytest.fixture(scope="module")
def uncached(neo4j_creds: Credentials, ml100k_model_before_module: Driver) -> Iterator[Client]:
    """A second server with the explanation cache disabled (TTL 0): the reference for what a fresh query answers."""
    with live_server(ApiSettings(explain_cache_ttl_s=0), neo4j_creds) as url:
        c = Client(url)
        yield c
        c.close()


def _counts(c: Client) -> tuple[float, float, float]:
    """(cache hits, cache misses, explanation queries run) on this server so far."""
    return c.metric(CACHE, **HIT), c.metric(CACHE, **MISS), c.metric(NEO4J, **QUERIES)


def test_a_repeated_request_is_served_from_the_explanation_cache(client: Client, graph: Driver) -> None:
    first = client.data(RECS, {"user": "12", "first": 10})["recommendations"]
    before = _counts(client)
    again = client.data(RECS, {"user": "12", "first": 10})["recommendations"]
    assert again == first and [p for r in first["items"] for p in r["explanations"]]
    assert _counts(client) == (before[0] + 1, before[1], before[2])  # a hit, and no explanation query ran
    other = client.data(RECS, {"user": "12", "first": 5})["recommendations"]  # other items: another key
    assert [r["itemId"] for r in other["items"]] == [r["itemId"] for r in first["items"][:5]]
    assert _counts(client) == (before[0] + 1, before[1] + 1, before[2] + 1)


def _sources(paths: list[dict]) -> set[str]:
    """The history items the paths start from."""
    return {p["nodes"][1]["id"] for p in paths}


def test_recording_an_interaction_misses_the_cache_and_explains_with_it(client: Client, uncached: Client,
                                                                        graph: Driver) -> None:
    """`explain` keeps the item fixed, so only the history fingerprint can tell the cached paths are stale."""
    user = _new_user()
    client.data(RECORD, {"user": user, "item": "50", "rating": 5})  # Star Wars; paths to The Empire Strikes Back
    one = client.data(EXPLAIN, {"user": user, "item": "172"})["explain"]
    assert _sources(one) == {"50"} and client.data(EXPLAIN, {"user": user, "item": "172"})["explain"] == one
    before = _counts(client)

    client.data(RECORD, {"user": user, "item": "181", "rating": 5})  # Return of the Jedi
    two = client.data(EXPLAIN, {"user": user, "item": "172"})["explain"]
    assert _counts(client) == (before[0], before[1] + 1, before[2] + 1)  # the history changed: a fresh query
    assert _sources(two) == {"50", "181"} and all(path_in_graph(graph, DS, p) for p in two)
    assert two == uncached.data(EXPLAIN, {"user": user, "item": "172"})["explain"]

    client.data(RECORD, {"user": user, "item": "181", "rating": 1})  # the same items, a value below the preference
    three = client.data(EXPLAIN, {"user": user, "item": "172"})["explain"]
    assert _counts(client)[1:] == (before[1] + 2, before[2] + 2) and _sources(three) == {"50"}
    recs = client.data(RECS, {"user": user, "first": 10})["recommendations"]
    assert recs == uncached.data(RECS, {"user": user, "first": 10})["recommendations"]


def test_ttl_zero_disables_the_explanation_cache(uncached: Client, graph: Driver) -> None:
    first = uncached.data(RECS, {"user": "12", "first": 10})["recommendations"]
    before = _counts(uncached)
    assert uncached.data(RECS, {"user": "12", "first": 10})["recommendations"] == first
    assert _counts(uncached) == (0, 0, before[2] + 1)  # nothing counted, and the query ran again
