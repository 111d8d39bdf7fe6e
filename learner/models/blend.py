"""A linear blend of rating models, its weights fitted on ratings the members did not train on.

Stacked generalisation (D. H. Wolpert, "Stacked Generalization", Neural Networks 1992) with linear
blending of rating predictors as in the Netflix Prize (A. Töscher, M. Jahrer, R. M. Bell, "The BigChaos
Solution to the Netflix Grand Prize", 2009). From the training ratings it is given, the blend holds out a
seeded per-user share; each member trains on the rest with early stopping on that share; the weights
w = argmin ‖[1, r̂₁ … r̂ₖ] w − r‖² + ρ‖w‖² are fitted on it; then every member is retrained on all the
given ratings for its chosen number of epochs. r̂ = w₀ + Σₖ wₖ r̂ₖ, clipped to the rating range.
Members are the full-batch rating models (each trains with its own epochs), the closed-form KNN-baseline and the
sampled Bayesian FM.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from learner.data import Interactions
from learner.metrics import Scorer, rmse
from learner.models.autorec import AutoRec, GLocalK
from learner.models.base import Recommender, TrainGraph
from learner.models.bayesian_fm import BayesianFM
from learner.models.biasedmf import BiasedMF
from learner.models.knnbaseline import KNNBaseline
from learner.models.svdpp import SVDpp
from learner.splits import make_split

MEMBERS: dict[str, type[Recommender]] = {"glocal-k": GLocalK, "autorec": AutoRec, "biasedmf": BiasedMF,
                                         "svdpp": SVDpp, "knn-baseline": KNNBaseline, "bayesian-fm": BayesianFM}
TRAINING = ("epochs", "lr", "patience", "eval_every")


def stacking_design(predictions: Sequence[Tensor], features: Tensor | None = None) -> Tensor:
    """The blend's design matrix [1, r̂₁ … r̂ₖ]; with meta-features f [n, m], every product of [1, f] with it
    (feature-weighted linear stacking: J. Sill, G. Takács, L. Mackey, D. Lin, arXiv:0911.0460, 2009)."""
    base = torch.stack([torch.ones_like(predictions[0]), *predictions], 1).double()
    if features is None:
        return base
    meta = torch.cat([torch.ones_like(base[:, :1]), features.double()], 1)
    return (meta[:, :, None] * base[:, None, :]).flatten(1)


def blend_weights(predictions: Sequence[Tensor], target: Tensor, ridge: float = 1e-3,
                  features: Tensor | None = None) -> Tensor:
    """Weights w minimising ‖A w − target‖² + ρ n ‖w‖² (A = :func:`stacking_design`, n = len(target))."""
    a = stacking_design(predictions, features)
    gram = a.T @ a + ridge * len(target) * torch.eye(a.size(1), dtype=a.dtype, device=a.device)
    return torch.linalg.solve(gram, a.T @ target.double()).float()


def blended(weights: Tensor, predictions: Sequence[Tensor], low: float, high: float,
            features: Tensor | None = None) -> Tensor:
    """A w, clipped to [low, high]; without meta-features w₀ + Σₖ wₖ predictionsₖ, for predictions of any shape."""
    if features is None:
        return (weights[0] + sum(w * p for w, p in zip(weights[1:], predictions, strict=True))).clamp(low, high)
    return (stacking_design(predictions, features) @ weights.double()).float().clamp(low, high)


def support_features(users: Tensor, items: Tensor, known: tuple[Tensor, Tensor], num_users: int,
                     num_items: int) -> Tensor:
    """Meta-features of (user, item) pairs [n, 2]: log(1 + the user's and the item's number of ``known`` pairs)."""
    user_count = torch.bincount(known[0], minlength=num_users).float()
    item_count = torch.bincount(known[1], minlength=num_items).float()
    return torch.stack([user_count[users], item_count[items]], 1).log1p()


def cross_validated_rmse(predictions: Sequence[Tensor], target: Tensor, low: float, high: float, ridge: float = 1e-3,
                         features: Tensor | None = None, folds: int = 10, seed: int = 0) -> float:
    """RMSE of the blend on each of ``folds`` seeded folds of the rows with weights fitted on the other folds
    (an out-of-sample estimate, where fitting and scoring on the same rows would be in-sample)."""
    order = torch.randperm(len(target), generator=torch.Generator().manual_seed(seed))
    out = torch.empty_like(target, dtype=torch.float32)
    for part in order.chunk(folds):
        fit = torch.ones(len(target), dtype=torch.bool)
        fit[part] = False
        weights = blend_weights([p[fit] for p in predictions], target[fit], ridge,
                                None if features is None else features[fit])
        out[part] = blended(weights, [p[part] for p in predictions], low, high,
                            None if features is None else features[part])
    return rmse(out, target.float())


class Blend(Recommender):
    """Linear blend (stacking, Wolpert 1992; Netflix Prize style) of full-batch rating models.

    Args: ``members`` registry names (``glocal-k``, ``autorec``, ``biasedmf``, ``svdpp``, ``knn-baseline``,
    ``bayesian-fm``);
    ``member_options`` per name:
    constructor arguments and training settings (``epochs``, ``lr``, ``patience``, ``eval_every``);
    ``holdout`` per-user share of the given ratings on which epochs and weights are chosen; ``ridge`` ρ.
    """

    task = "rating"
    trainable = False
    similarity = None

    def __init__(self, num_users: int, num_items: int, members: Sequence[str] = ("glocal-k", "autorec", "biasedmf"),
                 member_options: dict[str, dict[str, Any]] | None = None, holdout: float = 0.1,
                 ridge: float = 1e-3) -> None:
        super().__init__(num_users, num_items)
        unknown = [m for m in members if m not in MEMBERS]
        if unknown or not members:
            raise ValueError(f"blend members must be among {sorted(MEMBERS)}, got {list(members)}")
        self.member_names, self.options = list(members), dict(member_options or {})
        self.holdout, self.ridge = holdout, ridge
        self.members = torch.nn.ModuleList()
        self.register_buffer("weights", torch.zeros(len(members) + 1))
        self.register_buffer("bounds", torch.tensor([1.0, 5.0]))
        self.chosen_epochs: list[int] = []

    def _member(self, name: str) -> tuple[Recommender, dict[str, Any]]:
        options = dict(self.options.get(name, {}))
        cls = MEMBERS[name]
        hp = {**Recommender.train_defaults, **cls.train_defaults,
              **{k: options.pop(k) for k in TRAINING if k in options}}
        return cls(self.num_users, self.num_items, **options), hp

    def _train(self, name: str, graph: TrainGraph, epochs: int | None = None,
               check: tuple[Tensor, Tensor, Tensor] | None = None) -> tuple[Recommender, int]:
        """Train a fresh member on ``graph``: early stopping on ``check`` (users, items, ratings), or ``epochs``
        (closed-form members are fitted by ``prepare`` alone)."""
        torch.manual_seed(graph.seed)
        net, hp = self._member(name)
        net.to(graph.device).prepare(graph)
        best, best_epoch, best_state, stale = math.inf, 0, None, 0
        last = int(epochs if epochs is not None else hp["epochs"]) if net.trainable else 0
        for epoch in range(1, last + 1):
            net.train()
            net.train_epoch(epoch, hp)
            if check is None or epoch % int(hp["eval_every"]):
                continue
            net.eval()
            error = float((net.predict(check[0], check[1]) - check[2]).pow(2).mean())
            if error < best:
                best, best_epoch, best_state, stale = error, epoch, copy.deepcopy(net.state_dict()), 0
            else:
                stale += 1
                if stale >= int(hp["patience"]):
                    break
        if best_state is not None:
            net.load_state_dict(best_state)
        net.eval()
        return net, best_epoch if check is not None else int(epochs or hp["epochs"])

    def prepare(self, graph: TrainGraph) -> None:
        zeros = torch.zeros_like(graph.user)
        inner = make_split(Interactions(graph.user.cpu(), graph.item.cpu(), graph.rating.cpu(), zeros.cpu(),
                                        zeros.cpu(), self.num_users, self.num_items, ()),
                           "random", seed=graph.seed, valid_frac=0.0, test_frac=self.holdout)
        fit, held = inner.train.to(graph.device), inner.test.to(graph.device)
        part = TrainGraph(self.num_users, self.num_items, graph.user[fit], graph.item[fit], graph.rating[fit],
                          graph.data, graph.device, graph.seed)
        check = (graph.user[held], graph.item[held], graph.rating[held].float())
        columns, self.chosen_epochs = [], []
        for name in self.member_names:
            net, epochs = self._train(name, part, check=check)
            with torch.no_grad():
                columns.append(net.predict(check[0], check[1]))
            self.chosen_epochs.append(max(epochs, 1))
        self.weights = blend_weights(columns, check[2], self.ridge)
        self.members = torch.nn.ModuleList(self._train(name, graph, epochs)[0]
                                           for name, epochs in zip(self.member_names, self.chosen_epochs, strict=True))
        self.bounds = torch.stack([graph.rating.min(), graph.rating.max()]).float()

    def _combine(self, parts: list[Tensor]) -> Tensor:
        return blended(self.weights, parts, float(self.bounds[0]), float(self.bounds[1]))

    @torch.no_grad()
    def predict(self, users: Tensor, items: Tensor) -> Tensor:
        return self._combine([m.predict(users, items) for m in self.members])

    def scorer(self) -> Scorer:
        scorers = [m.scorer() for m in self.members]
        return lambda users: self._combine([s(users) for s in scorers])
