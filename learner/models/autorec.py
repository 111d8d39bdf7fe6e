"""Item-based autoencoders for rating prediction: I-AutoRec and GLocal-K.

- I-AutoRec: S. Sedhain, A. K. Menon, S. Sanner, L. Xie, "AutoRec: Autoencoders Meet Collaborative
  Filtering", WWW 2015. Each item is a sample: its column r_i of observed ratings over all users is
  encoded h = σ(V r_i + b) and decoded r̂_i = W h + c; loss ½ Σ_observed (r − r̂)² + λ/2 (‖V‖² + ‖W‖²).
- GLocal-K: S. C. Han, T. Lim, S. Long, B. Burgstaller, J. Poon, "GLocal-K: Global and Local Kernels for
  Recommender Systems", CIKM 2021. Local kernel: every weight matrix is W ⊙ K(u, v) with the finite-support
  kernel K(u_a, v_b) = max(0, 1 − ‖u_a − v_b‖²) over learnt low-dimensional vectors (as in Sparse FC,
  Muller et al., ICML 2018), two sigmoid hidden layers, L2 on W (λ₂) and on K (λ_s). Pre-training fits the
  local-kernel autoencoder; fine-tuning convolves the rating matrix with a global g × g kernel built from
  the item-wise average of the pre-trained reconstruction (ReLU(R ∗ G), G = reshape(mean_u R̂ · C)) and
  feeds that to the same autoencoder. Both stages optimise full-batch with L-BFGS, as the paper's code.

Predictions are clipped to the training ratings' range.
"""

from __future__ import annotations

import itertools
from typing import ClassVar

import torch
from torch import Tensor
from torch.nn.functional import conv2d, relu

from learner.models.base import TrainGraph
from learner.models.fullbatch import FullBatchRating


class AutoRec(FullBatchRating):
    """I-AutoRec (Sedhain et al., WWW 2015): one sigmoid hidden layer over each item's rating column.

    Args: ``hidden`` units; ``reg`` λ (L2 on the weights, summed as in the paper's objective);
    ``lbfgs_steps`` L-BFGS iterations per epoch (full batch).
    """

    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 60, "lr": 1.0, "patience": 5, "eval_every": 1}

    def __init__(self, num_users: int, num_items: int, hidden: int = 500, reg: float = 1.0,
                 lbfgs_steps: int = 5) -> None:
        super().__init__(num_users, num_items, lbfgs_steps)
        self.reg = reg
        self.layers = torch.nn.ModuleList([torch.nn.Linear(num_users, hidden), torch.nn.Linear(hidden, num_users)])
        self.register_buffer("ratings", torch.zeros(num_items, num_users))
        self.register_buffer("mask", torch.zeros(num_items, num_users))

    def prepare(self, graph: TrainGraph) -> None:
        super().prepare(graph)
        self.ratings = torch.zeros(self.num_items, self.num_users, device=graph.device)
        self.ratings[graph.item, graph.user] = graph.rating.float()
        self.mask = torch.zeros_like(self.ratings)
        self.mask[graph.item, graph.user] = 1.0

    def weight(self, layer: int) -> Tensor:
        """The effective weight matrix of ``layer`` (out × in)."""
        return self.layers[layer].weight

    def penalty(self) -> Tensor:
        return self.reg / 2 * sum(self.weight(k).pow(2).sum() for k in range(len(self.layers)))

    def network(self, x: Tensor) -> Tensor:
        """Reconstruct item rows ``x`` [items, users]: sigmoid hidden layers, linear output."""
        last = len(self.layers) - 1
        for k, layer in enumerate(self.layers):
            x = torch.nn.functional.linear(x, self.weight(k), layer.bias)
            x = x if k == last else torch.sigmoid(x)
        return x

    def reconstruct(self) -> Tensor:
        return self.network(self.ratings)

    def objective(self) -> Tensor:
        return ((self.ratings - self.reconstruct()) * self.mask).pow(2).sum() / 2 + self.penalty()

    def full_matrix(self) -> Tensor:
        return self.reconstruct().t()


class GLocalK(AutoRec):
    """GLocal-K (Han et al., CIKM 2021): local-kernel autoencoder, then a global-kernel fine-tuning stage.

    Args: ``hidden`` units per hidden layer; ``num_layers`` hidden layers; ``kernel_dim`` of the kernel
    vectors; ``reg`` λ₂ and ``kernel_reg`` λ_s (the paper's ML-100K values 20 and 0.006); ``global_size`` g
    of the g × g global kernel; ``pretrain_epochs`` of local pre-training before fine-tuning starts (each
    epoch ``lbfgs_steps`` L-BFGS iterations); ``restart_lbfgs``: every epoch a fresh L-BFGS run (no curvature
    memory, line searches not capped), as the paper's code (one SciPy L-BFGS-B call of ``maxiter`` 5 per epoch).
    """

    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 90, "lr": 1.0, "patience": 10, "eval_every": 1}

    def __init__(self, num_users: int, num_items: int, hidden: int = 500, num_layers: int = 2,
                 kernel_dim: int = 5, reg: float = 20.0, kernel_reg: float = 0.006, global_size: int = 3,
                 pretrain_epochs: int = 30, lbfgs_steps: int = 5, restart_lbfgs: bool = False) -> None:
        super().__init__(num_users, num_items, hidden, reg, lbfgs_steps)
        self.restart_lbfgs = restart_lbfgs
        sizes = [num_users, *[hidden] * num_layers, num_users]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        for layer in self.layers:
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
        self.kernel_in = torch.nn.ParameterList(torch.nn.Parameter(torch.randn(a, kernel_dim) * 1e-3)
                                                for a in sizes[:-1])
        self.kernel_out = torch.nn.ParameterList(torch.nn.Parameter(torch.randn(b, kernel_dim) * 1e-3)
                                                 for b in sizes[1:])
        self.conv = torch.nn.Parameter(torch.randn(num_items, global_size ** 2) * 0.1)
        self.kernel_reg, self.global_size, self.pretrain_epochs = kernel_reg, global_size, pretrain_epochs
        self.register_buffer("fine_tuning", torch.tensor(False))  # in the state, so a restored epoch keeps its stage

    def kernel(self, layer: int) -> Tensor:
        """K(u, v) = max(0, 1 − ‖u_a − v_b‖²), shaped like the layer's weight (out × in)."""
        return relu(1 - torch.cdist(self.kernel_out[layer], self.kernel_in[layer]).pow(2))

    def weight(self, layer: int) -> Tensor:
        return self.layers[layer].weight * self.kernel(layer)

    def penalty(self) -> Tensor:
        return sum(self.reg / 2 * self.layers[k].weight.pow(2).sum()
                   + self.kernel_reg / 2 * self.kernel(k).pow(2).sum() for k in range(len(self.layers)))

    def reconstruct(self) -> Tensor:
        if not self.fine_tuning:
            return self.network(self.ratings)
        pooled = self.network(self.ratings).mean(dim=1)  # item-wise average of the local reconstruction
        g = (pooled @ self.conv).view(1, 1, self.global_size, self.global_size)
        smoothed = relu(conv2d(self.ratings[None, None], g, padding=self.global_size // 2))[0, 0]
        return self.network(smoothed)

    def train_epoch(self, epoch: int, hp: dict[str, float | int]) -> float:
        self.fine_tuning.fill_(epoch > self.pretrain_epochs)
        if self.fine_tuning:
            return self.lbfgs_epoch("fine-tune", list(self.parameters()), float(hp["lr"]))
        return self.lbfgs_epoch("pre-train", [p for p in self.parameters() if p is not self.conv], float(hp["lr"]))
