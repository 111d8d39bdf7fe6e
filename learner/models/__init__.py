"""Recommenders by name: ``get_model("lightgcn", num_users=…, num_items=…, dim=64)``.

Each model lives in its own module, with the paper it follows in its docstring. ``MODELS`` maps
every registered name (and alias) to its class.
"""

from __future__ import annotations

from learner.models.autorec import AutoRec, GLocalK
from learner.models.base import Batch, Recommender, TrainGraph
from learner.models.bayesian_fm import BayesianFM
from learner.models.biasedmf import BiasedMF
from learner.models.blend import Blend
from learner.models.bprmf import BPRMF
from learner.models.cke import CKE
from learner.models.ease import EASE
from learner.models.gcmc import GCMC
from learner.models.hetero_gnn import HeteroGNN
from learner.models.itemknn import ItemKNN
from learner.models.kge_rec import DistMultRecommender, RotatERecommender, TransERecommender
from learner.models.kgin import KGIN
from learner.models.knnbaseline import KNNBaseline
from learner.models.lightgcn import LightGCN
from learner.models.popularity import Popularity
from learner.models.social import SocialLightGCN
from learner.models.svdpp import SVDpp

MODELS: dict[str, type[Recommender]] = {
    "popularity": Popularity,
    "itemknn": ItemKNN,
    "ease": EASE,
    "bprmf": BPRMF,
    "lightgcn": LightGCN,
    "hetero-gnn": HeteroGNN,
    "transe": TransERecommender,
    "distmult": DistMultRecommender,
    "rotate": RotatERecommender,
    "cke": CKE,
    "kgin": KGIN,
    "social-lightgcn": SocialLightGCN,
    "gcmc": GCMC,
    "autorec": AutoRec,
    "glocal-k": GLocalK,
    "biasedmf": BiasedMF,
    "svdpp": SVDpp,
    "knn-baseline": KNNBaseline,
    "bayesian-fm": BayesianFM,
    "blend": Blend,
}
ALIASES: dict[str, str] = {"pop": "popularity", "bpr": "bprmf", "mf": "bprmf", "bpr-mf": "bprmf",
                           "graphsage": "hetero-gnn", "sage": "hetero-gnn",
                           "i-autorec": "autorec", "glocalk": "glocal-k",
                           "svd": "biasedmf", "biased-mf": "biasedmf",
                           "svd++": "svdpp", "knnbaseline": "knn-baseline",
                           "bfm": "bayesian-fm", "libfm": "bayesian-fm", "myfm": "bayesian-fm"}


def resolve_name(name: str) -> str:
    """The registry name for ``name`` or an alias (case-insensitive); ValueError listing choices otherwise."""
    key = name.strip().lower().replace("_", "-")
    key = ALIASES.get(key, key)
    if key not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}")
    return key


def get_model(name: str, **kwargs: object) -> Recommender:
    """Instantiate the model registered as ``name`` with its constructor arguments."""
    return MODELS[resolve_name(name)](**kwargs)


__all__ = ["ALIASES", "MODELS", "Batch", "Recommender", "TrainGraph", "get_model", "resolve_name"]
