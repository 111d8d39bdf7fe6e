"""EASE: embarrassingly shallow autoencoder, a closed-form item–item linear model.

H. Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019.
P = (XᵀX + λI)⁻¹, B = I − P · diag(1 / diag(P)) (so diag(B) = 0); score(u, ·) = X_u B.

With ``knowledge_weight`` α > 0 the item × entity matrix F of the knowledge edges joins X as extra
rows, XᵀX + α² F Fᵀ, i.e. collective EASE with side information: O. Jeunen, J. Van Balen,
B. Goethals, "Closed-Form Models for Collaborative Filtering with Side-Information", RecSys 2020.
"""

from __future__ import annotations

import torch
from torch import Tensor

from learner.data import knowledge_edges
from learner.metrics import Scorer
from learner.models.base import Recommender, TrainGraph
from learner.models.graph import interaction_matrix

MAX_ITEMS = 30_000  # B is a dense I × I matrix (30,000² float32: 3.6 GB, plus the Gram matrix)


class EASE(Recommender):
    """EASE (Steck, WWW 2019): closed-form item–item weights with L2 ``lam`` and a zero diagonal.

    ``knowledge_weight`` α > 0 adds the items' knowledge entities as α-weighted pseudo-users
    (collective EASE, Jeunen et al., RecSys 2020); 0 ignores knowledge. ``dtype`` of the Gram matrix and its
    (Cholesky) inverse: ``float64`` by default, ``float32`` halves memory and time for large catalogues.
    """

    trainable = False
    similarity = None

    def __init__(self, num_users: int, num_items: int, lam: float = 250.0, knowledge_weight: float = 0.0,
                 dtype: str = "float64") -> None:
        super().__init__(num_users, num_items)
        if num_items > MAX_ITEMS:
            raise ValueError(f"EASE keeps a dense {num_items}×{num_items} matrix; more than {MAX_ITEMS} items "
                             "is beyond what this implementation allows")
        if dtype not in ("float32", "float64"):
            raise ValueError(f"EASE dtype must be 'float32' or 'float64', got {dtype!r}")
        self.lam, self.knowledge_weight, self.dtype = lam, knowledge_weight, getattr(torch, dtype)
        # fitted state as buffers left out of the state dict, so .to(device) moves it with the model
        self.register_buffer("x", None, persistent=False)  # user × item, sparse COO
        self.register_buffer("b", None, persistent=False)  # [I, I] item–item weights

    def prepare(self, graph: TrainGraph) -> None:
        x = interaction_matrix(graph.user, graph.item, self.num_users, self.num_items).to(graph.device)
        gram = torch.sparse.mm(x.t().coalesce(), x).to_dense().to(self.dtype)  # sparse × sparse: no dense X
        if self.knowledge_weight > 0:
            links = [ei for (src, _, _), ei in knowledge_edges(graph.data).items() if src == "item"]
            if links:
                pairs = torch.cat(links, dim=1).to(graph.device)
                features = interaction_matrix(pairs[0], pairs[1], self.num_items,
                                              int(graph.data["entity"].num_nodes)).coalesce()
                features = torch.sparse_coo_tensor(features.indices(), torch.ones_like(features.values()),
                                                   features.shape, check_invariants=True)  # binary
                side = torch.sparse.mm(features, features.t().coalesce()).to_dense()  # no dense entity × item
                gram += self.knowledge_weight ** 2 * side.to(self.dtype)
        gram.diagonal().add_(self.lam)
        # symmetric positive definite: Cholesky then its inverse, half inv's work; at most two I × I matrices alive
        factor = torch.linalg.cholesky(gram)
        del gram
        p = torch.cholesky_inverse(factor)
        del factor
        p.div_(-p.diagonal().clone().unsqueeze(0))
        p.diagonal().zero_()
        self.x, self.b = x, p.float()

    def scorer(self) -> Scorer:
        if self.x is None or self.b is None:
            raise RuntimeError("EASE.prepare(graph) must be called before scoring")
        x, b = self.x, self.b
        return lambda users: torch.sparse.mm(x.index_select(0, users.to(x.device)), b)  # sparse X_u times B

    def predict(self, users: Tensor, items: Tensor) -> Tensor:
        return self.scorer()(users).gather(1, items.unsqueeze(1)).squeeze(1)
