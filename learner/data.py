"""The HeteroData contract between graphstore's export and the learner, and views of it as tensors.

A graph handed to the learner carries ``dataset``, ``explicit`` and ``split_names`` attributes,
``user`` and ``item`` node stores with ``ids`` (and ``titles`` for items), and one interaction edge
type ``('user', 'rates', 'item')`` with ``edge_index``, ``rating``, ``ts`` and ``test_in`` (bit ``i``
set ⇔ the row is a test row of ``split_names[i]``). Knowledge (``entity`` nodes, ``('item', rel,
'entity')`` / ``('entity', rel, 'entity')`` edges) and social (``('user', 'friend'|'trusts', 'user')``)
parts are optional.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

RATES = ("user", "rates", "item")
SOCIAL_RELATIONS = ("friend", "trusts")


class GraphContractError(ValueError):
    """The HeteroData does not follow the graphstore → learner contract."""


@dataclass(frozen=True)
class Interactions:
    """All user–item interactions of a graph as aligned 1-D tensors (one entry per edge)."""

    user: Tensor  # long [E]
    item: Tensor  # long [E]
    rating: Tensor  # float [E] (rating, or weight for implicit data)
    ts: Tensor  # long [E], unix seconds, 0 when unknown
    test_in: Tensor  # long [E], bitmask over split_names
    num_users: int
    num_items: int
    split_names: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.user.numel())


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise GraphContractError(message)


def _check_edge_index(name: str, edge_index: object, n_src: int, n_dst: int) -> None:
    _require(isinstance(edge_index, Tensor), f"{name}.edge_index must be a tensor, got {type(edge_index).__name__}")
    assert isinstance(edge_index, Tensor)
    _require(edge_index.dtype == torch.long, f"{name}.edge_index must be torch.long, got {edge_index.dtype}")
    _require(edge_index.dim() == 2 and edge_index.size(0) == 2,
             f"{name}.edge_index must have shape [2, E], got {list(edge_index.shape)}")
    if edge_index.numel():
        _require(int(edge_index.min()) >= 0, f"{name}.edge_index has negative node indices")
        _require(int(edge_index[0].max()) < n_src,
                 f"{name}.edge_index source index {int(edge_index[0].max())} out of range (num_nodes={n_src})")
        _require(int(edge_index[1].max()) < n_dst,
                 f"{name}.edge_index target index {int(edge_index[1].max())} out of range (num_nodes={n_dst})")


def _check_nodes(data: HeteroData, node_type: str, *, required: bool) -> int:
    if node_type not in data.node_types:
        _require(not required, f"graph has no '{node_type}' nodes")
        return 0
    store = data[node_type]
    n = store.num_nodes
    _require(isinstance(n, int) and n > 0, f"data['{node_type}'].num_nodes must be a positive int, got {n!r}")
    for attr in ("ids",) if node_type != "entity" else ("uris",):
        values = getattr(store, attr, None)
        _require(values is not None, f"data['{node_type}'].{attr} is missing")
        _require(len(values) == n, f"data['{node_type}'].{attr} has {len(values)} entries for {n} nodes")
    return int(n)


def check_graph(data: HeteroData) -> HeteroData:
    """Validate ``data`` against the contract; raise :class:`GraphContractError` naming the bad field.

    Returns ``data`` unchanged so the call can be chained.
    """
    _require(isinstance(data, HeteroData), f"expected a torch_geometric HeteroData, got {type(data).__name__}")
    for attr, kind in (("dataset", str), ("explicit", bool), ("split_names", list | tuple)):
        value = getattr(data, attr, None)
        _require(isinstance(value, kind), f"data.{attr} must be {kind}, got {value!r}")
    _require(all(isinstance(s, str) for s in data.split_names), "data.split_names must be a list of str")
    _require(len(data.split_names) <= 62, "data.split_names has more than 62 entries (test_in is a 64-bit mask)")
    n_users = _check_nodes(data, "user", required=True)
    n_items = _check_nodes(data, "item", required=True)
    n_entities = _check_nodes(data, "entity", required=False)
    _require(RATES in data.edge_types, f"graph has no {RATES} edges")
    store = data[RATES]
    _check_edge_index("data['user','rates','item']", getattr(store, "edge_index", None), n_users, n_items)
    n_edges = store.edge_index.size(1)
    _require(n_edges > 0, "data['user','rates','item'] has no edges")
    for attr, dtype in (("rating", torch.float), ("ts", torch.long), ("test_in", torch.long)):
        value = getattr(store, attr, None)
        _require(isinstance(value, Tensor), f"data['user','rates','item'].{attr} is missing")
        _require(value.dtype == dtype, f"data['user','rates','item'].{attr} must be {dtype}, got {value.dtype}")
        _require(value.shape == (n_edges,),
                 f"data['user','rates','item'].{attr} has shape {list(value.shape)}, expected [{n_edges}]")
    _require(bool(torch.isfinite(store.rating).all()), "data['user','rates','item'].rating has NaN or inf values")
    if data.split_names:
        _require(int(store.test_in.min()) >= 0 and int(store.test_in.max()) < (1 << len(data.split_names)),
                 "data['user','rates','item'].test_in has bits beyond split_names")
    keys = store.edge_index[0] * n_items + store.edge_index[1]
    _require(keys.unique().numel() == n_edges, "data['user','rates','item'] has duplicate (user, item) pairs")
    sizes = {"user": n_users, "item": n_items, "entity": n_entities}
    for src, rel, dst in data.edge_types:
        if (src, rel, dst) == RATES:
            continue
        name = f"data[{src!r},{rel!r},{dst!r}]"
        _require(src in sizes and dst in sizes and sizes[src] and sizes[dst], f"{name}: unknown node type")
        if src == "user" or dst == "user":
            _require(src == dst == "user" and rel in SOCIAL_RELATIONS,
                     f"{name}: user edges other than rates must be user→user {SOCIAL_RELATIONS}")
        _check_edge_index(name, getattr(data[src, rel, dst], "edge_index", None), sizes[src], sizes[dst])
    return data


def interactions(data: HeteroData) -> Interactions:
    """The (validated) interaction edges of ``data`` as :class:`Interactions`, on the CPU whatever device ``data``
    is on: splits and samplers work there, and the trainer moves each part to the model's device."""
    check_graph(data)
    store = data[RATES]
    return Interactions(
        user=store.edge_index[0].cpu().contiguous(),
        item=store.edge_index[1].cpu().contiguous(),
        rating=store.rating.cpu(),
        ts=store.ts.cpu(),
        test_in=store.test_in.cpu(),
        num_users=int(data["user"].num_nodes),
        num_items=int(data["item"].num_nodes),
        split_names=tuple(data.split_names),
    )


def knowledge_edges(data: HeteroData) -> dict[tuple[str, str, str], Tensor]:
    """Item→entity and entity→entity edge indices keyed by edge type (empty when the graph has none)."""
    return {et: data[et].edge_index for et in data.edge_types if et[0] in ("item", "entity") and et[2] == "entity"}


def social_edges(data: HeteroData) -> dict[str, Tensor]:
    """User→user edge indices keyed by relation (``friend``, ``trusts``) where the graph has them."""
    return {rel: data[src, rel, dst].edge_index for src, rel, dst in data.edge_types
            if src == dst == "user" and rel in SOCIAL_RELATIONS}
