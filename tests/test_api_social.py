"""FRIEND / TRUSTS explanation paths: exact sentences and direction rules on a small hand-made dataset of its
own (written with parameterised Cypher, removed afterwards, nothing wiped). Real data: test_api_social_real.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Client, live_server, path_in_graph
from neo4j import Driver

from api.settings import ApiSettings
from graphstore.provision import Credentials

DS = "api-test-social"
GENRE = "urn:kgrec:test:api-social-genre"
RATINGS = [("ana", "m1", 5), ("ben", "m2", 5), ("ben", "m1", 4), ("cai", "m3", 4), ("dee", "m2", 2), ("eve", "m4", 3)]
SOCIAL = [("ana", "FRIEND", "ben"), ("ben", "FRIEND", "ana"), ("ana", "TRUSTS", "cai"), ("dee", "TRUSTS", "ana")]


@pytest.fixture(scope="module")
def social(driver: Driver) -> Iterator[Driver]:
    driver.execute_query("CREATE (:Dataset {name: $ds, domain: 'movies', explicit: true, split_names: []})", ds=DS)
    driver.execute_query("UNWIND $ids AS id CREATE (:User {dataset: $ds, id: id})", ds=DS,
                         ids=["ana", "ben", "cai", "dee", "eve"])
    driver.execute_query("UNWIND $ids AS id CREATE (:Item:Movie {dataset: $ds, id: id, title: 'Film ' + id})", ds=DS,
                         ids=["m1", "m2", "m3", "m4"])
    driver.execute_query("UNWIND $rows AS r MATCH (u:User {dataset: $ds, id: r[0]}), (i:Item {dataset: $ds, id: r[1]}) "
                         "CREATE (u)-[:RATED {rating: r[2], ts: 0}]->(i)", ds=DS, rows=RATINGS)
    driver.execute_query("UNWIND $rows AS r MATCH (a:User {dataset: $ds, id: r[0]}), (b:User {dataset: $ds, id: r[2]}) "
                         "CREATE (a)-[:$(r[1])]->(b)", ds=DS, rows=SOCIAL)
    driver.execute_query("CREATE (g:Entity:Genre {uri: $g, name: 'Test noir'}) WITH g "
                         "MATCH (i:Item {dataset: $ds}) WHERE i.id IN ['m1', 'm4'] CREATE (i)-[:HAS_GENRE]->(g)",
                         ds=DS, g=GENRE)
    yield driver
    driver.execute_query("MATCH (n {dataset: $ds}) DETACH DELETE n", ds=DS)
    driver.execute_query("MATCH (n:Dataset {name: $ds}) DELETE n", ds=DS)
    driver.execute_query("MATCH (g:Entity {uri: $g}) DETACH DELETE g", g=GENRE)


def test_friend_and_trust_paths(social: Driver, neo4j_creds: Credentials) -> None:
    with live_server(ApiSettings(default_dataset=DS), neo4j_creds) as url:
        client = Client(url)
        recs = client.data('{ recommendations(userId: "ana", first: 3) { strategy items { itemId explanations { '
                           'kind weight sentence nodes { kind id } relationships { type source target } '
                           'cypher parameters } } } }')["recommendations"]
        client.close()
    assert recs["strategy"] == "POPULARITY"  # this dataset has no model
    paths = {r["itemId"]: r["explanations"] for r in recs["items"]}
    assert set(paths) == {"m2", "m3", "m4"}
    # m2: friend ben (stored both ways, counted once); dee rated it too but only trusts ana, not the reverse
    assert [(p["kind"], p["sentence"]) for p in paths["m2"]] == [("FRIEND", "Your friend ben rated *Film m2* 5★.")]
    assert [(p["kind"], p["sentence"]) for p in paths["m3"]] == [
        ("FRIEND", "User cai, whom you trust, rated *Film m3* 4★.")]
    assert [(p["kind"], p["sentence"]) for p in paths["m4"]] == [
        ("SHARED_ENTITY", "You rated *Film m1* 5★; *Film m4* is also in the genre Test noir.")]
    for item_paths in paths.values():
        for p in item_paths:
            assert path_in_graph(social, DS, p)
            assert social.execute_query(p["cypher"], p["parameters"]).records
