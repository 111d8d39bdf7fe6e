"""Scheduled ingest → export → train (warm-started from the active version where the model allows) →
evaluate → promotion gate → write-back → activate → prune.

`kgrec pipeline run --config pipeline.toml` runs one pass; a lock file refuses a second concurrent run;
a failed or killed run leaves the active version serving (a version is activated in one transaction, only
after its vector indexes are ONLINE, and only when the gate lets it through). Every run writes a JSON report.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kgrec.settings import Settings
from kgrec.training import TrainOptions, check_params, check_split, evaluate_embeddings, train_and_write
from learner.metrics import ranking_metric_names
from learner.models import resolve_name

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_LOCKED = 0, 1, 75  # 75 = EX_TEMPFAIL: another run holds the lock, retry later


class IngestSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    data_dir: Path | None = None


class GateSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metric: str = "ndcg@20"
    tolerance: float = Field(0.0, ge=0.0, description="absolute drop of `metric` still accepted")

    @field_validator("metric")
    @classmethod
    def _comparable(cls, metric: str) -> str:
        """A metric the active version is re-scored with (full ranking at DEFAULT_KS); anything else failed only
        after training, and only once a version was active, i.e. on the second scheduled run."""
        known = ranking_metric_names()
        if metric not in known:
            raise ValueError(f"{metric!r} is not a metric the gate can compare; choose one of: {', '.join(known)}")
        return metric


class PipelineConfig(BaseModel):
    """pipeline.toml: `dataset` at the top, then [ingest], [train], [gate], [retention] tables."""

    model_config = ConfigDict(extra="forbid")
    dataset: str
    ingest: IngestSection = IngestSection()
    train: TrainOptions = TrainOptions()
    gate: GateSection = GateSection()
    keep: int = Field(3, ge=1, description="model versions kept per model name")
    report_dir: Path | None = None

    @field_validator("train")
    @classmethod
    def _trainable(cls, train: TrainOptions) -> TrainOptions:
        check_params(train.model, train.params)  # a model and arguments refused at load, not after the export
        return train

    @classmethod
    def load(cls, path: Path) -> PipelineConfig:
        """The config in `path` (ValueError when it is not TOML or not a valid config)."""
        with path.open("rb") as fh:
            try:
                raw = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{path} is not valid TOML: {exc}") from exc
        return cls.model_validate(raw)


class PipelineLocked(RuntimeError):
    """Another pipeline run holds the lock."""


@contextmanager
def pipeline_lock(path: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock released by the OS even when the process is killed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            raise PipelineLocked(f"another pipeline run holds {path} ({fh.read().strip() or 'unknown pid'})") from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class PipelineReport:
    dataset: str
    started_at: str
    status: str = "running"  # succeeded | failed | locked
    steps: dict[str, Any] = field(default_factory=dict)
    decision: str | None = None  # promoted | rejected
    error: str | None = None
    path: Path | None = None

    def step(self, name: str, started: float, **info: Any) -> None:
        self.steps[name] = {"seconds": round(time.monotonic() - started, 2), **info}
        log.info("pipeline %s: %s", name, json.dumps(self.steps[name], default=str))


def gate(candidate: dict[str, float], active: dict[str, float] | None, metric: str, tolerance: float) -> bool:
    """Promote when there is no active version, or the candidate is not worse beyond `tolerance`."""
    if active is None:
        return True
    if metric not in candidate or metric not in active:
        raise KeyError(f"gate metric {metric!r} missing (candidate has {sorted(candidate)})")
    lower_is_better = metric.split("@")[0] in ("rmse", "mae")
    if lower_is_better:
        return candidate[metric] <= active[metric] + tolerance
    return candidate[metric] >= active[metric] - tolerance


def run_pipeline(config: PipelineConfig, settings: Settings) -> PipelineReport:
    """One pass of the pipeline; the report says what happened, also on failure."""
    from graphstore.connection import open_driver
    from graphstore.export import export_graph
    from graphstore.models import active_version, load_embeddings

    report = PipelineReport(config.dataset, datetime.now(UTC).isoformat(timespec="seconds"))
    report_dir = config.report_dir or settings.state_dir / "pipeline-reports"
    try:
        with pipeline_lock(settings.state_dir / f"pipeline-{config.dataset}.lock"), open_driver(settings) as driver:
            if config.ingest.enabled:
                from ingest.run import ingest_dataset

                t = time.monotonic()
                ingested = ingest_dataset(driver, config.dataset, config.ingest.data_dir or settings.data_dir,
                                          progress=False)
                log.info("%s", ingested.summary())  # `kgrec ingest` prints it; a scheduled run logs it
                report.step("ingest", t, mode=ingested.mode, loaded=ingested.loaded, skipped=ingested.skipped)
            check_split(driver, config.dataset, config.train.split)  # a typo fails before the export
            t = time.monotonic()
            data = export_graph(driver, config.dataset)
            report.step("export", t, users=data["user"].num_nodes, items=data["item"].num_nodes,
                        interactions=data["user", "rates", "item"].edge_index.size(1))

            active = active_version(driver, config.dataset)
            stored = None if active is None else (load_embeddings(driver, active, "User"),
                                                  load_embeddings(driver, active, "Item"))

            def decide(result: Any, split: Any) -> bool:
                t_eval = time.monotonic()
                candidate = result.metrics["test"]
                baseline = None if stored is None else evaluate_embeddings(data, split, *stored, active.similarity)
                promote = gate(candidate, baseline, config.gate.metric, config.gate.tolerance)
                report.step("gate", t_eval, metric=config.gate.metric, candidate=candidate.get(config.gate.metric),
                            active=None if baseline is None else baseline.get(config.gate.metric),
                            active_version=None if active is None else f"{active.name} v{active.version}",
                            tolerance=config.gate.tolerance, promoted=promote)
                report.decision = "promoted" if promote else "rejected"
                return promote

            same_model = active is not None and active.name == resolve_name(config.train.model) \
                and active.dim == config.train.dim
            t = time.monotonic()
            outcome = train_and_write(driver, data, config.train, keep=config.keep, decide=decide,
                                      runs_dir=settings.runs_dir, warm_from=stored if same_model else None)
            report.step("train", t, model=outcome.model_name, run_dir=str(outcome.run_dir),
                        version=outcome.version, test=outcome.test_metrics, train_seconds=outcome.train_seconds,
                        warm_started_from=f"{active.name} v{active.version}" if outcome.warm_started else None)
        report.status = "succeeded"
    except PipelineLocked as exc:
        report.status, report.error = "locked", str(exc)
    except Exception as exc:  # the report must say why a scheduled run failed
        log.exception("pipeline failed")
        report.status, report.error = "failed", f"{type(exc).__name__}: {exc}"
    report_dir.mkdir(parents=True, exist_ok=True)
    report.path = report_dir / f"{config.dataset}-{report.started_at.replace(':', '')}-{os.getpid()}.json"
    report.path.write_text(json.dumps(asdict(report), indent=2, default=_json_default) + "\n")
    return report


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def exit_code(report: PipelineReport) -> int:
    return {"succeeded": EXIT_OK, "locked": EXIT_LOCKED}.get(report.status, EXIT_FAILED)
