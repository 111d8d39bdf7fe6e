"""KNN-baseline: neighbourhood rating prediction around regularised baseline estimates.

Y. Koren, "Factorization Meets the Neighborhood: a Multifaceted Collaborative Filtering Model", KDD 2008,
§2.1-2.2. Baselines b_ui = μ + b_u + b_i minimise Σ (r_ui − μ − b_u − b_i)² + λ_u Σ b_u² + λ_i Σ b_i²
(alternating exact updates). Item-item similarity is the shrunk Pearson correlation of the baseline residuals
over common raters, s_ij = n_ij / (n_ij + λ₂) · Σ_u e_ui e_uj / sqrt(Σ_u e_ui² · Σ_u e_uj²) (sums over users who
rated both, e = r − b), and r̂_ui = b_ui + Σ_{j ∈ S^k(i; u)} s_ij (r_uj − b_uj) / Σ_{j ∈ S^k(i; u)} s_ij over the
``k`` items rated by u most similar to i (positive similarities only; b_ui alone where there are none).
``based="user"`` swaps the roles of users and items (user-user neighbourhoods). Dense matrices: for rating
data sets of ML-100K/1M size.
"""

from __future__ import annotations

import torch
from torch import Tensor

from learner.models.base import TrainGraph
from learner.models.precomputed import PrecomputedRating


def baseline_biases(user: Tensor, item: Tensor, rating: Tensor, num_users: int, num_items: int,
                    user_reg: float, item_reg: float, sweeps: int = 20) -> tuple[Tensor, Tensor, Tensor]:
    """(μ, b_u [U], b_i [I]) of the regularised baseline predictor, by alternating exact least-squares sweeps."""
    mean = rating.mean()
    b_user, b_item = torch.zeros(num_users, device=rating.device), torch.zeros(num_items, device=rating.device)
    n_user = torch.bincount(user, minlength=num_users).float()
    n_item = torch.bincount(item, minlength=num_items).float()
    for _ in range(sweeps):
        b_item = torch.zeros_like(b_item).index_add_(0, item, rating - mean - b_user[user]) / (item_reg + n_item)
        b_user = torch.zeros_like(b_user).index_add_(0, user, rating - mean - b_item[item]) / (user_reg + n_user)
    return mean, b_user, b_item


class KNNBaseline(PrecomputedRating):
    """KNN-baseline (Koren, KDD 2008): baseline estimates plus a shrunk Pearson-baseline k-NN correction.

    Args: ``k`` neighbours; ``shrink`` λ₂ of the similarity shrinkage; ``user_reg``/``item_reg`` λ_u, λ_i of the
    baselines; ``based`` ``item`` (item-item neighbourhoods, the paper's choice) or ``user``.
    """

    def __init__(self, num_users: int, num_items: int, k: int = 40, shrink: float = 100.0, user_reg: float = 15.0,
                 item_reg: float = 10.0, based: str = "item") -> None:
        super().__init__(num_users, num_items)
        if based not in ("item", "user"):
            raise ValueError(f"based must be 'item' or 'user', got {based!r}")
        self.k, self.shrink, self.user_reg, self.item_reg, self.based = k, shrink, user_reg, item_reg, based

    def prepare(self, graph: TrainGraph) -> None:
        rating = graph.rating.float()
        mean, b_user, b_item = baseline_biases(graph.user, graph.item, rating, self.num_users, self.num_items,
                                               self.user_reg, self.item_reg)
        baseline = mean + b_user[:, None] + b_item[None, :]
        mask = torch.zeros(self.num_users, self.num_items, device=graph.device)
        mask[graph.user, graph.item] = 1.0
        resid = torch.zeros_like(mask)
        resid[graph.user, graph.item] = rating - baseline[graph.user, graph.item]
        if self.based == "user":  # neighbours are users: rows become columns
            mask, resid = mask.t(), resid.t()
        self.keep(baseline + self._neighbourhood(mask, resid, graph.device), float(rating.min()), float(rating.max()))

    def _neighbourhood(self, mask: Tensor, resid: Tensor, device: torch.device) -> Tensor:
        """The k-NN correction [U, I] from the residuals ``resid`` [R, C] (columns are the neighbours)."""
        squares = resid.pow(2).t() @ mask  # [C, C]: Σ over common rows of e_i²
        common = mask.t() @ mask
        sim = (resid.t() @ resid) / (squares * squares.t()).sqrt().clamp_min(1e-12)
        sim = sim * common / (common + self.shrink)
        sim.fill_diagonal_(0.0)
        out = torch.zeros_like(resid)
        for row in range(resid.size(0)):
            rated = mask[row].nonzero().squeeze(1)
            if rated.numel() == 0:
                continue
            top, pos = sim[:, rated].topk(min(self.k, rated.numel()), dim=1)  # [C, k] most similar rated columns
            top = top.clamp_min(0.0)
            weight = top.sum(1)
            out[row] = torch.where(weight > 0, (top * resid[row, rated][pos]).sum(1) / weight.clamp_min(1e-12), 0.0)
        return out.t() if self.based == "user" else out
