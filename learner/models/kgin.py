"""KGIN-style GNN on the collaborative knowledge graph: relation-aware paths and user intents.

X. Wang, T. Huang, D. Wang, Y. Yuan, Z. Liu, X. He, T.-S. Chua, "Learning Intents behind Interactions
with Knowledge Graph for Recommendation" (KGIN), WWW 2021.

Items and knowledge entities share one embedding table; relations (each knowledge edge type and its
inverse) have embeddings e_r; P intents are attentive mixtures of relations, e_p = Σ_r softmax_r(w_p)_r e_r.
Per layer, without non-linearities:

- entity h: e_h ← mean over its (r, t) neighbours of e_r ⊙ e_t (relational path aggregation);
- user u: e_u ← Σ_p β(u, p) e_p ⊙ mean over u's training items of e_i, β(u, ·) = softmax(e_p · e_u⁰);

each layer's output is L2-normalised and the layers are summed (residual); score(u, i) = e_u · e_i
with BPR. Simplifications: no independence loss between intents, no node/message dropout.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor
from torch.nn.functional import normalize

from learner.data import knowledge_edges
from learner.models.base import Batch, Recommender, TrainGraph, bpr_loss, l2


def _mean_by(index: Tensor, values: Tensor, size: int) -> Tensor:
    total = torch.zeros(size, values.size(1), device=values.device, dtype=values.dtype).index_add(0, index, values)
    count = torch.bincount(index, minlength=size).clamp(min=1).unsqueeze(1)
    return total / count


class KGIN(Recommender):
    """KGIN-style (Wang et al., WWW 2021): intent-aware users, relational-path item/entity propagation.

    Args: ``dim``; ``num_layers``; ``num_intents``; ``use_knowledge`` (False: no item/entity
    propagation, users still aggregate their items through intents); ``reg`` L2 weight.
    """

    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 150, "lr": 5e-3, "batch_size": 4096}

    def __init__(self, num_users: int, num_items: int, dim: int = 64, num_layers: int = 2, num_intents: int = 4,
                 use_knowledge: bool = True, reg: float = 1e-4) -> None:
        super().__init__(num_users, num_items)
        self.dim, self.num_layers, self.num_intents = dim, num_layers, num_intents
        self.use_knowledge, self.reg = use_knowledge, reg
        self.user_emb = torch.nn.Embedding(num_users, dim)
        self.entity_emb = torch.nn.Embedding(num_items, dim)  # resized in prepare() when entities exist
        self.relation_emb = torch.nn.Embedding(1, dim)
        self.intent_logits = torch.nn.Parameter(torch.zeros(num_intents, 1))
        self.register_buffer("kg", torch.zeros(3, 0, dtype=torch.long))  # (head, relation, tail)
        self.register_buffer("ui", torch.zeros(2, 0, dtype=torch.long))  # (user, item)

    def prepare(self, graph: TrainGraph) -> None:
        heads, rels, tails = [], [], []
        num_nodes, num_rel = self.num_items, 1  # relation 0 is a placeholder when there is no knowledge
        if self.use_knowledge and "entity" in graph.data.node_types:
            num_nodes += int(graph.data["entity"].num_nodes)
            for k, ((src, _, _), ei) in enumerate(sorted(knowledge_edges(graph.data).items())):
                h = ei[0] + (0 if src == "item" else self.num_items)
                t = ei[1] + self.num_items
                heads += [h, t]
                tails += [t, h]
                rels += [torch.full_like(h, 2 * k), torch.full_like(h, 2 * k + 1)]  # relation and its inverse
            num_rel = max(len(heads), 1)
        self.entity_emb = torch.nn.Embedding(num_nodes, self.dim)
        self.relation_emb = torch.nn.Embedding(num_rel, self.dim)
        self.intent_logits = torch.nn.Parameter(torch.zeros(self.num_intents, num_rel))
        for emb in (self.user_emb, self.entity_emb, self.relation_emb):
            torch.nn.init.xavier_uniform_(emb.weight)
        torch.nn.init.xavier_uniform_(self.intent_logits)
        self.kg = (torch.stack([torch.cat(heads), torch.cat(rels), torch.cat(tails)]) if heads
                   else torch.zeros(3, 0, dtype=torch.long))
        self.ui = torch.stack([graph.user, graph.item])
        self.to(graph.device)

    def _propagate(self) -> tuple[Tensor, Tensor]:
        user0, ent = self.user_emb.weight, self.entity_emb.weight
        intents = torch.softmax(self.intent_logits, dim=1) @ self.relation_emb.weight  # [P, d]
        beta = torch.softmax(user0 @ intents.T, dim=1)  # [U, P]
        user_gate = beta @ intents  # Σ_p β(u,p) e_p, [U, d]
        user_out, ent_out = user0, ent
        user = user0
        for _ in range(self.num_layers):
            items_mean = _mean_by(self.ui[0], ent[self.ui[1]], self.num_users)
            user = normalize(user_gate * items_mean, dim=1)
            if self.kg.size(1):
                h, r, t = self.kg
                ent = normalize(_mean_by(h, self.relation_emb.weight[r] * ent[t], ent.size(0)), dim=1)
            user_out = user_out + user
            ent_out = ent_out + ent
        return user_out, ent_out[: self.num_items]

    def loss(self, batch: Batch) -> Tensor:
        users, items = self._propagate()
        u, i, j = users[batch.users], items[batch.items], items[batch.negatives]
        reg = l2(self.user_emb(batch.users), self.entity_emb(batch.items), self.entity_emb(batch.negatives))
        return bpr_loss((u * i).sum(-1), (u * j).sum(-1)) + self.reg * reg

    def embeddings(self) -> tuple[Tensor, Tensor]:
        return self._propagate()
