"""DBpedia enrichment over SPARQL: typed relationships from a dataset's linked items to the entities DBpedia names.

`kgrec ingest dbpedia --target movielens-100k [--endpoint URL]` asks the endpoint (default the public DBpedia
one; the CLI also reads `KGREC_SPARQL_ENDPOINT`) for chosen properties of every item IRI, in batches, with
English labels of the objects. IRIs are validated before they go into a query; results are validated like any
input row.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import httpx
from neo4j import Driver
from tqdm import tqdm

from graphstore.schema import apply_schema
from graphstore.writer import GraphWriter
from ingest.knowledge import DBO, DBR, DCT, entity_name, relationship_type
from ingest.quarantine import Quarantine
from ingest.records import Row, Section
from ingest.run import IngestReport, write_section
from ingest.values import BadValue, iri
from kgrec.settings import get_settings

log = logging.getLogger(__name__)
DEFAULT_ENDPOINT = "https://dbpedia.org/sparql"
DBPEDIA_RESOURCES = (DBR, "https://dbpedia.org/resource/")  # the IRIs the default endpoint describes
MAX_RETRY_AFTER_S = 300.0
DEFAULT_PROPERTIES = (
    *(DBO + p for p in ("director", "starring", "writer", "producer", "distributor", "cinematography",
                        "musicComposer", "editing", "author", "publisher", "literaryGenre", "series", "genre",
                        "associatedBand", "associatedMusicalArtist", "recordLabel", "bandMember")),
    DCT + "subject",
)
QUERY = """SELECT ?s ?p ?o ?label WHERE {{
  VALUES ?s {{ {subjects} }}
  VALUES ?p {{ {predicates} }}
  ?s ?p ?o . FILTER(isIRI(?o))
  OPTIONAL {{ ?o <http://www.w3.org/2000/01/rdf-schema#label> ?label . FILTER(langMatches(lang(?label), "en")) }}
}}"""


class SparqlError(RuntimeError):
    """The endpoint could not be queried, or answered with something that is not SPARQL JSON results."""


def enrich_from_sparql(
    driver: Driver,
    dataset: str,
    endpoint: str | None = None,
    properties: tuple[str, ...] = DEFAULT_PROPERTIES,
    *,
    batch: int = 50,
    progress: bool = True,
    state_dir: Path | None = None,
    cache_dir: Path | None = None,
    database: str | None = None,
    timeout: float = 60.0,
    min_interval: float = 1.0,
    retries: int = 3,
    max_rows: int = 10_000,
    uri_prefixes: tuple[str, ...] = DBPEDIA_RESOURCES,
    all_items: bool = False,
) -> IngestReport:
    """Add (:Item)-[:REL {predicate}]->(:Entity {uri, name}) for `dataset`'s items with a `uri`, from SPARQL.

    Asked are the items whose `uri` starts with one of `uri_prefixes` (DBpedia resources by default: a Freebase or
    Amazon IRI is not the endpoint's to answer) and that have no knowledge relationship with one of `properties`
    yet, or every such item with `all_items` (to refresh what an earlier load or enrichment wrote).

    Politely: at most one query per `min_interval` seconds; a timeout, a refused connection, HTTP 429 or 5xx is
    retried `retries` times after a growing pause (`Retry-After` when the endpoint sends one); each valid answer is
    cached under `cache_dir/sparql` (default KGREC_CACHE_DIR), so a re-run, or a run after a failed one, asks only
    what it has no answer for. An answer of `max_rows` rows or more may have been cut at the endpoint's result limit
    (DBpedia's is 10,000): its batch is asked again in halves.
    """
    settings = get_settings()
    endpoint = endpoint or DEFAULT_ENDPOINT
    database = database or settings.neo4j_database
    started = time.perf_counter()
    predicates = [iri("property", p) for p in properties]
    types = {p: relationship_type(p) for p in predicates}
    apply_schema(driver, database)
    writer = GraphWriter(driver, dataset, database)
    linked = writer.item_uris()
    if not linked:
        raise SparqlError(f"dataset {dataset!r} has no items with a uri: ingest it first")
    lacking = linked if all_items else writer.item_uris(without=predicates)
    items_by_uri = {u: ids for u, ids in lacking.items() if u.startswith(uri_prefixes)}
    log.info("%s: %d item IRIs, %d of them %s, %d of those under %s: asking %s", dataset, len(linked), len(lacking),
             "taken (all_items)" if all_items else "with none of the asked properties yet", len(items_by_uri),
             " or ".join(uri_prefixes), endpoint)
    q = Quarantine((state_dir or settings.state_dir) / "quarantine" / f"{dataset}-dbpedia-{int(time.time())}.jsonl")
    triples: list[Row] = []
    names: dict[str, str] = {}
    uris = sorted(items_by_uri)
    results = count(1)  # numbers the endpoint's result rows across batches, for the quarantine
    with httpx.Client(timeout=timeout, headers={"Accept": "application/sparql-results+json"}) as client:
        sparql = Endpoint(client, endpoint, (cache_dir or settings.cache_dir) / "sparql", min_interval, retries,
                          max_rows)
        for start in tqdm(range(0, len(uris), batch), desc=f"{dataset} sparql", unit=" batches",
                          disable=not progress, leave=False):
            chunk = [u for u in uris[start:start + batch] if _valid(u, q)]
            for s, p, o, label in _select(sparql, chunk, types, q, results):
                triples += [{"s": item, "o": o, "p": p, "rel": types[p], "name": label or entity_name(o)}
                            for item in items_by_uri.get(s, [])]
                if label:
                    names[o] = label
    triples = list({(r["s"], r["p"], r["o"]): r for r in triples}.values())
    report = IngestReport(dataset, "enrich")
    catalogue: dict[str, str] = {}
    for section in (Section("knowledge", "dbpedia (sparql)", triples, sources=()),
                    Section("entities", "entity labels", [{"uri": u, "name": n} for u, n in names.items()])):
        report.sections[section.name] = write_section(writer, section, "Product", settings.write_batch_size,
                                                      progress, catalogue, settings.write_workers)
    if catalogue:
        writer.predicates(catalogue)
    return report.finish(q, writer, started)


class Endpoint:
    """A SPARQL endpoint asked politely: queries spaced by `min_interval` seconds, transient failures retried with
    a growing pause, valid answers cached on disk (one JSON file per endpoint and query)."""

    def __init__(
        self, client: httpx.Client, url: str, cache: Path, min_interval: float, retries: int, max_rows: int
    ) -> None:
        self.client, self.url, self.cache = client, url, cache
        self.min_interval, self.retries, self.max_rows = min_interval, retries, max_rows
        self._last = -math.inf  # monotonic time of the last request

    def bindings(self, query: str) -> list[Any]:
        """The result bindings of a SELECT query: from the cache, else from the endpoint (then cached)."""
        key = hashlib.sha256(f"{self.url}\n{query}".encode()).hexdigest()
        path = self.cache / f"{key}.json"
        if path.is_file():
            try:
                return _bindings(path.read_bytes())
            except ValueError:  # a damaged cache file: ask again
                path.unlink()
        body = self._post(query)
        try:
            found = _bindings(body)
        except ValueError as exc:
            raise SparqlError(f"SPARQL query to {self.url} answered with something that is not SPARQL JSON "
                              f"results: {exc}") from None
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(body)
        tmp.replace(path)
        return found

    def _post(self, query: str) -> bytes:
        for attempt in range(self.retries + 1):
            time.sleep(max(0.0, self._last + self.min_interval - time.monotonic()))
            self._last = time.monotonic()
            pause = self.min_interval * 2 ** (attempt + 1)
            try:
                resp = self.client.post(self.url, data={"query": query})
            except httpx.TransportError as exc:  # timeouts, refused or dropped connections
                problem = f"{type(exc).__name__} {exc}".strip()
            else:
                if resp.is_success:
                    return resp.content
                if resp.status_code != 429 and resp.status_code < 500:  # a wrong URL or query: asking again won't help
                    moved = f" (moved to {resp.headers['location']})" if resp.has_redirect_location else ""
                    raise SparqlError(f"SPARQL query to {self.url} failed: HTTP {resp.status_code}{moved} "
                                      f"{resp.text[:200]!r}")
                problem = f"HTTP {resp.status_code}"
                pause = _retry_after(resp, pause)
            if attempt < self.retries:
                log.warning("SPARQL query to %s: %s; retrying in %.1fs", self.url, problem, pause)
                time.sleep(pause)
        raise SparqlError(f"SPARQL query to {self.url} failed after {self.retries + 1} attempt(s): {problem}")


def _retry_after(resp: httpx.Response, default: float) -> float:
    """The endpoint's Retry-After in seconds (at most MAX_RETRY_AFTER_S), else `default` (also for an HTTP date, a
    negative number or nan)."""
    try:
        seconds = float(resp.headers.get("retry-after", ""))
    except ValueError:
        return default
    return min(seconds, MAX_RETRY_AFTER_S) if seconds >= 0 else default


def _bindings(body: bytes) -> list[Any]:
    """The `results.bindings` list of a SPARQL JSON results document; ValueError when it is not one."""
    try:
        found = json.loads(body)["results"]["bindings"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"no results.bindings ({type(exc).__name__} {exc})") from None
    if not isinstance(found, list):
        raise ValueError("results.bindings is not a list")
    return found


def _valid(uri: str, q: Quarantine) -> bool:
    try:
        iri("uri", uri)
    except BadValue as exc:
        q.reject("graph:Item.uri", 0, str(exc), uri)
        return False
    return True


def _select(
    sparql: Endpoint, subjects: list[str], types: dict[str, str], q: Quarantine, numbers: Iterator[int]
) -> Iterator[tuple[str, str, str, str | None]]:
    """(subject, predicate, object IRI, English label or None) for one batch of subjects; result rows that are not
    IRIs of the asked subjects and predicates are quarantined as `<endpoint>:<result number>`."""
    if not subjects:
        return
    query = QUERY.format(subjects=" ".join(f"<{s}>" for s in subjects), predicates=" ".join(f"<{p}>" for p in types))
    found = sparql.bindings(query)
    if len(found) >= sparql.max_rows:  # perhaps cut at the endpoint's result limit
        if len(subjects) > 1:
            half = len(subjects) // 2
            yield from _select(sparql, subjects[:half], types, q, numbers)
            yield from _select(sparql, subjects[half:], types, q, numbers)
            return
        log.warning("SPARQL answer for %s has %d rows, the endpoint's limit: some may be missing", subjects[0],
                    len(found))
    asked = set(subjects)
    for b in found:
        n = next(numbers)
        try:
            s, p = b["s"]["value"], b["p"]["value"]
            if s not in asked or p not in types:
                raise BadValue(f"bad value: result ({str(s)[:80]!r}, {str(p)[:80]!r}) was not asked for")
            o = iri("object", b["o"]["value"])
            label = b.get("label", {}).get("value")
            if label is not None and not isinstance(label, str):
                raise BadValue(f"bad value: label {str(label)[:80]!r} is not a string")
        except BadValue as exc:
            q.reject(sparql.url, n, str(exc), str(b)[:300])
            continue
        except (KeyError, TypeError, AttributeError) as exc:  # not a binding of ?s ?p ?o (?label) values
            q.reject(sparql.url, n, f"malformed: result is not a binding of s, p, o ({type(exc).__name__} {exc})",
                     str(b)[:300])
            continue
        yield s, p, o, label
