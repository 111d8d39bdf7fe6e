"""Rating models fitted outside the training loop that keep their whole prediction matrix.

Such a model (KNN-baseline's closed form, the Bayesian FM's posterior mean) computes every (user, item) rating once
in ``prepare`` and stores it with the training ratings' range; predictions are read from it, clipped to that range.
"""

from __future__ import annotations

import torch
from torch import Tensor

from learner.metrics import Scorer
from learner.models.base import Recommender


class PrecomputedRating(Recommender):
    """Base class: a rating model whose ``prepare`` ends with :meth:`keep` of its [users, items] predictions."""

    task = "rating"
    trainable = False
    similarity = None

    def __init__(self, num_users: int, num_items: int) -> None:
        super().__init__(num_users, num_items)
        self.register_buffer("full", torch.zeros(num_users, num_items))
        self.register_buffer("bounds", torch.tensor([1.0, 5.0]))

    def keep(self, full: Tensor, low: float, high: float) -> None:
        """Store the unclipped predictions [users, items] and the training ratings' range [low, high]."""
        self.full = full
        self.bounds = torch.tensor([low, high], device=full.device)

    def predict(self, users: Tensor, items: Tensor) -> Tensor:
        return self.full[users, items].clamp(float(self.bounds[0]), float(self.bounds[1]))

    def scorer(self) -> Scorer:
        full = self.full.clamp(float(self.bounds[0]), float(self.bounds[1]))
        return lambda users: full[users.to(full.device)]
