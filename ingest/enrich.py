"""DBpedia enrichment over SPARQL: typed relationships from a dataset's linked items to the entities DBpedia names.

`kgrec ingest dbpedia --target movielens-100k [--endpoint URL]` asks the endpoint (default the public DBpedia
one; the CLI also reads `KGREC_SPARQL_ENDPOINT`) for chosen properties of every item IRI, in batches, with
English labels of the objects. IRIs are validated before they go into a query; results are validated like any
input row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from neo4j import Driver

from graphstore.schema import apply_schema
from graphstore.writer import GraphWriter
from ingest.knowledge import DBO, DCT, BadPredicate, entity_name, relationship_type
from ingest.quarantine import Quarantine
from ingest.records import Row, Section
from ingest.run import IngestReport, write_section
from ingest.values import BadValue, iri
from kgrec.settings import get_settings

log = logging.getLogger(__name__)
DEFAULT_ENDPOINT = "https://dbpedia.org/sparql"
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
    database: str | None = None,
    timeout: float = 60.0,
) -> IngestReport:
    """Add (:Item)-[:REL {predicate}]->(:Entity {uri, name}) for `dataset`'s items with a `uri`, from SPARQL."""
    settings = get_settings()
    endpoint = endpoint or DEFAULT_ENDPOINT
    database = database or settings.neo4j_database
    started = time.perf_counter()
    predicates = [iri("property", p) for p in properties]
    types = {p: relationship_type(p) for p in predicates}
    apply_schema(driver, database)
    writer = GraphWriter(driver, dataset, database)
    items_by_uri = writer.item_uris()
    if not items_by_uri:
        raise SparqlError(f"dataset {dataset!r} has no items with a uri: ingest it first")
    q = Quarantine((state_dir or settings.state_dir) / "quarantine" / f"{dataset}-dbpedia-{int(time.time())}.jsonl")
    triples: list[Row] = []
    names: dict[str, str] = {}
    uris = sorted(items_by_uri)
    with httpx.Client(timeout=timeout, headers={"Accept": "application/sparql-results+json"}) as client:
        for start in range(0, len(uris), batch):
            chunk = [u for u in uris[start:start + batch] if _valid(u, q)]
            for row in _select(client, endpoint, chunk, predicates, q):
                s, p, o, label = row
                rel = types[p]
                triples += [{"s": item, "o": o, "p": p, "rel": rel, "name": label or entity_name(o)}
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


def _valid(uri: str, q: Quarantine) -> bool:
    try:
        iri("uri", uri)
    except BadValue as exc:
        q.reject("graph:Item.uri", 0, str(exc), uri)
        return False
    return True


def _select(
    client: httpx.Client, endpoint: str, subjects: list[str], predicates: list[str], q: Quarantine
) -> Iterator[tuple[str, str, str, str | None]]:
    """(subject, predicate, object IRI, English label or None) for one batch of subjects."""
    if not subjects:
        return
    query = QUERY.format(subjects=" ".join(f"<{s}>" for s in subjects),
                         predicates=" ".join(f"<{p}>" for p in predicates))
    try:
        resp = client.post(endpoint, data={"query": query})
        resp.raise_for_status()
        bindings = resp.json()["results"]["bindings"]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise SparqlError(f"SPARQL query to {endpoint} failed: {exc}") from exc
    for n, b in enumerate(bindings, start=1):
        try:
            s, p = b["s"]["value"], b["p"]["value"]
            o = iri("object", b["o"]["value"])
            relationship_type(p)
        except (KeyError, BadValue, BadPredicate) as exc:
            q.reject(endpoint, n, f"bad value: result {exc}", str(b)[:300])
            continue
        yield s, p, o, b.get("label", {}).get("value")
