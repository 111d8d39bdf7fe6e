"""FRIEND / TRUSTS explanation paths on real data, served over HTTP:
- Last.fm hetrec2011 (bounded ingest: play counts, the published friend network, DBpedia and tag knowledge)
  with a briefly trained BPR-MF;
- Ciao (bounded ingest: ratings and the directed trust network), no model: popularity recommendations.

For every recommended item, an independent query lists the user's friends (or the users they trust) who
interacted with it at least as strongly as the API's threshold (as a share of their own top rating or play
count): the API must return a social path for one of them unless `maxPaths` heavier paths already fill the
list, and every social path it returns must name such a user, with that share as its weight, exist in the
graph, and be reproduced by the Cypher it hands out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from api_support import Client, live_server, path_in_graph
from neo4j import Driver

from api.settings import ApiSettings
from graphstore.export import export_graph
from graphstore.provision import Credentials
from ingest.run import ingest_dataset
from kgrec.training import TrainOptions, train_and_write

MAX_PATHS = 5
RECS = """query($u: ID!, $ds: String!) { recommendations(userId: $u, dataset: $ds, first: 10, maxPaths: 5) {
  strategy items { itemId explanations { kind weight sentence nodes { kind id name }
                                         relationships { type source target rating weight } cypher parameters } } } }"""

# who $u is socially linked to (FRIEND either way, TRUSTS from $u) that liked $item: their value / their top one
LINKED_WHO_LIKED = {
    "FRIEND": "MATCH (u:User {dataset: $ds, id: $u})-[:FRIEND]-(f:User)",
    "TRUSTS": "MATCH (u:User {dataset: $ds, id: $u})-[:TRUSTS]->(f:User)",
}
LIKED = """-[r:RATED|INTERACTED]->(:Item {dataset: $ds, id: $item})
MATCH (f)-[x:RATED|INTERACTED]->()
WITH f, r, max(toFloat(coalesce(x.rating, x.weight))) AS top
WHERE toFloat(coalesce(r.rating, r.weight)) / top >= $min
RETURN DISTINCT f.id AS friend, toFloat(coalesce(r.rating, r.weight)) / top AS share"""
SENTENCE = {"FRIEND": "Your friend {} ", "TRUSTS": "User {}, whom you trust, "}


def check_social_paths(driver: Driver, url: str, dataset: str, users: list[str], relation: str,
                       settings: ApiSettings, strategy: str) -> int:
    """Check every recommendation's social paths against the graph; the number of items that had one."""
    client = Client(url)
    with_path = 0
    for user in users:
        recs = client.data(RECS, {"u": user, "ds": dataset})["recommendations"]
        assert recs["strategy"] == strategy
        for rec in recs["items"]:
            paths = rec["explanations"]
            expected = {r["friend"]: r["share"] for r in driver.execute_query(
                LINKED_WHO_LIKED[relation] + LIKED, ds=dataset, u=user, item=rec["itemId"],
                min=settings.explain_min_preference).records}
            social = [p for p in paths if p["kind"] == "FRIEND"]
            if expected and not social:  # only heavier paths may crowd them out
                assert len(paths) == MAX_PATHS and min(p["weight"] for p in paths) >= max(expected.values())
            for p in social:
                friend = p["nodes"][1]["id"]
                assert [n["kind"] for n in p["nodes"]] == ["USER", "USER", "ITEM"]
                assert p["nodes"][0]["id"] == user and p["nodes"][2]["id"] == rec["itemId"]
                assert p["relationships"][0]["type"] == relation
                assert p["weight"] == pytest.approx(expected[friend])
                assert p["sentence"].startswith(SENTENCE[relation].format(friend))
                assert path_in_graph(driver, dataset, p)
                assert driver.execute_query(p["cypher"], p["parameters"]).records
            with_path += bool(social)
    client.close()
    return with_path


def test_friend_paths_on_lastfm(db: Driver, data_dir: Path, tmp_path: Path, neo4j_creds: Credentials) -> None:
    ds = "lastfm-hetrec2011"
    # the first 8,000 rows of each section: plays of the first ~165 users, a third of the friend network
    ingest_dataset(db, ds, data_dir, progress=False, state_dir=tmp_path, max_rows=8_000)
    options = TrainOptions(model="bprmf", epochs=5, lr=0.05, dim=16, seed=0, device="cpu")
    train_and_write(db, export_graph(db, ds), options, runs_dir=tmp_path / "runs")
    users = [r["id"] for r in db.execute_query(  # the users whose friends played the most artists
        "MATCH (u:User {dataset: $ds})-[:FRIEND]-(f:User) WHERE EXISTS { (u)-[:INTERACTED]->() } "
        "WITH u, sum(COUNT { (f)-[:INTERACTED]->() }) AS plays RETURN u.id AS id ORDER BY plays DESC, id LIMIT 8",
        ds=ds).records]
    # play counts are heavy-tailed (a favourite artist often has 10× the plays of the next), so a lower share
    # than the default 0.6 lets more of a friend's artists count as liked
    settings = ApiSettings(default_dataset=ds, explain_min_preference=0.1)
    with live_server(settings, neo4j_creds) as url:
        assert check_social_paths(db, url, ds, users, "FRIEND", settings, "MODEL") >= 10


def test_trust_paths_on_ciao(db: Driver, data_dir: Path, tmp_path: Path, neo4j_creds: Credentials) -> None:
    ds = "ciao"
    ingest_dataset(db, ds, data_dir, progress=False, state_dir=tmp_path, max_rows=10_000)
    users = [r["id"] for r in db.execute_query(  # the users whose trusted users rated the most products
        "MATCH (u:User {dataset: $ds})-[:TRUSTS]->(f:User) WITH u, sum(COUNT { (f)-[:RATED]->() }) AS ratings "
        "RETURN u.id AS id ORDER BY ratings DESC, id LIMIT 8", ds=ds).records]
    settings = ApiSettings(default_dataset=ds)
    with live_server(settings, neo4j_creds) as url:
        assert check_social_paths(db, url, ds, users, "TRUSTS", settings, "POPULARITY") >= 40
