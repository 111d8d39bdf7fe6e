"""GC-MC: graph convolutional matrix completion, a rating-prediction GNN.

R. van den Berg, T. N. Kipf, M. Welling, "Graph Convolutional Matrix Completion", KDD Deep Learning Day
2018 (arXiv:1706.02263). The bipartite rating graph has one edge type per rating level r. Encoder: for a
user, h_u = ReLU(‖_r Σ_{i ∈ N_r(u)} c_ui W_r^item[i]) (‖ = concatenation, c_ui = 1/sqrt(|N(u)||N(i)|),
node inputs are one-hot, ordinal weight sharing W_r = Σ_{s ≤ r} T_s), then z_u = W h_u; items alike.
Decoder: p(r | u, i) = softmax_r(z_uᵀ Q_r z_i) with Q_r = Σ_b a_rb P_b (basis sharing); the predicted
rating is E[r]. Trained on the ratings with cross-entropy, node dropout on the inputs.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor
from torch.nn.functional import cross_entropy, dropout

from learner.metrics import Scorer
from learner.models.base import Batch, Recommender, TrainGraph
from learner.models.graph import spmm, to_csr


class GCMC(Recommender):
    """GC-MC (van den Berg, Kipf, Welling 2018): rating-level graph convolutions + bilinear softmax decoder.

    Args: ``hidden`` units per rating level; ``dim`` output embedding size; ``num_basis`` decoder bases;
    ``dropout`` node dropout on the one-hot inputs (GC-MC uses 0.7 on ML-100K); ``hidden_dropout``.
    """

    task = "rating"
    similarity = None
    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 1000, "lr": 1e-2, "batch_size": 1_000_000,
                                                        "patience": 50, "eval_every": 5}

    def __init__(self, num_users: int, num_items: int, dim: int = 75, hidden: int = 100, num_basis: int = 2,
                 dropout: float = 0.7, hidden_dropout: float = 0.3, num_levels: int = 5) -> None:
        super().__init__(num_users, num_items)
        self.node_dropout, self.hidden_dropout = dropout, hidden_dropout
        self.user_levels = torch.nn.Parameter(torch.empty(num_levels, num_users, hidden))
        self.item_levels = torch.nn.Parameter(torch.empty(num_levels, num_items, hidden))
        self.user_dense = torch.nn.Linear(num_levels * hidden, dim, bias=False)
        self.item_dense = torch.nn.Linear(num_levels * hidden, dim, bias=False)
        self.bases = torch.nn.Parameter(torch.empty(num_basis, dim, dim))
        self.mix = torch.nn.Parameter(torch.empty(num_levels, num_basis))
        for p in (self.user_levels, self.item_levels, self.bases, self.mix):
            torch.nn.init.xavier_uniform_(p.view(-1, p.size(-1)))
        self.register_buffer("levels", torch.arange(1, num_levels + 1, dtype=torch.float))
        self.adj_levels = 0  # prepare() registers per level r buffers adj_ui_r, adj_iu_r (moved by .to(device))

    def prepare(self, graph: TrainGraph) -> None:
        levels = torch.unique(graph.rating)
        if levels.numel() > self.levels.numel():
            raise ValueError(f"GC-MC was built for {self.levels.numel()} rating levels, the data has "
                             f"{levels.numel()} ({levels.tolist()[:10]}…); pass num_levels")
        self.levels = levels.float().to(graph.device)
        if self.levels.numel() < self.user_levels.size(0):
            raise ValueError(f"num_levels={self.user_levels.size(0)} but the training ratings have "
                             f"{self.levels.numel()} distinct values")
        deg_u = torch.bincount(graph.user, minlength=self.num_users).clamp(min=1).float()
        deg_i = torch.bincount(graph.item, minlength=self.num_items).clamp(min=1).float()
        norm = (deg_u[graph.user] * deg_i[graph.item]).rsqrt()
        for r, level in enumerate(self.levels):
            keep = graph.rating == level
            index = torch.stack([graph.user[keep], graph.item[keep]])
            self.register_buffer(f"adj_ui_{r}", to_csr(index, norm[keep], (self.num_users, self.num_items)),
                                 persistent=False)
            self.register_buffer(f"adj_iu_{r}", to_csr(index.flip(0), norm[keep], (self.num_items, self.num_users)),
                                 persistent=False)
        self.adj_levels = self.levels.numel()

    def _adjacency(self) -> list[tuple[Tensor, Tensor]]:
        """Per rating level: the normalised (user × item, item × user) adjacency built by prepare()."""
        return [(getattr(self, f"adj_ui_{r}"), getattr(self, f"adj_iu_{r}")) for r in range(self.adj_levels)]

    def level_of(self, ratings: Tensor) -> Tensor:
        """Class index of each rating value."""
        return torch.searchsorted(self.levels, ratings.float()).clamp(max=self.levels.numel() - 1)

    def _encode(self) -> tuple[Tensor, Tensor]:
        adj = self._adjacency()
        if not adj:
            raise RuntimeError("GCMC.prepare(graph) must be called before use")
        user_w = torch.cumsum(self.user_levels, 0)  # ordinal weight sharing
        item_w = torch.cumsum(self.item_levels, 0)
        if self.training and self.node_dropout > 0:
            keep_u = dropout(torch.ones(self.num_users, 1, device=user_w.device), self.node_dropout)
            keep_i = dropout(torch.ones(self.num_items, 1, device=item_w.device), self.node_dropout)
            user_w, item_w = user_w * keep_u, item_w * keep_i
        users = torch.relu(torch.cat([spmm(ui, item_w[r], iu) for r, (ui, iu) in enumerate(adj)], 1))
        items = torch.relu(torch.cat([spmm(iu, user_w[r], ui) for r, (ui, iu) in enumerate(adj)], 1))
        users = dropout(users, self.hidden_dropout, self.training)
        items = dropout(items, self.hidden_dropout, self.training)
        return self.user_dense(users), self.item_dense(items)

    def _pair_logits(self, users: Tensor, items: Tensor) -> Tensor:
        """[N, levels] logits for (user, item) pairs: every user's z_uᵀ Q_r once, then one dot per pair."""
        zu, zi = self._encode()
        q = torch.einsum("rb,bde->rde", self.mix, self.bases)  # Q_r = Σ_b a_rb P_b
        left = torch.einsum("ud,rde->ure", zu, q)  # [U, levels, d]
        return (left[users] * zi[items].unsqueeze(1)).sum(-1)

    def loss(self, batch: Batch) -> Tensor:
        return cross_entropy(self._pair_logits(batch.users, batch.items), self.level_of(batch.ratings))

    def predict(self, users: Tensor, items: Tensor) -> Tensor:
        return torch.softmax(self._pair_logits(users, items), dim=1) @ self.levels

    def scorer(self) -> Scorer:
        zu, zi = self._encode()
        q = torch.einsum("rb,bde->rde", self.mix, self.bases)
        right = torch.einsum("rde,ie->rdi", q, zi)  # [levels, d, I]

        def expected_rating(users: Tensor) -> Tensor:
            logits = torch.einsum("bd,rdi->bir", zu[users.to(zu.device)], right)
            return torch.softmax(logits, dim=2) @ self.levels

        return expected_rating
