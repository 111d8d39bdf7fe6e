"""How much the ml100k-rating figures move with the Bayesian FM rows' MCMC seed.

    python -m benchmarks.seed_robustness --seed 1 --seed 2 [--runs-dir .kgrec/runs/seeds]

For each seed, the suite's rows whose label contains ``--rows`` (default: the Bayesian FM rows) are trained again
with that training seed (Gibbs sampler, initial factors; the split stays seed 0, so validation and u1.test are the
published ones), the other rows are the published ones (``benchmarks/results/accuracy.json`` and their run
directories), the blends are re-fitted on them and the row with the lowest validation RMSE is picked, as the
suite's target statement does. Seed 0 is the published run itself. Results accumulate per seed in
``benchmarks/results/accuracy-seeds.json``; the ml100k-rating note in ``benchmarks/README.md`` quotes them the next
time ``benchmarks.accuracy`` renders.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from benchmarks.accuracy import SEEDS, run_suite, seed_note, stored_seeds

log = logging.getLogger("benchmarks.seed_robustness")
SUITE = "ml100k-rating"


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {"label": row["label"], "options": row["options"], "valid_rmse": row["valid"]["rmse"],
            "test_rmse": row["test"]["rmse"]}


def seed_entry(suite: dict[str, Any], rows: list[str]) -> dict[str, Any]:
    """Figures of one seed's suite payload: the re-trained rows, the blends, and the row chosen on validation."""
    chosen = min(suite["rows"], key=lambda r: r["valid"]["rmse"])
    return {"rows": [_figures(r) for r in suite["rows"]
                     if r["model"] == "blend" or any(text in r["label"] for text in rows)],
            "chosen": _figures(chosen)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", action="append", type=int, default=[], help="training seed to re-run with")
    parser.add_argument("--rows", action="append", help="re-train the rows whose label contains this text")
    parser.add_argument("--runs-dir", type=Path, default=Path("runs/benchmarks-seeds"), help="run directories")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    rows = args.rows or ["Bayesian FM"]
    published = json.loads((SEEDS.parent / "accuracy.json").read_text())
    fresh = {"0": seed_entry(published["suites"][SUITE], rows)}
    for seed in args.seed:
        suite = run_suite(SUITE, args.runs_dir / f"seed-{seed}", rows, published["suites"][SUITE], seed=seed)
        fresh[str(seed)] = seed_entry(suite, rows)
        log.info("seed %d: chosen %s valid %.4f test %.4f", seed, fresh[str(seed)]["chosen"]["label"],
                 fresh[str(seed)]["chosen"]["valid_rmse"], fresh[str(seed)]["chosen"]["test_rmse"])
    seeds = {**stored_seeds(), **fresh}  # re-read: another seed's run may have finished meanwhile
    SEEDS.write_text(json.dumps({"suite": SUITE, "rows": rows, "seeds": seeds}, indent=2) + "\n")
    log.info("%s", seed_note(seeds))


if __name__ == "__main__":
    main()
