"""Biased matrix factorisation for rating prediction (the "SVD" of the Netflix Prize).

Y. Koren, R. Bell, C. Volinsky, "Matrix Factorization Techniques for Recommender Systems", IEEE Computer
2009: r̂_ui = μ + b_u + b_i + p_uᵀ q_i, fitted by regularised least squares
½ Σ_observed (r − r̂)² + λ/2 (‖P‖² + ‖Q‖²) + λ_b/2 (‖b_u‖² + ‖b_i‖²), full batch with L-BFGS.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor

from learner.models.base import TrainGraph
from learner.models.fullbatch import FullBatchRating


class BiasedMF(FullBatchRating):
    """Biased MF (Koren, Bell, Volinsky 2009): global mean, user and item biases, dot-product factors.

    Args: ``dim`` factors; ``reg`` λ on the factors; ``bias_reg`` λ_b on the biases; ``init_std``.
    """

    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 100, "lr": 1.0, "patience": 5, "eval_every": 1}

    def __init__(self, num_users: int, num_items: int, dim: int = 16, reg: float = 10.0, bias_reg: float = 5.0,
                 init_std: float = 0.1, lbfgs_steps: int = 10) -> None:
        super().__init__(num_users, num_items, lbfgs_steps)
        self.reg, self.bias_reg = reg, bias_reg
        self.user_factors = torch.nn.Parameter(torch.randn(num_users, dim) * init_std)
        self.item_factors = torch.nn.Parameter(torch.randn(num_items, dim) * init_std)
        self.user_bias = torch.nn.Parameter(torch.zeros(num_users))
        self.item_bias = torch.nn.Parameter(torch.zeros(num_items))
        self.register_buffer("mean", torch.zeros(()))
        self.register_buffer("user", torch.zeros(0, dtype=torch.long))
        self.register_buffer("item", torch.zeros(0, dtype=torch.long))
        self.register_buffer("rating", torch.zeros(0))

    def prepare(self, graph: TrainGraph) -> None:
        super().prepare(graph)
        self.user, self.item, self.rating = graph.user, graph.item, graph.rating.float()
        self.mean = self.rating.mean()

    def user_vectors(self) -> Tensor:
        """Every user's factor vector [U, dim] (p_u; SVD++ adds its implicit feedback)."""
        return self.user_factors

    def regularised_factors(self) -> list[Tensor]:
        """The factor tensors λ applies to."""
        return [self.user_factors, self.item_factors]

    def objective(self) -> Tensor:
        users = self.user_vectors()
        pred = self.mean + self.user_bias[self.user] + self.item_bias[self.item] + (
            users[self.user] * self.item_factors[self.item]).sum(-1)
        err = (self.rating - pred).pow(2).sum() / 2
        factors = sum(t.pow(2).sum() for t in self.regularised_factors())
        biases = self.user_bias.pow(2).sum() + self.item_bias.pow(2).sum()
        return err + self.reg / 2 * factors + self.bias_reg / 2 * biases

    def full_matrix(self) -> Tensor:
        return (self.mean + self.user_bias[:, None] + self.item_bias[None, :]
                + self.user_vectors() @ self.item_factors.t())
