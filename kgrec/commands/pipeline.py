"""`kgrec pipeline run`: the scheduled ingest-and-retrain job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kgrec.errors import friendly_errors
from kgrec.settings import get_settings

pipeline_app = typer.Typer(help="Scheduled ingest-and-retrain with a promotion gate.", no_args_is_help=True)


@pipeline_app.command("run")
def pipeline_run(config: Annotated[Path, typer.Option("--config", "-c", exists=True, dir_okay=False,
                                                      help="pipeline.toml")]) -> None:
    """One scheduled pass: ingest → export → train → gate → write-back → activate → prune (JSON report).

    Exit codes: 0 succeeded (promoted or rejected by the gate), 1 failed, 75 another run holds the lock."""
    from kgrec.pipeline import PipelineConfig, exit_code, run_pipeline

    with friendly_errors(ValueError, OSError):  # not TOML, or not a valid config (pydantic's errors are ValueErrors)
        cfg = PipelineConfig.load(config)
    report = run_pipeline(cfg, get_settings())
    typer.echo(f"pipeline {report.status}" + (f" ({report.decision})" if report.decision else "")
               + (f": {report.error}" if report.error else "") + f"; report {report.path}")
    raise typer.Exit(exit_code(report))


def register(app: typer.Typer) -> None:
    app.add_typer(pipeline_app, name="pipeline")
