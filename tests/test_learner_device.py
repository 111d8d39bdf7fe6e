"""Device handling without a GPU: everything a prepared model holds follows ``.to(device)``, and the trainer's device
choice refuses devices that are not there.

No GPU is available to the test machines, so PyTorch's ``meta`` device stands in for a second device: a model
moved there must leave no tensor behind on the CPU (a fitted matrix or adjacency kept as a plain attribute would,
and would then meet the model's parameters on another device).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch

from learner.models import MODELS, get_model
from learner.models.base import Recommender, TrainGraph
from learner.splits import Split, make_split
from learner.train import resolve_device
from tests.learner_graphs import lastfm, ml100k

# small settings for the models whose prepare() trains something (PyKEEN pre-training, a blend's members, MCMC)
SMALL: dict[str, dict[str, Any]] = {"cke": {"kge_epochs": 1}, "bayesian-fm": {"n_iter": 20, "burn_in": 5},
                                    "blend": {"members": ("biasedmf", "knn-baseline")}}


def _tensors(value: Any) -> Iterator[tuple[str, torch.Tensor]]:
    """Tensors held directly by an attribute value, or in a list, tuple or dict of them."""
    if isinstance(value, torch.Tensor):
        yield "", value
    elif isinstance(value, list | tuple):
        for k, v in enumerate(value):
            yield from ((f"[{k}]{key}", t) for key, t in _tensors(v))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from ((f"[{k!r}]{key}", t) for key, t in _tensors(v))


def _left_on_cpu(net: Recommender) -> list[str]:
    """Names of the tensors of ``net`` (parameters, buffers and tensors kept as attributes) not on ``meta``."""
    held = [(f"{module_name}.{attr}{key}", t) for module_name, module in net.named_modules()
            for attr, value in vars(module).items() if attr not in ("_parameters", "_buffers", "_modules")
            for key, t in _tensors(value)]
    held += [*net.named_parameters(), *net.named_buffers()]
    return [name for name, t in held if t.device.type != "meta"]


def _graph(split: Split, data: Any) -> TrainGraph:
    users, items = split.pairs("train")
    return TrainGraph(split.num_users, split.num_items, users, items, split.ratings("train"), data,
                      torch.device("cpu"))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_everything_a_prepared_model_holds_moves_with_it(name: str) -> None:
    data = lastfm(60) if "social" in MODELS[name].requires else ml100k(40, knowledge=True)
    split = make_split(data, "random" if "social" in MODELS[name].requires else "u1", seed=0)
    net = get_model(name, num_users=split.num_users, num_items=split.num_items, **SMALL.get(name, {}))
    net.prepare(_graph(split, data))
    if net.own_epochs:  # PyKEEN models create their KGE model on the first epoch
        net.train_epoch(1, {"lr": 1e-2, "batch_size": 1024})
    net.to("meta")
    assert _left_on_cpu(net) == []
    assert net.device.type == "meta"


def test_a_tensor_kept_as_a_plain_attribute_is_reported() -> None:
    """The check above can fail: state outside parameters and buffers stays behind."""
    net = Recommender(3, 4)
    net.adj = [(torch.ones(2), torch.ones(2))]
    net.register_buffer("moved", torch.ones(1))
    net.to("meta")
    assert _left_on_cpu(net) == [".adj[0][0]", ".adj[0][1]"]


def test_the_device_choice_refuses_devices_that_are_not_there() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA devices"):
            resolve_device(f"cuda:{torch.cuda.device_count()}")
    else:
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda")
