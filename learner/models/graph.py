"""Adjacency helpers shared by the graph models: the user–item bipartite graph as one node set."""

from __future__ import annotations

import warnings

import torch
from torch import Tensor
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.utils import to_torch_csr_tensor


def bipartite_edge_index(user: Tensor, item: Tensor, num_users: int) -> Tensor:
    """Undirected edge_index over nodes [users | items] (items offset by ``num_users``)."""
    shifted = item + num_users
    return torch.cat([torch.stack([user, shifted]), torch.stack([shifted, user])], dim=1)


def normalized_adjacency(edge_index: Tensor, num_nodes: int, edge_weight: Tensor | None = None) -> Tensor:
    """D^-1/2 A D^-1/2 as a torch sparse CSR matrix (rows = targets), ready for ``spmm``."""
    index, weight = gcn_norm(edge_index, edge_weight, num_nodes, add_self_loops=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "sparse CSR support is in beta"
        return to_torch_csr_tensor(index, weight, size=(num_nodes, num_nodes))
