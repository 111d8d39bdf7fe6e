"""Ingest speed per dataset over Bolt: rows/s and relationships/s, fresh load and MERGE re-write.

    python benchmarks/ingest.py [--datasets movielens-100k ...] [--data-dir DIR] [--batch-size N] [--workers N]

Batch size and writers default to kgrec's (KGREC_WRITE_BATCH_SIZE, KGREC_WRITE_WORKERS), what `kgrec ingest` uses.
Runs against a Neo4j it manages under .kgrec/bench (ports KGREC_BENCH_BOLT_PORT/KGREC_BENCH_HTTP_PORT,
default 17787/17574; the database is wiped) unless NEO4J_URI is set. Writes benchmarks/results/ingest.json
and the table in benchmarks/README.md (section "Ingest"). Wall-clock numbers depend on what else the machine
runs, so the load average and the CPU seconds the server and the client spent are recorded too. Before the first
measurement untimed warm-up ingests (all of MovieLens-100K, fresh and MERGE; three passes by default) let the
server's JVM compile its hot paths: on a cold server MovieLens-100K's fresh load took 30 server CPU-s, five times
what it takes once the JVM is warm; after a warm-up of only its first 20,000 rows per section, a fresh load of
KGAT's first 400,000 interactions still took twice the server CPU (29.8 s) of the same load run again
(12.2-14.4 s); after one pass, four back-to-back Amazon-KG Books fresh loads still fell from 7.35 to 4.94 server CPU-s.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: its own folder would shadow the `ingest` package
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.report import markdown_table, write_results
from graphstore.connection import open_driver
from graphstore.provision import resolve_server
from graphstore.schema import apply_schema, wipe_database
from ingest.fetch import FetchError
from ingest.registry import names
from ingest.run import IngestReport, ingest_dataset
from kgrec.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("benchmarks.ingest")
TARGET = 50_000  # relationships/s over Bolt on 2 cores (issue 3)


def bench_settings() -> Settings:
    if os.environ.get("NEO4J_URI"):
        return Settings()
    return Settings(
        state_dir=Path(os.environ.get("KGREC_BENCH_STATE_DIR", ROOT / ".kgrec" / "bench")),
        bolt_port=int(os.environ.get("KGREC_BENCH_BOLT_PORT", "17787")),
        http_port=int(os.environ.get("KGREC_BENCH_HTTP_PORT", "17574")),
    )


def server_cpu_seconds(settings: Settings) -> float | None:
    """CPU seconds the managed server's JVM has used (None for a server kgrec does not run here)."""
    pid_file = settings.neo4j_home / "run" / "neo4j.pid"
    try:
        fields = Path(f"/proc/{int(pid_file.read_text())}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(run: Any, settings: Settings) -> tuple[IngestReport, dict[str, Any]]:
    cpu0, client0, load0 = server_cpu_seconds(settings), time.process_time(), os.getloadavg()[0]
    report = run()
    cpu1 = server_cpu_seconds(settings)
    return report, {
        "server_cpu_s": None if cpu0 is None or cpu1 is None else round(cpu1 - cpu0, 2),
        "client_cpu_s": round(time.process_time() - client0, 2),
        "load_avg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }


def row(report: IngestReport, extra: dict[str, Any]) -> dict[str, Any]:
    """Rows/s over every section; relationships/s over the sections that write relationships only."""
    sections = report.sections.values()
    rel_sections = [st for st in sections if st.kind not in ("users", "items", "entities")]
    rows, write_s = sum(st.rows for st in sections), sum(st.seconds for st in sections)
    rels, rel_s = sum(st.rows for st in rel_sections), sum(st.seconds for st in rel_sections)
    return {
        "mode": report.mode, "rows": rows, "relationships_written": rels,
        "relationships_created": sum(st.relationships_created for st in sections),
        "total_s": round(report.seconds, 2), "write_s": round(write_s, 2), "relationship_write_s": round(rel_s, 2),
        "rows_per_s": round(rows / max(write_s, 1e-9)), "relationships_per_s": round(rels / max(rel_s, 1e-9)),
        "sections": {name: {"kind": st.kind, "rows": st.rows, "seconds": round(st.seconds, 2),
                            "rows_per_s": round(st.rows / max(st.seconds, 1e-9))}
                     for name, st in report.sections.items()},
        **extra,
    }


def warm_up(driver: Any, data_dir: Path, state: Path, batch_size: int, workers: int, passes: int) -> None:
    """Untimed: every write query shape on a fresh and on an existing dataset, `passes` times, then a clean
    database."""
    for _ in range(passes):
        wipe_database(driver)
        apply_schema(driver)
        for force in (False, True):
            try:
                ingest_dataset(driver, "movielens-100k", data_dir, progress=False, force=force, state_dir=state,
                               batch_size=batch_size, workers=workers)
            except FetchError as exc:
                log.warning("no warm-up: %s", exc)
                return


def _verdict(results: dict[str, Any], label: str) -> str:
    """Whether runs of one kind reach the target: which datasets do, and the best rate."""
    rates = {name: runs[label]["relationships_per_s"] for name, runs in results["datasets"].items() if label in runs}
    if not rates:
        return f"{label}: not measured"
    met = sorted(name for name, rate in rates.items() if rate >= TARGET)
    best = max(rates, key=rates.__getitem__)
    if not met:
        return f"{label}: **not met** (best {rates[best]:,} rels/s, {best})"
    return (f"{label}: met by {', '.join(met)} ({len(met)} of {len(rates)} datasets; "
            f"best {rates[best]:,} rels/s, {best})")


def table(results: dict[str, Any]) -> str:
    header = ["dataset", "run", "rows", "rels written", "write s", "rows/s", "rels/s", "server CPU s",
              "rels per server CPU s", "client CPU s", "load avg"]
    rows = [
        [name, label, r["rows"], r["relationships_written"], r["write_s"], r["rows_per_s"], r["relationships_per_s"],
         r["server_cpu_s"], round(r["relationships_written"] / r["server_cpu_s"]) if r["server_cpu_s"] else "—",
         r["client_cpu_s"], f"{r['load_avg_1m'][0]}→{r['load_avg_1m'][1]}"]
        for name, runs in sorted(results["datasets"].items()) for label, r in runs.items()
    ]
    verdict = "; ".join(_verdict(results, label) for label in ("fresh load (CREATE)", "re-write (MERGE)"))
    return (
        "## Ingest\n\n`python benchmarks/ingest.py [--datasets …] [--no-rewrite]` (Bolt on loopback, batches of "
        f"{results['batch_size']:,}, {results.get('workers', 1)} concurrent writer sessions, after "
        f"{results.get('warm_up_passes', 1)} untimed MovieLens-100K warm-up ingest(s)). "
        "Fresh load = a dataset new to the database, its nodes and relationships "
        "CREATEd; re-write = the same files again with `--force`, every row MERGEd (nothing new is created). "
        "rels/s counts the time of the relationship sections only. The load average before→after shows how busy "
        "the shared machine was (2 cores); the CPU seconds the server and the client spent are the steadier "
        f"figures. Target ≥ {TARGET:,} relationships/s over Bolt on 2 cores: {verdict}.\n\n"
        + markdown_table(header, rows)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="*", default=names())
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("KGREC_DATA_DIR", ROOT.parent / "shared"
                                                                                                / "datasets")))
    parser.add_argument("--batch-size", type=int, default=get_settings().write_batch_size)
    parser.add_argument("--workers", type=int, default=get_settings().write_workers,
                        help="Batches of a section written concurrently.")
    parser.add_argument("--no-rewrite", action="store_true", help="Measure the fresh load only.")
    parser.add_argument("--warm-up-passes", type=int, default=3,
                        help="Untimed MovieLens-100K ingests (fresh, then MERGE) before the first measurement.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.ERROR)

    settings = bench_settings()
    server = resolve_server(settings)
    started_here = not server.status().running
    results: dict[str, Any] = {"neo4j": settings.neo4j_version, "batch_size": args.batch_size,
                               "workers": args.workers, "warm_up_passes": args.warm_up_passes, "datasets": {}}
    previous = ROOT / "benchmarks" / "results" / "ingest.json"
    if previous.is_file():  # datasets measured in earlier invocations keep their figures
        results["datasets"] = json.loads(previous.read_text()).get("datasets", {})
    state = ROOT / ".kgrec" / "bench-state"
    try:
        with open_driver(settings) as driver:
            warm_up(driver, args.data_dir, state, args.batch_size, args.workers, args.warm_up_passes)
            for name in args.datasets:
                wipe_database(driver)
                apply_schema(driver)
                runs = {}
                plan = (("fresh load (CREATE)", False), ("re-write (MERGE)", True))[: 1 if args.no_rewrite else 2]
                try:
                    for label, force in plan:
                        report, extra = measure(lambda f=force, n=name: ingest_dataset(
                            driver, n, args.data_dir, progress=False, force=f, state_dir=state,
                            batch_size=args.batch_size, workers=args.workers), settings)
                        runs[label] = row(report, extra)
                        log.info("%s %s: %s", name, label, runs[label])
                except FetchError as exc:
                    log.warning("%s not measured: %s", name, exc)
                    continue
                results["datasets"][name] = runs
            wipe_database(driver)
    finally:
        if started_here:
            server.stop()
    write_results("ingest", results, table(results))
    print(table(results))


if __name__ == "__main__":
    main()
