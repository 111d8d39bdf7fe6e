"""Is kgrec's LightGCN level with RecBole's within seed noise? Both re-trained with other training seeds.

    python -m benchmarks.peer_seeds --suite ml100k-ranking --seed 1 --seed 2 \\
        --recbole-python /work/recbole-venv/bin/python

For each seed, kgrec's LightGCN row of the suite is trained again with that training seed and the options of its
published row (``benchmarks/results/accuracy.json``; a grid choice is kept, not searched again), and RecBole's
LightGCN (``benchmarks/recbole_peer.py --seed``, in RecBole's own virtual environment, see ``../shared/PEERS.md``)
with the same seed and the settings of its published row (``benchmarks/results/recbole.json``). Both use the
suite's split as published (seed 0). Seed 0 is the published pair itself. Without ``--recbole-python`` only
kgrec's row is re-trained; a seed already stored with the published settings is not trained again. Figures
accumulate in ``benchmarks/results/peer-seeds.json``; ``python -m benchmarks.accuracy`` renders them under the
suite's table and in "How the targets came out" (`peer_seed_note`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from torch_geometric.data import HeteroData

from benchmarks.accuracy import (
    PEER_SEEDS,
    PEER_SUITE,
    RESULTS,
    SUITES,
    export_recbole,
    lightgcn_pair,
    peer_seed_note,
    stored_peer_seeds,
)
from learner.splits import Split, make_split
from learner.train import train

log = logging.getLogger("benchmarks.peer_seeds")
RECBOLE_PEER = Path(__file__).resolve().parent / "recbole_peer.py"


def published_pair(suite: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The suite's published kgrec LightGCN row, RecBole's LightGCN row and RecBole's dataset folder name."""
    ours = json.loads((RESULTS / "accuracy.json").read_text())["suites"][suite]["rows"]
    theirs = json.loads((RESULTS / "recbole.json").read_text())["suites"][suite]
    mine, peer = lightgcn_pair(ours, theirs["rows"])
    if mine is None or peer is None:
        raise SystemExit(f"{suite}: no published LightGCN row of {'kgrec' if mine is None else 'RecBole'}")
    return mine, peer, theirs["dataset"]


def retrain_kgrec(data: HeteroData, split: Split, suite: str, row: dict[str, Any], seed: int,
                  runs_dir: Path) -> dict[str, Any]:
    """kgrec's published LightGCN row trained again with `seed` (same options, same split)."""
    started = time.perf_counter()
    result = train(data, "lightgcn", split, seed=seed, progress=False, num_threads=1,
                   run_dir=runs_dir / suite / f"lightgcn-seed-{seed}", **row["options"])
    return {"label": row["label"], "options": row["options"], "seed": seed, "valid": result.metrics["valid"],
            "test": result.metrics["test"], "best_epoch": result.best_epoch,
            "train_seconds": time.perf_counter() - started}


def store(suite: str, seed: int, row: dict[str, Any]) -> None:
    """Add kgrec's row of `seed` to PEER_SEEDS (re-read first: RecBole's runs write the same file)."""
    runs = json.loads(PEER_SEEDS.read_text()) if PEER_SEEDS.exists() else {"suites": {}}
    runs["suites"].setdefault(suite, {}).setdefault("kgrec", {})[str(seed)] = row
    PEER_SEEDS.write_text(json.dumps(runs, indent=2) + "\n")


def retrain_recbole(folder: Path, suite: str, peer: dict[str, Any], seed: int, python: Path) -> None:
    """RecBole's published LightGCN row trained again with `seed` on the suite's split exported in `folder`, in
    RecBole's environment; `recbole_peer.py` stores the row in PEER_SEEDS."""
    subprocess.run([str(python), str(RECBOLE_PEER), "--data", str(folder.parent), "--dataset", folder.name,
                    "--suite", suite, "--models", "LightGCN", "--seed", str(seed),
                    "--checkpoints", str(folder.parent.parent / "checkpoints"),
                    "--params", json.dumps({"LightGCN": peer["params"]})],
                   check=True, env={**os.environ, "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    suites = sorted({peer for peer in PEER_SUITE.values() if peer != "kgat-amazon-book"})
    parser.add_argument("--suite", required=True, choices=suites, help="a suite with a RecBole LightGCN row")
    parser.add_argument("--seed", action="append", type=int, required=True, help="training seed (not 0: published)")
    parser.add_argument("--recbole-python", type=Path, help="python of RecBole's virtual environment")
    parser.add_argument("--runs-dir", type=Path, default=Path("runs/benchmarks-peer-seeds"), help="run directories")
    args = parser.parse_args()
    if 0 in args.seed:
        parser.error("seed 0 is the published pair; give other seeds")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    mine, peer, dataset = published_pair(args.suite)
    spec = SUITES[args.suite]
    data = spec.load()
    split = make_split(data, spec.split, seed=0)
    with tempfile.TemporaryDirectory(prefix="recbole-") as tmp:
        folder = export_recbole(Path(tmp) / "data", args.suite) if args.recbole_python else None
        if folder is not None and folder.name != dataset:
            raise SystemExit(f"the suite's split exports as {folder.name}, RecBole's published row used {dataset}")
        for seed in args.seed:  # a seed stored with the published settings already is not trained again (resumable)
            done = stored_peer_seeds(args.suite)
            if done.get("kgrec", {}).get(str(seed), {}).get("options") != mine["options"]:
                row = retrain_kgrec(data, split, args.suite, mine, seed, args.runs_dir)
                store(args.suite, seed, row)
                log.info("%s seed %d: kgrec LightGCN test ndcg@20 %.4f (%.0f s)", args.suite, seed,
                         row["test"]["ndcg@20"], row["train_seconds"])
            if folder is not None and done.get("recbole", {}).get("LightGCN", {}).get(str(seed), {}).get(
                    "params") != peer["params"]:
                retrain_recbole(folder, args.suite, peer, seed, args.recbole_python)
    note = peer_seed_note(args.suite, mine, peer)
    print(note or "fewer than two seeds of both libraries stored yet", file=sys.stderr)


if __name__ == "__main__":
    main()
