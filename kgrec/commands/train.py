"""`kgrec train`, `kgrec evaluate` and `kgrec models`: Neo4j → learner → Neo4j."""

from __future__ import annotations

import inspect
import json
import re
from typing import TYPE_CHECKING, Annotated

import typer

from kgrec.errors import friendly_errors
from kgrec.settings import get_settings

if TYPE_CHECKING:
    from neo4j import Driver

models_app = typer.Typer(help="List, activate and delete model versions stored in Neo4j.", no_args_is_help=True)


def _params(raw: list[str] | None) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in raw or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected key=value, got {item!r}", param_hint="--param")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def _device(value: str) -> str:
    """The --device values torch accepts that the help names (a typo would fail only after the export)."""
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", value):
        raise typer.BadParameter(f"{value!r} is not auto, cpu, cuda or cuda:N")
    return value


def _positive(value: float | None) -> float | None:
    """--lr above 0 (torch's 'Invalid learning rate' came after the export and did not name the option)."""
    if value is not None and not value > 0:
        raise typer.BadParameter(f"{value} is not a positive number")
    return value


def registry_name(model: str) -> str:
    """--model as a usage error when the registry has no such name (it was found only after the export)."""
    from learner.models import resolve_name

    try:
        resolve_name(model)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return model


def _check_model(ctx: typer.Context, model: str, params: dict[str, object]) -> None:
    """The model takes the options given: --dim for a model without embeddings, or --epochs/--lr/--patience for
    one fitted without epochs (EASE, the blend, …), were silently ignored; an unknown --param key was found only
    after the export."""
    from kgrec.training import check_params
    from learner.models import MODELS, resolve_name

    name = resolve_name(model)
    cls = MODELS[name]
    try:
        check_params(name, params)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--param") from exc
    given = [p for p in ("dim", "epochs", "lr", "patience") if ctx.get_parameter_source(p).name == "COMMANDLINE"]
    if "dim" in given and "dim" not in inspect.signature(cls.__init__).parameters:
        raise typer.BadParameter(f"model {name!r} has no embedding dimension to set", param_hint="--dim")
    if not cls.trainable and (epochwise := [p for p in given if p != "dim"]):
        raise typer.BadParameter(f"model {name!r} is fitted without epochs; it has no use for it",
                                 param_hint=f"--{epochwise[0]}")


def check_split(driver: Driver, dataset: str, split: str) -> None:
    """--split names a split the dataset has (a usage error naming those it has)."""
    from kgrec.training import check_split as check

    try:
        check(driver, dataset, split)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--split") from None


def train_command(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="An ingested dataset, e.g. movielens-100k.")],
    model: Annotated[str, typer.Option("--model", "-m", callback=registry_name,
                                       help="Registry name: `kgrec models available`.")] = "lightgcn",
    split: Annotated[str, typer.Option(help="u1…u5, ua, ub, kgat (official), random or temporal.")] = "random",
    epochs: Annotated[int | None, typer.Option(min=1, help="Maximum epochs (model default when unset).")] = None,
    dim: Annotated[int, typer.Option(min=1, help="Embedding dimension.")] = 64,
    lr: Annotated[float | None, typer.Option(callback=_positive, help="Learning rate (model default when unset).")]
    = None,
    patience: Annotated[int, typer.Option(min=1, help="Early stopping: evaluations without improvement.")] = 10,
    seed: Annotated[int, typer.Option(help="Random seed (split, init, sampling).")] = 0,
    device: Annotated[str, typer.Option(callback=_device, help="auto (CUDA when available), cpu or cuda[:N].")]
    = "auto",
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="Model argument key=value.")] = None,
    activate: Annotated[bool, typer.Option(help="Activate the new version for serving.")] = True,
    keep: Annotated[int, typer.Option(min=1, help="Versions of this model kept in Neo4j.")] = 3,
) -> None:
    """Export a dataset from Neo4j, train a model, evaluate it, and write its embeddings back."""
    from graphstore.connection import open_driver
    from graphstore.export import ExportError, export_graph
    from graphstore.models import ModelVersionError
    from graphstore.provision import ProvisionError
    from kgrec.training import TrainOptions, train_and_write

    params = _params(param)
    batch_size = params.pop("batch_size", None)  # a TrainOptions field, as a --param for want of its own option
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise typer.BadParameter(f"batch_size must be a positive integer, got {batch_size!r}", param_hint="--param")
    _check_model(ctx, model, params)
    settings = get_settings()
    options = TrainOptions(model=model, split=split, epochs=epochs, dim=dim, lr=lr, patience=patience, seed=seed,
                           device=device, batch_size=batch_size, params=params)
    with friendly_errors(ProvisionError, ExportError, ModelVersionError, ValueError, KeyError, OSError), \
            open_driver(settings) as driver:
        settings.runs_dir.mkdir(parents=True, exist_ok=True)  # an unusable run directory fails before the export
        check_split(driver, dataset, split)
        data = export_graph(driver, dataset)
        outcome = train_and_write(driver, data, options, keep=keep, runs_dir=settings.runs_dir,
                                  decide=None if activate else (lambda *_: False))
    typer.echo(f"{outcome.model_name} on {dataset} ({split}) trained in {outcome.train_seconds:.1f}s; "
               f"run directory {outcome.run_dir}")
    for name in sorted(outcome.test_metrics):
        typer.echo(f"  test {name:<14} {outcome.test_metrics[name]:.4f}")
    if outcome.version is not None:
        typer.echo(f"embeddings written to Neo4j as {outcome.model_name} v{outcome.version}"
                   f"{' (active)' if outcome.activated else ' (not activated)'}")


def evaluate_command(
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="An ingested dataset.")],
    split: Annotated[str, typer.Option(help="u1…u5, ua, ub, kgat (official), random or temporal.")] = "random",
    name: Annotated[str | None, typer.Option("--model", "-m",
                                             help="Model name (default: the active one's).")] = None,
    version: Annotated[int | None, typer.Option(
        help="Version (default: the active one; with --model, that model's newest).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random split.")] = 0,
) -> None:
    """Score a stored model version's embeddings on a split of the current graph (full ranking)."""
    from graphstore.connection import open_driver
    from graphstore.export import ExportError, export_graph
    from graphstore.models import ModelVersionError, active_version, get_version, list_versions, load_embeddings
    from graphstore.provision import ProvisionError
    from kgrec.training import evaluate_embeddings
    from learner.splits import make_split

    if name is None and version is not None:
        raise typer.BadParameter("needs --model: which model's version", param_hint="--version")
    with friendly_errors(ProvisionError, ExportError, ModelVersionError, ValueError), \
            open_driver(get_settings()) as driver:
        if name is None:
            mv = active_version(driver, dataset)
        elif version is None:  # a named model is never silently swapped for the active one
            mv = max((m for m in list_versions(driver, dataset) if m.name == name), key=lambda m: m.version,
                     default=None)
        else:
            mv = get_version(driver, dataset, name, version)
        if mv is None:
            raise ModelVersionError(f"no such model version for {dataset!r}: run `kgrec train` or `kgrec models list`")
        check_split(driver, dataset, split)
        data = export_graph(driver, dataset, knowledge=False, social=False)
        metrics = evaluate_embeddings(data, make_split(data, split, seed=seed), load_embeddings(driver, mv, "User"),
                                      load_embeddings(driver, mv, "Item"), mv.similarity)
    typer.echo(f"{mv.name} v{mv.version} on {dataset} ({split}, training items excluded)")
    trained_on = mv.params.get("split")
    if trained_on != split or (split in ("random", "temporal") and mv.params.get("seed", seed) != seed):
        typer.secho(f"warning: this version was trained with split {trained_on!r}; its training data may include "
                    f"these test interactions, so the figures below can be optimistic", fg=typer.colors.YELLOW)
    for key in sorted(metrics):
        typer.echo(f"  {key:<14} {metrics[key]:.4f}")


@models_app.command("list")
def list_command(dataset: Annotated[str | None, typer.Option("--dataset", "-d",
                                                             help="Only this dataset's versions.")] = None) -> None:
    """Model versions in Neo4j with their test metrics; * marks the active one."""
    from graphstore.connection import open_driver
    from graphstore.models import list_versions

    with open_driver() as driver:
        versions = list_versions(driver, dataset)
    if not versions:
        typer.echo("no model versions yet: run `kgrec train`")
    for mv in versions:
        ndcg = mv.metrics.get("test/ndcg@20")
        typer.echo(f"{'*' if mv.active else ' '} {mv.dataset:<18} {mv.name:<12} v{mv.version:<3} {mv.trained_at} "
                   f"dim={mv.dim} {mv.similarity}" + (f" test ndcg@20={ndcg:.4f}" if ndcg is not None else "")
                   + ("  (being deleted; `kgrec models delete` finishes a deletion that was cut short)"
                      if mv.deleting else ""))


@models_app.command("activate")
def activate_command(dataset: Annotated[str, typer.Option("--dataset", "-d", help="The dataset it serves.")],
                     name: Annotated[str, typer.Argument(help="Model name.")],
                     version: Annotated[int, typer.Argument(help="Version number.")]) -> None:
    """Serve another stored version (e.g. roll back), atomically."""
    from graphstore.connection import open_driver
    from graphstore.models import ModelVersionError, activate_version

    with friendly_errors(ModelVersionError), open_driver() as driver:
        activate_version(driver, dataset, name, version)
    typer.echo(f"{name} v{version} is now active for {dataset}")


@models_app.command("delete")
def delete_command(dataset: Annotated[str, typer.Option("--dataset", "-d", help="The dataset it was trained on.")],
                   name: Annotated[str, typer.Argument(help="Model name.")],
                   version: Annotated[int, typer.Argument(help="Version number.")]) -> None:
    """Delete a stored version that is not active: its embeddings, its vector indexes and its node."""
    from graphstore.connection import open_driver
    from graphstore.models import ModelVersionError, delete_version, require_version

    with friendly_errors(ModelVersionError), open_driver() as driver:
        delete_version(driver, require_version(driver, dataset, name, version))
    typer.echo(f"{name} v{version} of {dataset} deleted")


@models_app.command("available")
def available_command() -> None:
    """Model names the learner can train."""
    from learner.models import MODELS

    for name, cls in sorted(MODELS.items()):
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        typer.echo(f"{name:<14} {doc}")


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
    app.command("evaluate")(evaluate_command)
    app.add_typer(models_app, name="models")
