"""CKE-style recommender: matrix factorisation whose item vectors include the items' KG embeddings.

F. Zhang, N. J. Yuan, D. Lian, X. Xie, W.-Y. Ma, "Collaborative Knowledge Base Embedding for
Recommender Systems", KDD 2016: e_i = η_i + v_i, with v_i the item's structural knowledge embedding.
Here v_i = W · k_i where k_i is the item's entity vector from a PyKEEN model (TransE, DistMult or
RotatE) pre-trained on the item/entity triples, kept fixed, and W a learnt projection; score(u, i) =
p_u · e_i with BPR. Items without knowledge triples get v_i = 0.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor

from learner.kge import build_triples, entity_vectors, make_kge, train_kge_epochs
from learner.models.base import Batch, Recommender, TrainGraph, bpr_loss, l2


class CKE(Recommender):
    """CKE-style (Zhang et al., KDD 2016): BPR-MF item vectors plus projected PyKEEN item embeddings.

    Args: ``dim`` embedding size; ``kge`` ``transe``/``distmult``/``rotate``; ``kge_dim``; ``kge_epochs``,
    ``kge_lr``, ``kge_batch_size`` for PyKEEN's pre-training; ``reg`` L2 weight; ``init_std`` of the initial
    user, item and projection weights (as BPR-MF's).
    """

    requires = ("knowledge",)
    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 300, "lr": 1e-3, "batch_size": 2048}

    def __init__(self, num_users: int, num_items: int, dim: int = 64, kge: str = "transe", kge_dim: int = 64,
                 kge_epochs: int = 30, kge_lr: float = 1e-2, kge_batch_size: int = 2048, reg: float = 1e-4,
                 init_std: float = 0.03) -> None:
        super().__init__(num_users, num_items)
        self.kge_name, self.kge_dim, self.kge_epochs = kge, kge_dim, kge_epochs
        self.kge_lr, self.kge_batch_size, self.reg = kge_lr, kge_batch_size, reg
        self.user_emb = torch.nn.Embedding(num_users, dim)
        self.item_emb = torch.nn.Embedding(num_items, dim)
        torch.nn.init.normal_(self.user_emb.weight, std=init_std)  # as BPR-MF, the model without knowledge
        torch.nn.init.normal_(self.item_emb.weight, std=init_std)
        width = kge_dim * (2 if kge.lower() == "rotate" else 1)  # RotatE's complex vectors as real pairs
        self.register_buffer("knowledge", torch.zeros(num_items, width))
        self.proj = torch.nn.Linear(width, dim, bias=False)
        torch.nn.init.normal_(self.proj.weight, std=init_std)

    def prepare(self, graph: TrainGraph) -> None:
        kg = build_triples(graph, include_users=False)
        model, loop, factory = make_kge(self.kge_name, kg, self.kge_dim, graph.seed, graph.device, self.kge_lr)
        train_kge_epochs(loop, factory, self.kge_epochs, self.kge_batch_size, first=True)
        with torch.no_grad():
            vectors = entity_vectors(model)[kg.item_offset:kg.item_offset + self.num_items].detach().clone()
        heads = kg.triples[:, 0]
        linked = torch.zeros(self.num_items, dtype=torch.bool)
        linked[heads[heads < self.num_items]] = True
        self.knowledge = (vectors.cpu() * linked.unsqueeze(1)).to(graph.device)

    def _items(self, items: Tensor | None = None) -> Tensor:
        free = self.item_emb.weight if items is None else self.item_emb(items)
        know = self.knowledge if items is None else self.knowledge[items]
        return free + self.proj(know)

    def loss(self, batch: Batch) -> Tensor:
        u = self.user_emb(batch.users)
        i, j = self._items(batch.items), self._items(batch.negatives)
        reg = l2(u, self.item_emb(batch.items), self.item_emb(batch.negatives))
        return bpr_loss((u * i).sum(-1), (u * j).sum(-1)) + self.reg * reg

    def embeddings(self) -> tuple[Tensor, Tensor]:
        return self.user_emb.weight, self._items()
