"""`kgrec ingest <dataset>` (a registry name, a folder of your own files, or `dbpedia`) and `kgrec datasets`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graphstore.provision import ProvisionError
from kgrec.errors import friendly_errors
from kgrec.settings import get_settings


def ingest(
    dataset: Annotated[str, typer.Argument(
        help="A name from `kgrec datasets`, a folder of your own files, or `dbpedia` (SPARQL enrichment).")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", exists=True, file_okay=False,  # a typo must not mean "download"
                                  help="Folder holding the dataset files (default: KGREC_DATA_DIR).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on any bad row, before writing anything.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Write everything even if the files are unchanged.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bars with rows/s.")] = True,
    target: Annotated[str | None, typer.Option(
        "--target", help="With `dbpedia`: the ingested dataset whose items to enrich.")] = None,
    endpoint: Annotated[str | None, typer.Option(
        "--endpoint", envvar="KGREC_SPARQL_ENDPOINT", help="With `dbpedia`: the SPARQL endpoint.")] = None,
    all_items: Annotated[bool, typer.Option(
        "--all-items", help="With `dbpedia`: ask for every linked item, also those that already have some of the "
                            "properties (default: only items that have none of them).")] = False,
    uri_prefix: Annotated[list[str] | None, typer.Option(
        "--uri-prefix", help="With `dbpedia`: ask only for item IRIs starting with this (repeatable; default: "
                             "DBpedia resources, http(s)://dbpedia.org/resource/).")] = None,
) -> None:
    """Load a dataset into Neo4j: files from --data-dir, else the cache, else downloaded and verified."""
    from neo4j.exceptions import Neo4jError

    from graphstore.connection import open_driver
    from ingest.datasets.own_files import OwnDataError
    from ingest.enrich import DBPEDIA_RESOURCES, SparqlError, enrich_from_sparql
    from ingest.fetch import FetchError
    from ingest.registry import UnknownDataset, get
    from ingest.run import StrictModeError, ingest_dataset

    settings = get_settings()
    errors = (ProvisionError, Neo4jError, FetchError, UnknownDataset, OwnDataError, StrictModeError, SparqlError,
              OSError)
    with friendly_errors(*errors):
        if dataset == "dbpedia":
            if not target:
                raise typer.BadParameter("`kgrec ingest dbpedia` needs --target <dataset>", param_hint="--target")
            with open_driver(settings) as driver:
                report = enrich_from_sparql(driver, target, endpoint, progress=progress, all_items=all_items,
                                            uri_prefixes=tuple(uri_prefix or DBPEDIA_RESOURCES))
        else:
            spec = get(dataset)  # an unknown name fails before any server is started
            with open_driver(settings) as driver:
                report = ingest_dataset(driver, spec, data_dir or settings.data_dir, strict, progress, force=force)
    typer.echo(report.summary())


def datasets() -> None:
    """List the datasets kgrec can ingest: their files (with sha256), publisher and licence."""
    from ingest.registry import DATASETS

    for name, spec in sorted(DATASETS.items()):
        typer.echo(f"{name}\n  {spec.description}\n  publisher: {spec.homepage}\n  licence:   {spec.licence}")
        for f in spec.files:
            typer.echo(f"  file:      {f.path}  sha256 {f.sha256 or '(none recorded)'}"
                       + ("  (optional)" if f.optional else ""))
    typer.echo("<folder>\n  your own files: interactions, items, users, triples, social (see ingest/README.md)")
    typer.echo("dbpedia --target <dataset>\n  DBpedia properties and labels over SPARQL for the dataset's linked items "
               "that lack them")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("datasets")(datasets)
