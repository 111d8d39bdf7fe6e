"""Run directory files: config, per-epoch metrics, final metrics, embeddings and the learning curve."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the Agg backend is chosen first
import numpy as np


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")


def save_embeddings(path: Path, user_ids: Sequence[str], item_ids: Sequence[str], users: np.ndarray | None,
                    items: np.ndarray | None) -> None:
    """``embeddings.npz`` with ``user_ids``, ``item_ids`` and the two matrices (rows aligned with the ids)."""
    if users is None or items is None:
        return
    np.savez_compressed(path, user_ids=np.asarray(user_ids), item_ids=np.asarray(item_ids), users=users,
                        items=items)


def plot_learning_curve(history: list[dict[str, Any]], monitor: str, best_epoch: int, path: Path,
                        title: str) -> None:
    """Training loss and the validation ``monitor`` metric per epoch, best epoch marked."""
    history = [h for h in history if h.get("phase") != "refit"]
    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_metric) = plt.subplots(1, 2, figsize=(10, 4))
    losses = [(h["epoch"], h["loss"]) for h in history if h.get("loss") is not None]
    if losses:
        ax_loss.plot(*zip(*losses, strict=True), marker=".", color="tab:blue")
    ax_loss.set(xlabel="epoch", ylabel="training loss", title="loss")
    points = [(h["epoch"], h["valid"][monitor]) for h in history if monitor in h.get("valid", {})]
    if points:
        ax_metric.plot(*zip(*points, strict=True), marker=".", color="tab:orange")
    if best_epoch in epochs:
        ax_metric.axvline(best_epoch, color="grey", linestyle="--", label=f"best epoch {best_epoch}")
        ax_metric.legend()
    ax_metric.set(xlabel="epoch", ylabel=f"validation {monitor}", title=monitor)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
