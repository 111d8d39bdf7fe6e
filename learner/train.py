"""One call from a graph to a trained, evaluated model with a run directory (PyKEEN ``pipeline()`` spirit).

>>> result = train(data, model="lightgcn", split="u1")          # doctest: +SKIP
>>> result.metrics["test"]["ndcg@20"], result.run_dir           # doctest: +SKIP

The run directory holds ``config.json``, ``metrics.jsonl`` (one line per evaluated epoch),
``metrics.json`` (best validation and test metrics), ``best.pt`` (checkpoint of the best epoch,
trainable models), ``embeddings.npz`` (where the model has embeddings), ``predictions.npz`` (rating
models: the chosen model's predictions on the validation rows and the final model's on the test rows,
e.g. to fit a blend on validation) and ``learning_curve.png``.
"""

from __future__ import annotations

import inspect
import logging
import platform
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch_geometric.data import HeteroData
from tqdm.auto import tqdm

from learner.data import check_graph
from learner.evaluate import evaluate
from learner.metrics import DEFAULT_KS, ranking_metric_names
from learner.models import MODELS, Recommender, TrainGraph, get_model, resolve_name
from learner.optim import adam
from learner.report import append_jsonl, plot_learning_curve, save_embeddings, write_json
from learner.sampling import NEGATIVES, bpr_batches, rating_batches
from learner.splits import Split, make_split

log = logging.getLogger(__name__)

LOWER_IS_BETTER = ("rmse", "mae")


def check_choices(model: str, monitor: str | None = None, negatives: str = "all",
                  ks: Sequence[int] = DEFAULT_KS) -> None:
    """Refuse a `monitor` the model's validation does not report, unknown `negatives`, or negatives other than
    `all` for a model that draws none (ValueError naming the choices), before any work: a bad monitor used to fail
    after the first training epoch, and PyKEEN or rating models silently ignored `negatives`."""
    cls = MODELS[resolve_name(model)]
    if negatives not in NEGATIVES:
        raise ValueError(f"negatives must be one of {', '.join(NEGATIVES)}, got {negatives!r}")
    if negatives != "all" and (cls.task != "ranking" or not cls.trainable or cls.own_epochs):
        raise ValueError(f"model {model!r} draws no BPR negatives, so negatives={negatives!r} would change nothing")
    if monitor is None:
        return
    ranking = ranking_metric_names(ks)
    choices = [*ranking, *LOWER_IS_BETTER] if cls.task == "rating" else ranking
    if monitor not in choices:
        raise ValueError(f"model {model!r} cannot monitor {monitor!r}; its validation reports {', '.join(choices)}")


@dataclass
class TrainResult:
    """A trained model with its metrics, embeddings (rows aligned with ``user_ids``/``item_ids``) and run dir."""

    model: Recommender
    model_name: str
    dataset: str
    split: str
    metrics: dict[str, dict[str, float]]  # {"valid": best-epoch metrics, "test": final test metrics}
    monitor: str
    best_epoch: int
    history: list[dict[str, Any]]
    user_embeddings: np.ndarray | None
    item_embeddings: np.ndarray | None
    similarity: str | None  # "dot" | "cosine" | None (no embeddings to serve)
    params: dict[str, Any]
    run_dir: Path
    user_ids: list[str]
    item_ids: list[str]
    train_seconds: float
    split_sizes: dict[str, int] = field(default_factory=dict)


def resolve_device(device: str | torch.device) -> torch.device:
    """``auto`` → CUDA when available, else CPU; anything else as given."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' requested but CUDA is not available")
    if resolved.type == "cuda" and (resolved.index or 0) >= torch.cuda.device_count():
        raise ValueError(f"device={str(device)!r} requested but there are {torch.cuda.device_count()} CUDA devices")
    return resolved


def _host_copy(net: Recommender) -> dict[str, torch.Tensor]:
    """The model's state dict copied to CPU memory: a checkpoint that loads on any machine (no map_location), and
    no second copy of the weights on the GPU."""
    return {name: value.detach().to("cpu", copy=True) for name, value in net.state_dict().items()}


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@contextmanager
def torch_threads(num_threads: int | None) -> Iterator[None]:
    """Run the block with ``num_threads`` torch CPU threads (unchanged when None), restoring them after."""
    previous = torch.get_num_threads()
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _model_kwargs(cls: type[Recommender], dim: int | None, extra: dict[str, Any]) -> dict[str, Any]:
    accepted = inspect.signature(cls.__init__).parameters
    kwargs = dict(extra)
    if dim is not None and "dim" in accepted:
        kwargs.setdefault("dim", dim)
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        allowed = [p for p in accepted if p not in ("self", "num_users", "num_items")]
        raise ValueError(f"model {cls.__name__} does not take {unknown}; its arguments are {allowed}")
    return kwargs


def _improved(value: float, best: float | None, monitor: str) -> bool:
    if best is None:
        return True
    return value < best if monitor in LOWER_IS_BETTER else value > best


def _default_run_dir(dataset: str, model: str, split: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return Path("runs") / f"{dataset}-{model}-{split}-{stamp}"


def train(
    data: HeteroData,
    model: str = "lightgcn",
    split: str | Split = "u1",
    *,
    epochs: int | None = None,
    lr: float | None = None,
    dim: int | None = 64,
    batch_size: int | None = None,
    weight_decay: float | None = None,
    patience: int | None = None,
    eval_every: int | None = None,
    monitor: str | None = None,
    ks: Sequence[int] = DEFAULT_KS,
    seed: int = 0,
    valid_frac: float = 0.1,
    device: str | torch.device = "auto",
    run_dir: str | Path | None = None,
    refit: bool = False,
    progress: bool = True,
    num_threads: int | None = None,
    warm_start: tuple[np.ndarray, np.ndarray] | None = None,
    negatives: str = "all",
    **model_kwargs: Any,
) -> TrainResult:
    """Split ``data``, train ``model`` with early stopping on validation, evaluate on test, write a run dir.

    ``split``: an official split name of the graph (``u1``…), ``random``, ``temporal`` or a prepared
    :class:`Split`. ``epochs``/``lr``/``batch_size``/``weight_decay``/``patience``/``eval_every`` default
    to the model's ``train_defaults``. ``monitor`` (default ``ndcg@20``, or ``rmse`` for rating models) is checked on
    validation every ``eval_every`` epochs; training stops after ``patience`` checks without improvement
    and the best epoch's weights are restored. ``refit``: then retrain the chosen configuration for the
    best epoch count on train + validation and test that model (validation metrics stay those of the
    selection run). Other keyword arguments go to the model's constructor, as
    does ``dim`` where the model takes one. ``num_threads`` sets torch's CPU threads for the call (1 is
    much faster on an oversubscribed machine, where OpenMP threads spin waiting for each other).
    ``warm_start``: (user [U, d], item [I, d]) rows aligned with ``data``'s users and items (NaN rows:
    unknown) copied into the fresh model's embedding tables where the model allows it
    (:meth:`Recommender.warm_start_tables`); recorded in the params as ``warm_started``. ``negatives``: where
    models trained with the BPR loss draw negatives from, ``all`` items or the ``trained`` ones, those with a
    training interaction (`learner.sampling.NEGATIVES`).
    """
    check_graph(data)
    check_choices(model, monitor, negatives, ks)
    with torch_threads(num_threads):
        name = resolve_name(model)
        seed_everything(seed)
        the_split = split if isinstance(split, Split) else make_split(data, split, seed=seed, valid_frac=valid_frac)
        dev = resolve_device(device)
        cls = MODELS[name]
        hp = {**Recommender.train_defaults, **cls.train_defaults}
        given = {"epochs": epochs, "lr": lr, "batch_size": batch_size, "weight_decay": weight_decay,
                 "patience": patience, "eval_every": eval_every}
        hp.update({key: value for key, value in given.items() if value is not None})
        hp["negatives"] = negatives
        kwargs = _model_kwargs(cls, dim, model_kwargs)
        for need in cls.requires:
            if need == "knowledge" and "entity" not in data.node_types:
                raise ValueError(f"model {name!r} needs knowledge edges (entity nodes) and this graph has none")
            if need == "social" and not any(s == d == "user" for s, _, d in data.edge_types):
                raise ValueError(f"model {name!r} needs social (user→user) edges and this graph has none")
        monitor = monitor or ("rmse" if cls.task == "rating" else f"ndcg@{max(ks)}")

        out_dir = Path(run_dir) if run_dir is not None else _default_run_dir(data.dataset, name, the_split.name)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "metrics.jsonl").write_text("", encoding="utf-8")
        params = {"model": name, "model_kwargs": kwargs, **hp, "monitor": monitor, "ks": list(ks), "seed": seed,
                  "valid_frac": valid_frac, "refit": refit}
        write_json(out_dir / "config.json", {
            **params, "dataset": data.dataset, "split": the_split.name, "split_sizes": the_split.sizes(),
            "num_users": the_split.num_users, "num_items": the_split.num_items, "device": str(dev),
            "versions": {"torch": torch.__version__, "python": platform.python_version()},
            "started": datetime.now(UTC).isoformat()})
        log.info("training %s on %s/%s (%s) in %s", name, data.dataset, the_split.name, the_split.sizes(), out_dir)

        started = time.perf_counter()
        net, graph = _prepared(name, kwargs, the_split, ("train",), data, dev, seed)
        params["warm_started"] = warm_start is not None and _warm_start(net, warm_start)
        history: list[dict[str, Any]] = []
        best_epoch = 0
        best_valid: dict[str, float] = {}
        if net.trainable:
            best_state, best_epoch, best_valid = _fit(net, graph, the_split, hp, monitor, ks, seed, out_dir,
                                                      history, progress)
            net.load_state_dict(best_state)
            del best_state
        else:
            best_valid = evaluate(net, the_split, "valid", ks)
            history.append({"epoch": 0, "loss": None, "valid": best_valid, "seconds": time.perf_counter() - started})
            append_jsonl(out_dir / "metrics.jsonl", history[-1])
        predictions = {"valid": _rating_predictions(net, the_split, "valid")}
        if refit:
            # the configuration chosen on validation, retrained on train + validation, then tested
            the_split = replace(the_split, train=torch.cat([the_split.train, the_split.valid]),
                                valid=the_split.valid[:0])
            del net, graph  # the selection run's model leaves memory before the refit's is built
            net, graph = _prepared(name, kwargs, the_split, ("train",), data, dev, seed)
            if warm_start is not None:
                _warm_start(net, warm_start)
            if net.trainable:
                _fit(net, graph, the_split, {**hp, "epochs": best_epoch}, monitor, ks, seed, out_dir, history,
                     progress, validate=False)
        train_seconds = time.perf_counter() - started
        test = evaluate(net, the_split, "test", ks)
        metrics = {"valid": best_valid, "test": test}
        user_np, item_np = _embeddings_numpy(net)
        write_json(out_dir / "metrics.json", {**metrics, "best_epoch": best_epoch, "monitor": monitor,
                                              "train_seconds": train_seconds})
        save_embeddings(out_dir / "embeddings.npz", data["user"].ids, data["item"].ids, user_np, item_np)
        predictions["test"] = _rating_predictions(net, the_split, "test")
        if net.task == "rating":
            np.savez(out_dir / "predictions.npz", **predictions)
        plot_learning_curve(history, monitor, best_epoch, out_dir / "learning_curve.png",
                            f"{name} on {data.dataset} / {the_split.name}")
        log.info("%s: best epoch %d, valid %s=%.4f, test %s=%.4f (%.1fs)", name, best_epoch, monitor,
                 best_valid.get(monitor, float("nan")), monitor, test.get(monitor, float("nan")), train_seconds)
        return TrainResult(model=net, model_name=name, dataset=data.dataset, split=the_split.name, metrics=metrics,
                           monitor=monitor, best_epoch=best_epoch, history=history, user_embeddings=user_np,
                           item_embeddings=item_np, similarity=net.similarity if user_np is not None else None,
                           params=params, run_dir=out_dir, user_ids=list(data["user"].ids),
                           item_ids=list(data["item"].ids), train_seconds=train_seconds,
                           split_sizes=the_split.sizes())


def _prepared(name: str, kwargs: dict[str, Any], split: Split, parts: tuple[str, ...], data: HeteroData,
              device: torch.device, seed: int) -> tuple[Recommender, TrainGraph]:
    """A fresh (seeded) model, prepared on the training graph made of the split's ``parts``."""
    idx = torch.cat([split.part(p) for p in parts])
    inter = split.interactions
    seed_everything(seed)
    net = get_model(name, num_users=split.num_users, num_items=split.num_items, **kwargs).to(device)
    graph = TrainGraph(num_users=split.num_users, num_items=split.num_items, user=inter.user[idx].to(device),
                       item=inter.item[idx].to(device), rating=inter.rating[idx].to(device), data=data,
                       device=device, seed=seed)
    net.prepare(graph)
    return net, graph


@torch.no_grad()
def _warm_start(net: Recommender, init: tuple[np.ndarray, np.ndarray]) -> bool:
    """Copy the known (non-NaN) rows of ``init`` into the model's tables; False when it does not allow it."""
    tables = net.warm_start_tables()
    if tables is None:
        log.info("%s cannot be warm-started: training from its own initialisation", type(net).__name__)
        return False
    for table, rows in zip(tables, init, strict=True):
        rows_t = torch.as_tensor(rows, dtype=table.dtype)
        if rows_t.shape != table.shape:
            log.info("warm start skipped: shape %s does not match the model's %s", tuple(rows_t.shape),
                     tuple(table.shape))
            return False
        known = ~torch.isnan(rows_t).any(dim=1)
        table[known.to(table.device)] = rows_t[known].to(table.device)
    return True


def _fit(net: Recommender, graph: TrainGraph, split: Split, hp: dict[str, Any], monitor: str, ks: Sequence[int],
         seed: int, out_dir: Path, history: list[dict[str, Any]], progress: bool,
         validate: bool = True) -> tuple[dict[str, torch.Tensor], int, dict[str, float]]:
    """Epoch loop with early stopping; returns (best state_dict, best epoch, best validation metrics).

    With ``validate=False`` (refit), it trains exactly ``hp['epochs']`` epochs and checkpoints the last.
    """
    optimizer = None if net.own_epochs else adam(net, hp["lr"], hp["weight_decay"])
    gen = torch.Generator().manual_seed(seed)
    best_value: float | None = None
    best_state = _host_copy(net)
    best_epoch, best_valid, checks_without_gain = 0, {}, 0
    started = time.perf_counter()
    bar = tqdm(range(1, int(hp["epochs"]) + 1), desc=f"train {type(net).__name__}", disable=not progress,
               unit="epoch")
    for epoch in bar:
        net.train()
        epoch_loss = net.train_epoch(epoch, hp) if net.own_epochs else _batch_epoch(net, graph, hp, optimizer, gen)
        record: dict[str, Any] = {"epoch": epoch, "loss": epoch_loss, "phase": "select" if validate else "refit"}
        if not validate:
            if epoch == int(hp["epochs"]):
                best_state, best_epoch = _host_copy(net), epoch
                torch.save({"epoch": epoch, "state_dict": best_state, "refit": True}, out_dir / "best.pt")
        elif epoch % int(hp["eval_every"]) == 0 or epoch == int(hp["epochs"]):
            valid = evaluate(net, split, "valid", ks, ranking=monitor not in LOWER_IS_BETTER)
            record["valid"] = valid
            if _improved(valid[monitor], best_value, monitor):
                best_value, best_epoch, best_valid, checks_without_gain = valid[monitor], epoch, valid, 0
                best_state = _host_copy(net)
                torch.save({"epoch": epoch, "state_dict": best_state, "valid": valid}, out_dir / "best.pt")
            else:
                checks_without_gain += 1
            bar.set_postfix(loss=f"{record['loss']:.4f}", **{monitor: f"{valid[monitor]:.4f}"})
        record["seconds"] = time.perf_counter() - started
        history.append(record)
        append_jsonl(out_dir / "metrics.jsonl", record)
        if checks_without_gain >= int(hp["patience"]):
            log.info("early stop at epoch %d (no %s gain in %d checks)", epoch, monitor, hp["patience"])
            break
    return best_state, best_epoch, best_valid


def _batch_epoch(net: Recommender, graph: TrainGraph, hp: dict[str, Any], optimizer: torch.optim.Optimizer,
                 gen: torch.Generator) -> float:
    """One epoch of mini-batches (BPR triples or ratings, by the model's task); the mean loss."""
    if net.task == "rating":
        batches = rating_batches(graph.user, graph.item, graph.rating, int(hp["batch_size"]), gen, graph.device)
    else:
        batches = bpr_batches(graph.user, graph.item, graph.num_items, int(hp["batch_size"]), gen, graph.device,
                              hp["negatives"])
    total, count = 0.0, 0
    for batch in batches:
        optimizer.zero_grad()
        loss = net.loss(batch)
        loss.backward()
        optimizer.step()
        total += loss.item() * batch.users.numel()
        count += batch.users.numel()
    return total / max(count, 1)


@torch.no_grad()
def _rating_predictions(net: Recommender, split: Split, part: str) -> np.ndarray:
    """A rating model's predictions for the rows of ``part`` (in the split's order); empty for ranking models."""
    if net.task != "rating" or split.part(part).numel() == 0:
        return np.zeros(0, dtype=np.float32)
    net.eval()
    users, items = split.pairs(part)
    return net.predict(users.to(net.device), items.to(net.device)).float().cpu().numpy()


def _embeddings_numpy(net: Recommender) -> tuple[np.ndarray | None, np.ndarray | None]:
    net.eval()
    with torch.no_grad():
        emb = net.embeddings()
    if emb is None:
        return None, None
    return emb[0].detach().cpu().numpy(), emb[1].detach().cpu().numpy()
