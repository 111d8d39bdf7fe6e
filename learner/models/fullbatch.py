"""Rating models trained on the whole rating matrix at once with L-BFGS (no mini-batches).

Each such model defines its regularised ``objective()`` over all training ratings and its prediction
matrix ``full_matrix()`` [users, items]; an epoch is ``lbfgs_steps`` L-BFGS iterations. Predictions are
clipped to the training ratings' range.
"""

from __future__ import annotations

import torch
from torch import Tensor

from learner.metrics import Scorer
from learner.models.base import Recommender, TrainGraph


class FullBatchRating(Recommender):
    """Base class: full-batch L-BFGS rating prediction (``own_epochs``); subclasses give the objective."""

    task = "rating"
    own_epochs = True
    similarity = None

    def __init__(self, num_users: int, num_items: int, lbfgs_steps: int = 5) -> None:
        super().__init__(num_users, num_items)
        self.lbfgs_steps = lbfgs_steps
        self.restart_lbfgs = False  # True: a fresh optimizer (no curvature memory, line searches not capped) per epoch
        self.register_buffer("bounds", torch.tensor([1.0, 5.0]))
        self.optimizer: tuple[str, torch.optim.LBFGS] | None = None  # (stage, optimizer)
        self.num_ratings = 1

    def prepare(self, graph: TrainGraph) -> None:
        self.bounds = torch.stack([graph.rating.min(), graph.rating.max()]).float()
        self.num_ratings = max(int(graph.rating.numel()), 1)

    def objective(self) -> Tensor:
        """The regularised training loss over all training ratings."""
        raise NotImplementedError

    def full_matrix(self) -> Tensor:
        """Unclipped predicted ratings [num_users, num_items]."""
        raise NotImplementedError

    def lbfgs_epoch(self, stage: str, params: list[torch.nn.Parameter], lr: float) -> float:
        """``lbfgs_steps`` full-batch L-BFGS iterations (a fresh optimizer when ``stage`` changes, or every epoch with
        ``restart_lbfgs``, whose line searches may then take up to 25 evaluations per iteration instead of sharing
        torch's default 1.25 evaluations per iteration); loss/rating."""
        if self.optimizer is None or self.optimizer[0] != stage or self.restart_lbfgs:
            max_eval = self.lbfgs_steps * 25 if self.restart_lbfgs else None
            self.optimizer = stage, torch.optim.LBFGS(params, lr=lr, max_iter=self.lbfgs_steps, max_eval=max_eval,
                                                      line_search_fn="strong_wolfe")
        optimizer = self.optimizer[1]

        def closure() -> Tensor:
            optimizer.zero_grad()
            loss = self.objective()
            loss.backward()
            return loss

        return float(optimizer.step(closure).detach()) / self.num_ratings

    def train_epoch(self, epoch: int, hp: dict[str, float | int]) -> float:
        return self.lbfgs_epoch("all", list(self.parameters()), float(hp["lr"]))

    @torch.no_grad()
    def _clipped(self) -> Tensor:
        return self.full_matrix().clamp(float(self.bounds[0]), float(self.bounds[1]))

    def predict(self, users: Tensor, items: Tensor) -> Tensor:
        return self._clipped()[users, items]

    def scorer(self) -> Scorer:
        full = self._clipped()
        return lambda users: full[users.to(full.device)]
