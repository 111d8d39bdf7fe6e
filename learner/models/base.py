"""What every recommender in the registry looks like to the training loop, and what it is given."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from learner.metrics import Scorer


@dataclass
class TrainGraph:
    """What a model may see while training: the training interactions plus side edges (no test rows).

    ``user``/``item``/``rating`` are the training interactions on ``device``; ``data`` is the full graph,
    read only for its knowledge and social edges (``learner.data.knowledge_edges`` / ``social_edges``).
    """

    num_users: int
    num_items: int
    user: Tensor
    item: Tensor
    rating: Tensor
    data: HeteroData
    device: torch.device
    seed: int = 0


@dataclass
class Batch:
    """One mini-batch: users with a positive and a sampled negative item (ranking), or observed ratings."""

    users: Tensor
    items: Tensor
    negatives: Tensor | None = None
    ratings: Tensor | None = None


class Recommender(torch.nn.Module):
    """Base class: a model scores every item for a user.

    Class attributes tell the trainer how to drive it: ``task`` (``ranking`` → BPR batches with
    negatives, ``rating`` → batches of observed ratings), ``trainable`` (False: fitted in
    :meth:`prepare`, no epochs), ``own_epochs`` (True: the model runs each epoch itself in
    :meth:`train_epoch`, e.g. with PyKEEN's training loop), ``similarity`` (``dot``/``cosine`` rule of
    :meth:`embeddings`, or None when the model has no embeddings to serve) and ``requires``
    (``knowledge``/``social`` edges).
    ``train_defaults`` are the model's default ``epochs``, ``lr``, ``batch_size``, ``weight_decay``,
    ``patience`` and ``eval_every`` (a model lists only those that differ from the base class's).
    """

    task: ClassVar[str] = "ranking"
    trainable: ClassVar[bool] = True
    own_epochs: ClassVar[bool] = False
    similarity: ClassVar[str | None] = "dot"
    requires: ClassVar[tuple[str, ...]] = ()
    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 100, "lr": 1e-3, "batch_size": 2048,
                                                        "weight_decay": 0.0, "patience": 10, "eval_every": 1}

    def __init__(self, num_users: int, num_items: int) -> None:
        super().__init__()
        self.num_users = num_users
        self.num_items = num_items

    @property
    def device(self) -> torch.device:
        for tensor in itertools.chain(self.parameters(), self.buffers()):
            return tensor.device
        return torch.device("cpu")

    def prepare(self, graph: TrainGraph) -> None:
        """Called once before training with the training graph (build adjacency, fit closed forms)."""

    def loss(self, batch: Batch) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} is not trained by mini-batches")

    def train_epoch(self, epoch: int, hp: dict[str, float | int]) -> float:
        """Train one epoch with the model's own loop (``own_epochs`` models); returns the epoch's loss."""
        raise NotImplementedError(f"{type(self).__name__} is trained by the trainer's mini-batches")

    def embeddings(self) -> tuple[Tensor, Tensor] | None:
        """Final (user [U, d], item [I, d]) embeddings scored by ``similarity``, or None."""
        return None

    def warm_start_tables(self) -> tuple[Tensor, Tensor] | None:
        """The (user, item) parameter tables that *are* the served embeddings, so a warm start can copy a
        previous version's rows into them; None when the model does not allow that (the default)."""
        return None

    def score(self, users: Tensor) -> Tensor:
        """Scores [len(users), num_items]; default: the ``similarity`` of the embeddings."""
        return self.scorer()(users)

    def scorer(self) -> Scorer:
        """A function scoring user batches, with whatever can be precomputed done once (call in eval mode)."""
        emb = self.embeddings()
        if emb is None:
            raise NotImplementedError(f"{type(self).__name__} must implement scorer() or embeddings()")
        user_emb, item_emb = emb
        if self.similarity == "cosine":
            user_emb = torch.nn.functional.normalize(user_emb, dim=-1)
            item_emb = torch.nn.functional.normalize(item_emb, dim=-1)
        return lambda users: user_emb[users.to(user_emb.device)] @ item_emb.T

    def predict(self, users: Tensor, items: Tensor) -> Tensor:
        """Predicted ratings (``rating`` models) or scores for (user, item) pairs."""
        emb = self.embeddings()
        if emb is None:
            raise NotImplementedError(f"{type(self).__name__} must implement predict()")
        return (emb[0][users] * emb[1][items]).sum(-1)


def bpr_loss(pos: Tensor, neg: Tensor) -> Tensor:
    """Mean Bayesian Personalized Ranking loss −log σ(pos − neg)."""
    return -torch.nn.functional.logsigmoid(pos - neg).mean()


def l2(*tensors: Tensor) -> Tensor:
    """Mean over the batch of the squared L2 norms of the given rows (embedding regularisation)."""
    return sum(t.pow(2).sum() for t in tensors) / tensors[0].size(0)
