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
    return to_csr(index, weight, (num_nodes, num_nodes))


class _SpmmWithTranspose(torch.autograd.Function):
    """A @ X with A's transpose given, so the backward A^T @ G does not rebuild it on every call."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, adj: Tensor, adj_t: Tensor, x: Tensor) -> Tensor:
        ctx.adj_t = adj_t  # type: ignore[attr-defined]
        return adj @ x

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: Tensor) -> tuple[None, None, Tensor]:
        return None, None, ctx.adj_t @ grad  # type: ignore[attr-defined]


def spmm(adj: Tensor, x: Tensor, adj_t: Tensor | None = None) -> Tensor:
    """Sparse ``adj`` (CSR) times dense ``x``, differentiable in ``x``; ``adj_t`` = adjᵀ (None: adj is symmetric).

    Several times faster backward on CPU than torch.sparse.mm, which transposes the CSR matrix each call.
    """
    return _SpmmWithTranspose.apply(adj, adj if adj_t is None else adj_t, x)


def to_csr(index: Tensor, weight: Tensor, size: tuple[int, int]) -> Tensor:
    """A torch sparse CSR matrix from COO ``index`` [2, E] and ``weight`` [E]."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "sparse CSR support is in beta"
        return to_torch_csr_tensor(index, weight, size=size)


class SymmetricLGConv(LGConv):
    """:class:`torch_geometric.nn.conv.LGConv` on a pre-normalised symmetric sparse adjacency."""

    def __init__(self) -> None:
        super().__init__(normalize=False)

    def message_and_aggregate(self, adj_t: Tensor, x: Tensor) -> Tensor:
        return spmm(adj_t, x)


def interaction_matrix(user: Tensor, item: Tensor, num_users: int, num_items: int) -> Tensor:
    """Binary user × item matrix of the training interactions, torch sparse COO (coalesced)."""
    values = torch.ones(user.numel(), device=user.device)
    return torch.sparse_coo_tensor(torch.stack([user, item]), values, (num_users, num_items),
                                   check_invariants=True).coalesce()
