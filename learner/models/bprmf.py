"""BPR-MF: matrix factorisation trained with Bayesian Personalized Ranking.

S. Rendle, C. Freudenthaler, Z. Gantner, L. Schmidt-Thieme, "BPR: Bayesian Personalized Ranking from
Implicit Feedback", UAI 2009. score(u, i) = p_u · q_i; loss −log σ(s(u,i) − s(u,j)) + λ‖·‖² over
(user, observed item, sampled unobserved item) triples.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor

from learner.models.base import Batch, Recommender, bpr_loss, l2


class BPRMF(Recommender):
    """BPR-MF (Rendle et al., UAI 2009): dot product of free user and item embeddings, BPR loss.

    Args: ``dim`` embedding size; ``reg`` L2 weight on the batch's embeddings; ``init_std`` of the
    normal initialisation.
    """

    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 300, "lr": 2e-3, "batch_size": 2048}

    def __init__(self, num_users: int, num_items: int, dim: int = 64, reg: float = 1e-4,
                 init_std: float = 0.03) -> None:
        super().__init__(num_users, num_items)
        self.reg, self.init_std = reg, init_std
        self.user_emb = torch.nn.Embedding(num_users, dim)
        self.item_emb = torch.nn.Embedding(num_items, dim)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        torch.nn.init.normal_(self.user_emb.weight, std=self.init_std)
        torch.nn.init.normal_(self.item_emb.weight, std=self.init_std)

    def loss(self, batch: Batch) -> Tensor:
        u = self.user_emb(batch.users)
        i = self.item_emb(batch.items)
        j = self.item_emb(batch.negatives)
        return bpr_loss((u * i).sum(-1), (u * j).sum(-1)) + self.reg * l2(u, i, j)

    def embeddings(self) -> tuple[Tensor, Tensor]:
        return self.user_emb.weight, self.item_emb.weight

    def warm_start_tables(self) -> tuple[Tensor, Tensor]:
        return self.user_emb.weight, self.item_emb.weight
