"""ItemKNN: item-based collaborative filtering with cosine similarity over interaction columns.

B. Sarwar, G. Karypis, J. Konstan, J. Riedl, "Item-Based Collaborative Filtering Recommendation
Algorithms", WWW 2001; top-N variant of M. Deshpande, G. Karypis, "Item-Based Top-N Recommendation
Algorithms", ACM TOIS 2004. sim(i, j) = |U_i ∩ U_j| / (sqrt(|U_i| |U_j|) + shrink), only each item's
``k`` most similar neighbours kept; score(u, i) = Σ_{j ∈ items(u)} sim(j, i).
"""

from __future__ import annotations

import torch
from torch import Tensor

from learner.metrics import Scorer
from learner.models.base import Recommender, TrainGraph
from learner.models.graph import interaction_matrix


class ItemKNN(Recommender):
    """ItemKNN (Sarwar et al., WWW 2001): sum of cosine similarities to the user's items, k neighbours.

    Args: ``k`` neighbours kept per item; ``shrink`` added to the cosine denominator; ``chunk`` items
    per block when computing similarities (memory ∝ num_items × chunk).
    """

    trainable = False
    similarity = None

    def __init__(self, num_users: int, num_items: int, k: int = 100, shrink: float = 10.0, chunk: int = 2048) -> None:
        super().__init__(num_users, num_items)
        self.k, self.shrink, self.chunk = k, shrink, chunk
        # fitted state as buffers left out of the state dict, so .to(device) moves it with the model
        self.register_buffer("x", None, persistent=False)  # user × item, sparse COO
        # sparse COO [I, I]: w[j, i] = sim(j, i) for the k neighbours j of each item i
        self.register_buffer("w", None, persistent=False)

    def prepare(self, graph: TrainGraph) -> None:
        x = interaction_matrix(graph.user, graph.item, self.num_users, self.num_items).to(graph.device)
        xt = x.t().coalesce()
        norms = torch.sqrt(torch.bincount(graph.item, minlength=self.num_items).float())
        k = min(self.k, self.num_items - 1)
        neighbours, items, vals = [], [], []
        for start in range(0, self.num_items, self.chunk):
            block = torch.arange(start, min(start + self.chunk, self.num_items), device=graph.device)
            # I × b co-occurrence counts, sparse × sparse (3× faster than against the dense block on KGAT amazon-book)
            co = torch.sparse.mm(xt, x.index_select(1, block)).to_dense()
            sim = co / (norms.unsqueeze(1) * norms[block].unsqueeze(0) + self.shrink + 1e-12)
            sim[block, torch.arange(block.numel(), device=graph.device)] = 0.0  # no self-similarity
            top_val, top_idx = torch.topk(sim, k, dim=0)  # k neighbours j for each item i in block
            neighbours.append(top_idx.reshape(-1))
            items.append(block.repeat(k))
            vals.append(top_val.reshape(-1))
        index = torch.stack([torch.cat(neighbours), torch.cat(items)])
        self.w = torch.sparse_coo_tensor(index, torch.cat(vals), (self.num_items, self.num_items),
                                         check_invariants=True).coalesce()
        self.x = x

    def scorer(self) -> Scorer:
        if self.x is None or self.w is None:
            raise RuntimeError("ItemKNN.prepare(graph) must be called before scoring")
        x, w = self.x, self.w

        def score(users: Tensor) -> Tensor:
            # score(u, i) = Σ_j x[u, j] w[j, i], sparse × sparse: a user's few items times their k neighbours, not
            # all item pairs (16× faster than a dense batch of rows on KGAT amazon-book)
            return torch.sparse.mm(x.index_select(0, users.to(x.device)), w).to_dense()

        return score

    def predict(self, users: Tensor, items: Tensor) -> Tensor:
        return self.scorer()(users).gather(1, items.unsqueeze(1)).squeeze(1)
