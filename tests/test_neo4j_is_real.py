"""The suite talks to a real Neo4j 5.26 server over Bolt."""

from neo4j import Driver

from graphstore.schema import wipe_database


def test_server_is_neo4j_5_26(driver: Driver) -> None:
    records, _, _ = driver.execute_query("CALL dbms.components() YIELD name, versions, edition RETURN *")
    assert records[0]["name"] == "Neo4j Kernel"
    assert records[0]["versions"][0].startswith("5.26.")
    assert records[0]["edition"] in {"community", "enterprise"}


def test_schema_applied_and_wipe_leaves_nothing(db: Driver) -> None:
    names = {r["name"] for r in db.execute_query("SHOW CONSTRAINTS YIELD name")[0]}
    assert {"user_key", "item_key", "entity_uri", "model_key"} <= names
    db.execute_query("CREATE (:User {dataset: 'd', id: '1'})-[:RATED {rating: 5}]->(:Item {dataset: 'd', id: 'x'})")
    wipe_database(db)
    assert db.execute_query("MATCH (n) RETURN count(n) AS c")[0][0]["c"] == 0
    assert db.execute_query("SHOW CONSTRAINTS YIELD name")[0] == []


def test_constraint_rejects_duplicate_user(db: Driver) -> None:
    db.execute_query("CREATE (:User {dataset: 'd', id: '1'})")
    try:
        db.execute_query("CREATE (:User {dataset: 'd', id: '1'})")
    except Exception as exc:
        assert "already exists" in str(exc)
    else:
        raise AssertionError("duplicate (dataset, id) was accepted")
    db.execute_query("CREATE (:User {dataset: 'other', id: '1'})")  # same id in another dataset is fine
    assert db.execute_query("MATCH (u:User) RETURN count(u) AS c")[0][0]["c"] == 2
