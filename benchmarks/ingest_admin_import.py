"""The same rows through `neo4j-admin database import full` (offline bulk import), for comparison with Bolt.

    python benchmarks/ingest_admin_import.py [--datasets movielens-100k ...]

Parses a dataset with kgrec's parsers, writes the import tool's CSV files (users, items, entities; one
relationship file per kind) and times the import into a scratch database. The tool builds a new store
offline: no server, no constraints, no MERGE, nothing incremental — the upper bound Bolt ingest is compared
against. Needs the Neo4j jars kgrec assembles (`KGREC_CACHE_DIR/neo4j-dist/<version>/lib`).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: its own folder would shadow the `ingest` package
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.report import markdown_table, write_results
from graphstore import split_bits
from ingest.fetch import resolve_files
from ingest.quarantine import Quarantine
from ingest.registry import get
from ingest.spec import Inputs
from kgrec.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
IMPORTER = "org.neo4j.server.startup.Neo4jAdminCommand"


def write_csvs(name: str, data_dir: Path, out: Path) -> tuple[list[str], dict[str, int], float]:
    """The import tool's arguments for `name`'s rows written under `out`, row counts, and seconds spent."""
    started = time.perf_counter()
    spec = get(name)
    out.mkdir(parents=True, exist_ok=True)
    args: list[str] = []
    counts: dict[str, int] = {}
    entities: dict[str, tuple[str, str]] = {}
    for section in spec.parser(Inputs(resolve_files(spec, data_dir, out / "cache")), Quarantine(None)):
        path = out / f"{re.sub(r'[^a-z0-9]+', '_', section.name)}.csv"
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            n = 0
            if section.kind in ("users", "items"):
                label = "User" if section.kind == "users" else f"Item;{spec.meta.item_label}"
                w.writerow([f"id:ID({section.kind})", "dataset", "title", "uri", ":LABEL"])
                for r in section.rows:
                    w.writerow([r["id"], name, r["props"].get("title", ""), r["props"].get("uri", ""), label])
                    n += 1
                args.append(f"--nodes={path}")
            elif section.kind == "interactions":
                value = "rating" if section.rel == "RATED" else "weight"
                bits = split_bits(spec.meta.split_names)
                w.writerow([":START_ID(users)", ":END_ID(items)", f"{value}:double", "ts:long", "test_in:long",
                            ":TYPE"])
                for r in section.rows:
                    w.writerow([r["u"], r["i"], r["w"], r["ts"], sum(bits[s] for s in r["t"]), section.rel])
                    n += 1
                args.append(f"--relationships={path}")
            elif section.kind == "social":
                w.writerow([":START_ID(users)", ":END_ID(users)", ":TYPE"])
                for r in section.rows:
                    w.writerow([r["u"], r["v"], section.rel])
                    n += 1
                args.append(f"--relationships={path}")
            elif section.kind == "knowledge":
                w.writerow([":START_ID(items)", ":END_ID(entities)", "predicate", ":TYPE"])
                for r in section.rows:
                    w.writerow([r["s"], r["o"], r["p"], r["rel"]])
                    entities.setdefault(r["o"], (r["name"], section.entity_label or ""))
                    n += 1
                args.append(f"--relationships={path}")
            else:  # entity-to-entity knowledge and names: not part of this comparison
                continue
        counts[section.name] = n
    path = out / "entities.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["uri:ID(entities)", "name", ":LABEL"])
        w.writerows([uri, label, f"Entity;{extra}" if extra else "Entity"] for uri, (label, extra) in entities.items())
    args.append(f"--nodes={path}")
    counts["entities"] = len(entities)
    return args, counts, time.perf_counter() - started


def run_import(args: list[str], home: Path, lib: Path) -> tuple[float, str]:
    """Import into a scratch store under `home`; (wall seconds, the tool's summary)."""
    shutil.rmtree(home / "data", ignore_errors=True)
    (home / "conf").mkdir(parents=True, exist_ok=True)
    (home / "conf" / "neo4j.conf").write_text(f"server.directories.data={home / 'data'}\n"
                                              f"server.directories.logs={home / 'logs'}\n")
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    started = time.perf_counter()
    proc = subprocess.run(["java", "-cp", f"{lib}/*", IMPORTER, "database", "import", "full", *args,
                           "--array-delimiter=;", "--overwrite-destination=true",
                           f"--report-file={home / 'import.report'}", "neo4j"],
                          env=env, capture_output=True, text=True, check=True)
    summary = proc.stdout[proc.stdout.find("IMPORT DONE"):].strip()
    return time.perf_counter() - started, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="*", default=["movielens-100k"])
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get(
        "KGREC_DATA_DIR", ROOT.parent / "shared" / "datasets")))
    args = parser.parse_args()
    settings = Settings()
    lib = settings.cache_dir / "neo4j-dist" / settings.neo4j_version / "lib"
    work = ROOT / ".kgrec" / "bench-admin-import"
    results: dict[str, Any] = {"neo4j": settings.neo4j_version, "datasets": {}}
    for name in args.datasets:
        tool_args, counts, csv_s = write_csvs(name, args.data_dir, work / name / "csv")
        load0 = os.getloadavg()[0]
        import_s, summary = run_import(tool_args, work / name / "home", lib)
        rels = sum(n for section, n in counts.items() if section not in ("users", "items", "movies", "books",
                                                                          "artists", "products", "entities"))
        results["datasets"][name] = {"rows": sum(counts.values()), "relationships": rels, "csv_s": round(csv_s, 2),
                                     "import_s": round(import_s, 2), "load_avg_1m": [round(load0, 2),
                                                                                   round(os.getloadavg()[0], 2)],
                                     "tool_summary": summary, "sections": counts}
        shutil.rmtree(work / name, ignore_errors=True)
    header = ["dataset", "rows", "relationships", "write CSV s", "import s (wall, incl. JVM start)", "rels/s",
              "load avg"]
    rows = [[n, r["rows"], r["relationships"], r["csv_s"], r["import_s"],
             round(r["relationships"] / r["import_s"]), f"{r['load_avg_1m'][0]}→{r['load_avg_1m'][1]}"]
            for n, r in results["datasets"].items()]
    write_results("ingest-admin-import", results, (
        "## Ingest: `neo4j-admin database import` for comparison\n\n`python benchmarks/ingest_admin_import.py`: the "
        "same parsed rows (keys, title, uri and every relationship with its properties) as CSV into an offline "
        "bulk import. It builds a new store: no live server, no constraints, no MERGE, nothing incremental.\n\n"
        + markdown_table(header, rows)))
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
