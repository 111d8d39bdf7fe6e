"""Knowledge-graph embedding models as recommenders: link prediction of (user, interacts, item).

The collaborative knowledge graph (CKG) of X. Wang et al., "KGAT: Knowledge Graph Attention Network
for Recommendation", KDD 2019 — training interactions as ``interacts`` triples plus the item/entity
knowledge triples — embedded by a PyKEEN model: TransE (A. Bordes et al., "Translating Embeddings for
Modeling Multi-relational Data", NeurIPS 2013), DistMult (B. Yang et al., "Embedding Entities and
Relations for Learning and Inference in Knowledge Bases", ICLR 2015) or RotatE (Z. Sun et al.,
"RotatE: Knowledge Graph Embedding by Relational Rotation in Complex Space", ICLR 2019).
Items are ranked for a user by the model's score of (u, interacts, i); for serving, the score is
rewritten as an exact ranking-equivalent dot product (see :func:`learner.kge.as_dot_product`).
"""

from __future__ import annotations

from typing import ClassVar

import torch
from pykeen.models import ERModel
from torch import Tensor

from learner.kge import (
    KGTriples,
    as_dot_product,
    build_triples,
    entity_vectors,
    make_kge,
    query_vectors,
    train_kge_epochs,
)
from learner.models.base import Recommender, TrainGraph


class KGERecommender(Recommender):
    """A PyKEEN KGE model on the collaborative knowledge graph, ranking by (user, interacts, item) scores.

    Args: ``dim`` embedding size (complex dimension for RotatE); ``use_knowledge`` include the item and
    entity triples (False: interactions only); ``num_negatives`` corrupted triples per positive; the
    trainer's ``lr``/``batch_size`` drive PyKEEN's loop.
    """

    kge_name: ClassVar[str] = "transe"
    own_epochs = True
    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 60, "lr": 1e-2, "batch_size": 4096}

    def __init__(self, num_users: int, num_items: int, dim: int = 64, use_knowledge: bool = True,
                 num_negatives: int = 8) -> None:
        super().__init__(num_users, num_items)
        self.dim, self.use_knowledge, self.num_negatives = dim, use_knowledge, num_negatives
        self.kg: KGTriples | None = None
        self.kge: ERModel | None = None  # created on the first epoch, with PyKEEN's training loop
        self.seed = 0
        self.target = torch.device("cpu")  # where the PyKEEN model is created (the training graph's device)

    def prepare(self, graph: TrainGraph) -> None:
        self.kg = build_triples(graph, include_users=True, use_knowledge=self.use_knowledge)
        self.seed, self.target = graph.seed, graph.device

    def train_epoch(self, epoch: int, hp: dict[str, float | int]) -> float:
        if self.kg is None:
            raise RuntimeError(f"{type(self).__name__}.prepare(graph) must be called before training")
        if epoch == 1:
            self.kge, self.loop, self.factory = make_kge(self.kge_name, self.kg, self.dim, self.seed, self.target,
                                                         float(hp["lr"]), self.num_negatives)
        return train_kge_epochs(self.loop, self.factory, epoch, int(hp["batch_size"]), first=epoch == 1)

    def embeddings(self) -> tuple[Tensor, Tensor]:
        if self.kg is None or self.kge is None:
            raise RuntimeError(f"{type(self).__name__} has not been trained")
        users = torch.arange(self.num_users, device=self.device)  # the PyKEEN model's, after any .to()
        query, rule = query_vectors(self.kge, users, relation=0)
        items = entity_vectors(self.kge)[self.kg.item_offset:self.kg.item_offset + self.num_items]
        return as_dot_product(query, items, rule)


class TransERecommender(KGERecommender):
    """TransE (Bordes et al., NeurIPS 2013) on the collaborative KG: score = −‖e_u + r − e_i‖₂ (PyKEEN)."""

    kge_name = "transe"


class DistMultRecommender(KGERecommender):
    """DistMult (Yang et al., ICLR 2015) on the collaborative KG: score = ⟨e_u, r, e_i⟩ (PyKEEN)."""

    kge_name = "distmult"


class RotatERecommender(KGERecommender):
    """RotatE (Sun et al., ICLR 2019) on the collaborative KG: score = −‖e_u ∘ r − e_i‖ in ℂ^d (PyKEEN)."""

    kge_name = "rotate"
