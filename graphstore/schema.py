"""Constraints and indexes from `cypher/schema.cypher`, and wiping a database clean."""

from __future__ import annotations

from neo4j import Driver

from graphstore.cypher_files import load_cypher, statements


def apply_schema(driver: Driver, database: str = "neo4j", wait: bool = True) -> int:
    """Create every constraint and index of the schema (idempotent); return how many statements ran. With `wait`,
    until every index is ONLINE (vector indexes of a write-back included); constraints hold as soon as created."""
    stmts = statements(load_cypher("schema"))
    for stmt in stmts:
        driver.execute_query(stmt, database_=database)
    if wait:
        driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    return len(stmts)


def wipe_database(driver: Driver, database: str = "neo4j") -> None:
    """Delete every node, relationship, constraint and index (token lookup indexes stay)."""
    with driver.session(database=database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name", database_=database)
    for rec in records:
        driver.execute_query(f"DROP CONSTRAINT `{rec['name']}` IF EXISTS", database_=database)
    records, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name", database_=database
    )
    for rec in records:
        driver.execute_query(f"DROP INDEX `{rec['name']}` IF EXISTS", database_=database)
