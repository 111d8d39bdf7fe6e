"""Bayesian factorization machine for rating prediction, sampled by MCMC (Gibbs), with graph side features.

S. Rendle, "Factorization Machines", ICDM 2010: ŷ(x) = w₀ + Σⱼ wⱼ xⱼ + Σ_{j<j'} ⟨vⱼ, vⱼ'⟩ xⱼ xⱼ'.
C. Freudenthaler, L. Schmidt-Thieme, S. Rendle, "Bayesian Factorization Machines", NIPS 2011 workshop, and
S. Rendle, "Factorization Machines with libFM", ACM TIST 2012: Gaussian priors on w and V whose means and
precisions have their own (normal-gamma) hyper-priors, one per feature group, all Gibbs-sampled — no learning
rate or regularisation to tune; the prediction is the mean over the kept posterior samples.
S. Rendle, L. Zhang, Y. Koren, "On the Difficulty of Evaluating Baselines", arXiv:1905.01395, 2019: with
the implicit features of SVD++ (the items a user rated) and their "flipped" twin (the users who rated an item)
this is among the strongest rating predictors on MovieLens. Ordered probit (``ordinal=True``): the rating is
the bucket of a latent ŷ(x) + ε, ε ~ N(0, 1), between sampled cut-points (J. H. Albert, S. Chib, JASA 1993);
the prediction is the posterior mean of the expected rating.

Sampling is done by the ``myfm`` package (T. Ohtsuki; libFM's MCMC engine with relational blocks, Rendle,
VLDB 2013). Each (user, item) row is [user features | item features], each feature group with its own prior:

- ``user`` / ``item``: one-hot ids;
- ``implicit_user``: the items the user rated *in the training ratings the model is given*, |N(u)|^-½ each
  (never which pairs are held out: on a fixed split such as u1 that would leak the test set);
- ``implicit_item``: the users who rated the item in those training ratings, |N(i)|^-½ each;
- ``knowledge``: per item→entity relation of the graph (``has_genre``, ``director``, …), the item's entities,
  (count)^-½ each.

Because the row splits into a user part u and an item part i, every sample's ŷ is
w₀ + a_u + b_i + ⟨s_u, s_i⟩ with a = X w + ½(‖X V‖² − X² ‖V‖²) and s = X V per side, so the whole
[users × items] prediction matrix is computed once from the samples and kept (as KNN-baseline keeps its own).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np
import torch
from scipy import sparse

from learner.data import knowledge_edges
from learner.models.base import TrainGraph
from learner.models.precomputed import PrecomputedRating

log = logging.getLogger(__name__)

FEATURES = ("user", "item", "implicit_user", "implicit_item", "knowledge")


def _normalised(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """A 0/1 incidence matrix (duplicates merged) with each row scaled to 1/sqrt(its number of entries)."""
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    matrix.data[:] = 1.0
    counts = np.diff(matrix.indptr)
    return sparse.diags(1.0 / np.sqrt(np.maximum(counts, 1))) @ matrix


def _side_terms(x: sparse.csr_matrix, w: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a, s) of one side for one sample: a = X w + ½(‖X V‖² − X² ‖V‖²) [rows], s = X V [rows, rank]."""
    s = x @ v
    a = x @ w + 0.5 * ((s**2).sum(1) - x.multiply(x) @ (v**2).sum(1))
    return a, s


class BayesianFM(PrecomputedRating):
    """Bayesian factorization machine with Gibbs sampling (Rendle 2010/2012; Rendle, Zhang, Koren 2019) on ids,
    SVD++-style implicit feedback of both sides and the graph's item knowledge.

    Args: ``rank`` of the factors; ``n_iter`` Gibbs sweeps; ``burn_in`` first sweeps discarded (the rest are
    averaged); ``features`` groups among :data:`FEATURES`; ``relations`` the item→entity relations used by
    ``knowledge`` (None: every one the graph has); ``ordinal`` ordered probit instead of Gaussian regression
    (integer ratings); ``init_std`` of the initial factors. The sampler's seed is the training seed.
    """

    def __init__(self, num_users: int, num_items: int, rank: int = 10, n_iter: int = 300, burn_in: int = 30,
                 features: Sequence[str] = ("user", "item", "implicit_user", "implicit_item", "knowledge"),
                 relations: Sequence[str] | None = None, ordinal: bool = False, init_std: float = 0.1) -> None:
        super().__init__(num_users, num_items)
        unknown = [f for f in features if f not in FEATURES]
        if unknown or not {"user", "item"} & set(features):
            raise ValueError(f"features must be among {FEATURES} and include user or item, got {list(features)}")
        if not 0 <= burn_in < n_iter:
            raise ValueError(f"burn_in must be in [0, n_iter), got burn_in={burn_in}, n_iter={n_iter}")
        self.rank, self.n_iter, self.burn_in, self.init_std = rank, n_iter, burn_in, init_std
        self.features, self.relations, self.ordinal = tuple(features), relations, ordinal
        self.groups: list[str] = []  # feature group names, user side first (as the design's columns)

    def design(self, graph: TrainGraph) -> tuple[sparse.csr_matrix, sparse.csr_matrix, list[int]]:
        """(user rows [U, F_u], item rows [I, F_i], group sizes): the two sides of every (user, item) row."""
        user, item = graph.user.cpu().numpy(), graph.item.cpu().numpy()
        shape_ui = (self.num_users, self.num_items)
        user_side: list[tuple[str, sparse.csr_matrix]] = []
        item_side: list[tuple[str, sparse.csr_matrix]] = []
        if "user" in self.features:
            user_side.append(("user", sparse.identity(self.num_users, format="csr")))
        if "implicit_user" in self.features:
            user_side.append(("implicit_user", _normalised(user, item, shape_ui)))
        if "item" in self.features:
            item_side.append(("item", sparse.identity(self.num_items, format="csr")))
        if "implicit_item" in self.features:
            item_side.append(("implicit_item", _normalised(item, user, shape_ui[::-1])))
        if "knowledge" in self.features:
            edges = {rel: index for (src, rel, _), index in knowledge_edges(graph.data).items() if src == "item"}
            missing = [r for r in self.relations or () if r not in edges]
            if missing:
                raise ValueError(f"the graph has no item→entity relation(s) {missing}; it has {sorted(edges)}")
            for rel in self.relations if self.relations is not None else sorted(edges):
                items, entities = edges[rel].cpu().numpy()
                used, column = np.unique(entities, return_inverse=True)
                item_side.append((rel, _normalised(items, column, (self.num_items, len(used)))))
        if not user_side or not item_side:
            raise ValueError(f"features {self.features} leave the user or the item side of a row empty")
        self.groups = [name for name, _ in user_side + item_side]
        sizes = [m.shape[1] for _, m in user_side + item_side]
        stack = [sparse.hstack([m for _, m in side], format="csr") for side in (user_side, item_side)]
        return stack[0], stack[1], sizes

    def prepare(self, graph: TrainGraph) -> None:
        with warnings.catch_warnings():  # myfm 0.4 imports pkg_resources (deprecated) at import time
            warnings.simplefilter("ignore", UserWarning)
            import myfm

        users, items, sizes = self.design(graph)
        rating = graph.rating.float().cpu().numpy()
        blocks = [myfm.RelationBlock(graph.user.cpu().numpy(), users), myfm.RelationBlock(graph.item.cpu().numpy(),
                                                                                          items)]
        kept = self.n_iter - self.burn_in
        cls = myfm.MyFMOrderedProbit if self.ordinal else myfm.MyFMRegressor
        fm = cls(rank=self.rank, init_stdev=self.init_std, random_seed=graph.seed)
        low, high = float(rating.min()), float(rating.max())
        if self.ordinal:
            if not np.all(rating == np.round(rating)):
                raise ValueError("ordinal=True needs integer ratings")
            target = (rating - low).astype(np.int64)
        else:
            target = rating.astype(np.float64)
        log.info("Bayesian FM: rank %d, %d sweeps (%d kept), groups %s", self.rank, self.n_iter, kept, self.groups)
        fm.fit(None, target, X_rel=blocks, group_shapes=sizes, n_iter=self.n_iter,
               n_kept_samples=kept)
        self.keep(torch.from_numpy(self.posterior_mean(fm, users, items, low)).float().to(graph.device), low, high)

    def posterior_mean(self, fm: object, users: sparse.csr_matrix, items: sparse.csr_matrix,
                        low: float) -> np.ndarray:
        """Mean over the kept samples of the predicted rating for every (user, item) [U, I]."""
        n_user_features = users.shape[1]
        total = np.zeros((self.num_users, self.num_items))
        samples = fm.predictor_.samples
        for sample in samples:
            w, v = np.asarray(sample.w), np.asarray(sample.V)
            a, s_u = _side_terms(users, w[:n_user_features], v[:n_user_features])
            b, s_i = _side_terms(items, w[n_user_features:], v[n_user_features:])
            score = sample.w0 + a[:, None] + b[None, :] + s_u @ s_i.T
            if self.ordinal:  # E[rating] = low + Σ_k P(rating > low + k) = low + Σ_k Φ(score − c_k)
                cuts = torch.from_numpy(np.asarray(sample.cutpoints[0]))
                normal = torch.distributions.Normal(0.0, 1.0)
                score = low + normal.cdf(torch.from_numpy(score)[..., None] - cuts).sum(-1).numpy()
            total += score
        return total / len(samples)
