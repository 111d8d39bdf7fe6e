"""SVD++: biased matrix factorisation whose user factors add the implicit feedback of what the user rated.

Y. Koren, "Factorization Meets the Neighborhood: a Multifaceted Collaborative Filtering Model", KDD 2008, §4.1:
r̂_ui = μ + b_u + b_i + q_iᵀ (p_u + |N(u)|^-½ Σ_{j ∈ N(u)} y_j), fitted by regularised least squares (λ on P, Q
and Y, λ_b on the biases), full batch with L-BFGS. N(u) is the set of items u rated *in the training ratings
the model is given* — never the items of held-out rows (the paper's Netflix runs also used which items were in
the qualifying set, which on a fixed split such as u1 would leak the test set).
"""

from __future__ import annotations

import torch
from torch import Tensor

from learner.models.base import TrainGraph
from learner.models.biasedmf import BiasedMF


class SVDpp(BiasedMF):
    """SVD++ (Koren, KDD 2008): biased MF plus normalised implicit item factors of each user's rated items.

    Args as :class:`BiasedMF` (``dim``, ``reg`` λ on P, Q and Y, ``bias_reg``, ``init_std``, ``lbfgs_steps``).
    """

    def __init__(self, num_users: int, num_items: int, dim: int = 16, reg: float = 10.0, bias_reg: float = 5.0,
                 init_std: float = 0.1, lbfgs_steps: int = 10) -> None:
        super().__init__(num_users, num_items, dim, reg, bias_reg, init_std, lbfgs_steps)
        self.implicit_factors = torch.nn.Parameter(torch.randn(num_items, dim) * init_std)
        # sparse [U, I]: 1/sqrt(|N(u)|) where u rated i; built in prepare(), moved by .to(device)
        self.register_buffer("implicit", None, persistent=False)

    def prepare(self, graph: TrainGraph) -> None:
        super().prepare(graph)
        counts = torch.bincount(graph.user, minlength=self.num_users).float().clamp_min(1.0)
        self.implicit = torch.sparse_coo_tensor(torch.stack([graph.user, graph.item]), counts[graph.user].rsqrt(),
                                                (self.num_users, self.num_items), check_invariants=True).coalesce()

    def user_vectors(self) -> Tensor:
        """p_u + |N(u)|^-½ Σ_{j ∈ N(u)} y_j for every user [U, dim]."""
        if self.implicit is None:
            raise RuntimeError("SVDpp.prepare(graph) must be called first")
        return self.user_factors + torch.sparse.mm(self.implicit, self.implicit_factors)

    def regularised_factors(self) -> list[Tensor]:
        return [*super().regularised_factors(), self.implicit_factors]
