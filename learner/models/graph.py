"""Adjacency helpers shared by the graph models: the user–item bipartite graph as one node set."""

from __future__ import annotations

import warnings

import torch
from torch import Tensor
from torch_geometric.nn.conv import LGConv
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


class _SymmetricSpmm(torch.autograd.Function):
    """A @ X for a symmetric sparse A; the gradient A^T @ G = A @ G reuses A instead of transposing it."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, adj: Tensor, x: Tensor) -> Tensor:
        ctx.adj = adj  # type: ignore[attr-defined]
        return adj @ x

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: Tensor) -> tuple[None, Tensor]:
        return None, ctx.adj @ grad  # type: ignore[attr-defined]


def symmetric_spmm(adj: Tensor, x: Tensor) -> Tensor:
    """Sparse symmetric ``adj`` times dense ``x`` (several times faster backward than torch.sparse.mm on CPU)."""
    return _SymmetricSpmm.apply(adj, x)


class SymmetricLGConv(LGConv):
    """:class:`torch_geometric.nn.conv.LGConv` on a pre-normalised symmetric sparse adjacency."""

    def __init__(self) -> None:
        super().__init__(normalize=False)

    def message_and_aggregate(self, adj_t: Tensor, x: Tensor) -> Tensor:
        return symmetric_spmm(adj_t, x)


def interaction_matrix(user: Tensor, item: Tensor, num_users: int, num_items: int) -> Tensor:
    """Binary user × item matrix of the training interactions, torch sparse COO (coalesced)."""
    values = torch.ones(user.numel(), device=user.device)
    return torch.sparse_coo_tensor(torch.stack([user, item]), values, (num_users, num_items)).coalesce()
