"""Export rate: Neo4j → PyG HeteroData, against reading the same rows from CSV with pandas.

    python benchmarks/export.py --dataset movielens-100k --repeat 40

The dataset must be ingested already (`kgrec ingest movielens-100k`). The pandas baseline reads the
publisher's interaction file and builds the same edge tensors (factorised ids, ratings, timestamps).
Target (issue 4): the Neo4j export of interactions within 2× the pandas time.

A third row times the server's floor: matching the same users' interaction relationships and returning only
`count(*)` (no property read, no item check, nothing transferred). No client-side work can make the export
faster than that row. "server CPU s" is the median CPU time the local Neo4j process spent per run (steadier than
wall time on a shared machine; "n/a" for a remote server).

The timed runs are interleaved: each of `--repeat` rounds runs the four kinds in turn, and "× pandas" is the median
over rounds of a kind's time divided by the same round's pandas time. On a shared VM whose neighbours come and go,
timing 15 exports and then 15 pandas reads gave ratios from 2.1 to 2.8 for the same code within an hour.

Before timing anything is reported, the benchmark checks that the export and pandas give the same edges: the same
(user id, item id, rating, timestamp) rows.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import torch

from benchmarks.report import markdown_table, write_results
from benchmarks.serve import neo4j_process
from graphstore.connection import ensure_server, open_driver
from graphstore.export import export_graph
from kgrec.settings import get_settings

# dataset → (file under KGREC_DATA_DIR, read_csv keyword arguments) of its interaction rows
CSV_SOURCES: dict[str, tuple[str, dict]] = {
    "movielens-100k": ("movielens-100k/u.data", {"sep": "\t", "names": ["user", "item", "rating", "ts"]}),
}


def pandas_edges(path: Path, kwargs: dict) -> tuple[pd.Index, pd.Index, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The pandas way: read the file, factorise ids, build edge_index + rating + ts tensors (and the id maps)."""
    df = pd.read_csv(path, header=None, dtype={"user": str, "item": str}, **kwargs)
    users = pd.Index(np.sort(df["user"].unique()))
    items = pd.Index(np.sort(df["item"].unique()))
    edge_index = torch.from_numpy(np.stack([users.get_indexer(df["user"]), items.get_indexer(df["item"])]))
    rating = torch.tensor(df["rating"].to_numpy(), dtype=torch.float32)
    ts = torch.tensor(df["ts"].to_numpy(), dtype=torch.int64)
    return users, items, edge_index, rating, ts


def edge_rows(user_ids: Sequence[str], item_ids: Sequence[str], edge_index: torch.Tensor, rating: torch.Tensor,
              ts: torch.Tensor) -> pd.DataFrame:
    """Edges as (user id, item id, rating, ts) rows in a canonical order, to compare two exports by value."""
    rows = pd.DataFrame({"user": np.asarray(user_ids, dtype=object)[edge_index[0].numpy()],
                         "item": np.asarray(item_ids, dtype=object)[edge_index[1].numpy()],
                         "rating": rating.numpy(), "ts": ts.numpy()})
    return rows.sort_values(["user", "item", "ts", "rating"], ignore_index=True)


# The interactions query's pattern with nothing read or returned but a count: the server's traversal floor.
FLOOR_QUERY = """
UNWIND $users AS userId
MATCH (:User {dataset: $dataset, id: userId})-[:RATED|INTERACTED]->(:Item)
RETURN count(*) AS n
"""


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)  # wall seconds per round
    cpu: list[float] = field(default_factory=list)  # CPU seconds of the server process per round (none without one)
    result: object = None  # the last round's result


def interleaved(fns: dict[str, Callable[[], object]], repeat: int, server: psutil.Process | None
                ) -> dict[str, Timing]:
    """`repeat` rounds, each running every fn once in turn: a change in the machine's load (a shared VM's
    neighbours) then weighs on every kind alike, instead of on whichever ran during it."""
    out = {name: Timing() for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            cpu0, start = _cpu(server), time.perf_counter()
            out[name].result = fn()
            out[name].seconds.append(time.perf_counter() - start)
            if server is not None:
                out[name].cpu.append(_cpu(server) - cpu0)
    return out


def _cpu(server: psutil.Process | None) -> float:
    return sum(server.cpu_times()[:2]) if server is not None else 0.0


def median_cpu(t: Timing) -> float | None:
    return statistics.median(t.cpu) if t.cpu else None


def paired_ratio(a: Timing, b: Timing) -> float:
    """The median over rounds of a's time / b's time in the same round."""
    return statistics.median(x / y for x, y in zip(a.seconds, b.seconds, strict=True))


def verdict(ratio: float, floor_ratio: float) -> str:
    """What the export's and the server floor's times, as multiples of the pandas time, say about the 2× target."""
    if ratio <= 2:
        return f"Target met: the export takes {ratio:.2f}× the pandas time."
    if floor_ratio > 2:
        return (f"Target not met ({ratio:.2f}×), and not reachable over Cypher on this server: matching the same "
                f"relationships and counting them, with no property read and nothing sent, already takes "
                f"{floor_ratio:.2f}× the pandas time. The export spends {1 - floor_ratio / ratio:.0%} of its time "
                "above that floor (property reads, transfer, decoding, tensors).")
    return (f"Target not met ({ratio:.2f}×); the server's traversal floor is {floor_ratio:.2f}× pandas, so the rest "
            "is in property reads, transfer and decoding.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="movielens-100k", choices=sorted(CSV_SOURCES))
    parser.add_argument("--repeat", type=int, default=40, help="timed rounds")
    parser.add_argument("--warm-up", type=int, default=100,
                        help="untimed exports of both kinds first: the server JVM compiles its hot code as it runs "
                        "them (on a freshly started server an export took 0.36 s at first, 0.13 s after 10 and "
                        "0.08-0.09 s from about 100 on)")
    args = parser.parse_args()
    settings = get_settings()
    if settings.data_dir is None:
        parser.error("set KGREC_DATA_DIR to the datasets folder (for the pandas baseline)")
    rel_path, kwargs = CSV_SOURCES[args.dataset]
    creds = ensure_server(settings)
    server = neo4j_process(creds.uri)
    path = settings.data_dir / rel_path
    with open_driver(settings, creds) as driver:
        for _ in range(args.warm_up):  # query plans, page cache, and the server JVM's compiled hot paths
            export_graph(driver, args.dataset, knowledge=False, social=False)
            export_graph(driver, args.dataset)
        users = export_graph(driver, args.dataset, knowledge=False, social=False)["user"].ids
        runs = interleaved({
            "inter": lambda: export_graph(driver, args.dataset, knowledge=False, social=False),
            "full": lambda: export_graph(driver, args.dataset),
            "floor": lambda: driver.execute_query(FLOOR_QUERY, dataset=args.dataset, users=users).records[0]["n"],
            "pandas": lambda: pandas_edges(path, kwargs),
        }, args.repeat, server)
    t_inter, t_full, t_floor, t_pandas = (statistics.median(runs[k].seconds) for k in ("inter", "full", "floor",
                                                                                         "pandas"))
    data, full, floor = runs["inter"].result, runs["full"].result, runs["floor"].result
    p_users, p_items, *p_edges = runs["pandas"].result
    rel = data["user", "rates", "item"]
    n = rel.edge_index.size(1)
    if floor != n:
        raise SystemExit(f"the floor query counted {floor} interactions, the export has {n}")
    exported = edge_rows(data["user"].ids, data["item"].ids, rel.edge_index, rel.rating, rel.ts)
    read = edge_rows(p_users, p_items, *p_edges)
    if not exported.equals(read):  # no figures from an export that is wrong
        raise SystemExit(f"the export and pandas disagree ({n} vs {len(read)} rows):\n"
                         f"{exported.compare(read) if len(read) == n else ''}")
    n_full = sum(full[et].edge_index.size(1) for et in full.edge_types)

    def cpu(c: float | None) -> float | str:
        return "n/a" if c is None else round(c, 2)

    ratio, floor_ratio = paired_ratio(runs["inter"], runs["pandas"]), paired_ratio(runs["floor"], runs["pandas"])
    rows = [
        ["Neo4j → HeteroData (interactions)", n, round(t_inter, 3), int(n / t_inter), round(ratio, 2),
         cpu(median_cpu(runs["inter"]))],
        ["Neo4j → HeteroData (+ knowledge, social)", n_full, round(t_full, 3), int(n_full / t_full), "—",
         cpu(median_cpu(runs["full"]))],
        ["Neo4j server floor: same relationships, count(*) only", n, round(t_floor, 3), int(n / t_floor),
         round(floor_ratio, 2), cpu(median_cpu(runs["floor"]))],
        ["pandas read_csv → tensors (same interactions)", n, round(t_pandas, 3), int(n / t_pandas), 1.0, "—"],
    ]
    table = markdown_table(["export", "edges", "median s", "edges/s", "× pandas", "server CPU s"], rows)
    summary = verdict(ratio, floor_ratio)
    command = f"python benchmarks/export.py --dataset {args.dataset} --repeat {args.repeat} --warm-up {args.warm_up}"
    md = f"## Export ({args.dataset})\n\n`{command}` " \
         f"({args.repeat} rounds, each running the four kinds in turn, after {args.warm_up} untimed exports of each " \
         f"kind; median seconds; × pandas is the median over rounds of the time / the same round's pandas time; " \
         f"target: interactions within 2× pandas)\n\n{table}\n\n{summary}"
    write_results("export", {"dataset": args.dataset, "repeat": args.repeat, "warm_up": args.warm_up, "rows": rows},
                  md)
    print(table, summary, sep="\n\n")


if __name__ == "__main__":
    main()
