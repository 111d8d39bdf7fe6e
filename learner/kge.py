"""Knowledge-graph embeddings with PyKEEN on the exported triples.

The entity space is ``[users | items | entities]`` (users only when interactions are included as
``interacts`` triples, the collaborative knowledge graph of KGAT), relations are ``interacts`` plus one
per knowledge edge type. Models: TransE (Bordes et al., NeurIPS 2013), DistMult (Yang et al., ICLR 2015)
and RotatE (Sun et al., ICLR 2019), trained with PyKEEN's sLCWA training loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from pykeen.models import DistMult, ERModel, RotatE, TransE
from pykeen.training import SLCWATrainingLoop
from pykeen.triples import CoreTriplesFactory
from torch import Tensor

from learner.data import knowledge_edges
from learner.optim import adam

if TYPE_CHECKING:  # learner.models imports this module
    from learner.models.base import TrainGraph

KGE_MODELS: dict[str, type[ERModel]] = {"transe": TransE, "distmult": DistMult, "rotate": RotatE}
INTERACTS = "interacts"


@dataclass(frozen=True)
class KGTriples:
    """Mapped (head, relation, tail) triples and the layout of the entity space."""

    triples: Tensor  # long [N, 3]
    relations: list[str]
    num_entities: int
    item_offset: int  # items start here (users, when included, are 0 … num_users − 1)


def build_triples(graph: TrainGraph, *, include_users: bool, use_knowledge: bool = True) -> KGTriples:
    """Training interactions (when ``include_users``) and knowledge edges as KGE triples."""
    n_entities = int(graph.data["entity"].num_nodes) if "entity" in graph.data.node_types else 0
    item_offset = graph.num_users if include_users else 0
    entity_offset = item_offset + graph.num_items
    parts: list[Tensor] = []
    relations: list[str] = []
    if include_users:
        relations.append(INTERACTS)
        parts.append(torch.stack([graph.user.cpu(), torch.zeros_like(graph.user.cpu()),
                                  graph.item.cpu() + item_offset], dim=1))
    if use_knowledge:
        for (src, rel, _), edge_index in sorted(knowledge_edges(graph.data).items()):
            head_offset = item_offset if src == "item" else entity_offset
            rel_id = len(relations)
            relations.append(f"{src}:{rel}")
            ei = edge_index.cpu()
            parts.append(torch.stack([ei[0] + head_offset, torch.full_like(ei[0], rel_id), ei[1] + entity_offset],
                                     dim=1))
    if not parts:
        raise ValueError("no triples: the graph has no knowledge edges and interactions were not included")
    return KGTriples(torch.cat(parts), relations, entity_offset + n_entities, item_offset)


def make_kge(name: str, kg: KGTriples, dim: int, seed: int, device: torch.device, lr: float,
             num_negatives: int = 1) -> tuple[ERModel, SLCWATrainingLoop, CoreTriplesFactory]:
    """A PyKEEN model and its sLCWA training loop (Adam, ``num_negatives`` corrupted triples per positive)
    on ``kg``. TransE scores with the L2 norm."""
    key = name.lower()
    if key not in KGE_MODELS:
        raise ValueError(f"unknown KGE model {name!r}; choose one of: {', '.join(KGE_MODELS)}")
    factory = CoreTriplesFactory.create(mapped_triples=kg.triples, num_entities=kg.num_entities,
                                        num_relations=len(kg.relations))
    extra = {"scoring_fct_norm": 2} if key == "transe" else {}
    model = KGE_MODELS[key](triples_factory=factory, embedding_dim=dim, random_seed=seed, **extra).to(device)
    loop = SLCWATrainingLoop(model=model, triples_factory=factory, optimizer=adam(model, lr, 0.0),
                             negative_sampler_kwargs={"num_negs_per_pos": num_negatives})
    return model, loop, factory


def train_kge_epochs(loop: SLCWATrainingLoop, factory: CoreTriplesFactory, up_to_epoch: int, batch_size: int,
                     first: bool) -> float:
    """Continue PyKEEN training up to ``up_to_epoch`` (its epochs are cumulative); the last epoch's loss."""
    losses = loop.train(triples_factory=factory, num_epochs=up_to_epoch, batch_size=batch_size,
                        continue_training=not first, use_tqdm=False, use_tqdm_batch=False, clear_optimizer=False,
                        pin_memory=loop.model.device.type == "cuda")  # pinned host memory only feeds a GPU
    return float(losses[-1]) if losses else float("nan")


def entity_vectors(model: ERModel) -> Tensor:
    """Entity embeddings as real vectors (complex ones, e.g. RotatE's, as [real | imaginary] pairs)."""
    emb = model.entity_representations[0](indices=None)
    return torch.view_as_real(emb).flatten(1) if emb.is_complex() else emb


def query_vectors(model: ERModel, heads: Tensor, relation: int) -> tuple[Tensor, str]:
    """(q, rule) with score(h, r, t) a monotone function of the rule applied to q and t's entity vector.

    DistMult: q = h ∘ r, rule ``dot``; TransE: q = h + r and RotatE: q = h ∘ r (complex), rule ``l2``
    (score = −‖q − t‖).
    """
    h = model.entity_representations[0](indices=heads)
    r = model.relation_representations[0](indices=torch.tensor([relation], device=heads.device))
    if isinstance(model, TransE):
        return h + r, "l2"
    if isinstance(model, RotatE):
        return torch.view_as_real(h * r).flatten(1), "l2"
    return h * r, "dot"


def as_dot_product(query: Tensor, targets: Tensor, rule: str) -> tuple[Tensor, Tensor]:
    """Vectors whose dot product ranks targets per query exactly as the rule does.

    −‖q − t‖² = 2 q·t − ‖q‖² − ‖t‖², so per query ranking by q·t − ½‖t‖² is the L2 ranking:
    q' = [q, 1], t' = [t, −½‖t‖²].
    """
    if rule == "dot":
        return query, targets
    ones = torch.ones(query.size(0), 1, device=query.device, dtype=query.dtype)
    return torch.cat([query, ones], 1), torch.cat([targets, -0.5 * targets.pow(2).sum(1, keepdim=True)], 1)
