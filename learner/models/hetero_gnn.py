"""GraphSAGE or GAT message passing on the heterogeneous user–item(–entity) graph (PyG HeteroConv).

GraphSAGE: W. Hamilton, R. Ying, J. Leskovec, "Inductive Representation Learning on Large Graphs",
NeurIPS 2017. GAT: P. Veličković et al., "Graph Attention Networks", ICLR 2018. Heterogeneous
message passing as in M. Schlichtkrull et al., "Modeling Relational Data with Graph Convolutional
Networks", ESWC 2018: one convolution per edge type (and its reverse), summed per node type.

Every node type starts from a learnt embedding; each layer is a :class:`torch_geometric.nn.HeteroConv`
over rates/rated_by and, with ``use_knowledge``, item→entity and entity→entity relations (both ways);
layer outputs are averaged with the input (LightGCN-style layer combination); score(u, i) = h_u · h_i,
trained with BPR.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor
from torch_geometric.nn import GATConv, HeteroConv, SAGEConv

from learner.data import knowledge_edges
from learner.models.base import Batch, Recommender, TrainGraph, bpr_loss, l2

EdgeType = tuple[str, str, str]


def _reverse(edge_type: EdgeType) -> EdgeType:
    src, rel, dst = edge_type
    return dst, f"rev_{rel}", src


class HeteroGNN(Recommender):
    """GraphSAGE/GAT on the heterogeneous graph (Hamilton et al. 2017 / Veličković et al. 2018), BPR loss.

    Args: ``dim`` embedding size; ``num_layers``; ``conv`` ``sage`` or ``gat``; ``heads`` (GAT);
    ``use_knowledge`` adds entity nodes and knowledge relations when the graph has them; ``reg`` L2
    weight on the batch's input embeddings; ``dropout`` on hidden layers; ``activation`` ReLU between
    layers (False: a linear, SGC-like stack).
    """

    train_defaults: ClassVar[dict[str, float | int]] = {"epochs": 100, "lr": 5e-3, "batch_size": 4096}

    def __init__(self, num_users: int, num_items: int, dim: int = 64, num_layers: int = 2, conv: str = "sage",
                 heads: int = 2, use_knowledge: bool = True, reg: float = 1e-4, dropout: float = 0.0,
                 activation: bool = True) -> None:
        super().__init__(num_users, num_items)
        if conv not in ("sage", "gat"):
            raise ValueError(f"conv must be 'sage' or 'gat', got {conv!r}")
        if conv == "gat" and dim % heads:
            raise ValueError(f"dim={dim} must be divisible by heads={heads}")
        self.dim, self.num_layers, self.conv, self.heads = dim, num_layers, conv, heads
        self.use_knowledge, self.reg, self.dropout, self.activation = use_knowledge, reg, dropout, activation
        self.emb = torch.nn.ModuleDict({"user": torch.nn.Embedding(num_users, dim),
                                        "item": torch.nn.Embedding(num_items, dim)})
        self.layers = torch.nn.ModuleList()
        self.edge_types: list[EdgeType] = []  # prepare() registers buffer edges_k for edge_types[k]

    def _make_conv(self) -> torch.nn.Module:
        if self.conv == "sage":
            return SAGEConv((self.dim, self.dim), self.dim)
        return GATConv((self.dim, self.dim), self.dim // self.heads, heads=self.heads, add_self_loops=False)

    def prepare(self, graph: TrainGraph) -> None:
        edges: dict[EdgeType, Tensor] = {("user", "rates", "item"): torch.stack([graph.user, graph.item])}
        if self.use_knowledge:
            edges.update({et: ei.to(graph.device) for et, ei in knowledge_edges(graph.data).items()})
        for et in list(edges):
            edges[_reverse(et)] = edges[et].flip(0)
        if any("entity" in (et[0], et[2]) for et in edges):
            self.emb["entity"] = torch.nn.Embedding(int(graph.data["entity"].num_nodes), self.dim)
        for emb in self.emb.values():
            torch.nn.init.normal_(emb.weight, std=0.1)
        self.layers = torch.nn.ModuleList(
            HeteroConv({et: self._make_conv() for et in edges}, aggr="sum") for _ in range(self.num_layers))
        for k, ei in enumerate(edges.values()):
            self.register_buffer(f"edges_{k}", ei, persistent=False)  # moved by .to(device) with the model
        self.edge_types = list(edges)
        self.to(graph.device)

    @property
    def edge_index_dict(self) -> dict[EdgeType, Tensor]:
        """The message-passing edges per edge type, as prepare() built them."""
        return {et: getattr(self, f"edges_{k}") for k, et in enumerate(self.edge_types)}

    def _encode(self) -> dict[str, Tensor]:
        x = {t: e.weight for t, e in self.emb.items()}
        out = {t: v / (self.num_layers + 1) for t, v in x.items()}
        for k, layer in enumerate(self.layers):
            x = {t: x[t] + h for t, h in layer(x, self.edge_index_dict).items()}  # residual keeps every type
            if k < self.num_layers - 1:
                x = {t: torch.relu(v) if self.activation else v for t, v in x.items()}
                x = {t: torch.nn.functional.dropout(v, self.dropout, self.training) for t, v in x.items()}
            out = {t: out[t] + x[t] / (self.num_layers + 1) for t in out}
        return out

    def loss(self, batch: Batch) -> Tensor:
        h = self._encode()
        u, i, j = h["user"][batch.users], h["item"][batch.items], h["item"][batch.negatives]
        reg = l2(self.emb["user"](batch.users), self.emb["item"](batch.items), self.emb["item"](batch.negatives))
        return bpr_loss((u * i).sum(-1), (u * j).sum(-1)) + self.reg * reg

    def embeddings(self) -> tuple[Tensor, Tensor]:
        h = self._encode()
        return h["user"], h["item"]
