"""EASE: embarrassingly shallow autoencoder, a closed-form item–item linear model.

H. Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019.
P = (XᵀX + λI)⁻¹, B = I − P · diag(1 / diag(P)) (so diag(B) = 0); score(u, ·) = X_u B.
"""

from __future__ import annotations

import torch
from torch import Tensor

from learner.metrics import Scorer
from learner.models.base import Recommender, TrainGraph
from learner.models.graph import interaction_matrix

MAX_ITEMS = 30_000  # B is a dense I × I matrix


class EASE(Recommender):
    """EASE (Steck, WWW 2019): closed-form item–item weights with L2 ``lam`` and a zero diagonal."""

    trainable = False
    similarity = None

    def __init__(self, num_users: int, num_items: int, lam: float = 250.0) -> None:
        super().__init__(num_users, num_items)
        if num_items > MAX_ITEMS:
            raise ValueError(f"EASE keeps a dense {num_items}×{num_items} matrix; more than {MAX_ITEMS} items "
                             "is beyond what this implementation allows")
        self.lam = lam
        self.x: Tensor | None = None
        self.b: Tensor | None = None

    def prepare(self, graph: TrainGraph) -> None:
        x = interaction_matrix(graph.user, graph.item, self.num_users, self.num_items).to(graph.device)
        gram = torch.sparse.mm(x.t().coalesce(), x.to_dense()).double()
        gram.diagonal().add_(self.lam)
        p = torch.linalg.inv(gram)
        b = -p / p.diagonal().unsqueeze(0)
        b.diagonal().zero_()
        self.x, self.b = x, b.float()

    def scorer(self) -> Scorer:
        if self.x is None or self.b is None:
            raise RuntimeError("EASE.prepare(graph) must be called before scoring")
        x, b = self.x, self.b
        return lambda users: x.index_select(0, users.to(x.device)).to_dense() @ b

    def predict(self, users: Tensor, items: Tensor) -> Tensor:
        return self.scorer()(users).gather(1, items.unsqueeze(1)).squeeze(1)
