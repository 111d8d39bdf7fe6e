"""`kgrec ingest dbpedia`: enrichment over SPARQL against a real local Apache Jena Fuseki server.

Fuseki's standalone server jar comes from Maven Central (`mvn dependency:get`, cached in ~/.m2) and serves a
small DBpedia-shaped Turtle file on 127.0.0.1.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from neo4j import Driver

from ingest.enrich import SparqlError, enrich_from_sparql
from ingest.registry import get
from ingest.run import ingest_dataset

FUSEKI = ("org.apache.jena", "jena-fuseki-server", "5.2.0")
OWN_DATA = Path(__file__).parent / "fixtures" / "own-data"
DBPEDIA = """@prefix dbr: <http://dbpedia.org/resource/> .
@prefix dbo: <http://dbpedia.org/ontology/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
dbr:Heat_\\(1995_film\\) dbo:director dbr:Michael_Mann ;
    dbo:starring dbr:Al_Pacino , dbr:Robert_De_Niro ;
    dbo:budget "6.0E7"^^xsd:double ;
    dbo:wikiPageWikiLink dbr:Los_Angeles .
dbr:Creme dct:subject <http://dbpedia.org/resource/Category:Desserts> .
dbr:Al_Pacino rdfs:label "Al Pacino"@en , "Al Pacino"@it .
dbr:Robert_De_Niro rdfs:label "Robert De Niro"@de .
dbr:Unrelated dbo:director dbr:Someone .
"""


def fuseki_jar() -> Path:
    group, artifact, version = FUSEKI
    folder = Path.home() / ".m2" / "repository" / Path(*group.split(".")) / artifact / version
    jar = folder / f"{artifact}-{version}.jar"
    if not jar.is_file():
        if shutil.which("mvn") is None:
            pytest.fail("Maven (mvn) is needed to fetch Apache Jena Fuseki from Maven Central")
        subprocess.run(["mvn", "-B", "-q", "dependency:get", f"-Dartifact={group}:{artifact}:{version}",
                        "-Dtransitive=false"], check=True, timeout=600)
    return jar


@pytest.fixture(scope="module")
def sparql_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("fuseki")
    (folder / "dbpedia.ttl").write_text(DBPEDIA)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (folder / "fuseki.log").open("w")
    proc = subprocess.Popen(["java", "-jar", str(fuseki_jar()), "--localhost", f"--port={port}",
                             f"--file={folder / 'dbpedia.ttl'}", "/dbpedia"], cwd=folder, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (folder / "fuseki.log").read_text()[-2000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/dbpedia/sparql", params={"query": "ASK {}"},
                             timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "Fuseki did not start"
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/dbpedia/sparql"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_enrichment_from_sparql(db: Driver, sparql_endpoint: str, tmp_path: Path) -> None:
    ingest_dataset(db, get(str(OWN_DATA)), OWN_DATA, progress=False, state_dir=tmp_path)
    before = db.execute_query("MATCH (:Item {dataset: 'my-films'})-[k]->(:Entity) RETURN count(k)").records[0][0]

    report = enrich_from_sparql(db, "my-films", sparql_endpoint, progress=False, state_dir=tmp_path)
    # Heat: director, two stars; Creme: one subject. Literals and unasked properties are not fetched.
    assert report.loaded == {"dbpedia (sparql)": 4, "entity labels": 1}
    assert report.relationships_created == 1  # triples.nt had the director, Al Pacino and the subject already
    stars = {r[0]: r[1] for r in db.execute_query(
        "MATCH (:Item {dataset: 'my-films', id: 'm1'})-[k:STARRING]->(e) RETURN e.name, k.predicate").records}
    assert stars == {"Al Pacino": "http://dbpedia.org/ontology/starring",
                     "Robert De Niro": "http://dbpedia.org/ontology/starring"}  # no English label: from the IRI
    subject = db.execute_query("MATCH (:Item {dataset: 'my-films', id: 'm2'})-[:SUBJECT]->(e) RETURN e.name")
    assert subject.records[0][0] == "Desserts"
    after = db.execute_query("MATCH (:Item {dataset: 'my-films'})-[k]->(:Entity) RETURN count(k)").records[0][0]
    assert after == before + 1
    assert db.execute_query("MATCH (e:Entity {uri: 'http://dbpedia.org/resource/Someone'}) RETURN count(e)"
                            ).records[0][0] == 0

    again = enrich_from_sparql(db, "my-films", sparql_endpoint, progress=False, state_dir=tmp_path)
    assert again.relationships_created == 0 and again.nodes_created == 0


def test_enrichment_errors_are_clear(db: Driver, sparql_endpoint: str, tmp_path: Path) -> None:
    with pytest.raises(SparqlError, match="has no items with a uri"):
        enrich_from_sparql(db, "nothing-here", sparql_endpoint, progress=False, state_dir=tmp_path)
    ingest_dataset(db, get(str(OWN_DATA)), OWN_DATA, progress=False, state_dir=tmp_path)
    with pytest.raises(SparqlError, match=r"SPARQL query to http://127\.0\.0\.1:9/sparql failed"):
        enrich_from_sparql(db, "my-films", "http://127.0.0.1:9/sparql", progress=False, state_dir=tmp_path)
