"""`kgrec ingest dbpedia`: enrichment over SPARQL against a real local Apache Jena Fuseki server.

Fuseki's standalone server jar comes from Maven Central (`mvn dependency:get`, cached in ~/.m2) and serves a
small DBpedia-shaped Turtle file on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from neo4j import Driver
from typer.testing import CliRunner

from ingest.enrich import SparqlError, enrich_from_sparql
from ingest.registry import get
from ingest.run import ingest_dataset
from kgrec.cli import app

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

    report = enrich_from_sparql(db, "my-films", sparql_endpoint, progress=False, state_dir=tmp_path,
                                cache_dir=tmp_path / "cache", all_items=True)
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

    again = enrich_from_sparql(db, "my-films", sparql_endpoint, progress=False, state_dir=tmp_path,
                               cache_dir=tmp_path / "cache", all_items=True)
    assert again.relationships_created == 0 and again.nodes_created == 0


def test_enrichment_errors_are_clear(db: Driver, sparql_endpoint: str, tmp_path: Path) -> None:
    with pytest.raises(SparqlError, match="has no items with a uri"):
        enrich_from_sparql(db, "nothing-here", sparql_endpoint, progress=False, state_dir=tmp_path,
                           cache_dir=tmp_path / "cache")
    ingest_dataset(db, get(str(OWN_DATA)), OWN_DATA, progress=False, state_dir=tmp_path)
    with pytest.raises(SparqlError, match=r"SPARQL query to http://127\.0\.0\.1:9/sparql failed"):
        enrich_from_sparql(db, "my-films", "http://127.0.0.1:9/sparql", progress=False, state_dir=tmp_path,
                           cache_dir=tmp_path / "cache", min_interval=0.05, all_items=True)


class Proxy:
    """A loopback HTTP server in front of the real Fuseki: it answers the first POSTs from a script of faults
    (`503`, `429`, `301`, `hang`, or a literal body to send as SPARQL JSON with status 200), then forwards to Fuseki.
    It notes when each request arrived."""

    def __init__(self, upstream: str, script: list[str | bytes]) -> None:
        self.script, self.arrivals = list(script), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.arrivals.append(time.monotonic())
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fault = outer.script.pop(0) if outer.script else None
                if fault == "hang":
                    time.sleep(HANG_S)
                    return
                if fault in ("503", "429"):
                    self._send(int(fault), b"busy", "text/plain", {"Retry-After": "0.2"} if fault == "429" else {})
                    return
                if fault in ("429 -5", "429 nan"):  # a Retry-After no one can wait for
                    self._send(429, b"busy", "text/plain", {"Retry-After": fault.split()[1]})
                    return
                if fault == "301":
                    self._send(301, b"", "text/html", {"Location": "https://elsewhere.example/sparql"})
                    return
                if isinstance(fault, bytes):
                    self._send(200, fault, "application/sparql-results+json")
                    return
                up = httpx.post(upstream, content=body, headers={"Content-Type": self.headers["Content-Type"],
                                                                 "Accept": self.headers["Accept"]})
                self._send(up.status_code, up.content, up.headers["content-type"])

            def _send(self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for key, value in {"Content-Type": kind, "Content-Length": str(len(body)), **(extra or {})}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


HANG_S = 4.0  # longer than POLITE's timeout
# all_items: both fixture items already have some of the asked properties (from triples.nt); ask for them anyway.
# timeout: Fuseki's own answers must come within it on a busy machine, or a retry adds an arrival a test counts
POLITE = {"progress": False, "batch": 1, "timeout": 2.0, "min_interval": 0.3, "retries": 3, "all_items": True}


@pytest.fixture
def films(db: Driver, tmp_path: Path) -> Driver:
    ingest_dataset(db, get(str(OWN_DATA)), OWN_DATA, progress=False, state_dir=tmp_path)
    return db


def knowledge(driver: Driver) -> int:
    return driver.execute_query("MATCH (:Item {dataset: 'my-films'})-[k]->(:Entity) RETURN count(k)").records[0][0]


def test_only_items_lacking_the_properties_under_the_uri_prefixes_are_asked(
    films: Driver, sparql_endpoint: str, tmp_path: Path
) -> None:
    """By default an item is asked for only when its IRI is a DBpedia resource and it has none of the asked
    properties yet: Creme loses its subject, Heat keeps its director, a Freebase-linked item is not DBpedia's."""
    films.execute_query("MATCH (:Item {dataset: 'my-films', id: 'm2'})-[k:SUBJECT]->() DELETE k")
    films.execute_query("CREATE (:Item {dataset: 'my-films', id: 'fb', uri: 'http://rdf.freebase.com/ns/m.0abc'})")
    kw = {**POLITE, "min_interval": 0.0, "state_dir": tmp_path, "cache_dir": tmp_path / "cache"}
    proxy = Proxy(sparql_endpoint, [])
    try:
        report = enrich_from_sparql(films, "my-films", proxy.url, **{**kw, "all_items": False})
        assert len(proxy.arrivals) == 1  # Creme alone (batch=1)
        assert report.loaded == {"dbpedia (sparql)": 1, "entity labels": 0}
        assert films.execute_query("MATCH (:Item {dataset: 'my-films', id: 'm2'})-[:SUBJECT]->(e) RETURN e.name"
                                   ).records[0][0] == "Desserts"

        again = enrich_from_sparql(films, "my-films", proxy.url, **{**kw, "all_items": False})
        assert len(proxy.arrivals) == 1 and again.loaded == {"dbpedia (sparql)": 0, "entity labels": 0}

        freebase = enrich_from_sparql(films, "my-films", proxy.url,
                                      **{**kw, "uri_prefixes": ("http://rdf.freebase.com/ns/",)})
        assert len(proxy.arrivals) == 2  # the Freebase item, asked because its prefix was named
        assert freebase.loaded == {"dbpedia (sparql)": 0, "entity labels": 0}  # Fuseki knows nothing of it
    finally:
        proxy.close()


def test_the_cli_asks_what_its_flags_name(films: Driver, sparql_endpoint: str, cli_env: None) -> None:
    films.execute_query("CREATE (:Item {dataset: 'my-films', id: 'fb', uri: 'http://rdf.freebase.com/ns/m.0abc'})")
    proxy = Proxy(sparql_endpoint, [])
    base = ["ingest", "dbpedia", "--target", "my-films", "--endpoint", proxy.url, "--no-progress"]
    try:
        default = CliRunner().invoke(app, base)  # both DBpedia items have asked properties; fb is Freebase's
        assert default.exit_code == 0, default.output
        assert "loaded dbpedia (sparql) 0" in default.output and len(proxy.arrivals) == 0
        refresh = CliRunner().invoke(app, [*base, "--all-items"])
        assert "loaded dbpedia (sparql) 4, entity labels 1" in refresh.output and len(proxy.arrivals) == 1
        other = CliRunner().invoke(app, [*base, "--uri-prefix", "http://rdf.freebase.com/ns/"])
        assert other.exit_code == 0, other.output
        assert len(proxy.arrivals) == 2  # fb alone, in one query
    finally:
        proxy.close()


def test_transient_failures_are_retried_politely_and_answers_cached(
    films: Driver, sparql_endpoint: str, tmp_path: Path
) -> None:
    proxy = Proxy(sparql_endpoint, ["503", "hang", "429", "429 -5", "429 nan"])
    try:
        kw = {**POLITE, "retries": 5, "state_dir": tmp_path, "cache_dir": tmp_path / "cache"}
        report = enrich_from_sparql(films, "my-films", proxy.url, **kw)
        assert report.loaded == {"dbpedia (sparql)": 4, "entity labels": 1}  # as if nothing had failed
        assert len(proxy.arrivals) == 5 + 2  # five faults, then one answer per item IRI (batch=1)
        gaps = [b - a for a, b in zip(proxy.arrivals, proxy.arrivals[1:], strict=False)]
        # never faster than min_interval (0.3 s), retries included: a retry that honoured the 429's Retry-After of
        # 0.2 s instead would arrive 0.2 s later; arrival times carry the proxy thread's scheduling jitter (17 ms
        # on a busy CI machine), so 50 ms of slack
        assert min(gaps) >= 0.25, gaps

        again = enrich_from_sparql(films, "my-films", proxy.url, **kw)
        assert len(proxy.arrivals) == 7  # every answer came from the cache
        assert again.loaded == report.loaded and again.relationships_created == 0
    finally:
        proxy.close()


@pytest.mark.parametrize(("script", "message", "asked"), [
    (["503"] * 4, r"failed after 4 attempt\(s\): HTTP 503", 4),
    (["hang"] * 4, r"failed after 4 attempt\(s\): ReadTimeout", 4),
    (["301"], r"failed: HTTP 301 \(moved to https://elsewhere\.example/sparql\)", 1),
    ([b"<html>Service Unavailable</html>"], "not SPARQL JSON results", 1),
    ([b"[]"], "not SPARQL JSON results", 1),
    ([b'{"results": {"bindings": "no"}}'], "not SPARQL JSON results", 1),
])
def test_endpoint_failures_are_clear_and_nothing_is_cached_or_written(
    films: Driver, sparql_endpoint: str, tmp_path: Path, script: list[str | bytes], message: str, asked: int
) -> None:
    before = knowledge(films)
    proxy = Proxy(sparql_endpoint, script)
    try:
        with pytest.raises(SparqlError, match=rf"SPARQL query to {re.escape(proxy.url)} .*{message}"):
            enrich_from_sparql(films, "my-films", proxy.url, **{**POLITE, "min_interval": 0.05},
                               state_dir=tmp_path, cache_dir=tmp_path / "cache")
        assert len(proxy.arrivals) == asked  # malformed answers are not asked again
    finally:
        proxy.close()
    assert not list((tmp_path / "cache").rglob("*.json"))
    assert knowledge(films) == before


def test_hostile_results_are_quarantined_and_labels_stored_verbatim(
    films: Driver, sparql_endpoint: str, tmp_path: Path
) -> None:
    heat, dbo = "http://dbpedia.org/resource/Heat_(1995_film)", "http://dbpedia.org/ontology/"
    label = "x'}) MATCH (n) DETACH DELETE n //`"

    def row(s: object, p: object, o: object, lab: object = None) -> dict[str, object]:
        b = {"s": {"type": "uri", "value": s}, "p": {"type": "uri", "value": p}, "o": {"type": "uri", "value": o}}
        return b | ({"label": {"type": "literal", "value": lab}} if lab is not None else {})

    bindings = [
        row(heat, dbo + "director", "http://dbpedia.org/resource/Evil_Director", label),  # the one good row
        row(heat, dbo + "director", "http://x/a> . } DROP"),  # not an IRI
        row(heat, "http://x/a`]->() DETACH DELETE n //", "http://dbpedia.org/resource/E"),  # not asked for
        row(heat, dbo + "wikiPageWikiLink", "http://dbpedia.org/resource/E"),  # not asked for either
        row("http://dbpedia.org/resource/Someone_else", dbo + "director", "http://dbpedia.org/resource/E"),
        row(heat, dbo + "director", "http://dbpedia.org/resource/E", ["not", "a", "string"]),
        row(["x"], dbo + "director", "http://dbpedia.org/resource/E"),
        "not a binding",
        {"s": {"value": heat}},
    ]
    body = json.dumps({"head": {"vars": ["s", "p", "o", "label"]}, "results": {"bindings": bindings}}).encode()
    empty = json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode()
    proxy = Proxy(sparql_endpoint, [empty, body])  # sorted IRIs: Creme first, then Heat
    try:
        report = enrich_from_sparql(films, "my-films", proxy.url, **{**POLITE, "min_interval": 0.0},
                                    state_dir=tmp_path, cache_dir=tmp_path / "cache")
    finally:
        proxy.close()
    assert report.loaded == {"dbpedia (sparql)": 1, "entity labels": 1}
    assert report.skipped == len(bindings) - 1
    assert report.skipped_by_reason == {"bad value": 5, "malformed": 3}
    assert report.quarantine is not None and all(r.file == "sparql" for r in report.rejections)
    assert [r.line for r in report.rejections] == list(range(2, len(bindings) + 1))
    names = [r[0] for r in films.execute_query(
        "MATCH (:Item {dataset: 'my-films', id: 'm1'})-[:DIRECTOR]->(e:Entity {uri: $uri}) RETURN e.name",
        uri="http://dbpedia.org/resource/Evil_Director").records]
    assert names == [label]
    assert films.execute_query("MATCH (i:Item {dataset: 'my-films'}) RETURN count(i)").records[0][0] == 3


def test_an_answer_at_the_row_limit_is_asked_again_in_halves(films: Driver, sparql_endpoint: str,
                                                              tmp_path: Path) -> None:
    """An endpoint cuts answers at its result limit without saying so (DBpedia: 10,000 rows): a batch whose answer
    reaches `max_rows` is split until each answer is under it, so no triple is lost."""
    proxy = Proxy(sparql_endpoint, [])
    try:
        report = enrich_from_sparql(films, "my-films", proxy.url, **{**POLITE, "batch": 2, "min_interval": 0.0},
                                    max_rows=3, state_dir=tmp_path, cache_dir=tmp_path / "cache")
    finally:
        proxy.close()
    # Creme and Heat together: 4 rows ≥ 3, asked again as Creme (1 row) and Heat (3 rows: alone, kept with a warning)
    assert len(proxy.arrivals) == 3
    assert report.loaded == {"dbpedia (sparql)": 4, "entity labels": 1}
