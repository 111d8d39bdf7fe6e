"""Social LightGCN: light graph convolution over user–item interactions and user–user social links.

Social links join the propagation graph, so a user's embedding is smoothed over both the items they
interacted with and their friends / trusted users, as in J. Liao et al., "SocialLGN: Light Graph
Convolution Network for Social Recommendation", Information Sciences 2023 (building on LightGCN, He et
al., SIGIR 2020, and DiffNet, Wu et al., SIGIR 2019). Here the links (made undirected, weighted by
``social_weight``) and the interactions form one symmetric normalised adjacency D^-1/2 A D^-1/2.
"""

from __future__ import annotations

import torch

from learner.data import social_edges
from learner.models.base import TrainGraph
from learner.models.graph import bipartite_edge_index, normalized_adjacency
from learner.models.lightgcn import LightGCN


class SocialLightGCN(LightGCN):
    """Social LightGCN (SocialLGN-style, Liao et al. 2023): LightGCN on interactions + social links.

    Args as :class:`LightGCN`, plus ``social_weight`` (edge weight of a social link relative to an
    interaction, 0 = plain LightGCN) and ``relations`` (which social edge types to use; default all).
    """

    requires = ("social",)

    def __init__(self, num_users: int, num_items: int, dim: int = 64, num_layers: int = 3, reg: float = 1e-4,
                 init_std: float = 0.1, social_weight: float = 1.0, relations: tuple[str, ...] | None = None) -> None:
        super().__init__(num_users, num_items, dim=dim, num_layers=num_layers, reg=reg, init_std=init_std)
        self.social_weight, self.relations = social_weight, relations

    def prepare(self, graph: TrainGraph) -> None:
        ui = bipartite_edge_index(graph.user, graph.item, self.num_users)
        links = [ei.to(graph.device) for rel, ei in social_edges(graph.data).items()
                 if self.relations is None or rel in self.relations]
        social = torch.cat(links, dim=1) if links else torch.zeros(2, 0, dtype=torch.long, device=graph.device)
        social = torch.cat([social, social.flip(0)], dim=1)
        social = social[:, social[0] != social[1]]
        social = torch.unique(social, dim=1)  # undirected, no duplicates or self-loops
        edge_index = torch.cat([ui, social], dim=1)
        weight = torch.cat([torch.ones(ui.size(1), device=graph.device),
                            torch.full((social.size(1),), float(self.social_weight), device=graph.device)])
        keep = weight > 0
        self.adj = normalized_adjacency(edge_index[:, keep], self.num_users + self.num_items, weight[keep])
