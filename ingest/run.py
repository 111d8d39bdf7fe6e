"""Ingest one dataset into Neo4j: resolve files, parse and validate, write in batches, report.

`ingest_dataset(driver, "movielens-100k", data_dir)` is the one call for the common path.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from neo4j import Driver
from tqdm import tqdm

from graphstore.schema import apply_schema
from graphstore.writer import GraphWriter, batched
from ingest.fetch import file_digest, resolve_files
from ingest.quarantine import Quarantine, Rejection
from ingest.records import Row, Section
from ingest.registry import get
from ingest.spec import DatasetSpec, Inputs
from kgrec.settings import get_settings

log = logging.getLogger(__name__)


class StrictModeError(ValueError):
    """--strict found bad rows; nothing was written."""

    def __init__(self, dataset: str, count: int, samples: list[Rejection]) -> None:
        lines = "\n".join(f"  {r}" for r in samples)
        super().__init__(f"{dataset}: {count} bad row(s), nothing written (--strict):\n{lines}")
        self.count = count
        self.samples = samples


@dataclass
class SectionStats:
    """One section's write: rows written, seconds, and what Neo4j created for it."""

    kind: str
    rows: int
    seconds: float
    nodes_created: int
    relationships_created: int


@dataclass
class IngestReport:
    """What one ingest did: rows loaded per section, rows skipped and where they were quarantined."""

    dataset: str
    mode: str  # "full", "append" (only appended rows written), "up-to-date" (nothing to write) or "enrich"
    sections: dict[str, SectionStats] = field(default_factory=dict)
    skipped: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)  # the first few, for the summary
    quarantine: Path | None = None
    nodes_created: int = 0
    relationships_created: int = 0
    seconds: float = 0.0

    def finish(self, q: Quarantine, writer: GraphWriter, started: float) -> IngestReport:
        """Close the quarantine file and fill in what was skipped and created."""
        q.close()
        self.skipped, self.skipped_by_reason = q.count, dict(q.reasons)
        self.rejections, self.quarantine = q.samples, q.path if q.count else None
        self.nodes_created = writer.counts.nodes_created
        self.relationships_created = writer.counts.relationships_created
        self.seconds = time.perf_counter() - started
        return self

    @property
    def loaded(self) -> dict[str, int]:
        """Rows written per section."""
        return {name: st.rows for name, st in self.sections.items()}

    def summary(self) -> str:
        loaded = ", ".join(f"{name} {n:,}" for name, n in self.loaded.items()) or "nothing"
        out = [f"{self.dataset} ({self.mode}): loaded {loaded}; skipped {self.skipped:,} in {self.seconds:.1f}s; "
               f"created {self.nodes_created:,} nodes, {self.relationships_created:,} relationships"]
        if self.skipped:
            out += [f"  {reason}: {n:,}" for reason, n in sorted(self.skipped_by_reason.items())]
            out += [f"  e.g. {r}" for r in self.rejections[:5]]
            out.append(f"  bad rows in {self.quarantine}")
        return "\n".join(out)


def ingest_dataset(
    driver: Driver,
    name: str | DatasetSpec,
    data_dir: Path | None = None,
    strict: bool = False,
    progress: bool = True,
    *,
    force: bool = False,
    cache_dir: Path | None = None,
    state_dir: Path | None = None,
    database: str | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    max_rows: int | None = None,
) -> IngestReport:
    """Ingest dataset `name` (a registry name, or a spec) from `data_dir` (else the cache, else the publisher).

    Idempotent: a re-run with unchanged files writes nothing ("up-to-date"; `force` re-writes, MERGE keeps
    counts exact); when only appendable files grew (old content a prefix), only the appended rows are written.
    Bad rows go to a JSONL quarantine file under `state_dir/quarantine`; with `strict` any bad row fails the
    run before anything is written. `workers` batches of a section are written concurrently. `max_rows` writes
    only the first rows of each interaction, knowledge and social section (a deterministic prefix, for trials and
    tests); such a run is recorded as incomplete.
    """
    settings = get_settings()
    spec = get(name) if isinstance(name, str) else name
    database = database or settings.neo4j_database
    batch_size = batch_size or settings.write_batch_size
    workers = workers or settings.write_workers
    started = time.perf_counter()
    paths = resolve_files(spec, data_dir, cache_dir or settings.cache_dir, progress)
    if strict:
        _dry_run(spec, Inputs(paths))

    apply_schema(driver, database)
    writer = GraphWriter(driver, spec.name, database)
    fingerprints = {key: _fingerprint(path) for key, path in paths.items()}
    manifest = writer.manifest()
    mode, starts = _plan(spec, manifest, fingerprints, paths, force)
    writer.fresh = mode == "full" and manifest is None and not writer.has_data()
    report = IngestReport(spec.name, mode)
    if mode == "up-to-date":
        log.info("%s is up to date (files unchanged since the last ingest)", spec.name)
        report.seconds = time.perf_counter() - started
        return report

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    scope = frozenset(paths[key] for key in starts) if mode == "append" else None
    q = Quarantine((state_dir or settings.state_dir) / "quarantine" / f"{spec.name}-{stamp}.jsonl", scope=scope)
    meta = spec.meta
    writer.dataset_node(meta.domain, meta.item_label, meta.explicit, list(meta.split_names))
    writer.set_manifest({"complete": False})  # a killed run leaves this: the next run writes everything again
    catalogue: dict[str, str] = {}
    try:
        for section in spec.parser(Inputs(paths, starts), q):
            if mode == "append" and not set(section.sources) & set(starts):
                _consume(section.rows)  # parsed for the ids it defines, already in the graph
                continue
            if max_rows is not None and section.kind not in ("users", "items"):
                section.rows, section.total = islice(section.rows, max_rows), None
            report.sections[section.name] = write_section(writer, section, meta.item_label, batch_size, progress,
                                                          catalogue, workers)
    finally:
        q.close()
    if catalogue:
        writer.predicates(catalogue)
    writer.set_manifest({"complete": max_rows is None, "files": fingerprints})
    return report.finish(q, writer, started)


def _dry_run(spec: DatasetSpec, inputs: Inputs) -> None:
    q = Quarantine(None)
    for section in spec.parser(inputs, q):
        _consume(section.rows)
    if q.count:
        raise StrictModeError(spec.name, q.count, q.samples)


def _consume(rows: Iterable[Row]) -> None:
    for _ in rows:
        pass


def _fingerprint(path: Path) -> dict[str, Any]:
    return {"size": path.stat().st_size, "sha256": file_digest(path)}


def _plan(
    spec: DatasetSpec,
    manifest: dict[str, Any] | None,
    now: dict[str, dict[str, Any]],
    paths: dict[str, Path],
    force: bool,
) -> tuple[str, dict[str, int]]:
    """("up-to-date" | "append" | "full", byte offsets to start appendable files at)."""
    if force or not manifest or not manifest.get("complete"):
        return "full", {}
    before: dict[str, dict[str, Any]] = manifest["files"]
    if before == now:
        return "up-to-date", {}
    if set(before) != set(now):
        return "full", {}
    starts: dict[str, int] = {}
    for key, fp in now.items():
        old = before[key]
        if fp == old:
            if key in spec.appendable:  # read (for the pairs it holds) but not written: it starts at its end
                starts[key] = fp["size"]
            continue
        if key not in spec.appendable or not _grew_from(paths[key], old):
            return "full", {}
        starts[key] = old["size"]
    return "append", starts


def _grew_from(path: Path, old: dict[str, Any]) -> bool:
    """True when the file is its old content (ending at a line break) with lines appended."""
    size = old["size"]
    if size == 0 or path.stat().st_size <= size:
        return False
    with path.open("rb") as fh:
        fh.seek(size - 1)
        if fh.read(1) != b"\n":
            return False
    return file_digest(path, limit=size) == old["sha256"]


KNOWLEDGE_KINDS = frozenset({"knowledge", "entity_knowledge"})


def write_section(
    writer: GraphWriter, section: Section, item_label: str, batch_size: int, progress: bool,
    catalogue: dict[str, str], workers: int = 1,
) -> SectionStats:
    """Write one section in batches with a progress bar; knowledge predicates are added to `catalogue`.

    Up to `workers` batches are written at once, each in its own managed transaction, while the next batch is
    parsed. A knowledge batch first MERGEs the entities no earlier batch wrote, one batch at a time in this thread
    (concurrent MERGEs of the same entities deadlocked on their key locks); its relationships, which only look
    their nodes up, then join the concurrent writes when they are CREATEd (a fresh dataset's item knowledge: the
    exclusive node locks of created relationships are taken at commit, in node-id order, as for interactions; no
    deadlock retry was measured on DBbook, Last.fm or ML-100K). MERGEd knowledge relationships lock
    their ends as each row is merged, in row order, and shared entities would deadlock concurrent batches: they
    are written one batch at a time, as are entity names from data (`entities`).
    """
    from_entity = section.kind == "entity_knowledge"
    write = {
        "users": writer.users,
        "items": lambda rows: writer.items(rows, item_label),
        "interactions": lambda rows: writer.interactions(rows, section.rel or ""),
        "social": lambda rows: writer.social(rows, section.rel or ""),
        "entities": writer.entities,
        "knowledge": writer.knowledge,
        "entity_knowledge": lambda rows: writer.knowledge(rows, from_entity=True),
    }[section.kind]
    serial = section.kind == "entities" or from_entity or (section.kind == "knowledge" and not writer.fresh)
    workers = 1 if serial else max(1, workers)
    written: dict[str, bool] = {}  # entities this section has MERGEd
    total = section.total if section.total is not None else _len(section.rows)
    written_rows, started = 0, time.perf_counter()
    nodes, rels = writer.counts.nodes_created, writer.counts.relationships_created
    with tqdm(total=total, desc=f"{writer.dataset} {section.name}", unit=" rows", unit_scale=True,
              disable=not progress, leave=False) as bar, ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[None]] = deque()
        for batch in batched(section.rows, batch_size):
            if section.kind in KNOWLEDGE_KINDS:
                catalogue.update((row["p"], row["rel"]) for row in batch)
                writer.knowledge_entities(batch, section.entity_label, from_entity, written)
            if len(pending) == workers:
                pending.popleft().result()
            pending.append(pool.submit(write, batch))
            written_rows += len(batch)
            bar.update(len(batch))
        while pending:
            pending.popleft().result()
    stats = SectionStats(section.kind, written_rows, time.perf_counter() - started, writer.counts.nodes_created - nodes,
                         writer.counts.relationships_created - rels)
    log.info("%s %s: %d rows in %.1fs (%.0f rows/s)", writer.dataset, section.name, written_rows, stats.seconds,
             written_rows / max(stats.seconds, 1e-9))
    return stats


def _len(rows: Iterable[Row]) -> int | None:
    return len(rows) if isinstance(rows, list | tuple) else None
