"""RecBole 1.2.1 as a peer on kgrec's identical split (run in RecBole's own virtual environment).

    python -m benchmarks.accuracy --export-recbole /tmp/recbole-data          # kgrec's venv
    TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 /work/recbole-venv/bin/python benchmarks/recbole_peer.py \\
        --data /tmp/recbole-data --models Pop ItemKNN EASE BPR LightGCN        # RecBole's venv

Other suites: export with ``--recbole-suite NAME`` and pass ``--suite NAME --dataset <folder name>``;
``--params '{"EASE": {"reg_weight": 500}}'`` overrides a model's settings (e.g. with kgrec's choice on
that suite's validation, or an epoch budget). ``--seed N`` trains with another seed (the split stays the one
exported) and stores the row under that seed in ``benchmarks/results/peer-seeds.json`` instead, leaving the
published seed-0 row alone (``benchmarks/peer_seeds.py`` runs it).

The split is read from ``<name>.{train,valid,test}.inter`` (``benchmark_filename``), evaluated with
full ranking, the same K values and metrics as kgrec, and kgrec's hyper-parameters where both have them
(ItemKNN k/shrink and EASE λ chosen on validation by kgrec; LightGCN dimension, layers, L2, learning rate
and batch size); BPR keeps RecBole's own learning rate 1e-3 and initialisation. Results go to
``benchmarks/results/recbole.json``; ``python -m benchmarks.accuracy`` puts them into the README table.
A row's ``train_seconds`` is RecBole's ``fit``; ``build_seconds`` is the model's constructor, where EASE
inverts its Gram matrix and ItemKNN computes its similarities.
This file imports RecBole only, never kgrec.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path

from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.utils import get_model, get_trainer, init_seed

RESULTS = Path(__file__).resolve().parent / "results" / "recbole.json"
SEED_RESULTS = RESULTS.parent / "peer-seeds.json"  # {"suites": {suite: {"recbole": {model: {seed: row}}}}}
COMMON = {
    "benchmark_filename": ["train", "valid", "test"],
    "load_col": {"inter": ["user_id", "item_id", "rating", "timestamp"]},
    "eval_args": {"group_by": "user", "order": "RO", "mode": "full"},
    "metrics": ["Recall", "NDCG", "Precision", "Hit", "MRR", "MAP"],
    "topk": [10, 20],
    "valid_metric": "NDCG@20",
    "device": "cpu",
    "use_gpu": False,
    "seed": 0,
    "reproducibility": True,
    "show_progress": False,
    "epochs": 300,
    "stopping_step": 10,
    "eval_step": 1,
    "train_batch_size": 2048,
    "eval_batch_size": 4096,
    "embedding_size": 64,
    "user_inter_num_interval": "[0,inf)",
    "item_inter_num_interval": "[0,inf)",
}
# kgrec's hyper-parameters where both libraries have them (BPR: RecBole's defaults).
MODELS = {
    "Pop": {},
    "ItemKNN": {"k": 200, "shrink": 10.0},
    "EASE": {"reg_weight": 250.0},
    "BPR": {"learning_rate": 1e-3},
    "LightGCN": {"learning_rate": 5e-3, "n_layers": 3, "reg_weight": 1e-4, "train_batch_size": 4096},
}


def run(model: str, data: Path, dataset: str, checkpoints: Path, params: dict, seed: int = 0) -> dict:
    config = Config(model=model, dataset=dataset, config_dict={
        **COMMON, **params, "seed": seed, "data_path": str(data), "checkpoint_dir": str(checkpoints)})
    init_seed(config["seed"], config["reproducibility"])
    ds = create_dataset(config)
    train_data, valid_data, test_data = data_preparation(config, ds)
    started = time.perf_counter()
    net = get_model(config["model"])(config, train_data._dataset).to(config["device"])
    built = time.perf_counter() - started  # EASE's inverse and ItemKNN's similarities happen here, before fit
    trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, net)
    started = time.perf_counter()
    _, valid = trainer.fit(train_data, valid_data, saved=True, show_progress=False)
    seconds = time.perf_counter() - started
    test = trainer.evaluate(test_data, load_best_model=True, show_progress=False)
    return {"label": f"{model} (RecBole)", "model": model, "params": params, "seed": seed,
            "valid": {k: float(v) for k, v in valid.items()}, "test": {k: float(v) for k, v in test.items()},
            "train_seconds": seconds, "build_seconds": built}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="folder written by --export-recbole")
    parser.add_argument("--dataset", default="movielens-100k-u1")
    parser.add_argument("--suite", default="ml100k-ranking")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--checkpoints", type=Path, default=Path("/tmp/recbole-checkpoints"))
    parser.add_argument("--params", type=json.loads, default={}, help="JSON {model: {setting: value}} overrides")
    parser.add_argument("--seed", type=int, help="train with this seed; the row goes to peer-seeds.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    data, checkpoints = args.data.resolve(), args.checkpoints.resolve()
    checkpoints.mkdir(parents=True, exist_ok=True)
    os.chdir(checkpoints)  # RecBole writes log/ and log_tensorboard/ into the working directory
    for model in args.models:
        row = run(model, data, args.dataset, checkpoints, {**MODELS[model], **args.params.get(model, {})},
                  args.seed or 0)
        # re-read: another run (another suite, model or seed) may have written meanwhile
        path = RESULTS if args.seed is None else SEED_RESULTS
        stored = json.loads(path.read_text()) if path.exists() else {"suites": {}}
        if args.seed is None:
            suite = stored["suites"].setdefault(args.suite, {"dataset": args.dataset, "rows": []})
            suite["rows"] = [r for r in suite["rows"] if r["model"] != model] + [row]
        else:
            runs = stored["suites"].setdefault(args.suite, {}).setdefault("recbole", {})
            runs.setdefault(model, {})[str(args.seed)] = row
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(stored, indent=2) + "\n")
        logging.warning("%s: test ndcg@20=%.4f (%.0fs)", model, row["test"]["ndcg@20"], row["train_seconds"])


if __name__ == "__main__":
    main()
