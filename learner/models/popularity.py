"""Most-popular baseline: every user gets the items with the most training interactions.

The non-personalised reference row of every top-N study, e.g. P. Cremonesi, Y. Koren, R. Turrin,
"Performance of Recommender Algorithms on Top-N Recommendation Tasks", RecSys 2010.
"""

from __future__ import annotations

import torch
from torch import Tensor

from learner.metrics import Scorer
from learner.models.base import Recommender, TrainGraph


class Popularity(Recommender):
    """Most popular items (Cremonesi et al., RecSys 2010): score(u, i) = training interactions of item i."""

    trainable = False
    similarity = None

    def __init__(self, num_users: int, num_items: int) -> None:
        super().__init__(num_users, num_items)
        self.register_buffer("counts", torch.zeros(num_items))

    def prepare(self, graph: TrainGraph) -> None:
        self.counts = torch.bincount(graph.item, minlength=self.num_items).float().to(graph.device)

    def scorer(self) -> Scorer:
        return lambda users: self.counts.expand(users.numel(), -1)

    def predict(self, users: Tensor, items: Tensor) -> Tensor:
        return self.counts[items]
