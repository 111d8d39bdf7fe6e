"""`kgrec demo`: the main job end to end on a fresh machine."""

from __future__ import annotations

from typing import Annotated

import typer

from graphstore.provision import ProvisionError
from kgrec.commands.train import registry_name
from kgrec.errors import friendly_errors
from kgrec.settings import get_settings

DATASET = "movielens-100k"

SAMPLE_QUERY = """{
  recommendations(userId: "1", dataset: "movielens-100k", first: 3) {
    strategy
    items { rank score item { id title } explanations { sentence } }
  }
}"""


def demo(
    model: Annotated[str, typer.Option(callback=registry_name, help="Model to train (one with embeddings).")]
    = "lightgcn",
    epochs: Annotated[int, typer.Option(help="Maximum training epochs.")] = 40,
    retrain: Annotated[bool, typer.Option(help="Train even if an active model exists.")] = False,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the API at the end.")] = True,
) -> None:
    """Neo4j up → MovieLens-100K + DBpedia knowledge ingested → model trained and written back → API serving."""
    from neo4j.exceptions import Neo4jError
    from pydantic import ValidationError

    from api.settings import ApiSettings
    from graphstore.connection import ensure_server, make_driver
    from graphstore.export import export_graph
    from graphstore.models import ModelVersionError, active_version
    from ingest.fetch import FetchError
    from ingest.run import ingest_dataset
    from kgrec.training import TrainOptions, train_and_write

    settings = get_settings()
    with friendly_errors(ProvisionError, Neo4jError, FetchError, OSError, ValidationError, ModelVersionError):
        api = ApiSettings() if serve else None  # where the API will listen: checked before any work
        creds = ensure_server(settings)
        typer.secho(f"1/4 Neo4j is up: {creds.uri} (Browser http://127.0.0.1:{settings.http_port}/browser/, "
                    f"user neo4j, password from {creds.source})", bold=True)
        with make_driver(creds) as driver:
            report = ingest_dataset(driver, DATASET, settings.data_dir)
            typer.secho(f"2/4 {report.summary()}", bold=True)
            active = active_version(driver, DATASET)
            if active is None or retrain:
                data = export_graph(driver, DATASET)
                outcome = train_and_write(driver, data, TrainOptions(model=model, epochs=epochs, patience=5),
                                          runs_dir=settings.runs_dir)
                if outcome.version is None:  # it was "ease vNone trained and active", then an API with no model
                    raise ModelVersionError(f"{outcome.model_name} has no embeddings for the API to serve: run the "
                                         "demo with a model that has (lightgcn, bprmf, …)")
                typer.secho(f"3/4 {outcome.model_name} v{outcome.version} trained and active: test "
                            f"recall@20={outcome.test_metrics['recall@20']:.4f} "
                            f"ndcg@20={outcome.test_metrics['ndcg@20']:.4f} (run {outcome.run_dir})", bold=True)
            else:
                typer.secho(f"3/4 {active.name} v{active.version} is already active (use --retrain to train again)",
                            bold=True)
    if api is None:
        return
    from kgrec.commands.serve import serve as serve_command

    typer.secho(f"4/4 GraphQL API with GraphiQL at http://{api.host}:{api.port}/graphql — try:\n" + SAMPLE_QUERY,
                bold=True)
    serve_command(host=None, port=None, workers=None)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
